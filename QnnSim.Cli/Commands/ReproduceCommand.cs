using System.CommandLine;
using QnnSim.Cli.Report;

namespace QnnSim.Cli.Commands;

/// <summary>qnnsim reproduce: the claims of You et al. (ICML 2023) with plots, a report and verdicts.</summary>
internal static class ReproduceCommand
{
    public static Command Create(CliContext context)
    {
        var quick = new Option<bool>("--quick") { Description = "CI-length settings; under a minute on 2 cores. The default." };
        var full = new Option<bool>("--full") { Description = "Larger settings (larger p, more seeds and circuits, d = 16); under ten minutes on 2 cores." };
        var output = new Option<string>("--out") { Description = "Output folder (an earlier report in it is replaced).", DefaultValueFactory = _ => "qnnsim-report" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random draw.", DefaultValueFactory = _ => 2023UL };
        var seeds = new Option<string>("--seeds") { Description = "Run the claims for every seed in A..B (inclusive) and report the pass rate per claim, with a plot of each claim's gated figure against the seed (seeds.md, seeds.json, seeds.csv)." };
        var claim = new Option<string>("--claim") { Description = "Run only these claims (an Id, or Ids separated by commas, e.g. 1 or 1,4)." };
        var threads = new Option<int>("--threads") { Description = "Worker threads (the numbers do not depend on it).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("reproduce", "Reproduce the convergence theory of QNNs (You et al., ICML 2023): CSV, PNG/SVG plots, report.html, report.md and summary.json with a verdict per claim.")
        {
            quick, full, output, seed, seeds, claim, threads,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(quick) && parse.GetValue(full)) throw new CliUsageException("--quick and --full cannot be combined");
            int t = parse.GetValue(threads);
            if (t < 1) throw new CliUsageException($"--threads {t} is out of range (1 or more)");
            var settings = new ReproduceSettings(parse.GetValue(full) ? ReproduceMode.Full : ReproduceMode.Quick,
                parse.GetValue(seed), t, Path.GetFullPath(parse.GetValue(output)!));
            IReadOnlyList<IClaim> claims;
            if (parse.GetValue(claim) is { } ids)
            {
                claims = ClaimRegistry.Select(ids);
                foreach (var c in claims)
                    if (!c.RunsIn(settings)) throw new CliUsageException($"--claim {c.Id} runs only with --full.");
            }
            else claims = ClaimRegistry.For(settings);
            if (parse.GetValue(seeds) is { } range)
            {
                if (parse.GetResult(seed) is { Implicit: false }) throw new CliUsageException("--seed and --seeds cannot be combined");
                var (from, to) = SeedSweep.ParseRange(range);
                return SeedSweep.Run(settings, claims, from, to, context);
            }
            return ReproduceRunner.Run(settings, claims, context, context.Interactive);
        });
        return command;
    }
}
