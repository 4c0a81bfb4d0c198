namespace QnnSim.Analysis;

/// <summary>
/// The straight line y = a + b·x by weighted least squares with weights 1/σ_i², the fits of
/// <see cref="ExponentialDecayFit"/> (on ln y) and <see cref="DqntkRatioTrend"/> (on 1/p) share.
/// </summary>
internal static class WeightedLine
{
    /// <summary>
    /// a, b, their standard errors from (XᵀWX)⁻¹ (σ_a² = Σwx²/det, σ_b² = Σw/det), scaled by √χ²_red when
    /// χ²_red &gt; 1 (scatter beyond the stated errors), and χ²_red = χ²/(n − 2) (NaN for two points).
    /// </summary>
    /// <exception cref="ArgumentException">The x values all equal.</exception>
    public static (double Intercept, double Slope, double InterceptStandardError, double SlopeStandardError, double ReducedChiSquared) Fit(
        IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double> standardErrors)
    {
        int n = x.Count;
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            w[i] = 1 / (standardErrors[i] * standardErrors[i]);
            sw += w[i]; sx += w[i] * x[i]; sy += w[i] * y[i]; sxx += w[i] * x[i] * x[i]; sxy += w[i] * x[i] * y[i];
        }
        double det = sw * sxx - sx * sx;
        if (!(det > 0)) throw new ArgumentException("the x values must not all be equal.", nameof(x));
        double slope = (sw * sxy - sx * sy) / det, intercept = (sy - slope * sx) / sw;
        double chi2 = 0;
        for (int i = 0; i < n; i++) chi2 += w[i] * Math.Pow(y[i] - intercept - slope * x[i], 2);
        double red = n > 2 ? chi2 / (n - 2) : double.NaN;
        double scale = red > 1 ? Math.Sqrt(red) : 1;
        return (intercept, slope, Math.Sqrt(sxx / det) * scale, Math.Sqrt(sw / det) * scale, red);
    }
}
