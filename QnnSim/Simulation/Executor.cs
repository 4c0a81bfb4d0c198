using System.Numerics;
using QnnSim.Kernels;

namespace QnnSim.Simulation;

/// <summary>
/// Maps lowered steps to kernel calls and splits large states between threads. The only place that knows both
/// <see cref="Primitive"/> and the kernels.
/// </summary>
internal static class Executor
{
    /// <summary>Free indices one parallel work item covers: 2^13 iterations, enough to amortise a task.</summary>
    private const int ChunkBits = 13;

    /// <summary>Applies every step of <paramref name="program"/> with its bound angles.</summary>
    public static void Run(CircuitProgram program, ReadOnlySpan<double> angles, Span<Complex> state, SimulationOptions options)
    {
        foreach (var step in program.Steps)
            Apply(step, step.AngleSlot >= 0 ? angles[step.AngleSlot] : 0.0, state, options, inverse: false);
    }

    /// <summary>Applies one step (or its inverse) with its angle.</summary>
    public static void Apply(Primitive p, double angle, Span<Complex> state, SimulationOptions options, bool inverse)
    {
        long free = StateKernels.FreeCount(state.Length, p.LoopBits);
        int qubits = BitOperations.Log2((uint)state.Length);
        if (qubits < options.ParallelThresholdQubits || options.MaxThreads == 1 || free < 2L << ChunkBits)
        {
            ApplyRange(p, angle, state, inverse, 0, free);
            return;
        }
        unsafe
        {
            fixed (Complex* ptr = state)
            {
                var ptrCopy = (nint)ptr;
                int length = state.Length;
                long chunks = (free + (1L << ChunkBits) - 1) >> ChunkBits;
                Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads }, c =>
                {
                    var span = new Span<Complex>((void*)ptrCopy, length);
                    long begin = c << ChunkBits;
                    ApplyRange(p, angle, span, inverse, begin, Math.Min(free, begin + (1L << ChunkBits)));
                });
            }
        }
    }

    private static void ApplyRange(Primitive p, double angle, Span<Complex> state, bool inverse, long begin, long end)
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
                Complex[] m = p.Matrix;
                if (inverse)
                {
                    m = new Complex[d * d];
                    for (int r = 0; r < d; r++)
                        for (int c = 0; c < d; c++)
                            m[r * d + c] = Complex.Conjugate(p.Matrix[c * d + r]);
                }
                Span<Complex> scratch = d <= 256 ? stackalloc Complex[d] : new Complex[d];
                ulong targetMask = p.TargetMask;
                StateKernels.ApplyMatrixK(p.CtrlMask, p.CtrlValue, targetMask, p.Offsets, m, scratch, state, begin, end);
                break;
            }
            case PrimitiveKind.Pauli:
                StateKernels.ApplyPauli(p.CtrlMask, p.CtrlValue, p.XMask, p.ZMask, p.YCount, state, begin, end);
                break;
            case PrimitiveKind.PauliRotation:
            {
                double half = (inverse ? -angle : angle) * 0.5;
                StateKernels.ApplyPauliRotation(p.CtrlMask, p.CtrlValue, p.XMask, p.ZMask, p.YCount, Math.Cos(half), Math.Sin(half), state, begin, end);
                break;
            }
            case PrimitiveKind.PhaseShift:
                StateKernels.ApplyDiagonal1(p.CtrlMask, p.CtrlValue, p.Target0, Complex.One,
                    Complex.FromPolarCoordinates(1, inverse ? -angle : angle), state, begin, end);
                break;
            case PrimitiveKind.GlobalPhase:
                StateKernels.ApplyPhase(p.CtrlMask, p.CtrlValue, Complex.FromPolarCoordinates(1, inverse ? -angle : angle), state, begin, end);
                break;
            case PrimitiveKind.Swap:
                StateKernels.ApplySwap(p.CtrlMask, p.CtrlValue, p.Target0, p.Target1, state, begin, end);
                break;
            default:
                throw new System.Diagnostics.UnreachableException();
        }
    }
}
