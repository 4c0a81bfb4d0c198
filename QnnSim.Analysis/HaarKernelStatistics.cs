using QnnSim.Observables;

namespace QnnSim.Analysis;

/// <summary>A Monte-Carlo mean with its standard error and the formula it is compared with.</summary>
/// <param name="Mean">Sample mean.</param>
/// <param name="StandardError">Sample standard deviation / √N.</param>
/// <param name="Predicted">The Haar formula (THEORY.md §4).</param>
public readonly record struct MonteCarloEstimate(double Mean, double StandardError, double Predicted)
{
    /// <summary>(Mean − Predicted)/StandardError.</summary>
    public double Sigmas => (Mean - Predicted) / StandardError;

    /// <summary>Mean/Predicted − 1.</summary>
    public double RelativeError => Mean / Predicted - 1;
}

/// <summary>Result of <see cref="HaarKernelStatistics.Estimate"/>.</summary>
/// <param name="Dimension">d.</param>
/// <param name="Layers">p.</param>
/// <param name="Circuits">Number of Haar circuits drawn.</param>
/// <param name="Overlap">F = |⟨ψ_1|ψ_2⟩|².</param>
/// <param name="Gamma">γ.</param>
/// <param name="Diagonal">(K_11 + K_22)/2 per circuit.</param>
/// <param name="OffDiagonal">K_12.</param>
/// <param name="Output">ŷ_1 against E[ŷ] = 0 (Pauli readout).</param>
/// <param name="OutputVariance">Sample variance of ŷ_1 against γ²/(d + 1), its standard error from the fourth moment.</param>
public sealed record HaarKernelEstimate(int Dimension, int Layers, int Circuits, double Overlap, double Gamma,
    MonteCarloEstimate Diagonal, MonteCarloEstimate OffDiagonal, MonteCarloEstimate Output, MonteCarloEstimate OutputVariance);

/// <summary>
/// Monte-Carlo averages of the tangent kernel at initialisation over Haar-random circuits of the paper's ansatz
/// (THEORY.md §4; You et al., ICML 2023, arXiv:2303.14844), against E[K_ij] = pγ²·2d²(dF_ij − 1)/(d² − 1)².
/// </summary>
public static class HaarKernelStatistics
{
    /// <summary>
    /// Draws <paramref name="circuits"/> models (circuit c takes its model seed from stream c of <paramref name="seed"/>;
    /// H = P = Z0, θ = 0, inputs from <see cref="Dataset.StatePair"/>(n, F, seed)) and averages K_11, K_22, K_12 and ŷ_1.
    /// Results do not depend on <paramref name="maxThreads"/>.
    /// </summary>
    /// <param name="qubits">n (1..8).</param>
    /// <param name="layers">p ≥ 1.</param>
    /// <param name="circuits">N ≥ 2.</param>
    /// <param name="overlap">F in [0, 1].</param>
    /// <param name="gamma">γ &gt; 0.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="finalUnitary">False drops W_{p+1} (the negative control: mean (p − 1)/p of the formula with H = P = Z0).</param>
    /// <param name="maxThreads">Threads (≥ 1).</param>
    /// <param name="progress">Receives the number of finished circuits.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static HaarKernelEstimate Estimate(int qubits, int layers, int circuits, double overlap, double gamma, ulong seed,
        bool finalUnitary = true, int maxThreads = 1, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (qubits < 1 || qubits > 8) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..8.");
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers = {layers} is out of range; allowed: at least 1.");
        if (circuits < 2) throw new ArgumentOutOfRangeException(nameof(circuits), circuits, $"circuits = {circuits} is out of range; allowed: at least 2.");
        if (maxThreads < 1) throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, $"maxThreads = {maxThreads} is out of range; allowed: at least 1.");
        var data = Dataset.StatePair(qubits, overlap, seed);
        int d = 1 << qubits;
        var k11 = new double[circuits];
        var k22 = new double[circuits];
        var k12 = new double[circuits];
        var y1 = new double[circuits];
        int done = 0;
        Parallel.For(0, circuits, new ParallelOptions { MaxDegreeOfParallelism = maxThreads, CancellationToken = cancellationToken }, c =>
        {
            ulong circuitSeed = Randomness.SeededRandom.ForStream(seed, (ulong)c).NextUInt64();
            var model = PaperModel.CreateRandom(qubits, layers, circuitSeed, gamma,
                PauliString.Z(0), PauliString.Z(0), finalUnitary);
            var engine = model.CreateEngine(data.States!);
            var outputs = new double[2];
            var j = new double[2 * layers];
            engine.Evaluate(new double[layers], outputs, j);
            var k = TangentKernel.FromJacobian(j, 2, layers);
            k11[c] = k[0, 0];
            k22[c] = k[1, 1];
            k12[c] = k[0, 1];
            y1[c] = outputs[0];
            int n = Interlocked.Increment(ref done);
            if (progress is not null && (n % 64 == 0 || n == circuits)) progress.Report(n);
        });
        var diag = MeanAndError([.. k11.Select((v, i) => 0.5 * (v + k22[i]))]);
        var off = MeanAndError(k12);
        var out1 = MeanAndError(y1);
        // Variance of ŷ: sample variance and the delta-method error √((μ4 − σ⁴)/N).
        double mean = out1.Mean, m2 = 0, m4 = 0;
        foreach (double v in y1) { double e = v - mean; m2 += e * e; m4 += e * e * e * e; }
        m2 /= circuits - 1;
        m4 /= circuits;
        return new HaarKernelEstimate(d, layers, circuits, overlap, gamma,
            new MonteCarloEstimate(diag.Mean, diag.Se, TheoryFormulas.HaarMeanKernelDiagonal(d, layers, gamma)),
            new MonteCarloEstimate(off.Mean, off.Se, TheoryFormulas.HaarMeanKernel(d, layers, gamma, overlap)),
            new MonteCarloEstimate(out1.Mean, out1.Se, TheoryFormulas.HaarOutputMean(d, 0)),
            new MonteCarloEstimate(m2, Math.Sqrt(Math.Max(m4 - m2 * m2, 0) / circuits), TheoryFormulas.HaarOutputVariance(d, gamma * gamma * d, 0)));
    }

    private static (double Mean, double Se) MeanAndError(double[] v)
    {
        double mean = v.Average(), ss = 0;
        foreach (double x in v) ss += (x - mean) * (x - mean);
        return (mean, Math.Sqrt(ss / (v.Length - 1) / v.Length));
    }
}
