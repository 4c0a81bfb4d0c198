using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Simulation;
using QnnSim.Tests.Interop.QSharp;
using QirFormat = QnnSim.Interop.Qir;

namespace QnnSim.Tests.Interop.Qir;

[TestFixture]
public class QirWriterTests
{
    private static readonly Simulator Sim = new();

    public static IEnumerable<TestCaseData> RandomCircuits()
    {
        foreach (var (qubits, seed) in new[] { (2, 11UL), (3, 12UL), (4, 13UL), (5, 14UL), (3, 15UL), (4, 16UL) })
            yield return new TestCaseData(qubits, seed).SetName($"Write_RandomCircuit{qubits}q_seed{seed}_RereadsToSameState");
    }

    [TestCaseSource(nameof(RandomCircuits))]
    public void Write_RandomCircuit_RereadsToSameState(int qubits, ulong seed)
    {
        var circuit = QdkTestSupport.RandomCircuit(qubits, 45, seed);
        string text = QirFormat.Write(circuit);
        var reread = QirFormat.Parse(text, "written.ll");
        Assert.That(reread.QubitCount, Is.EqualTo(qubits));
        QdkTestSupport.AssertEqualUpToGlobalPhase(
            Sim.Run(circuit, ParameterValues.None, InputValues.None),
            Sim.Run(reread, ParameterValues.None, InputValues.None), InteropTolerances.RoundTrip, text);
    }

    [Test]
    public void Write_ParameterisedCircuit_BindsValues()
    {
        var b = new CircuitBuilder(2);
        var t = b.Parameters("t", 2);
        var x = b.Input("x");
        b.Ry(0, 2 * t[0] + 0.25).CRz(0, 1, t[1]).Rx(1, Angle.Sin(x) * t[0]).Measure(1).Measure(0);
        var c = b.Build();
        var theta = ParameterValues.Of(0.7, -1.3);
        var inputs = InputValues.Of(0.4);
        var reread = QirFormat.Parse(QirFormat.Write(c, theta, inputs));
        Assert.That(reread.Operations[0].Angles[0].ConstantValue, Is.EqualTo(2 * 0.7 + 0.25));
        Assert.That(reread.MeasuredQubits, Is.EqualTo(new[] { 1, 0 }));
        QdkTestSupport.AssertEqualUpToGlobalPhase(Sim.Run(c, theta, inputs), Sim.Run(reread, ParameterValues.None, InputValues.None), InteropTolerances.RoundTrip);
    }

    [Test]
    public void Write_UnboundParameters_Throws()
    {
        var b = new CircuitBuilder(1);
        b.Rx(0, b.Parameter("a"));
        Assert.Throws<ArgumentException>(() => QirFormat.Write(b.Build()));
    }

    [Test]
    public void Write_Output_HasBaseProfileShape()
    {
        var b = new CircuitBuilder(2);
        b.H(0).CX(0, 1).Rz(1, 1e-7).Measure(0).Measure(1);
        string text = QirFormat.Write(b.Build());
        Assert.That(text, Does.Contain("\"qir_profiles\"=\"base_profile\""));
        Assert.That(text, Does.Contain("\"required_num_qubits\"=\"2\""));
        Assert.That(text, Does.Contain("\"required_num_results\"=\"2\""));
        Assert.That(text, Does.Contain("double 1.0E-07")); // LLVM needs a '.' in decimal literals
        Assert.That(text, Does.Contain("declare void @__quantum__qis__cx__body(%Qubit*, %Qubit*)"));
        Assert.That(text, Does.Contain("@__quantum__qis__m__body(%Qubit* inttoptr (i64 1 to %Qubit*), %Result* inttoptr (i64 1 to %Result*))"));
    }

    [TestCase(0.0, "0.0")]
    [TestCase(2.0, "2.0")]
    [TestCase(-0.5, "-0.5")]
    [TestCase(1e-20, "1.0E-20")]
    [TestCase(1.5e300, "1.5E+300")]
    public void FormatDouble_Value_IsLlvmLiteralThatRoundTrips(double value, string expected)
    {
        string s = QirFormat.FormatDouble(value);
        Assert.That(s, Is.EqualTo(expected));
        Assert.That(double.Parse(s, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(value));
    }
}
