using System.Numerics;
using QnnSim.Analysis;
using QnnSim.State;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim 5 (THEORY.md §4, §5.3): Monte-Carlo means of K at initialisation over Haar-random circuits against
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

    public long WorkUnits(ReproduceSettings settings) => QubitCounts.Sum(n => (long)Circuits(settings) * (1L << (2 * n)) / 16);

    /// <summary>E[K_ij] for overlap F (THEORY.md §4), from the analysis layer.</summary>
    public static double Formula(int d, double overlap, int layers, double gamma) => TheoryFormulas.HaarMeanKernel(d, layers, gamma, overlap);

    public void Run(ClaimContext context, ClaimResult result)
    {
        int circuits = Circuits(context.Settings);
        result.Settings = $"d in {{4, 8, 16}}, p = {Layers}, γ = {Gamma}, all W_l Haar (including W_{{p+1}}), {circuits} circuits per d; inputs |0⟩, |1⟩ and (|0⟩ + |2⟩)/√2, so the pairs have overlaps F = 0 and 1/2";
        result.Explanation = "THEORY.md §4: with every W_l Haar, Pauli generators and M0 = γ·P, E[K_ij] = pγ²·2d²(dF_ij − 1)/(d² − 1)², a positive diagonal ≈ 2pγ²/d and a small negative orthogonal pair ≈ −2pγ²/d².";
        var table = new DataTable("claim5_haar", "d", "overlap", "mean", "stderr", "formula", "circuits");
        var measured = new List<double>(); var predicted = new List<double>(); var errors = new List<double>();
        bool pass = true;
        var plotSeries = new List<Series>();
        foreach (int n in QubitCounts)
        {
            int d = 1 << n;
            // Per circuit: the diagonal (mean of K_00, K_11, K_22), the orthogonal pairs (mean of K_01, K_12), the F = 1/2 pair K_02.
            var samples = new double[circuits, 3];
            var inputs = Inputs(d);
            int chunk = 50;
            Parallel.For(0, (circuits + chunk - 1) / chunk, context.Parallel, b =>
            {
                for (int i = b * chunk; i < Math.Min(circuits, (b + 1) * chunk); i++)
                {
                    var (ms, _, ts) = ClaimSetup.Seeds(context.Settings.Seed, ClaimSetup.Stream(5, n, i));
                    var engine = PaperModel.CreateRandom(n, Layers, ms, Gamma).CreateEngine(inputs);
                    var k = ClaimSetup.Kernel(engine, InitialParameters.Uniform(Layers, ts), out _);
                    samples[i, 0] = (k[0, 0] + k[1, 1] + k[2, 2]) / 3;
                    samples[i, 1] = (k[0, 1] + k[1, 2]) / 2;
                    samples[i, 2] = k[0, 2];
                }
                context.Advance((long)chunk * d * d / 16);
            });
            var f = new[] { 1.0, 0.0, 0.5 };
            var means = new double[3]; var se = new double[3]; var formula = new double[3];
            for (int q = 0; q < 3; q++)
            {
                double mean = 0; for (int i = 0; i < circuits; i++) mean += samples[i, q]; mean /= circuits;
                double v = 0; for (int i = 0; i < circuits; i++) v += (samples[i, q] - mean) * (samples[i, q] - mean);
                means[q] = mean; se[q] = Math.Sqrt(v / (circuits - 1) / circuits); formula[q] = Formula(d, f[q], Layers, Gamma);
            }
            foreach (int q in new[] { 1, 2, 0 }) table.Add(d, f[q], means[q], se[q], formula[q], circuits);
            pass &= Math.Abs(means[0] / formula[0] - 1) <= DiagonalTolerance;
            pass &= Math.Abs(means[1] - formula[1]) <= Sigmas * se[1] && Math.Abs(means[2] - formula[2]) <= Sigmas * se[2];
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
        result.Tolerance = $"diagonal mean within {DiagonalTolerance:P0} of the formula; off-diagonal means within {Sigmas} standard errors (THEORY.md §5.3)";
        result.Verdict = pass ? Verdict.Pass : Verdict.Fail;
        context.Writer.Write(new PlotSpec("claim5_haar_means", $"Claim 5: E[K_ij] at initialisation (p = {Layers}, {circuits} Haar circuits per d)",
            "overlap F_ij = |⟨ψ_i|ψ_j⟩|²", "K_ij · d / (2pγ²)", false, false, plotSeries) { Legend = ScottPlot.Alignment.LowerRight }, result);
    }

    private static StateVector[] Inputs(int d)
    {
        var a = new Complex[3][];
        for (int i = 0; i < 3; i++) a[i] = new Complex[d];
        a[0][0] = 1; a[1][1] = 1; a[2][0] = Math.Sqrt(0.5); a[2][2] = Math.Sqrt(0.5);
        return [.. a.Select(v => StateVector.FromAmplitudes(v))];
    }
}
