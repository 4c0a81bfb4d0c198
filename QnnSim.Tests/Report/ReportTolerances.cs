namespace QnnSim.Tests.Report;

/// <summary>Tolerances of the report tests.</summary>
internal static class ReportTolerances
{
    /// <summary>A figure recomputed from the CSV (written with round-trip precision) against summary.json: only the order of floating-point sums differs.</summary>
    public const double Recomputed = 1e-9;

    /// <summary>The plots' size in pixels (PlotSpec.Width × PlotSpec.Height).</summary>
    public const int PlotWidth = 800, PlotHeight = 520;
}
