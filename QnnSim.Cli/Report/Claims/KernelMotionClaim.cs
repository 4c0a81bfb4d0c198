using QnnSim.Analysis;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim 3 (THEORY.md §3a, §5.6): with γ = 1 the kernel must vanish as training succeeds, so tr K(s)/tr K(0) → 0 and
/// ‖K(s) − K(0)‖/‖K(0)‖ → 1 for every p: the relative change does not shrink as the model grows. The frozen-kernel
/// prediction is orders of magnitude too fast (median over seeds of ‖r‖/‖r_frozen‖ at s = 100 above 1e3).
/// </summary>
internal sealed class KernelMotionClaim : IClaim
{
    public string Id => "3";
    public string Title => "The kernel moves: tr K(s)/tr K(0) and ‖K(s) − K(0)‖/‖K(0)‖ for several p";

    private const int Qubits = 3, Samples = 2, RatioSeeds = 10, RatioLayers = 256;
    private const double Eta0 = 0.25, SMax = 1e3, SRatio = 100;
    private static int[] Layers(ReproduceSettings s) => s.Full ? [256, 1024, 4096] : [64, 256, 1024];

    public long WorkUnits(ReproduceSettings settings) =>
        Layers(settings).Sum(p => (long)(SMax / Eta0) * p * Samples / 256) + (long)RatioSeeds * (long)(SRatio / Eta0) * RatioLayers * Samples / 256;

    public void Run(ClaimContext context, ClaimResult result)
    {
        var layers = Layers(context.Settings);
        long steps = (long)(SMax / Eta0), ratioSteps = (long)(SRatio / Eta0);
        result.Settings = $"d = 8, m = {Samples} orthonormal states labelled ±1, γ = 1, η0 = {Eta0}, p in {{{string.Join(", ", layers)}}}, s up to {SMax:G}; frozen-kernel ratio: {RatioSeeds} seeds at p = {RatioLayers}, s = {SRatio:G}";
        result.Explanation = "THEORY.md §3a: K_ii ≤ 8p|r_i|, so the kernel has to vanish as the residual does, for every p; unlike wide classical networks the relative kernel change tends to 1 rather than shrinking with width, and the frozen-kernel prediction is far too fast.";
        var schedule = RecordSchedule.Logarithmic(20);
        // Jobs: one run per p (to s = 1e3), then the frozen-kernel ratio runs (to s = 100).
        int jobs = layers.Length + RatioSeeds;
        var runs = new TrainingRun[jobs];
        var ratios = new double[RatioSeeds];
        Parallel.For(0, jobs, context.Parallel, j =>
        {
            if (j < layers.Length)
            {
                int p = layers[j];
                var x = ClaimSetup.Paper(Qubits, p, 1.0, Samples, context.Settings.Seed, ClaimSetup.Stream(3, p, 0));
                runs[j] = ClaimSetup.Train(context, x.Engine, x.Labels, x.Theta0, Eta0 / p, steps, schedule, p * Samples / 256.0);
            }
            else
            {
                int seed = j - layers.Length;
                var x = ClaimSetup.Paper(Qubits, RatioLayers, 1.0, Samples, context.Settings.Seed, ClaimSetup.Stream(3, RatioLayers, 1 + seed));
                var run = ClaimSetup.Train(context, x.Engine, x.Labels, x.Theta0, Eta0 / RatioLayers, ratioSteps, RecordSchedule.At([]), RatioLayers * Samples / 256.0);
                var frozen = new FrozenKernelPrediction(run.Records[0].Kernel!, run.Records[0].Residuals, run.LearningRate).Discrete(ratioSteps);
                ratios[seed] = run.Records[^1].ResidualNorm / Math.Max(ClaimSetup.Norm(frozen), double.Epsilon);
            }
        });

        var columns = new List<string> { "s" };
        foreach (int p in layers) { columns.Add($"trace_ratio_p{p}"); columns.Add($"relative_deviation_p{p}"); }
        var table = new DataTable("claim3_kernel", columns.ToArray());
        var s = runs[0].Times;
        var dev = runs.Take(layers.Length).Select(r => r.KernelDeviations()).ToArray();
        for (int i = 0; i < s.Length; i++)
        {
            var row = new List<double> { s[i] };
            for (int j = 0; j < layers.Length; j++) { row.Add(dev[j][i].TraceRatio); row.Add(dev[j][i].RelativeChange); }
            table.Add(row.ToArray());
        }
        context.Writer.Write(table, result);
        var ratioTable = new DataTable("claim3_frozen_ratio", "seed", "r_over_r_frozen_at_s100");
        for (int i = 0; i < RatioSeeds; i++) ratioTable.Add(i, ratios[i]);
        context.Writer.Write(ratioTable, result);

        var traceEnd = dev.Select(d => d[^1].TraceRatio).ToArray();
        var devEnd = dev.Select(d => d[^1].RelativeChange).ToArray();
        int i100 = Array.FindIndex(s, x => x >= SRatio);
        var trace100 = dev.Select(d => d[i100].TraceRatio).ToArray();
        var dev100 = dev.Select(d => d[i100].RelativeChange).ToArray();
        var sorted = ratios.Order().ToArray();
        double median = 0.5 * (sorted[(RatioSeeds - 1) / 2] + sorted[RatioSeeds / 2]);
        result.Measured["layers"] = layers;
        result.Measured["trace_ratio_at_s1000"] = traceEnd;
        result.Measured["relative_deviation_at_s1000"] = devEnd;
        result.Measured["trace_ratio_at_s100"] = trace100;
        result.Measured["relative_deviation_at_s100"] = dev100;
        result.Measured["median_r_over_r_frozen_at_s100"] = median;
        result.Predicted["trace_ratio_at_s1000"] = "< 0.01 for every p";
        result.Predicted["relative_deviation_at_s1000"] = "→ 1 for every p";
        result.Predicted["median_r_over_r_frozen_at_s100"] = "> 1e3";
        result.Tolerance = "tr K(s)/tr K(0) < 0.01 by s = 1e3 for every p; ‖K(s) − K(0)‖/‖K(0)‖ at s = 1e3 ≥ 0.9 for every p (it does not shrink with p); at s = 100 the relative deviation of the largest p is at least half that of the smallest; median ‖r‖/‖r_frozen‖ at s = 100 > 1e3 (THEORY.md §5.6)";
        bool pass = result.Check("max_trace_ratio_at_s1000", traceEnd.Max(), 0, 0.01, "THEORY.md §5.6: the kernel must vanish with the residual (K_ii ≤ 8p|r_i|); a bound, not a noise band");
        pass &= result.Check("min_relative_deviation_at_s1000", devEnd.Min(), 0.9, double.PositiveInfinity, "THEORY.md §3a: ‖K(s) − K(0)‖/‖K(0)‖ → 1 for every p");
        pass &= result.Check("deviation_ratio_largest_over_smallest_p_at_s100", dev100[^1] / dev100[0], 0.5, double.PositiveInfinity, "the relative change does not shrink with p (a classical wide network's would fall like p^(−1/2), a factor 1/4 over this range)");
        pass &= result.Check("log10_median_r_over_r_frozen_at_s100", Math.Log10(median), 3, double.PositiveInfinity, "THEORY.md §5.6: the frozen-kernel prediction is at least 1e3 too fast at s = 100 (median over 10 instances)");
        result.Verdict = pass ? Verdict.Pass : Verdict.Fail;

        var traceSeries = layers.Select((p, j) => new Series($"p = {p}", s, dev[j].Select(r => r.TraceRatio).ToArray(), SeriesStyle.Line)).ToList();
        context.Writer.Write(new PlotSpec("claim3_trace_ratio", "Claim 3: tr K(s) / tr K(0), γ = 1", "rescaled time s", "tr K(s) / tr K(0)", true, true, traceSeries), result);
        var devSeries = layers.Select((p, j) => new Series($"p = {p}", s, dev[j].Select(r => r.RelativeChange).ToArray(), SeriesStyle.Line)).ToList();
        context.Writer.Write(new PlotSpec("claim3_relative_deviation", "Claim 3: ‖K(s) − K(0)‖_F / ‖K(0)‖_F does not shrink with p", "rescaled time s", "relative kernel change", true, false, devSeries), result);
    }
}
