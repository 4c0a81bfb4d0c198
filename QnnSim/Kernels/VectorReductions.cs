using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QnnSim.Kernels;

/// <summary>
/// SIMD reductions over a basis-index range [begin, end) (both multiples of <c>TO.Amps</c>). Partial sums are
/// accumulated per register in index order and summed across lanes in a fixed order, so a result depends only on
/// the path and the range, never on threads.
/// </summary>
[System.Runtime.CompilerServices.SkipLocalsInit]
internal static class VectorReductions<TO, TV> where TO : struct, ISimd<TV> where TV : unmanaged
{
    private static int Lb => TO.LaneBits;
    private static ulong LaneMask => (ulong)TO.Amps - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Load(ref double d, long v) => TO.Load(ref Unsafe.Add(ref d, (nint)(v << (Lb + 1))));

    private static ref double Base(ReadOnlySpan<Complex> s) => ref Unsafe.As<Complex, double>(ref MemoryMarshal.GetReference(s));

    private static TV Lanes(ReadOnlySpan<double> perAmpRe, ReadOnlySpan<double> perAmpIm)
    {
        Span<double> x = stackalloc double[8];
        for (int j = 0; j < TO.Amps; j++) { x[2 * j] = perAmpRe[j]; x[2 * j + 1] = perAmpIm[j]; }
        return TO.Create(x[..(2 * TO.Amps)]);
    }

    /// <summary>Σ_k |ψ_k|² over [begin, end).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double NormSquared(ReadOnlySpan<Complex> state, long begin, long end)
    {
        ref double d = ref Base(state);
        TV acc = TO.Zero;
        for (long v = begin >> Lb; v < end >> Lb; v++) { TV x = Load(ref d, v); acc = TO.Fma(x, x, acc); }
        return TO.Sum(acc);
    }

    /// <summary>⟨a|b⟩ = Σ_k conj(a_k) b_k over [begin, end).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Complex InnerProduct(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b, long begin, long end)
    {
        ref double da = ref Base(a), db = ref Base(b);
        TV re = TO.Zero, im = TO.Zero;
        for (long v = begin >> Lb; v < end >> Lb; v++)
        {
            TV x = Load(ref da, v), y = Load(ref db, v);
            re = TO.Fma(x, y, re);
            im = TO.Fma(x, TO.SwapReIm(y), im); // (a.re b.im, a.im b.re)
        }
        Span<double> one = stackalloc double[4], minus = stackalloc double[4];
        one.Fill(1); minus.Fill(-1);
        TV sign = Lanes(one, minus);
        return new Complex(TO.Sum(re), TO.Sum(TO.Mul(im, sign)));
    }

    /// <summary>
    /// Re Σ_{k ∈ [begin, end)} conj(ψ_{k⊕x}) i^{#Y} (−1)^{popcount(k ∧ z)} ψ_k, the range's share of ⟨ψ|P|ψ⟩.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double ExpectationPauli(ulong xMask, ulong zMask, int yCount, ReadOnlySpan<Complex> state, long begin, long end)
    {
        ref double d = ref Base(state);
        int amps = TO.Amps;
        ulong zl = zMask & LaneMask, zh = zMask >> Lb, xh = xMask >> Lb;
        int xl = (int)(xMask & LaneMask);
        Complex g = StateKernels.IPower(yCount);
        Span<double> pr = stackalloc double[4], pi = stackalloc double[4], cr = stackalloc double[4], ci = stackalloc double[4];
        for (int j = 0; j < amps; j++)
        {
            double s = (BitOperations.PopCount((ulong)j & zl) & 1) == 0 ? 1 : -1;
            pr[j] = pi[j] = s * g.Real;
            cr[j] = s * g.Imaginary;
            ci[j] = -s * g.Imaginary;
        }
        TV wp = Lanes(pr, pi), wc = Lanes(cr, ci);
        TV even = TO.Zero, odd = TO.Zero;
        if (xMask == 0)
        {
            for (long v = begin >> Lb; v < end >> Lb; v++)
            {
                TV x = Load(ref d, v);
                if ((BitOperations.PopCount((ulong)v & zh) & 1) == 0) even = TO.Fma(x, x, even); else odd = TO.Fma(x, x, odd);
            }
            // wp holds the lane signs (g = 1 when x = 0).
            return TO.Sum(TO.Mul(even, wp)) - TO.Sum(TO.Mul(odd, wp));
        }
        for (long v = begin >> Lb; v < end >> Lb; v++)
        {
            TV a = Load(ref d, v);
            TV b = TO.XorAmps(Load(ref d, v ^ (long)xh), xl);
            TV t = TO.Fma(wp, TO.Mul(a, b), TO.Mul(wc, TO.Mul(a, TO.SwapReIm(b))));
            if ((BitOperations.PopCount((ulong)v & zh) & 1) == 0) even = TO.Add(even, t); else odd = TO.Add(odd, t);
        }
        return TO.Sum(even) - TO.Sum(odd);
    }
}
