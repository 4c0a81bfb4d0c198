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

/// <summary>A kernel's inner loop over one run of consecutive registers v0 … v0 + len − 1 (see VectorKernels.ForRuns).</summary>
internal interface IRegisterRun
{
    /// <summary>Processes registers v0 … v0 + len − 1 of the state whose first double is <paramref name="d"/>.</summary>
    void Run(ref double d, long v0, long len);
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

    /// <summary>Builds a lane coefficient from one complex value per amplitude lane (one load, two lane moves and a sign multiply).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LaneCoef<TV> Coef(ReadOnlySpan<Complex> lanes)
    {
        Debug.Assert(lanes.Length >= Amps);
        TV raw = TO.Load(ref Unsafe.As<Complex, double>(ref MemoryMarshal.GetReference(lanes)));
        return new LaneCoef<TV> { Re = TO.DupRe(raw), Im = TO.Mul(TO.DupIm(raw), TO.AltSign) };
    }

    /// <summary>The lane coefficient with <paramref name="c"/> on every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static LaneCoef<TV> Coef(Complex c) =>
        new() { Re = TO.Broadcast(c.Real), Im = TO.Mul(TO.Broadcast(c.Imaginary), TO.AltSign) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool LaneMatches(int lane, ulong ctrlMask, ulong ctrlValue) => ((ulong)lane & ctrlMask & LaneMask) == (ctrlValue & LaneMask);

    /// <summary>
    /// The one loop of every kernel. The free register indices [begin, end) map to registers by depositing their bits
    /// around the high bits of <paramref name="loopMask"/> (<see cref="BitIndex.Deposit"/>) and or-ing in
    /// <paramref name="or"/>; consecutive free indices below the lowest deposited-around bit map to consecutive
    /// registers, so the loop hands the body runs of that length (qsim's nested-loop structure).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForRuns<TB>(ref TB body, ref double d, ulong loopMask, long or, long begin, long end)
        where TB : struct, IRegisterRun, allows ref struct
    {
        ulong high = loopMask >> Lb;
        long run = high == 0 ? 1L << 62 : 1L << BitOperations.TrailingZeroCount(high);
        for (long f = begin; f < end;)
        {
            long v0 = BitIndex.Deposit(f, high) | or;
            long len = Math.Min(run - (f & (run - 1)), end - f);
            f += len;
            body.Run(ref d, v0, len);
        }
    }

    /// <summary>(x, y) ← (c00 x + c01 y, c10 x + c11 y) for the register pairs (v, v + stride).</summary>
    private struct PairRun : IRegisterRun
    {
        public LaneCoef<TV> C00, C01, C10, C11;
        public long Stride;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            LaneCoef<TV> c00 = C00, c01 = C01, c10 = C10, c11 = C11;
            long stride = Stride;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v), y = Load(ref d, v + stride);
                TV sx = TO.SwapReIm(x), sy = TO.SwapReIm(y);
                Store(ref d, v, MulAdd(c01, y, sy, Mul(c00, x, sx)));
                Store(ref d, v + stride, MulAdd(c11, y, sy, Mul(c10, x, sx)));
            }
        }
    }

    /// <summary>x ← diag ⊙ x + off ⊙ (x with lanes j, j ⊕ P exchanged); the move is a type so it folds to one shuffle.</summary>
    private struct InRegisterRun<TP> : IRegisterRun where TP : struct, ILaneMove
    {
        public LaneCoef<TV> Diag, Off;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            LaneCoef<TV> diag = Diag, off = Off;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v);
                TV y = TO.XorAmps(x, TP.P);
                Store(ref d, v, MulAdd(off, y, TO.SwapReIm(y), Mul(diag, x, TO.SwapReIm(x))));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // straight to optimised code (no tier-0 loop)
    private static void PairLoop(ref double d, ulong loopMask, long or, long stride, in LaneCoef<TV> c00, in LaneCoef<TV> c01,
        in LaneCoef<TV> c10, in LaneCoef<TV> c11, long begin, long end)
    {
        var body = new PairRun { C00 = c00, C01 = c01, C10 = c10, C11 = c11, Stride = stride };
        ForRuns(ref body, ref d, loopMask, or, begin, end);
    }

    /// <summary>The in-register loop for a target bit tb (1 or 2) below <c>TO.LaneBits</c>, instantiated per lane move.</summary>
    private static void InRegisterLoop(ref double d, ulong loopMask, long or, int tb, in LaneCoef<TV> diag, in LaneCoef<TV> off,
        long begin, long end)
    {
        Debug.Assert(tb is 1 or 2 && tb < Amps);
        if (tb == 1) InRegisterLoop<LaneMove1>(ref d, loopMask, or, diag, off, begin, end);
        else InRegisterLoop<LaneMove2>(ref d, loopMask, or, diag, off, begin, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // straight to optimised code (no tier-0 loop)
    private static void InRegisterLoop<TP>(ref double d, ulong loopMask, long or, in LaneCoef<TV> diag, in LaneCoef<TV> off,
        long begin, long end) where TP : struct, ILaneMove
    {
        var body = new InRegisterRun<TP> { Diag = diag, Off = off };
        ForRuns(ref body, ref d, loopMask, or, begin, end);
    }

    // ------------------------------------------------------------------ dense 1-qubit

    /// <summary>ψ ← (I ⊗ M ⊗ I) ψ on the control subspace, M = [[m00, m01], [m10, m11]]. Loop mask: controls | target.</summary>
    public static void Matrix1(ulong ctrlMask, ulong ctrlValue, int target, Complex m00, Complex m01, Complex m10, Complex m11,
        Span<Complex> state, long begin, long end)
    {
        Debug.Assert(state.Length >= Amps && (ctrlMask >> target & 1) == 0);
        long cv = (long)(ctrlValue >> Lb);
        bool uniform = (ctrlMask & LaneMask) == 0; // no low control: every lane takes the gate
        if (target >= Lb)
        {
            if (uniform)
            {
                PairLoop(ref Base(state), ctrlMask | (1UL << target), cv, 1L << (target - Lb), Coef(m00), Coef(m01), Coef(m10), Coef(m11), begin, end);
                return;
            }
            Span<Complex> l0 = stackalloc Complex[4], l1 = stackalloc Complex[4], l2 = stackalloc Complex[4], l3 = stackalloc Complex[4];
            for (int j = 0; j < Amps; j++)
            {
                bool on = LaneMatches(j, ctrlMask, ctrlValue);
                l0[j] = on ? m00 : Complex.One; l1[j] = on ? m01 : Complex.Zero;
                l2[j] = on ? m10 : Complex.Zero; l3[j] = on ? m11 : Complex.One;
            }
            PairLoop(ref Base(state), ctrlMask | (1UL << target), cv, 1L << (target - Lb), Coef(l0), Coef(l1), Coef(l2), Coef(l3), begin, end);
        }
        else
        {
            Span<Complex> ld = stackalloc Complex[4], lo = stackalloc Complex[4];
            int tb = 1 << target;
            for (int j = 0; j < Amps; j++)
            {
                bool on = LaneMatches(j, ctrlMask, ctrlValue);
                bool one = (j & tb) != 0;
                ld[j] = on ? (one ? m11 : m00) : Complex.One;
                lo[j] = on ? (one ? m10 : m01) : Complex.Zero;
            }
            InRegisterLoop(ref Base(state), ctrlMask, cv, tb, Coef(ld), Coef(lo), begin, end);
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
        var body = new RealPairRun { A = TO.Broadcast(m00), B = TO.Broadcast(m01), C = TO.Broadcast(m10), E = TO.Broadcast(m11), Stride = 1L << (target - Lb) };
        ForRuns(ref body, ref Base(state), 1UL << target, 0, begin, end);
    }

    private struct RealPairRun : IRegisterRun
    {
        public TV A, B, C, E;
        public long Stride;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            TV a = A, b = B, c = C, e = E;
            long stride = Stride;
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
    /// exchanged), − on lanes whose target bit is 0; real coefficients, one immediate lane move, 2 operations per register.
    /// </summary>
    public static void RyLow(int target, double cos, double sin, Span<Complex> state, long begin, long end)
    {
        Debug.Assert(target < Lb);
        Span<double> t = stackalloc double[8];
        int tb = 1 << target;
        for (int j = 0; j < Amps; j++) t[2 * j] = t[2 * j + 1] = (j & tb) != 0 ? sin : -sin;
        TV c = TO.Broadcast(cos), off = TO.Create(t[..(2 * Amps)]);
        if (tb == 1) RyLowLoop<LaneMove1>(ref Base(state), c, off, begin, end);
        else RyLowLoop<LaneMove2>(ref Base(state), c, off, begin, end);
    }

    /// <summary>
    /// The streaming loop of <see cref="RyLow"/>: one read and one write per register, like a copy. Two registers per
    /// iteration (128 bytes, two cache lines) so that the loop's own instructions (one shuffle, one multiply, one
    /// fused multiply-add per register) stay few next to the loads in flight.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RyLowLoop<TP>(ref double d, TV c, TV off, long begin, long end) where TP : struct, ILaneMove
    {
        long v = begin;
        for (; v + 1 < end; v += 2)
        {
            TV x0 = Load(ref d, v), x1 = Load(ref d, v + 1);
            Store(ref d, v, TO.Fma(off, TO.XorAmps(x0, TP.P), TO.Mul(c, x0)));
            Store(ref d, v + 1, TO.Fma(off, TO.XorAmps(x1, TP.P), TO.Mul(c, x1)));
        }
        if (v < end)
        {
            TV x = Load(ref d, v);
            Store(ref d, v, TO.Fma(off, TO.XorAmps(x, TP.P), TO.Mul(c, x)));
        }
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
        ulong loopMask = (1UL << target) | (1UL << sel);
        bool selHigh = sel >= Lb;
        long ss = selHigh ? 1L << (sel - Lb) : 0;
        ref double d = ref Base(state);
        if (target >= Lb)
        {
            long stride = 1L << (target - Lb);
            if (selHigh)
            {
                // Both halves have the same matrix on every lane; the sel = 1 half is the free range shifted by ss.
                PairLoop(ref d, loopMask, 0, stride, Coef(m[0]), Coef(m[1]), Coef(m[2]), Coef(m[3]), begin, end);
                PairLoop(ref d, loopMask, ss, stride, Coef(m[4]), Coef(m[5]), Coef(m[6]), Coef(m[7]), begin, end);
                return;
            }
            // Lane-dependent matrices: lane j takes M_h with h its sel bit.
            Span<Complex> l0 = stackalloc Complex[4], l1 = stackalloc Complex[4], l2 = stackalloc Complex[4], l3 = stackalloc Complex[4];
            for (int j = 0; j < Amps; j++)
            {
                int h = (j >> sel) & 1;
                l0[j] = m[4 * h]; l1[j] = m[4 * h + 1]; l2[j] = m[4 * h + 2]; l3[j] = m[4 * h + 3];
            }
            PairLoop(ref d, loopMask, 0, stride, Coef(l0), Coef(l1), Coef(l2), Coef(l3), begin, end);
        }
        else
        {
            Span<Complex> l0 = stackalloc Complex[4], l1 = stackalloc Complex[4], l2 = stackalloc Complex[4], l3 = stackalloc Complex[4];
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
            InRegisterLoop(ref d, loopMask, 0, tb, Coef(l0), Coef(l1), begin, end);
            if (selHigh) InRegisterLoop(ref d, loopMask, ss, tb, Coef(l2), Coef(l3), begin, end);
        }
    }

    // ------------------------------------------------------------------ diagonal

    /// <summary>x ← e ⊙ x.</summary>
    private struct DiagonalRun : IRegisterRun
    {
        public LaneCoef<TV> E;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            LaneCoef<TV> e = E;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v);
                Store(ref d, v, Mul(e, x, TO.SwapReIm(x)));
            }
        }
    }

    /// <summary>x ← (popcount(v ∧ selHigh) odd ? o : e) ⊙ x.</summary>
    private struct ParityDiagonalRun : IRegisterRun
    {
        public LaneCoef<TV> E, O;
        public ulong SelHigh;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            LaneCoef<TV> e = E, o = O;
            ulong selHigh = SelHigh;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v);
                bool isOdd = (BitOperations.PopCount((ulong)v & selHigh) & 1) != 0;
                Store(ref d, v, isOdd ? Mul(o, x, TO.SwapReIm(x)) : Mul(e, x, TO.SwapReIm(x)));
            }
        }
    }

    /// <summary>
    /// ψ_k ← c(k) ψ_k on the control subspace, c(k) = even[k mod Amps] when popcount((k ≫ LaneBits) ∧ selHigh) is
    /// even, else odd[k mod Amps] (lanes off the control subspace must already hold 1). Loop mask: controls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalCore(ulong ctrlMask, ulong ctrlValue, ulong selHigh, in LaneCoef<TV> even, in LaneCoef<TV> odd,
        Span<Complex> state, long begin, long end)
    {
        long cv = (long)(ctrlValue >> Lb);
        if (selHigh == 0)
        {
            var body = new DiagonalRun { E = even };
            ForRuns(ref body, ref Base(state), ctrlMask, cv, begin, end);
        }
        else
        {
            var body = new ParityDiagonalRun { E = even, O = odd, SelHigh = selHigh };
            ForRuns(ref body, ref Base(state), ctrlMask, cv, begin, end);
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

    /// <summary>X-type permutation: registers v and v ⊕ xh exchanged with lanes moved by P, on the lanes of the mask.</summary>
    private struct PermuteRun<TP> : IRegisterRun where TP : struct, ILaneMove
    {
        public TV Mask;
        public long Xh;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            TV mask = Mask;
            long xh = Xh;
            for (long v = v0; v < v0 + len; v++)
            {
                long v2 = v ^ xh;
                TV x = Load(ref d, v), y = Load(ref d, v2);
                Store(ref d, v, TO.Select(mask, TO.XorAmps(y, TP.P), x));
                Store(ref d, v2, TO.Select(mask, TO.XorAmps(x, TP.P), y));
            }
        }
    }

    /// <summary>X-type permutation inside registers (x all low): lanes moved by P on the lanes of the mask.</summary>
    private struct PermuteLowRun<TP> : IRegisterRun where TP : struct, ILaneMove
    {
        public TV Mask;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            TV mask = Mask;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v);
                Store(ref d, v, TO.Select(mask, TO.XorAmps(x, TP.P), x));
            }
        }
    }

    /// <summary>The X-type permutation's loop, instantiated per lane move (the in-register part of x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PermuteLoop<TP>(ref double d, TV mask, long xh, ulong loopMask, long or, long begin, long end)
        where TP : struct, ILaneMove
    {
        if (xh == 0)
        {
            var low = new PermuteLowRun<TP> { Mask = mask };
            ForRuns(ref low, ref d, loopMask, or, begin, end);
        }
        else
        {
            var pair = new PermuteRun<TP> { Mask = mask, Xh = xh };
            ForRuns(ref pair, ref d, loopMask, or, begin, end);
        }
    }

    /// <summary>x ← a ⊙ x + b_± ⊙ (x with lanes moved by xl), sign by the parity of v ∧ zh (x all low).</summary>
    private struct ExchangeLowRun : IRegisterRun
    {
        public LaneCoef<TV> A, B0, B1;
        public int Xl;
        public ulong Zh;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            LaneCoef<TV> a = A, b0 = B0, b1 = B1;
            int xl = Xl;
            ulong zh = Zh;
            for (long v = v0; v < v0 + len; v++)
            {
                TV x = Load(ref d, v);
                TV y = TO.XorAmps(x, xl);
                bool odd = (BitOperations.PopCount((ulong)v & zh) & 1) != 0;
                TV r = Mul(a, x, TO.SwapReIm(x));
                Store(ref d, v, odd ? MulAdd(b1, y, TO.SwapReIm(y), r) : MulAdd(b0, y, TO.SwapReIm(y), r));
            }
        }
    }

    /// <summary>The register pair (v, v ⊕ xh): each gets a ⊙ itself + b_± ⊙ the other with lanes moved by xl.</summary>
    private struct ExchangeRun : IRegisterRun
    {
        public LaneCoef<TV> A, B0, B1;
        public int Xl;
        public long Xh;
        public ulong Zh;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            LaneCoef<TV> a = A, b0 = B0, b1 = B1;
            int xl = Xl;
            long xh = Xh;
            ulong zh = Zh;
            for (long v = v0; v < v0 + len; v++)
            {
                long v2 = v ^ xh;
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

    /// <summary>
    /// ψ_k ← α ψ_k + β (−1)^{popcount((k ⊕ x) ∧ z)} ψ_{k ⊕ x} on the control subspace, x ≠ 0. A Pauli string P with
    /// #Y = y is α = 0, β = i^y; exp(−iφP/2) is α = cos(φ/2), β = −i sin(φ/2) i^y. Loop mask: controls | lowest high
    /// bit of x (none when x is all low).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PauliExchange(ulong ctrlMask, ulong ctrlValue, ulong xMask, ulong zMask, Complex alpha, Complex beta,
        Span<Complex> state, long begin, long end)
    {
        Debug.Assert(xMask != 0 && (xMask & ctrlMask) == 0);
        int xl = (int)(xMask & LaneMask);
        ulong xh = xMask >> Lb, zh = zMask >> Lb;
        ref double d = ref Base(state);
        long cv = (long)(ctrlValue >> Lb);
        // The lowest high bit of x pairs registers; it is removed from the loop (none when x is all low).
        ulong pivotMask = (xh & (~xh + 1)) << Lb;
        if (alpha == Complex.Zero && beta == Complex.One && zMask == 0)
        {
            // X-type Pauli (X, CX, CCX, multi-X): a permutation, done with register exchanges, lane shuffles and a
            // blend on the lanes whose low controls match (all lanes when none) instead of complex arithmetic.
            Span<double> mk = stackalloc double[8];
            for (int j = 0; j < Amps; j++)
                mk[2 * j] = mk[2 * j + 1] = LaneMatches(j, ctrlMask, ctrlValue) ? BitConverter.Int64BitsToDouble(-1L) : 0.0;
            TV mask = TO.Create(mk[..(2 * Amps)]);
            ulong loopMask = ctrlMask | pivotMask;
            switch (xl)
            {
                case 0: PermuteLoop<LaneMove0>(ref d, mask, (long)xh, loopMask, cv, begin, end); break;
                case 1: PermuteLoop<LaneMove1>(ref d, mask, (long)xh, loopMask, cv, begin, end); break;
                case 2: PermuteLoop<LaneMove2>(ref d, mask, (long)xh, loopMask, cv, begin, end); break;
                default: PermuteLoop<LaneMove3>(ref d, mask, (long)xh, loopMask, cv, begin, end); break;
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
        if (xh == 0)
        {
            var low = new ExchangeLowRun { A = Coef(la), B0 = Coef(lb0), B1 = Coef(lb1), Xl = xl, Zh = zh };
            ForRuns(ref low, ref d, ctrlMask, cv, begin, end);
            return;
        }
        var pair = new ExchangeRun { A = Coef(la), B0 = Coef(lb0), B1 = Coef(lb1), Xl = xl, Xh = (long)xh, Zh = zh };
        ForRuns(ref pair, ref d, ctrlMask | pivotMask, cv, begin, end);
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
        var body = new GenericRun
        {
            Hoff = hoff, LowPat = lowPat, Xs = stackalloc TV[D * P], Ss = stackalloc TV[D * P], Table = table, D = D, P = P,
        };
        ForRuns(ref body, ref Base(state), ctrlMask | tmask, (long)(ctrlValue >> Lb), begin, end);
    }

    private ref struct GenericRun : IRegisterRun
    {
        public Span<long> Hoff;
        public Span<int> LowPat;
        public Span<TV> Xs, Ss;
        public ReadOnlySpan<LaneCoef<TV>> Table;
        public int D, P;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            int dd = D, pp = P;
            Span<long> hoff = Hoff;
            Span<int> lowPat = LowPat;
            Span<TV> xs = Xs, ss = Ss;
            ref LaneCoef<TV> t0 = ref MemoryMarshal.GetReference(Table);
            for (long v = v0; v < v0 + len; v++)
            {
                for (int c = 0; c < dd; c++)
                {
                    TV x = Load(ref d, v + hoff[c]);
                    for (int p = 0; p < pp; p++)
                    {
                        TV y = TO.XorAmps(x, lowPat[p]);
                        xs[c * pp + p] = y;
                        ss[c * pp + p] = TO.SwapReIm(y);
                    }
                }
                for (int r = 0; r < dd; r++)
                {
                    TV acc = TO.Zero;
                    ref LaneCoef<TV> row = ref Unsafe.Add(ref t0, r * dd * pp);
                    for (int i = 0; i < dd * pp; i++) acc = MulAdd(Unsafe.Add(ref row, i), xs[i], ss[i], acc);
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
        var body = new MatVecRun { Columns = columns, Acc = stackalloc TV[w], Dim = dim, W = w };
        ForRuns(ref body, ref Base(state), ctrlMask | ((ulong)dim - 1), (long)(ctrlValue >> Lb), begin, end);
    }

    private ref struct MatVecRun : IRegisterRun
    {
        public ReadOnlySpan<TV> Columns;
        public Span<TV> Acc;
        public int Dim, W;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run(ref double d, long v0, long len)
        {
            int dim = Dim, w = W;
            Span<TV> acc = Acc;
            ref TV col0 = ref MemoryMarshal.GetReference(Columns);
            if (w <= 2)
            {
                // Accumulators in registers: the k = n case of small circuits (8×8 on 3 qubits is w = 2 on Vector512).
                for (long v = v0; v < v0 + len; v++)
                {
                    TV a0 = TO.Zero, a1 = TO.Zero;
                    ref double blk = ref Unsafe.Add(ref d, (nint)(v << (Lb + 1)));
                    for (int c = 0; c < dim; c++)
                    {
                        TV vr = TO.Broadcast(Unsafe.Add(ref blk, 2 * c));
                        TV vi = TO.Broadcast(Unsafe.Add(ref blk, 2 * c + 1));
                        ref TV cc = ref Unsafe.Add(ref col0, 2 * c * w);
                        a0 = TO.Fma(cc, vr, TO.Fma(Unsafe.Add(ref cc, 1), vi, a0));
                        if (w == 2) a1 = TO.Fma(Unsafe.Add(ref cc, 2), vr, TO.Fma(Unsafe.Add(ref cc, 3), vi, a1));
                    }
                    Store(ref d, v, a0);
                    if (w == 2) Store(ref d, v + 1, a1);
                }
                return;
            }
            for (long v = v0; v < v0 + len; v++)
            {
                acc.Clear();
                ref double blk = ref Unsafe.Add(ref d, (nint)(v << (Lb + 1)));
                for (int c = 0; c < dim; c++)
                {
                    TV vr = TO.Broadcast(Unsafe.Add(ref blk, 2 * c)), vi = TO.Broadcast(Unsafe.Add(ref blk, 2 * c + 1));
                    ref TV cc = ref Unsafe.Add(ref col0, 2 * c * w);
                    for (int wi = 0; wi < w; wi++)
                        acc[wi] = TO.Fma(Unsafe.Add(ref cc, 2 * wi), vr, TO.Fma(Unsafe.Add(ref cc, 2 * wi + 1), vi, acc[wi]));
                }
                for (int wi = 0; wi < w; wi++) Store(ref d, v + wi, acc[wi]);
            }
        }
    }
}
