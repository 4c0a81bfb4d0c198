using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QnnSim.Kernels;

/// <summary>
/// The vector operations the generic kernels need, one struct per register width (the TensorPrimitives habit: the
/// kernels are written once against this interface and the JIT specialises them per struct). A register holds
/// <see cref="Amps"/> complex128 amplitudes laid out re, im, re, im, …; the lowest <see cref="LaneBits"/> qubits of a
/// basis index select the amplitude lane inside a register ("low" qubits), the others select the register.
/// </summary>
/// <typeparam name="TV">The register type (Vector128/256/512 of double).</typeparam>
internal interface ISimd<TV> where TV : unmanaged
{
    /// <summary>Complex amplitudes per register (1, 2 or 4).</summary>
    static abstract int Amps { get; }

    /// <summary>log2 of <see cref="Amps"/>: the number of qubits inside one register.</summary>
    static abstract int LaneBits { get; }

    /// <summary>Loads one register from <paramref name="p"/> (unaligned).</summary>
    static abstract TV Load(ref double p);

    /// <summary>Stores one register to <paramref name="p"/> (unaligned).</summary>
    static abstract void Store(TV v, ref double p);

    /// <summary>The register with every double from <paramref name="d"/> (length 2·Amps).</summary>
    static abstract TV Create(ReadOnlySpan<double> d);

    /// <summary>All zeros.</summary>
    static abstract TV Zero { get; }

    /// <summary>a·b + c lane-wise.</summary>
    static abstract TV Fma(TV a, TV b, TV c);

    /// <summary>a·b lane-wise.</summary>
    static abstract TV Mul(TV a, TV b);

    /// <summary>a + b lane-wise.</summary>
    static abstract TV Add(TV a, TV b);

    /// <summary>a − b lane-wise.</summary>
    static abstract TV Sub(TV a, TV b);

    /// <summary>Exchanges the real and imaginary double of every amplitude (re, im) → (im, re).</summary>
    static abstract TV SwapReIm(TV v);

    /// <summary>Amplitude lane j receives lane j ⊕ p (p &lt; Amps): the in-register part of a bit flip.</summary>
    static abstract TV XorAmps(TV v, int p);

    /// <summary>Sum of all doubles, in a fixed order.</summary>
    static abstract double Sum(TV v);

    /// <summary>Bitwise select: bits of <paramref name="a"/> where <paramref name="mask"/> is set, else of <paramref name="b"/>.</summary>
    static abstract TV Select(TV mask, TV a, TV b);

    /// <summary>Every amplitude's real part in both of its doubles: (re, im) → (re, re).</summary>
    static abstract TV DupRe(TV v);

    /// <summary>Every amplitude's imaginary part in both of its doubles: (re, im) → (im, im).</summary>
    static abstract TV DupIm(TV v);

    /// <summary>(−1, +1, −1, +1, …): the signs of the imaginary coefficient register.</summary>
    static abstract TV AltSign { get; }

    /// <summary>Every double equal to <paramref name="x"/>.</summary>
    static abstract TV Broadcast(double x);
}

/// <summary>128-bit registers: one amplitude, no qubit inside a register.</summary>
internal readonly struct Simd128 : ISimd<Vector128<double>>
{
    public static int Amps => 1;
    public static int LaneBits => 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Load(ref double p) => Vector128.LoadUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<double> v, ref double p) => v.StoreUnsafe(ref p);
    public static Vector128<double> Create(ReadOnlySpan<double> d) => Vector128.Create(d);
    public static Vector128<double> Zero => Vector128<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Fma(Vector128<double> a, Vector128<double> b, Vector128<double> c) => Vector128.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Mul(Vector128<double> a, Vector128<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Add(Vector128<double> a, Vector128<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Sub(Vector128<double> a, Vector128<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> SwapReIm(Vector128<double> v) => Avx.IsSupported ? Avx.Permute(v, 0b01) : Vector128.Shuffle(v, Vector128.Create(1L, 0L));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> XorAmps(Vector128<double> v, int p) => v;
    public static double Sum(Vector128<double> v) => v.GetElement(0) + v.GetElement(1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Select(Vector128<double> m, Vector128<double> a, Vector128<double> b) => Vector128.ConditionalSelect(m, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> DupRe(Vector128<double> v) => Vector128.Create(v.GetElement(0));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> DupIm(Vector128<double> v) => Vector128.Create(v.GetElement(1));
    public static Vector128<double> AltSign { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector128.Create(-1.0, 1.0); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Broadcast(double x) => Vector128.Create(x);
}

/// <summary>256-bit registers: two amplitudes, qubit 0 inside a register.</summary>
internal readonly struct Simd256 : ISimd<Vector256<double>>
{
    public static int Amps => 2;
    public static int LaneBits => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(ref double p) => Vector256.LoadUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<double> v, ref double p) => v.StoreUnsafe(ref p);
    public static Vector256<double> Create(ReadOnlySpan<double> d) => Vector256.Create(d);
    public static Vector256<double> Zero => Vector256<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Mul(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sub(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> SwapReIm(Vector256<double> v) => Avx.IsSupported ? Avx.Permute(v, 0b0101) : Vector256.Shuffle(v, Vector256.Create(1L, 0L, 3L, 2L));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> XorAmps(Vector256<double> v, int p) =>
        p == 0 ? v : Avx.IsSupported ? Avx.Permute2x128(v, v, 0x01) : Vector256.Shuffle(v, Vector256.Create(2L, 3L, 0L, 1L));
    public static double Sum(Vector256<double> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Select(Vector256<double> m, Vector256<double> a, Vector256<double> b) => Vector256.ConditionalSelect(m, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> DupRe(Vector256<double> v) => Avx.IsSupported ? Avx.Permute(v, 0b0000) : Vector256.Shuffle(v, Vector256.Create(0L, 0L, 2L, 2L));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> DupIm(Vector256<double> v) => Avx.IsSupported ? Avx.Permute(v, 0b1111) : Vector256.Shuffle(v, Vector256.Create(1L, 1L, 3L, 3L));
    public static Vector256<double> AltSign { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector256.Create(-1.0, 1.0, -1.0, 1.0); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Broadcast(double x) => Vector256.Create(x);
}

/// <summary>512-bit registers: four amplitudes, qubits 0 and 1 inside a register.</summary>
internal readonly struct Simd512 : ISimd<Vector512<double>>
{
    public static int Amps => 4;
    public static int LaneBits => 2;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(ref double p) => Vector512.LoadUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<double> v, ref double p) => v.StoreUnsafe(ref p);
    public static Vector512<double> Create(ReadOnlySpan<double> d) => Vector512.Create(d);
    public static Vector512<double> Zero => Vector512<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Fma(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Mul(Vector512<double> a, Vector512<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sub(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> SwapReIm(Vector512<double> v) =>
        Avx512F.IsSupported ? Avx512F.Permute2x64(v, 0b0101_0101) : Vector512.Shuffle(v, Vector512.Create(1L, 0L, 3L, 2L, 5L, 4L, 7L, 6L));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> XorAmps(Vector512<double> v, int p) => Avx512F.IsSupported ? p switch
    {
        // Whole-amplitude (128-bit) lane moves: vshuff64x2 with an immediate, one instruction.
        0 => v,
        1 => Avx512F.Shuffle4x128(v, v, 0b10_11_00_01),
        2 => Avx512F.Shuffle4x128(v, v, 0b01_00_11_10),
        _ => Avx512F.Shuffle4x128(v, v, 0b00_01_10_11),
    } : p switch
    {
        0 => v,
        1 => Vector512.Shuffle(v, Vector512.Create(2L, 3L, 0L, 1L, 6L, 7L, 4L, 5L)),
        2 => Vector512.Shuffle(v, Vector512.Create(4L, 5L, 6L, 7L, 0L, 1L, 2L, 3L)),
        _ => Vector512.Shuffle(v, Vector512.Create(6L, 7L, 4L, 5L, 2L, 3L, 0L, 1L)),
    };
    public static double Sum(Vector512<double> v) => Simd256.Sum(v.GetLower()) + Simd256.Sum(v.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Select(Vector512<double> m, Vector512<double> a, Vector512<double> b) => Vector512.ConditionalSelect(m, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> DupRe(Vector512<double> v) =>
        Avx512F.IsSupported ? Avx512F.Permute2x64(v, 0b0000_0000) : Vector512.Shuffle(v, Vector512.Create(0L, 0L, 2L, 2L, 4L, 4L, 6L, 6L));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> DupIm(Vector512<double> v) =>
        Avx512F.IsSupported ? Avx512F.Permute2x64(v, 0b1111_1111) : Vector512.Shuffle(v, Vector512.Create(1L, 1L, 3L, 3L, 5L, 5L, 7L, 7L));
    public static Vector512<double> AltSign { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(-1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Broadcast(double x) => Vector512.Create(x);
}

/// <summary>
/// The lane move p of <see cref="ISimd{TV}.XorAmps"/> as a type: a kernel picks the instantiation once per call, so the
/// JIT folds the move to one immediate shuffle. With p a runtime value the move is a jump table inside every loop
/// iteration (an indirect branch per register), which kept low-target kernels below the memory bandwidth.
/// </summary>
internal interface ILaneMove
{
    /// <summary>Amplitude lane j receives lane j ⊕ P.</summary>
    static abstract int P { get; }
}

/// <summary>No lane move.</summary>
internal readonly struct LaneMove0 : ILaneMove { public static int P => 0; }

/// <summary>Lanes j and j ⊕ 1 exchanged (qubit 0 inside a register).</summary>
internal readonly struct LaneMove1 : ILaneMove { public static int P => 1; }

/// <summary>Lanes j and j ⊕ 2 exchanged (qubit 1 inside a 512-bit register).</summary>
internal readonly struct LaneMove2 : ILaneMove { public static int P => 2; }

/// <summary>Lanes j and j ⊕ 3 exchanged (qubits 0 and 1 inside a 512-bit register).</summary>
internal readonly struct LaneMove3 : ILaneMove { public static int P => 3; }
