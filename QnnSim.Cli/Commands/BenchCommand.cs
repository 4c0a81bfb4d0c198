using System.CommandLine;
using QnnSim.Benchmarks;
using QnnSim.Simulation;

namespace QnnSim.Cli.Commands;

/// <summary>
/// qnnsim bench [--quick] [--json] [--threads N] [--section NAME]...: the in-process benchmark of issue 2 (single
/// gates, the hardware-efficient ansatz, the in-run memory-bandwidth reference), as a table or as one JSON object
/// with "schema": "qnnsim.bench/1".
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var quick = new Option<bool>("--quick") { Description = "Fewer repetitions (about a minute on 2 cores instead of several)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (schema qnnsim.bench/1, snake_case keys) instead of a table." };
        var threads = new Option<int?>("--threads") { Description = "Threads for the single-gate rows and the bandwidth reference (default: all cores). The ansatz rows always use one thread." };
        var sections = new Option<string[]>("--section") { Description = "Run only these sections; repeatable. By default: gates, ansatz, gradients, ntk; only when named: kernels, profile, micro (per-call kernel cost), noise (density matrix and trajectories), scaling (one against two threads), largest (the largest problems that fit in memory now, in double and single precision), precision (single against double precision: n = 24 gates, HEA(16, 10) and HEA(20, 10) on 1 and 2 threads). docs/cli.md describes each.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("bench", "Measure simulator speed: single gates for n = 10..24, the hardware-efficient ansatz, and the in-run memory-bandwidth reference.")
        {
            quick, json, threads, sections,
        };
        command.SetAction(parse =>
        {
            int? t = parse.GetValue(threads);
            if (t is < 1) throw new CliUsageException($"--threads {t} is out of range: at least 1 is required.");
            var options = SimulationOptions.Default with { MaxThreads = t ?? Environment.ProcessorCount };
            string[]? names = parse.GetValue(sections);
            if (names is { Length: > 0 })
            {
                var known = QuickBench.DiscoverSections().Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
                foreach (var n in names)
                    if (!known.Contains(n)) throw new CliUsageException($"unknown benchmark section '{n}'; known sections: {string.Join(", ", known.Order())}.");
            }
            else names = null;
            var report = QuickBench.Run(parse.GetValue(quick), options, names, context.CancellationToken);
            context.Out.Write(parse.GetValue(json) ? BenchFormat.Json(report) + Environment.NewLine : BenchFormat.Table(report));
            return ExitCodes.Success;
        });
        return command;
    }
}
