using QnnSim.Analysis;
using QnnSim.Analysis.NoiseTheory;
using QnnSim.Observables;

namespace QnnSim.Cli.Report.Claims;

/// <summary>
/// Claim N2 (docs/theory.md, "Noise", check 2; issue 11): one-qubit depolarizing noise of strength q on every qubit after
/// every Haar unitary of the paper's model shrinks the Haar-mean kernel at initialisation by
/// R = F^{p−1}·λ²·2S_H/d² (H = M0/γ = Z_0), F = ((1 + 3λ²)^n − 1)/(4^n − 1), λ = 1 − 4q/3; Monte-Carlo means on the
/// density matrix (<see cref="NoisyKernelChecks.LocalDepolarizingMeanKernel"/>) for d = 4, 8, 16 and several q, and the
/// decay in depth at rate F.
/// </summary>
internal sealed class NoiseLocalKernelClaim : IClaim
{
    public string Id => "N2";
    public string Title => "Local depolarizing noise: the mean kernel at initialisation shrinks by F^(p−1)·λ²·2S_H/d²";

    private const int Layers = 8, DepthQubits = 2;
    private const double Gamma = 1.0, Sigmas = 4.0, DepthNoise = 0.05;
    private static readonly int[] QubitCounts = [2, 3, 4];
    private static readonly int[] DepthLayers = [2, 4, 8, 16];
    private static double[] Strengths(ReproduceSettings s) => s.Full ? [0.01, 0.02, 0.05, 0.1] : [0.02, 0.05];
    /// <summary>Circuits per (d, q): about 2–3 % relative standard error in quick mode.</summary>
    private static int Circuits(ReproduceSettings s, int n) => (s.Full ? 4 : 1) * n switch { 2 => 600, 3 => 400, _ => 250 };
    private static int DepthCircuits(ReproduceSettings s) => s.Full ? 2000 : 400;

    public long WorkUnits(ReproduceSettings settings) =>
        QubitCounts.Sum(n => Strengths(settings).Length * Circuits(settings, n) * (long)Layers * (1L << (2 * n)) / 64)
        + DepthLayers.Sum(p => (long)DepthCircuits(settings) * p * 16 / 64);

    public void Run(ClaimContext context, ClaimResult result)
    {
        var qs = Strengths(context.Settings);
        result.Settings = $"p = {Layers}, γ = {Gamma}, H = M0/γ = Z_0, θ = 0, input |0⟩ (W_1 makes it Haar-random), all W_l Haar; depolarizing(q) on every qubit after every W_1 … W_(p+1) (p + 1 rounds); d in {{4, 8, 16}} with {string.Join(", ", QubitCounts.Select(n => $"{Circuits(context.Settings, n)} circuits at d = {1 << n}"))}, q in {{{string.Join(", ", qs)}}} (the same circuits for every q); depth decay at d = {1 << DepthQubits}, q = {DepthNoise}, p in {{{string.Join(", ", DepthLayers)}}}, {DepthCircuits(context.Settings)} circuits per depth; density matrix, adjoint gradients";
        result.Explanation = "docs/theory.md (Noise, check 2): the kernel is a second moment. A Haar twirl maps the second moment of a traceless operator to a multiple of Σ_(P≠I) P⊗P; the depolarizing layer weighs each string by λ^(2w); the next twirl keeps Σ λ^(2w) = (1 + 3λ²)^n − 1 of 4^n − 1. For derivative l, the p − 1 channels after W_1 … W_(l−1) and W_(l+1) … W_p are fully averaged (F each), the channel after W_l meets the generator (Paulis anticommuting with H: 2S_H/d²) and the channel after W_(p+1) meets the readout (λ^(2w(P))). So E[K_ij] = F^(p−1)·λ²·2S_H/d²·pγ²·2d²(dF_ij − 1)/(d² − 1)², exponential in depth at rate F.";
        var jobs = (from n in QubitCounts from k in Enumerable.Range(0, qs.Length) select (n, k)).ToArray();
        var estimates = new MonteCarloEstimate[jobs.Length];
        // Each Monte-Carlo run threads over circuits (context.Settings.Threads); the runs go one after another.
        for (int j = 0; j < jobs.Length; j++)
        {
            var (n, k) = jobs[j];
            var seed = ClaimSetup.Seeds(context.Settings.Seed, ClaimSetup.Stream(102, Layers, n)).Model;
            estimates[j] = Estimate(context, n, Layers, qs[k], Circuits(context.Settings, n), seed);
        }
        var depth = new MonteCarloEstimate[DepthLayers.Length];
        for (int i = 0; i < DepthLayers.Length; i++)
        {
            var seed = ClaimSetup.Seeds(context.Settings.Seed, ClaimSetup.Stream(102, DepthLayers[i], 100)).Model;
            depth[i] = Estimate(context, DepthQubits, DepthLayers[i], DepthNoise, DepthCircuits(context.Settings), seed);
        }
        var (slope, slopeSe) = NoisyKernelChecks.DepthDecaySlope(DepthLayers, depth);
        double lnF = Math.Log(NoiseTheoryFormulas.LayerFactor(DepthQubits, NoiseTheoryFormulas.DepolarizingShrink(DepthNoise)));

        var table = new DataTable("claimN2_mean_kernel", "series", "d", "layers", "q", "lambda", "layer_factor_F", "mean_K_ii", "stderr", "predicted", "noiseless_predicted", "sigmas", "circuits");
        void Row(int series, int n, int p, double q, MonteCarloEstimate e, int circuits)
        {
            double l = NoiseTheoryFormulas.DepolarizingShrink(q);
            table.Add(series, 1 << n, p, q, l, NoiseTheoryFormulas.LayerFactor(n, l), e.Mean, e.StandardError, e.Predicted, TheoryFormulas.HaarMeanKernelDiagonal(1 << n, p, Gamma), e.Sigmas, circuits);
        }
        for (int j = 0; j < jobs.Length; j++) Row(0, jobs[j].n, Layers, qs[jobs[j].k], estimates[j], Circuits(context.Settings, jobs[j].n));
        for (int i = 0; i < DepthLayers.Length; i++) Row(1, DepthQubits, DepthLayers[i], DepthNoise, depth[i], DepthCircuits(context.Settings));
        context.Writer.Write(table, result);

        int figures = jobs.Length + DepthLayers.Length + 1, within3 = 0;
        string meaning = $"{Sigmas} standard errors: two-sided false-failure probability 6.3e-5 per figure under a normal mean ({figures * 6.3e-5:G2} for the claim's {figures} figures)";
        for (int j = 0; j < jobs.Length; j++)
        {
            var (n, k) = jobs[j];
            var e = estimates[j];
            string key = $"d{1 << n}_q{qs[k].ToString("G", System.Globalization.CultureInfo.InvariantCulture).Replace('.', '_')}";
            result.Measured[$"mean_kernel_{key}"] = e.Mean;
            result.Measured[$"mean_kernel_{key}_stderr"] = e.StandardError;
            result.Predicted[$"mean_kernel_{key}"] = e.Predicted;
            result.Predicted[$"noiseless_mean_kernel_{key}"] = TheoryFormulas.HaarMeanKernelDiagonal(1 << n, Layers, Gamma);
            if (Math.Abs(e.Sigmas) <= 3) within3++;
            result.Check($"mean_kernel_{key}_sigmas", e.Sigmas, -Sigmas, Sigmas, meaning);
        }
        for (int i = 0; i < DepthLayers.Length; i++)
        {
            if (Math.Abs(depth[i].Sigmas) <= 3) within3++;
            result.Measured[$"depth_mean_kernel_p{DepthLayers[i]}"] = depth[i].Mean;
            result.Predicted[$"depth_mean_kernel_p{DepthLayers[i]}"] = depth[i].Predicted;
            result.Check($"depth_mean_kernel_p{DepthLayers[i]}_sigmas", depth[i].Sigmas, -Sigmas, Sigmas, meaning);
        }
        double slopeSigmas = (slope - lnF) / slopeSe;
        if (Math.Abs(slopeSigmas) <= 3) within3++;
        result.Measured["depth_decay_factor_per_layer"] = Math.Exp(slope);
        result.Measured["depth_decay_slope"] = slope;
        result.Measured["depth_decay_slope_stderr"] = slopeSe;
        result.Predicted["depth_decay_factor_per_layer"] = Math.Exp(lnF);
        result.Predicted["depth_decay_slope"] = lnF;
        result.Check("depth_decay_slope_sigmas", slopeSigmas, -Sigmas, Sigmas, "weighted least-squares slope of ln(E[K]/p) against p, against ln F; " + meaning);
        result.Measured["figures_within_3_standard_errors"] = $"{within3} of {figures}";
        result.Tolerance = $"every Monte-Carlo mean within {Sigmas} standard errors of the derived E[K_ii], and the depth slope within {Sigmas} standard errors of ln F; how many sit within issue 11's 3 standard errors is reported. Why 4 and not 3 in the gate: at 3 standard errors (2.7e-3 per figure) the claim's {figures} figures would fail {1 - Math.Pow(1 - 2.7e-3, figures):P1} of seeds, and the verdict must hold on every seed (issue 13); the NUnit tests check 3 standard errors at fixed seeds";
        result.VerdictFromGates();

        var bars = new List<Series>();
        for (int c = 0; c < QubitCounts.Length; c++)
        {
            int n = QubitCounts[c];
            double e0 = TheoryFormulas.HaarMeanKernelDiagonal(1 << n, Layers, Gamma);
            var idx = Enumerable.Range(0, jobs.Length).Where(j => jobs[j].n == n).ToArray();
            bars.Add(new Series($"d = {1 << n}: Monte Carlo ± 1 s.e.", [.. idx.Select(j => qs[jobs[j].k])], [.. idx.Select(j => estimates[j].Mean / e0)], SeriesStyle.ErrorBars, [.. idx.Select(j => estimates[j].StandardError / e0)]) { Colour = c });
            var grid = Enumerable.Range(0, 41).Select(i => i * qs[^1] * 1.1 / 40).ToArray();
            bars.Add(new Series($"d = {1 << n}: F^(p−1)·λ²·2S_H/d²", grid, [.. grid.Select(q => NoiseTheoryFormulas.LocalDepolarizingKernelRatio(n, Layers, q, PauliString.Z(0), PauliString.Z(0)))], SeriesStyle.Dashed) { Colour = c });
        }
        context.Writer.Write(new PlotSpec("claimN2_kernel_ratio", $"Claim N2: E[K_ii] under local depolarizing noise ÷ noiseless (p = {Layers})",
            "depolarizing strength q per qubit and layer", "E[K_ii] / E[K_ii](q = 0)", false, false, bars) { Legend = ScottPlot.Alignment.LowerLeft }, result);

        double a = TheoryFormulas.HaarMeanKernelDiagonal(1 << DepthQubits, 1, Gamma) * NoiseTheoryFormulas.LocalDepolarizingKernelRatio(DepthQubits, 1, DepthNoise, PauliString.Z(0), PauliString.Z(0));
        var depthGrid = Enumerable.Range(1, DepthLayers[^1]).Select(x => (double)x).ToArray();
        // Series 0 of the CSV is the (d, q) grid at p = Layers, series 1 the depth sweep.
        // ln(E[K]/p) on a linear axis: the prediction is a straight line of slope ln F and the error bars are SE/mean.
        context.Writer.Write(new PlotSpec("claimN2_depth_decay", $"Claim N2: depth decay at d = {1 << DepthQubits}, q = {DepthNoise}: E[K_ii]/p ∝ F^(p−1), F = {Math.Exp(lnF):G4}",
            "layers p", "ln(E[K_ii] / p)", false, false,
            [
                new Series("Monte Carlo ± 1 s.e.", [.. DepthLayers.Select(x => (double)x)], [.. depth.Select((e, i) => Math.Log(e.Mean / DepthLayers[i]))], SeriesStyle.ErrorBars, [.. depth.Select(e => e.StandardError / e.Mean)]) { Colour = 0 },
                new Series($"prediction: slope ln F = {lnF:G4}", depthGrid, [.. depthGrid.Select(p => Math.Log(a) + (p - 1) * lnF)], SeriesStyle.Dashed) { Colour = 1 },
                new Series($"weighted fit: slope {slope:G4} ± {slopeSe:G2}", depthGrid, [.. depthGrid.Select(p => Math.Log(depth[0].Mean / DepthLayers[0]) + slope * (p - DepthLayers[0]))], SeriesStyle.Line) { Colour = 2 },
            ]) { Legend = ScottPlot.Alignment.UpperRight }, result);
    }

    private static MonteCarloEstimate Estimate(ClaimContext context, int n, int layers, double q, int circuits, ulong seed)
    {
        long done = 0;
        var gate = new object();
        long unit = layers * (1L << (2 * n));
        var progress = new Common.SyncProgress<int>(c =>
        {
            long delta;
            lock (gate) { delta = c - done; if (delta <= 0) return; done = c; }
            context.Advance(delta * unit / 64);
        });
        return NoisyKernelChecks.LocalDepolarizingMeanKernel(n, layers, q, circuits, Gamma, seed, context.Settings.Threads, progress, context.Token);
    }
}
