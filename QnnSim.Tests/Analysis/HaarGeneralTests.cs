using System.Numerics;
using QnnSim.Analysis;

namespace QnnSim.Tests.Analysis;

/// <summary>
/// <see cref="HaarKernelStatistics.EstimateGeneral"/>: Monte Carlo over dense Haar circuits against the general formula of
/// docs/theory.md §4 for a traced generator and a traced readout (issue 13). Each mean must lie within
/// <see cref="AnalysisTolerances.HaarOffDiagonalSigmas"/> standard errors (two-sided false-failure probability 6e-5 per
/// figure, 5e-4 over this fixture's figures), and the check must be able to fail: the formula with its trace term
/// dropped lies many standard errors away.
/// </summary>
[TestFixture]
public class HaarGeneralTests
{
    private static Complex[] Diagonal(int d, Func<int, double> entry)
    {
        var m = new Complex[d * d];
        for (int k = 0; k < d; k++) m[k * d + k] = entry(k);
        return m;
    }

    private static Complex[] Z0(int d, double a, double b) => Diagonal(d, k => a * ((k & 1) == 0 ? 1 : -1) + b);

    [Test]
    public void EstimateGeneral_TracedRankOneGenerator_MatchesGeneralFormula()
    {
        const int d = 4;
        var h = Diagonal(d, k => k == 0 ? 1 : 0); // |00⟩⟨00|: tr H = tr H² = 1, H² = H ≠ I
        var e = HaarKernelStatistics.EstimateGeneral(2, 8, 3000, h, Z0(d, 1, 0), 501, maxThreads: 2);
        TestContext.Out.WriteLine($"diag {e.Diagonal}; F=0 {e.Orthogonal}; F=1/2 {e.HalfOverlap}; ŷ {e.Output}; Var ŷ {e.OutputVariance}");
        Assert.That((e.TraceH, e.TraceHSquared, e.TraceM0, e.TraceM0Squared), Is.EqualTo((1.0, 1.0, 0.0, 4.0)));
        foreach (var v in new[] { e.Diagonal, e.Orthogonal, e.HalfOverlap, e.Output, e.OutputVariance })
            Assert.That(Math.Abs(v.Sigmas), Is.LessThan(AnalysisTolerances.HaarOffDiagonalSigmas), v.ToString());
        Assert.That(e.HalfOverlap.Predicted, Is.GreaterThan(0)); // dF − 1 = 1 > 0: the F dependence is exercised

        // The check has power: without the (tr H)² term the diagonal formula is d/(d − 1) = 4/3 too large.
        double wrong = TheoryFormulas.HaarMeanKernelGeneral(d, 8, e.TraceM0Squared, e.TraceM0, e.TraceHSquared, 0, 1);
        Assert.That((wrong - e.Diagonal.Mean) / e.Diagonal.StandardError, Is.GreaterThan(3 * AnalysisTolerances.HaarOffDiagonalSigmas));
    }

    [Test]
    public void EstimateGeneral_TracedProjectorReadout_MatchesGeneralFormula()
    {
        const int d = 8;
        var e = HaarKernelStatistics.EstimateGeneral(3, 8, 2000, Z0(d, 1, 0), Z0(d, 0.5, 0.5), 502, maxThreads: 2);
        TestContext.Out.WriteLine($"diag {e.Diagonal}; F=0 {e.Orthogonal}; F=1/2 {e.HalfOverlap}; ŷ {e.Output}; Var ŷ {e.OutputVariance}");
        foreach (var v in new[] { e.Diagonal, e.Orthogonal, e.HalfOverlap, e.Output, e.OutputVariance })
            Assert.That(Math.Abs(v.Sigmas), Is.LessThan(AnalysisTolerances.HaarOffDiagonalSigmas), v.ToString());
        Assert.That(e.Output.Predicted, Is.EqualTo(0.5)); // tr M0 / d
        // A Pauli readout's mean 0 is far outside: the traced part shows in the outputs.
        Assert.That(e.Output.Mean / e.Output.StandardError, Is.GreaterThan(10 * AnalysisTolerances.HaarOffDiagonalSigmas));
        // The kernel is a quarter of Z_0's (c_M scales with tr M0² − (tr M0)²/d = d/4).
        Assert.That(e.Diagonal.Predicted, Is.EqualTo(TheoryFormulas.HaarMeanKernel(d, 8, 0.5, 1)).Within(1e-12));
    }

    [Test]
    public void EstimateGeneral_IdentityGenerator_GivesZeroKernelAsFormula()
    {
        const int d = 4;
        var e = HaarKernelStatistics.EstimateGeneral(2, 4, 50, Diagonal(d, _ => 1), Z0(d, 1, 0), 503);
        Assert.That(e.Diagonal.Predicted, Is.EqualTo(0).Within(1e-15));
        Assert.That(e.Diagonal.Mean, Is.EqualTo(0).Within(1e-24));
        Assert.That(e.Orthogonal.Mean, Is.EqualTo(0).Within(1e-24));
    }

    [Test]
    public void EstimateGeneral_NonHermitianOrMisSized_ThrowsNamingTheEntry()
    {
        var h = Z0(4, 1, 0);
        h[1] = new Complex(0, 1); // (0, 1) = i but (1, 0) = 0
        var ex = Assert.Throws<ArgumentException>(() => HaarKernelStatistics.EstimateGeneral(2, 4, 10, h, Z0(4, 1, 0), 1));
        Assert.That(ex!.Message, Does.Contain("not Hermitian").And.Contain("(1, 0)"));
        Assert.Throws<ArgumentException>(() => HaarKernelStatistics.EstimateGeneral(2, 4, 10, Z0(8, 1, 0), Z0(4, 1, 0), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => HaarKernelStatistics.EstimateGeneral(7, 4, 10, Z0(4, 1, 0), Z0(4, 1, 0), 1));
        var nan = Z0(4, 1, 0); nan[5] = double.NaN;
        Assert.That(Assert.Throws<ArgumentException>(() => HaarKernelStatistics.EstimateGeneral(2, 4, 10, Z0(4, 1, 0), nan, 1))!.Message, Does.Contain("non-finite"));
    }
}
