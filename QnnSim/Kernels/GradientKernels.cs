using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    /// returns Σ_k conj(λ_k)(Pψ)_k for the states as given (after the gate), then applies the inverse rotation
    /// exp(+iφP/2) to both ψ and λ. One pass over both vectors instead of three. Pauli selected by (x, z) bits:
    /// X = (1, 0), Y = (1, 1), Z = (0, 1).
    /// </summary>
    public static Complex BackwardRotation1(int target, bool x, bool z, double cos, double sin,
        Span<Complex> lambda, Span<Complex> psi)
    {
        Debug.Assert(lambda.Length == psi.Length && (x || z));
        ref Complex l = ref MemoryMarshal.GetReference(lambda);
        ref Complex p = ref MemoryMarshal.GetReference(psi);
        long stride = 1L << target;
        long n = psi.Length;
        double re = 0, im = 0;
        // Inverse rotation exp(+iφP/2) = cos·I + i·sin·P on each pair (a = amplitude with bit 0, b = with bit 1).
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
                // (Pψ)_a, (Pψ)_b.
                double qar, qai, qbr, qbi;
                if (x && !z) { qar = pbr; qai = pbi; qbr = par; qbi = pai; }            // X
                else if (x) { qar = pbi; qai = -pbr; qbr = -pai; qbi = par; }          // Y: (−i ψ_b, i ψ_a)
                else { qar = par; qai = pai; qbr = -pbr; qbi = -pbi; }                 // Z
                re += lar * qar + lai * qai + lbr * qbr + lbi * qbi;
                im += lar * qai - lai * qar + lbr * qbi - lbi * qbr;
                // ψ ← cos ψ + i sin Pψ.
                pa = new Complex(cos * par - sin * qai, cos * pai + sin * qar);
                pb = new Complex(cos * pbr - sin * qbi, cos * pbi + sin * qbr);
                // λ likewise.
                double mar, mai, mbr, mbi;
                if (x && !z) { mar = lbr; mai = lbi; mbr = lar; mbi = lai; }
                else if (x) { mar = lbi; mai = -lbr; mbr = -lai; mbi = lar; }
                else { mar = lar; mai = lai; mbr = -lbr; mbi = -lbi; }
                la = new Complex(cos * lar - sin * mai, cos * lai + sin * mar);
                lb = new Complex(cos * lbr - sin * mbi, cos * lbi + sin * mbr);
            }
        }
        return new Complex(re, im);
    }
}
