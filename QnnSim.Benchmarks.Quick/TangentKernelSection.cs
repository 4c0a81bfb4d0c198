using QnnSim.Analysis;

namespace QnnSim.Benchmarks;

/// <summary>
/// The tangent-kernel workload of issue 16: K = J Jᵀ for a 256-sample × 400-parameter Jacobian (the n = 10, L = 20
/// Jacobian of the gradients section), and the triple loop it replaced, kept here as the reference.
/// </summary>
public static class TangentKernelWorkload
{
    /// <summary>Samples m.</summary>
    public const int Samples = 256;

    /// <summary>Parameters p.</summary>
    public const int Parameters = 400;

    /// <summary>A deterministic row-major m × p matrix with entries in [−1, 1] (the time does not depend on the values).</summary>
    public static double[] Jacobian(int samples = Samples, int parameters = Parameters) =>
        [.. Enumerable.Range(0, samples * parameters).Select(i => Math.Sin(1 + 0.37 * i))];

    /// <summary>
    /// The implementation of <c>TangentKernel.FromJacobian</c> before issue 16: C_ij = Σ_l a_il b_jl over every i, j
    /// (no symmetry), in increasing l, scalar, one thread. Row-major rowsA × rowsB.
    /// </summary>
    public static double[] TripleLoop(ReadOnlySpan<double> a, int rowsA, ReadOnlySpan<double> b, int rowsB, int k)
    {
        var c = new double[rowsA * rowsB];
        for (int i = 0; i < rowsA; i++)
            for (int j = 0; j < rowsB; j++)
            {
                double s = 0;
                var x = a.Slice(i * k, k);
                var y = b.Slice(j * k, k);
                for (int l = 0; l < k; l++) s += x[l] * y[l];
                c[i * rowsB + j] = s;
            }
        return c;
    }
}

/// <summary>
/// <c>qnnsim bench</c> rows of issue 16: <see cref="TangentKernel.Compute"/> for 256 × 400 into a reused buffer on 1
/// and 2 threads (target: ≤ 5 ms on one thread), and the old triple loop in the same run. One-thread rows are judged on
/// the thread's CPU time when available (what a quiet machine would show), else on the fastest repetition.
/// </summary>
internal sealed class TangentKernelSection : IBenchSection
{
    public string Name => "ntk";
    public int Order => 35;

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        const int m = TangentKernelWorkload.Samples, p = TangentKernelWorkload.Parameters;
        var j = TangentKernelWorkload.Jacobian();
        var k = new double[m * m];
        int repetitions = context.Quick ? 7 : 21;
        double sink = 0;

        void Old() => sink += TangentKernelWorkload.TripleLoop(j, m, j, m, p)[1];
        var (tOld, minOld, cpuOld) = Time(Old, repetitions, measureCpu: true);
        yield return new BenchRow(Name, $"K=JJt {m}x{p} old triple loop", 0, 1, tOld, double.NaN, null, null,
            MinSeconds: minOld, CpuSeconds: Nullable(cpuOld));

        // Ratios from the thread's CPU time when the platform gives it (robust to other processes), else from the
        // fastest repetition; the two-thread ratio can only use wall time.
        double oneThread = double.NaN;
        foreach (int threads in new[] { 1, 2 })
        {
            void New() => TangentKernel.Compute(j, m, p, k, threads);
            var (t, tmin, cpu) = Time(New, repetitions, measureCpu: threads == 1);
            string name;
            string? target = null;
            bool? met = null;
            if (threads == 1)
            {
                oneThread = tmin;
                bool haveCpu = !double.IsNaN(cpu) && !double.IsNaN(cpuOld);
                name = haveCpu ? $"K=JJt {m}x{p} {cpuOld / cpu:F1}x old (cpu)" : $"K=JJt {m}x{p} {minOld / tmin:F1}x old (min)";
                target = haveCpu ? "cpu <= 5 ms" : "min <= 5 ms";
                met = (haveCpu ? cpu : tmin) <= 5e-3;
            }
            else name = $"K=JJt {m}x{p} {oneThread / tmin:F2}x 1 thr (min)";
            yield return new BenchRow(Name, name, 0, threads, t, double.NaN, null, null, target, met, tmin, Nullable(cpu));
        }
        GC.KeepAlive(sink);
    }

    private static (double Median, double Min, double Cpu) Time(Action once, int repetitions, bool measureCpu)
    {
        Timing.WarmUp(once, 0.3);
        int inner = Timing.InnerFor(once, 0.02);
        var (median, min) = Timing.Measure(once, repetitions, inner);
        double cpu = measureCpu ? Timing.MedianCpu(once, repetitions, inner) : double.NaN;
        return (median, min, cpu);
    }

    private static double? Nullable(double x) => double.IsNaN(x) ? null : x;
}
