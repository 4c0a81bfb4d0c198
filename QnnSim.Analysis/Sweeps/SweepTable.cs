using System.Globalization;
using System.Text;
using System.Text.Json;

namespace QnnSim.Analysis.Sweeps;

/// <summary>A cell of a merged table: a JSON number (its exact text), a string, a boolean, or empty.</summary>
/// <param name="Text">The number's JSON text, the string, "true"/"false", or null when empty.</param>
/// <param name="IsNumber">Whether <see cref="Text"/> is a JSON number.</param>
/// <param name="IsBoolean">Whether <see cref="Text"/> is a JSON boolean.</param>
public readonly record struct SweepCell(string? Text, bool IsNumber = false, bool IsBoolean = false)
{
    /// <summary>The number, or NaN when the cell is not a number.</summary>
    public double Number => IsNumber && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
}

/// <summary>
/// A sweep's results as one table: one row per point; columns <c>index</c>, <c>id</c>, <c>status</c>, the axes,
/// then every scalar of the command's JSON result (nested keys joined by dots, e.g. <c>diagnosis.loglog_slope</c>;
/// arrays and the schema tag are left out: they stay in the point files). No provenance columns (executor, host,
/// threads, times): the table is byte-identical however the points were run.
/// </summary>
public sealed class SweepTable
{
    private SweepTable(IReadOnlyList<string> columns, IReadOnlyList<SweepCell[]> rows, int axisCount)
    {
        Columns = columns;
        Rows = rows;
        AxisCount = axisCount;
    }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows, by point index.</summary>
    public IReadOnlyList<SweepCell[]> Rows { get; }

    /// <summary>How many axis columns follow index, id and status.</summary>
    public int AxisCount { get; }

    /// <summary>The number of leading columns before the results (index, id, status and the axes).</summary>
    public int ResultStart => 3 + AxisCount;

    /// <summary>The position of a column, or −1.</summary>
    public int ColumnIndex(string name)
    {
        for (int i = 0; i < Columns.Count; i++) if (Columns[i] == name) return i;
        return -1;
    }

    /// <summary>Builds the table from the results folder (every point: done ones with their results, others with their state).</summary>
    public static SweepTable Build(SweepResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var plan = results.Plan;
        var axes = plan.Spec.AllAxes;
        var resultColumns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var perPoint = new List<(SweepPointStatus Status, Dictionary<string, SweepCell>? Values)>();
        foreach (var status in results.Status())
        {
            Dictionary<string, SweepCell>? values = null;
            if (status.State == SweepPointState.Done)
            {
                using var doc = results.ReadResult(status.Point)!;
                values = new Dictionary<string, SweepCell>(StringComparer.Ordinal);
                Flatten(doc.RootElement, "", values, resultColumns, seen);
            }
            perPoint.Add((status, values));
        }
        var columns = new List<string> { "index", "id", "status" };
        columns.AddRange(axes.Select(a => a.Name));
        foreach (var c in resultColumns) columns.Add(columns.Contains(c) ? "result." + c : c);
        var rows = new List<SweepCell[]>();
        foreach (var (status, values) in perPoint)
        {
            var row = new SweepCell[columns.Count];
            var p = status.Point;
            row[0] = new SweepCell(p.Index.ToString(CultureInfo.InvariantCulture), IsNumber: true);
            row[1] = new SweepCell(p.Id);
            row[2] = new SweepCell(status.State.ToString().ToLowerInvariant());
            for (int a = 0; a < axes.Count; a++)
            {
                var v = p.Values[a].Value;
                row[3 + a] = new SweepCell(v.Text, IsNumber: v.Kind == SweepValueKind.Number, IsBoolean: v.Kind == SweepValueKind.Boolean);
            }
            for (int c = 0; c < resultColumns.Count; c++)
                row[3 + axes.Count + c] = values is not null && values.TryGetValue(resultColumns[c], out var cell) ? cell : default;
            rows.Add(row);
        }
        return new SweepTable(columns, rows, axes.Count);
    }

    private static void Flatten(JsonElement e, string prefix, Dictionary<string, SweepCell> values, List<string> columns, HashSet<string> seen)
    {
        foreach (var p in e.EnumerateObject())
        {
            if (prefix.Length == 0 && p.Name == "schema") continue;
            string key = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
            SweepCell? cell = p.Value.ValueKind switch
            {
                JsonValueKind.Number => new SweepCell(p.Value.GetRawText(), IsNumber: true),
                JsonValueKind.String => new SweepCell(p.Value.GetString()),
                JsonValueKind.True => new SweepCell("true", IsBoolean: true),
                JsonValueKind.False => new SweepCell("false", IsBoolean: true),
                JsonValueKind.Null => new SweepCell(null),
                _ => null,
            };
            if (p.Value.ValueKind == JsonValueKind.Object) { Flatten(p.Value, key, values, columns, seen); continue; }
            if (p.Value.ValueKind == JsonValueKind.Array && IsIdentifiedList(p.Value))
            {
                // A list of objects with ids (e.g. reproduce's claims) becomes KEY.ID.FIELD columns.
                foreach (var item in p.Value.EnumerateArray())
                    Flatten(item, key + "." + item.GetProperty("id").GetString(), values, columns, seen);
                continue;
            }
            if (cell is null) continue; // other arrays stay in the point files
            values[key] = cell.Value;
            if (seen.Add(key)) columns.Add(key);
        }
    }

    private static bool IsIdentifiedList(JsonElement array)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in array.EnumerateArray())
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || !ids.Add(id.GetString()!))
                return false;
        return ids.Count > 0;
    }

    /// <summary>The table as CSV (RFC 4180: comma-separated, quoted where needed, "\n" line ends); empty cells are empty.</summary>
    public string ToCsv() => Csv(Columns, Rows.Select(r => r.Select(c => c.Text)));

    /// <summary>RFC 4180 CSV of a header and rows.</summary>
    internal static string Csv(IEnumerable<string> header, IEnumerable<IEnumerable<string?>> rows)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', header.Select(Quote)).Append('\n');
        foreach (var row in rows) sb.AppendJoin(',', row.Select(c => Quote(c ?? ""))).Append('\n');
        return sb.ToString();
    }

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") < 0 ? text : "\"" + text.Replace("\"", "\"\"") + "\"";

    /// <summary>Writes a cell as a JSON value (numbers by their exact text).</summary>
    internal static void WriteCell(Utf8JsonWriter w, SweepCell c)
    {
        if (c.Text is null) w.WriteNullValue();
        else if (c.IsNumber) w.WriteRawValue(c.Text);
        else if (c.IsBoolean) w.WriteBooleanValue(c.Text == "true");
        else w.WriteStringValue(c.Text);
    }
}

/// <summary>
/// A sweep's table aggregated over its seeds: one row per combination of the other axes, with the mean and the
/// standard error (sample standard deviation / √k over the k done seeds) of every numeric result column, and the
/// counts of every text column's values (the aggregated verdicts, e.g. "linear: 3, sublinear: 1").
/// </summary>
public sealed class SweepSummary
{
    private SweepSummary(IReadOnlyList<string> columns, IReadOnlyList<SweepCell[]> rows)
    {
        Columns = columns;
        Rows = rows;
    }

    /// <summary>The column names: the non-seed axes, "seeds" (done seeds in the group), then "COL.mean", "COL.se" or "COL.counts".</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>One row per group, in order of the group's first point.</summary>
    public IReadOnlyList<SweepCell[]> Rows { get; }

    /// <summary>Aggregates <paramref name="table"/> over the seed axis (every row is its own group when there are no seeds).</summary>
    public static SweepSummary Build(SweepTable table)
    {
        var groupAxes = Enumerable.Range(0, table.AxisCount).Where(a => table.Columns[3 + a] != "seed").Select(a => 3 + a).ToArray();
        var groups = new List<(string Key, List<SweepCell[]> Rows)>();
        var byKey = new Dictionary<string, List<SweepCell[]>>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            string key = string.Join('\0', groupAxes.Select(a => row[a].Text));
            if (!byKey.TryGetValue(key, out var list)) { list = []; byKey[key] = list; groups.Add((key, list)); }
            if (row[2].Text == "done") list.Add(row);
        }
        var numeric = new List<int>(); var text = new List<int>();
        for (int c = table.ResultStart; c < table.Columns.Count; c++)
        {
            var cells = table.Rows.Where(r => r[2].Text == "done").Select(r => r[c]).Where(x => x.Text is not null).ToList();
            if (cells.Count == 0) continue;
            if (cells.All(x => x.IsNumber)) numeric.Add(c);
            else if (cells.All(x => !x.IsNumber)) text.Add(c);
        }
        var columns = new List<string>(groupAxes.Select(a => table.Columns[a])) { "seeds" };
        foreach (int c in numeric) { columns.Add(table.Columns[c] + ".mean"); columns.Add(table.Columns[c] + ".se"); }
        foreach (int c in text) columns.Add(table.Columns[c] + ".counts");
        var rows = new List<SweepCell[]>();
        foreach (var (key, members) in groups)
        {
            var first = table.Rows.First(r => string.Join('\0', groupAxes.Select(a => r[a].Text)) == key);
            var row = new List<SweepCell>(groupAxes.Select(a => first[a]))
            {
                new(members.Count.ToString(CultureInfo.InvariantCulture), IsNumber: true),
            };
            foreach (int c in numeric)
            {
                var (mean, se) = MeanAndStandardError(members.Select(r => r[c].Number).Where(double.IsFinite).ToArray());
                row.Add(NumberCell(mean));
                row.Add(NumberCell(se));
            }
            foreach (int c in text)
                row.Add(new SweepCell(members.Count == 0 ? null : string.Join(", ", members.Select(r => r[c].Text ?? "null")
                    .GroupBy(v => v, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"))));
            rows.Add([.. row]);
        }
        return new SweepSummary(columns, rows);
    }

    /// <summary>The mean and the standard error s/√k (s with k − 1 in the denominator) of k values; NaN where undefined.</summary>
    public static (double Mean, double StandardError) MeanAndStandardError(IReadOnlyList<double> values)
    {
        int k = values.Count;
        if (k == 0) return (double.NaN, double.NaN);
        double mean = 0;
        foreach (double v in values) mean += v;
        mean /= k;
        if (k == 1) return (mean, double.NaN);
        double ss = 0;
        foreach (double v in values) ss += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(ss / (k - 1) / k));
    }

    private static SweepCell NumberCell(double v) =>
        double.IsFinite(v) ? new SweepCell(v.ToString("R", CultureInfo.InvariantCulture), IsNumber: true) : new SweepCell(null);

    /// <summary>The summary as CSV.</summary>
    public string ToCsv() => SweepTable.Csv(Columns, Rows.Select(r => r.Select(c => c.Text)));

    /// <summary>
    /// The data of a summary plot: one series per value of <see cref="SweepPlot.Series"/> (or one), x the axis value,
    /// y the mean of the column over the seeds and the error its standard error (0 with a single seed).
    /// </summary>
    /// <exception cref="ArgumentException">The plot's y column is not a numeric result column of this sweep.</exception>
    public IReadOnlyList<(string Label, double[] X, double[] Y, double[] Error)> PlotData(SweepPlot plot)
    {
        int xc = IndexOf(plot.X), yc = IndexOf(plot.Y + ".mean"), ec = IndexOf(plot.Y + ".se");
        int sc = plot.Series is null ? -1 : IndexOf(plot.Series);
        if (yc < 0)
            throw new ArgumentException($"plot y '{plot.Y}' is not a numeric result column of this sweep; allowed: {string.Join(", ", Columns.Where(c => c.EndsWith(".mean", StringComparison.Ordinal)).Select(c => c[..^5]))}.", nameof(plot));
        var series = new List<(string, double[], double[], double[])>();
        foreach (var g in Rows.GroupBy(r => sc < 0 ? "" : r[sc].Text ?? "", StringComparer.Ordinal))
        {
            var points = g.Where(r => double.IsFinite(r[xc].Number) && double.IsFinite(r[yc].Number)).ToArray();
            series.Add((sc < 0 ? plot.Y : $"{plot.Series} = {g.Key}", points.Select(r => r[xc].Number).ToArray(), points.Select(r => r[yc].Number).ToArray(),
                points.Select(r => double.IsFinite(r[ec].Number) ? r[ec].Number : 0).ToArray()));
        }
        return series;
    }

    private int IndexOf(string name)
    {
        for (int i = 0; i < Columns.Count; i++) if (Columns[i] == name) return i;
        return -1;
    }
}

/// <summary>The files <c>sweep merge</c> writes beside the spec.</summary>
/// <param name="Csv">The merged table, CSV (<c>NAME.merged.csv</c>).</param>
/// <param name="Json">The merged table and its summary, JSON (<c>NAME.merged.json</c>).</param>
/// <param name="SummaryCsv">The summary over seeds, CSV (<c>NAME.summary.csv</c>).</param>
/// <param name="ProvenanceCsv">How each point ran (executor, host, threads, times), CSV, inside the results folder.</param>
public sealed record SweepMergeFiles(string Csv, string Json, string SummaryCsv, string ProvenanceCsv);

/// <summary>
/// Gathers a sweep's point results into one table beside the spec (CSV and JSON), its summary over seeds, and a
/// provenance table inside the results folder. Every file is written atomically; the table files depend only on
/// the results, so they are byte-identical whichever executor, thread count or order ran the points.
/// </summary>
public static class SweepMerge
{
    /// <summary>Schema of the merged JSON.</summary>
    public const string Schema = "qnnsim.sweep.merged/1";

    /// <summary>The merged files' paths for a spec.</summary>
    public static SweepMergeFiles FilesFor(string specPath)
    {
        string full = Path.GetFullPath(specPath);
        string stem = Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full));
        return new SweepMergeFiles(stem + ".merged.csv", stem + ".merged.json", stem + ".summary.csv",
            Path.Combine(SweepResults.FolderFor(specPath), "provenance.csv"));
    }

    /// <summary>Builds and writes the merged files; returns the table, its summary and the paths.</summary>
    public static (SweepTable Table, SweepSummary Summary, SweepMergeFiles Files) Write(SweepResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var table = SweepTable.Build(results);
        var summary = SweepSummary.Build(table);
        var files = FilesFor(results.SpecPath);
        SweepResults.WriteAtomic(files.Csv, table.ToCsv());
        SweepResults.WriteAtomic(files.SummaryCsv, summary.ToCsv());
        var states = table.Rows.Select(r => r[2].Text).ToArray();
        SweepResults.WriteAtomic(files.Json, SweepResults.Json(w =>
        {
            w.WriteString("schema", Schema);
            w.WriteString("spec", Path.GetFileName(results.SpecPath));
            w.WriteString("spec_hash", results.Plan.Hash);
            w.WriteString("command", string.Join(' ', results.Plan.Spec.Command));
            w.WriteNumber("points", table.Rows.Count);
            foreach (var state in new[] { "done", "failed", "running", "missing" }) w.WriteNumber(state, states.Count(s => s == state));
            WriteTable(w, "rows", table.Columns, table.Rows);
            WriteTable(w, "summary", summary.Columns, summary.Rows);
        }));
        Directory.CreateDirectory(results.Folder);
        SweepResults.WriteAtomic(files.ProvenanceCsv, SweepTable.Csv(["index", "id", "runs", "executor", "host", "pid", "threads", "slurm_job", "started", "seconds", "exit_code"],
            results.Plan.Points.Select(p =>
            {
                var runs = results.ReadProvenance(p.Index);
                if (runs.Count == 0) return new string?[] { p.Index.ToString(CultureInfo.InvariantCulture), p.Id, "0" };
                var r = runs[^1];
                return [p.Index.ToString(CultureInfo.InvariantCulture), p.Id, runs.Count.ToString(CultureInfo.InvariantCulture), r.Executor, r.Host,
                    r.ProcessId.ToString(CultureInfo.InvariantCulture), r.Threads.ToString(CultureInfo.InvariantCulture), r.SlurmJob, r.Started,
                    r.Seconds.ToString("R", CultureInfo.InvariantCulture), r.ExitCode.ToString(CultureInfo.InvariantCulture)];
            })));
        return (table, summary, files);
    }

    private static void WriteTable(Utf8JsonWriter w, string key, IReadOnlyList<string> columns, IReadOnlyList<SweepCell[]> rows)
    {
        w.WriteStartArray(key);
        foreach (var row in rows)
        {
            w.WriteStartObject();
            for (int c = 0; c < columns.Count; c++)
            {
                w.WritePropertyName(columns[c]);
                SweepTable.WriteCell(w, row[c]);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
