using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QnnSim.Kernels;

namespace QnnSim.Simulation;

/// <summary>
/// The state operations the gradient methods need, behind one Simulation-layer API: the forward run, inverse steps,
/// ⟨a|b⟩, ‖ψ‖², ⟨ψ|O|ψ⟩ of a term list, λ ← Oψ, the step derivative 2 Im⟨λ|G|ψ⟩ of a parameterised step and the
/// fused backward rotation. With <see cref="Executor"/> this is the only code that maps steps to kernels, so
/// Gradients never chooses a kernel (docs/design.md, "Layering").
/// </summary>
/// <remarks>
/// <para>Path: every operation runs on <see cref="Executor.PathFor"/> of the options (the forced
/// <see cref="SimulationOptions.KernelPath"/> narrowed for tiny states). Kernels with no SIMD form fall back to a
/// narrower path as the executor's wide dense blocks do: the derivative of a controlled step and of a phase
/// (projector inner products) is scalar; a fused rotation on a qubit inside one register uses the next width that
/// holds it in separate registers (Vector512: qubits 0 and 1 run with 256-bit registers, qubit 0 with the AVX
/// pair-shuffle kernel).</para>
/// <para>Threads and reproducibility: each operation runs over its kernel's free index in fixed chunks of
/// 2^<see cref="ChunkBits"/> indices; states of at least <see cref="SimulationOptions.ParallelThresholdQubits"/>
/// qubits hand the chunks to up to <see cref="SimulationOptions.MaxThreads"/> threads, and partial sums are added in
/// chunk order. Which kernel runs depends only on the path, the step and the state size, never on the thread count,
/// so every result is bit-identical for any number of threads.</para>
/// </remarks>
internal static unsafe class StateOperations
{
    /// <summary>log2 of the free indices one reduction chunk covers (2^14 amplitudes, the same chunk as
    /// <see cref="Simulator.Expectation(State.StateVector, Observables.PauliSum)"/>, whose values these equal bit for bit).</summary>
    public const int ChunkBits = 14;

    /// <summary>ψ ← U ψ for the program with its bound angles (fused when the options say so).</summary>
    public static void Run(CircuitProgram program, ReadOnlySpan<double> angles, Span<Complex> state, SimulationOptions options) =>
        Executor.Run(program, angles, state, options);

    /// <summary>ψ ← S⁻¹ ψ for one step with its bound angle.</summary>
    public static void ApplyInverse(Primitive step, double angle, Span<Complex> state, SimulationOptions options) =>
        Executor.Apply(step, angle, state, options, inverse: true);

    /// <summary>Σ_k |ψ_k|².</summary>
    public static double NormSquared(ReadOnlySpan<Complex> state, SimulationOptions options)
    {
        fixed (Complex* s = state)
        {
            var body = new Reduction(Executor.PathFor(options, state.Length), ReductionKind.Norm, (nint)s, 0, state.Length);
            return Reduce(body, state.Length, state.Length, options).Real;
        }
    }

    /// <summary>⟨a|b⟩ = Σ_k conj(a_k) b_k (a and b of the same length).</summary>
    public static Complex InnerProduct(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b, SimulationOptions options)
    {
        System.Diagnostics.Debug.Assert(a.Length == b.Length);
        fixed (Complex* pa = a)
        fixed (Complex* pb = b)
        {
            var body = new Reduction(Executor.PathFor(options, a.Length), ReductionKind.Inner, (nint)pa, (nint)pb, a.Length);
            return Reduce(body, a.Length, a.Length, options);
        }
    }

    /// <summary>⟨ψ|O|ψ⟩ = Σ_t c_t ⟨ψ|P_t|ψ⟩, each term summed over fixed chunks (the numbers of
    /// <see cref="Simulator.Expectation(State.StateVector, Observables.PauliSum)"/>).</summary>
    public static double Expectation(PauliTerms o, ReadOnlySpan<Complex> psi, SimulationOptions options)
    {
        KernelPath path = Executor.PathFor(options, psi.Length);
        double sum = 0;
        fixed (Complex* s = psi)
        {
            for (int t = 0; t < o.Count; t++)
            {
                var body = (o.X[t] | o.Z[t]) == 0
                    ? new Reduction(path, ReductionKind.Norm, (nint)s, 0, psi.Length)
                    : new Reduction(path, ReductionKind.Pauli, (nint)s, 0, psi.Length) { X = o.X[t], Z = o.Z[t], Y = o.Y[t] };
                sum += o.C[t] * Reduce(body, psi.Length, psi.Length, options).Real;
            }
        }
        return sum;
    }

    /// <summary>λ ← O ψ = Σ_t c_t P_t ψ (λ is overwritten).</summary>
    public static void ApplyObservable(PauliTerms o, ReadOnlySpan<Complex> psi, Span<Complex> lambda, SimulationOptions options)
    {
        KernelPath path = Executor.PathFor(options, psi.Length);
        lambda.Clear();
        fixed (Complex* s = psi)
        fixed (Complex* l = lambda)
        {
            for (int t = 0; t < o.Count; t++)
            {
                var body = new Reduction(path, ReductionKind.Accumulate, (nint)s, (nint)l, psi.Length)
                    { X = o.X[t], Z = o.Z[t], Y = o.Y[t], Coefficient = o.C[t] };
                // Vector kernels run over destination registers, the scalar kernel over source amplitudes: both write
                // every destination from one index only, so the chunks are independent.
                Reduce(body, psi.Length >> LaneBits(path), psi.Length, options);
            }
        }
    }

    /// <summary>
    /// ∂⟨O⟩/∂φ at one parameterised step = 2 Im⟨λ|G|ψ⟩ for the step's generator G on the control subspace, with λ = Oψ
    /// carried back to the step: G = P/2 (Pauli rotation), −|1⟩⟨1|_t (phase shift), −I (global phase).
    /// </summary>
    public static double StepDerivative(Primitive step, ReadOnlySpan<Complex> lambda, ReadOnlySpan<Complex> psi, SimulationOptions options)
    {
        KernelPath path = Executor.PathFor(options, psi.Length);
        fixed (Complex* l = lambda)
        fixed (Complex* p = psi)
        {
            switch (step.Kind)
            {
                case PrimitiveKind.PauliRotation:
                {
                    // G = Π_c P/2: 2 Im⟨λ|G|ψ⟩ = Im⟨λ|Π_c P|ψ⟩.
                    var body = new Reduction(step.CtrlMask == 0 ? path : KernelPath.Scalar, ReductionKind.StepPauli, (nint)l, (nint)p, psi.Length)
                        { X = step.XMask, Z = step.ZMask, Y = step.YCount, Mask = step.CtrlMask, Value = step.CtrlValue };
                    long free = step.CtrlMask == 0 ? psi.Length >> LaneBits(body.Path) : StateKernels.FreeCount(psi.Length, BitOperations.PopCount(step.CtrlMask));
                    return Reduce(body, free, psi.Length, options).Imaginary;
                }
                case PrimitiveKind.PhaseShift:
                {
                    // G = −Π_c |1⟩⟨1|_t.
                    ulong bit = 1UL << step.Target0;
                    return -2 * Subspace(step.CtrlMask | bit, step.CtrlValue | bit, l, p, psi.Length, options).Imaginary;
                }
                case PrimitiveKind.GlobalPhase:
                    // G = −Π_c; without controls ⟨λ|ψ⟩ = ⟨ψ|O|ψ⟩ is real and the derivative is exactly 0.
                    if (step.CtrlMask == 0) return 0;
                    return -2 * Subspace(step.CtrlMask, step.CtrlValue, l, p, psi.Length, options).Imaginary;
                default:
                    throw new System.Diagnostics.UnreachableException($"step kind {step.Kind} has no parameter.");
            }
        }
    }

    private static Complex Subspace(ulong mask, ulong value, Complex* l, Complex* p, int length, SimulationOptions options)
    {
        var body = new Reduction(KernelPath.Scalar, ReductionKind.Subspace, (nint)l, (nint)p, length) { Mask = mask, Value = value };
        return Reduce(body, StateKernels.FreeCount(length, BitOperations.PopCount(mask)), length, options);
    }

    /// <summary>Whether <see cref="BackwardRotation"/> handles the step: an uncontrolled one-qubit Pauli rotation.</summary>
    public static bool FusesBackward(Primitive step) =>
        step.Kind == PrimitiveKind.PauliRotation && step.CtrlMask == 0 && BitOperations.PopCount(step.XMask | step.ZMask) == 1;

    /// <summary>
    /// The fused backward step of an uncontrolled one-qubit rotation exp(−iφP/2) (<see cref="FusesBackward"/>): returns
    /// ∂⟨O⟩/∂φ = Im⟨λ|P|ψ⟩ for the states as given (after the step) and undoes the step on ψ and λ, in one pass over
    /// both instead of three.
    /// </summary>
    public static double BackwardRotation(Primitive step, double angle, Span<Complex> lambda, Span<Complex> psi, SimulationOptions options)
    {
        System.Diagnostics.Debug.Assert(FusesBackward(step) && lambda.Length == psi.Length);
        int target = BitOperations.TrailingZeroCount(step.XMask | step.ZMask);
        int pauli = step.XMask == 0 ? 3 : step.ZMask == 0 ? 1 : 2;
        var (sin, cos) = Math.SinCos(0.5 * angle);
        var kernel = FusedKernelFor(Executor.PathFor(options, psi.Length), target, psi.Length);
        fixed (Complex* l = lambda)
        fixed (Complex* p = psi)
        {
            var body = new Reduction(KernelPath.Scalar, ReductionKind.Fused, (nint)l, (nint)p, psi.Length)
                { Fused = kernel, Target = target, Pauli = pauli, Cos = cos, Sin = sin };
            long free = kernel switch
            {
                FusedKernel.Vector512 => psi.Length >> 3,
                FusedKernel.Vector256 or FusedKernel.Vector256Target0 => psi.Length >> 2,
                FusedKernel.Vector128 => psi.Length >> 1,
                _ => psi.Length >> 1,
            };
            return Reduce(body, free, psi.Length, options).Real;
        }
    }

    /// <summary>The fused-rotation kernel for a path and target: the path's own when the target selects registers,
    /// else the next narrower width that holds the target outside one register.</summary>
    private static FusedKernel FusedKernelFor(KernelPath path, int target, int length)
    {
        if (path == KernelPath.Scalar) return FusedKernel.Scalar;
        if (path == KernelPath.Vector512 && target >= 2) return FusedKernel.Vector512;
        if (path >= KernelPath.Vector256)
        {
            if (target >= 1) return FusedKernel.Vector256;
            if (Avx.IsSupported && length >= 4) return FusedKernel.Vector256Target0;
        }
        return FusedKernel.Vector128;
    }

    private static int LaneBits(KernelPath path) => path switch { KernelPath.Vector512 => 2, KernelPath.Vector256 => 1, _ => 0 };

    private enum ReductionKind { Norm, Inner, Pauli, Accumulate, StepPauli, Subspace, Fused }

    private enum FusedKernel { Scalar, Vector128, Vector256, Vector256Target0, Vector512 }

    /// <summary>
    /// One chunked operation over a kernel's free index [begin, end): its kind, path and operands. The states are held
    /// as pinned pointers (A, B) so the same value serves the calling thread and the worker threads.
    /// </summary>
    private readonly struct Reduction(KernelPath path, ReductionKind kind, nint a, nint b, int length)
    {
        public KernelPath Path { get; } = path;
        public ulong X { get; init; }
        public ulong Z { get; init; }
        public int Y { get; init; }
        public double Coefficient { get; init; }
        public ulong Mask { get; init; }
        public ulong Value { get; init; }
        public FusedKernel Fused { get; init; }
        public int Target { get; init; }
        public int Pauli { get; init; }
        public double Cos { get; init; }
        public double Sin { get; init; }

        public Complex Run(long begin, long end)
        {
            var sa = new Span<Complex>((void*)a, length);
            var sb = b == 0 ? default : new Span<Complex>((void*)b, length);
            switch (kind)
            {
                case ReductionKind.Norm: return Executor.NormSquared(Path, sa, begin, end);
                case ReductionKind.Inner: return Executor.InnerProduct(Path, sa, sb, begin, end);
                case ReductionKind.Pauli: return Executor.ExpectationPauli(Path, X, Z, Y, sa, begin, end);
                case ReductionKind.Accumulate:
                    switch (Path)
                    {
                        case KernelPath.Vector512: VectorGradientKernels<Simd512, Vector512<double>>.AccumulatePauli(X, Z, Y, Coefficient, sa, sb, begin, end); break;
                        case KernelPath.Vector256: VectorGradientKernels<Simd256, Vector256<double>>.AccumulatePauli(X, Z, Y, Coefficient, sa, sb, begin, end); break;
                        case KernelPath.Vector128: VectorGradientKernels<Simd128, Vector128<double>>.AccumulatePauli(X, Z, Y, Coefficient, sa, sb, begin, end); break;
                        default: GradientKernels.AccumulatePauli(X, Z, Y, Coefficient, sa, sb, begin, end); break;
                    }
                    return Complex.Zero;
                case ReductionKind.StepPauli:
                    return Path switch
                    {
                        KernelPath.Vector512 => VectorGradientKernels<Simd512, Vector512<double>>.InnerPauli(X, Z, Y, sa, sb, begin, end),
                        KernelPath.Vector256 => VectorGradientKernels<Simd256, Vector256<double>>.InnerPauli(X, Z, Y, sa, sb, begin, end),
                        KernelPath.Vector128 => VectorGradientKernels<Simd128, Vector128<double>>.InnerPauli(X, Z, Y, sa, sb, begin, end),
                        _ => GradientKernels.InnerPauli(Mask, Value, X, Z, Y, sa, sb, begin, end),
                    };
                case ReductionKind.Subspace: return GradientKernels.InnerSubspace(Mask, Value, sa, sb, begin, end);
                case ReductionKind.Fused:
                    return Fused switch
                    {
                        FusedKernel.Vector512 => VectorGradientKernels<Simd512, Vector512<double>>.BackwardRotation1High(Target, Pauli, Cos, Sin, sa, sb, begin, end),
                        FusedKernel.Vector256 => VectorGradientKernels<Simd256, Vector256<double>>.BackwardRotation1High(Target, Pauli, Cos, Sin, sa, sb, begin, end),
                        FusedKernel.Vector256Target0 => GradientKernels.BackwardRotation1Target0Avx(Pauli, Cos, Sin, sa, sb, begin, end),
                        FusedKernel.Vector128 => VectorGradientKernels<Simd128, Vector128<double>>.BackwardRotation1High(Target, Pauli, Cos, Sin, sa, sb, begin, end),
                        _ => GradientKernels.BackwardRotation1Scalar(Target, Pauli, Cos, Sin, sa, sb, begin, end),
                    };
                default:
                    throw new System.Diagnostics.UnreachableException();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> over [0, free) in fixed chunks of 2^<see cref="ChunkBits"/> and adds the partial
    /// results in chunk order; the chunks go to several threads for states of at least
    /// <see cref="SimulationOptions.ParallelThresholdQubits"/> qubits. The same sum for any thread count.
    /// </summary>
    private static Complex Reduce(in Reduction body, long free, int length, SimulationOptions options)
    {
        const long chunk = 1L << ChunkBits;
        if (free <= chunk) return body.Run(0, free);
        long chunks = free >> ChunkBits; // free and chunk are powers of two
        if (BitOperations.Log2((uint)length) < options.ParallelThresholdQubits || options.MaxThreads == 1)
        {
            Complex sum = Complex.Zero;
            for (long c = 0; c < chunks; c++) sum += body.Run(c * chunk, (c + 1) * chunk);
            return sum;
        }
        return ReduceParallel(body, chunks, options);
    }

    /// <summary>
    /// The threaded branch of <see cref="Reduce"/>, in its own method: the lambda's closure is created at the entry of
    /// the method that declares the captured variables, so keeping it here leaves the serial path allocation-free.
    /// </summary>
    private static Complex ReduceParallel(Reduction body, long chunks, SimulationOptions options)
    {
        const long chunk = 1L << ChunkBits;
        var partial = new Complex[chunks];
        Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads },
            c => partial[c] = body.Run(c * chunk, (c + 1) * chunk));
        Complex sum = Complex.Zero;
        for (long c = 0; c < chunks; c++) sum += partial[c];
        return sum;
    }
}
