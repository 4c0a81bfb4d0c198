using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Tests.Interop.QSharp;

/// <summary>Every circuits/*.qs sample, compiled by the QDK into QnnSim and checked against the QDK's own simulator.</summary>
[TestFixture]
public class QSharpSampleTests
{
    private static readonly Simulator Sim = new();

    [Test]
    public void EverySample_IsCoveredByThisFixture()
    {
        var samples = Directory.GetFiles(Path.GetDirectoryName(QdkTestSupport.Sample("x"))!, "*.qs").Select(Path.GetFileName).Order();
        Assert.That(samples, Is.EqualTo(new[] { "bell.qs", "gates.qs", "hea_ansatz.qs", "reuploading.qs" }),
            "a new circuits/*.qs sample needs a cross-validation test here");
    }

    public static IEnumerable<TestCaseData> HardwareSamples()
    {
        yield return new TestCaseData("bell.qs", "Bell", 2, new[] { 0, 1 }).SetName("Compile_BellSample_MatchesQdkState");
        yield return new TestCaseData("gates.qs", "Gates", 4, new[] { 0, 1, 2, 3 }).SetName("Compile_GatesSample_MatchesQdkState");
    }

    /// <summary>
    /// The file's entry point imports as its unitary part plus the readout; its state equals the QDK's DumpMachine
    /// after the same Prepare operation (the sample's Main is Prepare followed by MResetEachZ).
    /// </summary>
    [TestCaseSource(nameof(HardwareSamples))]
    public void Compile_HardwareSample_MatchesQdkState(string file, string ns, int qubits, int[] readout)
    {
        var qdk = QdkTestSupport.Compiler();
        string path = QdkTestSupport.Sample(file);
        var circuit = qdk.CompileFile(path);
        Assert.That(circuit.QubitCount, Is.EqualTo(qubits));
        Assert.That(circuit.MeasuredQubits, Is.EqualTo(readout));
        var run = qdk.Run(File.ReadAllText(path), $"{{ use qs = Qubit[{qubits}]; {ns}.Prepare(qs); Std.Diagnostics.DumpMachine(); ResetAll(qs); }}", path);
        Assert.That(run.States, Has.Count.EqualTo(1));
        QdkTestSupport.AssertEqualUpToGlobalPhase(Sim.Run(circuit, ParameterValues.None, InputValues.None), run.States[0], InteropTolerances.CrossValidation, file);
    }

    [Test]
    public void Compile_BellSample_IsHThenCx()
    {
        var circuit = QdkTestSupport.Compiler().CompileFile(QdkTestSupport.Sample("bell.qs"));
        Assert.That(circuit.Operations.Select(o => o.ToString()), Is.EqualTo(new[] { "h q[0]", "cx q[0], q[1]" }));
    }

    [Test]
    public void Compile_GatesSample_UsesEveryReadableIntrinsic()
    {
        var circuit = QdkTestSupport.Compiler().CompileFile(QdkTestSupport.Sample("gates.qs"));
        var names = circuit.Operations.Select(o => o.Name).ToHashSet();
        Assert.That(names, Is.SupersetOf(new[] { "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "rxx", "ryy", "rzz", "cx", "cy", "cz", "ccx", "swap" }));
    }

    public static IEnumerable<TestCaseData> AnsatzSamples()
    {
        // file, operation, qubits, parameters, inputs
        yield return new TestCaseData("hea_ansatz.qs", "HeaAnsatz", 3, 12, 0).SetName("ImportAnsatz_HeaSample_MatchesQdkOnRandomVectors");
        yield return new TestCaseData("hea_ansatz.qs", "Hea.HeaAnsatz", 2, 4, 0).SetName("ImportAnsatz_HeaSampleTwoQubits_MatchesQdkOnRandomVectors");
        yield return new TestCaseData("reuploading.qs", "Reuploading", 2, 12, 2).SetName("ImportAnsatz_ReuploadingSample_MatchesQdkOnRandomVectors");
        yield return new TestCaseData("reuploading.qs", "Reuploading", 3, 18, 1).SetName("ImportAnsatz_ReuploadingSampleThreeQubits_MatchesQdkOnRandomVectors");
    }

    /// <summary>
    /// The probe-imported circuit, simulated by QnnSim at random θ (and x), gives the QDK's state up to a global phase
    /// and the same expectation values of Z_0, Z_0 Z_1 and X_{n−1}.
    /// </summary>
    [TestCaseSource(nameof(AnsatzSamples))]
    public void ImportAnsatz_Sample_MatchesQdkOnRandomVectors(string file, string operation, int qubits, int parameters, int inputs)
    {
        var qdk = QdkTestSupport.Compiler();
        string path = QdkTestSupport.Sample(file);
        string source = File.ReadAllText(path);
        var circuit = qdk.ImportAnsatz(source, operation, qubits, parameters, inputs, path);
        Assert.That(circuit.ParameterCount, Is.EqualTo(parameters));
        Assert.That(circuit.InputCount, Is.EqualTo(inputs));
        Assert.That(circuit.Operations.Count(o => o.IsParameterised), Is.GreaterThanOrEqualTo(parameters), "every parameter drives a rotation");
        var observables = new[] { PauliString.Z(0), PauliString.Parse("Z0 Z1"), PauliString.X(qubits - 1) };
        var rng = new SeededRandom(77);
        for (int trial = 0; trial < 2; trial++)
        {
            double[] theta = [.. Enumerable.Range(0, parameters).Select(_ => rng.NextDouble(-Math.PI, Math.PI))];
            double[] x = [.. Enumerable.Range(0, inputs).Select(_ => rng.NextDouble(-1, 1))];
            string Arr(double[] v) => "[" + string.Join(", ", v.Select(QnnSim.Interop.QSharp.FormatDouble)) + "]";
            string args = inputs > 0 ? $"{Arr(x)}, {Arr(theta)}" : Arr(theta);
            var run = qdk.Run(source, $"{{ use qs = Qubit[{qubits}]; {operation}({args}, qs); Std.Diagnostics.DumpMachine(); ResetAll(qs); }}", path);
            StateVector expected = run.States.Single();
            StateVector actual = Sim.Run(circuit, new ParameterValues(theta), new InputValues(x));
            QdkTestSupport.AssertEqualUpToGlobalPhase(expected, actual, InteropTolerances.CrossValidation, $"{file} trial {trial}");
            foreach (var o in observables)
                Assert.That(Sim.Expectation(actual, o), Is.EqualTo(Sim.Expectation(expected, o)).Within(InteropTolerances.CrossValidation), $"⟨{o}⟩, trial {trial}");
        }
    }

    [Test]
    public void ImportAnsatz_HeaSample_RecoversUnitCoefficients()
    {
        var circuit = QdkTestSupport.Compiler().ImportAnsatz(File.ReadAllText(QdkTestSupport.Sample("hea_ansatz.qs")), "HeaAnsatz", 2, 4);
        var rotations = circuit.Operations.Where(o => o.IsParameterised).ToList();
        Assert.That(rotations.Select(o => o.Name), Is.EqualTo(new[] { "ry", "rz", "ry", "rz" }));
        for (int k = 0; k < 4; k++)
        {
            Assert.That(rotations[k].Angles[0].TryGetAffine(out var kind, out int index, out double a, out double b), Is.True);
            Assert.That((kind, index), Is.EqualTo((VariableKind.Parameter, k)));
            Assert.That(a, Is.EqualTo(1.0).Within(InteropTolerances.AffineFit));
            Assert.That(b, Is.EqualTo(0.0).Within(InteropTolerances.AffineFit));
        }
    }

    [Test]
    public void Load_TrainableSampleThroughCircuitFiles_UsesCounts()
    {
        QdkTestSupport.Compiler();
        var c = CircuitFiles.Load(QdkTestSupport.Sample("reuploading.qs"),
            new CircuitLoadOptions { Entry = "Reuploading", Qubits = 2, ParameterCount = 12, InputCount = 2 });
        Assert.That((c.QubitCount, c.ParameterCount, c.InputCount), Is.EqualTo((2, 12, 2)));
        Assert.That(c.InputNames, Is.EqualTo(new[] { "x[0]", "x[1]" }));
    }

    [Test]
    public void Load_HardwareSampleThroughCircuitFiles_HasReadout()
    {
        QdkTestSupport.Compiler();
        var c = CircuitFiles.Load(QdkTestSupport.Sample("bell.qs"));
        Assert.That(c.MeasuredQubits, Is.EqualTo(new[] { 0, 1 }));
    }
}
