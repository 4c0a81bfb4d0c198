using System.Numerics;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Simulation;

/// <summary>Shot sampling from a state's Born distribution.</summary>
internal static class Sampling
{
    /// <summary>
    /// Draws the counts of <paramref name="shots"/> measurements as one multinomial draw, by conditional binomials
    /// over the outcomes in index order: c_k ~ Binomial(N − Σ_{j&lt;k} c_j, p_k / Σ_{j≥k} p_j). Memory is O(number of
    /// outcomes with non-zero counts) and time O(2^n) plus O(1) expected per binomial, independent of the shot count
    /// (a million shots and 2^31 − 1 shots cost the same).
    /// </summary>
    public static SortedDictionary<long, int> SampleCounts(ReadOnlySpan<Complex> amplitudes, int shots, SeededRandom rng) =>
        SampleCounts(new DoubleBorn(amplitudes), shots, rng);

    /// <summary>The same draw from complex64 amplitudes (probabilities formed in double).</summary>
    public static SortedDictionary<long, int> SampleCounts(ReadOnlySpan<Complex64> amplitudes, int shots, SeededRandom rng) =>
        SampleCounts(new SingleBorn(amplitudes), shots, rng);

    /// <summary>The draw from a state of either precision.</summary>
    public static SortedDictionary<long, int> SampleCounts(StateVector state, int shots, SeededRandom rng) =>
        state.Precision == Precision.Single ? SampleCounts(state.Single, shots, rng) : SampleCounts(state.Data, shots, rng);

    /// <summary>|a_k|² of a state's amplitudes, in double (specialised per precision by the JIT).</summary>
    private interface IBorn
    {
        int Length { get; }
        double this[int k] { get; }
    }

    private readonly ref struct DoubleBorn(ReadOnlySpan<Complex> a) : IBorn
    {
        private readonly ReadOnlySpan<Complex> _a = a;
        public int Length => _a.Length;
        public double this[int k] => _a[k].Real * _a[k].Real + _a[k].Imaginary * _a[k].Imaginary;
    }

    private readonly ref struct SingleBorn(ReadOnlySpan<Complex64> a) : IBorn
    {
        private readonly ReadOnlySpan<Complex64> _a = a;
        public int Length => _a.Length;
        public double this[int k] => (double)_a[k].Real * _a[k].Real + (double)_a[k].Imaginary * _a[k].Imaginary;
    }

    private static SortedDictionary<long, int> SampleCounts<TBorn>(TBorn amplitudes, int shots, SeededRandom rng) where TBorn : IBorn, allows ref struct
    {
        double total = 0;
        for (int k = 0; k < amplitudes.Length; k++) total += amplitudes[k];
        var counts = new SortedDictionary<long, int>();
        double remainingMass = total;
        int remaining = shots;
        long last = -1;
        for (int k = 0; k < amplitudes.Length && remaining > 0; k++)
        {
            double p = amplitudes[k];
            if (p == 0) continue;
            last = k;
            double q = remainingMass > 0 ? p / remainingMass : 1;
            int c = q >= 1 ? remaining : Binomial(remaining, q, rng);
            remainingMass -= p;
            remaining -= c;
            if (c > 0) counts[k] = c;
        }
        if (remaining > 0 && last >= 0) counts[last] = (counts.TryGetValue(last, out int prior) ? prior : 0) + remaining; // rounding at the top end
        return counts;
    }

    /// <summary>
    /// One Binomial(n, p) draw in O(1) expected time: inversion by geometric waiting times when n·min(p, 1−p) &lt; 10,
    /// otherwise Hörmann's transformed rejection with squeeze (BTRS; W. Hörmann, "The generation of binomial random
    /// variates", J. Statist. Comput. Simul. 46 (1993) 101–110).
    /// </summary>
    internal static int Binomial(int n, double p, SeededRandom rng)
    {
        if (n <= 0 || p <= 0) return 0;
        if (p >= 1) return n;
        if (p > 0.5) return n - Binomial(n, 1 - p, rng);
        if ((double)n * p < 10) return BinomialInversion(n, p, rng);
        return BinomialBtrs(n, p, rng);
    }

    private static int BinomialInversion(int n, double p, SeededRandom rng)
    {
        // The number of successes is the number of geometric waiting times that fit in n trials.
        double logQ = double.LogP1(-p);
        long trials = 0;
        int successes = 0;
        while (true)
        {
            // Trials up to and including the next success: Geometric(p) = ⌈ln U / ln(1 − p)⌉, U in (0, 1].
            double g = Math.Ceiling(Math.Log(1 - rng.NextDouble()) / logQ);
            trials += (long)Math.Clamp(g, 1, n + 1.0);
            if (trials > n) return successes;
            successes++;
        }
    }

    private static int BinomialBtrs(int count, double p, SeededRandom rng)
    {
        double n = count; // in double: n + 1 must not overflow at 2^31 − 1
        double spq = Math.Sqrt(n * p * (1 - p));
        double b = 1.15 + 2.53 * spq;
        double a = -0.0873 + 0.0248 * b + 0.01 * p;
        double c = n * p + 0.5;
        double vR = 0.92 - 4.2 / b;
        double r = p / (1 - p);
        double alpha = (2.83 + 5.1 / b) * spq;
        double m = Math.Floor((n + 1) * p);
        while (true)
        {
            double u = rng.NextDouble() - 0.5;
            double v = rng.NextDouble();
            double us = 0.5 - Math.Abs(u);
            double k = Math.Floor((2 * a / us + b) * u + c);
            if (us >= 0.07 && v <= vR) return (int)k;
            if (k < 0 || k > n || us <= 0) continue;
            v = Math.Log(v * alpha / (a / (us * us) + b));
            double bound = (m + 0.5) * Math.Log((m + 1) / (r * (n - m + 1)))
                + (n + 1) * Math.Log((n - m + 1) / (n - k + 1))
                + (k + 0.5) * Math.Log(r * (n - k + 1) / (k + 1))
                + StirlingTail(m) + StirlingTail(n - m) - StirlingTail(k) - StirlingTail(n - k);
            if (v <= bound) return (int)k;
        }
    }

    /// <summary>log(k!) − [(k + ½) log(k + 1) − (k + 1) + ½ log 2π]: tabulated below 10, a series above.</summary>
    private static double StirlingTail(double k)
    {
        ReadOnlySpan<double> table =
        [
            0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
            0.0138761288230707, 0.0118967099458917, 0.0104112652619720, 0.00925546218271273, 0.00833056343336287,
        ];
        if (k <= 9) return table[(int)k];
        double kp1 = k + 1, kp1sq = kp1 * kp1;
        return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / kp1;
    }

    public static ShotEstimate EstimatePauliSum(Simulator simulator, StateVector state, PauliSum observable, int shots, ulong seed)
    {
        double estimate = 0, variance = 0;
        long total = 0;
        StateVector? rotated = null;
        for (int t = 0; t < observable.Terms.Length; t++)
        {
            var term = observable.Terms[t];
            if (term.Pauli.IsIdentity)
            {
                estimate += term.Coefficient;
                continue;
            }
            StateVector measured = state;
            if (!term.Pauli.IsDiagonal)
            {
                rotated ??= state.Clone();
                rotated.CopyFrom(state);
                RotateToZBasis(simulator, term.Pauli, rotated);
                measured = rotated;
            }
            ulong support = term.Pauli.XMask | term.Pauli.ZMask;
            var counts = SampleCounts(measured, shots, SeededRandom.ForStream(seed, (ulong)t));
            long plus = 0;
            foreach (var (outcome, c) in counts)
                if ((BitOperations.PopCount((ulong)outcome & support) & 1) == 0) plus += c;
            double mean = (2.0 * plus - shots) / shots;
            estimate += term.Coefficient * mean;
            variance += term.Coefficient * term.Coefficient * (1 - mean * mean) / shots;
            total += shots;
        }
        return new ShotEstimate(estimate, Math.Sqrt(variance), total);
    }

    /// <summary>Applies H on X qubits and S†·H... (H·S†) on Y qubits so that P becomes a Z string on the same support.</summary>
    internal static void RotateToZBasis(Simulator simulator, PauliString pauli, StateVector state)
    {
        var b = new Circuits.CircuitBuilder(state.QubitCount);
        foreach (int q in pauli.Qubits)
        {
            switch (pauli[q])
            {
                case Pauli.X: b.H(q); break;
                case Pauli.Y: b.Sdg(q).H(q); break;
            }
        }
        simulator.Apply(b.Build(), Circuits.ParameterValues.None, Circuits.InputValues.None, state);
    }
}
