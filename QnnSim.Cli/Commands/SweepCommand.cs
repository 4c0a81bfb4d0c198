using System.CommandLine;
using System.Globalization;
using QnnSim.Analysis.Sweeps;
using QnnSim.Cli.Common;
using QnnSim.Cli.Report;
using QnnSim.Cli.Sweeps;

namespace QnnSim.Cli.Commands;

/// <summary>
/// <c>qnnsim sweep plan|run|task|status|merge SPEC</c>: many runs of one command over axes of options, on this
/// machine or as a Slurm job array (docs/sweeps.md). The protocol (spec, points, hash, result files, merging) is
/// QnnSim.Analysis.Sweeps; this file parses options and presents.
/// </summary>
internal static class SweepCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("sweep", "Run one command over a grid of options and seeds (a sweep spec, JSON): plan it, run it here or as a Slurm job array, follow it, merge its results.");
        command.Add(Plan(context));
        command.Add(Run(context));
        command.Add(TaskCommand(context));
        command.Add(Status(context));
        command.Add(Merge(context));
        return command;
    }

    private static Argument<FileInfo> Spec() => new("spec") { Description = "The sweep spec (JSON; docs/sweeps.md has the schema)." };

    private static (SweepCommandCatalog Catalog, SweepPlan Plan) Load(FileInfo spec)
    {
        var catalog = new SweepCommandCatalog();
        try
        {
            return (catalog, SweepPlan.Create(SweepSpec.Load(spec.FullName), catalog));
        }
        catch (SweepSpecException e)
        {
            throw new CliInputException(e.Message);
        }
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Shape(SweepSpec spec)
    {
        var parts = spec.Axes.Select(a => $"{a.Name} {a.Values.Count}").ToList();
        string main = parts.Count == 0 ? "1" : string.Join(spec.Combine == SweepCombine.Zip ? " zipped with " : " × ", parts);
        return spec.Seeds is null ? main : $"({main}) × seeds {spec.Seeds.Values.Count}";
    }

    private static Command Plan(CliContext context)
    {
        var spec = Spec();
        var json = CommonOptions.Json();
        var all = new Option<bool>("--all") { Description = "List every point (by default the first 50)." };
        var command = new Command("plan", "Check a spec (every point's options parsed by its command, before anything runs) and print its points, their states and the estimated cost.") { spec, json, all };
        command.SetAction(parse =>
        {
            var (_, plan) = Load(parse.GetValue(spec)!);
            var results = SweepResults.OpenExisting(plan, plan.Spec.Source);
            var states = SweepState.Resolve(results);
            double totalWeight = plan.Points.Sum(p => SweepCost.Weight(plan.Spec, p));
            double todoWeight = states.Where(s => s.State is SweepPointState.Missing or SweepPointState.Failed).Sum(s => SweepCost.Weight(plan.Spec, s.Point));
            double? rate = SweepCost.SecondsPerWeight(results);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, "sweep.plan", w =>
                {
                    w.WriteString("spec", plan.Spec.Source);
                    w.WriteString("spec_hash", plan.Hash);
                    w.WriteString("command", string.Join(' ', plan.Spec.Command));
                    w.WriteString("combine", plan.Spec.Combine.ToString().ToLowerInvariant());
                    w.WriteNumber("points", plan.Points.Count);
                    WriteCounts(w, states);
                    JsonOutput.WriteNumber(w, "total_weight", totalWeight);
                    JsonOutput.WriteNumber(w, "remaining_weight", todoWeight);
                    JsonOutput.WriteNumber(w, "estimated_core_seconds_remaining", rate is { } r ? r * todoWeight : double.NaN);
                    w.WriteStartArray("axes");
                    foreach (var a in plan.Spec.AllAxes)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", a.Name);
                        JsonOutput.WriteArray(w, "values", a.Values.Select(v => v.Text));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("point_list");
                    foreach (var s in states)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("index", s.Point.Index);
                        w.WriteString("id", s.Point.Id);
                        w.WriteString("state", s.State.ToString().ToLowerInvariant());
                        JsonOutput.WriteNumber(w, "weight", SweepCost.Weight(plan.Spec, s.Point));
                        JsonOutput.WriteArray(w, "arguments", s.Point.Arguments);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return ExitCodes.Success;
            }
            var console = HumanOutput.Stdout(context);
            context.Out.WriteLine($"spec: {plan.Spec.Source} (hash {plan.Hash[..12]})");
            context.Out.WriteLine($"command: qnnsim {string.Join(' ', plan.Spec.Command)}");
            context.Out.WriteLine($"points: {Count(plan.Points.Count)} = {Shape(plan.Spec)}; {CountsLine(states)}");
            context.Out.WriteLine(rate is { } rr
                ? $"estimated cost: {HumanOutput.Number(Math.Round(rr * todoWeight, 1))} core-seconds for the {Count(states.Count(s => s.State is SweepPointState.Missing or SweepPointState.Failed))} points still to run (measured {HumanOutput.Number(rr * totalWeight / plan.Points.Count)} s per point on average so far)"
                : $"estimated cost: relative work {HumanOutput.Number(totalWeight)} (the product of the size options; no point has run yet to turn it into seconds)");
            var axes = plan.Spec.AllAxes;
            var table = HumanOutput.Table(["index", "id", .. axes.Select(a => a.Name), "weight", "state"]).NumberColumns(0);
            int shown = parse.GetValue(all) ? states.Count : Math.Min(50, states.Count);
            foreach (var s in states.Take(shown))
                table.Row([Count(s.Point.Index), s.Point.Id, .. s.Point.Values.Select(v => v.Value.Text), HumanOutput.Number(SweepCost.Weight(plan.Spec, s.Point)), s.State.ToString().ToLowerInvariant()]);
            console.Write(table);
            if (shown < states.Count) context.Out.WriteLine($"… {states.Count - shown} more points (--all lists them)");
            context.Out.WriteLine($"point 0 runs: qnnsim {plan.Points[0].CommandLine}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string CountsLine(IReadOnlyList<PointState> states) =>
        $"done {Count(states.Count(s => s.State == SweepPointState.Done))}, failed {Count(states.Count(s => s.State == SweepPointState.Failed))}, " +
        $"running {Count(states.Count(s => s.State == SweepPointState.Running))}, missing {Count(states.Count(s => s.State == SweepPointState.Missing))}";

    private static void WriteCounts(System.Text.Json.Utf8JsonWriter w, IReadOnlyList<PointState> states)
    {
        foreach (var state in Enum.GetValues<SweepPointState>())
            w.WriteNumber(state.ToString().ToLowerInvariant(), states.Count(s => s.State == state));
    }

    private static Command Run(CliContext context)
    {
        var spec = Spec();
        var executor = new Option<string>("--executor") { Description = "Where the points run: local (this machine, the default) or slurm (a Slurm job array).", DefaultValueFactory = _ => "local", HelpName = "local|slurm" };
        executor.AcceptOnlyFromAmong("local", "slurm");
        var jobs = new Option<int>("--jobs") { Description = "Local executor: points run at once (default: the number of cores).", HelpName = "N", DefaultValueFactory = _ => Environment.ProcessorCount, CustomParser = r => CommonOptions.PositiveInt(r, "--jobs", "jobs") };
        var threads = CommonOptions.Threads("Local executor: threads per point (default: cores / jobs, at least 1); on Slurm the threads follow --cpus-per-task. Results do not depend on it.");
        var restart = new Option<bool>("--restart") { Description = "Delete results of another version of the spec (or another spec) in the results folder and start over." };
        var partition = new Option<string?>("--partition") { Description = "Slurm: #SBATCH --partition.", HelpName = "NAME" };
        var time = new Option<string?>("--time") { Description = "Slurm: #SBATCH --time, per point (e.g. 00:30:00).", HelpName = "LIMIT" };
        var memory = new Option<string?>("--mem") { Description = "Slurm: #SBATCH --mem, per point (e.g. 4G).", HelpName = "SIZE" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "Slurm: #SBATCH --cpus-per-task; each point's command gets as many threads.", HelpName = "N", DefaultValueFactory = _ => 1, CustomParser = r => CommonOptions.PositiveInt(r, "--cpus-per-task", "CPUs") };
        var account = new Option<string?>("--account") { Description = "Slurm: #SBATCH --account.", HelpName = "NAME" };
        var maxRunning = new Option<int>("--max-running") { Description = "Slurm: at most K array tasks at once (--array=0-(N−1)%K).", HelpName = "K", CustomParser = r => CommonOptions.PositiveInt(r, "--max-running", "tasks") };
        var extra = new Option<string[]>("--sbatch") { Description = "Slurm: a further #SBATCH line, e.g. --sbatch '--qos=short' (repeatable).", HelpName = "LINE", AllowMultipleArgumentsPerToken = false };
        var dryRun = new Option<bool>("--dry-run") { Description = "Slurm: print the sbatch script without submitting it." };
        var wait = new Option<bool>("--wait") { Description = "Slurm: wait until the submitted tasks have ended (polling squeue), then print the status." };
        var timeout = new Option<int>("--timeout") { Description = "Slurm: with --wait, give up waiting after this many seconds (the tasks keep running).", HelpName = "SECONDS", DefaultValueFactory = _ => 24 * 3600, CustomParser = r => CommonOptions.PositiveInt(r, "--timeout", "seconds") };
        var command = new Command("run", "Run the points that are missing or failed (finished points are kept): on this machine, or as a Slurm job array.")
        {
            spec, executor, jobs, threads, restart, partition, time, memory, cpus, account, maxRunning, extra, dryRun, wait, timeout,
        };
        command.SetAction(parse =>
        {
            var (_, plan) = Load(parse.GetValue(spec)!);
            bool slurm = parse.GetValue(executor) == "slurm";
            foreach (var o in new Option[] { partition, time, memory, cpus, account, maxRunning, extra, dryRun, wait })
                if (!slurm && parse.GetResult(o) is { Implicit: false })
                    throw new CliUsageException($"{o.Name} is a Slurm option; it needs --executor slurm.");
            if (slurm && parse.GetResult(jobs) is { Implicit: false }) throw new CliUsageException("--jobs is for the local executor; on Slurm use --max-running K.");
            if (slurm && parse.GetResult(threads) is { Implicit: false }) throw new CliUsageException("--threads is for the local executor; on Slurm use --cpus-per-task N (the threads follow it).");
            if (parse.GetValue(dryRun) && parse.GetValue(wait)) throw new CliUsageException("--dry-run and --wait cannot be combined.");
            foreach (var line in parse.GetValue(extra) ?? [])
                if (line.Contains('\n') || line.Contains('\r')) throw new CliUsageException($"--sbatch '{line}' spans lines; give one #SBATCH line per --sbatch.");

            // A dry run only reads: it neither creates nor resets the results folder.
            var results = parse.GetValue(dryRun) ? SweepResults.OpenExisting(plan, plan.Spec.Source) : SweepResults.Create(plan, plan.Spec.Source, parse.GetValue(restart));
            var states = SweepState.Resolve(results);
            var todo = states.Where(s => s.State is SweepPointState.Missing or SweepPointState.Failed).Select(s => s.Point).ToList();
            int running = states.Count(s => s.State == SweepPointState.Running);
            context.Out.WriteLine($"sweep {Path.GetFileName(plan.Spec.Source)}: {Count(plan.Points.Count)} points; {CountsLine(states)}");
            if (todo.Count == 0)
            {
                context.Out.WriteLine(running == 0 ? "nothing to run: every point is done." : $"nothing to submit: the {Count(running)} other points are running.");
                return running == 0 || !parse.GetValue(wait) ? ExitCodes.Success : WaitSlurm(context, results, parse.GetValue(timeout));
            }
            if (slurm)
            {
                var settings = new SlurmSettings(parse.GetValue(partition), parse.GetValue(time), parse.GetValue(memory), parse.GetValue(cpus),
                    parse.GetValue(account), parse.GetOptional(maxRunning), parse.GetValue(extra) ?? []);
                if (parse.GetValue(dryRun))
                {
                    context.Out.Write(SlurmExecutor.Script(results, todo, settings));
                    return ExitCodes.Success;
                }
                foreach (var p in todo) results.ClearRunning(p);
                string job = SlurmExecutor.Submit(results, todo, settings);
                context.Out.WriteLine($"submitted Slurm job {job}: array 0-{todo.Count - 1}{(settings.MaxRunning is { } k ? $"%{k}" : "")} over {Count(todo.Count)} points");
                context.Out.WriteLine($"follow it with: qnnsim sweep status {plan.Spec.Source}");
                return parse.GetValue(wait) ? WaitSlurm(context, results, parse.GetValue(timeout)) : ExitCodes.Success;
            }
            int j = parse.GetValue(jobs);
            int t = parse.GetOptional(threads) ?? Math.Max(1, Environment.ProcessorCount / j);
            foreach (var p in todo) { results.ClearRunning(p); results.ClearFailure(p); }
            context.Out.WriteLine($"running {Count(todo.Count)} points on this machine: {Count(j)} at a time, {Count(t)} thread{(t == 1 ? "" : "s")} each");
            var outcome = CliProgress.Run(context, $"sweep ({todo.Count} points)", progress =>
                LocalExecutor.Run(results, todo, j, t, new SyncProgress<int>(n => progress.Report(n / (double)todo.Count)), context.CancellationToken));
            var after = SweepState.Resolve(results);
            context.Out.WriteLine($"{(outcome.Cancelled ? "cancelled" : "finished")}: {CountsLine(after)}");
            PrintProblems(context, after);
            if (outcome.Cancelled) return ExitCodes.Cancelled;
            return after.All(s => s.State == SweepPointState.Done) ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static int WaitSlurm(CliContext context, SweepResults results, int timeoutSeconds)
    {
        SlurmExecutor.Wait(results, TimeSpan.FromSeconds(timeoutSeconds), TimeSpan.FromSeconds(1), context.CancellationToken);
        var after = SweepState.Resolve(results);
        context.Out.WriteLine($"ended: {CountsLine(after)}");
        PrintProblems(context, after);
        return after.All(s => s.State == SweepPointState.Done) ? ExitCodes.Success : ExitCodes.CheckFailed;
    }

    private static void PrintProblems(CliContext context, IReadOnlyList<PointState> states)
    {
        foreach (var s in states.Where(s => s.State is SweepPointState.Failed or SweepPointState.Missing))
            context.Out.WriteLine($"  point {Count(s.Point.Index)} ({s.Point.Label}) {s.State.ToString().ToLowerInvariant()}{(s.Detail.Length > 0 ? ": " + s.Detail : "")}");
    }

    private static Command TaskCommand(CliContext context)
    {
        var spec = Spec();
        var index = new Option<int?>("--index") { Description = "The point to run (default: SLURM_ARRAY_TASK_ID).", HelpName = "I" };
        var threads = CommonOptions.Threads("Threads for the point's command (default: SLURM_CPUS_PER_TASK, else all cores). Results do not depend on it.");
        var command = new Command("task", "Run one point and write its result file (what one local job or one Slurm array task runs).") { spec, index, threads };
        command.SetAction(parse =>
        {
            var (catalog, plan) = Load(parse.GetValue(spec)!);
            int i = parse.GetValue(index) ?? (int.TryParse(Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"), NumberStyles.None, CultureInfo.InvariantCulture, out int a) ? a
                : throw new CliUsageException("give --index I (the point to run); SLURM_ARRAY_TASK_ID is not set."));
            if (i < 0 || i >= plan.Points.Count)
                throw new CliUsageException($"--index {Count(i)} is out of range for this {Count(plan.Points.Count)}-point sweep; allowed: 0..{Count(plan.Points.Count - 1)}.");
            int t = parse.GetOptional(threads)
                ?? (int.TryParse(Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK"), NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c >= 1 ? c : Environment.ProcessorCount);
            var results = SweepResults.Create(plan, plan.Spec.Source, restart: false);
            var point = plan.Point(i);
            if (results.IsDone(point))
            {
                context.Out.WriteLine($"point {Count(i)} ({point.Label}) is already done: {results.ResultPath(i)}");
                return ExitCodes.Success;
            }
            string executor = Environment.GetEnvironmentVariable("QNNSIM_SWEEP_EXECUTOR") is { Length: > 0 } e ? e : "task";
            int code = SweepTask.Run(results, catalog, point, t, executor, context.CancellationToken);
            if (code == ExitCodes.Success) context.Out.WriteLine($"point {Count(i)} ({point.Label}) done: {results.ResultPath(i)}");
            else
            {
                var state = results.StatusOf(point);
                context.Error.WriteLine($"qnnsim: point {Count(i)} ({point.Label}) {(code == ExitCodes.Cancelled ? "cancelled" : "failed, " + state.Message)}");
            }
            return code;
        });
        return command;
    }

    private static Command Status(CliContext context)
    {
        var spec = Spec();
        var json = CommonOptions.Json();
        var command = new Command("status", "Done, running, failed and missing points, with the failures' messages (asks Slurm about the sweep's jobs when it has any).") { spec, json };
        command.SetAction(parse =>
        {
            var (_, plan) = Load(parse.GetValue(spec)!);
            var results = SweepResults.OpenExisting(plan, plan.Spec.Source);
            var states = SweepState.Resolve(results);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, "sweep.status", w =>
                {
                    w.WriteString("spec", plan.Spec.Source);
                    w.WriteNumber("points", plan.Points.Count);
                    WriteCounts(w, states);
                    w.WriteStartArray("point_list");
                    foreach (var s in states)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("index", s.Point.Index);
                        w.WriteString("id", s.Point.Id);
                        w.WriteString("state", s.State.ToString().ToLowerInvariant());
                        w.WriteString("detail", s.Detail);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
            }
            else
            {
                context.Out.WriteLine($"sweep {Path.GetFileName(plan.Spec.Source)}: {Count(plan.Points.Count)} points; {CountsLine(states)}");
                foreach (var s in states.Where(s => s.State == SweepPointState.Running))
                    context.Out.WriteLine($"  point {Count(s.Point.Index)} ({s.Point.Label}) running: {s.Detail}");
                PrintProblems(context, states);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Merge(CliContext context)
    {
        var spec = Spec();
        var command = new Command("merge", "Gather the results into one table beside the spec (NAME.merged.csv and .json, no provenance columns), a summary over seeds (NAME.summary.csv) and the spec's plots; exit 4 when points are not done.") { spec };
        command.SetAction(parse =>
        {
            var (_, plan) = Load(parse.GetValue(spec)!);
            var results = SweepResults.OpenExisting(plan, plan.Spec.Source);
            if (!Directory.Exists(results.Folder)) throw new CliInputException($"no results yet: {results.Folder} does not exist; run 'qnnsim sweep run {plan.Spec.Source}' first.");
            var (table, summary, files) = SweepMerge.Write(results);
            context.Out.WriteLine($"wrote {files.Csv}");
            context.Out.WriteLine($"wrote {files.Json}");
            context.Out.WriteLine($"wrote {files.SummaryCsv}");
            context.Out.WriteLine($"wrote {files.ProvenanceCsv} (executor, host, threads and times of each point)");
            string stem = files.Csv[..^".merged.csv".Length];
            foreach (var plot in plan.Spec.Plots)
            {
                IReadOnlyList<(string Label, double[] X, double[] Y, double[] Error)> data;
                try { data = summary.PlotData(plot); }
                catch (ArgumentException e) { throw new CliInputException($"{plan.Spec.Source}: \"plots\": {e.Message}"); }
                string name = $"{stem}.{Safe(plot.Y)}-vs-{Safe(plot.X)}";
                Plotting.Save(new PlotSpec(Path.GetFileName(name), $"{plot.Y} against {plot.X} (mean ± standard error over seeds)", plot.X, plot.Y, plot.LogX, plot.LogY,
                    [.. data.Select(d => new Series(d.Label, d.X, d.Y, SeriesStyle.ErrorBars, d.Error))]), name);
                context.Out.WriteLine($"wrote {name}.png and .svg");
            }
            int notDone = table.Rows.Count(r => r[2].Text != "done");
            if (notDone > 0)
            {
                context.Out.WriteLine($"warning: {Count(notDone)} of {Count(table.Rows.Count)} points are not done (their rows have no results); 'qnnsim sweep status {plan.Spec.Source}' lists them.");
                return ExitCodes.CheckFailed;
            }
            context.Out.WriteLine($"all {Count(table.Rows.Count)} points merged.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Safe(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}
