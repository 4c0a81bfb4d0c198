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
    /// <summary>Runs a point; returns the command's exit code (0 when the result was written).</summary>
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
        var args = catalog.TaskArguments(point.Arguments, threads);
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
            if (code == ExitCodes.Success)
            {
                try { results.WriteResult(point, stdout.ToString()); }
                catch (ArgumentException e)
                {
                    code = ExitCodes.InternalError;
                    stderr.WriteLine($"qnnsim sweep: {e.Message}");
                }
            }
            if (code == ExitCodes.Cancelled || cancellationToken.IsCancellationRequested) code = ExitCodes.Cancelled;
            else if (code != ExitCodes.Success) results.WriteFailure(point, code, stderr.ToString());
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
        return code;
    }

    private static string Describe(int code) => code switch
    {
        ExitCodes.Success => "done",
        ExitCodes.Cancelled => "cancelled, nothing written",
        _ => "failed",
    };
}
