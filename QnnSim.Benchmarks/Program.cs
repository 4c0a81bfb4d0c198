using BenchmarkDotNet.Running;

namespace QnnSim.Benchmarks;

/// <summary>
/// Entry point. <c>dotnet run -c Release --project QnnSim.Benchmarks -- quick [--full] [--threads N] [--section a,b]</c> runs the
/// quick in-process runner (<see cref="QuickBench"/>); anything else goes to BenchmarkDotNet
/// (<c>-- --filter '*Ansatz*'</c>).
/// </summary>
public static class Program
{
    /// <summary>Runs the quick runner or the BenchmarkDotNet switcher.</summary>
    public static void Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "quick")
        {
            int threads = Environment.ProcessorCount;
            int ti = Array.IndexOf(args, "--threads");
            if (ti >= 0 && ti + 1 < args.Length) threads = int.Parse(args[ti + 1], System.Globalization.CultureInfo.InvariantCulture);
            int si = Array.IndexOf(args, "--section");
            string[]? sections = si >= 0 && si + 1 < args.Length ? args[(si + 1)].Split(',') : null;
            var report = QuickBench.Run(!args.Contains("--full"), new Simulation.SimulationOptions { MaxThreads = threads }, sections);
            Console.Out.Write(BenchFormat.Table(report));
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
