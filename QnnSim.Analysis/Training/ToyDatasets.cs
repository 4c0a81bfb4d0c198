using QnnSim.Randomness;

namespace QnnSim.Analysis;

/// <summary>
/// Seeded toy classification datasets with labels ±1 (use <see cref="Dataset.MapLabels"/> for 0/1). Each draws from
/// <c>new SeededRandom(seed)</c> only, so a seed gives the same data on every machine. Inputs are named x0, x1, …;
/// samples come in a random order (shuffled with the same generator).
/// </summary>
public static class ToyDatasets
{
    /// <summary>
    /// Two interleaving half circles (as scikit-learn's make_moons): ⌈m/2⌉ points (cos t, sin t) with label +1 and
    /// ⌊m/2⌋ points (1 − cos t, ½ − sin t) with label −1, t evenly spaced on [0, π], plus Gaussian noise of standard
    /// deviation <paramref name="noise"/> on each coordinate.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">m below 2 or a negative or non-finite noise.</exception>
    public static Dataset TwoMoons(int count, double noise, ulong seed)
    {
        Check(count, noise);
        var rng = new SeededRandom(seed);
        int outer = (count + 1) / 2, inner = count - outer;
        var rows = new List<(double[] X, double Y)>(count);
        for (int i = 0; i < outer; i++)
        {
            double t = outer == 1 ? 0 : Math.PI * i / (outer - 1);
            rows.Add(([Math.Cos(t), Math.Sin(t)], 1));
        }
        for (int i = 0; i < inner; i++)
        {
            double t = inner == 1 ? 0 : Math.PI * i / (inner - 1);
            rows.Add(([1 - Math.Cos(t), 0.5 - Math.Sin(t)], -1));
        }
        return Finish(rows, noise, rng);
    }

    /// <summary>
    /// Two concentric circles (as make_circles): ⌈m/2⌉ points on the unit circle with label −1 and ⌊m/2⌋ on the circle of
    /// radius <paramref name="factor"/> with label +1, angles evenly spaced on [0, 2π), plus Gaussian noise.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">m below 2, a bad noise, or a factor outside (0, 1).</exception>
    public static Dataset Circles(int count, double noise, ulong seed, double factor = 0.5)
    {
        Check(count, noise);
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, $"factor = {factor} is out of range; allowed: (0, 1).");
        var rng = new SeededRandom(seed);
        int outer = (count + 1) / 2, inner = count - outer;
        var rows = new List<(double[] X, double Y)>(count);
        for (int i = 0; i < outer; i++)
        {
            double t = 2 * Math.PI * i / outer;
            rows.Add(([Math.Cos(t), Math.Sin(t)], -1));
        }
        for (int i = 0; i < inner; i++)
        {
            double t = 2 * Math.PI * i / inner;
            rows.Add(([factor * Math.Cos(t), factor * Math.Sin(t)], 1));
        }
        return Finish(rows, noise, rng);
    }

    /// <summary>
    /// The XOR of Gaussian mixtures (the benchmark of Incudini et al., "The Quantum Path Kernel"): m points split evenly
    /// over four isotropic Gaussian clusters of standard deviation <paramref name="spread"/> centred at (±1, ±1); the
    /// label is +1 when the centre's coordinates have the same sign, −1 otherwise.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">m below 2 or a bad spread.</exception>
    public static Dataset GaussianXor(int count, double spread, ulong seed)
    {
        Check(count, spread);
        var rng = new SeededRandom(seed);
        var rows = new List<(double[] X, double Y)>(count);
        for (int i = 0; i < count; i++)
        {
            double cx = (i & 1) == 0 ? 1 : -1, cy = (i & 2) == 0 ? 1 : -1;
            rows.Add(([cx, cy], cx * cy));
        }
        return Finish(rows, spread, rng);
    }

    /// <summary>
    /// Parity of n bits: inputs x_j ∈ {0, 1} and label (−1)^{Σ x_j} (+1 for even parity). All 2^n bit strings when
    /// <paramref name="count"/> is null, else <paramref name="count"/> strings drawn uniformly with replacement.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n outside 1..20, or a count below 1.</exception>
    public static Dataset Parity(int bits, ulong seed, int? count = null)
    {
        if (bits < 1 || bits > 20) throw new ArgumentOutOfRangeException(nameof(bits), bits, $"bits = {bits} is out of range; allowed: 1..20.");
        if (count is < 1) throw new ArgumentOutOfRangeException(nameof(count), count, $"count = {count} is out of range; allowed: at least 1.");
        var rng = new SeededRandom(seed);
        int m = count ?? 1 << bits;
        var rows = new List<(double[] X, double Y)>(m);
        for (int i = 0; i < m; i++)
        {
            long v = count is null ? i : rng.NextInt64(1L << bits);
            var x = new double[bits];
            int ones = 0;
            for (int j = 0; j < bits; j++) { x[j] = (v >> j) & 1; ones += (int)x[j]; }
            rows.Add((x, (ones & 1) == 0 ? 1 : -1));
        }
        return Finish(rows, 0, rng);
    }

    private static void Check(int count, double noise)
    {
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, $"count = {count} is out of range; allowed: at least 2.");
        if (!(noise >= 0) || !double.IsFinite(noise)) throw new ArgumentOutOfRangeException(nameof(noise), noise, $"noise = {noise} is out of range; allowed: a finite number ≥ 0.");
    }

    private static Dataset Finish(List<(double[] X, double Y)> rows, double noise, SeededRandom rng)
    {
        if (noise > 0)
            foreach (var (x, _) in rows)
                for (int j = 0; j < x.Length; j++) x[j] += noise * rng.NextGaussian();
        for (int i = rows.Count - 1; i > 0; i--)
        {
            int j = (int)rng.NextInt64(i + 1);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }
        int q = rows[0].X.Length;
        return Dataset.FromInputs([.. rows.Select(r => r.X)], [.. rows.Select(r => r.Y)], [.. Enumerable.Range(0, q).Select(j => $"x{j}")]);
    }
}
