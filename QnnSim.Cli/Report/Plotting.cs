using ScottPlot;

namespace QnnSim.Cli.Report;

/// <summary>
/// Renders <see cref="PlotSpec"/>s with ScottPlot 5. ScottPlot 5 has no native log scale: log axes plot log10 of the data
/// with a <see cref="ScottPlot.TickGenerators.NumericAutomatic"/> tick generator on integer decades, labels 10^x and
/// <see cref="ScottPlot.TickGenerators.LogMinorTickGenerator"/> minor ticks (the ScottPlot cookbook's log-scale recipe).
/// In SVG, dashed series are drawn as thin solid lines (Skia's SVG canvas has no dash path effect).
/// Points that cannot be shown on a log axis (≤ 0 or non-finite) are dropped.
/// </summary>
internal static partial class Plotting
{
    private static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#17becf"),
    ];

    /// <summary>Builds the ScottPlot plot for <paramref name="spec"/>.</summary>
    public static Plot Build(PlotSpec spec, bool dashes = true)
    {
        var plot = new Plot();
        int colour = 0;
        foreach (var series in spec.Series)
        {
            var xs = new List<double>(); var ys = new List<double>(); var es = new List<double>();
            for (int i = 0; i < series.X.Length; i++)
            {
                double x = series.X[i], y = series.Y[i];
                if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
                if (spec.LogX && x <= 0 || spec.LogY && y <= 0) continue;
                xs.Add(spec.LogX ? Math.Log10(x) : x);
                ys.Add(spec.LogY ? Math.Log10(y) : y);
                if (series.Errors is not null) es.Add(series.Errors[i]);
            }
            var c = Palette[(series.Colour ?? colour) % Palette.Length];
            colour++;
            if (xs.Count == 0) continue;
            var sc = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), c);
            sc.LegendText = series.Label;
            switch (series.Style)
            {
                case SeriesStyle.Line: sc.MarkerSize = 0; sc.LineWidth = 2; break;
                case SeriesStyle.Dashed:
                    sc.MarkerSize = 0;
                    if (dashes) { sc.LineWidth = 2; sc.LinePattern = LinePattern.Dashed; } else sc.LineWidth = 1;
                    break;
                case SeriesStyle.Markers: sc.LineWidth = 0; sc.MarkerSize = 7; break;
                case SeriesStyle.LineMarkers: sc.LineWidth = 1.5f; sc.MarkerSize = 7; break;
                case SeriesStyle.ErrorBars:
                    sc.LineWidth = 0; sc.MarkerSize = 8;
                    var eb = plot.Add.ErrorBar(xs.ToArray(), ys.ToArray(), es.ToArray());
                    eb.Color = c;
                    break;
            }
        }
        plot.Title(spec.Title);
        plot.XLabel(spec.XLabel);
        plot.YLabel(spec.YLabel);
        if (spec.LogX) plot.Axes.Bottom.TickGenerator = LogTicks();
        if (spec.LogY) plot.Axes.Left.TickGenerator = LogTicks();
        if (spec.YRange is { } range)
        {
            plot.Axes.AutoScale();
            if (spec.LogY) plot.Axes.SetLimitsY(Math.Log10(range.Min), Math.Log10(range.Max));
            else plot.Axes.SetLimitsY(range.Min, range.Max);
        }
        plot.ShowLegend(spec.Legend);
        return plot;
    }

    /// <summary>Writes <c>basePath.png</c> and <c>basePath.svg</c> at <see cref="PlotSpec.Width"/> × <see cref="PlotSpec.Height"/>.</summary>
    public static void Save(PlotSpec spec, string basePath)
    {
        Build(spec).SavePng(basePath + ".png", PlotSpec.Width, PlotSpec.Height);
        // Skia's SVG canvas does not support path effects (it prints "Unsupported path effect" and drops them):
        // the SVG draws dashed series as thin solid lines instead.
        // Skia numbers the clip paths it writes (cl_0, …, cl_9, cl_a, …) with a counter global to the process, so the same plot
        // would get other ids in another run of the same process: renumber them per file so the SVG depends only on the plot.
        string svg = Build(spec, dashes: false).GetSvgXml(PlotSpec.Width, PlotSpec.Height);
        File.WriteAllText(basePath + ".svg", RenumberClipIds(svg));
    }

    /// <summary>Renumbers Skia's clip-path ids <c>cl_N</c> in order of first appearance: cl_0, cl_1, ….</summary>
    internal static string RenumberClipIds(string svg)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        return ClipId().Replace(svg, m =>
        {
            if (!ids.TryGetValue(m.Value, out var id)) ids[m.Value] = id = "cl_" + ids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return id;
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\bcl_[0-9A-Za-z]+\b")]
    private static partial System.Text.RegularExpressions.Regex ClipId();

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = x => FormatDecade(x),
    };

    private static string FormatDecade(double exponent)
    {
        int e = (int)Math.Round(exponent);
        return e switch { 0 => "1", 1 => "10", _ => $"1e{e}" };
    }
}
