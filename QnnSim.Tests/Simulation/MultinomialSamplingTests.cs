using System.Numerics;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Simulation;

/// <summary>
/// The multinomial shot sampler: binomial draws against their closed-form mean and variance (both branches, BTRS
/// and inversion), and counts whose cost does not grow with the shot count.
/// </summary>
[TestFixture]
public class MultinomialSamplingTests
{
    private static readonly Simulator Sim = new(new SimulationOptions { MaxThreads = 1 });

    // n·p below 10 takes the inversion branch, above it BTRS; p above ½ reflects.
    [TestCase(5, 0.3)]
    [TestCase(40, 0.2)]
    [TestCase(100, 0.05)]
    [TestCase(1000, 0.5)]
    [TestCase(100000, 0.37)]
    [TestCase(int.MaxValue, 0.001)]
    [TestCase(int.MaxValue, 0.93)]
    [TestCase(1_000_000_000, 1e-9)]
    public void Binomial_MeanAndVariance_MatchClosedForm(int n, double p)
    {
        // 20,000 draws: the sample mean sits within 5 standard errors of n·p (false-failure rate 6e-7 a case); the
        // sample variance within 5 of its own standard error, √((μ4 − σ⁴)/N) with μ4 ≈ 3σ⁴ + σ²(1 − 6pq).
        const int draws = 20000;
        var rng = new SeededRandom(42 + (ulong)n);
        double sum = 0, sumSq = 0;
        for (int i = 0; i < draws; i++)
        {
            int k = MultinomialSampler(n, p, rng);
            Assert.That(k, Is.InRange(0, n));
            sum += k;
            sumSq += (double)k * k;
        }
        double mean = sum / draws;
        double variance = sumSq / draws - mean * mean;
        double sigma2 = n * p * (1 - p);
        Assert.That(Math.Abs(mean - n * p), Is.LessThanOrEqualTo(5 * Math.Sqrt(sigma2 / draws) + 1e-9), "mean");
        double mu4 = 3 * sigma2 * sigma2 + sigma2 * (1 - 6 * p * (1 - p));
        double varianceSe = Math.Sqrt((mu4 - sigma2 * sigma2) / draws);
        Assert.That(Math.Abs(variance - sigma2), Is.LessThanOrEqualTo(5 * varianceSe + 1e-6 * sigma2), "variance");
    }

    private static int MultinomialSampler(int n, double p, SeededRandom rng) => Sampling.Binomial(n, p, rng);

    [Test]
    public void Binomial_SmallN_MatchesExactPmfByChiSquared()
    {
        // n = 12, p = 0.3 (inversion) and n = 60, p = 0.4 (BTRS): Pearson's χ² over the outcomes with expected count
        // ≥ 5, compared with the 99.99% quantile of χ² (false-failure rate 1e-4 a case).
        foreach (var (n, p) in new[] { (12, 0.3), (60, 0.4) })
        {
            const int draws = 200000;
            var rng = new SeededRandom(7);
            var hist = new long[n + 1];
            for (int i = 0; i < draws; i++) hist[Sampling.Binomial(n, p, rng)]++;
            double chi2 = 0;
            int cells = 0;
            for (int k = 0; k <= n; k++)
            {
                double expected = draws * Math.Exp(LogChoose(n, k) + k * Math.Log(p) + (n - k) * Math.Log(1 - p));
                if (expected < 5) continue;
                chi2 += (hist[k] - expected) * (hist[k] - expected) / expected;
                cells++;
            }
            // 99.99% quantile by Wilson–Hilferty for ν = cells − 1 degrees of freedom (z = 3.719).
            double nu = cells - 1;
            double quantile = nu * Math.Pow(1 - 2 / (9 * nu) + 3.719 * Math.Sqrt(2 / (9 * nu)), 3);
            Assert.That(chi2, Is.LessThan(quantile), $"n = {n}, p = {p}: χ² = {chi2:F1} over {cells} cells");
        }
    }

    private static double LogChoose(int n, int k)
    {
        double s = 0;
        for (int i = 1; i <= k; i++) s += Math.Log(n - k + i) - Math.Log(i);
        return s;
    }

    [Test]
    public void Sample_MaximalShotCount_SumsExactlyWithinFiveSigma()
    {
        // 2^31 − 1 shots of a 6-qubit Haar state: the counts sum to the shot count and every frequency is within 5σ.
        // The old sampler held one double a shot (16 GiB here); the multinomial holds one count an outcome.
        var psi = R.HaarState(6, 3);
        var counts = Sim.Sample(StateVector.FromAmplitudes(psi), int.MaxValue, 11);
        Assert.That(counts.Values.Sum(c => (long)c), Is.EqualTo(int.MaxValue));
        for (int k = 0; k < psi.Length; k++)
        {
            double p = psi[k].Magnitude * psi[k].Magnitude;
            double f = counts.GetValueOrDefault(k) / (double)int.MaxValue;
            Assert.That(Math.Abs(f - p), Is.LessThanOrEqualTo(5 * Math.Sqrt(p * (1 - p) / int.MaxValue) + 1e-12), $"outcome {k}");
        }
    }

    [Test]
    public void Sample_AllocationDoesNotGrowWithShots()
    {
        var state = StateVector.FromAmplitudes(R.HaarState(5, 8));
        Sim.Sample(state, 10, 1); // warm up
        long Measure(int shots)
        {
            long best = long.MaxValue;
            for (int i = 0; i < 3; i++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                Sim.Sample(state, shots, 2);
                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return best;
        }
        long small = Measure(1000), huge = Measure(1_000_000_000);
        // The same 32 outcomes hold counts either way; a per-shot buffer would add 8 GB.
        Assert.That(huge, Is.LessThanOrEqualTo(small + 4096), $"1e3 shots: {small} B, 1e9 shots: {huge} B");
    }
}
