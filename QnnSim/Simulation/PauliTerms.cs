using QnnSim.Observables;

namespace QnnSim.Simulation;

/// <summary>An observable Σ_t c_t P_t flattened into masks: the form in which
/// <see cref="StateOperations"/> takes observables.</summary>
internal sealed class PauliTerms
{
    public readonly ulong[] X, Z;
    public readonly int[] Y;
    public readonly double[] C;

    private PauliTerms(int count)
    {
        X = new ulong[count];
        Z = new ulong[count];
        Y = new int[count];
        C = new double[count];
    }

    public int Count => C.Length;

    public static PauliTerms From(PauliSum sum)
    {
        var t = new PauliTerms(sum.Terms.Length);
        for (int i = 0; i < t.Count; i++)
        {
            var term = sum.Terms[i];
            (t.X[i], t.Z[i], t.Y[i], t.C[i]) = (term.Pauli.XMask, term.Pauli.ZMask, term.Pauli.YCount, term.Coefficient);
        }
        return t;
    }

    /// <summary>Σ_o w_o O_o as one term list (terms are concatenated, not merged).</summary>
    public static PauliTerms Combine(PauliTerms[] observables, ReadOnlySpan<double> weights)
    {
        int count = 0;
        foreach (var o in observables) count += o.Count;
        var t = new PauliTerms(count);
        int k = 0;
        for (int o = 0; o < observables.Length; o++)
        {
            var src = observables[o];
            for (int i = 0; i < src.Count; i++, k++)
                (t.X[k], t.Z[k], t.Y[k], t.C[k]) = (src.X[i], src.Z[i], src.Y[i], weights[o] * src.C[i]);
        }
        return t;
    }

    /// <summary>
    /// Rewrites the coefficients of <paramref name="combined"/> (made by <see cref="Combine"/> from the same
    /// observables) to Σ_o w_o O_o, exactly as <see cref="Combine"/> would compute them, without allocating.
    /// </summary>
    public static void Reweight(PauliTerms combined, PauliTerms[] observables, ReadOnlySpan<double> weights)
    {
        int k = 0;
        for (int o = 0; o < observables.Length; o++)
        {
            var src = observables[o];
            for (int i = 0; i < src.Count; i++, k++) combined.C[k] = weights[o] * src.C[i];
        }
    }
}
