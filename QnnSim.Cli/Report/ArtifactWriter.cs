using System.Globalization;
using System.Text;

namespace QnnSim.Cli.Report;

/// <summary>Writes a claim's CSV data and plots into the output folder and records their file names on the result.</summary>
internal sealed class ArtifactWriter(string directory, bool enabled = true)
{
    public string Directory { get; } = directory;

    /// <summary>False for verdict-only runs (<c>--seeds</c>): nothing is written or recorded.</summary>
    public bool Enabled { get; } = enabled;

    /// <summary>Writes <paramref name="table"/> as CSV (invariant culture, round-trip precision) and records it.</summary>
    public void Write(DataTable table, ClaimResult result)
    {
        if (!Enabled) return;
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", table.Columns));
        foreach (var row in table.Rows)
            sb.AppendLine(string.Join(",", row.Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
        File.WriteAllText(Path.Combine(Directory, table.FileName), sb.ToString());
        lock (result) result.Csv.Add(table.FileName);
    }

    /// <summary>Renders <paramref name="plot"/> to PNG and SVG and records the PNG (the SVG sits beside it).</summary>
    public void Write(PlotSpec plot, ClaimResult result)
    {
        if (!Enabled) return;
        Plotting.Save(plot, Path.Combine(Directory, plot.Name));
        lock (result) result.Plots.Add(plot.Name + ".png");
    }

    /// <summary>
    /// Removes what an earlier reproduction left in <paramref name="directory"/>: summary.json, report.html, report.md,
    /// every file the old summary.json lists, and every claim*.csv, claim*.png and claim*.svg. A run that is then cancelled
    /// leaves no old claim file beside its new summary (issue 15, item 8). Other files are left alone.
    /// </summary>
    public static void ClearPreviousReport(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) return;
        var names = new HashSet<string>(StringComparer.Ordinal) { "summary.json", ReportWriter.ProvenanceFile, "report.html", "report.md" };
        var summary = Path.Combine(directory, "summary.json");
        if (File.Exists(summary))
        {
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(summary));
                if (doc.RootElement.TryGetProperty("claims", out var claims) && claims.ValueKind == System.Text.Json.JsonValueKind.Array)
                    foreach (var claim in claims.EnumerateArray())
                        foreach (var key in new[] { "csv", "plots" })
                            if (claim.TryGetProperty(key, out var files) && files.ValueKind == System.Text.Json.JsonValueKind.Array)
                                foreach (var f in files.EnumerateArray())
                                    if (f.GetString() is { } name && Path.GetFileName(name) == name)
                                    {
                                        names.Add(name);
                                        if (name.EndsWith(".png", StringComparison.Ordinal)) names.Add(Path.ChangeExtension(name, ".svg"));
                                    }
            }
            catch (System.Text.Json.JsonException) { }
        }
        foreach (var pattern in new[] { "claim*.csv", "claim*.png", "claim*.svg" })
            foreach (var f in System.IO.Directory.EnumerateFiles(directory, pattern)) names.Add(Path.GetFileName(f));
        foreach (var name in names)
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path)) File.Delete(path);
        }
    }
}
