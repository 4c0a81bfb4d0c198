namespace QnnSim.Analysis;

/// <summary>An ordinary least-squares line y = a + b·x with the slope's standard error.</summary>
/// <param name="Slope">b.</param>
/// <param name="Intercept">a.</param>
/// <param name="SlopeStandardError">SE(b) = √(σ̂²/Σ(x − x̄)²), σ̂² = RSS/(n − 2); NaN for n ≤ 2.</param>
/// <param name="Points">n.</param>
/// <param name="RSquared">Coefficient of determination.</param>
public readonly record struct LinearFit(double Slope, double Intercept, double SlopeStandardError, int Points, double RSquared)
{
    /// <summary>Fits y against x by least squares.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 points, or lengths differ.</exception>
    public static LinearFit Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} points but y has {y.Count}.", nameof(y));
        int n = x.Count;
        if (n < 2) throw new ArgumentException($"a line needs at least 2 points; got {n}.", nameof(x));
        double mx = x.Average(), my = y.Average(), sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
            syy += (y[i] - my) * (y[i] - my);
        }
        double b = sxy / sxx, a = my - b * mx;
        double rss = 0;
        for (int i = 0; i < n; i++) rss += Math.Pow(y[i] - a - b * x[i], 2);
        double se = n > 2 ? Math.Sqrt(rss / (n - 2) / sxx) : double.NaN;
        double r2 = syy > 0 ? 1 - rss / syy : 1;
        return new LinearFit(b, a, se, n, r2);
    }
}

/// <summary>How a run converges.</summary>
public enum ConvergenceKind
{
    /// <summary>Too few usable points to say.</summary>
    Undetermined,
    /// <summary>Exponential (linear in the optimisation sense): ln‖r‖ falls linearly in s.</summary>
    Linear,
    /// <summary>A power law ‖r‖ ~ s^α with −2 &lt; α &lt; −0.1 (α ≈ −1 for Pauli readouts and ±1 labels).</summary>
    Sublinear,
    /// <summary>‖r‖ no longer falls: a frozen error (e.g. labels outside the spectrum of M0).</summary>
    Stalled,
}

/// <summary>The verdict on a run.</summary>
/// <param name="Kind">The classification.</param>
/// <param name="LogLogFit">Fit of ln‖r‖ against ln s over the late decade (or the requested window).</param>
/// <param name="ExponentialFit">Fit of ln‖r‖ against s over 1e-10 &lt; ‖r‖ &lt; 1e-3, when it has at least 3 points.</param>
/// <param name="Rate">The late-time exponential rate −d ln‖r‖/ds (NaN when not fitted).</param>
/// <param name="RateStandardError">Its standard error.</param>
/// <param name="FinalResidual">‖r‖ at the last record.</param>
/// <param name="Explanation">One sentence for people.</param>
public sealed record ConvergenceDiagnosis(ConvergenceKind Kind, LinearFit? LogLogFit, LinearFit? ExponentialFit, double Rate,
    double RateStandardError, double FinalResidual, string Explanation);

/// <summary>
/// Fits and classifies convergence curves ‖r‖ against rescaled time s (THEORY.md §3, §5.5, §5.7; You et al.,
/// ICML 2023, arXiv:2303.14844).
/// </summary>
public static class ConvergenceAnalysis
{
    /// <summary>Residuals below this are treated as the double-precision floor and left out of fits.</summary>
    public const double Floor = 1e-12;

    /// <summary>Fit of ln‖r‖ against ln s over sMin ≤ s ≤ sMax (points with s &gt; 0 and ‖r‖ &gt; <see cref="Floor"/>).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 points in the window.</exception>
    public static LinearFit LogLogSlope(IReadOnlyList<double> times, IReadOnlyList<double> residualNorms, double sMin, double sMax)
    {
        var (x, y) = Select(times, residualNorms, (s, r) => s > 0 && s >= sMin && s <= sMax && r > Floor, s => Math.Log(s));
        if (x.Count < 2) throw new ArgumentException($"the window [{sMin}, {sMax}] holds {x.Count} usable points; at least 2 are needed.", nameof(times));
        return LinearFit.Fit(x, y);
    }

    /// <summary>
    /// Fit of ln‖r‖ against s over <paramref name="lower"/> &lt; ‖r‖ &lt; <paramref name="upper"/> (default
    /// 1e-10..1e-3, THEORY.md §5.7); the rate is −slope. Null with fewer than 3 points.
    /// </summary>
    public static LinearFit? ExponentialFit(IReadOnlyList<double> times, IReadOnlyList<double> residualNorms, double lower = 1e-10, double upper = 1e-3)
    {
        var (x, y) = Select(times, residualNorms, (s, r) => r > lower && r < upper, s => s);
        return x.Count >= 3 ? LinearFit.Fit(x, y) : null;
    }

    private static (List<double> X, List<double> Y) Select(IReadOnlyList<double> times, IReadOnlyList<double> r,
        Func<double, double, bool> keep, Func<double, double> mapX)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(r);
        if (times.Count != r.Count) throw new ArgumentException($"{times.Count} times but {r.Count} residuals.", nameof(r));
        var x = new List<double>();
        var y = new List<double>();
        for (int i = 0; i < times.Count; i++)
            if (keep(times[i], r[i]))
            {
                x.Add(mapX(times[i]));
                y.Add(Math.Log(r[i]));
            }
        return (x, y);
    }

    /// <summary>
    /// Classifies a run. The late window is the last decade of s among points above <see cref="Floor"/>
    /// (or [<paramref name="sMin"/>, <paramref name="sMax"/>] when given). Linear: the exponential fit exists with
    /// R² ≥ 0.98 and the late log–log slope is below −2 (or the run reached the floor). Stalled: late slope above
    /// −0.1 with ‖r‖ above 1e-6. Sublinear: late slope in (−2, −0.1].
    /// </summary>
    public static ConvergenceDiagnosis Diagnose(IReadOnlyList<double> times, IReadOnlyList<double> residualNorms, double? sMin = null, double? sMax = null)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(residualNorms);
        if (times.Count != residualNorms.Count) throw new ArgumentException($"{times.Count} times but {residualNorms.Count} residuals.", nameof(residualNorms));
        double final = residualNorms.Count > 0 ? residualNorms[^1] : double.NaN;
        var exp = ExponentialFit(times, residualNorms);
        double rate = exp is { } e ? -e.Slope : double.NaN, rateSe = exp?.SlopeStandardError ?? double.NaN;
        double lastUsable = 0;
        for (int i = 0; i < times.Count; i++) if (times[i] > 0 && residualNorms[i] > Floor) lastUsable = times[i];
        LinearFit? loglog = null;
        double hi = sMax ?? lastUsable, lo = sMin ?? hi / 10;
        try { if (hi > 0) loglog = LogLogSlope(times, residualNorms, lo, hi); } catch (ArgumentException) { }
        bool reachedFloor = residualNorms.Count > 0 && final <= Floor;
        if (exp is { RSquared: >= 0.98 } && (reachedFloor || loglog is null || loglog.Value.Slope < -2))
            return new(ConvergenceKind.Linear, loglog, exp, rate, rateSe, final,
                $"linear (exponential) convergence at rate {rate:G4} ± {rateSe:G2} per unit s");
        if (loglog is not { } f)
            return new(ConvergenceKind.Undetermined, null, exp, rate, rateSe, final, "too few usable points to classify the run");
        if (f.Slope > -0.1 && final > 1e-6)
            return new(ConvergenceKind.Stalled, f, exp, rate, rateSe, final,
                $"stalled: ‖r‖ stays near {final:G4} (late log–log slope {f.Slope:F3} ± {f.SlopeStandardError:G2})");
        if (f.Slope > -2)
            return new(ConvergenceKind.Sublinear, f, exp, rate, rateSe, final,
                $"sublinear convergence: ‖r‖ ~ s^{f.Slope:F3} (± {f.SlopeStandardError:G2})");
        return new(ConvergenceKind.Linear, f, exp, rate, rateSe, final,
            $"faster than any power law seen (late log–log slope {f.Slope:F2}); treated as linear");
    }
}
