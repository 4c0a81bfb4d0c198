using System.Numerics;
using QnnSim.Kernels;
using QnnSim.Simulation;

namespace QnnSim.Benchmarks;

/// <summary>
/// Per-call cost of the kernels the fused n = 10 ansatz uses (Vector512 or the widest path, one thread), as the
/// minimum thread-CPU time over repetitions: on a loaded machine the least disturbed repetition is the best estimate
/// of the work itself. Runs only when asked for (<c>--section micro</c>).
/// </summary>
internal sealed class MicroSection : IBenchSection
{
    public string Name => "micro";
    public int Order => 45;

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        const int n = 10;
        var data = new Complex[1 << n];
        data.AsSpan().Fill(new Complex(Math.Sqrt(1.0 / data.Length), 0));
        Complex i8 = new(0, 0.8);
        var ops = new (string, Primitive)[]
        {
            ("Matrix1 q0", new() { Kind = PrimitiveKind.Matrix1, Target0 = 0, Matrix = [0.6, i8, i8, 0.6] }),
            ("Matrix1 q5", new() { Kind = PrimitiveKind.Matrix1, Target0 = 5, Matrix = [0.6, i8, i8, 0.6] }),
            ("CX 4->5", new() { Kind = PrimitiveKind.Pauli, XMask = 1UL << 5, CtrlMask = 1UL << 4, CtrlValue = 1UL << 4 }),
            ("Select1 t1 s0", new() { Kind = PrimitiveKind.Select1, Target0 = 1, Target1 = 0, Matrix = [0.6, i8, i8, 0.6, i8, 0.6, 0.6, i8] }),
            ("Select1 t2 s1", new() { Kind = PrimitiveKind.Select1, Target0 = 2, Target1 = 1, Matrix = [0.6, i8, i8, 0.6, i8, 0.6, 0.6, i8] }),
            ("Select1 t2 s1 same", new() { Kind = PrimitiveKind.Select1, Target0 = 2, Target1 = 1, Matrix = [0.6, i8, i8, 0.6, 0.6, i8, i8, 0.6] }),
            ("Select1 t5 s4", new() { Kind = PrimitiveKind.Select1, Target0 = 5, Target1 = 4, Matrix = [0.6, i8, i8, 0.6, i8, 0.6, 0.6, i8] }),
        };
        var options = context.Options with { MaxThreads = 1, Fusion = false };
        foreach (var (name, p) in ops)
        {
            void Once() => Executor.Apply(p, 0.4, data, options, false);
            data.AsSpan().Fill(new Complex(Math.Sqrt(1.0 / data.Length), 0));
            int inner = Timing.InnerFor(Once, 0.002);
            double cpu = Timing.MinCpu(Once, 25, inner);
            yield return new BenchRow(Name, $"{name} (min cpu)", n, 1, cpu, cpu * 1e9 / data.Length, 32.0 * data.Length / cpu / 1e9, null,
                MinSeconds: cpu, CpuSeconds: cpu);
        }
    }
}
