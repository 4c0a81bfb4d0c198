using System.Numerics;
using QnnSim.Kernels;

namespace QnnSim.Simulation;

/// <summary>
/// The Simulation layer's entry points for density-matrix reductions and channel maps (vec(ρ): ρ_{rc} at r + 2^n·c),
/// so that states, gradients and noise code outside Simulation never call a kernel directly. No validation: callers
/// check arguments at their public boundary.
/// </summary>
internal static class DensityOperations
{
    /// <summary>Tr ρ.</summary>
    public static double Trace(ReadOnlySpan<Complex> rho, int n) => NoiseKernels.Trace(rho, n);

    /// <summary>Tr(ρ²).</summary>
    public static double Purity(ReadOnlySpan<Complex> rho) => NoiseKernels.SumSquares(rho);

    /// <summary>⟨ψ|ρ|ψ⟩.</summary>
    public static double Fidelity(ReadOnlySpan<Complex> psi, ReadOnlySpan<Complex> rho, int n) => NoiseKernels.Sandwich(psi, rho, n);

    /// <summary>The diagonal of ρ.</summary>
    public static void Diagonal(ReadOnlySpan<Complex> rho, int n, Span<double> probabilities) => NoiseKernels.Diagonal(rho, n, probabilities);

    /// <summary>Tr over every qubit not in <paramref name="keep"/>.</summary>
    public static void PartialTrace(ReadOnlySpan<Complex> rho, int n, ReadOnlySpan<int> keep, Span<Complex> result) =>
        NoiseKernels.PartialTrace(rho, n, keep, result);

    /// <summary>Tr(Pρ) for a Pauli string.</summary>
    public static double ExpectationPauli(ulong x, ulong z, int y, ReadOnlySpan<Complex> rho, int n) => NoiseKernels.ExpectationPauli(x, z, y, rho, n);

    /// <summary>The global depolarizing map on the qubits of <paramref name="mask"/> (self-adjoint, so also its adjoint).</summary>
    public static void GlobalDepolarize(ulong mask, double p, Span<Complex> rho, int n) => NoiseKernels.GlobalDepolarize(mask, p, rho, n);

    /// <summary>i^k.</summary>
    public static Complex IPower(int k) => StateKernels.IPower(k);

    /// <summary>vec(O) of Σ_t c_t P_t: O_{rc} at r + 2^n·c, with P[c ⊕ x, c] = i^{#Y}(−1)^{|c∧z|}.</summary>
    public static Complex[] VecObservable(Observables.PauliSum observable, int n)
    {
        long d = 1L << n;
        var v = new Complex[d * d];
        foreach (var t in observable.Terms)
        {
            Complex phase = t.Coefficient * StateKernels.IPower(t.Pauli.YCount);
            ulong x = t.Pauli.XMask, z = t.Pauli.ZMask;
            for (long c = 0; c < d; c++)
            {
                long r = c ^ (long)x;
                v[r + (c << n)] += (BitOperations.PopCount((ulong)c & z) & 1) == 0 ? phase : -phase;
            }
        }
        return v;
    }
}
