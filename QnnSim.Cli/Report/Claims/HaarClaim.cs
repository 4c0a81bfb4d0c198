using QnnSim.Analysis;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim 5 (docs/theory.md §4, §5 item 3): Monte-Carlo means of K at initialisation over Haar-random circuits against
/// E[K_ij] = p γ² · 2d²(d F_ij − 1)/(d² − 1)².
/// </summary>
internal sealed class HaarClaim : IClaim
{
    public string Id => "5";
    public string Title => "Haar averages of K at initialisation";

    private static readonly int[] QubitCounts = [2, 3, 4];
    private static readonly double[] Overlaps = [0.0, 0.5, 1.0];
    private const int Layers = 16;
    private const double Gamma = 1.0, DiagonalTolerance = 0.03, Sigmas = 4.0;
    private static int Circuits(ReproduceSettings s) => s.Full ? 4000 : 2000;

    public long WorkUnits(ReproduceSettings settings) => QubitCounts.Sum(n => 2L * Circuits(settings) * (1L << (2 * n)) / 16);

    /// <summary>E[K_ij] for overlap F (docs/theory.md §4), from the analysis layer.</summary>
    public static double Formula(int d, double overlap, int layers, double gamma) => TheoryFormulas.HaarMeanKernel(d, layers, gamma, overlap);

    public void Run(ClaimContext context, ClaimResult result)
    {
        int circuits = Circuits(context.Settings);
        result.Settings = $"d in {{4, 8, 16}}, p = {Layers}, γ = {Gamma}, H = M0/γ = Z_0, θ = 0, all W_l Haar (including W_{{p+1}}); per d, {circuits} circuits on a pair of states with overlap F = 0 and {circuits} more with F = 1/2 (HaarKernelStatistics); the diagonal pools both";
        result.Explanation = "docs/theory.md §4: with every W_l Haar, Pauli generators and M0 = γ·P, E[K_ij] = pγ²·2d²(dF_ij − 1)/(d² − 1)², a positive diagonal ≈ 2pγ²/d and a small negative orthogonal pair ≈ −2pγ²/d².";
        var table = new DataTable("claim5_haar", "d", "overlap", "mean", "stderr", "formula", "circuits");
        bool pass = true;
        var plotSeries = new List<Series>();
        foreach (int n in QubitCounts)
        {
            int d = 1 << n;
            // Two Monte-Carlo runs per d through the analysis layer: input pairs with overlap F = 0 and F = 1/2. Each gives
            // the diagonal (K_11 + K_22)/2 and the pair K_12; the diagonal is pooled over both runs.
            var runs = Overlaps.Take(2).Select((overlap, k) =>
            {
                long done = 0;
                var progress = new Common.SyncProgress<int>(c =>
                {
                    long delta;
                    lock (table) { delta = c - done; if (delta <= 0) return; done = c; }
                    context.Advance(delta * d * d / 16);
                });
                var seed = ClaimSetup.Seeds(context.Settings.Seed, ClaimSetup.Stream(5, n, k)).Model;
                return HaarKernelStatistics.Estimate(n, Layers, circuits, overlap, Gamma, seed, maxThreads: context.Settings.Threads,
                    progress: progress, cancellationToken: context.Token);
            }).ToArray();
            var f = new[] { 1.0, 0.0, 0.5 };
            var means = new[]
            {
                (runs[0].Diagonal.Mean + runs[1].Diagonal.Mean) / 2, runs[0].OffDiagonal.Mean, runs[1].OffDiagonal.Mean,
            };
            var se = new[]
            {
                Math.Sqrt(runs[0].Diagonal.StandardError * runs[0].Diagonal.StandardError + runs[1].Diagonal.StandardError * runs[1].Diagonal.StandardError) / 2,
                runs[0].OffDiagonal.StandardError, runs[1].OffDiagonal.StandardError,
            };
            var formula = new[] { runs[0].Diagonal.Predicted, runs[0].OffDiagonal.Predicted, runs[1].OffDiagonal.Predicted };
            foreach (int q in new[] { 1, 2, 0 }) table.Add(d, f[q], means[q], se[q], formula[q], q == 0 ? 2 * circuits : circuits);
            pass &= result.Check($"d{d}_diagonal_relative_error", means[0] / formula[0] - 1, -DiagonalTolerance, DiagonalTolerance,
                $"docs/theory.md §5 item 3's 3 %; the standard error is {se[0] / formula[0]:P2} of the formula, so the band is {DiagonalTolerance / (se[0] / formula[0]):F1} standard errors");
            pass &= result.Check($"d{d}_orthogonal_pair_sigmas", (means[1] - formula[1]) / se[1], -Sigmas, Sigmas, "4 standard errors: two-sided false-failure probability 6e-5 per figure under a normal mean");
            pass &= result.Check($"d{d}_overlap_half_pair_sigmas", (means[2] - formula[2]) / se[2], -Sigmas, Sigmas, "4 standard errors: two-sided false-failure probability 6e-5 per figure");
            result.Measured[$"d{d}_diagonal"] = means[0];
            result.Predicted[$"d{d}_diagonal"] = formula[0];
            result.Measured[$"d{d}_diagonal_stderr"] = se[0];
            result.Measured[$"d{d}_orthogonal_pair"] = means[1];
            result.Predicted[$"d{d}_orthogonal_pair"] = formula[1];
            result.Measured[$"d{d}_orthogonal_pair_stderr"] = se[1];
            result.Measured[$"d{d}_overlap_half_pair"] = means[2];
            result.Predicted[$"d{d}_overlap_half_pair"] = formula[2];
            result.Measured[$"d{d}_overlap_half_pair_stderr"] = se[2];
            double scale = d / (2.0 * Layers * Gamma * Gamma);
            var order = new[] { 1, 2, 0 };
            plotSeries.Add(new Series($"d = {d}: Monte Carlo ± 1 s.e.", order.Select(q => f[q]).ToArray(), order.Select(q => means[q] * scale).ToArray(), SeriesStyle.ErrorBars, order.Select(q => se[q] * scale).ToArray()) { Colour = n });
            var grid = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();
            plotSeries.Add(new Series($"d = {d}: formula", grid, grid.Select(x => Formula(d, x, Layers, Gamma) * scale).ToArray(), SeriesStyle.Dashed) { Colour = n });
        }
        context.Writer.Write(table, result);
        result.Tolerance = $"diagonal mean within {DiagonalTolerance:P0} of the formula; off-diagonal means within {Sigmas} standard errors (docs/theory.md §5 item 3)";
        result.Verdict = pass ? Verdict.Pass : Verdict.Fail;
        context.Writer.Write(new PlotSpec("claim5_haar_means", $"Claim 5: E[K_ij] at initialisation (p = {Layers}, {circuits} Haar circuits per d)",
            "overlap F_ij = |⟨ψ_i|ψ_j⟩|²", "K_ij · d / (2pγ²)", false, false, plotSeries) { Legend = ScottPlot.Alignment.LowerRight }, result);
    }
}
