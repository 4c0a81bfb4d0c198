using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;

namespace QnnSim.Analysis.NoiseTheory;

/// <summary>Result of <see cref="NoisyKernelChecks.GlobalDepolarizingScaling"/>: one instance, density matrix against the closed form.</summary>
/// <param name="Probability">p of each global channel.</param>
/// <param name="Channels">L (= p layers: one channel after every layer).</param>
/// <param name="PredictedOutputScale">(1 − p)^L.</param>
/// <param name="IdealOutputs">ŷ_i of the noiseless engine (<see cref="PaperModelEngine"/>).</param>
/// <param name="NoisyOutputs">ŷ_i on the density matrix with the channels.</param>
/// <param name="IdealKernel">K of the noiseless engine.</param>
/// <param name="NoisyKernel">K = J Jᵀ from the density-matrix adjoint Jacobian.</param>
/// <param name="MaxOutputDeviation">max_i |ŷ_noisy,i − (1 − p)^L ŷ_i|.</param>
/// <param name="MaxGradientDeviation">max_il |J_noisy,il − (1 − p)^L J_il|.</param>
/// <param name="MaxKernelDeviation">max_ij |K_noisy,ij − (1 − p)^{2L} K_ij|.</param>
public sealed record GlobalScalingResult(double Probability, int Channels, double PredictedOutputScale, double[] IdealOutputs, double[] NoisyOutputs,
    TangentKernel IdealKernel, TangentKernel NoisyKernel, double MaxOutputDeviation, double MaxGradientDeviation, double MaxKernelDeviation)
{
    /// <summary>(1 − p)^{2L}.</summary>
    public double PredictedKernelScale => PredictedOutputScale * PredictedOutputScale;

    /// <summary>tr K_noisy / tr K_ideal (the measured kernel scale).</summary>
    public double MeasuredKernelScale => NoisyKernel.Trace / IdealKernel.Trace;
}

/// <summary>
/// The noise checks of docs/theory.md ("Noise") on the paper's model (You et al., ICML 2023, arXiv:2303.14844): exact
/// density-matrix gradients (<see cref="NoisyDifferentiator"/>, adjoint method) against the closed forms of
/// <see cref="NoiseTheoryFormulas"/>.
/// </summary>
public static class NoisyKernelChecks
{
    /// <summary>
    /// Check 1: the paper's model on n qubits with p Haar layers, generator and readout Z_0 (M0 = γZ_0), the first m states
    /// of <see cref="Dataset.OrthonormalStates"/>, θ uniform on [0, 2π), and a global depolarizing channel on all qubits after
    /// every layer (L = p). Outputs, Jacobian and kernel on the density matrix against (1 − p)^L and (1 − p)^{2L} times the
    /// noiseless engine's.
    /// </summary>
    /// <param name="qubits">n, 1..6.</param>
    /// <param name="layers">p ≥ 1.</param>
    /// <param name="samples">m, 1..2^n.</param>
    /// <param name="probability">p of each channel, in [0, 1].</param>
    /// <param name="gamma">γ &gt; 0.</param>
    /// <param name="seed">Seeds the model (stream 0), the data (stream 1) and θ (stream 2).</param>
    /// <param name="maxThreads">Threads of the density-matrix Jacobian (results do not depend on it).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range.</exception>
    public static GlobalScalingResult GlobalDepolarizingScaling(int qubits, int layers, int samples, double probability, double gamma, ulong seed, int maxThreads = 1)
    {
        if (qubits < 1 || qubits > 6) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..6.");
        if (samples < 1 || samples > 1 << qubits) throw new ArgumentOutOfRangeException(nameof(samples), samples, $"samples = {samples} is out of range; allowed: 1..{1 << qubits}.");
        var channel = NoiseChannel.GlobalDepolarizing(probability, qubits);
        var model = PaperModel.CreateRandom(qubits, layers, SeededRandom.ForStream(seed, 0).NextUInt64(), gamma);
        ulong dataSeed = SeededRandom.ForStream(seed, 1).NextUInt64();
        var basis = NoisyPaperCircuits.DatasetBasis(qubits, dataSeed);
        var theta = InitialParameters.Uniform(layers, SeededRandom.ForStream(seed, 2).NextUInt64());

        var engine = model.CreateEngine(NoisyPaperCircuits.Columns(basis, samples));
        var y0 = new double[samples];
        var j0 = new double[samples * layers];
        engine.Evaluate(theta, y0, j0);

        var circuit = NoisyPaperCircuits.Build(model, channel, PaperNoisePlacement.AfterEachLayer, basis);
        int channels = NoisyPaperCircuits.Rounds(model, PaperNoisePlacement.AfterEachLayer);
        var inputs = Enumerable.Range(0, samples).Select(i => NoisyPaperCircuits.BasisInputs(i, qubits)).ToArray();
        var y1 = new double[samples];
        var j1 = new double[samples * layers];
        new NoisyDifferentiator(options: SimulationOptions.Default with { MaxThreads = maxThreads })
            .Jacobian(circuit, ParameterValues.Of(theta), inputs, model.Observable, y1, j1);

        double s = NoiseTheoryFormulas.GlobalOutputScale(probability, channels);
        var k0 = TangentKernel.FromJacobian(j0, samples, layers);
        var k1 = TangentKernel.FromJacobian(j1, samples, layers);
        double dy = 0, dj = 0, dk = 0;
        for (int i = 0; i < samples; i++) dy = Math.Max(dy, Math.Abs(y1[i] - s * y0[i]));
        for (int i = 0; i < j0.Length; i++) dj = Math.Max(dj, Math.Abs(j1[i] - s * j0[i]));
        for (int a = 0; a < samples; a++)
            for (int b = 0; b < samples; b++) dk = Math.Max(dk, Math.Abs(k1[a, b] - s * s * k0[a, b]));
        return new GlobalScalingResult(probability, channels, s, y0, y1, k0, k1, dy, dj, dk);
    }

    /// <summary>
    /// Check 2: Monte-Carlo mean of K_11 = ‖∇ŷ‖² at θ = 0 over <paramref name="circuits"/> Haar-random instances of the
    /// paper's model (generator and readout Z_0, M0 = γZ_0, input |0⟩, which W_1 makes a Haar-random state) with one-qubit
    /// depolarizing noise of strength q on every qubit after every Haar unitary W_1 … W_{p+1}
    /// (<see cref="PaperNoisePlacement.AfterEachHaarUnitary"/>), on the density matrix, against
    /// <see cref="NoiseTheoryFormulas.LocalDepolarizingMeanKernelDiagonal"/>. Circuit c takes its model seed from stream c
    /// of <paramref name="seed"/> (the same circuits for every q); results do not depend on <paramref name="maxThreads"/>.
    /// </summary>
    /// <param name="qubits">n, 1..5.</param>
    /// <param name="layers">p ≥ 1.</param>
    /// <param name="q">Depolarizing strength in [0, 1].</param>
    /// <param name="circuits">N ≥ 2.</param>
    /// <param name="gamma">γ &gt; 0.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="maxThreads">Threads over circuits (≥ 1).</param>
    /// <param name="progress">Receives the number of finished circuits.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static MonteCarloEstimate LocalDepolarizingMeanKernel(int qubits, int layers, double q, int circuits, double gamma, ulong seed,
        int maxThreads = 1, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (qubits < 1 || qubits > 5) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..5.");
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers = {layers} is out of range; allowed: at least 1.");
        if (circuits < 2) throw new ArgumentOutOfRangeException(nameof(circuits), circuits, $"circuits = {circuits} is out of range; allowed: at least 2.");
        if (maxThreads < 1) throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, $"maxThreads = {maxThreads} is out of range; allowed: at least 1.");
        var channel = NoiseChannel.Depolarizing(q);
        double predicted = NoiseTheoryFormulas.LocalDepolarizingMeanKernelDiagonal(qubits, layers, q, gamma, PauliString.Z(0), PauliString.Z(0));
        var k = new double[circuits];
        var zero = ParameterValues.Of(new double[layers]);
        var single = SimulationOptions.Default with { MaxThreads = 1 };
        int done = 0;
        Parallel.For(0, circuits, new ParallelOptions { MaxDegreeOfParallelism = maxThreads, CancellationToken = cancellationToken },
            () => new NoisyDifferentiator(options: single),
            (c, _, differentiator) =>
            {
                ulong circuitSeed = SeededRandom.ForStream(seed, (ulong)c).NextUInt64();
                var model = PaperModel.CreateRandom(qubits, layers, circuitSeed, gamma);
                var circuit = NoisyPaperCircuits.Build(model, channel, PaperNoisePlacement.AfterEachHaarUnitary);
                var g = differentiator.ValueAndGradient(circuit, zero, InputValues.None, model.Observable, GradientMethod.Adjoint, cancellationToken);
                double sum = 0;
                foreach (double v in g.Gradient) sum += v * v;
                k[c] = sum;
                int n = Interlocked.Increment(ref done);
                if (progress is not null && (n % 32 == 0 || n == circuits)) progress.Report(n);
                return differentiator;
            },
            _ => { });
        double mean = k.Average(), ss = 0;
        foreach (double x in k) ss += (x - mean) * (x - mean);
        return new MonteCarloEstimate(mean, Math.Sqrt(ss / (circuits - 1) / circuits), predicted);
    }

    /// <summary>
    /// The depth decay of check 2: a weighted least-squares fit of ln(E[K_11]/p) against p (weights (mean/SE)²) over
    /// Monte-Carlo means at several depths; the theory predicts the slope ln F (<see cref="NoiseTheoryFormulas.LayerFactor"/>).
    /// Returns the slope and its standard error.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 depths, or a non-positive mean.</exception>
    public static (double Slope, double StandardError) DepthDecaySlope(IReadOnlyList<int> layers, IReadOnlyList<MonteCarloEstimate> means)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(means);
        if (layers.Count < 2 || layers.Count != means.Count) throw new ArgumentException($"need at least 2 depths with one mean each; got {layers.Count} depths and {means.Count} means.", nameof(layers));
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            var e = means[i];
            if (!(e.Mean > 0) || !(e.StandardError > 0)) throw new ArgumentException($"mean {i} = {e.Mean} ± {e.StandardError}; allowed: positive.", nameof(means));
            double x = layers[i], y = Math.Log(e.Mean / layers[i]), w = e.Mean * e.Mean / (e.StandardError * e.StandardError);
            sw += w; sx += w * x; sy += w * y; sxx += w * x * x; sxy += w * x * y;
        }
        double det = sw * sxx - sx * sx;
        return ((sw * sxy - sx * sy) / det, Math.Sqrt(sw / det));
    }
}
