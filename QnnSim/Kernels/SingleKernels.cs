using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace QnnSim.Kernels;

/// <summary>
/// Register operations on single-precision amplitudes (complex64: an interleaved (re, im) float pair, 8 bytes, which
/// is exactly one 64-bit lane): the SIMD width abstraction of <see cref="SingleVectorKernels{TO, TV}"/>.
/// </summary>
internal interface ISimdSingle<TV> where TV : unmanaged
{
    /// <summary>Complex amplitudes per register.</summary>
    static abstract int Amps { get; }
    /// <summary>log2 of <see cref="Amps"/>: qubits below it live inside one register.</summary>
    static abstract int LaneBits { get; }
    static abstract TV Load(ref float p);
    static abstract void Store(TV v, ref float p);
    static abstract TV Create(ReadOnlySpan<float> f);
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Mul(TV a, TV b);
    /// <summary>(re, im) → (im, re) in every amplitude lane.</summary>
    static abstract TV SwapReIm(TV v);
    /// <summary>Exchanges amplitude lanes j and j ⊕ 2^bit (bit below <see cref="LaneBits"/>).</summary>
    static abstract TV XorAmps(TV v, int bit);
}

/// <summary>
/// One complex64 amplitude: single-precision real and imaginary parts, 8 bytes (the layout of MathNet's
/// <c>Complex32</c> and of C's <c>float _Complex</c>).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Complex64
{
    public float Real, Imaginary;

    public Complex64(float real, float imaginary) => (Real, Imaginary) = (real, imaginary);
}

/// <summary>256-bit registers: 4 complex64 amplitudes.</summary>
internal readonly struct SimdSingle256 : ISimdSingle<Vector256<float>>
{
    public static int Amps => 4;
    public static int LaneBits => 2;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float p) => Vector256.LoadUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, ref float p) => v.StoreUnsafe(ref p);
    public static Vector256<float> Create(ReadOnlySpan<float> f) => Vector256.Create(f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SwapReIm(Vector256<float> v) => Vector256.Shuffle(v, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> XorAmps(Vector256<float> v, int bit) => bit == 0
        ? Vector256.Shuffle(v.AsDouble(), Vector256.Create(1L, 0L, 3L, 2L)).AsSingle()
        : Vector256.Shuffle(v.AsDouble(), Vector256.Create(2L, 3L, 0L, 1L)).AsSingle();
}

/// <summary>512-bit registers: 8 complex64 amplitudes.</summary>
internal readonly struct SimdSingle512 : ISimdSingle<Vector512<float>>
{
    public static int Amps => 8;
    public static int LaneBits => 3;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float p) => Vector512.LoadUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, ref float p) => v.StoreUnsafe(ref p);
    public static Vector512<float> Create(ReadOnlySpan<float> f) => Vector512.Create(f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SwapReIm(Vector512<float> v) =>
        Vector512.Shuffle(v, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> XorAmps(Vector512<float> v, int bit) => bit switch
    {
        0 => Vector512.Shuffle(v.AsDouble(), Vector512.Create(1L, 0L, 3L, 2L, 5L, 4L, 7L, 6L)).AsSingle(),
        1 => Vector512.Shuffle(v.AsDouble(), Vector512.Create(2L, 3L, 0L, 1L, 6L, 7L, 4L, 5L)).AsSingle(),
        _ => Vector512.Shuffle(v.AsDouble(), Vector512.Create(4L, 5L, 6L, 7L, 0L, 1L, 2L, 3L)).AsSingle(),
    };
}

/// <summary>
/// Single-precision (complex64) state kernels, scalar. A state is a span of 2·2^n floats, (re, im) interleaved; qubit
/// q is bit q of an amplitude index. Argument order as in <see cref="StateKernels"/>: controls or selector, targets,
/// matrix, state, range. Matrices are row-major complex64 (2 floats an entry). Reductions accumulate in double.
/// </summary>
/// <remarks>
/// The one-qubit kernel is a "selected" 2×2: it applies M1 on the amplitudes whose index matches the selector
/// (index &amp; selMask) == selValue and M0 on the others. A gate with controls is M1 = U, M0 = I, selector = controls;
/// fusion's <c>Select1</c> (a 1-qubit product followed by CX) is M0 = B0, M1 = B1, selector = the other qubit.
/// Assumptions (Debug.Assert only): the target is not in selMask; selValue ⊆ selMask; ranges lie inside the free index.
/// </remarks>
[SkipLocalsInit]
internal static class SingleKernels
{
    /// <summary>Free indices of <see cref="Matrix1"/>: pairs of amplitudes.</summary>
    public static long FreeCount1(int amplitudes) => amplitudes >> 1;

    /// <summary>ψ ← M_sel ψ on <paramref name="target"/> over free pair indices [begin, end) (see the class remarks).</summary>
    public static void Matrix1(int target, ulong selMask, ulong selValue, ReadOnlySpan<float> m0, ReadOnlySpan<float> m1, bool m0Identity,
        Span<Complex64> state, long begin, long end)
    {
        Debug.Assert((selMask >> target & 1) == 0 && (selValue & ~selMask) == 0);
        ref float s = ref Floats(state);
        long bit = 1L << target;
        for (long i = begin; i < end; i++)
        {
            long k0 = BitIndex.InsertZero(i, target);
            bool match = ((ulong)k0 & selMask) == selValue;
            if (!match && m0Identity) continue;
            ReadOnlySpan<float> m = match ? m1 : m0;
            ref float a = ref Unsafe.Add(ref s, (nint)(2 * k0));
            ref float b = ref Unsafe.Add(ref s, (nint)(2 * (k0 | bit)));
            float ar = a, ai = Unsafe.Add(ref a, 1), br = b, bi = Unsafe.Add(ref b, 1);
            a = m[0] * ar - m[1] * ai + m[2] * br - m[3] * bi;
            Unsafe.Add(ref a, 1) = m[0] * ai + m[1] * ar + m[2] * bi + m[3] * br;
            b = m[4] * ar - m[5] * ai + m[6] * br - m[7] * bi;
            Unsafe.Add(ref b, 1) = m[4] * ai + m[5] * ar + m[6] * bi + m[7] * br;
        }
    }

    /// <summary>Free indices of <see cref="MatrixK"/>: amplitudes with every control and target bit removed.</summary>
    public static long FreeCountK(int amplitudes, ulong ctrlMask, ulong targetMask) =>
        (long)amplitudes >> BitOperations.PopCount(ctrlMask | targetMask);

    /// <summary>
    /// ψ ← (Π_c ⊗ U) ψ for a dense d × d matrix U (d = 2^k, k ≥ 0) on <paramref name="targets"/> (matrix bit j is
    /// targets[j]) on the control subspace; products accumulate in double and are rounded once. The generic kernel for
    /// everything the one-qubit kernel does not take (Pauli strings on several qubits, fused blocks, SWAP).
    /// </summary>
    public static void MatrixK(ulong ctrlMask, ulong ctrlValue, ReadOnlySpan<int> targets, ReadOnlySpan<float> m, Span<Complex64> state, long begin, long end)
    {
        int k = targets.Length, d = 1 << k;
        Debug.Assert(m.Length == 2 * d * d && d <= 1024);
        ulong targetMask = 0;
        foreach (int t in targets) targetMask |= 1UL << t;
        Span<long> offsets = stackalloc long[d];
        for (int r = 0; r < d; r++)
        {
            long o = 0;
            for (int j = 0; j < k; j++) if ((r >> j & 1) != 0) o |= 1L << targets[j];
            offsets[r] = o;
        }
        Span<float> gathered = stackalloc float[2 * d];
        ref float s = ref Floats(state);
        ulong loop = ctrlMask | targetMask;
        for (long f = begin; f < end; f++)
        {
            long baseIndex = BitIndex.Deposit(f, loop) | (long)ctrlValue;
            for (int c = 0; c < d; c++)
            {
                gathered[2 * c] = Unsafe.Add(ref s, (nint)(2 * (baseIndex | offsets[c])));
                gathered[2 * c + 1] = Unsafe.Add(ref s, (nint)(2 * (baseIndex | offsets[c]) + 1));
            }
            for (int r = 0; r < d; r++)
            {
                double re = 0, im = 0;
                ReadOnlySpan<float> row = m.Slice(2 * d * r, 2 * d);
                for (int c = 0; c < d; c++)
                {
                    double mr = row[2 * c], mi = row[2 * c + 1], xr = gathered[2 * c], xi = gathered[2 * c + 1];
                    re += mr * xr - mi * xi;
                    im += mr * xi + mi * xr;
                }
                Unsafe.Add(ref s, (nint)(2 * (baseIndex | offsets[r]))) = (float)re;
                Unsafe.Add(ref s, (nint)(2 * (baseIndex | offsets[r]) + 1)) = (float)im;
            }
        }
    }

    /// <summary>Free indices of <see cref="PauliExchange"/>: amplitudes without the controls and the lowest bit of x.</summary>
    public static long FreeCountPauli(int amplitudes, ulong ctrlMask, ulong xMask) =>
        (long)amplitudes >> BitOperations.PopCount(ctrlMask | (xMask & (~xMask + 1)));

    /// <summary>
    /// ψ ← (c·I + g·P) ψ on the control subspace for a Pauli string P = (x, z) without its i^{#Y} (folded into g):
    /// P|k⟩ = (−1)^{popcount(k ∧ z)} |k ⊕ x⟩. The rotation exp(−iφP/2) is c = cos(φ/2), g = −i·sin(φ/2)·i^{#Y}; the
    /// Pauli string itself c = 0, g = i^{#Y}. Pairs k ↔ k ⊕ x (free index without the controls and the lowest bit of
    /// x), or one amplitude at a time when x = 0. Products in double, rounded once.
    /// </summary>
    public static void PauliExchange(ulong ctrlMask, ulong ctrlValue, ulong xMask, ulong zMask, double cos, Complex coef,
        Span<Complex64> state, long begin, long end)
    {
        ref float s = ref Floats(state);
        ulong loop = ctrlMask | (xMask & (~xMask + 1));
        if (xMask == 0)
        {
            Complex plus = cos + coef, minus = cos - coef;
            for (long f = begin; f < end; f++)
            {
                long k = BitIndex.Deposit(f, loop) | (long)ctrlValue;
                Complex ph = (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? plus : minus;
                ref float a = ref Unsafe.Add(ref s, (nint)(2 * k));
                double ar = a, ai = Unsafe.Add(ref a, 1);
                a = (float)(ph.Real * ar - ph.Imaginary * ai);
                Unsafe.Add(ref a, 1) = (float)(ph.Real * ai + ph.Imaginary * ar);
            }
            return;
        }
        for (long f = begin; f < end; f++)
        {
            long k = BitIndex.Deposit(f, loop) | (long)ctrlValue;
            long k2 = k ^ (long)xMask;
            Complex p1 = (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? coef : -coef;
            Complex p2 = (BitOperations.PopCount((ulong)k2 & zMask) & 1) == 0 ? coef : -coef;
            ref float a = ref Unsafe.Add(ref s, (nint)(2 * k));
            ref float b = ref Unsafe.Add(ref s, (nint)(2 * k2));
            double ar = a, ai = Unsafe.Add(ref a, 1), br = b, bi = Unsafe.Add(ref b, 1);
            a = (float)(cos * ar + p2.Real * br - p2.Imaginary * bi);
            Unsafe.Add(ref a, 1) = (float)(cos * ai + p2.Real * bi + p2.Imaginary * br);
            b = (float)(cos * br + p1.Real * ar - p1.Imaginary * ai);
            Unsafe.Add(ref b, 1) = (float)(cos * bi + p1.Real * ai + p1.Imaginary * ar);
        }
    }

    /// <summary>Σ_k |ψ_k|² over amplitudes [begin, end), in double.</summary>
    public static double NormSquared(ReadOnlySpan<Complex64> state, long begin, long end)
    {
        ref float s = ref Floats(state);
        double acc = 0;
        for (long k = begin; k < end; k++)
        {
            double re = Unsafe.Add(ref s, (nint)(2 * k)), im = Unsafe.Add(ref s, (nint)(2 * k + 1));
            acc += re * re + im * im;
        }
        return acc;
    }

    /// <summary>The share of amplitudes [begin, end) in ⟨ψ|P|ψ⟩ for the Pauli string (x, z, #Y), in double
    /// (the same sum as <see cref="StateKernels.ExpectationPauli"/>).</summary>
    public static double ExpectationPauli(ulong xMask, ulong zMask, int yCount, ReadOnlySpan<Complex64> state, long begin, long end)
    {
        ref float s = ref Floats(state);
        double acc = 0;
        if (xMask == 0)
        {
            for (long k = begin; k < end; k++)
            {
                double re = Unsafe.Add(ref s, (nint)(2 * k)), im = Unsafe.Add(ref s, (nint)(2 * k + 1));
                double p = re * re + im * im;
                acc += (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? p : -p;
            }
            return acc;
        }
        Complex g = StateKernels.IPower(yCount);
        for (long k = begin; k < end; k++)
        {
            long k2 = k ^ (long)xMask;
            double ar = Unsafe.Add(ref s, (nint)(2 * k)), ai = Unsafe.Add(ref s, (nint)(2 * k + 1));
            double br = Unsafe.Add(ref s, (nint)(2 * k2)), bi = Unsafe.Add(ref s, (nint)(2 * k2 + 1));
            // Re(conj(b) · g · sign · a)
            double tr = br * ar + bi * ai, ti = br * ai - bi * ar;
            double re = g.Real * tr - g.Imaginary * ti;
            acc += (BitOperations.PopCount((ulong)k & zMask) & 1) == 0 ? re : -re;
        }
        return acc;
    }

    /// <summary>⟨a|b⟩ = Σ_k conj(a_k) b_k over amplitudes [begin, end), in double.</summary>
    public static Complex InnerProduct(ReadOnlySpan<Complex64> a, ReadOnlySpan<Complex64> b, long begin, long end)
    {
        ref float fa = ref Floats(a), fb = ref Floats(b);
        double re = 0, im = 0;
        for (long k = begin; k < end; k++)
        {
            double ar = Unsafe.Add(ref fa, (nint)(2 * k)), ai = Unsafe.Add(ref fa, (nint)(2 * k + 1));
            double br = Unsafe.Add(ref fb, (nint)(2 * k)), bi = Unsafe.Add(ref fb, (nint)(2 * k + 1));
            re += ar * br + ai * bi;
            im += ar * bi - ai * br;
        }
        return new Complex(re, im);
    }

    /// <summary>The first float of a complex64 span (re of amplitude 0); index 2k is re_k, 2k + 1 im_k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref float Floats(ReadOnlySpan<Complex64> state) =>
        ref Unsafe.As<Complex64, float>(ref MemoryMarshal.GetReference(state));
}

/// <summary>
/// The selected one-qubit kernel of <see cref="SingleKernels.Matrix1"/> on SIMD registers of <c>TO.Amps</c>
/// complex64 amplitudes (qsim's float kernels hold 4 or 8 amplitudes a register the same way). A target at or above
/// <c>TO.LaneBits</c> pairs two registers ("high"); a lower target pairs lanes of one register through
/// <see cref="ISimdSingle{TV}.XorAmps"/> with per-lane coefficients ("low"). Selector bits inside a register become
/// per-lane coefficients; bits above it are tested once per register. Products use fused multiply-adds in float.
/// </summary>
/// <remarks>Assumptions (Debug.Assert only): the state holds at least one register; the target is not in selMask;
/// the range lies inside <see cref="FreeCount"/>.</remarks>
[SkipLocalsInit]
internal static class SingleVectorKernels<TO, TV> where TO : struct, ISimdSingle<TV> where TV : unmanaged
{
    private static int Lb => TO.LaneBits;

    /// <summary>Free register indices: register pairs for a high target, registers for a low one.</summary>
    public static long FreeCount(int amplitudes, int target) => ((long)amplitudes >> Lb) >> (target >= Lb ? 1 : 0);

    private const int Diagonal = -1, OffDiagonal = -2;

    private struct Coef
    {
        public TV Re, Im;
    }

    /// <summary>c ⊙ x = Re·x + Im·swap(x) with Re = (re_j, re_j), Im = (−im_j, im_j) per amplitude lane j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV MulAdd(in Coef c, TV x, TV sx, TV acc) => TO.Fma(c.Re, x, TO.Fma(c.Im, sx, acc));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Mul(in Coef c, TV x, TV sx) => TO.Fma(c.Re, x, TO.Mul(c.Im, sx));

    /// <summary>The coefficient whose lane j holds entry (row(j), col(j)) of the matrix chosen for lane j.</summary>
    /// <remarks><paramref name="entry"/> ≥ 0: that entry on every lane; <see cref="Diagonal"/>: M[b][b] and
    /// <see cref="OffDiagonal"/>: M[b][1−b], with b bit <paramref name="target"/> of the lane.</remarks>
    private static Coef Lanes(ReadOnlySpan<float> m0, ReadOnlySpan<float> m1, ulong laneSelMask, ulong laneSelValue, bool highMatch,
        int entry, int target = 0)
    {
        Span<float> re = stackalloc float[2 * TO.Amps];
        Span<float> im = stackalloc float[2 * TO.Amps];
        for (int j = 0; j < TO.Amps; j++)
        {
            bool match = highMatch && ((ulong)j & laneSelMask) == laneSelValue;
            ReadOnlySpan<float> m = match ? m1 : m0;
            int b = j >> target & 1;
            int e = entry >= 0 ? entry : entry == Diagonal ? 3 * b : b == 0 ? 1 : 2;
            re[2 * j] = re[2 * j + 1] = m[2 * e];
            im[2 * j] = -m[2 * e + 1];
            im[2 * j + 1] = m[2 * e + 1];
        }
        return new Coef { Re = TO.Create(re), Im = TO.Create(im) };
    }

    /// <summary>ψ ← M_sel ψ on <paramref name="target"/> over free register indices [begin, end).</summary>
    public static void Matrix1(int target, ulong selMask, ulong selValue, ReadOnlySpan<float> m0, ReadOnlySpan<float> m1, bool m0Identity,
        Span<Complex64> state, long begin, long end)
    {
        Debug.Assert((selMask >> target & 1) == 0 && state.Length >= TO.Amps);
        ulong laneMask = (ulong)TO.Amps - 1;
        ulong lsm = selMask & laneMask, lsv = selValue & laneMask, hsm = selMask & ~laneMask, hsv = selValue & ~laneMask;
        ref float s = ref SingleKernels.Floats(state);
        int shift = Lb + 1; // floats per register = 2^(Lb+1)
        if (target >= Lb)
        {
            // Entry (r, c) of the 2×2 is index 2r + c; every lane of register r0 is row 0 and of r1 row 1.
            Coef y00 = Lanes(m0, m1, lsm, lsv, true, 0), y01 = Lanes(m0, m1, lsm, lsv, true, 1);
            Coef y10 = Lanes(m0, m1, lsm, lsv, true, 2), y11 = Lanes(m0, m1, lsm, lsv, true, 3);
            Coef n00 = Lanes(m0, m1, lsm, lsv, false, 0), n01 = Lanes(m0, m1, lsm, lsv, false, 1);
            Coef n10 = Lanes(m0, m1, lsm, lsv, false, 2), n11 = Lanes(m0, m1, lsm, lsv, false, 3);
            int tb = target - Lb;
            long half = 1L << tb;
            for (long i = begin; i < end; i++)
            {
                long r0 = BitIndex.InsertZero(i, tb);
                bool match = (((ulong)r0 << Lb) & hsm) == hsv;
                if (!match && m0Identity) continue;
                ref float p0 = ref Unsafe.Add(ref s, (nint)(r0 << shift));
                ref float p1 = ref Unsafe.Add(ref s, (nint)((r0 + half) << shift));
                TV a0 = TO.Load(ref p0), a1 = TO.Load(ref p1);
                TV s0 = TO.SwapReIm(a0), s1 = TO.SwapReIm(a1);
                if (match)
                {
                    TO.Store(MulAdd(y00, a0, s0, Mul(y01, a1, s1)), ref p0);
                    TO.Store(MulAdd(y10, a0, s0, Mul(y11, a1, s1)), ref p1);
                }
                else
                {
                    TO.Store(MulAdd(n00, a0, s0, Mul(n01, a1, s1)), ref p0);
                    TO.Store(MulAdd(n10, a0, s0, Mul(n11, a1, s1)), ref p1);
                }
            }
            return;
        }
        // Low target: lane j of the result is M[b][b]·a_j + M[b][1−b]·a_{j ⊕ 2^t} with b = bit t of j.
        Coef yd = Lanes(m0, m1, lsm, lsv, true, Diagonal, target);
        Coef yo = Lanes(m0, m1, lsm, lsv, true, OffDiagonal, target);
        Coef nd = Lanes(m0, m1, lsm, lsv, false, Diagonal, target);
        Coef no = Lanes(m0, m1, lsm, lsv, false, OffDiagonal, target);
        for (long r = begin; r < end; r++)
        {
            bool match = (((ulong)r << Lb) & hsm) == hsv;
            if (!match && m0Identity) continue;
            ref float p = ref Unsafe.Add(ref s, (nint)(r << shift));
            TV a = TO.Load(ref p), x = TO.XorAmps(a, target);
            TV sa = TO.SwapReIm(a), sx = TO.SwapReIm(x);
            TO.Store(match ? MulAdd(yd, a, sa, Mul(yo, x, sx)) : MulAdd(nd, a, sa, Mul(no, x, sx)), ref p);
        }
    }
}
