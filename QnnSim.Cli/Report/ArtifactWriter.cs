using System.Globalization;
using System.Text;

namespace QnnSim.Cli.Report;

/// <summary>Writes a claim's CSV data and plots into the output folder and records their file names on the result.</summary>
internal sealed class ArtifactWriter(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Writes <paramref name="table"/> as CSV (invariant culture, round-trip precision) and records it.</summary>
    public void Write(DataTable table, ClaimResult result)
    {
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
        Plotting.Save(plot, Path.Combine(Directory, plot.Name));
        lock (result) result.Plots.Add(plot.Name + ".png");
    }
}
