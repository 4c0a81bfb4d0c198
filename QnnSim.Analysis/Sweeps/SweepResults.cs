using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QnnSim.Analysis.Sweeps;

/// <summary>Where a point of a sweep stands.</summary>
public enum SweepPointState
{
    /// <summary>Its result file exists.</summary>
    Done,

    /// <summary>Its last run failed; the failure file holds the exit code and the message.</summary>
    Failed,

    /// <summary>A task has marked it running (the executor checks whether that task still lives).</summary>
    Running,

    /// <summary>Neither done nor failed nor running.</summary>
    Missing,
}

/// <summary>The marker a task leaves while it runs a point (removed when it ends; a killed task leaves it behind).</summary>
/// <param name="Host">The machine's name.</param>
/// <param name="ProcessId">The task's process id on that machine.</param>
/// <param name="SlurmJob">"JOBID_TASK" of the Slurm array task, or null outside Slurm.</param>
/// <param name="Started">When the task started (UTC, ISO 8601).</param>
public sealed record SweepRunningMarker(string Host, int ProcessId, string? SlurmJob, string Started);

/// <summary>How one run of a point went: kept in the point's log folder, never in its result or the merged table.</summary>
/// <param name="Executor">"local", "slurm" or "task" (run by hand).</param>
/// <param name="Host">The machine's name.</param>
/// <param name="ProcessId">The task's process id.</param>
/// <param name="Threads">The threads given to the point's command.</param>
/// <param name="SlurmJob">"JOBID_TASK", or null outside Slurm.</param>
/// <param name="Started">When the run started (UTC, ISO 8601).</param>
/// <param name="Seconds">Its wall-clock duration.</param>
/// <param name="ExitCode">The command's exit code.</param>
public sealed record SweepProvenance(string Executor, string Host, int ProcessId, int Threads, string? SlurmJob, string Started, double Seconds, int ExitCode);

/// <summary>The state of one point, with the failure's message or the running task's marker.</summary>
/// <param name="Point">The point.</param>
/// <param name="State">Its state.</param>
/// <param name="Message">For <see cref="SweepPointState.Failed"/>: the exit code and the command's message.</param>
/// <param name="Marker">For <see cref="SweepPointState.Running"/>: the task's marker.</param>
public sealed record SweepPointStatus(SweepPoint Point, SweepPointState State, string? Message = null, SweepRunningMarker? Marker = null);

/// <summary>
/// The results folder of a sweep, beside its spec and named after it (<c>example.json</c> → <c>example.results/</c>):
/// <c>sweep.json</c> (the manifest: spec hash and point count), <c>points/NNNNN.json</c> (one result per point,
/// written atomically: a temporary file renamed into place), <c>points/NNNNN.failed.json</c>,
/// <c>points/NNNNN.running</c>, and <c>logs/</c> for everything about how a point ran (host, threads, times).
/// </summary>
/// <remarks>
/// A result file holds only what the point computed (its index, id, arguments and the command's JSON result), so it
/// is byte-identical whichever executor, thread count or order produced it.
/// </remarks>
public sealed class SweepResults
{
    /// <summary>Schema of the manifest.</summary>
    public const string ManifestSchema = "qnnsim.sweep.results/1";

    /// <summary>Schema of a point's result and failure files.</summary>
    public const string PointSchema = "qnnsim.sweep.point/1";

    private static readonly JsonWriterOptions Writer = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private SweepResults(SweepPlan plan, string specPath, string folder)
    {
        Plan = plan;
        SpecPath = specPath;
        Folder = folder;
    }

    /// <summary>The plan the results belong to.</summary>
    public SweepPlan Plan { get; }

    /// <summary>The spec file (absolute).</summary>
    public string SpecPath { get; }

    /// <summary>The results folder (absolute).</summary>
    public string Folder { get; }

    /// <summary>The folder of point files.</summary>
    public string PointsFolder => Path.Combine(Folder, "points");

    /// <summary>The folder of logs (provenance: hosts, threads, times, standard error).</summary>
    public string LogsFolder => Path.Combine(Folder, "logs");

    /// <summary>The manifest file.</summary>
    public string ManifestPath => Path.Combine(Folder, "sweep.json");

    /// <summary>The results folder of a spec: beside it, named after it with ".results".</summary>
    public static string FolderFor(string specPath)
    {
        string full = Path.GetFullPath(specPath);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + ".results");
    }

    /// <summary>
    /// Opens the results folder of <paramref name="plan"/> for reading: the folder may be absent (nothing has run);
    /// if present its manifest must carry this plan's hash.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder belongs to another spec or another version of this spec.</exception>
    public static SweepResults OpenExisting(SweepPlan plan, string specPath)
    {
        var r = new SweepResults(plan, Path.GetFullPath(specPath), FolderFor(specPath));
        r.CheckManifest(restart: false);
        return r;
    }

    /// <summary>
    /// Opens the results folder for writing, creating it and its manifest if needed. When the folder holds results
    /// of a different plan (the spec changed, or it is another spec's folder) this refuses, unless
    /// <paramref name="restart"/> is true: then the old points and logs are deleted first.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder belongs to another plan and <paramref name="restart"/> is false.</exception>
    public static SweepResults Create(SweepPlan plan, string specPath, bool restart)
    {
        var r = new SweepResults(plan, Path.GetFullPath(specPath), FolderFor(specPath));
        r.CheckManifest(restart);
        Directory.CreateDirectory(r.PointsFolder);
        Directory.CreateDirectory(r.LogsFolder);
        if (!File.Exists(r.ManifestPath)) r.WriteManifest();
        return r;
    }

    private void CheckManifest(bool restart)
    {
        if (!Directory.Exists(Folder)) return;
        string? problem = null;
        if (!File.Exists(ManifestPath))
        {
            if (Directory.EnumerateFileSystemEntries(Folder).Any())
                problem = $"{Folder} exists but is not the results folder of a sweep (it has no sweep.json)";
        }
        else
        {
            string? hash = null, spec = null;
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(ManifestPath));
                hash = doc.RootElement.GetProperty("spec_hash").GetString();
                spec = doc.RootElement.GetProperty("spec").GetString();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                problem = $"{ManifestPath} is not a sweep manifest ({e.Message})";
            }
            if (problem is null && hash != Plan.Hash)
                problem = spec == Path.GetFileName(SpecPath)
                    ? $"the spec {Path.GetFileName(SpecPath)} changed after results were written to {Folder} (spec hash {Short(hash)} there, {Short(Plan.Hash)} now): its points no longer match those results"
                    : $"{Folder} holds the results of another spec ({spec}, hash {Short(hash)}), not of {Path.GetFileName(SpecPath)} (hash {Short(Plan.Hash)})";
        }
        if (problem is null) return;
        if (!restart)
            throw new InvalidOperationException($"{problem}. Nothing was changed; run again with --restart to delete those results and start over, or give the spec another name.");
        foreach (var sub in new[] { PointsFolder, LogsFolder, Path.Combine(Folder, "slurm") })
            if (Directory.Exists(sub)) Directory.Delete(sub, recursive: true);
        if (File.Exists(ManifestPath)) File.Delete(ManifestPath);
    }

    private static string Short(string? hash) => hash is null ? "(none)" : hash[..Math.Min(12, hash.Length)];

    private void WriteManifest() => WriteAtomic(ManifestPath, Json(w =>
    {
        w.WriteString("schema", ManifestSchema);
        w.WriteString("spec", Path.GetFileName(SpecPath));
        w.WriteString("spec_hash", Plan.Hash);
        w.WriteString("command", string.Join(' ', Plan.Spec.Command));
        w.WriteNumber("points", Plan.Points.Count);
    }));

    /// <summary>The result file of a point.</summary>
    public string ResultPath(int index) => Path.Combine(PointsFolder, Name(index) + ".json");

    /// <summary>The failure file of a point.</summary>
    public string FailurePath(int index) => Path.Combine(PointsFolder, Name(index) + ".failed.json");

    /// <summary>The running marker of a point.</summary>
    public string RunningPath(int index) => Path.Combine(PointsFolder, Name(index) + ".running");

    /// <summary>The log of a point (appended by every run of it).</summary>
    public string LogPath(int index) => Path.Combine(LogsFolder, Name(index) + ".log");

    private static string Name(int index) => index.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>Writes a point's result atomically and removes its failure file and running marker.</summary>
    /// <param name="point">The point.</param>
    /// <param name="resultJson">The command's JSON result (one object).</param>
    /// <param name="exitCode">The command's exit code (0, or the code of a failed check whose verdict is in the result).</param>
    /// <exception cref="ArgumentException">The result is not one JSON object.</exception>
    public void WriteResult(SweepPoint point, string resultJson, int exitCode = 0)
    {
        JsonDocument result;
        try { result = JsonDocument.Parse(resultJson); }
        catch (JsonException e) { throw new ArgumentException($"the result of point {point.Index} is not JSON: {e.Message}", nameof(resultJson), e); }
        using (result)
        {
            if (result.RootElement.ValueKind != JsonValueKind.Object) throw new ArgumentException($"the result of point {point.Index} is not a JSON object.", nameof(resultJson));
            WriteAtomic(ResultPath(point.Index), Json(w =>
            {
                WritePointHeader(w, point);
                w.WriteNumber("exit_code", exitCode);
                w.WritePropertyName("result");
                result.RootElement.WriteTo(w);
            }));
        }
        File.Delete(FailurePath(point.Index));
    }

    /// <summary>Records a failed run of a point atomically (its message is what the command printed on standard error).</summary>
    public void WriteFailure(SweepPoint point, int exitCode, string message) =>
        WriteAtomic(FailurePath(point.Index), Json(w =>
        {
            WritePointHeader(w, point);
            w.WriteNumber("exit_code", exitCode);
            w.WriteString("message", message.Trim());
        }));

    /// <summary>Marks a point as running (overwriting an older marker).</summary>
    public void MarkRunning(SweepPoint point, SweepRunningMarker marker) =>
        WriteAtomic(RunningPath(point.Index), Json(w =>
        {
            w.WriteString("host", marker.Host);
            w.WriteNumber("pid", marker.ProcessId);
            if (marker.SlurmJob is null) w.WriteNull("slurm_job"); else w.WriteString("slurm_job", marker.SlurmJob);
            w.WriteString("started", marker.Started);
        }));

    /// <summary>Removes a point's running marker.</summary>
    public void ClearRunning(SweepPoint point) => File.Delete(RunningPath(point.Index));

    /// <summary>Forgets a failure (before the point is run again).</summary>
    public void ClearFailure(SweepPoint point) => File.Delete(FailurePath(point.Index));

    /// <summary>Appends lines to a point's log.</summary>
    public void AppendLog(int index, string text)
    {
        Directory.CreateDirectory(LogsFolder);
        File.AppendAllText(LogPath(index), text.EndsWith('\n') ? text : text + "\n");
    }

    /// <summary>The provenance file of a point (one JSON object per line, one line per run).</summary>
    public string ProvenancePath(int index) => Path.Combine(LogsFolder, Name(index) + ".provenance.jsonl");

    /// <summary>Appends a run's provenance to the point's provenance file.</summary>
    public void AppendProvenance(int index, SweepProvenance record)
    {
        Directory.CreateDirectory(LogsFolder);
        byte[] line = Json(w =>
        {
            w.WriteString("executor", record.Executor);
            w.WriteString("host", record.Host);
            w.WriteNumber("pid", record.ProcessId);
            w.WriteNumber("threads", record.Threads);
            if (record.SlurmJob is null) w.WriteNull("slurm_job"); else w.WriteString("slurm_job", record.SlurmJob);
            w.WriteString("started", record.Started);
            w.WriteNumber("seconds", Math.Round(record.Seconds, 3));
            w.WriteNumber("exit_code", record.ExitCode);
        }, indented: false);
        using var f = new FileStream(ProvenancePath(index), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        f.Write(line);
    }

    /// <summary>Every recorded run of a point, oldest first (unreadable lines are skipped).</summary>
    public IReadOnlyList<SweepProvenance> ReadProvenance(int index)
    {
        string path = ProvenancePath(index);
        var list = new List<SweepProvenance>();
        if (!File.Exists(path)) return list;
        foreach (var line in File.ReadAllLines(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                list.Add(new SweepProvenance(r.GetProperty("executor").GetString()!, r.GetProperty("host").GetString()!, r.GetProperty("pid").GetInt32(),
                    r.GetProperty("threads").GetInt32(), r.GetProperty("slurm_job").ValueKind == JsonValueKind.String ? r.GetProperty("slurm_job").GetString() : null,
                    r.GetProperty("started").GetString()!, r.GetProperty("seconds").GetDouble(), r.GetProperty("exit_code").GetInt32()));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
        }
        return list;
    }

    /// <summary>Whether a point has a valid result file (it parses and carries the point's id).</summary>
    public bool IsDone(SweepPoint point) => ReadResult(point) is not null;

    /// <summary>The result object of a done point (the command's JSON), or null when the point is not done.</summary>
    public JsonDocument? ReadResult(SweepPoint point)
    {
        string path = ResultPath(point.Index);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.GetProperty("id").GetString() != point.Id || !root.TryGetProperty("result", out var result)) return null;
            return JsonDocument.Parse(result.GetRawText());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    /// <summary>The state of every point, by index.</summary>
    public IReadOnlyList<SweepPointStatus> Status()
    {
        var list = new List<SweepPointStatus>(Plan.Points.Count);
        foreach (var p in Plan.Points) list.Add(StatusOf(p));
        return list;
    }

    /// <summary>The state of one point.</summary>
    public SweepPointStatus StatusOf(SweepPoint p)
    {
        if (IsDone(p)) return new SweepPointStatus(p, SweepPointState.Done);
        if (ReadMarker(p) is { } marker) return new SweepPointStatus(p, SweepPointState.Running, Marker: marker);
        if (ReadFailure(p) is { } failure) return new SweepPointStatus(p, SweepPointState.Failed, failure);
        return new SweepPointStatus(p, SweepPointState.Missing);
    }

    private string? ReadFailure(SweepPoint p)
    {
        string path = FailurePath(p.Index);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var r = doc.RootElement;
            return $"exit code {r.GetProperty("exit_code").GetInt32()}: {r.GetProperty("message").GetString()}";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            return $"unreadable failure file {path}: {e.Message}";
        }
    }

    private SweepRunningMarker? ReadMarker(SweepPoint p)
    {
        string path = RunningPath(p.Index);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var r = doc.RootElement;
            return new SweepRunningMarker(r.GetProperty("host").GetString()!, r.GetProperty("pid").GetInt32(),
                r.GetProperty("slurm_job").ValueKind == JsonValueKind.String ? r.GetProperty("slurm_job").GetString() : null, r.GetProperty("started").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    private static void WritePointHeader(Utf8JsonWriter w, SweepPoint point)
    {
        w.WriteString("schema", PointSchema);
        w.WriteNumber("index", point.Index);
        w.WriteString("id", point.Id);
        w.WriteStartObject("axes");
        foreach (var (name, value) in point.Values) w.WriteString(name, value.Text);
        w.WriteEndObject();
        w.WriteStartArray("arguments");
        foreach (var a in point.Arguments) w.WriteStringValue(a);
        w.WriteEndArray();
    }

    /// <summary>One JSON object as UTF-8 bytes with a final newline.</summary>
    internal static byte[] Json(Action<Utf8JsonWriter> body, bool indented = true)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, indented ? Writer : Writer with { Indented = false }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>
    /// Writes a file atomically: the bytes go to a temporary file in the same folder, flushed to disk, which is then
    /// renamed over the target; a reader (or a task killed midway) sees the old file or the new one, never half of one.
    /// </summary>
    public static void WriteAtomic(string path, byte[] bytes)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                f.Write(bytes);
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Writes text atomically (UTF-8 without a byte-order mark).</summary>
    public static void WriteAtomic(string path, string text) => WriteAtomic(path, new UTF8Encoding(false).GetBytes(text));
}
