using System.Numerics;

namespace QnnSim.Kernels;

/// <summary>
/// Kernels of noisy simulation that the unitary kernels do not cover: reductions over a density matrix stored as
/// vec(ρ) (ρ_{rc} at index r + (c &lt;&lt; n), so the ket index is the low n bits and the bra index the high n bits),
/// the global depolarizing map, and reduced density matrices of a few qubits of a pure state (trajectories).
/// </summary>
/// <remarks>
/// Assumptions, unchecked: <c>rho.Length == 4^n</c>; masks name qubits below n; target lists hold distinct qubits
/// below n; output spans are large enough. Loops run in index order on the calling thread, so results do not depend
/// on the thread count.
/// </remarks>
internal static class NoiseKernels
{
    /// <summary>Tr(Pρ) for P = i^y X^x Z^z: Σ_b i^y (−1)^{|b∧z|} ρ_{b, b⊕x}.</summary>
    public static double ExpectationPauli(ulong x, ulong z, int y, ReadOnlySpan<Complex> rho, int n)
    {
        long d = 1L << n;
        Complex sum = Complex.Zero;
        for (long b = 0; b < d; b++)
        {
            Complex v = rho[(int)(b + ((b ^ (long)x) << n))];
            sum += (BitOperations.PopCount((ulong)b & z) & 1) == 0 ? v : -v;
        }
        return (StateKernels.IPower(y) * sum).Real;
    }

    /// <summary>Tr ρ (real part of the diagonal sum).</summary>
    public static double Trace(ReadOnlySpan<Complex> rho, int n)
    {
        long d = 1L << n;
        double t = 0;
        for (long r = 0; r < d; r++) t += rho[(int)(r + (r << n))].Real;
        return t;
    }

    /// <summary>The diagonal ρ_{rr} (real parts) into <paramref name="probabilities"/>.</summary>
    public static void Diagonal(ReadOnlySpan<Complex> rho, int n, Span<double> probabilities)
    {
        long d = 1L << n;
        for (long r = 0; r < d; r++) probabilities[(int)r] = rho[(int)(r + (r << n))].Real;
    }

    /// <summary>⟨ψ|ρ|ψ⟩ = Σ_{r,c} conj(ψ_r) ρ_{rc} ψ_c (real part).</summary>
    public static double Sandwich(ReadOnlySpan<Complex> psi, ReadOnlySpan<Complex> rho, int n)
    {
        long d = 1L << n;
        Complex sum = Complex.Zero;
        for (long c = 0; c < d; c++)
        {
            Complex inner = Complex.Zero;
            long col = c << n;
            for (long r = 0; r < d; r++) inner += Complex.Conjugate(psi[(int)r]) * rho[(int)(r + col)];
            sum += inner * psi[(int)c];
        }
        return sum.Real;
    }

    /// <summary>
    /// ρ ↦ (1 − p)ρ + p·(I/2^k ⊗ Tr_S ρ) for the k qubits in <paramref name="subsetMask"/>: for every pair of rest
    /// indices the partial trace t = Σ_s ρ_{(s,r),(s,c)} is taken, every entry is scaled by 1 − p, and p·t/2^k is added
    /// where the subset bits of row and column agree.
    /// </summary>
    public static void GlobalDepolarize(ulong subsetMask, double p, Span<Complex> rho, int n)
    {
        int k = BitOperations.PopCount(subsetMask);
        long dS = 1L << k, restCount = 1L << (n - k);
        double q = 1 - p, w = p / dS;
        Span<long> sub = dS <= 1024 ? stackalloc long[(int)dS] : new long[dS];
        for (long s = 0; s < dS; s++) sub[(int)s] = Scatter(s, subsetMask);
        ulong restMask = ((1UL << n) - 1) & ~subsetMask;
        for (long rr = 0; rr < restCount; rr++)
        {
            long r0 = Scatter(rr, restMask);
            for (long cr = 0; cr < restCount; cr++)
            {
                long c0 = Scatter(cr, restMask) << n;
                Complex t = Complex.Zero;
                for (long s = 0; s < dS; s++) t += rho[(int)(r0 | sub[(int)s] | (sub[(int)s] << n) | c0)];
                for (long a = 0; a < dS; a++)
                    for (long b = 0; b < dS; b++)
                    {
                        int idx = (int)(r0 | sub[(int)a] | c0 | (sub[(int)b] << n));
                        rho[idx] = q * rho[idx] + (a == b ? w * t : Complex.Zero);
                    }
            }
        }
    }

    /// <summary>
    /// The partial trace keeping the qubits of <paramref name="keep"/> (in that order: kept qubit j becomes qubit j of
    /// the result): σ_{ab} = Σ_t ρ_{(a,t),(b,t)}.
    /// </summary>
    public static void PartialTrace(ReadOnlySpan<Complex> rho, int n, ReadOnlySpan<int> keep, Span<Complex> result)
    {
        int m = keep.Length;
        long dK = 1L << m;
        ulong keepMask = 0;
        foreach (int q in keep) keepMask |= 1UL << q;
        ulong restMask = ((1UL << n) - 1) & ~keepMask;
        long restCount = 1L << (n - m);
        Span<long> pos = dK <= 1024 ? stackalloc long[(int)dK] : new long[dK];
        for (long a = 0; a < dK; a++)
        {
            long idx = 0;
            for (int j = 0; j < m; j++)
                if ((a >> j & 1) != 0) idx |= 1L << keep[j];
            pos[(int)a] = idx;
        }
        result.Clear();
        for (long a = 0; a < dK; a++)
            for (long b = 0; b < dK; b++)
            {
                Complex s = Complex.Zero;
                for (long t = 0; t < restCount; t++)
                {
                    long rest = Scatter(t, restMask);
                    s += rho[(int)((pos[(int)a] | rest) + ((pos[(int)b] | rest) << n))];
                }
                result[(int)(a + (b << m))] = s;
            }
    }

    /// <summary>
    /// The reduced density matrix of a pure state on <paramref name="targets"/> (target j is bit j of the local index),
    /// row-major d × d: σ_{ab} = Σ_rest ψ_{(a,rest)} conj(ψ_{(b,rest)}).
    /// </summary>
    public static void ReducedDensity(ReadOnlySpan<Complex> psi, ReadOnlySpan<int> targets, Span<Complex> sigma)
    {
        int k = targets.Length;
        int d = 1 << k;
        ulong mask = 0;
        foreach (int t in targets) mask |= 1UL << t;
        Span<long> off = stackalloc long[d];
        for (int a = 0; a < d; a++)
        {
            long idx = 0;
            for (int j = 0; j < k; j++)
                if ((a >> j & 1) != 0) idx |= 1L << targets[j];
            off[a] = idx;
        }
        sigma[..(d * d)].Clear();
        long restCount = psi.Length >> k;
        Span<Complex> amp = stackalloc Complex[d];
        for (long t = 0; t < restCount; t++)
        {
            long rest = BitIndex.Deposit(t, mask);
            for (int a = 0; a < d; a++) amp[a] = psi[(int)(rest | off[a])];
            for (int a = 0; a < d; a++)
            {
                if (amp[a] == Complex.Zero) continue;
                for (int b = 0; b < d; b++) sigma[a * d + b] += amp[a] * Complex.Conjugate(amp[b]);
            }
        }
    }

    /// <summary>Σ_{rc} |ρ_{rc}|² = Tr(ρ²) for Hermitian ρ.</summary>
    public static double SumSquares(ReadOnlySpan<Complex> rho)
    {
        double s = 0;
        foreach (var v in rho) s += v.Real * v.Real + v.Imaginary * v.Imaginary;
        return s;
    }

    /// <summary>Places the bits of <paramref name="i"/>, lowest first, at the set bits of <paramref name="mask"/>.</summary>
    private static long Scatter(long i, ulong mask)
    {
        long r = 0;
        for (ulong m = mask; m != 0 && i != 0; m &= m - 1, i >>= 1)
            if ((i & 1) != 0) r |= 1L << BitOperations.TrailingZeroCount(m);
        return r;
    }
}
