using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QnnSim.Kernels;

/// <summary>
/// Kernels of the adjoint gradient: fused inner products ⟨λ|G|ψ⟩ for the three generator kinds of the lowered
/// steps, and λ ← λ + c·Pψ for building the co-state of a Pauli sum. None of them materialises Gψ.
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
    /// Fused backward step of an uncontrolled one-qubit rotation exp(−iφP/2), P ∈ {X, Y, Z} on <paramref name="target"/>:
    /// returns Im⟨λ|P|ψ⟩ for the states as given (after the gate), then applies the inverse rotation
    /// exp(+iφP/2) = cos(φ/2)·I + i·sin(φ/2)·P to both ψ and λ. One pass over both vectors instead of three.
    /// <paramref name="pauli"/>: 1 = X, 2 = Y, 3 = Z. Uses 256-bit registers when AVX is available and the state
    /// holds at least four amplitudes; the scalar loop otherwise (or when <paramref name="scalar"/> is set).
    /// </summary>
    public static double BackwardRotation1(int target, int pauli, double cos, double sin, Span<Complex> lambda, Span<Complex> psi, bool scalar = false)
    {
        Debug.Assert(lambda.Length == psi.Length && pauli is >= 1 and <= 3 && (1L << target) < psi.Length);
        if (!scalar && Avx.IsSupported && psi.Length >= 4)
            return pauli switch
            {
                1 => BackwardRotation1Vector<RotX>(target, cos, sin, lambda, psi),
                2 => BackwardRotation1Vector<RotY>(target, cos, sin, lambda, psi),
                _ => BackwardRotation1Vector<RotZ>(target, cos, sin, lambda, psi),
            };
        return BackwardRotation1Scalar(target, pauli, cos, sin, lambda, psi);
    }

    /// <summary>The scalar reference of <see cref="BackwardRotation1"/>.</summary>
    public static double BackwardRotation1Scalar(int target, int pauli, double cos, double sin, Span<Complex> lambda, Span<Complex> psi)
    {
        ref Complex l = ref MemoryMarshal.GetReference(lambda);
        ref Complex p = ref MemoryMarshal.GetReference(psi);
        long stride = 1L << target;
        long n = psi.Length;
        double im = 0;
        bool x = pauli != 3, z = pauli != 1;
        for (long blockStart = 0; blockStart < n; blockStart += stride << 1)
        {
            for (long i0 = blockStart; i0 < blockStart + stride; i0++)
            {
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
        }
        return im;
    }

    /// <summary>
    /// One register step of a fused backward rotation on pair vectors: A holds two amplitudes with the target bit 0,
    /// B the partners with the bit 1. Updates ψ (pa, pb) and λ (la, lb) and adds to the accumulator whose lane sum
    /// (weighted by <c>Alt</c> where noted) is Im⟨λ|P|ψ⟩.
    /// </summary>
    private interface IRotation
    {
        static abstract void Step(ref Vector256<double> pa, ref Vector256<double> pb, ref Vector256<double> la, ref Vector256<double> lb,
            Vector256<double> cos, Vector256<double> sin, ref Vector256<double> acc);
    }

    /// <summary>(re, im) → (im, re) in each amplitude.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Swap(Vector256<double> v) => Avx.Permute(v, 0b0101);

    /// <summary>i·v: (re, im) → (−im, re).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> TimesI(Vector256<double> v) => Swap(v) * Vector256.Create(-1.0, 1.0, -1.0, 1.0);

    /// <summary>Lanes (l.re·q.im, l.im·q.re): their alternating sum is Im(conj(l)·q).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ImProduct(Vector256<double> l, Vector256<double> q) => l * Swap(q) * Vector256.Create(1.0, -1.0, 1.0, -1.0);

    private readonly struct RotX : IRotation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Step(ref Vector256<double> pa, ref Vector256<double> pb, ref Vector256<double> la, ref Vector256<double> lb,
            Vector256<double> cos, Vector256<double> sin, ref Vector256<double> acc)
        {
            // (Pψ)_a = ψ_b, (Pψ)_b = ψ_a.
            acc += ImProduct(la, pb) + ImProduct(lb, pa);
            Vector256<double> a = pa, b = pb;
            pa = cos * a + sin * TimesI(b);
            pb = cos * b + sin * TimesI(a);
            a = la; b = lb;
            la = cos * a + sin * TimesI(b);
            lb = cos * b + sin * TimesI(a);
        }
    }

    private readonly struct RotY : IRotation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Step(ref Vector256<double> pa, ref Vector256<double> pb, ref Vector256<double> la, ref Vector256<double> lb,
            Vector256<double> cos, Vector256<double> sin, ref Vector256<double> acc)
        {
            // (Pψ)_a = −iψ_b, (Pψ)_b = iψ_a: Im(conj(λ_a)(−iψ_b) + conj(λ_b)(iψ_a)) = Re(conj(λ_b)ψ_a) − Re(conj(λ_a)ψ_b),
            // and the inverse rotation is real: ψ_a ← cos ψ_a + sin ψ_b, ψ_b ← cos ψ_b − sin ψ_a.
            // Re(conj(l)·q) is the plain lane sum of l·q.
            acc += lb * pa - la * pb;
            Vector256<double> a = pa, b = pb;
            pa = cos * a + sin * b;
            pb = cos * b - sin * a;
            a = la; b = lb;
            la = cos * a + sin * b;
            lb = cos * b - sin * a;
        }
    }

    private readonly struct RotZ : IRotation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Step(ref Vector256<double> pa, ref Vector256<double> pb, ref Vector256<double> la, ref Vector256<double> lb,
            Vector256<double> cos, Vector256<double> sin, ref Vector256<double> acc)
        {
            acc += ImProduct(la, pa) - ImProduct(lb, pb);
            pa = cos * pa + sin * TimesI(pa);
            pb = cos * pb - sin * TimesI(pb);
            la = cos * la + sin * TimesI(la);
            lb = cos * lb - sin * TimesI(lb);
        }
    }

    private static double BackwardRotation1Vector<TRot>(int target, double cosValue, double sinValue, Span<Complex> lambda, Span<Complex> psi)
        where TRot : struct, IRotation
    {
        ref double l = ref Unsafe.As<Complex, double>(ref MemoryMarshal.GetReference(lambda));
        ref double p = ref Unsafe.As<Complex, double>(ref MemoryMarshal.GetReference(psi));
        var cos = Vector256.Create(cosValue);
        var sin = Vector256.Create(sinValue);
        var acc = Vector256<double>.Zero;
        long n = psi.Length;
        if (target == 0)
        {
            // A register holds one pair (a, b); two registers give A = (a0, a1), B = (b0, b1) by 128-bit lane moves.
            for (long i = 0; i < n; i += 4)
            {
                nuint o = (nuint)(2 * i);
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
        }
        else
        {
            long stride = 1L << target;
            for (long blockStart = 0; blockStart < n; blockStart += stride << 1)
            {
                for (long i = blockStart; i < blockStart + stride; i += 2)
                {
                    nuint oa = (nuint)(2 * i), ob = (nuint)(2 * (i + stride));
                    var pa = Vector256.LoadUnsafe(ref p, oa);
                    var pb = Vector256.LoadUnsafe(ref p, ob);
                    var la = Vector256.LoadUnsafe(ref l, oa);
                    var lb = Vector256.LoadUnsafe(ref l, ob);
                    TRot.Step(ref pa, ref pb, ref la, ref lb, cos, sin, ref acc);
                    pa.StoreUnsafe(ref p, oa);
                    pb.StoreUnsafe(ref p, ob);
                    la.StoreUnsafe(ref l, oa);
                    lb.StoreUnsafe(ref l, ob);
                }
            }
        }
        return acc.GetElement(0) + acc.GetElement(1) + acc.GetElement(2) + acc.GetElement(3);
    }
}
