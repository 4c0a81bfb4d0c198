using System.Diagnostics;
using QnnSim.Analysis.Sweeps;

namespace QnnSim.Cli.Sweeps;

/// <summary>A point's state as <c>sweep status</c> reports it: the results folder checked against live tasks.</summary>
/// <param name="Point">The point.</param>
/// <param name="State">Done, failed, running (queued or running in Slurm, or a live local task) or missing.</param>
/// <param name="Detail">The failure's message, where the task runs, or why a point is missing ("" when plain).</param>
internal sealed record PointState(SweepPoint Point, SweepPointState State, string Detail);

/// <summary>
/// Resolves the results folder's states against the running tasks: a running marker whose task has ended (killed,
/// cancelled by scancel, out of time) means the point is missing; a missing or failed point queued again in Slurm
/// is running; a Slurm task that ended without a result is reported with Slurm's state.
/// </summary>
internal static class SweepState
{
    /// <summary>Every point's state. Slurm is asked only when the sweep has submitted jobs.</summary>
    public static IReadOnlyList<PointState> Resolve(SweepResults results)
    {
        var slurm = SlurmExecutor.Query(results);
        var list = new List<PointState>();
        foreach (var s in results.Status())
        {
            SlurmTaskState? task = slurm is not null && slurm.TryGetValue(s.Point.Index, out var t) ? t : null;
            list.Add(s.State switch
            {
                SweepPointState.Done => new PointState(s.Point, SweepPointState.Done, ""),
                SweepPointState.Running => Running(s, task),
                SweepPointState.Failed when task is { Active: true } => new PointState(s.Point, SweepPointState.Running, $"queued again as Slurm task {task.Task} ({task.State}); last run: {s.Message}"),
                SweepPointState.Failed => new PointState(s.Point, SweepPointState.Failed, s.Message ?? ""),
                _ when task is { Active: true } => new PointState(s.Point, SweepPointState.Running, $"Slurm task {task.Task} {task.State}{Reason(task)}"),
                _ when task is not null => new PointState(s.Point, SweepPointState.Missing, $"Slurm task {task.Task} ended {task.State}{Reason(task)} without a result"),
                _ => new PointState(s.Point, SweepPointState.Missing, ""),
            });
        }
        return list;
    }

    private static string Reason(SlurmTaskState t) => t.Reason is "None" or "" ? "" : $" ({t.Reason})";

    private static PointState Running(SweepPointStatus s, SlurmTaskState? task)
    {
        var m = s.Marker!;
        if (m.SlurmJob is not null)
        {
            if (task is { Active: true }) return new PointState(s.Point, SweepPointState.Running, $"Slurm task {task.Task} {task.State} on {m.Host} since {m.Started}");
            string how = task is null ? "is no longer known to Slurm" : $"ended {task.State}{Reason(task)}";
            return new PointState(s.Point, SweepPointState.Missing, $"Slurm task {m.SlurmJob} {how} without a result");
        }
        if (!string.Equals(m.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
            return new PointState(s.Point, SweepPointState.Running, $"process {m.ProcessId} on {m.Host} since {m.Started} (another machine: not checked)");
        return IsAlive(m.ProcessId)
            ? new PointState(s.Point, SweepPointState.Running, $"process {m.ProcessId} since {m.Started}")
            : new PointState(s.Point, SweepPointState.Missing, $"interrupted: task process {m.ProcessId} ended without a result");
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
