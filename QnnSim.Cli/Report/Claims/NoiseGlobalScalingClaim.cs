using QnnSim.Analysis;
using QnnSim.Analysis.NoiseTheory;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim N1 (docs/theory.md, "Noise", check 1; issue 11): a global depolarizing channel after every layer of the paper's
/// model scales the outputs and gradients by exactly (1 − p)^L and the tangent kernel by (1 − p)^{2L}, on the density
/// matrix (<see cref="NoisyKernelChecks.GlobalDepolarizingScaling"/>), to 1e-10.
/// </summary>
internal sealed class NoiseGlobalScalingClaim : IClaim
{
    public string Id => "N1";
    public string Title => "Global depolarizing noise: outputs × (1 − p)^L, tangent kernel × (1 − p)^2L exactly";

    private const int Samples = 4;
    private const double Gamma = 1.0, Tolerance = 1e-10;
    private static readonly double[] Probabilities = [0.01, 0.05, 0.1];
    private static int[] QubitCounts(ReproduceSettings s) => s.Full ? [2, 3, 4, 5] : [2, 3, 4];
    private static int[] Depths(ReproduceSettings s) => s.Full ? [2, 4, 8, 16, 32] : [2, 4, 8, 16];

    public long WorkUnits(ReproduceSettings settings) =>
        QubitCounts(settings).Sum(n => Depths(settings).Sum() * Probabilities.Length * (1L << (2 * n)) / 16);

    public void Run(ClaimContext context, ClaimResult result)
    {
        var qubits = QubitCounts(context.Settings);
        var depths = Depths(context.Settings);
        result.Settings = $"d in {{{string.Join(", ", qubits.Select(n => 1 << n))}}}, L = p in {{{string.Join(", ", depths)}}}, p_noise in {{{string.Join(", ", Probabilities)}}}; one instance each (Haar W_l, H = Z_0, M0 = γZ_0 with γ = {Gamma}, m = {Samples} orthonormal Haar inputs prepared in the circuit, θ uniform); the global depolarizing channel (1 − p)ρ + p·I/d on all qubits after every layer W_l e^(−iθ_l H); density matrix, adjoint Jacobian (NoisyDifferentiator) against the noiseless PaperModelEngine";
        result.Explanation = "docs/theory.md (Noise, check 1): the global channel maps ρ to (1 − p)ρ + p·I/d and commutes with every unitary, so after L channels ρ_out = (1 − p)^L U ρ U† + (1 − (1 − p)^L) I/d; a traceless readout does not see I/d, so ŷ, every ∂ŷ/∂θ_l and every Jacobian row scale by (1 − p)^L and K = J Jᵀ by (1 − p)^(2L), exactly, for any θ and any Haar draw.";
        var jobs = (from n in qubits from p in depths from k in Enumerable.Range(0, Probabilities.Length) select (n, p, k)).ToArray();
        var results = new GlobalScalingResult[jobs.Length];
        Parallel.For(0, jobs.Length, context.Parallel, j =>
        {
            var (n, p, k) = jobs[j];
            var seed = ClaimSetup.Seeds(context.Settings.Seed, ClaimSetup.Stream(101, p, n * 16 + k)).Model;
            results[j] = NoisyKernelChecks.GlobalDepolarizingScaling(n, p, Samples, Probabilities[k], Gamma, seed);
            context.Advance(p * (1L << (2 * n)) / 16);
        });
        var table = new DataTable("claimN1_global_scaling", "d", "layers", "p_noise", "output_scale_predicted", "kernel_scale_predicted", "kernel_scale_measured",
            "max_output_deviation", "max_gradient_deviation", "max_kernel_deviation", "trace_kernel_noiseless");
        for (int j = 0; j < jobs.Length; j++)
        {
            var (n, p, k) = jobs[j];
            var r = results[j];
            table.Add(1 << n, p, Probabilities[k], r.PredictedOutputScale, r.PredictedKernelScale, r.MeasuredKernelScale,
                r.MaxOutputDeviation, r.MaxGradientDeviation, r.MaxKernelDeviation, r.IdealKernel.Trace);
        }
        context.Writer.Write(table, result);
        double dy = results.Max(r => r.MaxOutputDeviation), dj = results.Max(r => r.MaxGradientDeviation), dk = results.Max(r => r.MaxKernelDeviation);
        double relScale = results.Max(r => Math.Abs(r.MeasuredKernelScale / r.PredictedKernelScale - 1));
        result.Measured["max_output_deviation"] = dy;
        result.Measured["max_gradient_deviation"] = dj;
        result.Measured["max_kernel_deviation"] = dk;
        result.Measured["max_relative_error_of_kernel_scale"] = relScale;
        result.Measured["instances"] = jobs.Length;
        var deepest = results.Select((r, j) => (r, j)).Where(t => jobs[t.j].p == depths[^1] && jobs[t.j].k == Probabilities.Length - 1).Select(t => t.r).First();
        result.Measured[$"kernel_scale_L{depths[^1]}_p{Probabilities[^1]}"] = deepest.MeasuredKernelScale;
        result.Predicted[$"kernel_scale_L{depths[^1]}_p{Probabilities[^1]}"] = deepest.PredictedKernelScale;
        result.Predicted["max_output_deviation"] = 0.0;
        result.Predicted["max_gradient_deviation"] = 0.0;
        result.Predicted["max_kernel_deviation"] = 0.0;
        // One-sided bands: the figures are absolute deviations (≥ 0 by construction), so only the upper edge can fail.
        const string meaning = "at most issue 11's 1e-10: the identity is exact, the band is round-off (measured deviations are about 1e-15)";
        result.Check("max_kernel_deviation", dk, double.NegativeInfinity, Tolerance, meaning);
        result.Check("max_output_deviation", dy, double.NegativeInfinity, Tolerance, meaning);
        result.Check("max_gradient_deviation", dj, double.NegativeInfinity, Tolerance, meaning);
        result.Check("max_relative_error_of_kernel_scale", relScale, double.NegativeInfinity, Tolerance, "tr K_noisy / tr K_noiseless against (1 − p)^(2L), relative, at most 1e-10");
        result.Tolerance = "every entry of ŷ, J and K on the density matrix within 1e-10 of (1 − p)^L ŷ, (1 − p)^L J and (1 − p)^(2L) K of the noiseless model, for every d, L and p (issue 11)";
        result.VerdictFromGates();

        var series = new List<Series>();
        int nPlot = qubits.Contains(3) ? 3 : qubits[0];
        for (int k = 0; k < Probabilities.Length; k++)
        {
            var pts = jobs.Select((t, j) => (t, j)).Where(x => x.t.n == nPlot && x.t.k == k).ToArray();
            series.Add(new Series($"p = {Probabilities[k]}: tr K_noisy / tr K (density matrix)", [.. pts.Select(x => (double)x.t.p)], [.. pts.Select(x => results[x.j].MeasuredKernelScale)], SeriesStyle.Markers) { Colour = k });
            var grid = Enumerable.Range(1, depths[^1]).Select(x => (double)x).ToArray();
            series.Add(new Series($"p = {Probabilities[k]}: (1 − p)^2L", grid, [.. grid.Select(x => Math.Pow(1 - Probabilities[k], 2 * x))], SeriesStyle.Dashed) { Colour = k });
        }
        context.Writer.Write(new PlotSpec("claimN1_kernel_scale", $"Claim N1: global depolarizing noise scales K by (1 − p)^2L (d = {1 << nPlot}, m = {Samples})",
            "layers L (one channel after each)", "tr K_noisy / tr K_noiseless", false, true, series) { Legend = ScottPlot.Alignment.LowerLeft }, result);
    }
}
