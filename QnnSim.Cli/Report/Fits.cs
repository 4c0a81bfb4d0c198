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

/// <summary>Sample statistics for the gates: mean, standard deviation and the mean's standard error.</summary>
internal static class Stats
{
    /// <summary>The mean and its standard error s/√N (NaN for N &lt; 2).</summary>
    public static (double Mean, double StandardError) MeanAndError(IReadOnlyCollection<double> values)
    {
        double mean = values.Average();
        return (mean, values.Count > 1 ? StandardDeviation(values) / Math.Sqrt(values.Count) : double.NaN);
    }

    /// <summary>The sample standard deviation (N − 1 in the denominator).</summary>
    public static double StandardDeviation(IReadOnlyCollection<double> values)
    {
        double mean = values.Average(), ss = values.Sum(v => (v - mean) * (v - mean));
        return values.Count > 1 ? Math.Sqrt(ss / (values.Count - 1)) : double.NaN;
    }
}
