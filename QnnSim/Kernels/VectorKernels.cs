using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QnnSim.Kernels;

/// <summary>
/// A complex coefficient per amplitude lane, held as two registers so that c ⊙ x = Re·x + Im·swap(x):
/// <c>Re</c> = (re_j, re_j, …), <c>Im</c> = (−im_j, im_j, …). Lanes may differ, which is how low controls (identity on
/// the lanes whose control bits do not match) and low targets (different matrix entries per lane) are expressed.
/// </summary>
internal struct LaneCoef<TV> where TV : unmanaged
{
    public TV Re, Im;
}

/// <summary>
/// SIMD state-vector kernels written once for every register width <typeparamref name="TO"/> (Simd128/256/512).
/// Argument order as in <see cref="StateKernels"/>: controls, targets, matrix or angle, state, range.
/// </summary>
/// <remarks>
/// Assumptions (Debug.Assert only): the state holds at least <c>TO.Amps</c> amplitudes and a power of two of them;
/// targets are distinct and not controls; ctrlValue ⊆ ctrlMask. Qubits below <c>TO.LaneBits</c> live inside one
/// register ("low": handled with lane permutations and per-lane coefficients, qsim's ApplyGateL), the others select
/// registers ("high": contiguous blocks, qsim's ApplyGateH). The range [begin, end) runs over the kernel's free
/// register index: the register index (basis index ≫ LaneBits) with every high control and high loop bit removed;
/// <see cref="FreeCount"/> gives its length, so a driver may split it between threads.
/// </remarks>
[System.Runtime.CompilerServices.SkipLocalsInit]
internal static class VectorKernels<TO, TV> where TO : struct, ISimd<TV> where TV : unmanaged
{
    private static int Amps => TO.Amps;
    private static int Lb => TO.LaneBits;
    private static ulong LaneMask => (ulong)TO.Amps - 1;

    /// <summary>Free register indices of a kernel whose loop removes the bits of <paramref name="loopMask"/>.</summary>
    public static long FreeCount(int stateLength, ulong loopMask) =>
        ((long)stateLength >> Lb) >> BitOperations.PopCount(loopMask >> Lb);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref double Base(Span<Complex> state) => ref Unsafe.As<Complex, double>(ref MemoryMarshal.GetReference(state));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Load(ref double d, long v) => TO.Load(ref Unsafe.Add(ref d, (nint)(v << (Lb + 1))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double d, long v, TV x) => TO.Store(x, ref Unsafe.Add(ref d, (nint)(v << (Lb + 1))));

    /// <summary>c ⊙ x + acc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV MulAdd(in LaneCoef<TV> c, TV x, TV sx, TV acc) => TO.Fma(c.Re, x, TO.Fma(c.Im, sx, acc));

    /// <summary>c ⊙ x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Mul(in LaneCoef<TV> c, TV x, TV sx) => TO.Fma(c.Re, x, TO.Mul(c.Im, sx));

    /// <summary>Builds a lane coefficient from one complex value per amplitude lane.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static LaneCoef<TV> Coef(ReadOnlySpan<Complex> lanes)
    {
        Span<double> re = stackalloc double[8], im = stackalloc double[8];
        for (int j = 0; j < Amps; j++)
        {
            re[2 * j] = re[2 * j + 1] = lanes[j].Real;
            im[2 * j] = -lanes[j].Imaginary;
            im[2 * j + 1] = lanes[j].Imaginary;
        }
        return new LaneCoef<TV> { Re = TO.Create(re[..(2 * Amps)]), Im = TO.Create(im[..(2 * Amps)]) };
    }

    /// <summary>Sorted high bits of <paramref name="mask"/> in register units, for free-index insertion.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HighBits(ulong mask, Span<int> bits) => BitIndex.SortedBits(mask >> Lb, bits);

    /// <summary>
    /// Consecutive free indices below the lowest inserted bit map to consecutive registers, so the loops walk runs of
    /// this length with one index insertion per run (qsim's nested-loop structure); no inserted bit: one run.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long RunLength(ReadOnlySpan<int> sortedBits) => sortedBits.Length == 0 ? 1L << 62 : 1L << sortedBits[0];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool LaneMatches(int lane, ulong ctrlMask, ulong ctrlValue) => ((ulong)lane & ctrlMask & LaneMask) == (ctrlValue & LaneMask);

    // ------------------------------------------------------------------ dense 1-qubit

    /// <summary>ψ ← (I ⊗ M ⊗ I) ψ on the control subspace, M = [[m00, m01], [m10, m11]]. Loop mask: controls | target.</summary>
    public static void Matrix1(ulong ctrlMask, ulong ctrlValue, int target, Complex m00, Complex m01, Complex m10, Complex m11,
        Span<Complex> state, long begin, long end)
    {
        Debug.Assert(state.Length >= Amps && (ctrlMask >> target & 1) == 0);
        Span<Complex> l0 = stackalloc Complex[4], l1 = stackalloc Complex[4], l2 = stackalloc Complex[4], l3 = stackalloc Complex[4];
        Span<int> bits = stackalloc int[64];
        ref double d = ref Base(state);
        long cv = (long)(ctrlValue >> Lb);
        if (target >= Lb)
        {
            for (int j = 0; j < Amps; j++)
            {
                bool on = LaneMatches(j, ctrlMask, ctrlValue);
                l0[j] = on ? m00 : Complex.One; l1[j] = on ? m01 : Complex.Zero;
                l2[j] = on ? m10 : Complex.Zero; l3[j] = on ? m11 : Complex.One;
            }
            LaneCoef<TV> c00 = Coef(l0), c01 = Coef(l1), c10 = Coef(l2), c11 = Coef(l3);
            int nb = HighBits(ctrlMask | (1UL << target), bits);
            ReadOnlySpan<int> sb = bits[..nb];
            long stride = 1L << (target - Lb);
            long run = RunLength(sb);
            for (long f = begin; f < end;)
            {
                long v0 = BitIndex.InsertZeros(f, sb) | cv;
                long len = Math.Min(run - (f & (run - 1)), end - f);
                f += len;
                for (long v = v0; v < v0 + len; v++)
                {
                    TV x = Load(ref d, v), y = Load(ref d, v + stride);
                    TV sx = TO.SwapReIm(x), sy = TO.SwapReIm(y);
                    Store(ref d, v, MulAdd(c01, y, sy, Mul(c00, x, sx)));
                    Store(ref d, v + stride, MulAdd(c11, y, sy, Mul(c10, x, sx)));
                }
            }
        }
        else
        {
            int tb = 1 << target;
            for (int j = 0; j < Amps; j++)
            {
                bool on = LaneMatches(j, ctrlMask, ctrlValue);
                bool one = (j & tb) != 0;
                l0[j] = on ? (one ? m11 : m00) : Complex.One;
                l1[j] = on ? (one ? m10 : m01) : Complex.Zero;
            }
            LaneCoef<TV> diag = Coef(l0), off = Coef(l1);
            int nb = HighBits(ctrlMask, bits);
            ReadOnlySpan<int> sb = bits[..nb];
            long run = RunLength(sb);
            for (long f = begin; f < end;)
            {
                long v0 = BitIndex.InsertZeros(f, sb) | cv;
                long len = Math.Min(run - (f & (run - 1)), end - f);
                f += len;
                for (long v = v0; v < v0 + len; v++)
                {
                    TV x = Load(ref d, v);
                    TV y = TO.XorAmps(x, tb);
                    Store(ref d, v, MulAdd(off, y, TO.SwapReIm(y), Mul(diag, x, TO.SwapReIm(x))));
                }
            }
        }
    }

    // ------------------------------------------------------------------ real 2×2 on a high qubit (Ry)

    /// <summary>
    /// ψ ← (I ⊗ M ⊗ I) ψ for a real M = [[m00, m01], [m10, m11]] on a high target (no controls): 4 multiply-adds per
    /// register pair and no re/im exchange (Ry(φ): m00 = m11 = cos(φ/2), m10 = −m01 = sin(φ/2)). Loop mask: target.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RealMatrix1High(int target, double m00, double m01, double m10, double m11, Span<Complex> state, long begin, long end)
    {
        Debug.Assert(target >= Lb && state.Length >= 2 * Amps);
        ref double d = ref Base(state);
        TV a = Broadcast(m00), b = Broadcast(m01), c = Broadcast(m10), e = Broadcast(m11);
        int bit = target - Lb;
        long stride = 1L << bit;
        for (long f = begin; f < end;)
        {
            long v0 = BitIndex.InsertZero(f, bit);
            long len = Math.Min(stride - (f & (stride - 1)), end - f);
            f += len;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v), y = Load(ref d, v + stride);
                Store(ref d, v, TO.Fma(b, y, TO.Mul(a, x)));
                Store(ref d, v + stride, TO.Fma(e, y, TO.Mul(c, x)));
            }
        }
    }

    /// <summary>
    /// Ry(φ) on a low target (inside a register, no controls): x ← cos(φ/2)·x + (∓sin(φ/2))·(x with lanes j, j ⊕ tb
    /// exchanged), − on lanes whose target bit is 0; real coefficients, one lane move, 2 operations per register.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RyLow(int target, double cos, double sin, Span<Complex> state, long begin, long end)
    {
        Debug.Assert(target < Lb);
        ref double d = ref Base(state);
        Span<double> t = stackalloc double[8];
        int tb = 1 << target;
        for (int j = 0; j < Amps; j++) t[2 * j] = t[2 * j + 1] = (j & tb) != 0 ? sin : -sin;
        TV c = Broadcast(cos), off = TO.Create(t[..(2 * Amps)]);
        for (long v = begin; v < end; v++)
        {
            TV x = Load(ref d, v);
            Store(ref d, v, TO.Fma(off, TO.XorAmps(x, tb), TO.Mul(c, x)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Broadcast(double x)
    {
        Span<double> t = stackalloc double[8];
        t.Fill(x);
        return TO.Create(t[..(2 * Amps)]);
    }

    // ------------------------------------------------------------------ selected 1-qubit (1-qubit gate + CX)

    /// <summary>
    /// ψ ← M_h on <paramref name="target"/> where bit <paramref name="sel"/> of the basis index is h (M_0 = m[0..3],
    /// M_1 = m[4..7], row-major): a 4×4 block-diagonal in <paramref name="sel"/>. A 1-qubit gate M on the target of a
    /// following CX(sel→target) is M_0 = M, M_1 = X·M, so the CX costs nothing. Loop mask: target | sel.
    /// </summary>
    public static void Select1(int target, int sel, ReadOnlySpan<Complex> m, Span<Complex> state, long begin, long end)
    {
        Debug.Assert(state.Length >= Amps && target != sel && m.Length >= 8);
        Span<Complex> l0 = stackalloc Complex[4], l1 = stackalloc Complex[4], l2 = stackalloc Complex[4], l3 = stackalloc Complex[4];
        Span<int> bits = stackalloc int[64];
        int nb = HighBits((1UL << target) | (1UL << sel), bits);
        ReadOnlySpan<int> sb = bits[..nb];
        bool selHigh = sel >= Lb;
        long ss = selHigh ? 1L << (sel - Lb) : 0;
        if (target >= Lb)
        {
            // Half h (sel bit h when sel is high; lane-dependent matrices when sel is low).
            for (int j = 0; j < Amps; j++)
            {
                int h = selHigh ? 0 : (j >> sel) & 1;
                l0[j] = m[4 * h]; l1[j] = m[4 * h + 1]; l2[j] = m[4 * h + 2]; l3[j] = m[4 * h + 3];
            }
            long stride = 1L << (target - Lb);
            LaneCoef<TV> a00 = Coef(l0), a01 = Coef(l1), a10 = Coef(l2), a11 = Coef(l3);
            PairLoop(ref Base(state), sb, stride, 0, a00, a01, a10, a11, begin, end);
            if (selHigh)
            {
                // The sel = 1 half: the same free range shifted by the sel stride.
                for (int j = 0; j < Amps; j++) { l0[j] = m[4]; l1[j] = m[5]; l2[j] = m[6]; l3[j] = m[7]; }
                LaneCoef<TV> b00 = Coef(l0), b01 = Coef(l1), b10 = Coef(l2), b11 = Coef(l3);
                PairLoop(ref Base(state), sb, stride, ss, b00, b01, b10, b11, begin, end);
            }
        }
        else
        {
            int tb = 1 << target;
            for (int j = 0; j < Amps; j++)
            {
                int h = selHigh ? 0 : (j >> sel) & 1;
                bool one = (j & tb) != 0;
                l0[j] = one ? m[4 * h + 3] : m[4 * h];
                l1[j] = one ? m[4 * h + 2] : m[4 * h + 1];
                l2[j] = one ? m[7] : m[4];
                l3[j] = one ? m[6] : m[5];
            }
            LaneCoef<TV> diag0 = Coef(l0), off0 = Coef(l1);
            InRegisterLoop(ref Base(state), sb, tb, 0, diag0, off0, begin, end);
            if (selHigh)
            {
                LaneCoef<TV> diag1 = Coef(l2), off1 = Coef(l3);
                InRegisterLoop(ref Base(state), sb, tb, ss, diag1, off1, begin, end);
            }
        }
    }

    /// <summary>(x, y) ← (c00 x + c01 y, c10 x + c11 y) for registers (v + offset, v + offset + stride), v over the free range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // straight to optimised code (no tier-0 loop)
    private static void PairLoop(ref double d, ReadOnlySpan<int> sb, long stride, long offset, in LaneCoef<TV> k00, in LaneCoef<TV> k01,
        in LaneCoef<TV> k10, in LaneCoef<TV> k11, long begin, long end)
    {
        LaneCoef<TV> c00 = k00, c01 = k01, c10 = k10, c11 = k11;
        long run = RunLength(sb);
        for (long f = begin; f < end;)
        {
            long v0 = BitIndex.InsertZeros(f, sb) + offset;
            long len = Math.Min(run - (f & (run - 1)), end - f);
            f += len;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v), y = Load(ref d, v + stride);
                TV sx = TO.SwapReIm(x), sy = TO.SwapReIm(y);
                Store(ref d, v, MulAdd(c01, y, sy, Mul(c00, x, sx)));
                Store(ref d, v + stride, MulAdd(c11, y, sy, Mul(c10, x, sx)));
            }
        }
    }

    /// <summary>x ← diag ⊙ x + off ⊙ (x with lanes j, j ⊕ tb exchanged) for registers v + offset, v over the free range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // straight to optimised code (no tier-0 loop)
    private static void InRegisterLoop(ref double d, ReadOnlySpan<int> sb, int tb, long offset, in LaneCoef<TV> kd, in LaneCoef<TV> ko,
        long begin, long end)
    {
        LaneCoef<TV> diag = kd, off = ko;
        long run = RunLength(sb);
        for (long f = begin; f < end;)
        {
            long v0 = BitIndex.InsertZeros(f, sb) + offset;
            long len = Math.Min(run - (f & (run - 1)), end - f);
            f += len;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v);
                TV y = TO.XorAmps(x, tb);
                Store(ref d, v, MulAdd(off, y, TO.SwapReIm(y), Mul(diag, x, TO.SwapReIm(x))));
            }
        }
    }

    // ------------------------------------------------------------------ diagonal

    /// <summary>
    /// ψ_k ← c(k) ψ_k on the control subspace, c(k) = even[k mod Amps] when popcount((k ≫ LaneBits) ∧ selHigh) is
    /// even, else odd[k mod Amps] (lanes off the control subspace must already hold 1). Loop mask: controls.
    /// </summary>
    private static void DiagonalCore(ulong ctrlMask, ulong ctrlValue, ulong selHigh, in LaneCoef<TV> even, in LaneCoef<TV> odd,
        Span<Complex> state, long begin, long end)
    {
        Span<int> bits = stackalloc int[64];
        int nb = HighBits(ctrlMask, bits);
        ReadOnlySpan<int> sb = bits[..nb];
        ref double d = ref Base(state);
        long cv = (long)(ctrlValue >> Lb);
        LaneCoef<TV> e = even, o = odd;
        if (selHigh == 0)
        {
            long runA = RunLength(sb);
            for (long f = begin; f < end;)
            {
                long v0 = BitIndex.InsertZeros(f, sb) | cv;
                long len = Math.Min(runA - (f & (runA - 1)), end - f);
                f += len;
                for (long v = v0; v < v0 + len; v++)
                {
                    TV x = Load(ref d, v);
                    Store(ref d, v, Mul(e, x, TO.SwapReIm(x)));
                }
            }
            return;
        }
        long run = RunLength(sb);
        for (long f = begin; f < end;)
        {
            long v0 = BitIndex.InsertZeros(f, sb) | cv;
            long len = Math.Min(run - (f & (run - 1)), end - f);
            f += len;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v);
                bool isOdd = (BitOperations.PopCount((ulong)v & selHigh) & 1) != 0;
                Store(ref d, v, isOdd ? Mul(o, x, TO.SwapReIm(x)) : Mul(e, x, TO.SwapReIm(x)));
            }
        }
    }

    /// <summary>ψ ← diag(d0, d1) on the target, on the control subspace. Loop mask: controls.</summary>
    public static void Diagonal1(ulong ctrlMask, ulong ctrlValue, int target, Complex d0, Complex d1,
        Span<Complex> state, long begin, long end)
    {
        Span<Complex> le = stackalloc Complex[4], lo = stackalloc Complex[4];
        for (int j = 0; j < Amps; j++)
        {
            bool on = LaneMatches(j, ctrlMask, ctrlValue);
            if (target < Lb) le[j] = lo[j] = on ? ((j >> target & 1) != 0 ? d1 : d0) : Complex.One;
            else { le[j] = on ? d0 : Complex.One; lo[j] = on ? d1 : Complex.One; }
        }
        ulong sel = target < Lb ? 0 : 1UL << (target - Lb);
        DiagonalCore(ctrlMask, ctrlValue, sel, Coef(le), Coef(lo), state, begin, end);
    }

    /// <summary>
    /// ψ_k ← (popcount(k ∧ z) even ? plus : minus) ψ_k on the control subspace (Z-type Pauli strings and rotations;
    /// z = 0 gives a controlled phase). Loop mask: controls.
    /// </summary>
    public static void DiagonalParity(ulong ctrlMask, ulong ctrlValue, ulong zMask, Complex plus, Complex minus,
        Span<Complex> state, long begin, long end)
    {
        Span<Complex> le = stackalloc Complex[4], lo = stackalloc Complex[4];
        for (int j = 0; j < Amps; j++)
        {
            bool on = LaneMatches(j, ctrlMask, ctrlValue);
            bool lowOdd = (BitOperations.PopCount((ulong)j & zMask & LaneMask) & 1) != 0;
            le[j] = on ? (lowOdd ? minus : plus) : Complex.One;
            lo[j] = on ? (lowOdd ? plus : minus) : Complex.One;
        }
        DiagonalCore(ctrlMask, ctrlValue, zMask >> Lb, Coef(le), Coef(lo), state, begin, end);
    }

    // ------------------------------------------------------------------ Pauli exchange

    /// <summary>
    /// ψ_k ← α ψ_k + β (−1)^{popcount((k ⊕ x) ∧ z)} ψ_{k ⊕ x} on the control subspace, x ≠ 0. A Pauli string P with
    /// #Y = y is α = 0, β = i^y; exp(−iφP/2) is α = cos(φ/2), β = −i sin(φ/2) i^y. Loop mask: controls | lowest high
    /// bit of x (none when x is all low).
    /// </summary>
    public static void PauliExchange(ulong ctrlMask, ulong ctrlValue, ulong xMask, ulong zMask, Complex alpha, Complex beta,
        Span<Complex> state, long begin, long end)
    {
        Debug.Assert(xMask != 0 && (xMask & ctrlMask) == 0);
        int xl = (int)(xMask & LaneMask);
        ulong xh = xMask >> Lb, zh = zMask >> Lb;
        Span<int> bits = stackalloc int[64];
        ref double d = ref Base(state);
        long cv = (long)(ctrlValue >> Lb);
        bool pureX = alpha == Complex.Zero && beta == Complex.One && zMask == 0;
        if (pureX)
        {
            // X-type Pauli (X, CX, CCX, multi-X): a permutation, done with register exchanges, lane shuffles and a
            // blend on the lanes whose low controls match (all lanes when none) instead of complex arithmetic.
            Span<double> mk = stackalloc double[8];
            for (int j = 0; j < Amps; j++)
                mk[2 * j] = mk[2 * j + 1] = LaneMatches(j, ctrlMask, ctrlValue) ? BitConverter.Int64BitsToDouble(-1L) : 0.0;
            TV mask = TO.Create(mk[..(2 * Amps)]);
            ulong pv = xh & (~xh + 1);
            int nbp = BitIndex.SortedBits((ctrlMask >> Lb) | pv, bits);
            ReadOnlySpan<int> sbp = bits[..nbp];
            long runX = RunLength(sbp);
            for (long f = begin; f < end;)
            {
                long v0 = BitIndex.InsertZeros(f, sbp) | cv;
                long len = Math.Min(runX - (f & (runX - 1)), end - f);
                f += len;
                for (long v = v0; v < v0 + len; v++)
                {
                    TV x = Load(ref d, v);
                    if (xh == 0) { Store(ref d, v, TO.Select(mask, TO.XorAmps(x, xl), x)); continue; }
                    long v2 = v ^ (long)xh;
                    TV y = Load(ref d, v2);
                    Store(ref d, v, TO.Select(mask, TO.XorAmps(y, xl), x));
                    Store(ref d, v2, TO.Select(mask, TO.XorAmps(x, xl), y));
                }
            }
            return;
        }
        Span<Complex> la = stackalloc Complex[4], lb0 = stackalloc Complex[4], lb1 = stackalloc Complex[4];
        for (int j = 0; j < Amps; j++)
        {
            bool on = LaneMatches(j, ctrlMask, ctrlValue);
            bool lowOdd = (BitOperations.PopCount((ulong)(j ^ xl) & zMask & LaneMask) & 1) != 0;
            la[j] = on ? alpha : Complex.One;
            lb0[j] = on ? (lowOdd ? -beta : beta) : Complex.Zero;
            lb1[j] = -lb0[j];
        }
        LaneCoef<TV> a = Coef(la), b0 = Coef(lb0), b1 = Coef(lb1);
        if (xh == 0)
        {
            int nb = HighBits(ctrlMask, bits);
            ReadOnlySpan<int> sb = bits[..nb];
            long runA = RunLength(sb);
            for (long f = begin; f < end;)
            {
                long v0 = BitIndex.InsertZeros(f, sb) | cv;
                long len = Math.Min(runA - (f & (runA - 1)), end - f);
                f += len;
                for (long v = v0; v < v0 + len; v++)
                {
                    TV x = Load(ref d, v);
                    TV y = TO.XorAmps(x, xl);
                    bool odd = (BitOperations.PopCount((ulong)v & zh) & 1) != 0;
                    TV r = Mul(a, x, TO.SwapReIm(x));
                    Store(ref d, v, odd ? MulAdd(b1, y, TO.SwapReIm(y), r) : MulAdd(b0, y, TO.SwapReIm(y), r));
                }
            }
            return;
        }
        ulong pivot = xh & (~xh + 1);
        int nb2 = BitIndex.SortedBits((ctrlMask >> Lb) | pivot, bits);
        ReadOnlySpan<int> sb2 = bits[..nb2];
        long run = RunLength(sb2);
        for (long f = begin; f < end;)
        {
            long v0 = BitIndex.InsertZeros(f, sb2) | cv;
            long len = Math.Min(run - (f & (run - 1)), end - f);
            f += len;
            for (long v = v0; v < v0 + len; v++)
            {
                long v2 = v ^ (long)xh;
                TV x = Load(ref d, v), y = Load(ref d, v2);
                TV px = TO.XorAmps(x, xl), py = TO.XorAmps(y, xl);
                bool oddV2 = (BitOperations.PopCount((ulong)v2 & zh) & 1) != 0; // sign of ψ_{k⊕x} seen from v
                bool oddV = (BitOperations.PopCount((ulong)v & zh) & 1) != 0;
                TV rx = Mul(a, x, TO.SwapReIm(x)), ry = Mul(a, y, TO.SwapReIm(y));
                TV spy = TO.SwapReIm(py), spx = TO.SwapReIm(px);
                Store(ref d, v, oddV2 ? MulAdd(b1, py, spy, rx) : MulAdd(b0, py, spy, rx));
                Store(ref d, v2, oddV ? MulAdd(b1, px, spx, ry) : MulAdd(b0, px, spx, ry));
            }
        }
    }

    // ------------------------------------------------------------------ dense k-qubit (any targets)

    /// <summary>
    /// Per-lane coefficient table of a dense 2^k × 2^k matrix for <see cref="MatrixGeneric"/>: entry
    /// [(r·D + c)·P + p] multiplies input register c, lanes permuted by the p-th subset of the low target bits, into
    /// output register r (D = 2^{#high targets}, P = 2^{#low targets}).
    /// </summary>
    public static LaneCoef<TV>[] BuildTable(ulong ctrlMask, ulong ctrlValue, ReadOnlySpan<int> targets, ReadOnlySpan<Complex> m)
    {
        int k = targets.Length, dim = 1 << k;
        Span<int> high = stackalloc int[k], low = stackalloc int[k];
        int kh = 0, kl = 0;
        for (int j = 0; j < k; j++) { if (targets[j] >= Lb) high[kh++] = j; else low[kl++] = j; }
        int D = 1 << kh, P = 1 << kl;
        var table = new LaneCoef<TV>[D * D * P];
        Span<Complex> lanes = stackalloc Complex[4];
        for (int r = 0; r < D; r++)
            for (int c = 0; c < D; c++)
                for (int p = 0; p < P; p++)
                {
                    int pl = 0; // lane xor pattern of subset p
                    for (int i = 0; i < kl; i++) if ((p >> i & 1) != 0) pl |= 1 << targets[low[i]];
                    for (int j = 0; j < Amps; j++)
                    {
                        if (!LaneMatches(j, ctrlMask, ctrlValue)) { lanes[j] = r == c && p == 0 ? Complex.One : Complex.Zero; continue; }
                        int row = 0, col = 0;
                        for (int i = 0; i < kh; i++) { row |= (r >> i & 1) << high[i]; col |= (c >> i & 1) << high[i]; }
                        int jc = j ^ pl;
                        for (int i = 0; i < kl; i++) { row |= (j >> targets[low[i]] & 1) << low[i]; col |= (jc >> targets[low[i]] & 1) << low[i]; }
                        lanes[j] = m[row * dim + col];
                    }
                    table[(r * D + c) * P + p] = Coef(lanes);
                }
        return table;
    }

    /// <summary>
    /// ψ ← M ψ for a dense matrix on any targets (matrix index bit j is targets[j]) with the table of
    /// <see cref="BuildTable"/>. Loop mask: controls | targets.
    /// </summary>
    public static void MatrixGeneric(ulong ctrlMask, ulong ctrlValue, ReadOnlySpan<int> targets, ReadOnlySpan<LaneCoef<TV>> table,
        Span<Complex> state, long begin, long end)
    {
        int k = targets.Length;
        Span<long> hoff = stackalloc long[1 << k];
        Span<int> lowPat = stackalloc int[1 << k];
        ulong tmask = 0;
        int kh = 0, kl = 0;
        Span<int> lowT = stackalloc int[k];
        Span<long> highStride = stackalloc long[k];
        foreach (int t in targets)
        {
            tmask |= 1UL << t;
            if (t >= Lb) highStride[kh++] = 1L << (t - Lb); else lowT[kl++] = t;
        }
        int D = 1 << kh, P = 1 << kl;
        for (int c = 0; c < D; c++) { long o = 0; for (int i = 0; i < kh; i++) if ((c >> i & 1) != 0) o |= highStride[i]; hoff[c] = o; }
        for (int p = 0; p < P; p++) { int o = 0; for (int i = 0; i < kl; i++) if ((p >> i & 1) != 0) o |= 1 << lowT[i]; lowPat[p] = o; }
        Debug.Assert(table.Length == D * D * P);
        Span<int> bits = stackalloc int[64];
        int nb = HighBits(ctrlMask | tmask, bits);
        ReadOnlySpan<int> sb = bits[..nb];
        ref double d = ref Base(state);
        long cv = (long)(ctrlValue >> Lb);
        Span<TV> xs = stackalloc TV[D * P], ss = stackalloc TV[D * P];
        ref LaneCoef<TV> t0 = ref MemoryMarshal.GetReference(table);
        long run = RunLength(sb);
        for (long f = begin; f < end;)
        {
            long v0 = BitIndex.InsertZeros(f, sb) | cv;
            long len = Math.Min(run - (f & (run - 1)), end - f);
            f += len;
            for (long v = v0; v < v0 + len; v++)
            {
                for (int c = 0; c < D; c++)
                {
                    TV x = Load(ref d, v + hoff[c]);
                    for (int p = 0; p < P; p++)
                    {
                        TV y = TO.XorAmps(x, lowPat[p]);
                        xs[c * P + p] = y;
                        ss[c * P + p] = TO.SwapReIm(y);
                    }
                }
                for (int r = 0; r < D; r++)
                {
                    TV acc = TO.Zero;
                    ref LaneCoef<TV> row = ref Unsafe.Add(ref t0, r * D * P);
                    for (int i = 0; i < D * P; i++) acc = MulAdd(Unsafe.Add(ref row, i), xs[i], ss[i], acc);
                    Store(ref d, v + hoff[r], acc);
                }
            }
        }
    }

    // ------------------------------------------------------------------ dense on the lowest k qubits (k = n: a matvec)

    /// <summary>
    /// Column table of a dense D × D matrix (D ≥ Amps) for <see cref="MatVecLow"/>: for column c and output register
    /// w, entry [2(c·W + w)] = (M_rc.re, M_rc.im)_r and entry [2(c·W + w) + 1] = (−M_rc.im, M_rc.re)_r over the rows r
    /// of register w (W = D / Amps).
    /// </summary>
    public static TV[] BuildColumns(ReadOnlySpan<Complex> m, int dim)
    {
        int w = dim / Amps;
        var cols = new TV[2 * dim * w];
        Span<double> a = stackalloc double[8], b = stackalloc double[8];
        for (int c = 0; c < dim; c++)
            for (int wi = 0; wi < w; wi++)
            {
                for (int j = 0; j < Amps; j++)
                {
                    Complex e = m[(wi * Amps + j) * dim + c];
                    a[2 * j] = e.Real; a[2 * j + 1] = e.Imaginary;
                    b[2 * j] = -e.Imaginary; b[2 * j + 1] = e.Real;
                }
                cols[2 * (c * w + wi)] = TO.Create(a[..(2 * Amps)]);
                cols[2 * (c * w + wi) + 1] = TO.Create(b[..(2 * Amps)]);
            }
        return cols;
    }

    /// <summary>
    /// ψ ← M ψ for a dense D × D matrix on qubits 0..k−1 in order (D = 2^k ≥ Amps): each block of D consecutive
    /// amplitudes on the control subspace is multiplied by M, column by column. Loop mask: controls | (D − 1).
    /// </summary>
    public static void MatVecLow(ulong ctrlMask, ulong ctrlValue, int dim, ReadOnlySpan<TV> columns, Span<Complex> state, long begin, long end)
    {
        int w = dim / Amps;
        Debug.Assert(w >= 1 && columns.Length == 2 * dim * w && (ctrlMask & ((ulong)dim - 1)) == 0);
        Span<int> bits = stackalloc int[64];
        int nb = HighBits(ctrlMask | ((ulong)dim - 1), bits);
        ReadOnlySpan<int> sb = bits[..nb];
        ref double d = ref Base(state);
        long cv = (long)(ctrlValue >> Lb);
        Span<TV> acc = stackalloc TV[w];
        ref TV col0 = ref MemoryMarshal.GetReference(columns);
        long run = RunLength(sb);
        for (long f = begin; f < end;)
        {
            long v0 = BitIndex.InsertZeros(f, sb) | cv; // first register of the block
            long len = Math.Min(run - (f & (run - 1)), end - f);
            f += len;
            if (w <= 2)
            {
                // Accumulators in registers: the k = n case of small circuits (8×8 on 3 qubits is w = 2 on Vector512).
                for (long v = v0; v < v0 + len; v++)
                {
                    TV a0 = TO.Zero, a1 = TO.Zero;
                    ref double blk = ref Unsafe.Add(ref d, (nint)(v << (Lb + 1)));
                    for (int c = 0; c < dim; c++)
                    {
                        TV vr = BroadcastHelper.Broadcast<TO, TV>(Unsafe.Add(ref blk, 2 * c));
                        TV vi = BroadcastHelper.Broadcast<TO, TV>(Unsafe.Add(ref blk, 2 * c + 1));
                        ref TV cc = ref Unsafe.Add(ref col0, 2 * c * w);
                        a0 = TO.Fma(cc, vr, TO.Fma(Unsafe.Add(ref cc, 1), vi, a0));
                        if (w == 2) a1 = TO.Fma(Unsafe.Add(ref cc, 2), vr, TO.Fma(Unsafe.Add(ref cc, 3), vi, a1));
                    }
                    Store(ref d, v, a0);
                    if (w == 2) Store(ref d, v + 1, a1);
                }
                continue;
            }
            for (long v = v0; v < v0 + len; v++)
            {
                acc.Clear();
                ref double blk = ref Unsafe.Add(ref d, (nint)(v << (Lb + 1)));
                for (int c = 0; c < dim; c++)
                {
                    double re = Unsafe.Add(ref blk, 2 * c), im = Unsafe.Add(ref blk, 2 * c + 1);
                    TV vr = BroadcastHelper.Broadcast<TO, TV>(re), vi = BroadcastHelper.Broadcast<TO, TV>(im);
                    ref TV cc = ref Unsafe.Add(ref col0, 2 * c * w);
                    for (int wi = 0; wi < w; wi++)
                        acc[wi] = TO.Fma(Unsafe.Add(ref cc, 2 * wi), vr, TO.Fma(Unsafe.Add(ref cc, 2 * wi + 1), vi, acc[wi]));
                }
                for (int wi = 0; wi < w; wi++) Store(ref d, v + wi, acc[wi]);
            }
        }
    }
}

/// <summary>Broadcast of one double to every lane, for the generic kernels.</summary>
internal static class BroadcastHelper
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Broadcast<TO, TV>(double x) where TO : struct, ISimd<TV> where TV : unmanaged
    {
        if (typeof(TV) == typeof(System.Runtime.Intrinsics.Vector512<double>))
        {
            var r = System.Runtime.Intrinsics.Vector512.Create(x);
            return Unsafe.As<System.Runtime.Intrinsics.Vector512<double>, TV>(ref r);
        }
        if (typeof(TV) == typeof(System.Runtime.Intrinsics.Vector256<double>))
        {
            var r = System.Runtime.Intrinsics.Vector256.Create(x);
            return Unsafe.As<System.Runtime.Intrinsics.Vector256<double>, TV>(ref r);
        }
        var q = System.Runtime.Intrinsics.Vector128.Create(x);
        return Unsafe.As<System.Runtime.Intrinsics.Vector128<double>, TV>(ref q);
    }
}
