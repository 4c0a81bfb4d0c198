using System.Diagnostics;
using System.Globalization;
using QnnSim.Analysis.Sweeps;

namespace QnnSim.Cli.Sweeps;

/// <summary>
/// Runs points on this machine: up to <c>jobs</c> task processes at a time (<c>qnnsim sweep task SPEC --index I
/// --threads T</c>, started in the spec's folder), each in its own process so that a crash or a cancellation stays
/// with its point. Cancelling kills the running tasks (their points stay missing) and leaves finished points in place.
/// </summary>
internal static class LocalExecutor
{
    /// <summary>The outcome of a local run.</summary>
    /// <param name="Done">Points that finished with a result.</param>
    /// <param name="Failed">Points whose command failed.</param>
    /// <param name="Cancelled">Whether the run was cancelled.</param>
    public sealed record Outcome(int Done, int Failed, bool Cancelled);

    /// <summary>Runs <paramref name="points"/>; <paramref name="progress"/> gets the number of points ended so far.</summary>
    public static Outcome Run(SweepResults results, IReadOnlyList<SweepPoint> points, int jobs, int threadsPerJob,
        IProgress<int>? progress, CancellationToken cancellationToken)
    {
        int done = 0, failed = 0, ended = 0;
        string folder = Path.GetDirectoryName(results.SpecPath)!;
        try
        {
            Parallel.ForEach(points, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, point =>
            {
                var info = SweepTool.StartInfo(["sweep", "task", results.SpecPath, "--index", point.Index.ToString(CultureInfo.InvariantCulture),
                    "--threads", threadsPerJob.ToString(CultureInfo.InvariantCulture)], folder);
                info.Environment["QNNSIM_SWEEP_EXECUTOR"] = "local";
                foreach (var v in new[] { "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_JOB_ID", "SLURM_JOB_ID", "SLURM_CPUS_PER_TASK" }) info.Environment.Remove(v);
                using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
                // Drain both pipes so a chatty task never blocks on a full pipe; the task writes its own log.
                var outTask = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                var errTask = process.StandardError.ReadToEndAsync(CancellationToken.None);
                using (cancellationToken.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
                    process.WaitForExit();
                Task.WaitAll(outTask, errTask);
                if (cancellationToken.IsCancellationRequested && process.ExitCode != 0)
                {
                    // A killed task could not remove its marker: the point is missing, not running.
                    results.ClearRunning(point);
                    results.AppendLog(point.Index, $"[{DateTimeOffset.UtcNow:O}] local executor: task killed by cancellation; the point stays missing");
                }
                else if (process.ExitCode == 0) Interlocked.Increment(ref done);
                else
                {
                    Interlocked.Increment(ref failed);
                    if (!File.Exists(results.FailurePath(point.Index)))
                        results.WriteFailure(point, process.ExitCode, $"the task process ended with exit code {process.ExitCode}: {errTask.Result.Trim()}");
                }
                progress?.Report(Interlocked.Increment(ref ended));
            });
        }
        catch (OperationCanceledException)
        {
            return new Outcome(done, failed, true);
        }
        return new Outcome(done, failed, cancellationToken.IsCancellationRequested);
    }
}
