using QnnSim.Analysis;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim 2-late (derived in docs/theory.md §3c, "The late rate for m &gt; 1 and γ &gt; 1"): with m &gt; 1 samples and γ &gt; 1 the late-time rate is set
/// by the slowest mode of the kernel where training ends, c·λ_min(K̃(M∞)), with M∞ the end point of the asymptotic
/// dynamics from the instance's own M(0); with steps of η0 the observed rate is −ln(1 − η0·c·λ_min)/η0.
/// </summary>
internal sealed class LateRateClaim : IClaim
{
    public string Id => "2-late";
    public string Title => "Late rate for m > 1, γ > 1: c·λ_min(K̃(M∞)) of the asymptotic dynamics";

    private const int Qubits = 3, Samples = 2;
    private const double Gamma = 1.5, Eta0 = 0.25, SMax = 300, WindowLow = 1e-10, WindowHigh = 1e-4, Band = 0.10;
    /// <summary>
    /// p and instances. Over 14 quick seeds with 12 instances the mean ratio had s.d. 0.038 about 0.98 against the 10 % band
    /// (about 2e-2 false failures per seed); 32 instances bring it to about 0.023 (nearer edge 3.5 s.d. away, about 3e-4).
    /// At p = 1024 (full) the instances are expected to scatter less (the kernel concentrates as p grows, docs/theory.md §5, item 9).
    /// </summary>
    private static (int P, int Seeds) Config(ReproduceSettings s) => s.Full ? (1024, 24) : (256, 32);

    public long WorkUnits(ReproduceSettings settings)
    {
        var (p, seeds) = Config(settings);
        return (long)seeds * (long)(SMax / Eta0) * p * Samples / 256;
    }

    public void Run(ClaimContext context, ClaimResult result)
    {
        var (p, seeds) = Config(context.Settings);
        long steps = (long)Math.Round(SMax / Eta0);
        result.Settings = $"d = 8, m = {Samples} orthonormal Haar states labelled ±1, γ = {Gamma}, p = {p}, η0 = {Eta0}, s up to {SMax:G}, {seeds} instances; rate fitted over {WindowLow:G} < ‖r‖ < {WindowHigh:G}";
        result.Explanation = "docs/theory.md §3c: near convergence dr/ds = −c K̃(M) r with M → M∞, so ‖r‖ decays at the smallest eigenvalue of c K̃(M∞) (the single-sample κ = 2c(γ² − y²) generalised to m samples); M∞ is found by running the asymptotic dynamics (discretised as training is) from the instance's own M(0). Steps of η0 give the rate −ln(1 − η0 c λ_min)/η0.";
        var measured = new double[seeds];
        var predicted = new double[seeds];
        var frozenRate = new double[seeds];
        var curves = new (double[] S, double[] R)[seeds];
        Parallel.For(0, seeds, context.Parallel, k =>
        {
            var x = ClaimSetup.Paper(Qubits, p, Gamma, Samples, context.Settings.Seed, ClaimSetup.Stream(22, p, k));
            var run = ClaimSetup.Train(context, x.Engine, x.Labels, x.Theta0, Eta0 / p, steps, RecordSchedule.Every(4), p * Samples / 256.0, recordKernel: false);
            measured[k] = -(ConvergenceAnalysis.ExponentialFit(run.Times, run.ResidualNorms, WindowLow, WindowHigh)?.Slope ?? double.NaN);
            var flow = new AsymptoticDynamics(x.Engine.HeisenbergReadout(x.Theta0), x.Data.States!, x.Labels, x.Model.GeneratorConstant);
            flow.IntegrateDiscrete([steps], Eta0, context.Token);
            double lambda = flow.Kernel().MinEigenvalue;
            predicted[k] = TheoryFormulas.DiscreteRate(Eta0, lambda);
            var k0 = ClaimSetup.Kernel(x.Engine, x.Theta0, out _);
            frozenRate[k] = TheoryFormulas.DiscreteRate(Eta0, k0.MinEigenvalue / p);
            curves[k] = (run.Times, run.ResidualNorms);
        });
        var ratio = measured.Select((m, k) => m / predicted[k]).ToArray();
        var (mean, se) = Stats.MeanAndError(ratio);
        var table = new DataTable("claim2-late_rates", "instance", "fitted_rate", "predicted_rate_from_m_infinity", "rate_from_initial_kernel");
        for (int k = 0; k < seeds; k++) table.Add(k, measured[k], predicted[k], frozenRate[k]);
        context.Writer.Write(table, result);
        result.Measured["rate_over_prediction"] = ratio;
        result.Measured["rate_over_prediction_mean"] = mean;
        result.Measured["rate_over_prediction_mean_stderr"] = se;
        result.Measured["rate_over_initial_kernel_prediction_mean"] = measured.Select((m, k) => m / frozenRate[k]).Average();
        result.Predicted["rate_over_prediction_mean"] = 1.0;
        result.Tolerance = $"mean over instances of the fitted late rate ÷ −ln(1 − η0 c λ_min(K̃(M∞)))/η0 within {Band:P0} of 1 (docs/theory.md §5 item 7's allowance for the single-sample rate at p = 4d²)";
        bool pass = result.Check("rate_over_prediction_mean", mean, 1 - Band, 1 + Band,
            $"docs/theory.md §5 item 7's 10 % finite-p allowance; the instances scatter with s.d. {Stats.StandardDeviation(ratio):G2}, so the mean's standard error is {se:G2} and the nearer edge is {Math.Min(mean - (1 - Band), 1 + Band - mean) / se:F1} standard errors away");
        result.Verdict = pass ? Verdict.Pass : Verdict.Fail;
        var series = new List<Series>();
        for (int k = 0; k < Math.Min(seeds, 4); k++)
        {
            series.Add(new Series($"instance {k}", curves[k].S, curves[k].R, SeriesStyle.Line) { Colour = k });
            int i0 = Array.FindIndex(curves[k].R, r => r < WindowHigh);
            if (i0 < 0) continue;
            double s0 = curves[k].S[i0], r0 = curves[k].R[i0];
            var sp = curves[k].S.Where(t => t >= s0 && r0 * Math.Exp(-predicted[k] * (t - s0)) > 1e-16).ToArray();
            series.Add(new Series($"instance {k}: c λ_min(K̃(M∞))", sp, sp.Select(t => r0 * Math.Exp(-predicted[k] * (t - s0))).ToArray(), SeriesStyle.Dashed) { Colour = k });
        }
        context.Writer.Write(new PlotSpec("claim2-late_rate", $"Claim 2-late: m = {Samples}, γ = {Gamma}, p = {p}: late decay against the asymptotic prediction", "rescaled time s", "‖r‖", false, true, series) { YRange = (1e-16, 10) }, result);
    }
}
