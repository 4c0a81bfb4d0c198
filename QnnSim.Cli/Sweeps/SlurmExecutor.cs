using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using QnnSim.Analysis.Sweeps;

namespace QnnSim.Cli.Sweeps;

/// <summary>The #SBATCH settings of a sweep's job array (docs/sweeps.md).</summary>
/// <param name="Partition">--partition, or null for the cluster's default.</param>
/// <param name="Time">--time (e.g. "00:10:00"), or null.</param>
/// <param name="Memory">--mem (e.g. "2G"), or null.</param>
/// <param name="CpusPerTask">--cpus-per-task; the task's thread count follows it.</param>
/// <param name="Account">--account, or null.</param>
/// <param name="MaxRunning">The K in --array=0-(N−1)%K, or null for no limit.</param>
/// <param name="ExtraLines">Further #SBATCH lines, verbatim (e.g. "--qos=short").</param>
internal sealed record SlurmSettings(string? Partition, string? Time, string? Memory, int CpusPerTask, string? Account, int? MaxRunning, IReadOnlyList<string> ExtraLines);

/// <summary>The Slurm state of one array task of a sweep.</summary>
/// <param name="Task">"JOBID_K".</param>
/// <param name="State">Slurm's job state (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, …).</param>
/// <param name="Reason">Slurm's reason field ("None" when there is none).</param>
internal sealed record SlurmTaskState(string Task, string State, string Reason)
{
    /// <summary>Whether the task is queued or running (not ended).</summary>
    public bool Active => State is "PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING" or "SUSPENDED" or "REQUEUED" or "RESIZING" or "SIGNALING" or "STAGE_OUT";
}

/// <summary>
/// Runs a sweep as a Slurm job array: writes the sbatch script (one array task per point still to run, the array
/// index mapped to the point index by a list in the script), submits it with <c>sbatch</c>, records the job in
/// <c>RESULTS/slurm/submissions.json</c>, and reads task states back with <c>squeue -t all</c> (clusters without an
/// accounting database have no <c>sacct</c>). Every call to a Slurm client has a timeout.
/// </summary>
internal static class SlurmExecutor
{
    /// <summary>How long one sbatch, squeue or scancel call may take.</summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The sbatch script of a job array over <paramref name="points"/>.</summary>
    public static string Script(SweepResults results, IReadOnlyList<SweepPoint> points, SlurmSettings settings)
    {
        if (points.Count == 0) throw new ArgumentException("no points to submit", nameof(points));
        string name = Path.GetFileNameWithoutExtension(results.SpecPath);
        string slurmFolder = Path.Combine(results.Folder, "slurm");
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name=qnnsim-sweep-{Safe(name)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{points.Count - 1}{(settings.MaxRunning is { } k ? $"%{k}" : "")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={settings.CpusPerTask}\n");
        sb.Append("#SBATCH --ntasks=1\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --output={Path.Combine(slurmFolder, "job-%A_%a.out")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --chdir={Path.GetDirectoryName(results.SpecPath)}\n");
        if (settings.Partition is { } partition) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --partition={partition}\n");
        if (settings.Time is { } time) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --time={time}\n");
        if (settings.Memory is { } mem) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --mem={mem}\n");
        if (settings.Account is { } account) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --account={account}\n");
        foreach (var line in settings.ExtraLines)
            sb.Append(line.TrimStart().StartsWith("#SBATCH", StringComparison.Ordinal) ? line.Trim() : "#SBATCH " + line.Trim()).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"# qnnsim sweep: {points.Count} of the {results.Plan.Points.Count} points of {results.SpecPath} (spec hash {results.Plan.Hash[..12]}).\n");
        sb.Append("# Array task K runs point POINTS[K]; the task binds its threads to SLURM_CPUS_PER_TASK and logs to\n");
        sb.Append(CultureInfo.InvariantCulture, $"# {results.LogsFolder}/NNNNN.log.\n");
        sb.Append("set -u\n");
        sb.Append("POINTS=(");
        for (int i = 0; i < points.Count; i++)
        {
            if (i > 0) sb.Append(i % 20 == 0 ? "\n  " : " ");
            sb.Append(points[i].Index.ToString(CultureInfo.InvariantCulture));
        }
        sb.Append(")\n");
        sb.Append("export QNNSIM_SWEEP_EXECUTOR=slurm\n");
        sb.Append(CultureInfo.InvariantCulture, $"exec {SweepTool.ShellLine()} sweep task {SweepPoint.ShellQuote(results.SpecPath)} --index \"${{POINTS[$SLURM_ARRAY_TASK_ID]}}\"\n");
        return sb.ToString();
    }

    private static string Safe(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);

    /// <summary>Writes the script, submits it, records the submission; returns the job id.</summary>
    /// <exception cref="InvalidOperationException">sbatch is missing, fails, or does not answer in time.</exception>
    public static string Submit(SweepResults results, IReadOnlyList<SweepPoint> points, SlurmSettings settings)
    {
        string folder = Path.Combine(results.Folder, "slurm");
        Directory.CreateDirectory(folder);
        string script = Path.Combine(folder, $"submit-{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{Environment.ProcessId}.sbatch");
        SweepResults.WriteAtomic(script, Script(results, points, settings));
        var (code, output, error) = Client("sbatch", ["--parsable", script]);
        if (code != 0) throw new InvalidOperationException($"sbatch failed (exit code {code}): {error.Trim()}{(output.Trim().Length > 0 ? " " + output.Trim() : "")}");
        string jobId = output.Trim().Split(';')[0];
        if (jobId.Length == 0 || !jobId.All(char.IsAsciiDigit)) throw new InvalidOperationException($"sbatch printed no job id: '{output.Trim()}'");
        var submissions = ReadSubmissions(results);
        submissions.Add(new Submission(jobId, [.. points.Select(p => p.Index)], Path.GetFileName(script)));
        WriteSubmissions(results, submissions);
        return jobId;
    }

    /// <summary>A recorded submission: the job id and, by array index, the points it runs.</summary>
    internal sealed record Submission(string JobId, int[] Points, string Script);

    private static string SubmissionsPath(SweepResults results) => Path.Combine(results.Folder, "slurm", "submissions.json");

    internal static List<Submission> ReadSubmissions(SweepResults results)
    {
        string path = SubmissionsPath(results);
        if (!File.Exists(path)) return [];
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return [.. doc.RootElement.GetProperty("jobs").EnumerateArray().Select(j => new Submission(j.GetProperty("job_id").GetString()!,
                [.. j.GetProperty("points").EnumerateArray().Select(p => p.GetInt32())], j.GetProperty("script").GetString()!))];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{path} is not readable: {e.Message}");
        }
    }

    private static void WriteSubmissions(SweepResults results, List<Submission> submissions) =>
        SweepResults.WriteAtomic(SubmissionsPath(results), Encoding.UTF8.GetString(JsonBytes(w =>
        {
            w.WriteString("schema", "qnnsim.sweep.slurm/1");
            w.WriteStartArray("jobs");
            foreach (var s in submissions)
            {
                w.WriteStartObject();
                w.WriteString("job_id", s.JobId);
                w.WriteString("script", s.Script);
                w.WriteStartArray("points");
                foreach (int p in s.Points) w.WriteNumberValue(p);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        })));

    private static byte[] JsonBytes(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>
    /// The Slurm state of every point this sweep submitted, by point index (the latest submission of a point wins).
    /// Points whose task Slurm no longer knows (a pending task cancelled with scancel leaves no trace; finished jobs
    /// are forgotten after MinJobAge) are absent. Null when the sweep never used Slurm.
    /// </summary>
    public static Dictionary<int, SlurmTaskState>? Query(SweepResults results)
    {
        var submissions = ReadSubmissions(results);
        if (submissions.Count == 0) return null;
        var states = new Dictionary<string, SlurmTaskState>(StringComparer.Ordinal);
        foreach (var s in submissions)
        {
            // One job per call: squeue fails the whole call when one of several ids has been purged.
            var (code, output, _) = Client("squeue", ["-h", "-r", "-t", "all", "-j", s.JobId, "-o", "%i|%T|%r"]);
            if (code != 0) continue;
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = line.Split('|');
                if (parts.Length >= 2) states[parts[0]] = new SlurmTaskState(parts[0], parts[1], parts.Length > 2 ? parts[2] : "None");
            }
        }
        var byPoint = new Dictionary<int, SlurmTaskState>();
        foreach (var s in submissions)
            for (int k = 0; k < s.Points.Length; k++)
            {
                if (states.TryGetValue($"{s.JobId}_{k}", out var state)) byPoint[s.Points[k]] = state;
                else byPoint.Remove(s.Points[k]);
            }
        return byPoint;
    }

    /// <summary>The job ids of submissions with tasks still queued or running.</summary>
    public static IReadOnlyList<string> ActiveJobs(SweepResults results)
    {
        var active = new List<string>();
        foreach (var s in ReadSubmissions(results))
        {
            var (code, output, _) = Client("squeue", ["-h", "-r", "-j", s.JobId, "-o", "%T"]);
            if (code == 0 && output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Any(state => new SlurmTaskState("", state, "").Active))
                active.Add(s.JobId);
        }
        return active;
    }

    /// <summary>Waits until none of the sweep's jobs has a queued or running task, polling squeue.</summary>
    /// <exception cref="TimeoutException">Tasks are still active after <paramref name="timeout"/>.</exception>
    public static void Wait(SweepResults results, TimeSpan timeout, TimeSpan poll, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var active = ActiveJobs(results);
            if (active.Count == 0) return;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Slurm jobs {string.Join(", ", active)} still have queued or running tasks after {timeout.TotalSeconds:F0} s; they keep running (check with 'qnnsim sweep status').");
            Task.Delay(poll, cancellationToken).Wait(cancellationToken);
        }
    }

    /// <summary>
    /// Runs a Slurm client program with a timeout; returns its exit code and output.
    /// </summary>
    /// <exception cref="InvalidOperationException">The program is not installed, or did not end within <see cref="ClientTimeout"/>.</exception>
    public static (int Code, string Output, string Error) Client(string program, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}"); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {program} ({e.Message}): the Slurm client tools are not installed or not on PATH; install Slurm's clients (Debian: slurm-client) or use --executor local.");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ClientTimeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new InvalidOperationException($"{program} {string.Join(' ', args)} did not answer within {ClientTimeout.TotalSeconds:F0} s; is slurmctld running (SLURM_CONF={Environment.GetEnvironmentVariable("SLURM_CONF") ?? "unset"})?");
            }
            process.WaitForExit();
            return (process.ExitCode, output.Result, error.Result);
        }
    }
}
