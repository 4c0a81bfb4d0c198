using QnnSim.Randomness;

namespace QnnSim.Simulation;

/// <summary>Shot counts drawn from an explicit probability vector (density matrices, readout errors).</summary>
internal static class ProbabilitySampling
{
    /// <summary>
    /// Counts of <paramref name="shots"/> independent draws from <paramref name="probabilities"/> (normalised here), by
    /// inverse-CDF search over sorted uniforms: O(2^n + shots·log shots).
    /// </summary>
    public static SortedDictionary<long, long> Multinomial(ReadOnlySpan<double> probabilities, long shots, SeededRandom rng)
    {
        if (shots > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(shots), shots, $"shots = {shots} is out of range; allowed: 1..{int.MaxValue}.");
        var uniforms = new double[shots];
        for (long i = 0; i < shots; i++) uniforms[i] = rng.NextDouble();
        Array.Sort(uniforms);
        double total = 0;
        foreach (double p in probabilities) total += Math.Max(0, p);
        var counts = new SortedDictionary<long, long>();
        double cumulative = 0;
        long u = 0, last = 0;
        for (int k = 0; k < probabilities.Length && u < shots; k++)
        {
            double p = Math.Max(0, probabilities[k]);
            if (p == 0) continue;
            last = k;
            cumulative += p / total;
            long c = 0;
            while (u < shots && uniforms[u] < cumulative)
            {
                u++;
                c++;
            }
            if (c > 0) counts[k] = c;
        }
        if (u < shots) counts[last] = (counts.TryGetValue(last, out long prior) ? prior : 0) + (shots - u);
        return counts;
    }
}
