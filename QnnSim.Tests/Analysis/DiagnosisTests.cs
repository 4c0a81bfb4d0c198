using QnnSim.Analysis;

namespace QnnSim.Tests.Analysis;

/// <summary>
/// <see cref="ConvergenceAnalysis.Diagnose"/> on curves of known kind (issue 13): the frozen-kernel curve is exponential,
/// claim 1's training curve is sublinear, a floor (reached or approached) is stalled, and a run too short to tell is undetermined.
/// </summary>
[TestFixture]
public class DiagnosisTests
{
    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    [Test]
    public void Diagnose_FrozenKernelCurveOfClaim1_IsExponential()
    {
        // Two kernel modes decaying at different rates: the unfinished exponential the old rule called "s^-0.85".
        var x = PaperSetups.Create(3, 64, 2, 1.0, 11);
        var run = PaperSetups.Train(x, 0.25, 2e3, RecordSchedule.Logarithmic(20));
        var frozen = new FrozenKernelPrediction(run.Records[0].Kernel!, run.Records[0].Residuals, run.LearningRate);
        var norms = run.Records.Select(r => Norm(frozen.Discrete(r.Step))).ToArray();
        var d = ConvergenceAnalysis.Diagnose(run.Times, norms);
        Assert.That(d.Kind, Is.EqualTo(ConvergenceKind.Linear), d.Explanation);
        Assert.That(d.Curvature, Is.GreaterThan(0.5 + ConvergenceAnalysis.DecisionSigmas * d.CurvatureStandardError));

        // The same training run itself: sublinear (docs/theory.md §3a).
        var t = ConvergenceAnalysis.Diagnose(run.Times, run.ResidualNorms);
        Assert.That(t.Kind, Is.EqualTo(ConvergenceKind.Sublinear), t.Explanation);
        Assert.That(t.Curvature, Is.LessThan(0.5 - ConvergenceAnalysis.DecisionSigmas * t.CurvatureStandardError));
    }

    [Test]
    public void Diagnose_SumOfTwoExponentialsBeforeTheSlowModeDominates_IsExponential()
    {
        var s = Enumerable.Range(1, 400).Select(i => 0.25 * i).ToArray();
        var r = s.Select(t => 0.6 * Math.Exp(-0.9 * t) + 0.4 * Math.Exp(-0.12 * t)).ToArray();
        var d = ConvergenceAnalysis.Diagnose(s, r);
        Assert.That(d.Kind, Is.EqualTo(ConvergenceKind.Linear), d.Explanation);
        Assert.That(d.Rate, Is.EqualTo(0.12).Within(1e-3));
    }

    [TestCase(-1.0)]
    [TestCase(-0.5)]
    [TestCase(-2.0)]
    public void Diagnose_PowerLaw_IsSublinearWithItsExponent(double alpha)
    {
        var s = Enumerable.Range(0, 160).Select(i => Math.Pow(10, i / 40.0)).ToArray();
        var d = ConvergenceAnalysis.Diagnose(s, s.Select(t => 3 * Math.Pow(t, alpha)).ToArray());
        Assert.That(d.Kind, Is.EqualTo(ConvergenceKind.Sublinear), d.Explanation);
        Assert.That(d.Curvature, Is.EqualTo(0).Within(1e-9));
        Assert.That(d.LogLogFit!.Value.Slope, Is.EqualTo(alpha).Within(1e-10));
    }

    [Test]
    public void Diagnose_Floor_IsStalled()
    {
        var s = Enumerable.Range(0, 160).Select(i => Math.Pow(10, i / 40.0)).ToArray();
        var d = ConvergenceAnalysis.Diagnose(s, s.Select(t => 0.2 + 0.8 * Math.Exp(-t)).ToArray());
        Assert.That(d.Kind, Is.EqualTo(ConvergenceKind.Stalled), d.Explanation);
    }

    [Test]
    public void Diagnose_ApproachToFloorStillFalling_IsStalledNotSublinear()
    {
        // ‖r‖ = 0.4 + 5/s: at s = 100 the local slope is still −0.11 (steeper than the stall slope), but it flattens
        // (β < −1/2): a model that cannot fit its data, which the old rule called "sublinear".
        var s = Enumerable.Range(0, 81).Select(i => Math.Pow(10, i / 40.0)).ToArray();
        var d = ConvergenceAnalysis.Diagnose(s, s.Select(t => 0.4 + 5 / t).ToArray());
        Assert.That(d.Kind, Is.EqualTo(ConvergenceKind.Stalled), d.Explanation);
        Assert.That(d.Curvature, Is.LessThan(-0.5 - ConvergenceAnalysis.DecisionSigmas * d.CurvatureStandardError));
        Assert.That(d.LogLogFit!.Value.Slope, Is.LessThan(-ConvergenceAnalysis.StallSlope)); // the slope rule alone would not catch it
        Assert.That(d.Explanation, Does.Contain("floor"));
    }

    [Test]
    public void Diagnose_RealStalledRun_IsStalled()
    {
        // γ = 0.8 < 1 with labels ±1: each residual freezes at 1 − γ (docs/theory.md §3b).
        var x = PaperSetups.Create(3, 64, 1, 0.8, 5, labels: [1.0]);
        var run = PaperSetups.Train(x, 0.25, 1e3, RecordSchedule.Logarithmic(20), kernels: false);
        Assert.That(ConvergenceAnalysis.Diagnose(run.Times, run.ResidualNorms).Kind, Is.EqualTo(ConvergenceKind.Stalled));
    }

    [Test]
    public void Diagnose_TooShort_IsUndetermined()
    {
        Assert.That(ConvergenceAnalysis.Diagnose([0.25, 0.5, 0.75], [0.9, 0.8, 0.7]).Kind, Is.EqualTo(ConvergenceKind.Undetermined));
        var s = Enumerable.Range(0, 8).Select(i => 1 + 0.25 * i).ToArray();
        var d = ConvergenceAnalysis.Diagnose(s, s.Select(t => Math.Exp(-t)).ToArray());
        Assert.That(d.Kind, Is.EqualTo(ConvergenceKind.Undetermined), d.Explanation);
        Assert.That(d.Explanation, Does.StartWith("undetermined"));
        Assert.That(ConvergenceAnalysis.Diagnose([], []).Kind, Is.EqualTo(ConvergenceKind.Undetermined));
    }

    [Test]
    public void Diagnose_TransitionBetweenRegimes_IsUndeterminedNotGuessed()
    {
        // ‖r‖ = e^{−s/50}/(1 + s): over its last decade neither a power law nor an exponential.
        var s = Enumerable.Range(0, 120).Select(i => Math.Pow(10, i / 40.0)).ToArray();
        var d = ConvergenceAnalysis.Diagnose(s, s.Select(t => Math.Exp(-t / 50) / (1 + t)).ToArray(), 30, 300);
        Assert.That(Math.Abs(d.Curvature - 0.5), Is.LessThan(0.45), d.Explanation);
        if (d.Kind != ConvergenceKind.Undetermined)
            Assert.That(Math.Abs(d.Curvature - 0.5), Is.GreaterThan(ConvergenceAnalysis.DecisionSigmas * d.CurvatureStandardError));
    }
}
