using System.Numerics;
using QnnSim.Analysis;
using QnnSim.Analysis.NoiseTheory;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;

namespace QnnSim.Tests.Analysis.NoiseTheory;

/// <summary>
/// Issue 11's theory checks under noise (docs/theory.md, "Noise") on the paper's model (You et al., ICML 2023,
/// arXiv:2303.14844), with fixed seeds: 1. global depolarizing scales outputs by (1 − p)^L and the kernel by
/// (1 − p)^{2L}; 2. local depolarizing shrinks the Haar-mean kernel by F^{p−1}·λ^{2w(P)}·2S_H/d²; 3. the shrunk range
/// sets a residual floor, and a wider readout restores linear convergence.
/// </summary>
[TestFixture]
public class NoiseTheoryTests
{
    /// <summary>Density matrix against the closed form (1 − p)^L of check 1 (issue 11: 1e-10).</summary>
    private const double GlobalScaling = 1e-10;

    /// <summary>Closed forms against brute-force enumeration (round-off of sums over at most 4^5 terms).</summary>
    private const double Enumeration = 1e-12;

    /// <summary>
    /// Standard errors a Monte-Carlo mean may sit from the formula (issue 11: 3). Two-sided false-failure probability
    /// 2.7e-3 per figure under a normal mean; the seeds are fixed, so a run either passes or fails for good.
    /// </summary>
    private const double MonteCarloSigmas = 3.0;

    /// <summary>A wrong prediction (F^{p+1}: every channel counted as a full Haar-averaged layer) must sit more than this
    /// many standard errors away at the stronger noise of each d, so the 3-standard-error check has power.</summary>
    private const double RejectSigmas = 4.0;

    /// <summary>The trained residual within this relative distance of the floor |y| − sγ (it approaches it exponentially).</summary>
    private const double FloorReached = 1e-3;

    /// <summary>The floor is a bound: |r| ≥ floor up to round-off.</summary>
    private const double FloorBound = 1e-12;

    /// <summary>Seed-mean linear rate within 10 % of −ln(1 − η0κ)/η0, κ = 2c((sγ)² − 1) (docs/theory.md §5 item 7's band at p = 256).</summary>
    private const double RateRelative = 0.10;

    // ---------------------------------------------------------------- closed forms

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    public void AnticommutingWeightSum_EqualsEnumerationOverPauliStrings(int n)
    {
        var rng = new SeededRandom(900 + (ulong)n);
        foreach (double lambda in new[] { 1.0, 0.9, 0.5, 0.0, -0.2 })
        {
            for (int trial = 0; trial < 4; trial++)
            {
                ulong x, z;
                do { x = rng.NextUInt64() & ((1UL << n) - 1); z = rng.NextUInt64() & ((1UL << n) - 1); } while ((x | z) == 0);
                var h = PauliString.FromFactors(Enumerable.Range(0, n).Where(q => (((x | z) >> q) & 1) != 0)
                    .Select(q => (q, (((x >> q) & 1) != 0, ((z >> q) & 1) != 0) switch { (true, false) => Pauli.X, (true, true) => Pauli.Y, _ => Pauli.Z })));
                double sum = 0, all = 0;
                for (ulong qx = 0; qx < 1UL << n; qx++)
                    for (ulong qz = 0; qz < 1UL << n; qz++)
                    {
                        int w = System.Numerics.BitOperations.PopCount(qx | qz);
                        double weight = Math.Pow(lambda * lambda, w);
                        // Q anticommutes with H when the symplectic product x_Q·z_H + z_Q·x_H is odd.
                        int sym = System.Numerics.BitOperations.PopCount((qx & z) ^ (qz & x)) & 1;
                        if (sym == 1) sum += weight;
                        if ((qx | qz) != 0) all += weight;
                    }
                Assert.That(NoiseTheoryFormulas.AnticommutingWeightSum(n, h, lambda), Is.EqualTo(sum).Within(Enumeration * Math.Max(1, sum)), $"H = {h}, λ = {lambda}");
                Assert.That(NoiseTheoryFormulas.LayerFactor(n, lambda), Is.EqualTo(all / (Math.Pow(4, n) - 1)).Within(Enumeration), $"F at λ = {lambda}");
            }
        }
    }

    [Test]
    public void LocalKernelRatio_NoNoiseIsOne_AndFactorsAsDerived()
    {
        Assert.That(NoiseTheoryFormulas.LocalDepolarizingKernelRatio(3, 16, 0, PauliString.Z(0), PauliString.Z(0)), Is.EqualTo(1).Within(Enumeration));
        double q = 0.05, l = NoiseTheoryFormulas.DepolarizingShrink(q), f = NoiseTheoryFormulas.LayerFactor(3, l);
        // H = Z0: 2S_H/d² = λ²((1 + 3λ²)/4)^{n−1}; M0 = Z0: λ².
        double expected = Math.Pow(f, 7) * l * l * l * l * Math.Pow((1 + 3 * l * l) / 4, 2);
        Assert.That(NoiseTheoryFormulas.LocalDepolarizingKernelRatio(3, 8, q, PauliString.Z(0), PauliString.Z(0)), Is.EqualTo(expected).Within(Enumeration));
        Assert.That(NoiseTheoryFormulas.GlobalProbabilityForScale(0.8, 256), Is.EqualTo(1 - Math.Pow(0.8, 1.0 / 256)).Within(1e-15));
        Assert.That(NoiseTheoryFormulas.GlobalOutputScale(NoiseTheoryFormulas.GlobalProbabilityForScale(0.8, 256), 256), Is.EqualTo(0.8).Within(1e-12));
        Assert.That(() => NoiseTheoryFormulas.DepolarizingShrink(1.5), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contain("1.5"));
        Assert.That(() => NoiseTheoryFormulas.GlobalOutputScale(double.NaN, 3), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contain("NaN"));
        Assert.That(() => NoiseTheoryFormulas.LayerFactor(0, 0.5), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    // ---------------------------------------------------------------- check 1: global depolarizing

    [TestCase(2, 8, 4, 0.05, 1.0, 11UL)]
    [TestCase(3, 8, 4, 0.02, 1.5, 12UL)]
    [TestCase(3, 12, 8, 0.1, 1.0, 13UL)]
    [TestCase(4, 6, 3, 0.03, 2.0, 14UL)]
    public void GlobalDepolarizing_DensityMatrix_ScalesOutputsByOneMinusPToTheL_AndKernelByTwoL(int n, int p, int m, double prob, double gamma, ulong seed)
    {
        var r = NoisyKernelChecks.GlobalDepolarizingScaling(n, p, m, prob, gamma, seed, maxThreads: 2);
        TestContext.Out.WriteLine($"d = {1 << n}, p = L = {p}, p_noise = {prob}: max dev ŷ {r.MaxOutputDeviation:E2}, J {r.MaxGradientDeviation:E2}, K {r.MaxKernelDeviation:E2}; tr K ratio {r.MeasuredKernelScale:G12} vs {r.PredictedKernelScale:G12}");
        Assert.That(r.Channels, Is.EqualTo(p));
        Assert.That(r.IdealKernel.Trace, Is.GreaterThan(0.01), "a non-trivial kernel");
        Assert.That(r.PredictedOutputScale, Is.LessThan(0.9), "the noise is strong enough to show");
        Assert.That(r.MaxOutputDeviation, Is.LessThan(GlobalScaling));
        Assert.That(r.MaxGradientDeviation, Is.LessThan(GlobalScaling));
        Assert.That(r.MaxKernelDeviation, Is.LessThan(GlobalScaling));
        Assert.That(r.MeasuredKernelScale, Is.EqualTo(r.PredictedKernelScale).Within(GlobalScaling));
        // Not a test that cannot fail: the scale of the outputs is (1 − p)^L, not (1 − p)^{L+1} or (1 − p)^{L−1}.
        double dOther = r.IdealOutputs.Select((y, i) => Math.Abs(r.NoisyOutputs[i] - r.PredictedOutputScale * (1 - prob) * y)).Max();
        Assert.That(dOther, Is.GreaterThan(1e3 * GlobalScaling));
    }

    [Test]
    public void GlobalDepolarizedEvaluator_EqualsTheDensityMatrix()
    {
        var r = NoisyKernelChecks.GlobalDepolarizingScaling(3, 10, 2, 0.04, 1.2, 21);
        var model = PaperModel.CreateRandom(3, 10, SeededRandom.ForStream(21, 0).NextUInt64(), 1.2);
        var basis = NoisyPaperCircuits.DatasetBasis(3, SeededRandom.ForStream(21, 1).NextUInt64());
        var eval = new GlobalDepolarizedEvaluator(model.CreateEngine(NoisyPaperCircuits.Columns(basis, 2)), r.PredictedOutputScale);
        var y = new double[2];
        eval.Evaluate(InitialParameters.Uniform(10, SeededRandom.ForStream(21, 2).NextUInt64()), y, new double[20]);
        Assert.That(y, Is.EqualTo(r.NoisyOutputs).Within(GlobalScaling));
        Assert.That(() => new GlobalDepolarizedEvaluator(eval, 1.5), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contain("1.5"));
    }

    // ---------------------------------------------------------------- check 2: local depolarizing at initialisation

    [Test]
    public void LocalDepolarizingCircuit_EqualsDenseReference()
    {
        // The placement, checked exactly: ρ ← W ρ W†, then (1 − q)ρ + (q/3)Σ_P PρP on each qubit, then the rotation; readout Z0.
        const int n = 2, p = 3;
        const double q = 0.07;
        var model = PaperModel.CreateRandom(n, p, 5, 1.3);
        var theta = new[] { 0.3, -1.1, 2.0 };
        var circuit = NoisyPaperCircuits.Build(model, NoiseChannel.Depolarizing(q), PaperNoisePlacement.AfterEachHaarUnitary);
        double value = new NoisyDifferentiator().ValueAndGradient(circuit, ParameterValues.Of(theta), InputValues.None, model.Observable).Value;
        int d = 1 << n;
        var rho = new Complex[d, d];
        rho[0, 0] = 1;
        for (int l = 0; l <= p; l++)
        {
            rho = Conjugate(Matrix(model.Unitaries[l]), rho);
            for (int k = 0; k < n; k++) rho = Depolarize(rho, k, n, q);
            if (l < p)
            {
                var rot = new Complex[d, d];
                for (int b = 0; b < d; b++) rot[b, b] = Complex.Exp(new Complex(0, (b & 1) == 0 ? -theta[l] : theta[l]));
                rho = Conjugate(rot, rho);
            }
        }
        double expected = 0;
        for (int b = 0; b < d; b++) expected += 1.3 * ((b & 1) == 0 ? 1 : -1) * rho[b, b].Real;
        Assert.That(value, Is.EqualTo(expected).Within(1e-12));
        Assert.That(circuit.ChannelCount, Is.EqualTo((p + 1) * n));
    }

    private static Complex[,] Matrix(UnitaryMatrix u)
    {
        var m = new Complex[u.Dimension, u.Dimension];
        for (int r = 0; r < u.Dimension; r++) for (int c = 0; c < u.Dimension; c++) m[r, c] = u[r, c];
        return m;
    }

    private static Complex[,] Conjugate(Complex[,] u, Complex[,] rho)
    {
        int d = rho.GetLength(0);
        var t = new Complex[d, d];
        var o = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) for (int k = 0; k < d; k++) t[i, j] += u[i, k] * rho[k, j];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) for (int k = 0; k < d; k++) o[i, j] += t[i, k] * Complex.Conjugate(u[j, k]);
        return o;
    }

    private static Complex[,] Depolarize(Complex[,] rho, int qubit, int n, double q)
    {
        int d = 1 << n;
        Complex[][,] paulis = [new Complex[,] { { 0, 1 }, { 1, 0 } }, new Complex[,] { { 0, -Complex.ImaginaryOne }, { Complex.ImaginaryOne, 0 } }, new Complex[,] { { 1, 0 }, { 0, -1 } }];
        var o = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) o[i, j] = (1 - q) * rho[i, j];
        foreach (var s in paulis)
        {
            var full = new Complex[d, d];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                    if ((i & ~(1 << qubit)) == (j & ~(1 << qubit))) full[i, j] = s[(i >> qubit) & 1, (j >> qubit) & 1];
            var c = Conjugate(full, rho);
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) o[i, j] += q / 3 * c[i, j];
        }
        return o;
    }

    private static IEnumerable<TestCaseData> LocalCases()
    {
        // The stronger noise of each d also shows that the test can tell the derived ratio from a wrong one.
        yield return new TestCaseData(2, 0.02, 800, false).SetName("LocalDepolarizing_d4_q002_MeanKernelWithinThreeStandardErrors");
        yield return new TestCaseData(2, 0.1, 800, true).SetName("LocalDepolarizing_d4_q010_MeanKernelWithinThreeStandardErrors");
        yield return new TestCaseData(3, 0.02, 500, false).SetName("LocalDepolarizing_d8_q002_MeanKernelWithinThreeStandardErrors");
        yield return new TestCaseData(3, 0.05, 500, true).SetName("LocalDepolarizing_d8_q005_MeanKernelWithinThreeStandardErrors");
        yield return new TestCaseData(4, 0.02, 300, false).SetName("LocalDepolarizing_d16_q002_MeanKernelWithinThreeStandardErrors");
        yield return new TestCaseData(4, 0.05, 300, true).SetName("LocalDepolarizing_d16_q005_MeanKernelWithinThreeStandardErrors");
    }

    [TestCaseSource(nameof(LocalCases))]
    public void LocalDepolarizing_MeanKernelWithinThreeStandardErrors(int n, double q, int circuits, bool checkPower)
    {
        const int p = 8;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = NoisyKernelChecks.LocalDepolarizingMeanKernel(n, p, q, circuits, 1.0, 3100 + (ulong)n, maxThreads: 2);
        double l = NoiseTheoryFormulas.DepolarizingShrink(q), f = NoiseTheoryFormulas.LayerFactor(n, l);
        double wrong = Math.Pow(f, p + 1) * TheoryFormulas.HaarMeanKernelDiagonal(1 << n, p, 1.0);
        TestContext.Out.WriteLine($"d = {1 << n}, q = {q}, p = {p}, {circuits} circuits ({sw.Elapsed.TotalSeconds:F1} s): mean {e.Mean:G5} ± {e.StandardError:G3}, formula {e.Predicted:G5} ({e.Sigmas:F2}σ), noiseless {TheoryFormulas.HaarMeanKernelDiagonal(1 << n, p, 1.0):G5}, F = {f:G5}, wrong F^(p+1) form {wrong:G5} ({(e.Mean - wrong) / e.StandardError:F1}σ)");
        Assert.That(Math.Abs(e.Sigmas), Is.LessThan(MonteCarloSigmas), e.ToString());
        Assert.That(e.Predicted, Is.LessThan(0.9 * TheoryFormulas.HaarMeanKernelDiagonal(1 << n, p, 1.0)), "the noise shrinks the kernel visibly");
        if (checkPower) Assert.That(Math.Abs(e.Mean - wrong) / e.StandardError, Is.GreaterThan(RejectSigmas), "the test can tell the derived ratio from F^(p+1)");
    }

    [Test]
    public void LocalDepolarizing_OrthogonalPair_ShrinksByTheSameRatio()
    {
        // The ratio R is the same for every pair (i, j): here the orthogonal pair |0⟩, |1⟩ (W_1 makes it a Haar pair),
        // whose noiseless mean −2pγ²d²/(d² − 1)² is negative.
        const int n = 2, p = 8, circuits = 800;
        const double q = 0.05;
        var identity = UnitaryMatrix.Create(new Complex[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } });
        InputValues[] inputs = [NoisyPaperCircuits.BasisInputs(0, n), NoisyPaperCircuits.BasisInputs(1, n)];
        var k12 = new double[circuits];
        var k11 = new double[circuits];
        var differentiator = new NoisyDifferentiator();
        for (int c = 0; c < circuits; c++)
        {
            var model = PaperModel.CreateRandom(n, p, SeededRandom.ForStream(3300, (ulong)c).NextUInt64());
            var circuit = NoisyPaperCircuits.Build(model, NoiseChannel.Depolarizing(q), PaperNoisePlacement.AfterEachHaarUnitary, identity);
            var y = new double[2];
            var j = new double[2 * p];
            differentiator.Jacobian(circuit, ParameterValues.Of(new double[p]), inputs, model.Observable, y, j);
            for (int l = 0; l < p; l++) { k12[c] += j[l] * j[p + l]; k11[c] += j[l] * j[l]; }
        }
        double ratio = NoiseTheoryFormulas.LocalDepolarizingKernelRatio(n, p, q, PauliString.Z(0), PauliString.Z(0));
        double predicted = ratio * TheoryFormulas.HaarMeanKernel(1 << n, p, 1.0, 0.0);
        double mean = k12.Average(), se = Math.Sqrt(k12.Sum(v => (v - mean) * (v - mean)) / (circuits - 1) / circuits);
        double meanDiagonal = k11.Average();
        TestContext.Out.WriteLine($"K_12: {mean:G5} ± {se:G3} vs {predicted:G5} ({(mean - predicted) / se:F2}σ); noiseless {TheoryFormulas.HaarMeanKernel(1 << n, p, 1.0, 0.0):G5}; K_11 {meanDiagonal:G5}; R = {ratio:G5}");
        Assert.That(Math.Abs(mean - predicted), Is.LessThan(MonteCarloSigmas * se));
        Assert.That(predicted, Is.LessThan(0));
        Assert.That(Math.Abs(mean - TheoryFormulas.HaarMeanKernel(1 << n, p, 1.0, 0.0)), Is.GreaterThan(RejectSigmas * se), "the noiseless mean is rejected");
    }

    [Test]
    public void LocalDepolarizing_DepthDecay_ExponentialAtRateF()
    {
        const int n = 2;
        const double q = 0.05;
        int[] depths = [2, 4, 8, 16];
        var means = depths.Select(p => NoisyKernelChecks.LocalDepolarizingMeanKernel(n, p, q, 600, 1.0, 3200 + (ulong)p, maxThreads: 2)).ToArray();
        var (slope, se) = NoisyKernelChecks.DepthDecaySlope(depths, means);
        double lnF = Math.Log(NoiseTheoryFormulas.LayerFactor(n, NoiseTheoryFormulas.DepolarizingShrink(q)));
        TestContext.Out.WriteLine($"slope {slope:G5} ± {se:G3} vs ln F = {lnF:G5} ({(slope - lnF) / se:F2}σ); means {string.Join(", ", means.Select(m => $"{m.Mean:G4}±{m.StandardError:G2} ({m.Sigmas:F1}σ)"))}");
        foreach (var m in means) Assert.That(Math.Abs(m.Sigmas), Is.LessThan(MonteCarloSigmas), m.ToString());
        Assert.That(Math.Abs(slope - lnF), Is.LessThan(MonteCarloSigmas * se));
        Assert.That(Math.Abs(lnF), Is.GreaterThan(RejectSigmas * se), "the decay is resolved");
    }

    // ---------------------------------------------------------------- check 3: the shrunk range

    [Test]
    public void GlobalDepolarizing_Training_StallsAtTheFloor_AndAWiderRangeConvergesLinearly()
    {
        const int n = 3, p = 256;
        const double pNoise = 1e-3, eta0 = 0.25;
        double s = NoiseTheoryFormulas.GlobalOutputScale(pNoise, p);
        var floorRel = new List<double>();
        var floorRates = new List<double>();
        var rates = new List<double>();
        double minOverFloor = double.MaxValue, floorRate = 0, rate = 0;
        for (int seed = 0; seed < 4; seed++)
        {
            double y = seed % 2 == 0 ? 1 : -1;
            // γ = 1: labels ±1 lie outside s·[−1, 1].
            var stall = NoisyRangeTraining.Instance(n, p, 1, 1.0, s, 4000 + (ulong)seed, y);
            var run = GradientDescent.Train(stall.Evaluator, stall.Labels, stall.Theta0,
                new TrainingOptions { LearningRate = eta0 / p, Steps = 1200, Record = RecordSchedule.Every(1), RecordKernel = false });
            double floor = NoiseTheoryFormulas.ResidualFloor(y, 1.0, s);
            minOverFloor = Math.Min(minOverFloor, run.ResidualNorms.Min() / floor);
            floorRel.Add(run.ResidualNorms[^1] / floor - 1);
            var excess = run.ResidualNorms.Select(r => r - floor).ToArray();
            floorRate = NoisyRangeTraining.FloorApproachRate(1 << n, 1.0, s, y, eta0);
            floorRates.Add(-(ConvergenceAnalysis.ExponentialFit(run.Times, excess, 1e-9, 1e-4)?.Slope ?? double.NaN));
            // γ = 2.5: sγ ≈ 1.94 > 1, the labels are inside again.
            var wide = NoisyRangeTraining.Instance(n, p, 1, 2.5, s, 4100 + (ulong)seed, y);
            rate = NoisyRangeTraining.LinearRate(1 << n, 2.5, s, y, eta0);
            var lin = GradientDescent.Train(wide.Evaluator, wide.Labels, wide.Theta0,
                new TrainingOptions { LearningRate = eta0 / p, Steps = (long)Math.Ceiling(60 / rate / eta0), Record = RecordSchedule.Every(1), RecordKernel = false });
            rates.Add(-(ConvergenceAnalysis.ExponentialFit(lin.Times, lin.ResidualNorms)?.Slope ?? double.NaN));
        }
        TestContext.Out.WriteLine($"s = {s:G6}; floor {1 - s:G6}: min |r|/floor {minOverFloor:G10}, end |r|/floor − 1 = [{string.Join(", ", floorRel.Select(v => v.ToString("E2")))}], approach rates [{string.Join(", ", floorRates.Select(v => v.ToString("G4")))}] vs {floorRate:G4}; linear rates [{string.Join(", ", rates.Select(v => v.ToString("G4")))}] vs {rate:G4}");
        Assert.That(minOverFloor, Is.GreaterThanOrEqualTo(1 - FloorBound), "no θ beats the floor");
        Assert.That(floorRel.Max(), Is.LessThan(FloorReached), "training stalls at the floor");
        Assert.That(rates.Average() / rate, Is.EqualTo(1).Within(RateRelative), "linear convergence at the rate of readout sγ");
    }
}
