using System.Numerics;
using QnnSim.Analysis;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim 5-general (docs/theory.md §4): the general Haar formula E[K_ij] = p c_M e_ij for a traced generator (a rank-1
/// projector, tr H = tr H² = 1, H² ≠ I) and for a traced readout (the projector (I + Z_0)/2, tr M0 = d/2), Monte Carlo
/// over dense Haar circuits (<see cref="HaarKernelStatistics.EstimateGeneral"/>) against the formula, with the outputs'
/// mean tr(M0)/d and variance.
/// </summary>
internal sealed class HaarGeneralClaim : IClaim
{
    public string Id => "5-general";
    public string Title => "Haar averages for a traced generator or readout: Monte Carlo against the general formula";

    private const int Layers = 16;
    private const double Sigmas = 4.5;
    private static int[] QubitCounts(ReproduceSettings s) => s.Full ? [2, 3, 4] : [2, 3];
    private static int Circuits(ReproduceSettings s) => s.Full ? 4000 : 2000;

    /// <summary>The two settings: (name, key, H, M0) for dimension d.</summary>
    private static (string Name, string Key, Complex[] H, Complex[] M0)[] Settings(int d) =>
    [
        ("H = |0…0⟩⟨0…0| (traced, rank 1), M0 = Z_0", "traced_generator", Projector(d), PauliZ0(d, 1, 0)),
        ("H = Z_0, M0 = (I + Z_0)/2 (traced readout)", "traced_readout", PauliZ0(d, 1, 0), PauliZ0(d, 0.5, 0.5)),
    ];

    /// <summary>a·Z_0 + b·I (qubit 0 is the least significant bit of the basis index).</summary>
    private static Complex[] PauliZ0(int d, double a, double b)
    {
        var m = new Complex[d * d];
        for (int k = 0; k < d; k++) m[k * d + k] = a * ((k & 1) == 0 ? 1 : -1) + b;
        return m;
    }

    private static Complex[] Projector(int d) { var m = new Complex[d * d]; m[0] = 1; return m; }

    public long WorkUnits(ReproduceSettings settings) => QubitCounts(settings).Sum(n => 2L * Circuits(settings) * (1L << (3 * n)) / 64);

    public void Run(ClaimContext context, ClaimResult result)
    {
        int circuits = Circuits(context.Settings);
        var qubits = QubitCounts(context.Settings);
        result.Settings = $"d in {{{string.Join(", ", qubits.Select(n => 1 << n))}}}, p = {Layers}, every W_l Haar (dense circuits, θ = 0), {circuits} circuits per d and setting; inputs ψ_1 ⟂ ψ_2 and ψ_3 = (ψ_1 + ψ_2)/√2 (F = 0 and 1/2); settings: {string.Join("; ", Settings(2).Select(s => s.Name))}";
        result.Explanation = "docs/theory.md §4: per layer E[∂_l ŷ_i ∂_l ŷ_j] = c_M e_ij with c_M = (tr M0² − (tr M0)²/d)/(d² − 1) and e_ij = 2tr(H²)F_ij/d − 2a_ij tr(H²) − 2b_ij (tr H)². The trace terms are what the Pauli case never exercises: a rank-1 projector generator (tr H = tr H² = 1) and a projector readout (tr M0 = d/2) must come out as the formula says — only the traceless parts act, so the mean is scale·(dF − 1) with scale = 2p c_M (tr H² − (tr H)²/d)/(d² − 1). Dropping the (tr H)² term would overstate the traced generator's kernel by d/(d − 1) (33 % at d = 4); the outputs' mean tr(M0)/d tests the traced readout directly.";
        var table = new DataTable("claim5-general_haar", "d", "setting", "figure", "mean", "stderr", "formula", "sigmas", "circuits");
        var plot = new List<Series>();
        bool pass = true;
        int colour = 0;
        foreach (int n in qubits)
        {
            int d = 1 << n;
            var settings = Settings(d);
            for (int k = 0; k < settings.Length; k++)
            {
                var (name, key, h, m0) = settings[k];
                long done = 0;
                var progress = new Common.SyncProgress<int>(c =>
                {
                    long delta;
                    lock (table) { delta = c - done; if (delta <= 0) return; done = c; }
                    context.Advance(delta * d * d * d / 64);
                });
                var seed = ClaimSetup.Seeds(context.Settings.Seed, ClaimSetup.Stream(52, n, k)).Model;
                var e = HaarKernelStatistics.EstimateGeneral(n, Layers, circuits, h, m0, seed, context.Settings.Threads, progress, context.Token);
                (string Figure, MonteCarloEstimate Value, double F)[] figures =
                [
                    ("diagonal", e.Diagonal, 1), ("orthogonal_pair", e.Orthogonal, 0), ("overlap_half_pair", e.HalfOverlap, 0.5),
                    ("output_mean", e.Output, double.NaN), ("output_variance", e.OutputVariance, double.NaN),
                ];
                for (int q = 0; q < figures.Length; q++)
                {
                    var (figure, v, _) = figures[q];
                    table.Add(d, k, q, v.Mean, v.StandardError, v.Predicted, v.Sigmas, circuits);
                    result.Measured[$"d{d}_{key}_{figure}"] = v.Mean;
                    result.Measured[$"d{d}_{key}_{figure}_stderr"] = v.StandardError;
                    result.Predicted[$"d{d}_{key}_{figure}"] = v.Predicted;
                    pass &= result.Check($"d{d}_{key}_{figure}_sigmas", v.Sigmas, -Sigmas, Sigmas,
                        $"{Sigmas} standard errors of a mean over {circuits} circuits: two-sided false-failure probability 7e-6 per figure under a normal mean" +
                        (double.IsFinite(v.Predicted) && v.Predicted != 0 ? $" (the standard error is {Math.Abs(v.StandardError / v.Predicted):P2} of the formula)" : ""));
                }
                var kernelFigures = figures.Where(f => double.IsFinite(f.F)).OrderBy(f => f.F).ToArray();
                plot.Add(new Series($"d = {d}, {name}: Monte Carlo ± 1 s.e.", kernelFigures.Select(f => f.F).ToArray(),
                    kernelFigures.Select(f => f.Value.Mean / e.Scale).ToArray(), SeriesStyle.ErrorBars, kernelFigures.Select(f => f.Value.StandardError / e.Scale).ToArray()) { Colour = colour++ });
            }
            plot.Add(new Series($"d = {d}: formula dF − 1", [0, 1], [-1, d - 1], SeriesStyle.Dashed) { Colour = 6 + n });
        }
        context.Writer.Write(table, result);
        result.Notes.Add("In claim5-general_haar.csv, setting 0 is the traced generator and 1 the traced readout; figure 0 is the kernel diagonal, 1 the F = 0 pair, 2 the F = 1/2 pair, 3 the output mean, 4 the output variance.");
        result.Tolerance = $"every mean (kernel diagonal, F = 0 and F = 1/2 pairs, output mean and variance) within {Sigmas} standard errors of the general formula; {qubits.Length * 10} figures, so the per-seed false-failure probability is below {qubits.Length * 10 * 7e-6:G1}";
        result.Verdict = pass ? Verdict.Pass : Verdict.Fail;
        context.Writer.Write(new PlotSpec("claim5-general_haar_means", $"Claim 5-general: E[K_ij] / scale against F (p = {Layers}, {circuits} circuits)",
            "overlap F_ij = |⟨ψ_i|ψ_j⟩|²", "K_ij / (2p c_M (tr H² − (tr H)²/d)/(d² − 1))", false, false, plot) { Legend = ScottPlot.Alignment.UpperLeft }, result);
    }
}
