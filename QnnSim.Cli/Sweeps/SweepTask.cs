using System.Diagnostics;
using System.Globalization;
using QnnSim.Analysis.Sweeps;

namespace QnnSim.Cli.Sweeps;

/// <summary>
/// What one task does (<c>qnnsim sweep task</c>, one Slurm array task, one local job): runs one point's command in
/// this process with --json, and writes its result (or its failure) atomically into the results folder. Everything
/// about how it ran (host, process, threads, executor, times, the command's standard error) goes to the point's log.
/// </summary>
internal static class SweepTask
{
    /// <summary>Runs a point; returns 0 when its result was written (the command's code, also 4 for a failed check, is in the result file and the log), else the command's exit code.</summary>
    /// <param name="results">The results folder.</param>
    /// <param name="catalog">The commands' definitions.</param>
    /// <param name="point">The point.</param>
    /// <param name="threads">Threads for the point's command (when it has --threads).</param>
    /// <param name="cancellationToken">Cancels the command; nothing is written for a cancelled point.</param>
    /// <param name="executor">"local", "slurm" or "task", for the provenance record.</param>
    public static int Run(SweepResults results, SweepCommandCatalog catalog, SweepPoint point, int threads, string executor, CancellationToken cancellationToken)
    {
        string? slurmJob = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { Length: > 0 } array
            ? $"{array}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}"
            : Environment.GetEnvironmentVariable("SLURM_JOB_ID") is { Length: > 0 } job ? job : null;
        var started = DateTimeOffset.UtcNow;
        string host = Environment.MachineName;
        results.MarkRunning(point, new SweepRunningMarker(host, Environment.ProcessId, slurmJob, started.ToString("O", CultureInfo.InvariantCulture)));
        bool report = SweepCommandCatalog.WritesReport(catalog.CommandWords(point.Arguments));
        string reportFolder = Path.Combine(results.PointsFolder, point.Index.ToString("D5", CultureInfo.InvariantCulture) + ".report");
        var args = catalog.TaskArguments(point.Arguments, threads, reportFolder);
        results.AppendLog(point.Index,
            $"[{started:O}] start point {point.Index} ({point.Label}) on {host}, pid {Environment.ProcessId}, threads {threads}" +
            (slurmJob is null ? "" : $", slurm job {slurmJob}") + $"\n  qnnsim {string.Join(' ', args.Select(SweepPoint.ShellQuote))}");
        var clock = Stopwatch.StartNew();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code;
        try
        {
            code = CliApp.Run([.. args], stdout, stderr, cancellationToken);
            // A failed check (exit 4) is a result too: its verdict is what the sweep gathers.
            if (code is ExitCodes.Success or ExitCodes.CheckFailed && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    string result = report ? ReportResult(reportFolder) : stdout.ToString();
                    results.WriteResult(point, result, code);
                }
                catch (FileNotFoundException e)
                {
                    code = code == ExitCodes.Success ? ExitCodes.InternalError : code;
                    stderr.WriteLine($"qnnsim sweep: no result: {e.Message}");
                }
                catch (ArgumentException e)
                {
                    code = ExitCodes.InternalError;
                    stderr.WriteLine($"qnnsim sweep: {e.Message}");
                }
            }
            if (code == ExitCodes.Cancelled || cancellationToken.IsCancellationRequested) code = ExitCodes.Cancelled;
            else if (!results.IsDone(point)) results.WriteFailure(point, code, stderr.ToString());
        }
        finally
        {
            results.ClearRunning(point);
        }
        string err = stderr.ToString().Trim();
        results.AppendProvenance(point.Index, new SweepProvenance(executor, host, Environment.ProcessId, threads, slurmJob,
            started.ToString("O", CultureInfo.InvariantCulture), clock.Elapsed.TotalSeconds, code));
        results.AppendLog(point.Index,
            $"[{DateTimeOffset.UtcNow:O}] end point {point.Index}: exit code {code} ({Describe(code)}), {clock.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)} s" +
            (err.Length == 0 ? "" : "\n  stderr: " + err.Replace("\n", "\n  stderr: ")));
        // The task succeeds when the point has its result (also when the result holds a failed verdict).
        return code != ExitCodes.Cancelled && results.IsDone(point) ? ExitCodes.Success : code;
    }

    /// <summary>Keys of a report's summary.json that describe how it ran, not what it found: left out of the result.</summary>
    private static readonly string[] ProvenanceKeys = ["seconds", "threads"];

    /// <summary>The summary.json of a report folder without its provenance keys (at any depth).</summary>
    private static string ReportResult(string folder)
    {
        string path = Path.Combine(folder, "summary.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"the command wrote no {path}", path);
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        Strip(node);
        return node.ToJsonString();
    }

    private static void Strip(System.Text.Json.Nodes.JsonNode? node)
    {
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject o:
                foreach (var key in ProvenanceKeys) o.Remove(key);
                foreach (var (_, child) in o) Strip(child);
                break;
            case System.Text.Json.Nodes.JsonArray a:
                foreach (var child in a) Strip(child);
                break;
        }
    }

    private static string Describe(int code) => code switch
    {
        ExitCodes.Success => "done",
        ExitCodes.CheckFailed => "done, a check failed",
        ExitCodes.Cancelled => "cancelled, nothing written",
        _ => "failed",
    };
}
