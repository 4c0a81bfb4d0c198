using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QnnSim.Kernels;

/// <summary>
/// Scalar kernels of the adjoint gradient: fused inner products ⟨λ|G|ψ⟩ for the three generator kinds of the lowered
/// steps, λ ← λ + c·Pψ for building the co-state of a Pauli sum, and the fused backward rotation (with its AVX form
/// for qubit 0). None of them materialises Gψ. <see cref="VectorGradientKernels{TO, TV}"/> holds the SIMD forms;
/// Simulation's StateOperations chooses between them per step and path.
/// </summary>
/// <remarks>
/// Argument order as in <see cref="StateKernels"/>: control mask and values, Pauli masks, coefficient, the state
/// spans, then the range. Assumptions (Debug.Assert only): λ and ψ have the same power-of-two length; control bits are
/// disjoint from the Pauli masks; ctrlValue ⊆ ctrlMask. Ranges are over the free index (basis index with the control
/// bits removed), so a caller can sum fixed chunks in a fixed order and get thread-count-independent results.
/// </remarks>
internal static class GradientKernels
{
    /// <summary>
    /// Σ_{k in the control subspace} conj(λ_k) (Pψ)_k over free indices [begin, end), where the free index removes the
    /// control bits. P|j⟩ = i^{#Y} (−1)^{popcount(j ∧ z)} |j ⊕ x⟩, so (Pψ)_{j⊕x} = i^{#Y} (−1)^{popcount(j ∧ z)} ψ_j and
    /// the sum runs over the source index j: Σ_j conj(λ_{j⊕x}) i^{#Y} (−1)^{popcount(j ∧ z)} ψ_j.
    /// </summary>
    public static Complex InnerPauli(ulong ctrlMask, ulong ctrlValue, ulong xMask, ulong zMask, int yCount,
        ReadOnlySpan<Complex> lambda, ReadOnlySpan<Complex> psi, long begin, long end)
    {
        Debug.Assert(lambda.Length == psi.Length && (ctrlMask & (xMask | zMask)) == 0 && (ctrlValue & ~ctrlMask) == 0);
        ref Complex l = ref MemoryMarshal.GetReference(lambda);
        ref Complex p = ref MemoryMarshal.GetReference(psi);
        double re = 0, im = 0;
        long x = (long)xMask;
        if (ctrlMask == 0)
        {
            // No controls: the free index is the basis index; sign bits only depend on j ∧ z.
            if (zMask == 0)
            {
                for (long j = begin; j < end; j++)
                {
                    Complex a = Unsafe.Add(ref l, (nint)(j ^ x)), b = Unsafe.Add(ref p, (nint)j);
                    re += a.Real * b.Real + a.Imaginary * b.Imaginary;
                    im += a.Real * b.Imaginary - a.Imaginary * b.Real;
                }
            }
            else
            {
                for (long j = begin; j < end; j++)
                {
                    Complex a = Unsafe.Add(ref l, (nint)(j ^ x)), b = Unsafe.Add(ref p, (nint)j);
                    double r = a.Real * b.Real + a.Imaginary * b.Imaginary;
                    double i = a.Real * b.Imaginary - a.Imaginary * b.Real;
                    if ((BitOperations.PopCount((ulong)j & zMask) & 1) != 0) { r = -r; i = -i; }
                    re += r;
                    im += i;
                }
            }
        }
        else
        {
            Span<int> bits = stackalloc int[64];
            int nb = BitIndex.SortedBits(ctrlMask, bits);
            ReadOnlySpan<int> sb = bits[..nb];
            for (long f = begin; f < end; f++)
            {
                long j = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
                Complex a = Unsafe.Add(ref l, (nint)(j ^ x)), b = Unsafe.Add(ref p, (nint)j);
                double r = a.Real * b.Real + a.Imaginary * b.Imaginary;
                double i = a.Real * b.Imaginary - a.Imaginary * b.Real;
                if ((BitOperations.PopCount((ulong)j & zMask) & 1) != 0) { r = -r; i = -i; }
                re += r;
                im += i;
            }
        }
        return StateKernels.IPower(yCount) * new Complex(re, im);
    }

    /// <summary>
    /// Σ_{k : k ∧ mask = value} conj(λ_k) ψ_k over free indices [begin, end) (the free index removes the bits of
    /// <paramref name="mask"/>): ⟨λ|Π|ψ⟩ for the projector Π onto a subspace fixed by some bits.
    /// </summary>
    public static Complex InnerSubspace(ulong mask, ulong value, ReadOnlySpan<Complex> lambda, ReadOnlySpan<Complex> psi, long begin, long end)
    {
        Debug.Assert(lambda.Length == psi.Length && (value & ~mask) == 0);
        ref Complex l = ref MemoryMarshal.GetReference(lambda);
        ref Complex p = ref MemoryMarshal.GetReference(psi);
        double re = 0, im = 0;
        if (mask == 0)
        {
            for (long k = begin; k < end; k++)
            {
                Complex a = Unsafe.Add(ref l, (nint)k), b = Unsafe.Add(ref p, (nint)k);
                re += a.Real * b.Real + a.Imaginary * b.Imaginary;
                im += a.Real * b.Imaginary - a.Imaginary * b.Real;
            }
            return new Complex(re, im);
        }
        Span<int> bits = stackalloc int[64];
        int nb = BitIndex.SortedBits(mask, bits);
        ReadOnlySpan<int> sb = bits[..nb];
        if (nb == 1)
        {
            // One fixed bit (a phase gate's target): contiguous runs of 2^t amplitudes.
            int t = sb[0];
            long run = 1L << t, off = (long)value;
            for (long f = begin; f < end;)
            {
                long low = f & (run - 1);
                long runEnd = Math.Min(end, f - low + run);
                long baseIndex = ((f - low) << 1) | off;
                for (long u = low; u < low + (runEnd - f); u++)
                {
                    Complex a = Unsafe.Add(ref l, (nint)(baseIndex + u)), b = Unsafe.Add(ref p, (nint)(baseIndex + u));
                    re += a.Real * b.Real + a.Imaginary * b.Imaginary;
                    im += a.Real * b.Imaginary - a.Imaginary * b.Real;
                }
                f = runEnd;
            }
            return new Complex(re, im);
        }
        for (long f = begin; f < end; f++)
        {
            long k = BitIndex.InsertZeros(f, sb) | (long)value;
            Complex a = Unsafe.Add(ref l, (nint)k), b = Unsafe.Add(ref p, (nint)k);
            re += a.Real * b.Real + a.Imaginary * b.Imaginary;
            im += a.Real * b.Imaginary - a.Imaginary * b.Real;
        }
        return new Complex(re, im);
    }

    /// <summary>
    /// λ ← λ + c·Pψ over source indices [begin, end) (all basis indices; no controls):
    /// λ_{j⊕x} += c · i^{#Y} (−1)^{popcount(j ∧ z)} ψ_j. With x = z = 0 this is λ ← λ + cψ.
    /// </summary>
    public static void AccumulatePauli(ulong xMask, ulong zMask, int yCount, double coefficient,
        ReadOnlySpan<Complex> psi, Span<Complex> lambda, long begin, long end)
    {
        Debug.Assert(lambda.Length == psi.Length);
        ref Complex l = ref MemoryMarshal.GetReference(lambda);
        ref Complex p = ref MemoryMarshal.GetReference(psi);
        Complex c = coefficient * StateKernels.IPower(yCount);
        long x = (long)xMask;
        for (long j = begin; j < end; j++)
        {
            Complex v = c * Unsafe.Add(ref p, (nint)j);
            if ((BitOperations.PopCount((ulong)j & zMask) & 1) != 0) v = -v;
            Unsafe.Add(ref l, (nint)(j ^ x)) += v;
        }
    }

    /// <summary>
    /// Fused backward step of an uncontrolled one-qubit rotation exp(−iφP/2), P ∈ {X, Y, Z} on <paramref name="target"/>,
    /// scalar reference: over the amplitude pairs f ∈ [begin, end) (the pair index is the basis index with the target
    /// bit removed) returns the pairs' share of Im⟨λ|P|ψ⟩ for the states as given (after the gate), then applies the
    /// inverse rotation exp(+iφP/2) = cos(φ/2)·I + i·sin(φ/2)·P to those pairs of ψ and λ. One pass over both
    /// vectors instead of three. <paramref name="pauli"/>: 1 = X, 2 = Y, 3 = Z.
    /// </summary>
    public static double BackwardRotation1Scalar(int target, int pauli, double cos, double sin, Span<Complex> lambda, Span<Complex> psi,
        long begin, long end)
    {
        Debug.Assert(lambda.Length == psi.Length && pauli is >= 1 and <= 3 && (1L << target) < psi.Length && end <= psi.Length / 2);
        ref Complex l = ref MemoryMarshal.GetReference(lambda);
        ref Complex p = ref MemoryMarshal.GetReference(psi);
        long stride = 1L << target;
        double im = 0;
        bool x = pauli != 3, z = pauli != 1;
        for (long f = begin; f < end; f++)
        {
            // Pair index → lower member: the target bit inserted as 0.
            long i0 = ((f >> target) << (target + 1)) | (f & (stride - 1));
            ref Complex pa = ref Unsafe.Add(ref p, (nint)i0);
            ref Complex pb = ref Unsafe.Add(ref p, (nint)(i0 + stride));
            ref Complex la = ref Unsafe.Add(ref l, (nint)i0);
            ref Complex lb = ref Unsafe.Add(ref l, (nint)(i0 + stride));
            double par = pa.Real, pai = pa.Imaginary, pbr = pb.Real, pbi = pb.Imaginary;
            double lar = la.Real, lai = la.Imaginary, lbr = lb.Real, lbi = lb.Imaginary;
            double qar, qai, qbr, qbi;
            if (x && !z) { qar = pbr; qai = pbi; qbr = par; qbi = pai; }            // X
            else if (x) { qar = pbi; qai = -pbr; qbr = -pai; qbi = par; }          // Y: (−i ψ_b, i ψ_a)
            else { qar = par; qai = pai; qbr = -pbr; qbi = -pbi; }                 // Z
            im += lar * qai - lai * qar + lbr * qbi - lbi * qbr;
            pa = new Complex(cos * par - sin * qai, cos * pai + sin * qar);
            pb = new Complex(cos * pbr - sin * qbi, cos * pbi + sin * qbr);
            double mar, mai, mbr, mbi;
            if (x && !z) { mar = lbr; mai = lbi; mbr = lar; mbi = lai; }
            else if (x) { mar = lbi; mai = -lbr; mbr = -lai; mbi = lar; }
            else { mar = lar; mai = lai; mbr = -lbr; mbi = -lbi; }
            la = new Complex(cos * lar - sin * mai, cos * lai + sin * mar);
            lb = new Complex(cos * lbr - sin * mbi, cos * lbi + sin * mbr);
        }
        return im;
    }

    /// <summary>
    /// <see cref="BackwardRotation1Scalar"/> for target 0 with 256-bit registers (AVX): one register holds one pair
    /// (a, b), two registers give A = (a0, a1), B = (b0, b1) by 128-bit lane moves. The range [begin, end) runs over
    /// groups of two pairs (four amplitudes), so a state of 2^n amplitudes has 2^(n−2) of them.
    /// </summary>
    public static double BackwardRotation1Target0Avx(int pauli, double cos, double sin, Span<Complex> lambda, Span<Complex> psi, long begin, long end)
    {
        Debug.Assert(Avx.IsSupported && psi.Length >= 4 && end <= psi.Length / 4);
        return pauli switch
        {
            1 => Target0Avx<VectorRotations<Simd256, Vector256<double>>.X>(cos, sin, lambda, psi, begin, end),
            2 => Target0Avx<VectorRotations<Simd256, Vector256<double>>.Y>(cos, sin, lambda, psi, begin, end),
            _ => Target0Avx<VectorRotations<Simd256, Vector256<double>>.Z>(cos, sin, lambda, psi, begin, end),
        };
    }

    private static double Target0Avx<TRot>(double cosValue, double sinValue, Span<Complex> lambda, Span<Complex> psi, long begin, long end)
        where TRot : struct, IRotation<Simd256, Vector256<double>>
    {
        ref double l = ref Unsafe.As<Complex, double>(ref MemoryMarshal.GetReference(lambda));
        ref double p = ref Unsafe.As<Complex, double>(ref MemoryMarshal.GetReference(psi));
        var cos = Vector256.Create(cosValue);
        var sin = Vector256.Create(sinValue);
        var acc = Vector256<double>.Zero;
        for (long g = begin; g < end; g++)
        {
            nuint o = (nuint)(8 * g);
            var v1 = Vector256.LoadUnsafe(ref p, o);
            var v2 = Vector256.LoadUnsafe(ref p, o + 4);
            var w1 = Vector256.LoadUnsafe(ref l, o);
            var w2 = Vector256.LoadUnsafe(ref l, o + 4);
            var pa = Avx.Permute2x128(v1, v2, 0x20);
            var pb = Avx.Permute2x128(v1, v2, 0x31);
            var la = Avx.Permute2x128(w1, w2, 0x20);
            var lb = Avx.Permute2x128(w1, w2, 0x31);
            TRot.Step(ref pa, ref pb, ref la, ref lb, cos, sin, ref acc);
            Avx.Permute2x128(pa, pb, 0x20).StoreUnsafe(ref p, o);
            Avx.Permute2x128(pa, pb, 0x31).StoreUnsafe(ref p, o + 4);
            Avx.Permute2x128(la, lb, 0x20).StoreUnsafe(ref l, o);
            Avx.Permute2x128(la, lb, 0x31).StoreUnsafe(ref l, o + 4);
        }
        return TRot.Finish(acc);
    }
}

/// <summary>
/// One register step of a fused backward rotation on pair registers: A holds amplitudes with the target bit 0, B the
/// partners with the bit 1. Updates ψ (pa, pb) and λ (la, lb) and adds to an accumulator from which
/// <see cref="Finish"/> returns Im⟨λ|P|ψ⟩.
/// </summary>
internal interface IRotation<TO, TV> where TO : struct, ISimd<TV> where TV : unmanaged
{
    static abstract void Step(ref TV pa, ref TV pb, ref TV la, ref TV lb, TV cos, TV sin, ref TV acc);

    static abstract double Finish(TV acc);
}

/// <summary>
/// SIMD kernels of the adjoint method written once for every register width (Simd128/256/512), as
/// <see cref="VectorKernels{TO, TV}"/>: the fused backward rotation on a high target, λ ← λ + c·Pψ, and ⟨λ|P|ψ⟩.
/// Ranges run over register indices (basis index ≫ LaneBits) or register pairs, as each method says; a partial sum
/// is accumulated in index order and summed across lanes in a fixed order, so it depends only on the path and the
/// range, never on threads.
/// </summary>
/// <remarks>Assumptions (Debug.Assert only): λ and ψ have the same power-of-two length of at least one register (two
/// for the fused rotation).</remarks>
[SkipLocalsInit]
internal static class VectorGradientKernels<TO, TV> where TO : struct, ISimd<TV> where TV : unmanaged
{
    private static int Lb => TO.LaneBits;
    private static ulong LaneMask => (ulong)TO.Amps - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref double Base(ReadOnlySpan<Complex> s) => ref Unsafe.As<Complex, double>(ref MemoryMarshal.GetReference(s));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Load(ref double d, long v) => TO.Load(ref Unsafe.Add(ref d, (nint)(v << (Lb + 1))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double d, long v, TV x) => TO.Store(x, ref Unsafe.Add(ref d, (nint)(v << (Lb + 1))));

    /// <summary>The register with s_j on both doubles of amplitude lane j (from a ±1 per lane).</summary>
    private static TV LaneSigns(ReadOnlySpan<double> perLane, double scale, bool alternate)
    {
        Span<double> x = stackalloc double[8];
        for (int j = 0; j < TO.Amps; j++)
        {
            x[2 * j] = scale * perLane[j] * (alternate ? -1 : 1);
            x[2 * j + 1] = scale * perLane[j];
        }
        return TO.Create(x[..(2 * TO.Amps)]);
    }

    /// <summary>
    /// The fused backward rotation (see <see cref="GradientKernels.BackwardRotation1Scalar"/>) on a target at or above
    /// LaneBits: register pairs (A, A + 2^(target−LaneBits)), the range [begin, end) over pair indices (register index
    /// with the target's register bit removed: 2^n / Amps / 2 of them). Returns the range's share of Im⟨λ|P|ψ⟩.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double BackwardRotation1High(int target, int pauli, double cos, double sin, Span<Complex> lambda, Span<Complex> psi,
        long begin, long end)
    {
        Debug.Assert(target >= Lb && lambda.Length == psi.Length && end <= psi.Length / TO.Amps / 2);
        return pauli switch
        {
            1 => High<VectorRotations<TO, TV>.X>(target - Lb, cos, sin, lambda, psi, begin, end),
            2 => High<VectorRotations<TO, TV>.Y>(target - Lb, cos, sin, lambda, psi, begin, end),
            _ => High<VectorRotations<TO, TV>.Z>(target - Lb, cos, sin, lambda, psi, begin, end),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double High<TRot>(int bit, double cosValue, double sinValue, Span<Complex> lambda, Span<Complex> psi, long begin, long end)
        where TRot : struct, IRotation<TO, TV>
    {
        ref double l = ref Base(lambda);
        ref double p = ref Base(psi);
        TV cos = TO.Broadcast(cosValue), sin = TO.Broadcast(sinValue), acc = TO.Zero;
        long stride = 1L << bit;
        for (long f = begin; f < end;)
        {
            // A run of consecutive pair indices maps to consecutive registers: walk it without re-deriving the index.
            long low = f & (stride - 1);
            long runEnd = Math.Min(end, f - low + stride);
            long a0 = ((f - low) << 1) | low;
            for (long a = a0; a < a0 + (runEnd - f); a++)
            {
                TV pa = Load(ref p, a), pb = Load(ref p, a + stride), la = Load(ref l, a), lb = Load(ref l, a + stride);
                TRot.Step(ref pa, ref pb, ref la, ref lb, cos, sin, ref acc);
                Store(ref p, a, pa);
                Store(ref p, a + stride, pb);
                Store(ref l, a, la);
                Store(ref l, a + stride, lb);
            }
            f = runEnd;
        }
        return TRot.Finish(acc);
    }

    /// <summary>
    /// λ ← λ + c·Pψ on the destination registers [begin, end): λ_k += c·i^{#Y}·(−1)^{popcount((k ⊕ x) ∧ z)}·ψ_{k⊕x}.
    /// Each destination is written by its own register only, so ranges may run on different threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulatePauli(ulong xMask, ulong zMask, int yCount, double coefficient, ReadOnlySpan<Complex> psi, Span<Complex> lambda,
        long begin, long end)
    {
        Debug.Assert(lambda.Length == psi.Length && psi.Length >= TO.Amps);
        ref double p = ref Base(psi);
        ref double l = ref Base(lambda);
        int xl = (int)(xMask & LaneMask);
        long xh = (long)(xMask >> Lb);
        ulong zh = zMask >> Lb, zl = zMask & LaneMask;
        // c·i^y is real (y even) or imaginary (y odd); ±1 for y mod 4 ∈ {2, 3}.
        double scale = coefficient * ((yCount & 2) == 0 ? 1 : -1);
        bool imaginary = (yCount & 1) != 0;
        Span<double> signs = stackalloc double[4];
        for (int j = 0; j < TO.Amps; j++) signs[j] = (BitOperations.PopCount((ulong)(j ^ xl) & zl) & 1) == 0 ? 1 : -1;
        // Imaginary c: c·(re, im) = |c|·(−im, re) = swap(ψ)·(−|c|, |c|).
        TV even = LaneSigns(signs, scale, imaginary), odd = TO.Sub(TO.Zero, even);
        for (long v = begin; v < end; v++)
        {
            long u = v ^ xh;
            TV src = TO.XorAmps(Load(ref p, u), xl);
            if (imaginary) src = TO.SwapReIm(src);
            bool oddRegister = (BitOperations.PopCount((ulong)u & zh) & 1) != 0;
            Store(ref l, v, TO.Fma(src, oddRegister ? odd : even, Load(ref l, v)));
        }
    }

    /// <summary>
    /// Σ_j conj(λ_{j⊕x}) i^{#Y} (−1)^{popcount(j ∧ z)} ψ_j over the source registers [begin, end) (no controls): the
    /// range's share of ⟨λ|P|ψ⟩.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Complex InnerPauli(ulong xMask, ulong zMask, int yCount, ReadOnlySpan<Complex> lambda, ReadOnlySpan<Complex> psi, long begin, long end)
    {
        Debug.Assert(lambda.Length == psi.Length && psi.Length >= TO.Amps);
        ref double p = ref Base(psi);
        ref double l = ref Base(lambda);
        int xl = (int)(xMask & LaneMask);
        long xh = (long)(xMask >> Lb);
        ulong zh = zMask >> Lb, zl = zMask & LaneMask;
        Span<double> signs = stackalloc double[4];
        for (int j = 0; j < TO.Amps; j++) signs[j] = (BitOperations.PopCount((ulong)j & zl) & 1) == 0 ? 1 : -1;
        TV even = LaneSigns(signs, 1, false), odd = TO.Sub(TO.Zero, even);
        TV re = TO.Zero, im = TO.Zero;
        for (long u = begin; u < end; u++)
        {
            TV b = Load(ref p, u);
            bool oddRegister = (BitOperations.PopCount((ulong)u & zh) & 1) != 0;
            TV a = TO.Mul(TO.XorAmps(Load(ref l, u ^ xh), xl), oddRegister ? odd : even);
            re = TO.Fma(a, b, re);                 // (a.re b.re, a.im b.im): Re conj(a) b
            im = TO.Fma(a, TO.SwapReIm(b), im);    // (a.re b.im, a.im b.re): Im conj(a) b with signs (+, −)
        }
        var sum = new Complex(TO.Sum(re), -TO.Sum(TO.Mul(im, TO.AltSign)));
        return StateKernels.IPower(yCount) * sum;
    }
}

/// <summary>The three rotation steps of the fused backward rotation, for any register width.</summary>
internal static class VectorRotations<TO, TV> where TO : struct, ISimd<TV> where TV : unmanaged
{
    /// <summary>i·v: (re, im) → (−im, re).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV TimesI(TV v) => TO.Mul(TO.SwapReIm(v), TO.AltSign);

    /// <summary>Lanes (l.re·q.im, l.im·q.re): Im(conj(l)·q) is their sum with signs (+, −), applied once in Finish.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Cross(TV l, TV q) => TO.Mul(l, TO.SwapReIm(q));

    /// <summary>Σ lanes with signs (+, −): the imaginary part accumulated by <see cref="Cross"/>.</summary>
    private static double ImSum(TV acc) => -TO.Sum(TO.Mul(acc, TO.AltSign));

    public readonly struct X : IRotation<TO, TV>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Step(ref TV pa, ref TV pb, ref TV la, ref TV lb, TV cos, TV sin, ref TV acc)
        {
            // (Pψ)_a = ψ_b, (Pψ)_b = ψ_a; the inverse rotation is cos·I + i·sin·X.
            acc = TO.Add(acc, TO.Add(Cross(la, pb), Cross(lb, pa)));
            TV a = pa, b = pb;
            pa = TO.Fma(cos, a, TO.Mul(sin, TimesI(b)));
            pb = TO.Fma(cos, b, TO.Mul(sin, TimesI(a)));
            a = la; b = lb;
            la = TO.Fma(cos, a, TO.Mul(sin, TimesI(b)));
            lb = TO.Fma(cos, b, TO.Mul(sin, TimesI(a)));
        }

        public static double Finish(TV acc) => ImSum(acc);
    }

    public readonly struct Y : IRotation<TO, TV>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Step(ref TV pa, ref TV pb, ref TV la, ref TV lb, TV cos, TV sin, ref TV acc)
        {
            // (Pψ)_a = −iψ_b, (Pψ)_b = iψ_a: Im(conj(λ_a)(−iψ_b) + conj(λ_b)(iψ_a)) = Re(conj(λ_b)ψ_a) − Re(conj(λ_a)ψ_b),
            // and the inverse rotation is real: ψ_a ← cos ψ_a + sin ψ_b, ψ_b ← cos ψ_b − sin ψ_a.
            // Re(conj(l)·q) is the plain lane sum of l·q.
            acc = TO.Add(acc, TO.Sub(TO.Mul(lb, pa), TO.Mul(la, pb)));
            TV a = pa, b = pb;
            pa = TO.Fma(cos, a, TO.Mul(sin, b));
            pb = TO.Fma(cos, b, TO.Sub(TO.Zero, TO.Mul(sin, a)));
            a = la; b = lb;
            la = TO.Fma(cos, a, TO.Mul(sin, b));
            lb = TO.Fma(cos, b, TO.Sub(TO.Zero, TO.Mul(sin, a)));
        }

        public static double Finish(TV acc) => TO.Sum(acc);
    }

    public readonly struct Z : IRotation<TO, TV>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Step(ref TV pa, ref TV pb, ref TV la, ref TV lb, TV cos, TV sin, ref TV acc)
        {
            acc = TO.Add(acc, TO.Sub(Cross(la, pa), Cross(lb, pb)));
            pa = TO.Fma(cos, pa, TO.Mul(sin, TimesI(pa)));
            pb = TO.Fma(cos, pb, TO.Sub(TO.Zero, TO.Mul(sin, TimesI(pb))));
            la = TO.Fma(cos, la, TO.Mul(sin, TimesI(la)));
            lb = TO.Fma(cos, lb, TO.Sub(TO.Zero, TO.Mul(sin, TimesI(lb))));
        }

        public static double Finish(TV acc) => ImSum(acc);
    }
}
