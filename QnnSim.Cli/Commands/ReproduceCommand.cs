using System.CommandLine;
using QnnSim.Cli.Report;

namespace QnnSim.Cli.Commands;

/// <summary>qnnsim reproduce: the six claims of You et al. (ICML 2023) with plots, a report and verdicts.</summary>
internal static class ReproduceCommand
{
    public static Command Create(CliContext context)
    {
        var quick = new Option<bool>("--quick") { Description = "CI-length settings (THEORY.md §5's faster variants); about a minute on 2 cores. The default." };
        var full = new Option<bool>("--full") { Description = "THEORY.md's larger settings; up to 45 minutes on 2 cores." };
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "qnnsim-report" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random draw.", DefaultValueFactory = _ => 2023UL };
        var threads = new Option<int>("--threads") { Description = "Worker threads (the numbers do not depend on it).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("reproduce", "Reproduce the convergence theory of QNNs (You et al., ICML 2023): CSV, PNG/SVG plots, report.html, report.md and summary.json with a verdict per claim.")
        {
            quick, full, output, seed, threads,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(quick) && parse.GetValue(full)) throw new CliUsageException("--quick and --full cannot be combined");
            int t = parse.GetValue(threads);
            if (t < 1) throw new CliUsageException($"--threads {t} is out of range (1 or more)");
            var settings = new ReproduceSettings(parse.GetValue(full) ? ReproduceMode.Full : ReproduceMode.Quick,
                parse.GetValue(seed), t, Path.GetFullPath(parse.GetValue(output)!));
            return ReproduceRunner.Run(settings, ReproduceRunner.DefaultClaims(), context, context.Interactive);
        });
        return command;
    }
}
