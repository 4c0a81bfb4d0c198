namespace QnnSim.Cli.Report;

/// <summary>
/// Small statistics the verdicts need beyond QnnSim.Analysis (whose <c>ConvergenceAnalysis</c> provides the log–log
/// and exponential fits).
/// </summary>
internal static class Fits
{
    /// <summary>The geometric mean.</summary>
    public static double GeometricMean(IEnumerable<double> values) => Math.Exp(values.Average(Math.Log));
}
