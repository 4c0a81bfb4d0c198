using System.Diagnostics;
using System.Globalization;
using MathNet.Numerics.Distributions;
using QnnSim.Circuits;
using QnnSim.Cli;
using QnnSim.Interop;
using QnnSim.Noise;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.Tests.Cli;
using QnnSim.Tests.Interop.QSharp;
using QSharpFormat = QnnSim.Interop.QSharp;

namespace QnnSim.Tests.Noise;

/// <summary>
/// <see cref="NoiseModel.QdkPauli"/> against Microsoft's QDK noisy simulator (qsharp-lang's <c>runWithNoise</c>,
/// through <see cref="QdkNoise.RunWithNoise"/>). Like the other QDK tests, these run when Node.js is on PATH (the
/// pinned package is restored by the build) and are ignored with the reason otherwise.
/// </summary>
/// <remarks>
/// <para><b>Statistics.</b> Every comparison is a binomial count: the shots giving one outcome, or the shots giving One
/// on one result (⟨Z⟩ = 1 − 2·P(One)). Each must lie within <see cref="Sigmas"/> standard errors σ = √(p(1−p)/N) of
/// QnnSim's exact probability p (p = 0 or 1: the count must be exactly 0 or N). With <see cref="Shots"/> = 10 000,
/// σ ≤ 0.005 for a probability and ≤ 0.01 for a ⟨Z⟩.</para>
/// <para><b>False-failure rate.</b> The QDK seeds its simulator from entropy, so the counts differ on every run. Each test
/// computes the exact probability that a correct simulator fails its comparisons (binomial tails beyond 5σ, from
/// MathNet's binomial CDF, summed over the comparisons) and asserts it is below <see cref="MaxFalseFailureRate"/>; the
/// figures are printed (typically 1e-6 to 1e-5 per test, far below that bound).</para>
/// </remarks>
[TestFixture]
public sealed class QdkNoiseTests
{
    /// <summary>Shots per QDK run: a standard error ≤ 0.005 for a probability and ≤ 0.01 for a ±1 quantity.</summary>
    private const int Shots = 10_000;

    /// <summary>Standard errors a QDK estimate may sit from QnnSim's exact value.</summary>
    private const double Sigmas = 5.0;

    /// <summary>The largest false-failure probability a test's design may have (computed exactly per test).</summary>
    private const double MaxFalseFailureRate = 1e-4;

    /// <summary>The closed forms of the semantics experiments against QnnSim's density matrix (no statistics).</summary>
    private const double ClosedForm = 1e-12;

    private static readonly DensityMatrixSimulator Dm = new();

    // ---------------------------------------------------------------------------------------------------------------
    // 1. The semantics, established with the QDK: small programs whose outcome distributions tell the hypotheses apart.
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>P(odd number of flips) for k independent flips of probability f: (1 − (1 − 2f)^k)/2.</summary>
    private static double Odd(int k, double f) => (1 - Math.Pow(1 - 2 * f, k)) / 2;

    /// <summary>Two independent bits with P(One) = a and b, as outcome probabilities keyed "r0 r1".</summary>
    private static Dictionary<string, double> Independent(params double[] ones)
    {
        var d = new Dictionary<string, double> { [""] = 1.0 };
        foreach (double a in ones)
            d = d.SelectMany(kv => new[] { KeyValuePair.Create(kv.Key + "0", kv.Value * (1 - a)), KeyValuePair.Create(kv.Key + "1", kv.Value * a) })
                .ToDictionary(kv => kv.Key, kv => kv.Value);
        return d;
    }

    /// <summary>
    /// (name, Q# body on <c>q = Qubit[n]</c> returning Result[], n, (px, py, pz), the closed-form outcome distribution,
    /// and whether QnnSim reads the program: then its density matrix under QdkPauli must give the closed form too).
    /// </summary>
    public static IEnumerable<TestCaseData> Experiments()
    {
        const double p = 0.1;
        double two = Odd(2, p); // one round after the gate and one before the measurement: 0.18
        TestCaseData Case(string name, string body, int n, (double, double, double) noise, Dictionary<string, double> expected, bool qnnsimReads) =>
            new TestCaseData(body, n, noise.Item1, noise.Item2, noise.Item3, expected, qnnsimReads).SetName("QdkSemantics_" + name);

        // Measurement: the Pauli channel acts on the state before M. A Z error cannot flip the result; a Y error does.
        yield return Case("ZErrorBeforeM_CannotFlip", "X(q[0]); [M(q[0])]", 1, (0, 0, p), new() { ["1"] = 1 }, true);
        yield return Case("YErrorBeforeM_Flips", "[M(q[0])]", 1, (0, p, 0), Independent(p), true);
        // The error is applied to the qubit, not only to the reported bit: a second M sees the flipped state, so
        // P(One, One) = p(1 − p) (a readout-only flip would give p²).
        yield return Case("XErrorBeforeM_ActsOnTheState", "let a = M(q[0]); let b = M(q[0]); [a, b]", 1, (p, 0, 0),
            new() { ["00"] = (1 - p) * (1 - p), ["01"] = (1 - p) * p, ["11"] = p * (1 - p), ["10"] = p * p }, false);
        // Noise after a gate, not before: an X error before CNOT on the control would flip both qubits together.
        yield return Case("Cnot_NoiseAfterOnEachQubitIndependently", "CNOT(q[0], q[1]); [M(q[0]), M(q[1])]", 2, (p, 0, 0), Independent(two, two), true);
        yield return Case("Cnot_ZNoiseInvisible", "CNOT(q[0], q[1]); [M(q[0]), M(q[1])]", 2, (0, 0, p), new() { ["00"] = 1 }, true);
        // Intrinsic multi-qubit gates get one round on each qubit (not their textbook decompositions).
        yield return Case("Ccnot_OneRound", "CCNOT(q[0], q[1], q[2]); [M(q[0]), M(q[1]), M(q[2])]", 3, (p, 0, 0), Independent(two, two, two), true);
        yield return Case("Swap_OneRound", "SWAP(q[0], q[1]); [M(q[0]), M(q[1])]", 2, (p, 0, 0), Independent(two, two), true);
        yield return Case("Rxx_OneRound", "Rxx(0.0, q[0], q[1]); [M(q[0]), M(q[1])]", 2, (p, 0, 0), Independent(two, two), true);
        yield return Case("Rz_OneRound", "Rz(1.0, q[0]); [M(q[0])]", 1, (p, 0, 0), Independent(two), true);
        // R1 is Rz plus a global phase: one round.
        yield return Case("R1_OneRound", "R1(1.0, q[0]); [M(q[0])]", 1, (p, 0, 0), Independent(two), true);
        // I and the global phase are no gates for the simulator: only the measurement's round.
        yield return Case("Identity_NoRound", "I(q[0]); R(PauliI, 0.3, q[0]); [M(q[0])]", 1, (p, 0, 0), Independent(p), true);
        // A reset is a noisy measurement followed by |0⟩: nothing of it survives, and no round follows it.
        yield return Case("Reset_NoRoundAfter", "X(q[0]); Reset(q[0]); [M(q[0])]", 1, (p, 0, 0), Independent(p), false);
        yield return Case("MResetZ_NoRoundAfter", "let a = MResetZ(q[0]); let b = M(q[0]); [a, b]", 1, (p, 0, 0), Independent(p, p), false);
        // Controlled Rz is decomposed by the Q# library into Rz, CNOT, Rz, CNOT: a round after each. On |00⟩ with X
        // errors: the control gets 3 rounds (after both CNOTs and before M); the target 5 (two Rz, two CNOT, M), plus the
        // control's error after the first CNOT, which the second CNOT copies onto it.
        yield return Case("ControlledRz_OneRoundPerDecomposedGate", "Controlled Rz([q[0]], (1.0, q[1])); [M(q[0]), M(q[1])]", 2, (p, 0, 0),
            ControlledRzDistribution(p), true);
    }

    private static Dictionary<string, double> ControlledRzDistribution(double p)
    {
        var d = new Dictionary<string, double>();
        foreach (int a in new[] { 0, 1 }) // the control's error after the first CNOT
            foreach (int r0 in new[] { 0, 1 })
                foreach (int r1 in new[] { 0, 1 })
                {
                    double pa = a == 1 ? p : 1 - p;
                    double p0 = (r0 ^ a) == 1 ? Odd(2, p) : 1 - Odd(2, p);
                    double p1 = (r1 ^ a) == 1 ? Odd(5, p) : 1 - Odd(5, p);
                    string key = $"{r0}{r1}";
                    d[key] = d.GetValueOrDefault(key) + pa * p0 * p1;
                }
        return d;
    }

    private static string ExperimentSource(string body, int n) =>
        $"namespace Experiment {{ @EntryPoint() operation Main() : Result[] {{ use q = Qubit[{n}]; let r = {{ {body} }}; ResetAll(q); r }} }}";

    [TestCaseSource(nameof(Experiments))]
    public void QdkSemantics(string body, int n, double px, double py, double pz, Dictionary<string, double> expected, bool qnnsimReads)
    {
        var qdk = QdkTestSupport.Compiler();
        string source = ExperimentSource(body, n);
        Assert.That(expected.Values.Sum(), Is.EqualTo(1).Within(ClosedForm), "closed form");
        if (qnnsimReads)
        {
            var circuit = qdk.Compile(source, null, "experiment.qs");
            var qnnsim = OutcomeDistribution(circuit, NoiseModel.QdkPauli(px, py, pz));
            foreach (var (bits, prob) in qnnsim)
                Assert.That(prob, Is.EqualTo(expected.GetValueOrDefault(bits)).Within(ClosedForm), $"QnnSim's QdkPauli, outcome {bits}");
        }
        var run = qdk.RunWithNoise(source, px, py, pz, Shots, null, "experiment.qs");
        AssertAgrees(expected, run, "QDK vs closed form");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 2. Cross-validation: the sample programs and seeded random programs.
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>Noise levels of the cross-validation (the issue's example, and a stronger asymmetric one).</summary>
    private static readonly (double Px, double Py, double Pz)[] NoiseLevels = [(0.01, 0.005, 0.02), (0.04, 0.02, 0.03)];

    public static IEnumerable<TestCaseData> Samples()
    {
        // The hardware-style samples as they are; the trainable ansätze with an entry point that binds θ (and x) and
        // measures every qubit (appended, so the sample's own text is what the QDK compiles).
        yield return new TestCaseData("bell.qs", "", 0).SetName("QdkPauli_Sample_bell_AgreesWithQdk");
        yield return new TestCaseData("gates.qs", "", 1).SetName("QdkPauli_Sample_gates_AgreesWithQdk");
        string theta12 = "[0.3, -1.2, 0.8, 2.1, -0.4, 0.9, 1.7, -2.2, 0.5, 0.1, -0.7, 1.3]";
        yield return new TestCaseData("hea_ansatz.qs",
            $"namespace NoiseTest {{ import Hea.*; @EntryPoint() operation Main() : Result[] {{ use qs = Qubit[3]; HeaAnsatz({theta12}, qs); MResetEachZ(qs) }} }}", 0)
            .SetName("QdkPauli_Sample_hea_ansatz_AgreesWithQdk");
        yield return new TestCaseData("reuploading.qs",
            $"namespace NoiseTest {{ import Reuploading.*; @EntryPoint() operation Main() : Result[] {{ use qs = Qubit[2]; Reuploading([0.4, -0.6], {theta12}, qs); MResetEachZ(qs) }} }}", 1)
            .SetName("QdkPauli_Sample_reuploading_AgreesWithQdk");
    }

    [TestCaseSource(nameof(Samples))]
    public void QdkPauli_Sample_AgreesWithQdk(string sample, string entryPoint, int noiseLevel)
    {
        var qdk = QdkTestSupport.Compiler();
        string source = File.ReadAllText(QdkTestSupport.Sample(sample)) + "\n" + entryPoint;
        CrossValidate(qdk, source, sample, NoiseLevels[noiseLevel]);
    }

    public static IEnumerable<TestCaseData> RandomPrograms()
    {
        foreach (var (qubits, gates, seed) in new[] { (2, 31, 901UL), (3, 31, 902UL), (4, 31, 903UL), (5, 40, 904UL) })
            yield return new TestCaseData(qubits, gates, seed).SetName($"QdkPauli_RandomProgram{qubits}q_seed{seed}_AgreesWithQdk");
    }

    /// <summary>
    /// A seeded random circuit over QnnSim's whole gate set (QdkTestSupport.RandomCircuit), measuring a random subset
    /// of its qubits in a random order, written as Q# by QnnSim's writer: QnnSim compiles that program through the QDK
    /// (getting the QDK's decompositions) and the QDK runs it with noise.
    /// </summary>
    [TestCaseSource(nameof(RandomPrograms))]
    public void QdkPauli_RandomProgram_AgreesWithQdk(int qubits, int gates, ulong seed)
    {
        var qdk = QdkTestSupport.Compiler();
        var rng = new SeededRandom(seed);
        var c = QdkTestSupport.RandomCircuit(qubits, gates, seed);
        int[] order = [.. Enumerable.Range(0, qubits).OrderBy(_ => rng.NextDouble())];
        int measuredCount = Math.Max(1, qubits - (int)rng.NextInt64(2));
        var circuit = new Circuit(qubits, c.Operations, measuredQubits: order[..measuredCount]);
        string source = QSharpFormat.Write(circuit);
        CrossValidate(qdk, source, $"random{qubits}.qs", NoiseLevels[(int)(seed % 2)]);
    }

    private static void CrossValidate(QSharpCompiler qdk, string source, string name, (double Px, double Py, double Pz) noise)
    {
        var circuit = qdk.Compile(source, null, name);
        Assert.That(circuit.MeasuredQubits, Is.Not.Empty, "the program measures");
        var expected = OutcomeDistribution(circuit, NoiseModel.QdkPauli(noise.Px, noise.Py, noise.Pz));
        var watch = Stopwatch.StartNew();
        var run = qdk.RunWithNoise(source, noise.Px, noise.Py, noise.Pz, Shots, null, name);
        TestContext.Out.WriteLine($"{name}: {circuit.Operations.Length} gates after the QDK's decompositions, {circuit.MeasuredQubits.Length} measured; " +
            $"QDK {Shots} shots in {watch.Elapsed.TotalSeconds:F1} s");
        AssertAgrees(expected, run, $"{name} with qdk-pauli={noise.Px},{noise.Py},{noise.Pz}");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 3. `qnnsim run prog.qs --noise qdk-pauli=…` on a program that measures.
    // ---------------------------------------------------------------------------------------------------------------

    [Test]
    public void Cli_RunQSharpWithQdkPauli_ValuesIncludeMeasurementNoiseAndAgreeWithQdk()
    {
        var qdk = QdkTestSupport.Compiler();
        using var h = new CliHarness();
        // Ry, CNOT, then Rx on the control (ideal ⟨Z0⟩ = cos 0.5 · cos 0.7, ⟨Z1⟩ = cos 0.5, ⟨Z0 Z1⟩ = cos 0.7): each
        // value carries the rounds before measurement, a factor (1 − 2(px + py)) per measured qubit of its support.
        string source = "namespace CliNoise { @EntryPoint() operation Main() : Result[] { use qs = Qubit[2]; Ry(0.5, qs[0]); CNOT(qs[0], qs[1]); Rx(0.7, qs[0]); MResetEachZ(qs) } }";
        string path = h.Write("prog.qs", source);
        const string spec = "0.03,0.01,0.02";
        var r = CliHarness.Run("run", path, "--noise", "qdk-pauli=" + spec, "--observable", "Z0", "--observable", "Z1", "--observable", "Z0 Z1", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var values = r.Json().GetProperty("expectations").EnumerateArray().Select(e => e.GetProperty("value").GetDouble()).ToArray();

        // Exactly the density matrix of the compiled circuit under QdkPauli, whose measurement rounds matter:
        var circuit = qdk.Compile(source, null, "prog.qs");
        var model = NoiseModel.QdkPauli(0.03, 0.01, 0.02);
        var withRounds = OutcomeDistribution(circuit, model);
        var gateRoundsOnly = OutcomeDistribution(circuit, NoiseModel.Ideal.WithGateNoise(NoiseChannel.Pauli(0.03, 0.01, 0.02)));
        double[] exact = [Z(withRounds, [0]), Z(withRounds, [1]), Z(withRounds, [0, 1])];
        for (int k = 0; k < 3; k++)
        {
            Assert.That(values[k], Is.EqualTo(exact[k]).Within(CliTolerances.JsonRoundTrip), $"expectation {k}");
            Assert.That(Math.Abs(values[k] - Z(gateRoundsOnly, k < 2 ? [k] : [0, 1])), Is.GreaterThan(0.02),
                $"expectation {k} includes the noise before measurement");
        }

        // …and the QDK's shots agree within 5 standard errors (σ of a ±1 mean: √((1 − ⟨O⟩²)/N) ≤ 0.01).
        var run = qdk.RunWithNoise(source, 0.03, 0.01, 0.02, Shots, null, "prog.qs");
        var counts = run.OutcomeCounts();
        int[][] supports = [[0], [1], [0, 1]];
        for (int k = 0; k < 3; k++)
        {
            double estimate = counts.Sum(kv => kv.Value * Parity(kv.Key, supports[k])) / (double)Shots;
            double se = Math.Sqrt((1 - exact[k] * exact[k]) / Shots);
            Assert.That(estimate, Is.EqualTo(values[k]).Within(Sigmas * se), $"QDK estimate of observable {k}: {estimate} vs qnnsim run {values[k]} (σ = {se:E2})");
        }
    }

    private static double Parity(string bits, int[] support) => support.Count(q => bits[q] == '1') % 2 == 0 ? 1 : -1;

    private static double Z(Dictionary<string, double> distribution, int[] support) => distribution.Sum(kv => kv.Value * Parity(kv.Key, support));

    // ---------------------------------------------------------------------------------------------------------------
    // The worker's noisy-run request: bad input and run-time failures.
    // ---------------------------------------------------------------------------------------------------------------

    [TestCase(-0.1, 0, 0, 10, "px")]
    [TestCase(0, double.NaN, 0, 10, "py")]
    [TestCase(0.5, 0.3, 0.3, 10, "sum")]
    [TestCase(0, 0, 0, 0, "shots")]
    public void RunWithNoise_BadArguments_Throw(double px, double py, double pz, int shots, string what)
    {
        var qdk = new QSharpCompiler(); // validation comes before the worker starts
        Assert.Throws<ArgumentOutOfRangeException>(() => qdk.RunWithNoise(ExperimentSource("[M(q[0])]", 1), px, py, pz, shots), what);
    }

    [Test]
    public void RunWithNoise_CompileError_ThrowsParseExceptionWithPosition()
    {
        var qdk = QdkTestSupport.Compiler();
        var e = Assert.Throws<ParseException>(() => qdk.RunWithNoise("namespace E { @EntryPoint() operation Main() : Result { use q = Qubit(); Hx(q); M(q) } }", 0.01, 0, 0, 10, null, "bad.qs"))!;
        Assert.That(e.Message, Does.Contain("bad.qs").And.Contain("Hx"));
    }

    [Test]
    public void RunWithNoise_FailingShots_AreCountedAndEntryExpressionKeepsItsValue()
    {
        var qdk = QdkTestSupport.Compiler();
        const string source = "namespace E { operation Flaky() : Result { use q = Qubit(); H(q); let r = MResetZ(q); if r == One { fail \"boom\"; } r } }";
        var run = qdk.RunWithNoise(source, 0, 0, 0, 400, "Flaky()", "flaky.qs");
        Assert.That(run.Failures + run.Counts.Values.Sum(), Is.EqualTo(400));
        Assert.That(run.Counts.Keys, Is.EquivalentTo(new[] { "Zero" }));
        Assert.That(run.Failures, Is.InRange(100, 300), "about half the shots fail"); // P(outside) < 1e-20
        Assert.That(run.FirstFailure, Does.Contain("boom"));
        Assert.That(run.OutcomeCounts().Keys, Is.EquivalentTo(new[] { "0" }));
    }

    [Test]
    public void ResultBits_NonResultValue_Throws()
    {
        Assert.That(QdkNoisyRunResult.ResultBits("[Zero, One, One]"), Is.EqualTo("011"));
        Assert.That(QdkNoisyRunResult.ResultBits("(One, Zero)"), Is.EqualTo("10"));
        Assert.Throws<InvalidOperationException>(() => QdkNoisyRunResult.ResultBits("(One, 3)"));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>QnnSim's exact distribution of the measured results (character k = result k = MeasuredQubits[k]).</summary>
    private static Dictionary<string, double> OutcomeDistribution(Circuit circuit, NoiseModel model)
    {
        var rho = Dm.Run(circuit, ParameterValues.None, InputValues.None, model);
        var probabilities = Dm.Probabilities(rho, model);
        var d = new Dictionary<string, double>();
        var m = circuit.MeasuredQubits;
        for (int index = 0; index < probabilities.Length; index++)
        {
            var chars = new char[m.Length];
            for (int k = 0; k < m.Length; k++) chars[k] = ((index >> m[k]) & 1) == 1 ? '1' : '0';
            string key = new(chars);
            d[key] = d.GetValueOrDefault(key) + probabilities[index];
        }
        return d;
    }

    /// <summary>
    /// Every outcome's count and every result's count of One against the exact probabilities, within
    /// <see cref="Sigmas"/> standard errors; the exact false-failure probability of these comparisons is asserted below
    /// <see cref="MaxFalseFailureRate"/> and printed.
    /// </summary>
    private static void AssertAgrees(Dictionary<string, double> expected, QdkNoisyRunResult run, string what)
    {
        Assert.That(run.Failures, Is.Zero, $"{what}: {run.FirstFailure}");
        var counts = run.OutcomeCounts();
        int width = expected.Keys.First().Length;
        foreach (var key in counts.Keys)
            Assert.That(key, Has.Length.EqualTo(width), $"{what}: the QDK returned {key}");
        int n = run.Shots;
        var checks = new List<(string Name, double P, int Count)>();
        foreach (var (bits, p) in expected) checks.Add(($"P({bits})", p, counts.GetValueOrDefault(bits)));
        foreach (var bits in counts.Keys.Where(b => !expected.ContainsKey(b))) checks.Add(($"P({bits})", 0, counts[bits]));
        for (int k = 0; k < width; k++)
            checks.Add(($"P(result {k} = One) (⟨Z⟩ = 1 − 2P)", expected.Where(kv => kv.Key[k] == '1').Sum(kv => kv.Value),
                counts.Where(kv => kv.Key[k] == '1').Sum(kv => kv.Value)));

        double falseFailure = 0, worst = 0;
        var failures = new List<string>();
        foreach (var (name, pRaw, count) in checks)
        {
            double p = Math.Clamp(pRaw, 0, 1);
            double se = Math.Sqrt(p * (1 - p) / n);
            double deviation = Math.Abs((double)count / n - p);
            double sigmas = se > 0 ? deviation / se : (deviation > 0 ? double.PositiveInfinity : 0);
            worst = Math.Max(worst, sigmas);
            if (se > 0)
            {
                // Counts a correct simulator would be failed for: below lo or above hi.
                int lo = (int)Math.Ceiling(n * (p - Sigmas * se) - 1e-9), hi = (int)Math.Floor(n * (p + Sigmas * se) + 1e-9);
                falseFailure += (lo > 0 ? Binomial.CDF(p, n, lo - 1) : 0) + (hi < n ? 1 - Binomial.CDF(p, n, hi) : 0);
            }
            if (sigmas > Sigmas + 1e-9)
                failures.Add($"{name}: QDK {(double)count / n:F4} ({count}/{n}), QnnSim {p:F4}, σ = {se:E2}: {sigmas:F1} σ");
        }
        TestContext.Out.WriteLine($"{what}: QDK counts {string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}"))} of {n}; " +
            $"QnnSim {string.Join(", ", expected.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value.ToString("F4", CultureInfo.InvariantCulture)}"))}");
        TestContext.Out.WriteLine($"{what}: {checks.Count} comparisons, worst {worst.ToString("F2", CultureInfo.InvariantCulture)} σ; " +
            $"exact false-failure probability {falseFailure:E1}");
        Assert.That(failures, Is.Empty, $"{what}: the QDK's shots disagree with QnnSim beyond {Sigmas} σ");
        Assert.That(falseFailure, Is.LessThan(MaxFalseFailureRate), $"{what}: the test's design (shots, tolerance) fails a correct simulator too often");
    }
}
