using System.Numerics;
using QnnSim.Kernels;
using QnnSim.Simulation;

namespace QnnSim.Benchmarks;

/// <summary>
/// Per-kernel figures on 2^3, 2^10 and 2^16 states (per-call overhead, L1- and L2-sized), one thread, for each SIMD path: where the time of a circuit goes.
/// Runs only when asked for by name (<c>--section kernels</c>), since it is long.
/// </summary>
internal sealed class KernelSection : IBenchSection
{
    public string Name => "kernels";
    public int Order => 30;

    private static Primitive M1(int t) => new() { Kind = PrimitiveKind.Matrix1, Target0 = t, Matrix = [0.6, new Complex(0, 0.8), new Complex(0, 0.8), 0.6] };
    private static Primitive Rot(ulong x, ulong z) => new() { Kind = PrimitiveKind.PauliRotation, XMask = x, ZMask = z, YCount = BitOperations.PopCount(x & z) };
    private static Primitive Cx(int c, int t) => new() { Kind = PrimitiveKind.Pauli, XMask = 1UL << t, CtrlMask = 1UL << c, CtrlValue = 1UL << c };
    private static Primitive Sel(int t, int c) => new()
    {
        Kind = PrimitiveKind.Select1, Target0 = t, Target1 = c,
        Matrix = [0.6, new Complex(0, 0.8), new Complex(0, 0.8), 0.6, new Complex(0, 0.8), 0.6, 0.6, new Complex(0, 0.8)],
    };

    private static Primitive M2(int a, int b)
    {
        var m = new Complex[16];
        for (int i = 0; i < 16; i++) m[i] = new Complex(0.1 * i, 0.05);
        return new() { Kind = PrimitiveKind.Matrix2, Target0 = a, Target1 = b, Matrix = m };
    }

    private static Primitive MK(int[] targets)
    {
        var m = new Complex[64];
        for (int i = 0; i < 64; i++) m[i] = new Complex(0.01 * i, -0.02 * (i % 7));
        return new() { Kind = PrimitiveKind.MatrixK, Targets = targets, Offsets = CircuitProgram.MatrixOffsets(targets), Matrix = m };
    }

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        foreach (int n in new[] { 3, 10, 16 })
        foreach (var row in RunSize(context, n)) yield return row;
    }

    private IEnumerable<BenchRow> RunSize(BenchContext context, int n)
    {
        var data = new Complex[1 << n];
        data.AsSpan().Fill(new Complex(Math.Sqrt(1.0 / data.Length), 0));
        var ops = new (string, Primitive)[]
        {
            ("Matrix1 q0", M1(0)), ("Matrix1 q1", M1(1)), ("Matrix1 q8", M1(8)),
            ("Ry q0", Rot(1, 1)), ("Ry q8", Rot(256, 256)), ("Rz q0", Rot(0, 1)), ("Rz q8", Rot(0, 256)),
            ("CX 0->1", Cx(0, 1)), ("CX 7->8", Cx(7, 8)), ("Select1 t1 s0", Sel(1, 0)), ("Select1 t8 s7", Sel(8, 7)), ("Matrix2 0,1", M2(0, 1)), ("Matrix2 7,8", M2(7, 8)),
            ("MatrixK 0,1,2", MK([0, 1, 2])), ("MatrixK 2,0,1", MK([2, 0, 1])),
        };
        foreach (var path in new[] { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 })
        {
            var options = context.Options with { MaxThreads = 1, KernelPath = path, Fusion = false };
            foreach (var (name, p) in ops)
            {
                if (((p.TargetMask | p.CtrlMask) >> n) != 0) continue; // kernels do not validate: stay inside the state
                void Once() => Executor.Apply(p, 0.4, data, options, false);
                int inner = Timing.InnerFor(Once, 0.005);
                var (med, min) = Timing.Measure(Once, 7, inner);
                double cpu = Timing.MedianCpu(Once, 7, inner);
                yield return new BenchRow(Name, $"{name} {path}", n, 1, med, med * 1e9 / data.Length, 32.0 * data.Length / med / 1e9, null,
                    MinSeconds: min, CpuSeconds: double.IsNaN(cpu) ? null : cpu);
            }
        }
    }
}
