using QnnSim.Analysis;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim 4 (THEORY.md §3c, §5.8): over-parameterised training follows the asymptotic dynamics
/// dM/ds = −c Σ r_j [M, [M, ρ_j]]: max_s ‖r_QNN − r_ODE‖ falls with p roughly as p^{−1/2} (small η0, so that gradient
/// descent's own O(η0) error does not dominate), and the flow conserves the spectrum of M.
/// </summary>
internal sealed class AsymptoticClaim : IClaim
{
    public string Id => "4";
    public string Title => "Asymptotic dynamics: max_s ‖r_QNN − r_ODE‖ falls like p^(−1/2)";

    private const int Qubits = 3;
    private const double Gamma = 1.5, Eta0 = 0.025, SMax = 50, SlopeLow = -1.0, SlopeHigh = -0.3, DriftLimit = 1e-5;
    private static (int[] Layers, int Seeds) Config(ReproduceSettings s) => s.Full ? ([64, 256, 1024, 4096], 24) : ([64, 256, 1024], 16);

    public long WorkUnits(ReproduceSettings settings)
    {
        var c = Config(settings);
        return c.Layers.Sum(p => (long)(SMax / Eta0) * p / 256) * c.Seeds;
    }

    public void Run(ClaimContext context, ClaimResult result)
    {
        var (layers, seeds) = Config(context.Settings);
        long steps = (long)Math.Round(SMax / Eta0);
        result.Settings = $"d = 8, m = 1 (label +1), γ = {Gamma}, η0 = {Eta0}, s up to {SMax:G}, p in {{{string.Join(", ", layers)}}}, {seeds} seeds per p; ODE by RK4 with step η0 from M(0) = U(θ0)† M0 U(θ0)";
        result.Explanation = "THEORY.md §3c: as p → ∞ at fixed d with Haar W_l and η = η0/p, training follows dM/ds = −c Σ_j r_j [M, [M, ρ_j]]. Finite p approaches it roughly as p^(−1/2); η0 is small because the ODE is gradient flow and gradient descent carries an O(η0) error (§5.8).";
        var jobs = (from p in layers from seed in Enumerable.Range(0, seeds) select (p, seed)).ToArray();
        var maxErr = new double[jobs.Length]; var drift = new double[jobs.Length];
        double[]? trajS = null, trajQnn = null, trajOde = null;
        Parallel.For(0, jobs.Length, context.Parallel, j =>
        {
            var (p, seed) = jobs[j];
            var x = ClaimSetup.Paper(Qubits, p, Gamma, 1, context.Settings.Seed, ClaimSetup.Stream(4, p, seed));
            var run = ClaimSetup.Train(context, x.Engine, x.Labels, x.Theta0, Eta0 / p, steps, RecordSchedule.Every(1), p / 256.0, recordKernel: false);
            var ode = new AsymptoticDynamics(x.Engine.HeisenbergReadout(x.Theta0), x.Data.States!, x.Labels, x.Model.GeneratorConstant)
                .Integrate(run.Times, Eta0, context.Token);
            maxErr[j] = run.Records.Select((r, i) => Math.Abs(r.Residuals[0] - ode[i].Residuals[0])).Max();
            drift[j] = ode.Max(pt => Math.Max(Math.Abs(pt.TraceM2 / ode[0].TraceM2 - 1), Math.Abs(pt.TraceM4 / ode[0].TraceM4 - 1)));
            if (p == layers[^1] && seed == 0)
            {
                trajS = run.Times;
                trajQnn = run.Records.Select(r => r.Residuals[0]).ToArray();
                trajOde = ode.Select(pt => pt.Residuals[0]).ToArray();
            }
        });
        var table = new DataTable("claim4_max_error", "p", "seed", "max_abs_r_qnn_minus_r_ode");
        for (int j = 0; j < jobs.Length; j++) table.Add(jobs[j].p, jobs[j].seed, maxErr[j]);
        context.Writer.Write(table, result);
        var traj = new DataTable("claim4_trajectory", "s", "r_qnn", "r_ode");
        for (int i = 0; i < trajS!.Length; i += 4) traj.Add(trajS[i], trajQnn![i], trajOde![i]);
        context.Writer.Write(traj, result);

        var means = layers.Select((p, k) => Fits.GeometricMean(Enumerable.Range(0, seeds).Select(s => maxErr[k * seeds + s]))).ToArray();
        var fit = LinearFit.Fit(layers.Select(p => Math.Log10(p)).ToArray(), means.Select(Math.Log10).ToArray());
        bool monotone = means.Zip(means.Skip(1), (a, b) => b < a).All(x => x);
        result.Measured["layers"] = layers;
        result.Measured["max_error_geometric_mean"] = means;
        result.Measured["slope"] = fit.Slope;
        result.Measured["slope_stderr"] = fit.SlopeStandardError;
        result.Measured["decreasing_in_p"] = monotone;
        result.Measured["ode_spectrum_drift"] = drift.Max();
        result.Predicted["slope"] = -0.5;
        result.Predicted["max_error_reference"] = new[] { 7e-2, 3e-2, 1.3e-2, 2.4e-3 }.Take(layers.Length).ToArray();
        result.Predicted["ode_spectrum_drift"] = $"< {DriftLimit:G}";
        result.Tolerance = $"log–log slope of the geometric mean over seeds of max_s ‖r_QNN − r_ODE‖ against p in [{SlopeLow}, {SlopeHigh}] (THEORY.md §5.8: roughly −1/2; its reference run gives about −0.6 to −0.8), decreasing at every step in p, ODE spectrum drift < {DriftLimit:G}";
        bool pass = result.Check("slope", fit.Slope, SlopeLow, SlopeHigh, "THEORY.md §5.8: roughly −1/2");
        pass &= result.Check("decreasing_in_p", monotone ? 1 : 0, 1, 1, "the error falls at every step in p");
        pass &= result.Check("ode_spectrum_drift", drift.Max(), 0, DriftLimit, "RK4 integration error (THEORY.md §5.8)");
        result.Verdict = pass ? Verdict.Pass : Verdict.Fail;

        var pd = layers.Select(p => (double)p).ToArray();
        var perSeed = new Series($"single seeds ({seeds} per p)", jobs.Select(j => (double)j.p).ToArray(), maxErr, SeriesStyle.Markers);
        context.Writer.Write(new PlotSpec("claim4_error_vs_p", $"Claim 4: max_s |r_QNN − r_ODE| vs p (slope {fit.Slope:F2})", "layers p", "max_s |r_QNN − r_ODE|", true, true,
        [
            new Series("geometric mean over seeds", pd, means, SeriesStyle.LineMarkers),
            new Series("p^(−1/2) reference", pd, pd.Select(p => means[0] * Math.Sqrt(pd[0] / p)).ToArray(), SeriesStyle.Dashed),
            perSeed,
        ]), result);
        context.Writer.Write(new PlotSpec("claim4_trajectory", $"Claim 4: r(s) from training (p = {layers[^1]}) and from the asymptotic ODE", "rescaled time s", "r = ŷ − y", false, false,
        [
            new Series("QNN training", traj.Rows.Select(r => r[0]).ToArray(), traj.Rows.Select(r => r[1]).ToArray(), SeriesStyle.Line),
            new Series("asymptotic ODE", traj.Rows.Select(r => r[0]).ToArray(), traj.Rows.Select(r => r[2]).ToArray(), SeriesStyle.Dashed),
        ]), result);
    }
}
