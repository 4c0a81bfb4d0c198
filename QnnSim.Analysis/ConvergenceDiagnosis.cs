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
    /// <summary>‖r‖ no longer falls, or flattens towards a floor: a frozen error (e.g. labels outside the spectrum of M0, or a model that cannot fit the data).</summary>
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
    double RateStandardError, double FinalResidual, string Explanation)
{
    /// <summary>
    /// β = ln(α_late/α_early)/ln(s̄_late/s̄_early) from the local log–log slopes α of the two halves (in ln s) of the
    /// late window: 0 for a power law (constant slope), 1 for an exponential (α = −λs grows with s). NaN when not
    /// computed.
    /// </summary>
    public double Curvature { get; init; } = double.NaN;

    /// <summary>The standard error of <see cref="Curvature"/> (delta method from the two slopes' standard errors).</summary>
    public double CurvatureStandardError { get; init; } = double.NaN;

    /// <summary>The late window [s_lo, s_hi] the classification used (NaN when none).</summary>
    public (double Low, double High) Window { get; init; } = (double.NaN, double.NaN);
}

/// <summary>
/// Fits and classifies convergence curves ‖r‖ against rescaled time s (docs/theory.md §3, §5 item 5, §5 item 7; You et al.,
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
    /// 1e-10..1e-3, docs/theory.md §5 item 7); the rate is −slope. Null with fewer than 3 points.
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

    /// <summary>Minimum usable points in each half of the late window; fewer gives <see cref="ConvergenceKind.Undetermined"/>.</summary>
    public const int MinimumPointsPerHalf = 4;

    /// <summary>A late log–log slope above −<see cref="StallSlope"/> (‖r‖ falls by less than 11 % per decade of s) is stalled.</summary>
    public const double StallSlope = 0.05;

    /// <summary>How many standard errors <see cref="ConvergenceDiagnosis.Curvature"/> must lie from the midpoint 1/2 to decide.</summary>
    public const double DecisionSigmas = 2;

    /// <summary>
    /// Classifies a run from its data, with the uncertainty of the decision. The late window is the last decade of s
    /// among points with s &gt; 0 and ‖r‖ above <see cref="Floor"/> (or [<paramref name="sMin"/>, <paramref name="sMax"/>]).
    /// It is split in two halves in ln s and the local log–log slope α is fitted in each. Stalled: the late slope is
    /// above −<see cref="StallSlope"/>. Otherwise the curvature β = ln(α_late/α_early)/ln(s̄_late/s̄_early) separates a
    /// power law (β = 0: ‖r‖ ~ s^α keeps its slope) from an exponential (β = 1: α = −λs steepens in proportion to s)
    /// and from an approach to a floor (β ≈ −1: ‖r‖ = a + b s^{−k} flattens, α ~ −(kb/a) s^{−k}; any β &lt; 0 means the
    /// remaining decay ∫α d ln s is finite): exponential ("linear convergence") when β − 2σ_β &gt; 1/2, stalled when
    /// β + 2σ_β &lt; −1/2, sublinear when β ± 2σ_β lies within (−1/2, 1/2).
    /// Undetermined when the run is too short (fewer than <see cref="MinimumPointsPerHalf"/> usable points per half,
    /// or a window narrower than a factor 4 in s), when the slopes have mixed signs, or when β lies within 2σ_β of ±1/2.
    /// A run that reached the floor after falling exponentially is judged on the decade before the floor.
    /// </summary>
    /// <remarks>Noiseless curves give σ_β from the curvature left inside each half (the fit residuals), so a clean
    /// exponential or power law decides by a wide margin, and a transient between two regimes is left undetermined.</remarks>
    public static ConvergenceDiagnosis Diagnose(IReadOnlyList<double> times, IReadOnlyList<double> residualNorms, double? sMin = null, double? sMax = null)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(residualNorms);
        if (times.Count != residualNorms.Count) throw new ArgumentException($"{times.Count} times but {residualNorms.Count} residuals.", nameof(residualNorms));
        double final = residualNorms.Count > 0 ? residualNorms[^1] : double.NaN;
        var exp = ExponentialFit(times, residualNorms);
        double rate = exp is { } e ? -e.Slope : double.NaN, rateSe = exp?.SlopeStandardError ?? double.NaN;
        double lastUsable = 0, firstUsable = double.PositiveInfinity;
        for (int i = 0; i < times.Count; i++)
            if (times[i] > 0 && residualNorms[i] > Floor && double.IsFinite(residualNorms[i]))
            {
                lastUsable = times[i];
                firstUsable = Math.Min(firstUsable, times[i]);
            }
        double hi = sMax ?? lastUsable, lo = sMin ?? Math.Max(hi / 10, firstUsable);
        LinearFit? loglog = null;
        try { if (hi > 0) loglog = LogLogSlope(times, residualNorms, lo, hi); } catch (ArgumentException) { }
        ConvergenceDiagnosis Undetermined(string why) =>
            new(ConvergenceKind.Undetermined, loglog, exp, rate, rateSe, final, $"undetermined: {why}") { Window = (lo, hi) };
        if (!(hi > 0) || !(hi / lo >= 4)) return Undetermined($"the run spans too little time (s from {lo:G3} to {hi:G3}; a factor 4 is needed)");
        double mid = Math.Sqrt(lo * hi);
        LinearFit early, late;
        try
        {
            early = LogLogSlope(times, residualNorms, lo, mid);
            late = LogLogSlope(times, residualNorms, mid, hi);
        }
        catch (ArgumentException) { return Undetermined("too few usable points in the late window"); }
        if (early.Points < MinimumPointsPerHalf || late.Points < MinimumPointsPerHalf)
            return Undetermined($"too few usable points in the late window ({early.Points} and {late.Points}; {MinimumPointsPerHalf} per half are needed)");
        if (late.Slope > -StallSlope)
            return new(ConvergenceKind.Stalled, loglog, exp, rate, rateSe, final,
                $"stalled: ‖r‖ stays near {final:G4} (late log–log slope {late.Slope:F3} ± {late.SlopeStandardError:G2})") { Window = (lo, hi) };
        if (early.Slope >= 0)
            return Undetermined($"‖r‖ rises and then falls within the window (local slopes {early.Slope:F2}, {late.Slope:F2})");
        double span = Math.Log(Centre(times, residualNorms, mid, hi) / Centre(times, residualNorms, lo, mid));
        double beta = Math.Log(late.Slope / early.Slope) / span;
        double seEarly = double.IsFinite(early.SlopeStandardError) ? early.SlopeStandardError : 0;
        double seLate = double.IsFinite(late.SlopeStandardError) ? late.SlopeStandardError : 0;
        double betaSe = Math.Sqrt(Math.Pow(seEarly / early.Slope, 2) + Math.Pow(seLate / late.Slope, 2)) / span;
        if (beta - DecisionSigmas * betaSe > 0.5)
        {
            var lateExp = ExponentialLate(times, residualNorms, mid, hi);
            if (exp is null && lateExp is { } le) { rate = -le.Slope; rateSe = le.SlopeStandardError; }
            return new(ConvergenceKind.Linear, loglog, exp ?? lateExp, rate, rateSe, final,
                $"exponential (linear) convergence at rate {rate:G4} ± {rateSe:G2} per unit s (curvature β = {beta:F2} ± {betaSe:F2}; 1 for an exponential, 0 for a power law)")
                { Curvature = beta, CurvatureStandardError = betaSe, Window = (lo, hi) };
        }
        if (beta + DecisionSigmas * betaSe < -0.5)
            return new(ConvergenceKind.Stalled, loglog, exp, rate, rateSe, final,
                $"stalled: the decay flattens towards a floor near ‖r‖ = {final:G4} (the local log–log slope shrinks from {early.Slope:F3} to {late.Slope:F3}; curvature β = {beta:F2} ± {betaSe:F2}: −1 for an approach to a floor, 0 for a power law)")
                { Curvature = beta, CurvatureStandardError = betaSe, Window = (lo, hi) };
        if (beta + DecisionSigmas * betaSe < 0.5 && beta - DecisionSigmas * betaSe > -0.5)
            return new(ConvergenceKind.Sublinear, loglog, exp, rate, rateSe, final,
                $"sublinear convergence: ‖r‖ ~ s^{late.Slope:F3} (± {late.SlopeStandardError:G2}) over s in [{mid:G3}, {hi:G3}] (curvature β = {beta:F2} ± {betaSe:F2}; 0 for a power law)")
                { Curvature = beta, CurvatureStandardError = betaSe, Window = (lo, hi) };
        return Undetermined($"the curvature β = {beta:F2} ± {betaSe:F2} cannot tell a power law (0) from an exponential (1) or an approach to a floor (−1); run longer")
            with { Curvature = beta, CurvatureStandardError = betaSe };
    }

    /// <summary>The geometric mean of the usable s in [lo, hi].</summary>
    private static double Centre(IReadOnlyList<double> times, IReadOnlyList<double> r, double lo, double hi)
    {
        double sum = 0; int n = 0;
        for (int i = 0; i < times.Count; i++)
            if (times[i] > 0 && times[i] >= lo && times[i] <= hi && r[i] > Floor) { sum += Math.Log(times[i]); n++; }
        return Math.Exp(sum / n);
    }

    private static LinearFit? ExponentialLate(IReadOnlyList<double> times, IReadOnlyList<double> r, double lo, double hi)
    {
        var (x, y) = Select(times, r, (s, v) => s >= lo && s <= hi && v > Floor, s => s);
        return x.Count >= 3 ? LinearFit.Fit(x, y) : null;
    }
}
