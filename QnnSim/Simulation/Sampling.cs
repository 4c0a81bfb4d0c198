using System.Numerics;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Simulation;

/// <summary>Shot sampling from a state's Born distribution.</summary>
internal static class Sampling
{
    /// <summary>
    /// Draws shots by inverse-CDF search over cumulative probabilities (O(2^n) set-up, O(n) a shot). The draws are
    /// sorted uniforms, so one pass over the cumulative array serves all shots.
    /// </summary>
    public static SortedDictionary<long, int> SampleCounts(ReadOnlySpan<Complex> amplitudes, int shots, SeededRandom rng)
    {
        var uniforms = new double[shots];
        for (int i = 0; i < shots; i++) uniforms[i] = rng.NextDouble();
        Array.Sort(uniforms);
        double total = 0;
        for (int k = 0; k < amplitudes.Length; k++) total += amplitudes[k].Real * amplitudes[k].Real + amplitudes[k].Imaginary * amplitudes[k].Imaginary;
        var counts = new SortedDictionary<long, int>();
        double cumulative = 0;
        int u = 0;
        long last = 0;
        for (int k = 0; k < amplitudes.Length && u < shots; k++)
        {
            double p = amplitudes[k].Real * amplitudes[k].Real + amplitudes[k].Imaginary * amplitudes[k].Imaginary;
            if (p == 0) continue;
            last = k;
            cumulative += p / total;
            int c = 0;
            while (u < shots && uniforms[u] < cumulative)
            {
                u++;
                c++;
            }
            if (c > 0) counts[k] = c;
        }
        if (u < shots) counts[last] = (counts.TryGetValue(last, out int prior) ? prior : 0) + (shots - u); // rounding at the top end
        return counts;
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
            ReadOnlySpan<Complex> amps;
            if (term.Pauli.IsDiagonal) amps = state.Amplitudes;
            else
            {
                rotated ??= state.Clone();
                rotated.CopyFrom(state);
                RotateToZBasis(simulator, term.Pauli, rotated);
                amps = rotated.Amplitudes;
            }
            ulong support = term.Pauli.XMask | term.Pauli.ZMask;
            var counts = SampleCounts(amps, shots, SeededRandom.ForStream(seed, (ulong)t));
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
    private static void RotateToZBasis(Simulator simulator, PauliString pauli, StateVector state)
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
