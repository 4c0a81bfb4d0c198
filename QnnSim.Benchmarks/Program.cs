using BenchmarkDotNet.Running;

namespace QnnSim.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project QnnSim.Benchmarks -- --filter '*'</c> runs the BenchmarkDotNet suites.</summary>
public static class Program
{
    /// <summary>Runs the BenchmarkDotNet switcher.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
