using System.Diagnostics;
using Spectre.Console;

namespace QnnSim.Cli.Report;

/// <summary>
/// Runs the claims in order with progress, keeps going until cancelled, writes the report of what finished and
/// returns the exit code: 0 all pass, <see cref="ExitCodes.CheckFailed"/> if a claim fails, <see cref="ExitCodes.Cancelled"/> on Ctrl-C.
/// </summary>
internal static class ReproduceRunner
{
    /// <summary>The claims of the reproduction in report order (the registry: see <see cref="ClaimRegistry"/>).</summary>
    public static IReadOnlyList<IClaim> DefaultClaims() => ClaimRegistry.All;

    public static int Run(ReproduceSettings settings, IReadOnlyList<IClaim> claims, CliContext context, bool interactive)
    {
        Directory.CreateDirectory(settings.OutputDirectory);
        ArtifactWriter.ClearPreviousReport(settings.OutputDirectory);
        var writer = new ArtifactWriter(settings.OutputDirectory, settings.WriteArtifacts);
        var results = claims.Select(c => new ClaimResult { Id = c.Id, Title = c.Title }).ToList();
        var total = Stopwatch.StartNew();
        bool cancelled = false;
        context.Out.WriteLine($"qnnsim reproduce: mode {settings.ModeName}, seed {settings.Seed}, threads {settings.Threads}, writing to {settings.OutputDirectory}");

        void RunOne(int index, Action<long> advance)
        {
            if (cancelled || context.CancellationToken.IsCancellationRequested) { cancelled = true; return; }
            if (!Execute(claims[index], results[index], new ClaimContext(settings, writer, advance, context.CancellationToken), context.Error)) cancelled = true;
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

    /// <summary>
    /// Runs one claim into <paramref name="result"/>; false when it was cancelled (its verdict is then "not run").
    /// An unexpected error fails the claim with the message in its notes.
    /// </summary>
    public static bool Execute(IClaim claim, ClaimResult result, ClaimContext claimContext, TextWriter error)
    {
        var sw = Stopwatch.StartNew();
        bool finished = true;
        try
        {
            claim.Run(claimContext, result);
        }
        catch (Exception ex) when (ex is OperationCanceledException || ex is AggregateException agg && agg.InnerExceptions.All(e => e is OperationCanceledException))
        {
            finished = false;
            result.Verdict = Verdict.NotRun;
            result.Notes.Add("cancelled while running; its files were not kept");
            DeleteFiles(claimContext.Writer.Directory, result);
        }
        catch (Exception ex)
        {
            result.Verdict = Verdict.Fail;
            result.Notes.Add($"error: {ex.GetType().Name}: {ex.Message}");
            error.WriteLine($"qnnsim: claim {claim.Id} failed with an error: {ex}");
        }
        result.Seconds = sw.Elapsed.TotalSeconds;
        return finished;
    }

    /// <summary>Deletes the partial files of a cancelled claim, so no half-written file sits beside the summary.</summary>
    private static void DeleteFiles(string directory, ClaimResult result)
    {
        foreach (var name in result.Csv.Concat(result.Plots).Concat(result.Plots.Select(p => Path.ChangeExtension(p, ".svg"))).ToArray())
        {
            var path = Path.Combine(directory, name);
            try { if (File.Exists(path)) File.Delete(path); }
            catch (IOException) { }
        }
        result.Csv.Clear();
        result.Plots.Clear();
    }

    /// <summary>Spectre progress bars (one per claim, with elapsed and remaining time) drawn on standard error.</summary>
    private static void RunWithSpectre(ReproduceSettings settings, IReadOnlyList<IClaim> claims, IAnsiConsole console, Action<int, Action<long>> runOne)
    {
        try { if (!Console.IsOutputRedirected || !Console.IsErrorRedirected) console.Profile.Width = Math.Max(80, Console.WindowWidth); }
        catch (IOException) { }
        catch (PlatformNotSupportedException) { }
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = claims.Select(c => ctx.AddTask(Markup.Escape(Label(c)), autoStart: false, maxValue: Math.Max(1, c.WorkUnits(settings)))).ToList();
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

    /// <summary>A progress label short enough to leave room for the bar: "claim N: " and the title cut at 28 characters.</summary>
    private static string Label(IClaim claim) =>
        $"claim {claim.Id}: " + (claim.Title.Length <= 28 ? claim.Title : claim.Title[..27] + "…");

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
