using QnnSim.Analysis;
using QnnSim.Observables;

namespace QnnSim.Tests.Analysis;

/// <summary>
/// docs/theory.md §5 items 3–9 (You, Chakrabarti, Chen, Wu, ICML 2023, arXiv:2303.14844) with fixed seeds, in the shorter
/// CI variants docs/theory.md names. Items 1–2 live in the gradient and kernel tests.
/// </summary>
[TestFixture]
public class TheoryChecksTests
{
    private static double Norm(IEnumerable<double> v) => Math.Sqrt(v.Sum(a => a * a));

    // ---------------------------------------------------------------- §5.3 Haar averages

    private static IEnumerable<TestCaseData> HaarCases()
    {
        yield return new TestCaseData(2, 3000).SetName("HaarMean_d4_MatchesFormula");
        yield return new TestCaseData(3, 2000).SetName("HaarMean_d8_MatchesFormula");
        yield return new TestCaseData(4, 2000).SetName("HaarMean_d16_MatchesFormula");
    }

    [TestCaseSource(nameof(HaarCases))]
    public void HaarMean_MatchesFormula(int qubits, int circuits)
    {
        var e = HaarKernelStatistics.Estimate(qubits, 16, circuits, 0.0, 1.0, 77, maxThreads: 2);
        TestContext.Out.WriteLine($"d = {e.Dimension}: K_ii {e.Diagonal}; K_ij {e.OffDiagonal}; ŷ {e.Output}; Var ŷ {e.OutputVariance}");
        Assert.That(Math.Abs(e.Diagonal.RelativeError), Is.LessThan(AnalysisTolerances.HaarDiagonalRelative), $"K_ii {e.Diagonal}");
        Assert.That(Math.Abs(e.OffDiagonal.Sigmas), Is.LessThan(AnalysisTolerances.HaarOffDiagonalSigmas), $"K_ij {e.OffDiagonal}");
        Assert.That(Math.Abs(e.Output.Sigmas), Is.LessThan(AnalysisTolerances.HaarOffDiagonalSigmas), $"ŷ {e.Output}");
        Assert.That(Math.Abs(e.OutputVariance.Sigmas), Is.LessThan(AnalysisTolerances.HaarOffDiagonalSigmas), $"Var ŷ {e.OutputVariance}");
    }

    [Test]
    public void HaarMean_OverlappingPair_MatchesFormula()
    {
        var e = HaarKernelStatistics.Estimate(3, 16, 2000, 0.5, 1.5, 78, maxThreads: 2);
        Assert.That(Math.Abs(e.OffDiagonal.Sigmas), Is.LessThan(AnalysisTolerances.HaarOffDiagonalSigmas), $"K_ij {e.OffDiagonal}");
        Assert.That(e.OffDiagonal.Predicted, Is.GreaterThan(0)); // d F − 1 = 3 > 0: a real test of the F dependence
    }

    [Test]
    public void HaarMean_WithoutFinalUnitary_IsFractionPMinusOneOverP()
    {
        // Negative control (docs/theory.md §4): with H = P = Z0 and no W_{p+1}, the last layer commutes with M0.
        var e = HaarKernelStatistics.Estimate(3, 16, 2000, 0.0, 1.0, 79, finalUnitary: false, maxThreads: 2);
        TestContext.Out.WriteLine($"no W_(p+1): K_ii {e.Diagonal}; ratio to formula {e.Diagonal.Mean / e.Diagonal.Predicted:F4} (expected 15/16 = 0.9375)");
        double expected = 15.0 / 16 * e.Diagonal.Predicted;
        Assert.That(Math.Abs(e.Diagonal.Mean / expected - 1), Is.LessThan(AnalysisTolerances.HaarDiagonalRelative), $"K_ii {e.Diagonal}");
        Assert.That(e.Diagonal.Sigmas, Is.LessThan(-AnalysisTolerances.HaarOffDiagonalSigmas), "the control must differ from the full formula");
    }

    [Test]
    public void GeneralHaarFormula_ReducesToPauliFormula()
    {
        foreach (int d in new[] { 2, 4, 8, 16 })
            foreach (double f in new[] { 0.0, 0.3, 1.0 })
            {
                double general = TheoryFormulas.HaarMeanKernelGeneral(d, 7, 1.44 * d, 0, d, 0, f);
                Assert.That(general, Is.EqualTo(TheoryFormulas.HaarMeanKernel(d, 7, 1.2, f)).Within(1e-12 * Math.Abs(general) + 1e-15));
            }
    }

    // ---------------------------------------------------------------- §5.4 bounds

    [Test]
    public void VarianceBound_NeverViolatedOnRandomInstances()
    {
        string[] paulis = ["Z0", "X1", "Y0 Z1", "X0 X2", "Z0 Y1 X2"];
        int checkedEntries = 0;
        for (int s = 0; s < 24; s++)
        {
            int n = 2 + s % 2;
            double gamma = 1 + 0.25 * (s % 4);
            var h = PauliString.Parse(paulis[s % (n == 2 ? 3 : 5)]);
            var pr = PauliString.Parse(paulis[(s + 2) % (n == 2 ? 3 : 5)]);
            var x = PaperSetups.Create(n, 10, 1 << n, gamma, (ulong)(500 + s), h, pr);
            int m = 1 << n;
            var o = new double[m];
            var j = new double[m * 10];
            x.Engine.Evaluate(x.Theta0, o, j);
            for (int i = 0; i < m; i++)
            {
                // tr(ρ M²) = γ² for M0 = γP; ‖H‖² = 1.
                double bound = TheoryFormulas.GradientSquaredBound(1, gamma * gamma, o[i]);
                for (int l = 0; l < 10; l++, checkedEntries++)
                    Assert.That(j[i * 10 + l] * j[i * 10 + l], Is.LessThanOrEqualTo(bound + AnalysisTolerances.BoundSlack), $"instance {s}, sample {i}, layer {l}");
            }
        }
        Assert.That(checkedEntries, Is.GreaterThan(1000));
    }

    private static IEnumerable<TestCaseData> LowerBoundCases()
    {
        yield return new TestCaseData(1, 64).SetName("ResidualLowerBound_m1_Holds");
        yield return new TestCaseData(2, 128).SetName("ResidualLowerBound_m2_Holds");
        yield return new TestCaseData(4, 64).SetName("ResidualLowerBound_m4_Holds");
    }

    [TestCaseSource(nameof(LowerBoundCases))]
    public void ResidualLowerBound_Holds(int m, int p)
    {
        var x = PaperSetups.Create(3, p, m, 1.0, (ulong)(600 + m));
        var run = PaperSetups.Train(x, 0.25, 500, RecordSchedule.Logarithmic(10), kernels: false);
        double r0 = run.Records[0].ResidualNorm;
        foreach (var r in run.Records)
            Assert.That(r.ResidualNorm, Is.GreaterThanOrEqualTo(TheoryFormulas.ResidualLowerBound(r0, m, r.Time) - AnalysisTolerances.BoundSlack), $"s = {r.Time}");
        Assert.That(run.Records[^1].ResidualNorm, Is.LessThan(0.05 * r0), "training must actually make progress");
    }

    // ---------------------------------------------------------------- §5.5 sublinear decay

    private static IEnumerable<TestCaseData> SublinearCases()
    {
        yield return new TestCaseData(256, 1, AnalysisTolerances.LimitAt256).SetName("Sublinear_p256_m1_SlopeMinusOne");
        yield return new TestCaseData(256, 2, AnalysisTolerances.LimitAt256).SetName("Sublinear_p256_m2_SlopeMinusOne");
        // m = 4 = d/2 needs p well above d² = 64 to decouple within the CI window (at p = 256 the slope is −0.94, s‖r‖ drifts up).
        yield return new TestCaseData(1024, 4, AnalysisTolerances.LimitAt1024).SetName("Sublinear_p1024_m4_SlopeMinusOne");
        yield return new TestCaseData(1024, 1, AnalysisTolerances.LimitAt1024).SetName("Sublinear_p1024_m1_SlopeMinusOne");
    }

    [TestCaseSource(nameof(SublinearCases))]
    public void Sublinear_SlopeMinusOne_AndLimit(int p, int m, double limitTolerance)
    {
        // CI variant of §5.5: s up to 2e3, window [2e2, 2e3].
        var x = PaperSetups.Create(3, p, m, 1.0, 31);
        var run = PaperSetups.Train(x, 0.25, 2000, kernels: false);
        var fit = ConvergenceAnalysis.LogLogSlope(run.Times, run.ResidualNorms, 200, 2000);
        Assert.That(fit.Slope, Is.InRange(AnalysisTolerances.SlopeLow, AnalysisTolerances.SlopeHigh), $"slope {fit.Slope} ± {fit.SlopeStandardError}");
        var last = run.Records[^1];
        double limit = TheoryFormulas.SublinearLimitSamples(x.C, m);
        TestContext.Out.WriteLine($"p = {p}, m = {m}: slope {fit.Slope:F4} ± {fit.SlopeStandardError:G2}; s‖r‖ = {last.Time * last.ResidualNorm:F4} vs √m/(4c) = {limit:F4}");
        Assert.That(last.Time * last.ResidualNorm / limit, Is.EqualTo(1).Within(limitTolerance), $"s‖r‖ = {last.Time * last.ResidualNorm}, √m/(4c) = {limit}");
        Assert.That(ConvergenceAnalysis.Diagnose(run.Times, run.ResidualNorms, 200, 2000).Kind, Is.EqualTo(ConvergenceKind.Sublinear));
    }

    [Test]
    public void Sublinear_AllEightOrthonormalStates_LimitFails()
    {
        // m = d: the samples cannot decouple and s‖r‖ settles near half of √m/(4c) (docs/theory.md §5 item 5).
        var x = PaperSetups.Create(3, 1024, 8, 1.0, 32);
        var run = PaperSetups.Train(x, 0.25, 2000, kernels: false);
        var last = run.Records[^1];
        double ratio = last.Time * last.ResidualNorm / TheoryFormulas.SublinearLimitSamples(x.C, 8);
        TestContext.Out.WriteLine($"m = d = 8, p = 1024: s‖r‖/(√m/(4c)) = {ratio:F3}");
        Assert.That(ratio, Is.InRange(0.4, 0.7));
        // The asymptotic dynamics shows the same halving, without finite-p effects.
        var ode = new AsymptoticDynamics(x.Engine.HeisenbergReadout(x.Theta0), x.Data.States!, x.Labels, x.C);
        var pt = ode.Integrate([1000], 0.5)[0];
        Assert.That(pt.Time * pt.ResidualNorm / TheoryFormulas.SublinearLimitSamples(x.C, 8), Is.EqualTo(0.5).Within(0.05));
    }

    // ---------------------------------------------------------------- §5.6 deviation from the frozen kernel

    [Test]
    public void Deviation_KernelTraceVanishes_By1e3()
    {
        var x = PaperSetups.Create(3, 256, 2, 1.0, 41);
        var run = PaperSetups.Train(x, 0.25, 1000);
        var dev = run.KernelDeviations();
        TestContext.Out.WriteLine($"tr K(1e3)/tr K(0) = {dev[^1].TraceRatio:E3}, ‖K − K0‖/‖K0‖ = {dev[^1].RelativeChange:F4}");
        Assert.That(dev[^1].TraceRatio, Is.LessThan(0.01));
        Assert.That(dev[^1].RelativeChange, Is.GreaterThan(0.95), "‖K(s) − K(0)‖/‖K(0)‖ → 1");
    }

    [Test]
    public void Deviation_QnnResidualFarAboveFrozenPrediction_MedianOverTenSeeds()
    {
        var ratios = new List<double>();
        for (ulong seed = 0; seed < 10; seed++)
        {
            var x = PaperSetups.Create(3, 256, 2, 1.0, 700 + seed);
            var run = PaperSetups.Train(x, 0.25, 100, RecordSchedule.At([400]));
            var first = run.Records[0];
            var frozen = new FrozenKernelPrediction(first.Kernel!, first.Residuals, run.LearningRate);
            var at = PaperSetups.At(run, 100);
            ratios.Add(at.ResidualNorm / Norm(frozen.Discrete(at.Step)));
        }
        ratios.Sort();
        double median = 0.5 * (ratios[4] + ratios[5]);
        TestContext.Out.WriteLine($"median ‖r_QNN(100)‖/‖r_frozen(100)‖ = {median:E3} (all: {string.Join(", ", ratios.Select(r => r.ToString("E2")))})");
        Assert.That(median, Is.GreaterThan(1e3));
    }

    [Test]
    public void Deviation_KernelRatioAtFixedTime_DoesNotApproachOneWithP()
    {
        var ratios = new List<double>();
        foreach (int p in new[] { 256, 1024, 4096 })
        {
            var x = PaperSetups.Create(3, p, 1, 1.0, 42);
            var run = PaperSetups.Train(x, 0.25, 100, RecordSchedule.At([]));
            ratios.Add(run.Records[^1].Kernel!.Trace / run.Records[0].Kernel!.Trace);
        }
        foreach (double r in ratios) Assert.That(r, Is.LessThan(0.2), string.Join(", ", ratios));
        TestContext.Out.WriteLine($"tr K(100)/tr K(0) for p = 256, 1024, 4096: {string.Join(", ", ratios.Select(r => r.ToString("F4")))}");
        Assert.That(Math.Abs(ratios[2] - ratios[0]), Is.LessThan(0.1), string.Join(", ", ratios));
    }

    // ---------------------------------------------------------------- §5.7 linear convergence for γ > 1

    [TestCase(1.5)]
    [TestCase(2.0)]
    public void Linear_RateMatchesDiscreteAsymptoticRate(double gamma)
    {
        const double eta0 = 0.25;
        var rates = new List<double>();
        var kernelRatios = new List<double>();
        for (ulong seed = 0; seed < 8; seed++)
        {
            var x = PaperSetups.Create(3, 256, 1, gamma, 800 + seed);
            var run = PaperSetups.Train(x, eta0, gamma == 1.5 ? 140 : 70, RecordSchedule.Every(2));
            var fit = ConvergenceAnalysis.ExponentialFit(run.Times, run.ResidualNorms);
            Assert.That(fit, Is.Not.Null, $"seed {seed}: the run did not reach 1e-10");
            rates.Add(-fit!.Value.Slope);
            Assert.That(ConvergenceAnalysis.Diagnose(run.Times, run.ResidualNorms).Kind, Is.EqualTo(ConvergenceKind.Linear));
            double y0 = run.Records[0].Outputs[0];
            double kernelRatio = run.Records[^1].Kernel![0, 0] / run.Records[0].Kernel![0, 0];
            kernelRatios.Add(kernelRatio / TheoryFormulas.SingleSampleKernelRatio(gamma, y0, 1.0));
        }
        // Per seed the ratio scatters by about p^{-1/2} (6% at p = 256); its mean over the seeds is within 5%.
        Assert.That(kernelRatios.Average(), Is.EqualTo(1).Within(AnalysisTolerances.KernelRatioRelative), string.Join(", ", kernelRatios));
        double kappa = TheoryFormulas.SingleSampleRate(TheoryFormulas.PauliGeneratorConstant(8), gamma, 1.0);
        double predicted = TheoryFormulas.DiscreteRate(eta0, kappa);
        TestContext.Out.WriteLine($"γ = {gamma}: mean rate {rates.Average():F4} vs predicted {predicted:F4}; mean K ratio / prediction {kernelRatios.Average():F4}");
        Assert.That(rates.Average() / predicted, Is.EqualTo(1).Within(AnalysisTolerances.RateRelative), $"rates {string.Join(", ", rates)}; predicted {predicted}");
    }

    [Test]
    public void Stalled_LabelOutsideSpectrum_FreezesAtDistance()
    {
        // γ = 0.8 < |y| = 1: ŷ → γ and the residual freezes at |y| − γ (docs/theory.md §3b).
        var x = PaperSetups.Create(3, 256, 1, 0.8, 51);
        var run = PaperSetups.Train(x, 0.25, 400, kernels: false);
        Assert.That(run.Records[^1].ResidualNorm, Is.EqualTo(0.2).Within(2e-3));
        Assert.That(ConvergenceAnalysis.Diagnose(run.Times, run.ResidualNorms).Kind, Is.EqualTo(ConvergenceKind.Stalled));
    }

    // ---------------------------------------------------------------- §5.8 asymptotic dynamics

    [Test]
    public void AsymptoticFlow_ConservesSpectrum()
    {
        var x = PaperSetups.Create(3, 64, 2, 1.5, 61);
        var ode = new AsymptoticDynamics(x.Engine.HeisenbergReadout(x.Theta0), x.Data.States!, x.Labels, x.C);
        var before = ode.Spectrum();
        var pts = ode.Integrate([10, 50, 200], 0.25);
        var after = ode.Spectrum();
        TestContext.Out.WriteLine($"max eigenvalue drift {before.Zip(after, (a, b) => Math.Abs(a - b)).Max():E2}");
        for (int k = 0; k < before.Length; k++) Assert.That(after[k], Is.EqualTo(before[k]).Within(AnalysisTolerances.SpectrumDrift));
        Assert.That(pts[^1].ResidualNorm, Is.LessThan(1e-6), "the flow must have converged (γ > 1)");
        Assert.That(pts[^1].TraceM2, Is.EqualTo(8 * 2.25).Within(1e-3));
    }

    [Test]
    public void AsymptoticFlow_SingleSampleMatchesScalarClosedForm()
    {
        var x = PaperSetups.Create(3, 32, 1, 1.5, 62);
        var ode = new AsymptoticDynamics(x.Engine.HeisenbergReadout(x.Theta0), x.Data.States!, x.Labels, x.C);
        double[] times = [0, 1, 5, 20];
        var pts = ode.Integrate(times, 0.05);
        double y0 = pts[0].Residuals[0] + 1;
        var scalar = AsymptoticDynamics.SingleSampleOutput(x.C, 1.5, 1.0, y0, times, 0.01);
        for (int i = 0; i < times.Length; i++)
        {
            Assert.That(pts[i].Residuals[0] + 1, Is.EqualTo(scalar[i]).Within(1e-7), $"s = {times[i]}");
            // K̃_ii = 2(γ² − ŷ²): the kernel per unit s is c·K̃.
            double yh = scalar[i];
            Assert.That(pts[i].KernelTrace, Is.EqualTo(x.C * 2 * (2.25 - yh * yh)).Within(1e-7));
        }
    }

    [Test]
    public void AsymptoticFlow_TrainingApproachesItAsPGrows()
    {
        // §5.8 with η0 = 0.025 (gradient descent's own O(η0) error must stay small), d = 8, m = 1, γ = 1.5, s ≤ 50.
        var mean = new List<double>();
        foreach (int p in new[] { 64, 256, 1024 })
        {
            double sum = 0;
            for (ulong seed = 1; seed <= 3; seed++)
            {
                var x = PaperSetups.Create(3, p, 1, 1.5, seed);
                var run = PaperSetups.Train(x, 0.025, 50, RecordSchedule.Every(20), kernels: false);
                var ode = new AsymptoticDynamics(x.Engine.HeisenbergReadout(x.Theta0), x.Data.States!, x.Labels, x.C);
                var pts = ode.Integrate(run.Times, 0.25);
                sum += pts.Select((pt, i) => Math.Abs(pt.Residuals[0] - run.Records[i].Residuals[0])).Max();
            }
            mean.Add(sum / 3);
        }
        string text = string.Join(", ", mean.Select(v => v.ToString("E2")));
        TestContext.Out.WriteLine($"mean max|r_QNN − r_ODE| for p = 64, 256, 1024: {text}");
        Assert.That(mean[1], Is.LessThan(mean[0]), text);
        Assert.That(mean[2], Is.LessThan(mean[1]), text);
        Assert.That(mean[2], Is.LessThan(mean[0] / 4), text);
    }

    // ---------------------------------------------------------------- §5.9 kernel concentration

    [Test]
    public void KernelConcentration_FallsAsPOverDSquaredGrows()
    {
        var distance = new List<double>();
        foreach (int p in new[] { 8, 32, 128, 512 })
        {
            double sum = 0;
            for (ulong seed = 0; seed < 4; seed++)
            {
                var x = PaperSetups.Create(3, p, 4, 1.0, 900 + seed);
                var o = new double[4];
                var j = new double[4 * p];
                x.Engine.Evaluate(x.Theta0, o, j);
                var k = TangentKernel.FromJacobian(j, 4, p);
                var kt = new AsymptoticDynamics(x.Engine.HeisenbergReadout(x.Theta0), x.Data.States!, x.Labels, x.C).Kernel();
                double diff = 0;
                for (int a = 0; a < 4; a++)
                    for (int b = 0; b < 4; b++) diff += Math.Pow(k[a, b] / p - kt[a, b], 2);
                sum += Math.Sqrt(diff) / kt.FrobeniusNorm;
            }
            distance.Add(sum / 4);
        }
        string text = string.Join(", ", distance.Select(v => v.ToString("G3")));
        TestContext.Out.WriteLine($"‖K/p − cK̃‖/‖cK̃‖ for p = 8, 32, 128, 512: {text}");
        for (int i = 1; i < distance.Count; i++) Assert.That(distance[i], Is.LessThan(distance[i - 1]), text);
        Assert.That(distance[^1], Is.LessThan(distance[0] / 4), text);
    }
}
