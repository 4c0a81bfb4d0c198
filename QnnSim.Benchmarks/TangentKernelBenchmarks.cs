using BenchmarkDotNet.Attributes;
using QnnSim.Analysis;

namespace QnnSim.Benchmarks;

/// <summary>
/// K = J Jᵀ for 256 samples × 400 parameters (issue 16; target ≤ 5 ms on one thread): <see cref="TangentKernel.Compute"/>
/// into a reused buffer on 1 and 2 threads, <see cref="TangentKernel.FromJacobian(ReadOnlySpan{double}, int, int, int)"/>
/// (with the m × m allocation) and the old triple loop as the baseline.
/// Run: <c>dotnet run -c Release --project QnnSim.Benchmarks -- --filter '*TangentKernelBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class TangentKernelBenchmarks
{
    private const int M = TangentKernelWorkload.Samples, P = TangentKernelWorkload.Parameters;
    private double[] _jacobian = [];
    private double[] _kernel = [];

    /// <summary>Builds the Jacobian and the output buffer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _jacobian = TangentKernelWorkload.Jacobian();
        _kernel = new double[M * M];
    }

    /// <summary>The implementation before issue 16.</summary>
    [Benchmark(Baseline = true)]
    public double[] TripleLoop() => TangentKernelWorkload.TripleLoop(_jacobian, M, _jacobian, M, P);

    /// <summary>Blocked symmetric rank-k update, one thread, caller's buffer (allocation-free).</summary>
    [Benchmark]
    public void ComputeOneThread() => TangentKernel.Compute(_jacobian, M, P, _kernel, 1);

    /// <summary>The same on two threads.</summary>
    [Benchmark]
    public void ComputeTwoThreads() => TangentKernel.Compute(_jacobian, M, P, _kernel, 2);

    /// <summary>The public constructor path of the peer driver, one thread (allocates the m × m result).</summary>
    [Benchmark]
    public TangentKernel FromJacobianOneThread() => TangentKernel.FromJacobian(_jacobian, M, P, 1);
}
