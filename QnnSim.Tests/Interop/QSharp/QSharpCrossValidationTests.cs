using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QirFormat = QnnSim.Interop.Qir;
using QSharpFormat = QnnSim.Interop.QSharp;

namespace QnnSim.Tests.Interop.QSharp;

/// <summary>
/// Seeded random circuits over QnnSim's whole gate set, exported as Q#: the QDK's simulator, the QDK's QIR read back
/// by QnnSim, and QnnSim's own QIR writer all give QnnSim's state up to a global phase.
/// </summary>
[TestFixture]
public class QSharpCrossValidationTests
{
    private static readonly Simulator Sim = new();

    public static IEnumerable<TestCaseData> RandomCircuits()
    {
        foreach (var (qubits, seed) in new[] { (2, 101UL), (3, 102UL), (4, 103UL), (5, 104UL) })
            yield return new TestCaseData(qubits, seed).SetName($"ExportToQSharp_RandomCircuit{qubits}q_seed{seed}_QdkAgrees");
    }

    [TestCaseSource(nameof(RandomCircuits))]
    public void ExportToQSharp_RandomCircuit_QdkAgrees(int qubits, ulong seed)
    {
        var qdk = QdkTestSupport.Compiler();
        var circuit = QdkTestSupport.RandomCircuit(qubits, 40, seed);
        var expected = Sim.Run(circuit, ParameterValues.None, InputValues.None);

        // 1. The QDK's simulator on the exported Q# (DumpMachine, qubit order converted).
        string source = QSharpFormat.Write(circuit, new QSharpWriteOptions { DumpMachine = true });
        var run = qdk.Run(source, null, "export.qs");
        QdkTestSupport.AssertEqualUpToGlobalPhase(expected, run.States.Single(), InteropTolerances.CrossValidation, "QDK simulator");

        // 2. The QDK's base-profile QIR for the same program, read back by QnnSim.
        string qdkQir = qdk.GetQir(source, null, "export.qs");
        var fromQdk = QirFormat.Parse(qdkQir, "qdk.ll");
        QdkTestSupport.AssertEqualUpToGlobalPhase(expected, Sim.Run(fromQdk, ParameterValues.None, InputValues.None), InteropTolerances.CrossValidation, "QIR from the QDK");

        // 3. QnnSim's own QIR for the circuit, read back: the same circuit as the QDK's QIR.
        var fromWriter = QirFormat.Parse(QirFormat.Write(circuit), "qnnsim.ll");
        QdkTestSupport.AssertEqualUpToGlobalPhase(Sim.Run(fromQdk, ParameterValues.None, InputValues.None),
            Sim.Run(fromWriter, ParameterValues.None, InputValues.None), InteropTolerances.CrossValidation, "QnnSim's QIR vs the QDK's");
    }

    [Test]
    public void ExportToQSharp_ParameterisedCircuit_ReimportsWithSameAngles()
    {
        var qdk = QdkTestSupport.Compiler();
        var b = new CircuitBuilder(3);
        var t = b.Parameters("theta", 3);
        var x = b.Inputs("x", 2);
        b.H(0).Ry(1, 2 * x[0] - 0.3).Rz(2, x[1]).CX(0, 1).Rx(0, t[0]).CRz(1, 2, -0.5 * t[1] + 1).Phase(2, t[2]).Rzz(0, 2, t[0] + 0.25);
        var circuit = b.Build();
        string source = QSharpFormat.Write(circuit);
        Assert.That(source, Does.Not.Contain("@EntryPoint"), "no Main without bound values");
        var reimported = qdk.ImportAnsatz(source, "QnnSimExport.Circuit", 3, 3, 2, "export.qs");
        var rng = new SeededRandom(5);
        double[] theta = [rng.NextDouble(-3, 3), rng.NextDouble(-3, 3), rng.NextDouble(-3, 3)];
        double[] inputs = [rng.NextDouble(-1, 1), rng.NextDouble(-1, 1)];
        QdkTestSupport.AssertEqualUpToGlobalPhase(
            Sim.Run(circuit, new ParameterValues(theta), new InputValues(inputs)),
            Sim.Run(reimported, new ParameterValues(theta), new InputValues(inputs)), InteropTolerances.CrossValidation);
    }

    [Test]
    public void ExportToQSharp_NonAffineExpression_CompilesToSameState()
    {
        var qdk = QdkTestSupport.Compiler();
        var b = new CircuitBuilder(2);
        var t = b.Parameters("t", 2);
        b.H(0).H(1).Ry(0, Angle.Sin(t[0]) * t[1] + Angle.Pow(t[1], 2.0)).Rz(1, Angle.Exp(t[0]) - Angle.Ln(Angle.Constant(2) + t[1] * t[1]) / 3);
        var circuit = b.Build();
        double[] theta = [0.4, -1.2];
        string source = QSharpFormat.Write(circuit, new QSharpWriteOptions { Parameters = theta, DumpMachine = true });
        var run = qdk.Run(source, null, "expr.qs");
        QdkTestSupport.AssertEqualUpToGlobalPhase(Sim.Run(circuit, new ParameterValues(theta), InputValues.None), run.States.Single(), InteropTolerances.CrossValidation);
    }

    [Test]
    public void Save_QsThenLoad_RoundTripsHardwareCircuit()
    {
        QdkTestSupport.Compiler();
        var b = new CircuitBuilder(3);
        b.H(0).CX(0, 1).Ry(2, 0.8).CZ(1, 2).Measure(2).Measure(0);
        var circuit = b.Build();
        string dir = Path.Combine(Path.GetTempPath(), "qnnsim-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var ext in new[] { ".qs", ".ll" })
            {
                string path = Path.Combine(dir, "roundtrip" + ext);
                CircuitFiles.Save(circuit, path);
                var back = CircuitFiles.Load(path);
                Assert.That(back.MeasuredQubits, Is.EqualTo(new[] { 2, 0 }), ext);
                QdkTestSupport.AssertEqualUpToGlobalPhase(Sim.Run(circuit, ParameterValues.None, InputValues.None),
                    Sim.Run(back, ParameterValues.None, InputValues.None), InteropTolerances.RoundTrip, ext);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
