using System.Numerics;
using System.Runtime.Intrinsics;
using QnnSim.Kernels;

namespace QnnSim.Simulation;

/// <summary>
/// The single-precision counterpart of <see cref="Executor"/>: maps lowered (and fused) steps to the complex64 kernels
/// of <see cref="SingleKernels"/>, picks the SIMD path and splits large states between threads.
/// </summary>
/// <remarks>
/// <para>Steps: every one-qubit step (dense, diagonal, rotation, Pauli, phase shift, with any controls) and fusion's
/// Select1 items run the selected 2×2 kernel; everything else (multi-qubit Pauli strings and rotations, SWAP, dense
/// blocks, global phases) runs the generic dense kernel on its targets with its controls. Matrices are computed in
/// double (fusion products, <see cref="Fusion.DenseOf"/>) and rounded to float once per step.</para>
/// <para>Paths: Vector512 (8 amplitudes a register) and Vector256 (4) as forced or detected; Vector128 and states
/// below one register run the scalar kernels. Cache blocking: a run of consecutive items on qubits below
/// <see cref="BlockQubits"/> goes through the state slice by slice (each slice gets the whole run before the next is
/// loaded). Threads: runs of items off the top qubits go to whole blocks of the state per thread (segments, as in
/// <see cref="Executor.RunItems"/>); items on the top qubits split their free index into fixed ranges. Each amplitude
/// is computed by the same instructions for any split, so results are bit-identical for any thread count.</para>
/// </remarks>
[System.Runtime.CompilerServices.SkipLocalsInit]
internal static unsafe class SingleExecutor
{
    /// <summary>Slices of cache-blocked runs hold 2^16 complex64 amplitudes (512 KiB, as the double executor's
    /// 2^15 complex128 slices).</summary>
    internal const int BlockQubits = 16;

    /// <summary>ψ ← U ψ for the program with its bound angles (fused when the options say so).</summary>
    public static void Run(CircuitProgram program, ReadOnlySpan<double> angles, Span<Complex64> state, SimulationOptions options)
    {
        if (options.Fusion)
        {
            var plan = program.FusionPlan ??= Fusion.BuildPlan(program);
            RunItems(plan.Items, Fusion.ResolveAll(program, plan, angles), state, options);
            return;
        }
        foreach (var step in program.Steps)
            Apply(step, step.AngleSlot >= 0 ? angles[step.AngleSlot] : 0.0, state, options);
    }

    /// <summary>The SIMD path for a state of <paramref name="amplitudes"/> complex64 amplitudes.</summary>
    public static KernelPath PathFor(SimulationOptions options, int amplitudes)
    {
        KernelPath path = options.EffectiveKernelPath;
        if (path == KernelPath.Vector512 && amplitudes < 8) path = KernelPath.Vector256;
        if (path == KernelPath.Vector256 && amplitudes < 4) path = KernelPath.Scalar;
        return path == KernelPath.Vector128 ? KernelPath.Scalar : path;
    }

    private static bool Threaded(SimulationOptions options, int amplitudes) =>
        options.MaxThreads > 1 && BitOperations.Log2((uint)amplitudes) >= options.ParallelThresholdQubits;

    /// <summary>
    /// Items in order. Several threads (states of at least <see cref="SimulationOptions.ParallelThresholdQubits"/>
    /// qubits): the state is cut into 2^k contiguous blocks by its top k qubits (2^k ≥ threads), and every run of at
    /// least two items that leaves those qubits alone is one parallel segment, each thread applying the whole run to
    /// its own blocks (the double executor's segment threading); items on the top qubits split their own loop. One
    /// thread, or inside a block: <see cref="RunLocal"/>.
    /// </summary>
    private static void RunItems(Fusion.Item[] items, List<(Primitive Step, double Angle)> resolved, Span<Complex64> state, SimulationOptions options)
    {
        int n = BitOperations.Log2((uint)state.Length);
        int threads = options.MaxThreads;
        int k = Threaded(options, state.Length) ? BitOperations.Log2((uint)threads - 1) + 1 + (BitOperations.IsPow2(threads) ? 0 : 1) : 0;
        if (k == 0 || n - k < Executor.MinSegmentBlockQubits)
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
                continue;
            }
            int end = Math.Max(j, i + 1);
            RunLocal(items, resolved, i, end, state, options);
            i = end;
        }
    }

    /// <summary>Items [from, to), none on the top <paramref name="k"/> qubits, on the 2^k blocks in parallel.</summary>
    private static void RunSegment(Fusion.Item[] items, List<(Primitive Step, double Angle)> resolved, int from, int to,
        Span<Complex64> state, SimulationOptions options, int k)
    {
        int blocks = 1 << k;
        int blockLength = state.Length >> k;
        var single = options with { MaxThreads = 1 };
        fixed (Complex64* ptr = state)
        {
            nint p = (nint)ptr;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads }, b =>
                RunLocal(items, resolved, from, to, new Span<Complex64>((Complex64*)p + (long)b * blockLength, blockLength), single));
        }
    }

    /// <summary>Items [from, to) in order: runs of at least two items below <see cref="BlockQubits"/> slice by slice
    /// (when the state is larger than one slice), the others one pass each with the threads the options allow.</summary>
    private static void RunLocal(Fusion.Item[] items, List<(Primitive Step, double Angle)> resolved, int from, int to,
        Span<Complex64> state, SimulationOptions options)
    {
        int n = BitOperations.Log2((uint)state.Length);
        int i = from;
        while (i < to)
        {
            int j = i;
            while (j < to && items[j].Support >> BlockQubits == 0) j++;
            if (n > BlockQubits && j - i >= 2)
            {
                RunBlocked(resolved, i, j, state, options);
                i = j;
                continue;
            }
            var (step, angle) = resolved[i];
            Apply(step, angle, state, options);
            i++;
        }
    }

    /// <summary>Items [from, to), all below <see cref="BlockQubits"/>, slice by slice; slices shared among threads.</summary>
    private static void RunBlocked(List<(Primitive Step, double Angle)> resolved, int from, int to, Span<Complex64> state, SimulationOptions options)
    {
        int sliceLength = 1 << BlockQubits;
        int slices = state.Length >> BlockQubits;
        var single = options.MaxThreads == 1 ? options : options with { MaxThreads = 1 };
        if (!Threaded(options, state.Length))
        {
            for (int c = 0; c < slices; c++)
            {
                var slice = state.Slice(c * sliceLength, sliceLength);
                for (int k = from; k < to; k++) Apply(resolved[k].Step, resolved[k].Angle, slice, single);
            }
            return;
        }
        int parts = Math.Min(options.MaxThreads, slices);
        fixed (Complex64* ptr = state)
        {
            nint p = (nint)ptr;
            int length = state.Length;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads }, part =>
            {
                var all = new Span<Complex64>((void*)p, length);
                for (long c = (long)slices * part / parts; c < (long)slices * (part + 1) / parts; c++)
                {
                    var slice = all.Slice((int)c * sliceLength, sliceLength);
                    for (int k = from; k < to; k++) Apply(resolved[k].Step, resolved[k].Angle, slice, single);
                }
            });
        }
    }

    /// <summary>Applies one step with its angle to a complex64 state.</summary>
    public static void Apply(Primitive p, double angle, Span<Complex64> state, SimulationOptions options)
    {
        int amplitudes = state.Length;
        KernelPath path = PathFor(options, amplitudes);
        Span<float> m0 = stackalloc float[8], m1 = stackalloc float[8];
        Identity(m0);
        int target;
        ulong selMask = p.CtrlMask, selValue = p.CtrlValue;
        bool m0Identity = true;
        switch (p.Kind)
        {
            case PrimitiveKind.Select1:
                target = p.Target0;
                Round(p.Matrix.AsSpan(0, 4), m0);
                Round(p.Matrix.AsSpan(4, 4), m1);
                selMask = selValue = 1UL << p.Target1;
                m0Identity = false;
                break;
            case PrimitiveKind.Matrix1:
                target = p.Target0;
                Round(p.Matrix.AsSpan(0, 4), m1);
                break;
            case PrimitiveKind.Diagonal1:
                target = p.Target0;
                Round([p.Matrix[0], Complex.Zero, Complex.Zero, p.Matrix[1]], m1);
                break;
            default:
                if (BitOperations.PopCount(p.TargetMask) == 1)
                {
                    target = BitOperations.TrailingZeroCount(p.TargetMask);
                    TargetMatrix(p, angle, [target]).CopyTo(m1);
                    break;
                }
                if (p.Kind is PrimitiveKind.Pauli or PrimitiveKind.PauliRotation) ApplyPauli(p, angle, state, options);
                else ApplyDense(p, angle, state, options);
                return;
        }
        long free = path switch
        {
            KernelPath.Vector512 => SingleVectorKernels<SimdSingle512, Vector512<float>>.FreeCount(amplitudes, target),
            KernelPath.Vector256 => SingleVectorKernels<SimdSingle256, Vector256<float>>.FreeCount(amplitudes, target),
            _ => SingleKernels.FreeCount1(amplitudes),
        };
        var op = new OneQubit { Path = path, Target = target, SelMask = selMask, SelValue = selValue, M0Identity = m0Identity };
        m0.CopyTo(new Span<float>(op.M0, 8));
        m1.CopyTo(new Span<float>(op.M1, 8));
        if (!Threaded(options, amplitudes) || free < 2) op.Run(state, 0, free);
        else RunParallel(op, state, free, options.MaxThreads);
    }

    /// <summary>The threaded branch of <see cref="Apply"/> in its own method, so single-threaded calls allocate no
    /// closure. Fixed ranges free·c/parts: the split does not depend on scheduling.</summary>
    private static void RunParallel(OneQubit op, Span<Complex64> state, long free, int threads)
    {
        fixed (Complex64* ptr = state)
        {
            nint sp = (nint)ptr;
            int length = state.Length;
            int parts = (int)Math.Min(threads, free);
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
                op.Run(new Span<Complex64>((void*)sp, length), free * c / parts, free * (c + 1) / parts));
        }
    }

    /// <summary>One call of the selected 2×2 kernel, held by value so worker threads can run it.</summary>
    private struct OneQubit
    {
        public KernelPath Path;
        public int Target;
        public ulong SelMask, SelValue;
        public bool M0Identity;
        public fixed float M0[8];
        public fixed float M1[8];

        public void Run(Span<Complex64> state, long begin, long end)
        {
            fixed (float* a = M0)
            fixed (float* b = M1)
            {
                var m0 = new ReadOnlySpan<float>(a, 8);
                var m1 = new ReadOnlySpan<float>(b, 8);
                switch (Path)
                {
                    case KernelPath.Vector512:
                        SingleVectorKernels<SimdSingle512, Vector512<float>>.Matrix1(Target, SelMask, SelValue, m0, m1, M0Identity, state, begin, end);
                        break;
                    case KernelPath.Vector256:
                        SingleVectorKernels<SimdSingle256, Vector256<float>>.Matrix1(Target, SelMask, SelValue, m0, m1, M0Identity, state, begin, end);
                        break;
                    default:
                        SingleKernels.Matrix1(Target, SelMask, SelValue, m0, m1, M0Identity, state, begin, end);
                        break;
                }
            }
        }
    }

    /// <summary>A Pauli string or Pauli rotation on several qubits (any number: never a dense matrix).</summary>
    private static void ApplyPauli(Primitive p, double angle, Span<Complex64> state, SimulationOptions options)
    {
        Complex phase = StateKernels.IPower(p.YCount);
        double cos = 0;
        Complex coef = phase;
        if (p.Kind == PrimitiveKind.PauliRotation)
        {
            var (sin, c) = Math.SinCos(0.5 * angle);
            cos = c;
            coef = new Complex(0, -sin) * phase;
        }
        long free = SingleKernels.FreeCountPauli(state.Length, p.CtrlMask, p.XMask);
        if (!Threaded(options, state.Length) || free < 2)
            SingleKernels.PauliExchange(p.CtrlMask, p.CtrlValue, p.XMask, p.ZMask, cos, coef, state, 0, free);
        else PauliParallel(p, cos, coef, state, free, options.MaxThreads);
    }

    private static void PauliParallel(Primitive p, double cos, Complex coef, Span<Complex64> state, long free, int threads)
    {
        fixed (Complex64* ptr = state)
        {
            nint sp = (nint)ptr;
            int length = state.Length;
            int parts = (int)Math.Min(threads, free);
            ulong ctrlMask = p.CtrlMask, ctrlValue = p.CtrlValue, x = p.XMask, z = p.ZMask;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
                SingleKernels.PauliExchange(ctrlMask, ctrlValue, x, z, cos, coef, new Span<Complex64>((void*)sp, length), free * c / parts, free * (c + 1) / parts));
        }
    }

    /// <summary>A step on zero or several targets: the generic dense kernel with its controls.</summary>
    private static void ApplyDense(Primitive p, double angle, Span<Complex64> state, SimulationOptions options)
    {
        int[] targets = Bits(p.TargetMask);
        float[] m = TargetMatrix(p, angle, targets);
        int amplitudes = state.Length;
        long free = SingleKernels.FreeCountK(amplitudes, p.CtrlMask, p.TargetMask);
        if (!Threaded(options, amplitudes) || free < 2) SingleKernels.MatrixK(p.CtrlMask, p.CtrlValue, targets, m, state, 0, free);
        else DenseParallel(p.CtrlMask, p.CtrlValue, targets, m, state, free, options);
    }

    private static void DenseParallel(ulong ctrlMask, ulong ctrlValue, int[] targets, float[] m, Span<Complex64> state, long free, SimulationOptions options)
    {
        fixed (Complex64* ptr = state)
        {
            nint sp = (nint)ptr;
            int length = state.Length;
            int parts = (int)Math.Min(options.MaxThreads, free);
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads }, c =>
                SingleKernels.MatrixK(ctrlMask, ctrlValue, targets, m, new Span<Complex64>((void*)sp, length), free * c / parts, free * (c + 1) / parts));
        }
    }

    /// <summary>
    /// The step's matrix on its targets without its controls (<see cref="Fusion.DenseOf"/> on the targets alone),
    /// rounded to complex64. Constant steps keep it in slot 0 of their <see cref="Primitive.VectorCache"/> (the
    /// double executor uses slots 2 to 7).
    /// </summary>
    private static float[] TargetMatrix(Primitive p, double angle, int[] targets)
    {
        bool constant = p.AngleSlot < 0;
        if (constant && p.VectorCache?[0] is float[] cached) return cached;
        Complex[] dense = Fusion.DenseOf(p, angle, targets);
        var m = new float[2 * dense.Length];
        Round(dense, m);
        if (constant) (p.VectorCache ??= new object?[8])[0] = m;
        return m;
    }

    private static void Round(ReadOnlySpan<Complex> m, Span<float> f)
    {
        for (int i = 0; i < m.Length; i++)
        {
            f[2 * i] = (float)m[i].Real;
            f[2 * i + 1] = (float)m[i].Imaginary;
        }
    }

    private static void Identity(Span<float> m)
    {
        m.Clear();
        m[0] = 1;
        m[6] = 1;
    }

    private static int[] Bits(ulong mask)
    {
        var bits = new int[BitOperations.PopCount(mask)];
        BitIndex.SortedBits(mask, bits);
        return bits;
    }
}
