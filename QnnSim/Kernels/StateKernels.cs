using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QnnSim.Kernels;

/// <summary>
/// Scalar state-vector kernels. Every kernel takes, in this order: control mask and control values, target
/// qubits, the matrix or angle, the state span, and the half-open range [begin, end) of the free index (the basis
/// index with every control and target bit removed), so a driver can split the work between threads.
/// </summary>
/// <remarks>
/// Assumptions, checked only by Debug.Assert (the public layer validates once):
/// targets are distinct, not in the control mask; ctrlValue ⊆ ctrlMask; state.Length is a power of two larger than
/// every touched bit; 0 ≤ begin ≤ end ≤ state.Length / 2^(targets + controls).
/// A basis index is rebuilt from a free index by inserting zero bits at the sorted touched positions and OR-ing in
/// the control values.
/// </remarks>
[System.Runtime.CompilerServices.SkipLocalsInit]
internal static class StateKernels
{
    /// <summary>Number of free indices of a gate touching <paramref name="touched"/> qubits on a 2^n state.</summary>
    public static long FreeCount(int stateLength, int touched) => (long)stateLength >> touched;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Sorted(ulong mask, Span<int> bits) => BitIndex.SortedBits(mask, bits);

    /// <summary>ψ ← (I ⊗ M ⊗ I) ψ on the control subspace, M = [[m00, m01], [m10, m11]].</summary>
    public static void ApplyMatrix1(ulong ctrlMask, ulong ctrlValue, int target, Complex m00, Complex m01, Complex m10, Complex m11,
        Span<Complex> state, long begin, long end)
    {
        Debug.Assert((ctrlMask >> target & 1) == 0 && (ctrlValue & ~ctrlMask) == 0);
        Span<int> bits = stackalloc int[64];
        int nb = Sorted(ctrlMask | (1UL << target), bits);
        ReadOnlySpan<int> sb = bits[..nb];
        long stride = 1L << target;
        ref Complex s = ref MemoryMarshal.GetReference(state);
        for (long f = begin; f < end; f++)
        {
            long i0 = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
            ref Complex a = ref Unsafe.Add(ref s, (nint)i0);
            ref Complex b = ref Unsafe.Add(ref s, (nint)(i0 + stride));
            Complex x = a, y = b;
            a = m00 * x + m01 * y;
            b = m10 * x + m11 * y;
        }
    }

    /// <summary>ψ ← diag(d0, d1) on the target, on the control subspace.</summary>
    public static void ApplyDiagonal1(ulong ctrlMask, ulong ctrlValue, int target, Complex d0, Complex d1,
        Span<Complex> state, long begin, long end)
    {
        Span<int> bits = stackalloc int[64];
        int nb = Sorted(ctrlMask | (1UL << target), bits);
        ReadOnlySpan<int> sb = bits[..nb];
        long stride = 1L << target;
        ref Complex s = ref MemoryMarshal.GetReference(state);
        bool skip0 = d0 == Complex.One;
        for (long f = begin; f < end; f++)
        {
            long i0 = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
            if (!skip0) Unsafe.Add(ref s, (nint)i0) *= d0;
            Unsafe.Add(ref s, (nint)(i0 + stride)) *= d1;
        }
    }

    /// <summary>
    /// ψ ← M ψ for a dense 4×4 M (row-major, 16 elements) on targets (q0, q1): matrix index bit 0 is q0, bit 1 is q1.
    /// </summary>
    public static void ApplyMatrix2(ulong ctrlMask, ulong ctrlValue, int q0, int q1, ReadOnlySpan<Complex> m,
        Span<Complex> state, long begin, long end)
    {
        Debug.Assert(m.Length == 16 && q0 != q1);
        Span<int> bits = stackalloc int[64];
        int nb = Sorted(ctrlMask | (1UL << q0) | (1UL << q1), bits);
        ReadOnlySpan<int> sb = bits[..nb];
        long s0 = 1L << q0, s1 = 1L << q1;
        ref Complex s = ref MemoryMarshal.GetReference(state);
        for (long f = begin; f < end; f++)
        {
            long i = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
            ref Complex a0 = ref Unsafe.Add(ref s, (nint)i);
            ref Complex a1 = ref Unsafe.Add(ref s, (nint)(i + s0));
            ref Complex a2 = ref Unsafe.Add(ref s, (nint)(i + s1));
            ref Complex a3 = ref Unsafe.Add(ref s, (nint)(i + s0 + s1));
            Complex v0 = a0, v1 = a1, v2 = a2, v3 = a3;
            a0 = m[0] * v0 + m[1] * v1 + m[2] * v2 + m[3] * v3;
            a1 = m[4] * v0 + m[5] * v1 + m[6] * v2 + m[7] * v3;
            a2 = m[8] * v0 + m[9] * v1 + m[10] * v2 + m[11] * v3;
            a3 = m[12] * v0 + m[13] * v1 + m[14] * v2 + m[15] * v3;
        }
    }

    /// <summary>
    /// ψ ← M ψ for a dense 2^k × 2^k M on targets t_0..t_{k−1} (matrix index bit j is t_j). <paramref name="offsets"/>
    /// holds, for each matrix index r, the basis offset Σ_j r_j 2^{t_j}; <paramref name="scratch"/> has 2^k elements.
    /// </summary>
    public static void ApplyMatrixK(ulong ctrlMask, ulong ctrlValue, ulong targetMask, ReadOnlySpan<long> offsets, ReadOnlySpan<Complex> m,
        Span<Complex> scratch, Span<Complex> state, long begin, long end)
    {
        int d = offsets.Length;
        Debug.Assert(m.Length == d * d && scratch.Length >= d);
        Span<int> bits = stackalloc int[64];
        int nb = Sorted(ctrlMask | targetMask, bits);
        ReadOnlySpan<int> sb = bits[..nb];
        for (long f = begin; f < end; f++)
        {
            long i = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
            for (int r = 0; r < d; r++) scratch[r] = state[(int)(i + offsets[r])];
            for (int r = 0; r < d; r++)
            {
                Complex acc = Complex.Zero;
                ReadOnlySpan<Complex> row = m.Slice(r * d, d);
                for (int c = 0; c < d; c++) acc += row[c] * scratch[c];
                state[(int)(i + offsets[r])] = acc;
            }
        }
    }

    /// <summary>
    /// ψ ← P ψ for a Pauli string P with masks (x, z) and #Y = yCount, on the control subspace:
    /// P|k⟩ = i^{#Y} (−1)^{popcount(k ∧ z)} |k ⊕ x⟩. The free index removes the controls and the lowest bit of x
    /// (pairs k ↔ k ⊕ x), or only the controls when x = 0 (diagonal).
    /// </summary>
    public static void ApplyPauli(ulong ctrlMask, ulong ctrlValue, ulong xMask, ulong zMask, int yCount,
        Span<Complex> state, long begin, long end)
    {
        Complex globalPhase = IPower(yCount);
        Span<int> bits = stackalloc int[64];
        ulong pivot = xMask & (~xMask + 1);
        int nb = Sorted(ctrlMask | pivot, bits);
        ReadOnlySpan<int> sb = bits[..nb];
        ref Complex s = ref MemoryMarshal.GetReference(state);
        if (xMask == 0)
        {
            for (long f = begin; f < end; f++)
            {
                long k = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
                Complex ph = (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? globalPhase : -globalPhase;
                Unsafe.Add(ref s, (nint)k) *= ph;
            }
            return;
        }
        for (long f = begin; f < end; f++)
        {
            long k = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
            long k2 = k ^ (long)xMask;
            Complex p1 = (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? globalPhase : -globalPhase;
            Complex p2 = (BitOperations.PopCount((ulong)k2 & zMask) & 1) == 0 ? globalPhase : -globalPhase;
            ref Complex a = ref Unsafe.Add(ref s, (nint)k);
            ref Complex b = ref Unsafe.Add(ref s, (nint)k2);
            Complex va = a, vb = b;
            b = p1 * va; // P|k⟩ lands on k2
            a = p2 * vb;
        }
    }

    /// <summary>
    /// ψ ← exp(−iφP/2) ψ = (cos(φ/2) I − i sin(φ/2) P) ψ on the control subspace, with c = cos(φ/2), s = sin(φ/2).
    /// Same free-index scheme as <see cref="ApplyPauli"/>.
    /// </summary>
    public static void ApplyPauliRotation(ulong ctrlMask, ulong ctrlValue, ulong xMask, ulong zMask, int yCount, double cos, double sin,
        Span<Complex> state, long begin, long end)
    {
        // −i·sin·i^{#Y}: the coefficient of the P term.
        Complex coef = new Complex(0, -sin) * IPower(yCount);
        Span<int> bits = stackalloc int[64];
        ulong pivot = xMask & (~xMask + 1);
        int nb = Sorted(ctrlMask | pivot, bits);
        ReadOnlySpan<int> sb = bits[..nb];
        ref Complex s = ref MemoryMarshal.GetReference(state);
        if (xMask == 0)
        {
            // Diagonal: exp(−iφ(±1)/2) = cos ∓ i sin times i^{#Y} with #Y = 0.
            Complex plus = cos + coef, minus = cos - coef;
            for (long f = begin; f < end; f++)
            {
                long k = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
                Unsafe.Add(ref s, (nint)k) *= (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? plus : minus;
            }
            return;
        }
        for (long f = begin; f < end; f++)
        {
            long k = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
            long k2 = k ^ (long)xMask;
            Complex p1 = (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? coef : -coef;
            Complex p2 = (BitOperations.PopCount((ulong)k2 & zMask) & 1) == 0 ? coef : -coef;
            ref Complex a = ref Unsafe.Add(ref s, (nint)k);
            ref Complex b = ref Unsafe.Add(ref s, (nint)k2);
            Complex va = a, vb = b;
            a = cos * va + p2 * vb;
            b = cos * vb + p1 * va;
        }
    }

    /// <summary>
    /// ψ ← M_h on <paramref name="target"/> where bit <paramref name="sel"/> of the index is h (M_0 = m[0..3], M_1 =
    /// m[4..7], row-major): a 4×4 block-diagonal in <paramref name="sel"/>, e.g. CX(sel→target)·(I ⊗ M) with M_1 = X·M.
    /// Free index: every bit but target and sel.
    /// </summary>
    public static void ApplySelect1(int target, int sel, ReadOnlySpan<Complex> m, Span<Complex> state, long begin, long end)
    {
        Debug.Assert(target != sel && m.Length >= 8);
        Span<int> bits = stackalloc int[64];
        int nb = Sorted((1UL << target) | (1UL << sel), bits);
        ReadOnlySpan<int> sb = bits[..nb];
        long st = 1L << target, ss = 1L << sel;
        ref Complex s = ref MemoryMarshal.GetReference(state);
        for (long f = begin; f < end; f++)
        {
            long i0 = BitIndex.InsertZeros(f, sb);
            for (int h = 0; h < 2; h++)
            {
                long i = i0 + h * ss;
                ref Complex a = ref Unsafe.Add(ref s, (nint)i);
                ref Complex b = ref Unsafe.Add(ref s, (nint)(i + st));
                Complex x = a, y = b;
                a = m[4 * h] * x + m[4 * h + 1] * y;
                b = m[4 * h + 2] * x + m[4 * h + 3] * y;
            }
        }
    }

    /// <summary>Swaps qubits a and b on the control subspace (exchanges amplitudes |..0_a..1_b..⟩ ↔ |..1_a..0_b..⟩).</summary>
    public static void ApplySwap(ulong ctrlMask, ulong ctrlValue, int a, int b, Span<Complex> state, long begin, long end)
    {
        Span<int> bits = stackalloc int[64];
        int nb = Sorted(ctrlMask | (1UL << a) | (1UL << b), bits);
        ReadOnlySpan<int> sb = bits[..nb];
        long sa = 1L << a, sbb = 1L << b;
        ref Complex s = ref MemoryMarshal.GetReference(state);
        for (long f = begin; f < end; f++)
        {
            long i = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
            ref Complex x = ref Unsafe.Add(ref s, (nint)(i + sa));
            ref Complex y = ref Unsafe.Add(ref s, (nint)(i + sbb));
            (x, y) = (y, x);
        }
    }

    /// <summary>Multiplies every amplitude of the control subspace by <paramref name="phase"/> (a global phase when ctrlMask = 0).</summary>
    public static void ApplyPhase(ulong ctrlMask, ulong ctrlValue, Complex phase, Span<Complex> state, long begin, long end)
    {
        Span<int> bits = stackalloc int[64];
        int nb = Sorted(ctrlMask, bits);
        ReadOnlySpan<int> sb = bits[..nb];
        ref Complex s = ref MemoryMarshal.GetReference(state);
        for (long f = begin; f < end; f++)
        {
            long i = BitIndex.InsertZeros(f, sb) | (long)ctrlValue;
            Unsafe.Add(ref s, (nint)i) *= phase;
        }
    }

    /// <summary>
    /// Re ⟨ψ|P|ψ⟩ over basis indices [begin, end) for a Pauli string (x, z, #Y):
    /// Σ_k conj(ψ[k ⊕ x]) i^{#Y} (−1)^{popcount(k ∧ z)} ψ[k]. The full sum is real for Hermitian P.
    /// </summary>
    public static double ExpectationPauli(ulong xMask, ulong zMask, int yCount, ReadOnlySpan<Complex> state, long begin, long end)
    {
        ref Complex s = ref MemoryMarshal.GetReference(state);
        double acc = 0;
        if (xMask == 0)
        {
            for (long k = begin; k < end; k++)
            {
                Complex a = Unsafe.Add(ref s, (nint)k);
                double p = a.Real * a.Real + a.Imaginary * a.Imaginary;
                acc += (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? p : -p;
            }
            return acc;
        }
        Complex g = IPower(yCount);
        for (long k = begin; k < end; k++)
        {
            Complex a = Unsafe.Add(ref s, (nint)k);
            Complex b = Unsafe.Add(ref s, (nint)(k ^ (long)xMask));
            // Re(conj(b) · g · sign · a)
            Complex t = Complex.Conjugate(b) * a;
            double re = g.Real * t.Real - g.Imaginary * t.Imaginary;
            acc += (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? re : -re;
        }
        return acc;
    }

    /// <summary>Σ_k |ψ_k|² over [begin, end).</summary>
    public static double NormSquared(ReadOnlySpan<Complex> state, long begin, long end)
    {
        double acc = 0;
        for (long k = begin; k < end; k++)
        {
            Complex a = state[(int)k];
            acc += a.Real * a.Real + a.Imaginary * a.Imaginary;
        }
        return acc;
    }

    /// <summary>⟨a|b⟩ = Σ_k conj(a_k) b_k over [begin, end).</summary>
    public static Complex InnerProduct(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b, long begin, long end)
    {
        double re = 0, im = 0;
        for (long k = begin; k < end; k++)
        {
            Complex x = a[(int)k], y = b[(int)k];
            re += x.Real * y.Real + x.Imaginary * y.Imaginary;
            im += x.Real * y.Imaginary - x.Imaginary * y.Real;
        }
        return new Complex(re, im);
    }

    /// <summary>i^p for integer p.</summary>
    public static Complex IPower(int p) => (p & 3) switch
    {
        0 => Complex.One,
        1 => Complex.ImaginaryOne,
        2 => -Complex.One,
        _ => -Complex.ImaginaryOne,
    };
}
