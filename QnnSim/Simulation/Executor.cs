using System.Numerics;
using System.Runtime.Intrinsics;
using QnnSim.Kernels;

namespace QnnSim.Simulation;

/// <summary>
/// Maps lowered steps to kernel calls, picks the SIMD path and splits large states between threads. The only place
/// that knows both <see cref="Primitive"/> and the kernels.
/// </summary>
/// <remarks>
/// Path: <see cref="SimulationOptions.EffectiveKernelPath"/>, narrowed when the state holds fewer amplitudes than
/// one register. Threads: states of at least <see cref="SimulationOptions.ParallelThresholdQubits"/> qubits are
/// split into <see cref="SimulationOptions.MaxThreads"/> contiguous ranges of the kernel's free index; every
/// amplitude is computed by the same instructions whatever the split, so results are bit-identical for any thread
/// count.
/// </remarks>
[System.Runtime.CompilerServices.SkipLocalsInit]
internal static class Executor
{
    /// <summary>Dense blocks up to this many targets use the SIMD lane-table kernel; wider ones the scalar kernel
    /// (unless they sit on the lowest qubits in order, where the SIMD mat-vec kernel applies).</summary>
    private const int MaxGenericTargets = 3;

    /// <summary>Applies every step of <paramref name="program"/> with its bound angles (fused when
    /// <see cref="SimulationOptions.Fusion"/> is on).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(CircuitProgram program, ReadOnlySpan<double> angles, Span<Complex> state, SimulationOptions options)
    {
        if (options.Fusion)
        {
            var plan = program.FusionPlan ??= Fusion.BuildPlan(program);
            Fusion.Run(program, plan, angles, state, options);
            return;
        }
        foreach (var step in program.Steps)
            Apply(step, step.AngleSlot >= 0 ? angles[step.AngleSlot] : 0.0, state, options, inverse: false);
    }

    /// <summary>
    /// Second level of cache blocking: consecutive items touching only qubits below this run slice by slice of
    /// 2^MidBlockQubits amplitudes (512 KiB: within a 1 MiB L2 with room for the code's other data), so a run of
    /// gates on the middle qubits costs one pass over memory (or L3) instead of one per gate.
    /// </summary>
    internal const int MidBlockQubits = 15;

    /// <summary>Blocks of a thread-split segment hold at least this many qubits (2^13 amplitudes, 128 KiB): below it
    /// the segment's fork and join would cost more than the work they spread.</summary>
    internal const int MinSegmentBlockQubits = Fusion.ChunkQubits + 1;

    /// <summary>
    /// Applies resolved fusion items [0, items.Length) in order. One thread: consecutive items touching only qubits
    /// below <see cref="Fusion.ChunkQubits"/> run slice by slice (cache blocking), and so do runs below
    /// <see cref="MidBlockQubits"/> with L2-sized slices; the others one pass each.
    /// Several threads (states of at least <see cref="SimulationOptions.ParallelThresholdQubits"/> qubits): the state
    /// is cut into 2^k contiguous blocks by its top k qubits (2^k ≥ <see cref="SimulationOptions.MaxThreads"/>), and
    /// every maximal run of items that leaves those k qubits alone is one parallel segment: each thread takes whole
    /// blocks and applies the entire run to them, as to a state of n − k qubits, with its own cache blocking. Only
    /// items on the top k qubits split their own loop between the threads as single gates do. So a layer of the
    /// hardware-efficient ansatz costs two forks and joins instead of one per item above the cache-blocked qubits,
    /// and each thread streams through its own half of the state (the peers' OpenMP layers do the same with one
    /// parallel region per fused gate). Every amplitude is computed by the same kernel instructions as on one
    /// thread, so results stay bit-identical for any thread count.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void RunItems(Fusion.Item[] items, List<(Primitive Step, double Angle)> resolved, Span<Complex> state, SimulationOptions options)
    {
        int n = BitOperations.Log2((uint)state.Length);
        int threads = options.MaxThreads;
        int k = threads <= 1 || n < options.ParallelThresholdQubits ? 0 : SplitQubits(threads);
        if (k == 0 || n - k < MinSegmentBlockQubits)
        {
            RunLocal(items, resolved, 0, items.Length, state, options);
            return;
        }
        ulong top = ((1UL << k) - 1) << (n - k);
        int i = 0;
        while (i < items.Length)
        {
            int j = i;
            while (j < items.Length && (items[j].Support & top) == 0) j++;
            if (j - i >= 2)
            {
                RunSegment(items, resolved, i, j, state, options, k);
                i = j;
            }
            else
            {
                int end = Math.Max(j, i + 1);
                RunLocal(items, resolved, i, end, state, options);
                i = end;
            }
        }
    }

    /// <summary>k with 2^k blocks for <paramref name="threads"/> threads: the next power of two, one more bit when
    /// the count is not a power of two (8 blocks for 3 threads: at most 3/8 of the work on one thread).</summary>
    private static int SplitQubits(int threads)
    {
        int k = BitOperations.Log2((uint)threads - 1) + 1;
        return BitOperations.IsPow2(threads) ? k : k + 1;
    }

    /// <summary>
    /// Items [from, to) on <paramref name="state"/> (the whole state or one block of a segment), in order: on one
    /// thread, runs below <see cref="MidBlockQubits"/> slice by 2^MidBlockQubits slice; runs of at least two items
    /// below <see cref="Fusion.ChunkQubits"/> slice by 2^ChunkQubits slice; the others one pass each, with the
    /// threads <paramref name="options"/> allows.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void RunLocal(Fusion.Item[] items, List<(Primitive Step, double Angle)> resolved, int from, int to, Span<Complex> state, SimulationOptions options)
    {
        int n = BitOperations.Log2((uint)state.Length);
        ulong lowMask = (1UL << Fusion.ChunkQubits) - 1;
        bool serial = options.MaxThreads == 1 || n < options.ParallelThresholdQubits;
        int i = from;
        while (i < to)
        {
            if (serial && n > MidBlockQubits && (items[i].Support >> MidBlockQubits) == 0)
            {
                // A run below MidBlockQubits that is not all below ChunkQubits: slice by L2-sized slice, each slice
                // getting the whole run (with its own 2^ChunkQubits blocking), instead of one pass over the state per
                // item on the middle qubits.
                int j = i;
                bool mid = false;
                while (j < to && (items[j].Support >> MidBlockQubits) == 0) mid |= (items[j++].Support & ~lowMask) != 0;
                if (mid && j - i >= 2)
                {
                    int sliceLength = 1 << MidBlockQubits;
                    for (int c = 0; c < state.Length; c += sliceLength)
                        RunLocal(items, resolved, i, j, state.Slice(c, sliceLength), options);
                    i = j;
                    continue;
                }
            }
            if (n > Fusion.ChunkQubits && (items[i].Support & ~lowMask) == 0)
            {
                int j = i;
                while (j < to && (items[j].Support & ~lowMask) == 0) j++;
                if (j - i >= 2)
                {
                    RunChunked(resolved, i, j, state, options);
                    i = j;
                    continue;
                }
            }
            var (step, angle) = resolved[i];
            Apply(step, angle, state, options, inverse: false);
            i++;
        }
    }

    /// <summary>Items [from, to), none on the top <paramref name="k"/> qubits, on the 2^k contiguous blocks in
    /// parallel; each block gets every item (with one thread) before the next block is taken.</summary>
    private static unsafe void RunSegment(Fusion.Item[] items, List<(Primitive Step, double Angle)> resolved, int from, int to,
        Span<Complex> state, SimulationOptions options, int k)
    {
        int blocks = 1 << k;
        int blockLength = state.Length >> k;
        var single = options with { MaxThreads = 1 };
        fixed (Complex* ptr = state)
        {
            nint p = (nint)ptr;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads }, b =>
                RunLocal(items, resolved, from, to, new Span<Complex>((Complex*)p + (long)b * blockLength, blockLength), single));
        }
    }

    /// <summary>Items [from, to), all below <see cref="Fusion.ChunkQubits"/>, slice by slice: each 2^ChunkQubits
    /// slice gets every item before the next slice is loaded; the slices are shared among the threads.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void RunChunked(List<(Primitive Step, double Angle)> resolved, int from, int to, Span<Complex> state, SimulationOptions options)
    {
        int chunkLength = 1 << Fusion.ChunkQubits;
        int chunks = state.Length >> Fusion.ChunkQubits;
        int n = BitOperations.Log2((uint)state.Length);
        if (n < options.ParallelThresholdQubits || options.MaxThreads == 1)
        {
            // Slices are below the threshold, but a threshold under ChunkQubits would thread them: keep one thread.
            var single = options.MaxThreads == 1 ? options : options with { MaxThreads = 1 };
            for (int c = 0; c < chunks; c++)
            {
                var slice = state.Slice(c * chunkLength, chunkLength);
                for (int k = from; k < to; k++) Apply(resolved[k].Step, resolved[k].Angle, slice, single, inverse: false);
            }
            return;
        }
        RunChunkedParallel(resolved, from, to, state, options, chunks);
    }

    private static unsafe void RunChunkedParallel(List<(Primitive Step, double Angle)> resolved, int from, int to, Span<Complex> state,
        SimulationOptions options, int chunks)
    {
        int chunkLength = 1 << Fusion.ChunkQubits;
        var single = options with { MaxThreads = 1 };
        int parts = Math.Min(options.MaxThreads, chunks);
        fixed (Complex* ptr = state)
        {
            nint p = (nint)ptr;
            int length = state.Length;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads }, part =>
            {
                var all = new Span<Complex>((void*)p, length);
                for (long c = (long)chunks * part / parts; c < (long)chunks * (part + 1) / parts; c++)
                {
                    var slice = all.Slice((int)c * chunkLength, chunkLength);
                    for (int k = from; k < to; k++) Apply(resolved[k].Step, resolved[k].Angle, slice, single, inverse: false);
                }
            });
        }
    }

    /// <summary>The SIMD path for a state of <paramref name="length"/> amplitudes under <paramref name="options"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static KernelPath PathFor(SimulationOptions options, int length)
    {
        KernelPath path = options.EffectiveKernelPath;
        if (path == KernelPath.Vector512 && length < 4) path = KernelPath.Vector256;
        if (path == KernelPath.Vector256 && length < 2) path = KernelPath.Vector128;
        return path;
    }

    /// <summary>Applies one step (or its inverse) with its angle.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Apply(Primitive p, double angle, Span<Complex> state, SimulationOptions options, bool inverse)
    {
        KernelPath path = PathFor(options, state.Length);
        if (path != KernelPath.Scalar && !VectorCapable(p, path)) path = KernelPath.Scalar;
        long free = FreeCount(p, path, state.Length);
        int qubits = BitOperations.Log2((uint)state.Length);
        int threads = options.MaxThreads;
        if (qubits < options.ParallelThresholdQubits || threads == 1 || free < 2)
        {
            ApplyRange(p, angle, state, inverse, path, 0, free);
            return;
        }
        ApplyParallel(p, angle, state, inverse, path, free, threads);
    }

    /// <summary>
    /// The threaded branch of <see cref="Apply"/>, in its own method because its lambda's closure would otherwise be
    /// allocated on every call, single-threaded ones included (C# creates a closure where its captures are declared).
    /// Fixed ranges free·c/parts, so the split does not depend on scheduling.
    /// </summary>
    private static unsafe void ApplyParallel(Primitive p, double angle, Span<Complex> state, bool inverse, KernelPath path, long free, int threads)
    {
        int parts = (int)Math.Min(threads, free);
        fixed (Complex* ptr = state)
        {
            var ptrCopy = (nint)ptr;
            int length = state.Length;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
            {
                var span = new Span<Complex>((void*)ptrCopy, length);
                ApplyRange(p, angle, span, inverse, path, free * c / parts, free * (c + 1) / parts);
            });
        }
    }

    /// <summary>Σ_k |ψ_k|² over [begin, end) on <paramref name="path"/> (range a multiple of the register width).</summary>
    public static double NormSquared(KernelPath path, ReadOnlySpan<Complex> state, long begin, long end) => path switch
    {
        KernelPath.Vector512 => VectorReductions<Simd512, Vector512<double>>.NormSquared(state, begin, end),
        KernelPath.Vector256 => VectorReductions<Simd256, Vector256<double>>.NormSquared(state, begin, end),
        KernelPath.Vector128 => VectorReductions<Simd128, Vector128<double>>.NormSquared(state, begin, end),
        _ => StateKernels.NormSquared(state, begin, end),
    };

    /// <summary>The range's share of ⟨ψ|P|ψ⟩ for the Pauli string (x, z, #Y) on <paramref name="path"/>.</summary>
    public static double ExpectationPauli(KernelPath path, ulong x, ulong z, int y, ReadOnlySpan<Complex> state, long begin, long end) => path switch
    {
        KernelPath.Vector512 => VectorReductions<Simd512, Vector512<double>>.ExpectationPauli(x, z, y, state, begin, end),
        KernelPath.Vector256 => VectorReductions<Simd256, Vector256<double>>.ExpectationPauli(x, z, y, state, begin, end),
        KernelPath.Vector128 => VectorReductions<Simd128, Vector128<double>>.ExpectationPauli(x, z, y, state, begin, end),
        _ => StateKernels.ExpectationPauli(x, z, y, state, begin, end),
    };

    /// <summary>⟨a|b⟩ over [begin, end) on <paramref name="path"/>.</summary>
    public static Complex InnerProduct(KernelPath path, ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b, long begin, long end) => path switch
    {
        KernelPath.Vector512 => VectorReductions<Simd512, Vector512<double>>.InnerProduct(a, b, begin, end),
        KernelPath.Vector256 => VectorReductions<Simd256, Vector256<double>>.InnerProduct(a, b, begin, end),
        KernelPath.Vector128 => VectorReductions<Simd128, Vector128<double>>.InnerProduct(a, b, begin, end),
        _ => StateKernels.InnerProduct(a, b, begin, end),
    };

    private static int Lb(KernelPath path) => path switch { KernelPath.Vector512 => 2, KernelPath.Vector256 => 1, _ => 0 };

    /// <summary>True when the dense targets are 0..k−1 in order and fill at least one register.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsLowContiguous(Primitive p, KernelPath path)
    {
        ReadOnlySpan<int> t = DenseTargets(p);
        if ((1 << t.Length) < 1 << Lb(path)) return false;
        for (int j = 0; j < t.Length; j++) if (t[j] != j) return false;
        return (p.CtrlMask & ((1UL << t.Length) - 1)) == 0;
    }

    private static ReadOnlySpan<int> DenseTargets(Primitive p) =>
        p.Kind == PrimitiveKind.MatrixK ? p.Targets : p.PairTargets ??= [p.Target0, p.Target1];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool VectorCapable(Primitive p, KernelPath path) => p.Kind != PrimitiveKind.MatrixK
        || p.Targets.Length <= MaxGenericTargets || IsLowContiguous(p, path);

    /// <summary>Length of the free index the chosen kernel loops over.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static long FreeCount(Primitive p, KernelPath path, int length)
    {
        if (path == KernelPath.Scalar) return StateKernels.FreeCount(length, p.LoopBits);
        int lb = Lb(path);
        ulong loop = p.Kind switch
        {
            PrimitiveKind.Matrix1 => p.CtrlMask | (1UL << p.Target0),
            PrimitiveKind.Diagonal1 or PrimitiveKind.PhaseShift or PrimitiveKind.GlobalPhase => p.CtrlMask,
            PrimitiveKind.Pauli or PrimitiveKind.PauliRotation => p.CtrlMask | HighPivot(p.XMask, lb),
            PrimitiveKind.Select1 => (1UL << p.Target0) | (1UL << p.Target1),
            PrimitiveKind.Matrix2 or PrimitiveKind.MatrixK or PrimitiveKind.Swap =>
                IsLowContiguous(p, path) ? p.CtrlMask | ((1UL << DenseTargets(p).Length) - 1) : p.CtrlMask | p.TargetMask,
            _ => throw new System.Diagnostics.UnreachableException(),
        };
        return ((long)length >> lb) >> BitOperations.PopCount(loop >> lb);
    }

    private static ulong HighPivot(ulong x, int lb)
    {
        ulong h = x >> lb;
        return (h & (~h + 1)) << lb;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ApplyRange(Primitive p, double angle, Span<Complex> state, bool inverse, KernelPath path, long begin, long end)
    {
        switch (path)
        {
            case KernelPath.Vector512: ApplyVector<Simd512, Vector512<double>>(p, angle, state, inverse, begin, end); break;
            case KernelPath.Vector256: ApplyVector<Simd256, Vector256<double>>(p, angle, state, inverse, begin, end); break;
            case KernelPath.Vector128: ApplyVector<Simd128, Vector128<double>>(p, angle, state, inverse, begin, end); break;
            default: ApplyScalar(p, angle, state, inverse, begin, end); break;
        }
    }

    private static Complex[] Adjoint(Complex[] m, int d)
    {
        var a = new Complex[d * d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                a[r * d + c] = Complex.Conjugate(m[c * d + r]);
        return a;
    }

    /// <summary>Both 2×2 blocks of a <see cref="PrimitiveKind.Select1"/> matrix replaced by their adjoints.</summary>
    private static ReadOnlySpan<Complex> Select1Adjoint(Complex[] m, Span<Complex> a)
    {
        for (int h = 0; h < 8; h += 4)
        {
            a[h] = Complex.Conjugate(m[h]); a[h + 1] = Complex.Conjugate(m[h + 2]);
            a[h + 2] = Complex.Conjugate(m[h + 1]); a[h + 3] = Complex.Conjugate(m[h + 3]);
        }
        return a;
    }

    private static readonly Complex[] SwapMatrix = [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ApplyVector<TO, TV>(Primitive p, double angle, Span<Complex> state, bool inverse, long begin, long end)
        where TO : struct, ISimd<TV> where TV : unmanaged
    {
        switch (p.Kind)
        {
            case PrimitiveKind.Matrix1:
            {
                var m = p.Matrix;
                if (inverse) VectorKernels<TO, TV>.Matrix1(p.CtrlMask, p.CtrlValue, p.Target0, Complex.Conjugate(m[0]), Complex.Conjugate(m[2]), Complex.Conjugate(m[1]), Complex.Conjugate(m[3]), state, begin, end);
                else VectorKernels<TO, TV>.Matrix1(p.CtrlMask, p.CtrlValue, p.Target0, m[0], m[1], m[2], m[3], state, begin, end);
                break;
            }
            case PrimitiveKind.Diagonal1:
            {
                var m = p.Matrix;
                if (inverse) VectorKernels<TO, TV>.Diagonal1(p.CtrlMask, p.CtrlValue, p.Target0, Complex.Conjugate(m[0]), Complex.Conjugate(m[1]), state, begin, end);
                else VectorKernels<TO, TV>.Diagonal1(p.CtrlMask, p.CtrlValue, p.Target0, m[0], m[1], state, begin, end);
                break;
            }
            case PrimitiveKind.PhaseShift:
                VectorKernels<TO, TV>.Diagonal1(p.CtrlMask, p.CtrlValue, p.Target0, Complex.One,
                    Complex.FromPolarCoordinates(1, inverse ? -angle : angle), state, begin, end);
                break;
            case PrimitiveKind.GlobalPhase:
            {
                Complex ph = Complex.FromPolarCoordinates(1, inverse ? -angle : angle);
                VectorKernels<TO, TV>.DiagonalParity(p.CtrlMask, p.CtrlValue, 0, ph, ph, state, begin, end);
                break;
            }
            case PrimitiveKind.Pauli:
            {
                Complex g = StateKernels.IPower(p.YCount);
                if (p.XMask == 0) VectorKernels<TO, TV>.DiagonalParity(p.CtrlMask, p.CtrlValue, p.ZMask, g, -g, state, begin, end);
                else VectorKernels<TO, TV>.PauliExchange(p.CtrlMask, p.CtrlValue, p.XMask, p.ZMask, Complex.Zero, g, state, begin, end);
                break;
            }
            case PrimitiveKind.PauliRotation:
            {
                double half = (inverse ? -angle : angle) * 0.5;
                var (s, c) = Math.SinCos(half);
                if (p.CtrlMask == 0 && p.XMask == p.ZMask && BitOperations.IsPow2(p.XMask)
                    && BitOperations.TrailingZeroCount(p.XMask) >= TO.LaneBits)
                {
                    // Ry on a high qubit: a real 2×2, cheaper than the general exchange (same free index: the target).
                    VectorKernels<TO, TV>.RealMatrix1High(BitOperations.TrailingZeroCount(p.XMask), c, -s, s, c, state, begin, end);
                    break;
                }
                if (p.CtrlMask == 0 && p.XMask == p.ZMask && BitOperations.IsPow2(p.XMask))
                {
                    // Ry on a low qubit: real per-lane coefficients and one lane move (free index: every register).
                    VectorKernels<TO, TV>.RyLow(BitOperations.TrailingZeroCount(p.XMask), c, s, state, begin, end);
                    break;
                }
                if (p.XMask == 0) VectorKernels<TO, TV>.DiagonalParity(p.CtrlMask, p.CtrlValue, p.ZMask, new Complex(c, -s), new Complex(c, s), state, begin, end);
                else VectorKernels<TO, TV>.PauliExchange(p.CtrlMask, p.CtrlValue, p.XMask, p.ZMask, c,
                    new Complex(0, -s) * StateKernels.IPower(p.YCount), state, begin, end);
                break;
            }
            case PrimitiveKind.Select1:
                VectorKernels<TO, TV>.Select1(p.Target0, p.Target1, inverse ? Select1Adjoint(p.Matrix, stackalloc Complex[8]) : p.Matrix,
                    state, begin, end);
                break;
            case PrimitiveKind.Matrix2:
            case PrimitiveKind.MatrixK:
            case PrimitiveKind.Swap:
            {
                int path = TO.LaneBits + 1; // 1, 2, 3 for 128, 256, 512
                int slot = 2 * path + (inverse ? 1 : 0);
                var cache = p.VectorCache ??= new object?[8];
                ReadOnlySpan<int> targets = DenseTargets(p);
                int dim = 1 << targets.Length;
                if (IsLowContiguous(p, TO.LaneBits == 2 ? KernelPath.Vector512 : TO.LaneBits == 1 ? KernelPath.Vector256 : KernelPath.Vector128))
                {
                    if (cache[slot] is not TV[] cols)
                    {
                        Complex[] m = p.Kind == PrimitiveKind.Swap ? SwapMatrix : p.Matrix;
                        cols = VectorKernels<TO, TV>.BuildColumns(inverse ? Adjoint(m, dim) : m, dim);
                        cache[slot] = cols;
                    }
                    VectorKernels<TO, TV>.MatVecLow(p.CtrlMask, p.CtrlValue, dim, cols, state, begin, end);
                }
                else
                {
                    if (cache[slot] is not LaneCoef<TV>[] table)
                    {
                        Complex[] m = p.Kind == PrimitiveKind.Swap ? SwapMatrix : p.Matrix;
                        table = VectorKernels<TO, TV>.BuildTable(p.CtrlMask, p.CtrlValue, targets, inverse ? Adjoint(m, dim) : m);
                        cache[slot] = table;
                    }
                    VectorKernels<TO, TV>.MatrixGeneric(p.CtrlMask, p.CtrlValue, targets, table, state, begin, end);
                }
                break;
            }
            default:
                throw new System.Diagnostics.UnreachableException();
        }
    }

    /// <summary>Applies a step with the scalar kernel to a whole (small) state, on the calling thread.</summary>
    internal static void ApplyScalarFull(Primitive p, double angle, Span<Complex> state) =>
        ApplyScalar(p, angle, state, false, 0, StateKernels.FreeCount(state.Length, p.LoopBits));

    private static void ApplyScalar(Primitive p, double angle, Span<Complex> state, bool inverse, long begin, long end)
    {
        switch (p.Kind)
        {
            case PrimitiveKind.Matrix1:
            {
                var m = p.Matrix;
                if (inverse) StateKernels.ApplyMatrix1(p.CtrlMask, p.CtrlValue, p.Target0, Complex.Conjugate(m[0]), Complex.Conjugate(m[2]), Complex.Conjugate(m[1]), Complex.Conjugate(m[3]), state, begin, end);
                else StateKernels.ApplyMatrix1(p.CtrlMask, p.CtrlValue, p.Target0, m[0], m[1], m[2], m[3], state, begin, end);
                break;
            }
            case PrimitiveKind.Diagonal1:
            {
                var m = p.Matrix;
                if (inverse) StateKernels.ApplyDiagonal1(p.CtrlMask, p.CtrlValue, p.Target0, Complex.Conjugate(m[0]), Complex.Conjugate(m[1]), state, begin, end);
                else StateKernels.ApplyDiagonal1(p.CtrlMask, p.CtrlValue, p.Target0, m[0], m[1], state, begin, end);
                break;
            }
            case PrimitiveKind.Matrix2:
            {
                if (inverse)
                {
                    Span<Complex> adj = stackalloc Complex[16];
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++)
                            adj[r * 4 + c] = Complex.Conjugate(p.Matrix[c * 4 + r]);
                    StateKernels.ApplyMatrix2(p.CtrlMask, p.CtrlValue, p.Target0, p.Target1, adj, state, begin, end);
                }
                else StateKernels.ApplyMatrix2(p.CtrlMask, p.CtrlValue, p.Target0, p.Target1, p.Matrix, state, begin, end);
                break;
            }
            case PrimitiveKind.MatrixK:
            {
                int d = p.Offsets.Length;
                Complex[] m = inverse ? Adjoint(p.Matrix, d) : p.Matrix;
                Span<Complex> scratch = d <= 256 ? stackalloc Complex[d] : new Complex[d];
                StateKernels.ApplyMatrixK(p.CtrlMask, p.CtrlValue, p.TargetMask, p.Offsets, m, scratch, state, begin, end);
                break;
            }
            case PrimitiveKind.Pauli:
                StateKernels.ApplyPauli(p.CtrlMask, p.CtrlValue, p.XMask, p.ZMask, p.YCount, state, begin, end);
                break;
            case PrimitiveKind.PauliRotation:
            {
                double half = (inverse ? -angle : angle) * 0.5;
                var (sin, cos) = Math.SinCos(half);
                StateKernels.ApplyPauliRotation(p.CtrlMask, p.CtrlValue, p.XMask, p.ZMask, p.YCount, cos, sin, state, begin, end);
                break;
            }
            case PrimitiveKind.PhaseShift:
                StateKernels.ApplyDiagonal1(p.CtrlMask, p.CtrlValue, p.Target0, Complex.One,
                    Complex.FromPolarCoordinates(1, inverse ? -angle : angle), state, begin, end);
                break;
            case PrimitiveKind.GlobalPhase:
                StateKernels.ApplyPhase(p.CtrlMask, p.CtrlValue, Complex.FromPolarCoordinates(1, inverse ? -angle : angle), state, begin, end);
                break;
            case PrimitiveKind.Select1:
                StateKernels.ApplySelect1(p.Target0, p.Target1, inverse ? Select1Adjoint(p.Matrix, stackalloc Complex[8]) : p.Matrix,
                    state, begin, end);
                break;
            case PrimitiveKind.Swap:
                StateKernels.ApplySwap(p.CtrlMask, p.CtrlValue, p.Target0, p.Target1, state, begin, end);
                break;
            default:
                throw new System.Diagnostics.UnreachableException();
        }
    }
}
