using QnnSim.Randomness;

namespace QnnSim.Simulation;

/// <summary>Shot counts drawn from an explicit probability vector (density matrices, readout errors).</summary>
internal static class ProbabilitySampling
{
    /// <summary>
    /// Counts of <paramref name="shots"/> independent draws from <paramref name="probabilities"/> (normalised here) as
    /// one multinomial draw by conditional binomials in index order (<see cref="Sampling.Binomial"/>): memory and time
    /// independent of the shot count. Entries that rounding made slightly negative count as 0.
    /// </summary>
    public static SortedDictionary<long, long> Multinomial(ReadOnlySpan<double> probabilities, long shots, SeededRandom rng)
    {
        if (shots > int.MaxValue) ThrowHelper.ArgumentOutOfRange(nameof(shots), shots, $"1..{int.MaxValue} shots");
        double total = 0;
        foreach (double p in probabilities) total += Math.Max(0, p);
        var counts = new SortedDictionary<long, long>();
        double remainingMass = total;
        int remaining = (int)shots;
        long last = -1;
        for (int k = 0; k < probabilities.Length && remaining > 0; k++)
        {
            double p = Math.Max(0, probabilities[k]);
            if (p == 0) continue;
            last = k;
            double q = remainingMass > 0 ? p / remainingMass : 1;
            int c = q >= 1 ? remaining : Sampling.Binomial(remaining, q, rng);
            remainingMass -= p;
            remaining -= c;
            if (c > 0) counts[k] = c;
        }
        if (remaining > 0 && last >= 0) counts[last] = (counts.TryGetValue(last, out long prior) ? prior : 0) + remaining;
        return counts;
    }
}
