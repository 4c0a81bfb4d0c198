using QnnSim.Analysis;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim 1 (docs/theory.md §3a, §3c, §5 item 5) at d = 2^n: with a Pauli readout (γ = 1) and ±1 labels, ‖r‖ decays like 1/s (log–log
/// slope −1) and s‖r‖ approaches √m/(4c), far slower than the frozen-kernel prediction and close to the asymptotic
/// dynamics. Gated on the mean over independent seeds (models, data and θ0), so that a single instance's finite-p
/// scatter (about 10 % in s‖r‖ at p = 4d²) cannot decide the verdict.
/// </summary>
internal sealed class SublinearClaim(int qubits = 3) : IClaim
{
    private int Dimension => 1 << qubits;
    public string Id => qubits == 3 ? "1" : $"1-d{Dimension}";
    public string Title => $"Pauli readout (γ = 1), d = {Dimension}: sublinear convergence, ‖r‖ ~ 1/s";
    public bool RunsIn(ReproduceSettings settings) => qubits <= 3 || settings.Full;

    /// <summary>m = 2 from d = 8 on; at d = 4, m = d/2 = 2 decouples too slowly (the ODE's own slope over [2e2, 2e3] is −0.95 to −0.99), so m = 1.</summary>
    private int Samples => qubits == 2 ? 1 : 2;
    private const double Eta0 = 0.25;

    /// <summary>
    /// p, seeds, s_max and the fit window: s ≤ 2e3 with the window [2e2, 2e3] (docs/theory.md §5 item 5's CI variant). Quick:
    /// p = 256 = 4d² with 12 instances at d = 8, p = 1024 = 64d² with 8 instances at d = 4 (at p = 256 = 16d² the d = 4
    /// instances scatter by 9 % in s‖r‖, too close to the 10 % band); full: p = 16d² with 8 instances (d = 4, 8) and p = 4d² with 4
    /// instances at d = 16 (for time).
    /// </summary>
    private (int P, int Seeds, double SMax, double Lo, double Hi) Config(ReproduceSettings s)
    {
        int d = Dimension;
        if (!s.Full) return qubits == 2 ? (1024, 8, 2e3, 2e2, 2e3) : (256, 12, 2e3, 2e2, 2e3);
        return d >= 16 ? (4 * d * d, 4, 2e3, 2e2, 2e3) : (FullLayers(d), 8, 2e3, 2e2, 2e3);
    }

    /// <summary>
    /// docs/theory.md §5 item 5: s‖r‖ is within 30 % of √m/(4c) at p = 4d² and within 10 % at p = 16d² (finite-p effects fall like
    /// (d²/p)^{1/2}; at p = 4d² they bias s‖r‖ upwards by about 18 % at d = 8, measured over 20 seeds).
    /// </summary>
    private double LimitTolerance(int p) => p >= 16 * Dimension * Dimension ? 0.10 : 0.30;

    /// <summary>Full-mode p for d = 4: 64d² as in quick.</summary>
    private static int FullLayers(int d) => d == 4 ? 1024 : 16 * d * d;

    public long WorkUnits(ReproduceSettings settings)
    {
        var c = Config(settings);
        return (long)(c.SMax / Eta0) * c.P * Samples * c.Seeds * Dimension * Dimension / (256 * 64) + 200;
    }

    public void Run(ClaimContext context, ClaimResult result)
    {
        var cfg = Config(context.Settings);
        int d = Dimension;
        long steps = (long)Math.Round(cfg.SMax / Eta0);
        double c = TheoryFormulas.PauliGeneratorConstant(d), limit = TheoryFormulas.SublinearLimitSamples(c, Samples), tol = LimitTolerance(cfg.P);
        result.Settings = $"d = {d} ({qubits} qubits), m = {Samples} orthonormal Haar states labelled ±1, p = {cfg.P} (= {cfg.P / (d * d)}d²), H = Z_0, M0 = Z_0, η = η0/p with η0 = {Eta0}, s up to {cfg.SMax:G}; {cfg.Seeds} independent instances (Haar layers, data, θ0), gated on their mean";
        result.Explanation = "Gradient descent on the paper's ansatz with a Pauli readout. docs/theory.md §3a: ‖r‖ cannot decay faster than ~1/s, so the exponential frozen-kernel (NTK) prediction fails; §3c: the asymptotic dynamics gives s‖r‖ → √m/(4c). At finite p each instance has its own effective kernel constant, so s‖r‖ scatters about 10 % between instances and sits above the limit (Jensen: the mean of 1/c_eff exceeds 1/c); the mean over instances is gated.";
        var runs = new TrainingRun[cfg.Seeds];
        var odes = new List<AsymptoticPoint>[cfg.Seeds];
        Parallel.For(0, cfg.Seeds, context.Parallel, k =>
        {
            var x = ClaimSetup.Paper(qubits, cfg.P, 1.0, Samples, context.Settings.Seed, ClaimSetup.Stream(qubits == 3 ? 1 : 100 + qubits, cfg.P, k));
            runs[k] = ClaimSetup.Train(context, x.Engine, x.Labels, x.Theta0, Eta0 / cfg.P, steps, RecordSchedule.Logarithmic(40),
                cfg.P * Samples * d * d / (256.0 * 64), recordKernel: k == 0);
            odes[k] = new AsymptoticDynamics(x.Engine.HeisenbergReadout(x.Theta0), x.Data.States!, x.Labels, c)
                .Integrate(runs[k].Times, Eta0, context.Token);
        });
        context.Advance(200);

        var slopes = new double[cfg.Seeds];
        var srRatio = new double[cfg.Seeds];
        var odeSr = new double[cfg.Seeds];
        int violations = 0;
        double drift = 0;
        var perSeed = new DataTable($"claim{Id}_seeds", "replicate", "slope", "slope_stderr", "s_times_r_over_limit", "ode_s_times_r_over_limit");
        for (int k = 0; k < cfg.Seeds; k++)
        {
            var s = runs[k].Times; var norm = runs[k].ResidualNorms;
            var fit = ConvergenceAnalysis.LogLogSlope(s, norm, cfg.Lo, cfg.Hi);
            slopes[k] = fit.Slope;
            srRatio[k] = s[^1] * norm[^1] / limit;
            odeSr[k] = s[^1] * odes[k][^1].ResidualNorm / limit;
            double r0 = norm[0];
            violations += Enumerable.Range(0, s.Length).Count(i => norm[i] < TheoryFormulas.ResidualLowerBound(r0, Samples, s[i]) * (1 - 1e-9));
            drift = Math.Max(drift, odes[k].Max(pt => Math.Max(Math.Abs(pt.TraceM2 / odes[k][0].TraceM2 - 1), Math.Abs(pt.TraceM4 / odes[k][0].TraceM4 - 1))));
            perSeed.Add(k, fit.Slope, fit.SlopeStandardError, srRatio[k], odeSr[k]);
        }
        context.Writer.Write(perSeed, result);

        // The first instance's curves: training, the frozen kernel, the asymptotic ODE, the limit and the lower bound.
        var recs = runs[0].Records;
        var frozenModel = new FrozenKernelPrediction(recs[0].Kernel!, recs[0].Residuals, runs[0].LearningRate);
        var times = recs.Select(r => r.Time).ToArray();
        var norm0 = recs.Select(r => r.ResidualNorm).ToArray();
        var frozen = recs.Select(r => ClaimSetup.Norm(frozenModel.Discrete(r.Step))).ToArray();
        var odeNorm = odes[0].Select(pt => pt.ResidualNorm).ToArray();
        var bound = times.Select(t => TheoryFormulas.ResidualLowerBound(norm0[0], Samples, t)).ToArray();
        var table = new DataTable($"claim{Id}_residual", "s", "r_norm", "r_frozen_norm", "r_ode_norm", "r_lower_bound", "s_times_r_norm");
        for (int i = 0; i < times.Length; i++) table.Add(times[i], norm0[i], frozen[i], odeNorm[i], bound[i], times[i] * norm0[i]);
        context.Writer.Write(table, result);
        int at100 = Array.FindIndex(times, x => x >= 100);
        double ratio100 = at100 >= 0 ? norm0[at100] / Math.Max(frozen[at100], double.Epsilon) : double.NaN;

        var (slopeMean, slopeSe) = Stats.MeanAndError(slopes);
        var (srMean, srSe) = Stats.MeanAndError(srRatio);
        result.Measured["slope_mean"] = slopeMean;
        result.Measured["slope_mean_stderr"] = slopeSe;
        result.Measured["slopes"] = slopes;
        result.Measured["fit_window"] = new[] { cfg.Lo, cfg.Hi };
        result.Measured["s_times_r_over_limit_mean"] = srMean;
        result.Measured["s_times_r_over_limit_mean_stderr"] = srSe;
        result.Measured["s_times_r_over_limit"] = srRatio;
        result.Measured["ode_s_times_r_over_limit"] = odeSr;
        result.Measured["s_end"] = times[^1];
        result.Measured["r_over_r_frozen_at_s100"] = ratio100;
        result.Measured["lower_bound_violations"] = violations;
        result.Measured["ode_spectrum_drift"] = drift;
        result.Predicted["slope_mean"] = -1.0;
        result.Predicted["s_times_r_over_limit_mean"] = 1.0;
        result.Predicted["s_times_r_norm_limit"] = limit;
        result.Predicted["lower_bound_violations"] = 0;
        result.Tolerance = $"mean slope in [−1.05, −0.95] over s in [{cfg.Lo:G}, {cfg.Hi:G}] and mean s‖r‖/(√m/(4c)) within {tol:P0} of 1 (docs/theory.md §5 item 5 at p = {cfg.P / (d * d)}d²), no violation of the 1/t lower bound (§3a) on any instance";
        bool pass = true;
        pass &= result.Check("slope_mean", slopeMean, -1.05, -0.95,
            $"docs/theory.md §5 item 5's band; the instances' slopes scatter with s.d. {Stats.StandardDeviation(slopes):G2}, so the mean's standard error is {slopeSe:G2}: the band's nearer edge is {Math.Min(slopeMean + 1.05, -0.95 - slopeMean) / slopeSe:F1} standard errors away");
        pass &= result.Check("s_times_r_over_limit_mean", srMean, 1 - tol, 1 + tol,
            $"docs/theory.md §5 item 5's {tol:P0} at p = {cfg.P / (d * d)}d² (a finite-p allowance, not a noise band); the mean's standard error is {srSe:G2}, the nearer edge {Math.Min(srMean - (1 - tol), 1 + tol - srMean) / srSe:F1} standard errors away");
        pass &= result.Check("lower_bound_violations", violations, 0, 0, "a theorem (§3a): no violation is allowed beyond round-off (1e-9 relative)", domainLow: 0);
        result.Verdict = pass ? Verdict.Pass : Verdict.Fail;

        var limitLine = times.Select(x => limit / x).ToArray();
        context.Writer.Write(new PlotSpec($"claim{Id}_residual_loglog", $"Claim {Id}: ‖r‖ vs s, d = {d}, γ = 1, p = {cfg.P}, m = {Samples} (instance 0, slope {slopes[0]:F3})",
            "rescaled time s = η0·k", "‖r‖", true, true,
        [
            new Series("QNN training", times, norm0, SeriesStyle.Line),
            new Series("frozen kernel (NTK)", times, frozen, SeriesStyle.Dashed),
            new Series("asymptotic dynamics (ODE)", times, odeNorm, SeriesStyle.Dashed),
            new Series("√m/(4c s)", times, limitLine, SeriesStyle.Dashed),
            new Series("1/t lower bound", times, bound, SeriesStyle.Dashed),
        ]) { YRange = (Math.Pow(10, Math.Floor(Math.Log10(norm0.Where(v => v > 0).Min())) - 1), 10) }, result);
        var srSeries = new List<Series>();
        for (int k = 0; k < Math.Min(cfg.Seeds, 6); k++)
            srSeries.Add(new Series($"instance {k}", runs[k].Times, runs[k].Times.Zip(runs[k].ResidualNorms, (a, b) => a * b / limit).ToArray(), SeriesStyle.Line));
        srSeries.Add(new Series("asymptotic dynamics (instance 0)", times, times.Zip(odeNorm, (a, b) => a * b / limit).ToArray(), SeriesStyle.Dashed));
        srSeries.Add(new Series($"band 1 − {tol:P0}", [times[1], times[^1]], [1 - tol, 1 - tol], SeriesStyle.Dashed) { Colour = 6 });
        srSeries.Add(new Series($"band 1 + {tol:P0}", [times[1], times[^1]], [1 + tol, 1 + tol], SeriesStyle.Dashed) { Colour = 6 });
        context.Writer.Write(new PlotSpec($"claim{Id}_s_times_r", $"Claim {Id}: s·‖r‖ / (√m/(4c)) → 1 (mean over {cfg.Seeds} instances {srMean:F3} ± {srSe:F3})", "rescaled time s", "s·‖r‖ / (√m/(4c))", true, false, srSeries)
            { YRange = (0, 2), Legend = ScottPlot.Alignment.LowerRight }, result);
    }
}
