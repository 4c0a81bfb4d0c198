using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Simulation;

/// <summary>
/// Single precision (complex64) on every forced kernel path, fusion on and off: random circuits from the whole gate
/// catalogue against the double-precision simulator and the dense reference, expectations at n = 20, bit-identity
/// across thread counts, and sampling by χ².
/// </summary>
[TestFixture(KernelPath.Scalar, true)]
[TestFixture(KernelPath.Scalar, false)]
[TestFixture(KernelPath.Vector256, true)]
[TestFixture(KernelPath.Vector256, false)]
[TestFixture(KernelPath.Vector512, true)]
[TestFixture(KernelPath.Vector512, false)]
public sealed class SinglePrecisionTests(KernelPath path, bool fusion)
{
    private SimulationOptions Options(int threads, Precision precision) =>
        new() { KernelPath = path, Fusion = fusion, MaxThreads = threads, Precision = precision };

    [TearDown]
    public void CollectGarbage() => R.CollectIfLarge();

    private static IEnumerable<TestCaseData> SmallCases()
    {
        // Sizes around every register width (1, 2, 4 and 8 complex64 amplitudes) and past the blocked slices.
        foreach (int n in new[] { 1, 2, 3, 4, 5, 8 })
            foreach (ulong seed in new ulong[] { 1, 2, 3 })
                yield return new TestCaseData(n, seed).SetName($"{{m}}(n={n},seed={seed})");
    }

    [TestCaseSource(nameof(SmallCases))]
    public void Apply_RandomCircuit_MatchesDenseReferenceToSinglePrecision(int n, ulong seed)
    {
        // 40 gates from the whole catalogue (every step kind: dense, diagonal, rotations, Pauli strings, controls,
        // SWAP, multi-qubit blocks) on a Haar-random state.
        var (circuit, theta, x, psi) = RandomCircuits.Build(n, seed, 40, out var reference);
        var state = StateVector.FromAmplitudes(psi, Precision.Single);
        new Simulator(Options(1, Precision.Single)).Apply(circuit, theta, x, state);
        Assert.That(state.Precision, Is.EqualTo(Precision.Single));
        var expected = reference();
        var actual = state.ToArray();
        double worst = 0;
        for (int k = 0; k < expected.Length; k++) worst = Math.Max(worst, (actual[k] - expected[k]).Magnitude);
        Assert.That(worst, Is.LessThanOrEqualTo(Tolerances.SingleState), $"largest amplitude error {worst:E2}");
        // Not double precision in disguise: a complex64 state cannot reach complex128 agreement over 40 gates.
        if (n >= 3) Assert.That(worst, Is.GreaterThan(Tolerances.Circuit), "the state is not rounded to float");
    }

    [TestCase(20, 1UL)]
    [TestCase(20, 2UL)]
    [TestCase(16, 3UL)]
    public void Expectation_RandomCircuitAtN20_WithinOneMillionthOfDouble(int n, ulong seed)
    {
        // The criterion: expectations within 1e-5 of double precision at n = 20, here on 120 random gates.
        var (circuit, theta, x, psi) = RandomCircuits.Build(n, seed, 120, out _);
        var single = StateVector.FromAmplitudes(psi, Precision.Single);
        var dbl = StateVector.FromAmplitudes(psi);
        var singleSim = new Simulator(Options(2, Precision.Single));
        var doubleSim = new Simulator(Options(2, Precision.Double));
        singleSim.Apply(circuit, theta, x, single);
        doubleSim.Apply(circuit, theta, x, dbl);
        var observables = new[]
        {
            PauliSum.Parse("Z0"), PauliSum.Parse($"Z{n - 1}"), PauliSum.Parse("X1 Y5"), PauliSum.Parse($"0.5 * Z0 Z{n / 2} + 0.25 * X{n - 2} X{n - 1}"),
            PauliSum.Parse("Y3 Z4 X7"), PauliSum.Parse($"Z{n - 3} Z{n - 2} Z{n - 1}"),
        };
        foreach (var o in observables)
        {
            double e32 = singleSim.Expectation(single, o), e64 = doubleSim.Expectation(dbl, o);
            Assert.That(e32, Is.EqualTo(e64).Within(Tolerances.SingleExpectation), $"⟨{o}⟩");
        }
        Assert.That(single.NormSquared(), Is.EqualTo(1).Within(Tolerances.SingleExpectation), "norm");
    }

    private static (Circuit, ParameterValues) Ansatz(int n, int layers)
    {
        var b = new CircuitBuilder(n);
        int k = 0;
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < n; q++) b.Ry(q, b.Parameter($"t{k++}"));
            for (int q = 0; q < n; q++) b.Rz(q, b.Parameter($"t{k++}"));
            for (int q = 0; q + 1 < n; q++) b.CX(q, q + 1);
            b.H(n - 1).CX(n - 1, 0).Rzz(n - 2, n - 1, 0.7).CX(0, n - 1);
        }
        return (b.Build(), ParameterValues.Of([.. Enumerable.Range(0, k).Select(j => 0.3 + 0.7 * Math.Sin(1 + 0.37 * j))]));
    }

    [TestCase(15, 2)]
    [TestCase(18, 2)]
    [TestCase(18, 3)]
    public void Run_SeveralThreads_BitIdenticalToOneThread(int n, int threads)
    {
        // n = 18 passes the blocked slices (2^16 amplitudes) on several threads; n = 15 the per-item split.
        var (circuit, theta) = Ansatz(n, 3);
        var one = new Simulator(Options(1, Precision.Single) with { ParallelThresholdQubits = 4 });
        var many = new Simulator(Options(threads, Precision.Single) with { ParallelThresholdQubits = 4 });
        var expected = one.Run(circuit, theta, InputValues.None);
        var actual = many.Run(circuit, theta, InputValues.None);
        var e = expected.SingleAmplitudes;
        var a = actual.SingleAmplitudes;
        for (int k = 0; k < e.Length; k++)
            if (BitConverter.SingleToInt32Bits(e[k].Real) != BitConverter.SingleToInt32Bits(a[k].Real)
                || BitConverter.SingleToInt32Bits(e[k].Imaginary) != BitConverter.SingleToInt32Bits(a[k].Imaginary))
                Assert.Fail($"amplitude {k} is {a[k]} on {threads} threads but {e[k]} on one");
        var z = PauliSum.Parse("0.5 * Z0 Z3 + X1");
        Assert.That(BitConverter.DoubleToInt64Bits(many.Expectation(actual, z)), Is.EqualTo(BitConverter.DoubleToInt64Bits(one.Expectation(expected, z))));
    }

    [Test]
    public void Sample_SingleState_MatchesDoubleProbabilitiesByChiSquared()
    {
        // 200,000 shots of a 6-qubit state run in single precision, against the double-precision probabilities of
        // the same circuit: Pearson's χ² over the 64 outcomes below the 99.99% quantile (false-failure rate 1e-4).
        var (circuit, theta) = Ansatz(6, 2);
        var single = new Simulator(Options(1, Precision.Single)).Run(circuit, theta, InputValues.None);
        var p = new Simulator(Options(1, Precision.Double)).Run(circuit, theta, InputValues.None).Probabilities();
        const int shots = 200000;
        var counts = new Simulator(Options(1, Precision.Single)).Sample(single, shots, 17);
        Assert.That(counts.Values.Sum(), Is.EqualTo(shots));
        double chi2 = 0;
        int cells = 0;
        for (int k = 0; k < p.Length; k++)
        {
            double expected = shots * p[k];
            if (expected < 5) continue;
            double o = counts.GetValueOrDefault(k);
            chi2 += (o - expected) * (o - expected) / expected;
            cells++;
        }
        double nu = cells - 1;
        double quantile = nu * Math.Pow(1 - 2 / (9 * nu) + 3.719 * Math.Sqrt(2 / (9 * nu)), 3);
        Assert.That(cells, Is.GreaterThan(20));
        Assert.That(chi2, Is.LessThan(quantile), $"χ² = {chi2:F1} over {cells} cells");
    }

    [Test]
    public void EstimateExpectation_SingleState_WithinShotErrorOfExact()
    {
        var (circuit, theta) = Ansatz(5, 2);
        var sim = new Simulator(Options(1, Precision.Single));
        var state = sim.Run(circuit, theta, InputValues.None);
        var o = PauliSum.Parse("0.7 * X0 Y2 + 0.3 * Z1 Z4 + 0.2");
        double exact = sim.Expectation(state, o);
        var est = sim.EstimateExpectation(state, o, 40000, 5);
        // Tolerances.ShotSigmas standard errors: false-failure rate 6e-5.
        Assert.That(est.Estimate, Is.EqualTo(exact).Within(Tolerances.ShotSigmas * est.StandardError));
    }
}

/// <summary>The public surface of single precision: states, the memory check and what refuses it.</summary>
[TestFixture]
public sealed class SinglePrecisionApiTests
{
    [Test]
    public void Zero_Single_HoldsComplex64Amplitudes()
    {
        var s = StateVector.Zero(3, Precision.Single);
        Assert.That(s.Precision, Is.EqualTo(Precision.Single));
        Assert.That(s.SingleAmplitudes.Length, Is.EqualTo(8));
        Assert.That(s[0], Is.EqualTo(Complex.One));
        Assert.That(s.Probabilities(), Is.EqualTo(new double[] { 1, 0, 0, 0, 0, 0, 0, 0 }));
        var ex = Assert.Throws<NotSupportedException>(() => _ = s.Amplitudes.Length)!;
        Assert.That(ex.Message, Does.Contain("single precision"));
        Assert.Throws<InvalidOperationException>(() => _ = StateVector.Zero(3).SingleAmplitudes.Length);
        var c = s.Clone();
        Assert.That(c.Precision, Is.EqualTo(Precision.Single));
        Assert.Throws<ArgumentException>(() => c.CopyFrom(StateVector.Zero(3)));
    }

    [Test]
    public void FromAmplitudes_Single_RoundsOnce()
    {
        var psi = R.HaarState(4, 9);
        var s = StateVector.FromAmplitudes(psi, Precision.Single);
        var back = s.ToArray();
        for (int k = 0; k < psi.Length; k++)
        {
            Assert.That(back[k].Real, Is.EqualTo((double)(float)psi[k].Real));
            Assert.That(back[k].Imaginary, Is.EqualTo((double)(float)psi[k].Imaginary));
        }
    }

    [Test]
    public void Precision_UndefinedValue_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SimulationOptions { Precision = (Precision)7 })!;
        Assert.That(ex.Message, Does.Contain("Precision.Double or Precision.Single"));
        Assert.Throws<ArgumentOutOfRangeException>(() => StateVector.Zero(2, (Precision)(-1)));
    }

    [Test]
    public void RequiredBytes_Single_IsHalfOfDouble()
    {
        Assert.That(StateVector.RequiredBytes(30, Precision.Single), Is.EqualTo(8L << 30));
        Assert.That(StateVector.RequiredBytes(30, Precision.Double), Is.EqualTo(StateVector.RequiredBytes(30)));
    }

    [Test]
    public void EnsureFits_DoubleTooLargeButSingleFits_NamesSinglePrecision()
    {
        // 30 qubits with 12 GiB available: 16 GiB in double does not fit, 8 GiB in single does.
        long available = 12L << 30;
        Assert.DoesNotThrow(() => StateVector.EnsureFits(30, available, Precision.Single));
        var ex = Assert.Throws<InsufficientMemoryForStateException>(() => StateVector.EnsureFits(30, available, Precision.Double))!;
        Assert.That(ex.Message, Does.Contain("Single precision").And.Contain("would fit").And.Contain("8"));
        var ex2 = Assert.Throws<InsufficientMemoryForStateException>(() => StateVector.EnsureFits(30, 4L << 30, Precision.Single))!;
        Assert.That(ex2.Message, Does.Contain("single precision").And.Contain("n = 28 qubits in double").And.Contain("n = 29 in single"));
    }

    [Test]
    public void Differentiator_SinglePrecision_RefusedWithReason()
    {
        var options = new GradientOptions { Simulation = new SimulationOptions { Precision = Precision.Single } };
        var ex = Assert.Throws<NotSupportedException>(() => _ = new Differentiator(options))!;
        Assert.That(ex.Message, Does.Contain("double precision"));
        var d = new Differentiator();
        var c = new CircuitBuilder(2).Ry(0, 0.3).Build();
        Assert.Throws<NotSupportedException>(() => d.CreateWorkspace(c, PauliSum.Parse("Z0"), new SimulationOptions { Precision = Precision.Single }));
        Assert.Throws<NotSupportedException>(() => _ = new DensityMatrixSimulator(new SimulationOptions { Precision = Precision.Single }));
    }
}
