namespace QnnSim.Cli.Report;

/// <summary>Least-squares line fits used by the verdicts (and recomputed from the CSV by the tests).</summary>
internal static class Fits
{
    /// <summary>Ordinary least squares y ≈ a + b x; returns the slope b, intercept a and the slope's standard error.</summary>
    public static (double Slope, double Intercept, double SlopeError) Line(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        if (n < 2) return (double.NaN, double.NaN, double.NaN);
        double mx = x.Average(), my = y.Average(), sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++) { sxx += (x[i] - mx) * (x[i] - mx); sxy += (x[i] - mx) * (y[i] - my); }
        double b = sxy / sxx, a = my - b * mx, ss = 0;
        for (int i = 0; i < n; i++) { double e = y[i] - a - b * x[i]; ss += e * e; }
        double se = n > 2 ? Math.Sqrt(ss / (n - 2) / sxx) : 0;
        return (b, a, se);
    }

    /// <summary>Slope of log10 y against log10 x over the points with x in [lo, hi].</summary>
    public static (double Slope, double SlopeError, int Points) LogLogSlope(double[] x, double[] y, double lo, double hi)
    {
        var xs = new List<double>(); var ys = new List<double>();
        for (int i = 0; i < x.Length; i++)
            if (x[i] >= lo && x[i] <= hi && y[i] > 0) { xs.Add(Math.Log10(x[i])); ys.Add(Math.Log10(y[i])); }
        var f = Line(xs, ys);
        return (f.Slope, f.SlopeError, xs.Count);
    }

    /// <summary>Exponential rate −d ln|y|/dx over the points with |y| in (lo, hi).</summary>
    public static (double Rate, int Points) ExponentialRate(double[] x, double[] y, double lo, double hi)
    {
        var xs = new List<double>(); var ys = new List<double>();
        for (int i = 0; i < x.Length; i++)
        {
            double a = Math.Abs(y[i]);
            if (a > lo && a < hi) { xs.Add(x[i]); ys.Add(Math.Log(a)); }
        }
        return (-Line(xs, ys).Slope, xs.Count);
    }

    /// <summary>The geometric mean.</summary>
    public static double GeometricMean(IEnumerable<double> values) => Math.Exp(values.Average(Math.Log));
}
