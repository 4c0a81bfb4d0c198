using QnnSim.Analysis;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim 6 (Scala et al., arXiv:2503.01966; THEORY.md §2): the critical learning rate η_c = 2/λ_max of K(0). Just below
/// it gradient descent converges; just above it the stiffest mode is amplified by |1 − ηλ_max| &gt; 1 per step with
/// alternating sign, so training oscillates instead of converging.
/// </summary>
internal sealed class CriticalRateClaim : IClaim
{
    public string Id => "6";
    public string Title => "Critical learning rate 2/λ_max (Scala et al.)";

    private const int Qubits = 3, Samples = 4, Layers = 64, Steps = 300, EarlySteps = 4;
    private const double Gamma = 1.5, Below = 0.9, Above = 1.1, Offset = 1e-3, DivergenceFactor = 10;

    public long WorkUnits(ReproduceSettings settings) => 2L * Steps * Layers * Samples / 256;

    public void Run(ClaimContext context, ClaimResult result)
    {
        var x = ClaimSetup.Paper(Qubits, Layers, Gamma, Samples, context.Settings.Seed, ClaimSetup.Stream(6, Layers, 0));
        var theta0 = x.Theta0;
        var k0 = ClaimSetup.Kernel(x.Engine, theta0, out var y0);
        // Targets a distance Offset from the initial outputs (random direction): the lazy regime in which the
        // linearised picture applies. With ±1 labels the kernel moves by O(1) in a single step near η_c (claim 3).
        var rng = QnnSim.Randomness.SeededRandom.ForStream(context.Settings.Seed, ClaimSetup.Stream(6, Layers, 1));
        var direction = Enumerable.Range(0, Samples).Select(_ => rng.NextGaussian()).ToArray();
        double dn = ClaimSetup.Norm(direction);
        var labels = y0.Select((y, i) => y - Offset * direction[i] / dn).ToArray();
        var values = k0.Eigenvalues.ToArray();
        var vectors = k0.Eigenvectors;
        double lmax = k0.MaxEigenvalue, lmin = k0.MinEigenvalue, etaC = k0.CriticalLearningRate;
        result.Settings = $"d = 8, m = {Samples} orthonormal Haar states with targets at distance {Offset:G} from the initial outputs (‖r0‖ = {Offset:G}, random direction), γ = {Gamma}, p = {Layers}, fixed learning rate η = {Below}·η_c and {Above}·η_c, {Steps} steps";
        result.Explanation = "Scala et al.: the linearised model diverges above η_c = 2/λ_max(K(0)); each kernel mode decays as |1 − ηλ_k|^k. Just below η_c training converges; just above it the top mode grows with alternating sign (oscillation) until the nonlinearity of the bounded model takes over. The targets sit close to the initial outputs so that the kernel barely moves while the diagnosis is made.";
        var etas = new[] { Below * etaC, Above * etaC };
        var runs = new TrainingRun[2];
        Parallel.For(0, 2, context.Parallel, j =>
            runs[j] = ClaimSetup.Train(context, x.Model.CreateEngine(x.Data.States!), labels, theta0, etas[j], Steps, RecordSchedule.Every(1), Layers * Samples / 256.0, recordKernel: false));

        var table = new DataTable("claim6_training", "step", "r_norm_below", "r_norm_above", "r_frozen_norm_below", "r_frozen_norm_above", "top_mode_below", "top_mode_above");
        var r0 = runs[0].Records[0].Residuals;
        var frozenBelow = new FrozenKernelPrediction(k0, r0, etas[0]);
        var frozenAbove = new FrozenKernelPrediction(k0, r0, etas[1]);
        double Top(double[] r) { double c = 0; for (int i = 0; i < r.Length; i++) c += vectors[i, values.Length - 1] * r[i]; return c; }
        int n = Math.Min(runs[0].Records.Count, runs[1].Records.Count);
        for (int k = 0; k < n; k++)
            table.Add(k, runs[0].Records[k].ResidualNorm, runs[1].Records[k].ResidualNorm,
                ClaimSetup.Norm(frozenBelow.Discrete(k)),
                ClaimSetup.Norm(frozenAbove.Discrete(k)),
                Top(runs[0].Records[k].Residuals), Top(runs[1].Records[k].Residuals));
        context.Writer.Write(table, result);

        double Factor(TrainingRun run) => Math.Pow(Math.Abs(Top(run.Records[EarlySteps].Residuals) / Top(run.Records[0].Residuals)), 1.0 / EarlySteps);
        bool Alternates(TrainingRun run) => Enumerable.Range(0, EarlySteps).All(k => Top(run.Records[k].Residuals) * Top(run.Records[k + 1].Residuals) < 0);
        double fb = Factor(runs[0]), fa = Factor(runs[1]);
        double endBelow = runs[0].Records[^1].ResidualNorm / runs[0].Records[0].ResidualNorm;
        double endAbove = runs[1].Records[^1].ResidualNorm / runs[1].Records[0].ResidualNorm;
        double maxAbove = runs[1].Records.Max(r => r.ResidualNorm) / runs[1].Records[0].ResidualNorm;
        result.Measured["lambda_max"] = lmax;
        result.Measured["lambda_min"] = lmin;
        result.Measured["critical_learning_rate"] = etaC;
        result.Measured["top_mode_factor_below"] = fb;
        result.Measured["top_mode_factor_above"] = fa;
        result.Measured["top_mode_alternates_above"] = Alternates(runs[1]);
        result.Measured["final_r_over_r0_below"] = endBelow;
        result.Measured["final_r_over_r0_above"] = endAbove;
        result.Measured["max_r_over_r0_above"] = maxAbove;
        result.Predicted["critical_learning_rate"] = etaC;
        result.Predicted["top_mode_factor_below"] = Math.Abs(1 - etas[0] * lmax);
        result.Predicted["top_mode_factor_above"] = Math.Abs(1 - etas[1] * lmax);
        result.Predicted["slowest_mode_decay_time_below"] = k0.DecayTimes(etas[0])[0];
        result.Tolerance = $"below η_c: ‖r‖ falls below 1e-3 of ‖r0‖ within {Steps} steps and the top-mode factor over the first {EarlySteps} steps is within 10% of |1 − ηλ_max|; above η_c: that factor is within 10% of |1 − ηλ_max| (> 1) with alternating sign, and ‖r‖ grows beyond {DivergenceFactor}·‖r0‖ (the linearised model diverges; the bounded QNN then oscillates or catapults)";
        double pb = Math.Abs(1 - etas[0] * lmax), pa = Math.Abs(1 - etas[1] * lmax);
        bool pass = result.Check("final_r_over_r0_below", endBelow, 0, 1e-3, "converges below η_c");
        pass &= result.Check("top_mode_factor_ratio_below", fb / pb, 0.9, 1.1, "10 % of |1 − ηλ_max|");
        pass &= result.Check("top_mode_factor_ratio_above", fa / pa, 0.9, 1.1, "10 % of |1 − ηλ_max|");
        pass &= result.Check("top_mode_alternates_above", Alternates(runs[1]) && fa > 1 ? 1 : 0, 1, 1, "sign flips each step above η_c");
        pass &= result.Check("max_r_over_r0_above", maxAbove, DivergenceFactor, double.PositiveInfinity, "the linearised model diverges");
        result.Verdict = pass ? Verdict.Pass : Verdict.Fail;

        var steps = table.Rows.Select(r => r[0]).ToArray();
        context.Writer.Write(new PlotSpec("claim6_critical_rate", $"Claim 6: training at {Below}·η_c and {Above}·η_c (η_c = 2/λ_max = {etaC:G3})", "step k", "‖r‖", false, true,
        [
            new Series($"η = {Below} η_c", steps, table.Rows.Select(r => r[1]).ToArray(), SeriesStyle.Line),
            new Series($"η = {Above} η_c", steps, table.Rows.Select(r => r[2]).ToArray(), SeriesStyle.Line),
            new Series($"frozen kernel, {Below} η_c", steps, table.Rows.Select(r => r[3]).ToArray(), SeriesStyle.Dashed),
            new Series($"frozen kernel, {Above} η_c", steps, table.Rows.Select(r => r[4]).ToArray(), SeriesStyle.Dashed),
        ]) { YRange = (1e-18, 1e4) }, result);
    }
}
