using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Simulation;
using QirFormat = QnnSim.Interop.Qir;

namespace QnnSim.Tests.Interop.QSharp;

/// <summary>
/// Documents two behaviours of the QDK's OpenQASM front end (docs/interop.md): angles are wrapped modulo 2π
/// (OpenQASM 3's angle type), which changes a controlled rotation with a negative angle by a Z on the control, and
/// cp(λ) is lowered as a controlled Rz(λ), without the P(λ/2) phase that makes it diag(1, 1, 1, e^{iλ}). QnnSim reads
/// angles as real numbers (like Qiskit); these tests compare the QDK's QIR with QnnSim's reading of the same text.
/// </summary>
[TestFixture]
public class QdkOpenQasmBehaviourTests
{
    private static readonly Simulator Sim = new();

    private const string Prefix = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nU(0.7, 0.2, -0.4) q[0];\nU(1.3, -0.6, 0.9) q[1];\n";

    private static (Circuit QnnSim, Circuit Qdk) Both(string gate)
    {
        var qdk = QdkTestSupport.Compiler();
        string program = Prefix + gate + "\n";
        var ours = QnnSim.Interop.OpenQasm.Parse(program, "behaviour.qasm");
        var theirs = QirFormat.Parse(qdk.GetQirFromOpenQasm(program, "behaviour.qasm"), "qdk.ll");
        return (ours, theirs);
    }

    private static double Distance(Circuit a, Circuit b)
    {
        var x = Sim.Run(a, ParameterValues.None, InputValues.None);
        var y = Sim.Run(b, ParameterValues.None, InputValues.None);
        return 1 - x.InnerProduct(y).Magnitude; // 0 exactly when equal up to a global phase
    }

    [Test]
    public void QdkOpenQasm_CrzNegativeAngle_AddsZOnControl()
    {
        var (ours, theirs) = Both("crz(-0.5) q[0], q[1];");
        Assert.That(Distance(ours, theirs), Is.GreaterThan(1e-3), "the QDK's crz(−0.5) is not QnnSim's");
        var b = new CircuitBuilder(2);
        b.Append(ours);
        b.Z(0);
        Assert.That(Distance(b.Build(), theirs), Is.LessThan(InteropTolerances.CrossValidation), "the QDK's crz(−0.5) = crz(2π − 0.5) = crz(−0.5)·Z on the control");
    }

    [Test]
    public void QdkOpenQasm_CrzPositiveAngle_Agrees()
    {
        var (ours, theirs) = Both("crz(0.5) q[0], q[1];");
        Assert.That(Distance(ours, theirs), Is.LessThan(InteropTolerances.CrossValidation));
    }

    [Test]
    public void QdkOpenQasm_Cp_LacksControlPhase()
    {
        const double lambda = 0.8;
        var (ours, theirs) = Both($"cp({lambda}) q[0], q[1];");
        Assert.That(Distance(ours, theirs), Is.GreaterThan(1e-3), "the QDK's cp(λ) is not diag(1, 1, 1, e^{iλ})");
        // The QDK's cp(λ) = CP(λ)·P(−λ/2) on one qubit: a controlled Rz(λ).
        var b = new CircuitBuilder(2);
        b.Append(ours);
        b.Phase(1, -lambda / 2);
        var c = new CircuitBuilder(2);
        c.Append(ours);
        c.Phase(0, -lambda / 2);
        double best = Math.Min(Distance(b.Build(), theirs), Distance(c.Build(), theirs));
        Assert.That(best, Is.LessThan(InteropTolerances.CrossValidation));
    }

    [Test]
    public void QSharpRoute_CrzNegativeAngle_Agrees()
    {
        // Through Q#, the same gate keeps its real angle: cross-validate through Q# and QIR, not the QDK's OpenQASM reader.
        var qdk = QdkTestSupport.Compiler();
        var ours = QnnSim.Interop.OpenQasm.Parse(Prefix + "crz(-0.5) q[0], q[1];\n", "behaviour.qasm");
        var viaQSharp = qdk.Compile(QnnSim.Interop.QSharp.Write(ours), null, "crz.qs");
        Assert.That(Distance(ours, viaQSharp), Is.LessThan(InteropTolerances.CrossValidation));
    }
}
