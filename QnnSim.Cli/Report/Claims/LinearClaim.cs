using QnnSim.Analysis;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim 2 (docs/theory.md §3b, §3c, §5 item 7): with M0 = γ·Z_0, γ ∈ {1.5, 2}, a single ±1 label converges linearly at the rate
/// −ln(1 − η0κ)/η0 per unit s, κ = 2c(γ² − 1), and the kernel ends at (γ² − 1)/(γ² − ŷ0²) of its initial value.
/// </summary>
internal sealed class LinearClaim(int qubits = 3, double[]? gammas = null, string? id = null) : IClaim
{
    private int Dimension => 1 << qubits;
    public string Id => id ?? (qubits == 3 ? "2" : $"2-d{Dimension}");
    public string Title => $"Wider measurement range (γ = {string.Join(", ", Gammas)}), d = {Dimension}: linear convergence";
    public bool RunsIn(ReproduceSettings settings) => qubits <= 3 || settings.Full;

    private double[] Gammas { get; } = gammas ?? [1.5, 2.0];
    private int Qubits => qubits;
    private const double Eta0 = 0.25, WindowLow = 1e-10, WindowHigh = 1e-3;
    /// <summary>s_max per γ: 60 decay times of the predicted rate (|r| reaches the double-precision floor after about 30).</summary>
    private double[] SMax => [.. Gammas.Select(g => Math.Ceiling(60 / TheoryFormulas.DiscreteRate(Eta0, TheoryFormulas.SingleSampleRate(TheoryFormulas.PauliGeneratorConstant(Dimension), g, 1))))];
    /// <summary>p = 4d² (quick, full at d = 16) or 16d² (full), at least 256; 16 seeds (quick) or 24 (full): at 8 the seed mean of the rate scatters by 4 % (20 seeds), 2.5 standard deviations inside the 10 % band, which would fail about one seed in a hundred.</summary>
    private (int P, int Seeds) Config(ReproduceSettings s) =>
        (Math.Max(256, (s.Full && Dimension < 16 ? 16 : 4) * Dimension * Dimension), s.Full ? 24 : 16);

    public long WorkUnits(ReproduceSettings settings)
    {
        var c = Config(settings);
        return (long)c.Seeds * (long)(SMax.Sum() / Eta0) * c.P * Dimension * Dimension / (256 * 64);
    }

    public void Run(ClaimContext context, ClaimResult result)
    {
        var cfg = Config(context.Settings);
        result.Settings = $"d = {Dimension}, m = 1 (label +1 or −1 alternating by seed), p = {cfg.P}, η0 = {Eta0}, {cfg.Seeds} seeds per γ, s up to {string.Join(", ", SMax.Select((x, g) => $"{x:G} (γ = {Gammas[g]})"))}";
        result.Explanation = "docs/theory.md §3b–c: a target strictly inside the spectrum of M0 = γ·P converges exponentially; with discrete steps the rate per unit s is −ln(1 − η0κ)/η0, κ = 2c(γ² − 1), and the single-sample kernel ends at (γ² − 1)/(γ² − ŷ0²) of K(0), independently of p.";
        var jobs = (from g in Enumerable.Range(0, Gammas.Length) from seed in Enumerable.Range(0, cfg.Seeds) select (g, seed)).ToArray();
        var runs = new TrainingRun[jobs.Length];
        var ys = new double[jobs.Length];
        Parallel.For(0, jobs.Length, context.Parallel, j =>
        {
            var (g, seed) = jobs[j];
            double label = seed % 2 == 0 ? 1 : -1;
            var x = ClaimSetup.Paper(Qubits, cfg.P, Gammas[g], 1, context.Settings.Seed, ClaimSetup.Stream(id is null ? (qubits == 3 ? 2 : 200 + qubits) : 250, cfg.P, g * 1000 + seed), label);
            ys[j] = label;
            runs[j] = ClaimSetup.Train(context, x.Engine, x.Labels, x.Theta0, Eta0 / cfg.P, (long)Math.Round(SMax[g] / Eta0), RecordSchedule.Every(1), cfg.P * Dimension * Dimension / (256.0 * 64));
        });

        double c = TheoryFormulas.PauliGeneratorConstant(1 << Qubits);
        var curves = new DataTable($"claim{Id}_residuals", "gamma", "seed", "s", "abs_r");
        var rates = new DataTable($"claim{Id}_rates", "gamma", "seed", "fitted_rate", "predicted_rate", "kernel_ratio", "kernel_ratio_predicted");
        bool pass = true;
        var series = new List<Series>();
        for (int g = 0; g < Gammas.Length; g++)
        {
            double gamma = Gammas[g], kappa = TheoryFormulas.SingleSampleRate(c, gamma, 1), predicted = TheoryFormulas.DiscreteRate(Eta0, kappa);
            var fitted = new List<double>(); var kernelRel = new List<double>();
            for (int seed = 0; seed < cfg.Seeds; seed++)
            {
                var run = runs[g * cfg.Seeds + seed];
                var s = run.Times;
                var a = run.ResidualNorms;
                for (int i = 0; i < s.Length; i++) curves.Add(gamma, seed, s[i], a[i]);
                double rate = -(ConvergenceAnalysis.ExponentialFit(s, a, WindowLow, WindowHigh)?.Slope ?? double.NaN);
                double y0 = run.Records[0].Outputs[0];
                double kr = run.Records[^1].Kernel!.Trace / run.Records[0].Kernel!.Trace;
                double krPred = TheoryFormulas.SingleSampleKernelRatio(gamma, y0, ys[g * cfg.Seeds + seed]);
                rates.Add(gamma, seed, rate, predicted, kr, krPred);
                fitted.Add(rate); kernelRel.Add(kr / krPred);
                if (seed == 0)
                {
                    series.Add(new Series($"γ = {gamma}: |r| (seed 0)", s, a, SeriesStyle.Line));
                    double a0 = a.Where(x => x < WindowHigh).DefaultIfEmpty(a[0]).First();
                    int i0 = Array.FindIndex(a, x => x < WindowHigh); if (i0 < 0) i0 = 0;
                    var sp = s.Where(t => t >= s[i0] && a0 * Math.Exp(-predicted * (t - s[i0])) >= 1e-16).ToArray();
                    series.Add(new Series($"γ = {gamma}: predicted rate {predicted:F3}", sp, sp.Select(x => a0 * Math.Exp(-predicted * (x - s[i0]))).ToArray(), SeriesStyle.Dashed));
                }
            }
            string key = "gamma_" + gamma.ToString("G", System.Globalization.CultureInfo.InvariantCulture).Replace('.', '_');
            double mean = fitted.Average(), kMean = kernelRel.Average();
            result.Measured[$"rate_{key}"] = mean;
            result.Predicted[$"rate_{key}"] = predicted;
            result.Measured[$"kernel_ratio_over_prediction_{key}"] = kMean;
            result.Predicted[$"kernel_ratio_over_prediction_{key}"] = 1.0;
            var (_, rateSe) = Stats.MeanAndError(fitted);
            var (_, kSe) = Stats.MeanAndError(kernelRel);
            pass &= result.Check($"rate_over_prediction_{key}", mean / predicted, 0.90, 1.10,
                $"docs/theory.md §5 item 7's 10 % (a finite-p allowance: at p = 4d² the rates sit about 7 % low); the seed mean's standard error is {rateSe / predicted:G2} of the prediction");
            // The γ sweep gates the rates only: near γ = 1 the final kernel (γ² − 1)(…) is small and its finite-p error
            // reaches 5 % (γ = 1.1: 0.95–0.98 of the prediction over 4 seeds), outside docs/theory.md §5 item 7's band for γ ∈ {1.5, 2}.
            if (id is null)
                pass &= result.Check($"kernel_ratio_over_prediction_{key}", kMean, 0.95, 1.05,
                    $"docs/theory.md §5 item 7's 5 %; the seed mean's standard error is {kSe:G2}");
        }
        result.Measured["seeds"] = cfg.Seeds;
        result.Measured["rate_window"] = new[] { WindowLow, WindowHigh };
        result.Tolerance = "mean fitted rate (window 1e-10 < |r| < 1e-3) within 10% of −ln(1 − η0κ)/η0 for each γ; mean of K(end)/K(0) ÷ (γ² − 1)/(γ² − ŷ0²) within 5% of 1 (docs/theory.md §5 item 7)";
        result.Verdict = pass ? Verdict.Pass : Verdict.Fail;
        context.Writer.Write(curves, result);
        context.Writer.Write(rates, result);
        context.Writer.Write(new PlotSpec($"claim{Id}_linear", $"Claim {Id}: linear convergence for γ > 1 (d = {Dimension}, p = {cfg.P}, m = 1)", "rescaled time s", "|r|", false, true, series) { YRange = (1e-16, 10) }, result);
    }
}
