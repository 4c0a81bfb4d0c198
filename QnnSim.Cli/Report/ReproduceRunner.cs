using System.Diagnostics;
using Spectre.Console;

namespace QnnSim.Cli.Report;

/// <summary>
/// Runs the claims in order with progress, keeps going until cancelled, writes the report of what finished and
/// returns the exit code: 0 all pass, <see cref="ExitCodes.CheckFailed"/> if a claim fails, <see cref="ExitCodes.Cancelled"/> on Ctrl-C.
/// </summary>
internal static class ReproduceRunner
{
    /// <summary>The six claims of the reproduction (THEORY.md §3–§5, issue 5).</summary>
    public static IReadOnlyList<IClaim> DefaultClaims() =>
    [
        new Claims.SublinearClaim(), new Claims.LinearClaim(), new Claims.KernelMotionClaim(),
        new Claims.AsymptoticClaim(), new Claims.HaarClaim(), new Claims.CriticalRateClaim(),
    ];

    public static int Run(ReproduceSettings settings, IReadOnlyList<IClaim> claims, CliContext context, bool interactive)
    {
        Directory.CreateDirectory(settings.OutputDirectory);
        var writer = new ArtifactWriter(settings.OutputDirectory);
        var results = claims.Select(c => new ClaimResult { Id = c.Id, Title = c.Title }).ToList();
        var total = Stopwatch.StartNew();
        bool cancelled = false;
        context.Out.WriteLine($"qnnsim reproduce: mode {settings.ModeName}, seed {settings.Seed}, threads {settings.Threads}, writing to {settings.OutputDirectory}");

        void RunOne(int index, Action<long> advance)
        {
            var claim = claims[index]; var result = results[index];
            if (cancelled || context.CancellationToken.IsCancellationRequested) { cancelled = true; return; }
            var sw = Stopwatch.StartNew();
            try
            {
                claim.Run(new ClaimContext(settings, writer, advance, context.CancellationToken), result);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                result.Verdict = Verdict.NotRun;
                result.Notes.Add("cancelled while running; its partial files may be incomplete");
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
            {
                cancelled = true;
                result.Verdict = Verdict.NotRun;
                result.Notes.Add("cancelled while running; its partial files may be incomplete");
            }
            catch (Exception ex)
            {
                result.Verdict = Verdict.Fail;
                result.Notes.Add($"error: {ex.GetType().Name}: {ex.Message}");
                context.Error.WriteLine($"qnnsim: claim {claim.Id} failed with an error: {ex}");
            }
            result.Seconds = sw.Elapsed.TotalSeconds;
        }

        if (interactive) RunWithSpectre(settings, claims, Common.HumanOutput.Console(context.Error, interactive: true), RunOne);
        else RunPlain(settings, claims, results, context.Out, RunOne);

        ReportWriter.WriteAll(settings, results, cancelled, total.Elapsed.TotalSeconds);
        PrintVerdicts(results, context, interactive);
        context.Out.WriteLine($"Report: {Path.Combine(settings.OutputDirectory, "report.html")} ({total.Elapsed.TotalSeconds:F1} s)");
        if (cancelled)
        {
            context.Error.WriteLine("qnnsim: cancelled; the report covers the claims that finished.");
            return ExitCodes.Cancelled;
        }
        return results.Any(r => r.Verdict == Verdict.Fail) ? ExitCodes.CheckFailed : ExitCodes.Success;
    }

    /// <summary>Spectre progress bars (one per claim, with elapsed and remaining time) drawn on standard error.</summary>
    private static void RunWithSpectre(ReproduceSettings settings, IReadOnlyList<IClaim> claims, IAnsiConsole console, Action<int, Action<long>> runOne)
    {
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = claims.Select(c => ctx.AddTask($"{c.Id}. {Markup.Escape(c.Title)}", autoStart: false, maxValue: Math.Max(1, c.WorkUnits(settings)))).ToList();
                for (int i = 0; i < claims.Count; i++)
                {
                    var task = tasks[i];
                    task.StartTask();
                    runOne(i, units => { lock (task) task.Increment(units); });
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            });
    }

    private static void RunPlain(ReproduceSettings settings, IReadOnlyList<IClaim> claims, List<ClaimResult> results, TextWriter output, Action<int, Action<long>> runOne)
    {
        for (int i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            long totalUnits = Math.Max(1, claim.WorkUnits(settings)), done = 0;
            int nextQuarter = 1;
            var sw = Stopwatch.StartNew();
            output.WriteLine($"[{i + 1}/{claims.Count}] {claim.Id}. {claim.Title} ...");
            runOne(i, units =>
            {
                lock (sw)
                {
                    done += units;
                    while (nextQuarter < 4 && done * 4 >= totalUnits * nextQuarter)
                    {
                        double elapsed = sw.Elapsed.TotalSeconds;
                        double remaining = elapsed * (totalUnits - done) / Math.Max(1, done);
                        output.WriteLine($"    {25 * nextQuarter}% after {elapsed:F1} s, about {remaining:F0} s to go");
                        nextQuarter++;
                    }
                }
            });
            output.WriteLine($"    {ClaimResult.VerdictText(results[i].Verdict)} ({results[i].Seconds:F1} s)");
        }
    }

    private static void PrintVerdicts(List<ClaimResult> results, CliContext context, bool interactive)
    {
        var output = context.Out;
        if (interactive)
        {
            var table = new Table().AddColumn("#").AddColumn("claim").AddColumn("verdict").AddColumn("time");
            foreach (var r in results)
            {
                string colour = r.Verdict switch { Verdict.Pass => "green", Verdict.Fail => "red", _ => "grey" };
                table.AddRow(r.Id, Markup.Escape(r.Title), $"[{colour}]{ClaimResult.VerdictText(r.Verdict)}[/]", $"{r.Seconds:F1} s");
            }
            Common.HumanOutput.Stdout(context).Write(table);
            return;
        }
        output.WriteLine();
        output.WriteLine("  #  verdict  time     claim");
        foreach (var r in results)
            output.WriteLine($"  {r.Id,-2} {ClaimResult.VerdictText(r.Verdict),-8} {r.Seconds,6:F1} s  {r.Title}");
    }
}
