using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Simulation;
using QnnSim.State;
using QnnSim.Tests.Interop.QSharp;
using QnnSim.Tests.Reference;
using Qasm = QnnSim.Interop.OpenQasm;
using QirFormat = QnnSim.Interop.Qir;
using QSharpFormat = QnnSim.Interop.QSharp;

namespace QnnSim.Tests.Interop;

/// <summary>
/// Dense 6- and 7-qubit unitaries through the three writers (quantum Shannon decomposition): OpenQASM export → import
/// and QIR export → re-read act on seeded Haar-random states as the original circuit does; the exported Q# compiles
/// and simulates in the QDK to QnnSim's state; a dense unitary above <see cref="UnitaryDecomposition.MaxDenseQubits"/>
/// is refused, naming k, the cap and the gate count, before anything is written.
/// </summary>
[TestFixture]
public class DenseExportTests
{
    private static readonly Simulator Sim = new();

    /// <summary>A few gates, then a dense k-qubit Haar block on scrambled targets (optionally controlled), then a few gates.</summary>
    private static Circuit DenseCircuit(int qubits, int[] targets, int[] controls, ulong seed)
    {
        var rng = new Randomness.SeededRandom(seed);
        var b = new CircuitBuilder(qubits);
        for (int q = 0; q < qubits; q++) b.Ry(q, rng.NextDouble(-3, 3));
        b.CX(0, 1);
        b.Unitary(targets, ControlledCircuits.Haar(targets.Length, seed + 1), controls);
        for (int q = 0; q < qubits; q++) b.Rz(q, rng.NextDouble(-3, 3));
        return b.Build();
    }

    private static StateVector Apply(Circuit circuit, StateVector input)
    {
        var state = StateVector.FromAmplitudes(input.ToArray());
        Sim.Apply(circuit, ParameterValues.None, InputValues.None, state);
        return state;
    }

    private static IEnumerable<StateVector> RandomStates(int qubits, ulong seed, int count) =>
        Enumerable.Range(0, count).Select(i => StateVector.FromAmplitudes(DenseReference.HaarState(qubits, seed + (ulong)i)));

    [Test]
    public void OpenQasm_Dense7QubitControlledBlock_RoundTripActsIdentically()
    {
        var circuit = DenseCircuit(8, [1, 7, 3, 0, 6, 2, 4], [5], 1100);
        var back = Qasm.Parse(Qasm.Write(circuit));
        foreach (var psi in RandomStates(8, 1110, 3))
        {
            var expected = Apply(circuit, psi);
            var actual = Apply(back, psi);
            double worst = Enumerable.Range(0, expected.Length).Max(k => (expected[k] - actual[k]).Magnitude);
            TestContext.Out.WriteLine($"OpenQASM round trip: max amplitude difference {worst:E2}");
            // OpenQASM keeps the global phase: compare amplitude by amplitude.
            Assert.That(worst, Is.LessThanOrEqualTo(InteropTolerances.RoundTrip));
        }
    }

    [Test]
    public void Qir_Dense7QubitControlledBlock_RereadActsIdentically()
    {
        var circuit = DenseCircuit(8, [6, 0, 2, 7, 1, 3, 5], [4], 1200);
        var reread = QirFormat.Parse(QirFormat.Write(circuit), "dense.ll");
        foreach (var psi in RandomStates(8, 1210, 3))
            QdkTestSupport.AssertEqualUpToGlobalPhase(Apply(circuit, psi), Apply(reread, psi), InteropTolerances.RoundTrip, "QIR re-read");
    }

    [Test]
    public void QSharp_Dense7QubitBlock_QdkSimulatesQnnSimState()
    {
        var qdk = QdkTestSupport.Compiler();
        var circuit = DenseCircuit(7, [3, 6, 0, 5, 1, 4, 2], [], 1300);
        string source = QSharpFormat.Write(circuit, new QSharpWriteOptions { DumpMachine = true });
        var run = qdk.Run(source, null, "dense7.qs");
        QdkTestSupport.AssertEqualUpToGlobalPhase(Sim.Run(circuit, ParameterValues.None, InputValues.None), run.States.Single(),
            InteropTolerances.CrossValidation, "QDK simulator on the exported dense 7-qubit block");
    }

    /// <summary>An 11-qubit dense identity (built without the O(d³) unitarity check) after an H gate.</summary>
    private static Circuit AboveCap()
    {
        int k = UnitaryDecomposition.MaxDenseQubits + 1, d = 1 << k;
        var id = new Complex[d * d];
        for (int i = 0; i < d; i++) id[i * d + i] = 1;
        var b = new CircuitBuilder(k);
        b.H(0).Unitary([.. Enumerable.Range(0, k)], UnitaryMatrix.CreateTrusted(k, id));
        return b.Build();
    }

    public static IEnumerable<TestCaseData> Writers()
    {
        yield return new TestCaseData("OpenQASM", (Func<Circuit, string>)(c => Qasm.Write(c))).SetName("Write_OpenQasm_DenseAboveCap_ThrowsNamingKCapAndCount");
        yield return new TestCaseData("QIR", (Func<Circuit, string>)(c => QirFormat.Write(c))).SetName("Write_Qir_DenseAboveCap_ThrowsNamingKCapAndCount");
        yield return new TestCaseData("Q#", (Func<Circuit, string>)(c => QSharpFormat.Write(c))).SetName("Write_QSharp_DenseAboveCap_ThrowsNamingKCapAndCount");
    }

    [TestCaseSource(nameof(Writers))]
    public void Write_DenseAboveCap_ThrowsNamingKCapAndCount(string format, Func<Circuit, string> write)
    {
        var e = Assert.Throws<NotSupportedException>(() => write(AboveCap()))!;
        Assert.That(e.Message, Does.Contain("operation 1").And.Contain("k = 11").And.Contain($"{format} writer")
            .And.Contain("at most 10 qubits").And.Contain("7,333,888"));
    }

    public static IEnumerable<TestCaseData> Extensions() =>
        new[] { ".qasm", ".ll", ".qs" }.Select(ext => new TestCaseData(ext).SetName($"Save_DenseAboveCap{ext.Replace('.', '_')}_ThrowsBeforeCreatingFile"));

    [TestCaseSource(nameof(Extensions))]
    public void Save_DenseAboveCap_ThrowsBeforeCreatingFile(string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), $"qnnsim-dense-cap-{Guid.NewGuid():N}{extension}");
        try
        {
            Assert.Throws<NotSupportedException>(() => CircuitFiles.Save(AboveCap(), path));
            Assert.That(File.Exists(path), Is.False, "nothing is written");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
