using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.Tests.Interop.OpenQasm;
using QnnSim.Tests.Interop.QSharp;
using Qasm = QnnSim.Interop.OpenQasm;
using QirFormat = QnnSim.Interop.Qir;
using QSharpFormat = QnnSim.Interop.QSharp;

namespace QnnSim.Tests.Interop;

/// <summary>
/// Issue 15, item 9: every export reads back to the same circuit or is warned about when written. OpenQASM keeps
/// every angle expression, so every sample and random parameterised circuit reads back acting identically; QIR
/// (values bound) reads back to the same state up to the global phase QIR cannot carry; Q# with free parameters
/// reads back only when each angle is a·θ[k] + b in one variable, and <see cref="QSharpFormat.ReadBackProblems"/> (and
/// <c>qnnsim convert</c>) says so otherwise.
/// </summary>
[TestFixture]
public class RoundTripTests
{
    private static readonly Simulator Sim = new(new SimulationOptions { MaxThreads = 1 });

    public static IEnumerable<TestCaseData> Circuits()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits"), "*.qasm").Order(StringComparer.Ordinal))
            yield return new TestCaseData(Path.GetFileName(file), 0UL).SetArgDisplayNames(Path.GetFileName(file));
        for (ulong seed = 1; seed <= 12; seed++)
            yield return new TestCaseData("", seed).SetArgDisplayNames($"random {seed}");
    }

    private static Circuit Load(string sample, ulong seed) =>
        sample.Length > 0 ? Qasm.Load(Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits", sample)) : RandomParameterised(4, 40, seed);

    /// <summary>QdkTestSupport's random circuit over the whole gate set with its angles replaced, at random, by a·θ_j + b,
    /// x_k, θ_j + θ_l, sin(θ_j)·x_k + θ_l or kept constant.</summary>
    internal static Circuit RandomParameterised(int qubits, int gates, ulong seed)
    {
        var c = QdkTestSupport.RandomCircuit(qubits, gates, seed);
        var rng = new SeededRandom(seed ^ 0x9E3779B97F4A7C15UL);
        const int p = 6, q = 3;
        Angle Theta(int j) => Angle.Parameter(j);
        Angle X(int k) => Angle.Input(k);
        var ops = c.Operations.Select(op => op.Angles.IsEmpty ? op : op.WithAngles([.. op.Angles.Select(a => (rng.NextInt64(5)) switch
        {
            0 => a,
            1 => Angle.Parameter((int)rng.NextInt64(p), 1.5, a.ConstantValue),
            2 => X((int)rng.NextInt64(q)),
            3 => Theta((int)rng.NextInt64(p)) + Theta((int)rng.NextInt64(p)),
            _ => Angle.Sin(Theta((int)rng.NextInt64(p))) * X((int)rng.NextInt64(q)) + Theta((int)rng.NextInt64(p)),
        })]));
        return new Circuit(qubits, ops, [.. Enumerable.Range(0, p).Select(j => $"t{j}")], [.. Enumerable.Range(0, q).Select(k => $"x{k}")], c.MeasuredQubits);
    }

    [TestCaseSource(nameof(Circuits))]
    public void OpenQasm_WriteThenParse_ActsIdentically(string sample, ulong seed)
    {
        var c = Load(sample, seed);
        string text = Qasm.Write(c);
        var back = Qasm.Parse(text, "roundtrip.qasm");
        Assert.That(back.ParameterNames, Is.EquivalentTo(c.ParameterNames), text);
        Assert.That(back.InputNames, Is.EquivalentTo(c.InputNames), text);
        Assert.That(back.MeasuredQubits, Is.EqualTo(c.MeasuredQubits));
        var rng = new SeededRandom(seed + 99);
        var values = c.ParameterNames.Concat(c.InputNames).ToDictionary(n => n, _ => rng.NextDouble(-Math.PI, Math.PI));
        double diff = OpenQasmTestSupport.MaxStateDifference(
            c, ParameterValues.Of(OpenQasmTestSupport.ByName(c.ParameterNames, values)), InputValues.Of(OpenQasmTestSupport.ByName(c.InputNames, values)),
            back, ParameterValues.Of(OpenQasmTestSupport.ByName(back.ParameterNames, values)), InputValues.Of(OpenQasmTestSupport.ByName(back.InputNames, values)),
            seed + 5);
        Assert.That(diff, Is.LessThanOrEqualTo(InteropTolerances.RoundTrip), text);
    }

    [TestCaseSource(nameof(Circuits))]
    public void Qir_WriteWithBoundValuesThenParse_SameStateUpToGlobalPhase(string sample, ulong seed)
    {
        var c = Load(sample, seed);
        var rng = new SeededRandom(seed + 7);
        var theta = ParameterValues.Of(OpenQasmTestSupport.RandomValues(c.ParameterCount, rng));
        var x = InputValues.Of(OpenQasmTestSupport.RandomValues(c.InputCount, rng));
        var back = QirFormat.Parse(QirFormat.Write(c, theta, x), "roundtrip.ll");
        Assert.That(back.MeasuredQubits, Is.EqualTo(c.MeasuredQubits));
        QdkTestSupport.AssertEqualUpToGlobalPhase(Sim.Run(c, theta, x), Sim.Run(back, ParameterValues.None, InputValues.None), InteropTolerances.RoundTrip);
    }

    [Test]
    public void QSharp_ReadBackProblems_NamesEveryAngleTheImportCannotRecover()
    {
        var b = new CircuitBuilder(2);
        var t4 = b.Parameter("a");
        var t5 = b.Parameter("b");
        b.Rx(0, t5 + t4).Ry(1, 2.0 * t4 - 0.5).Rz(0, 0.3).U(1, 0.1, t4, t5);
        var problems = QSharpFormat.ReadBackProblems(b.Build());
        Assert.That(problems, Has.Count.EqualTo(2));
        Assert.That(problems[0], Does.StartWith("operation 0 (rx) has the angle theta[1] + theta[0]"));
        Assert.That(problems[1], Does.StartWith("operation 3 (U) has the phase"));
    }

    [Test]
    public void QSharp_AffineCircuits_HaveNoReadBackProblems()
    {
        var c = QdkTestSupport.RandomCircuit(4, 60, 3);
        Assert.That(QSharpFormat.ReadBackProblems(c), Is.Empty);
        var b = new CircuitBuilder(2);
        b.Rx(0, 3.0 * b.Parameter("a") + 1).CRz(0, 1, b.Input("x")).U(1, b.Parameter("c"), 0.2, 0.4);
        Assert.That(QSharpFormat.ReadBackProblems(b.Build()), Is.Empty);
    }

    [Test]
    public void Convert_ToQSharpWithTwoParameterAngle_WarnsOnOneLineAndStillWrites()
    {
        using var h = new QnnSim.Tests.Cli.CliHarness();
        string input = h.Write("c.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\ninput float[64] b;\nqubit q;\nrx(b + a) q;\n");
        string output = Path.Combine(h.Folder, "c.qs");
        var o = QnnSim.Tests.Cli.CliHarness.Run("convert", input, output);
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        Assert.That(File.Exists(output), Is.True);
        Assert.That(o.Err.Trim(), Does.StartWith("qnnsim: warning:").And.Contain("cannot read this Q# file back").And.Contain("not a·θ[k] + b in one variable"));
        Assert.That(o.Err.Trim().Split('\n'), Has.Length.EqualTo(1));
        var ok = QnnSim.Tests.Cli.CliHarness.Run("convert", h.Write("d.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit q;\nrx(2*a + 1) q;\n"), Path.Combine(h.Folder, "d.qs"));
        Assert.That(ok.Err, Is.Empty, ok.ToString());
    }
}
