namespace QnnSim.Analysis;

/// <summary>What docs/theory.md §3 predicts for a run of the paper's model, and where the prediction does not apply.</summary>
/// <param name="Kind">Linear (|y| &lt; γ), sublinear (|y| = γ) or stalled (|y| &gt; γ).</param>
/// <param name="Slope">Predicted log–log slope (−1 when sublinear, else NaN).</param>
/// <param name="Rate">Predicted rate per unit s, −ln(1 − η0κ)/η0 with κ = 2c(γ² − 1) (linear, else NaN).</param>
/// <param name="Limit">Sublinear: s‖r‖ → √m/(4c); stalled: ‖r‖ → √m(1 − γ); else NaN.</param>
/// <param name="Statement">One sentence for people.</param>
/// <param name="Warnings">Conditions under which the prediction is not expected to hold.</param>
public sealed record TheoryPrediction(ConvergenceKind Kind, double Slope, double Rate, double Limit, string Statement, IReadOnlyList<string> Warnings)
{
    /// <summary>The prediction for d, p, m samples labelled ±1, M0 = γ·Pauli, η0 and the run length in s.</summary>
    public static TheoryPrediction For(int dimension, int layers, int samples, double gamma, double eta0, double finalTime)
    {
        double c = TheoryFormulas.PauliGeneratorConstant(dimension);
        var warnings = new List<string>();
        if (layers < 4 * dimension * dimension)
            warnings.Add($"p = {layers} is below 4d² = {4 * dimension * dimension}: finite-p corrections (≈ p^(-1/2)) are visible; the asymptotic predictions are for p ≫ d².");
        if (Math.Abs(gamma - 1) < 1e-12)
        {
            double limit = TheoryFormulas.SublinearLimitSamples(c, samples);
            if (2 * samples > dimension)
                warnings.Add($"m = {samples} > d/2 = {dimension / 2}: the samples cannot decouple, so s‖r‖ does not approach √m/(4c) (about half of it at m = d).");
            if (finalTime < 100) warnings.Add($"the run ends at s = {finalTime:G3}: the 1/s regime needs s ≳ 100.");
            return new(ConvergenceKind.Sublinear, -1, double.NaN, limit,
                $"sublinear: ‖r‖ ~ 1/s (log–log slope −1) with s‖r‖ → √m/(4c) = {limit:G4}; the frozen kernel predicts exponential decay instead", warnings);
        }
        if (gamma > 1)
        {
            double kappa = TheoryFormulas.SingleSampleRate(c, gamma, 1);
            if (samples > 1) warnings.Add("the rate formula is the single-sample one; with m > 1 samples the kernel's slowest mode sets the late-time rate.");
            if (eta0 * kappa >= 1)
            {
                warnings.Add($"η0·κ = {eta0 * kappa:G3} ≥ 1: the discrete rate formula does not apply (step too large).");
                return new(ConvergenceKind.Linear, double.NaN, double.NaN, double.NaN, "linear convergence (rate formula not applicable for this η0)", warnings);
            }
            double rate = TheoryFormulas.DiscreteRate(eta0, kappa);
            return new(ConvergenceKind.Linear, double.NaN, rate, double.NaN,
                $"linear: ‖r‖ ~ exp(−{rate:G4}·s), rate −ln(1 − η0κ)/η0 with κ = 2c(γ² − 1) = {kappa:G4}", warnings);
        }
        double frozen = Math.Sqrt(samples) * (1 - gamma);
        return new(ConvergenceKind.Stalled, double.NaN, double.NaN, frozen,
            $"stalled: labels ±1 lie outside the spectrum ±{gamma:G3} of M0, each residual freezes at 1 − γ (‖r‖ → {frozen:G4})", warnings);
    }
}

/// <summary>
/// One convergence experiment on the paper's model (You et al., ICML 2023, arXiv:2303.14844): seeded Haar layers
/// (model seed S), m orthonormal states labelled ±1 (dataset seed S + 1000), θ_0 uniform (seed S + 2000), M0 = γ·Z0,
/// generators Z0, gradient descent with η = η0/p, and beside it the frozen-kernel prediction and the asymptotic
/// dynamics integrated from M(0) = U(θ_0)† M0 U(θ_0), then the diagnosis and the theory's prediction.
/// </summary>
public sealed class ConvergenceExperiment
{
    /// <summary>
    /// The most steps of the asymptotic dynamics an experiment integrates (10^7): η0·steps / min(0.25, max(η0, 0.01))
    /// must not exceed it, so a huge η0 or step count is refused before training instead of integrating for ever.
    /// </summary>
    public const double MaxAsymptoticSteps = 1e7;

    /// <summary>The step of the asymptotic dynamics' integration for <paramref name="eta0"/>: min(0.25, max(η0, 0.01)).</summary>
    private static double AsymptoticStep(double eta0) => Math.Min(0.25, Math.Max(eta0, 0.01));

    private ConvergenceExperiment() { }

    /// <summary>n.</summary>
    public int Qubits { get; private init; }

    /// <summary>The noise the model was trained under, or null (pure states).</summary>
    public ModelNoise? Noise { get; private init; }

    /// <summary>The readout mode of training.</summary>
    public ReadoutMode Readout { get; private init; } = ReadoutMode.Exact;

    /// <summary>p.</summary>
    public int Layers { get; private init; }

    /// <summary>m.</summary>
    public int Samples { get; private init; }

    /// <summary>γ.</summary>
    public double Gamma { get; private init; }

    /// <summary>η0.</summary>
    public double Eta0 { get; private init; }

    /// <summary>c = d/(d² − 1).</summary>
    public double C { get; private init; }

    /// <summary>The model.</summary>
    public PaperModel Model { get; private init; } = null!;

    /// <summary>The dataset.</summary>
    public Dataset Data { get; private init; } = null!;

    /// <summary>The training run (kernels recorded).</summary>
    public TrainingRun Training { get; private init; } = null!;

    /// <summary>Kernel deviation from K(0) at each record.</summary>
    public IReadOnlyList<KernelDeviation> Deviations { get; private init; } = [];

    /// <summary>‖(I − ηK(0))^k r_0‖ at each record.</summary>
    public IReadOnlyList<double> FrozenResidualNorms { get; private init; } = [];

    /// <summary>The asymptotic dynamics at each record's s.</summary>
    public IReadOnlyList<AsymptoticPoint> Asymptotic { get; private init; } = [];

    /// <summary>The measured behaviour.</summary>
    public ConvergenceDiagnosis Diagnosis { get; private init; } = null!;

    /// <summary>The predicted behaviour.</summary>
    public TheoryPrediction Prediction { get; private init; } = null!;

    /// <summary>s·‖r‖ at the last record (compare with <see cref="TheoryPrediction.Limit"/> when sublinear), or ‖r‖ when stalled.</summary>
    public double MeasuredLimit { get; private init; }

    /// <summary>Runs the experiment.</summary>
    /// <param name="qubits">n (1..8).</param>
    /// <param name="layers">p ≥ 1.</param>
    /// <param name="samples">m in 1..2^n.</param>
    /// <param name="gamma">γ &gt; 0.</param>
    /// <param name="eta0">η0 &gt; 0.</param>
    /// <param name="steps">Gradient-descent steps.</param>
    /// <param name="seed">S.</param>
    /// <param name="progress">Fraction done in [0, 1].</param>
    /// <param name="cancellationToken">Stops training early (the records so far are kept and compared).</param>
    /// <param name="record">Recorded steps (default logarithmic, 20 per decade).</param>
    /// <param name="noise">Train under this noise (<see cref="QnnModel.WithNoise(ModelNoise?)"/> on the model's circuit
    /// <see cref="PaperModel.ToCircuit"/>, input states prepared noiselessly); null (default): the exact pure-state engine.</param>
    /// <param name="readout">The readout mode (default exact); with shots, training is gradient descent on shot estimates.</param>
    /// <param name="gradientOptions">Threads of the noisy or shot evaluation (samples in parallel); ignored by the pure-state engine.</param>
    /// <remarks>Under noise or shots the frozen-kernel prediction and the kernel deviations use the noisy kernels; the
    /// asymptotic dynamics and <see cref="Prediction"/> stay the noiseless theory (docs/theory.md), the reference the noisy
    /// run is compared with.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range, or a horizon η0·steps that needs more
    /// than <see cref="MaxAsymptoticSteps"/> steps of the asymptotic dynamics (checked before training).</exception>
    /// <exception cref="OperationCanceledException">Cancelled while the asymptotic dynamics are integrated (a cancelled
    /// training run is kept and compared; the integration after it honours the token too).</exception>
    public static ConvergenceExperiment Run(int qubits, int layers, int samples, double gamma, double eta0, long steps, ulong seed,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default, RecordSchedule? record = null,
        ModelNoise? noise = null, ReadoutMode? readout = null, Gradients.GradientOptions? gradientOptions = null)
    {
        if (!(eta0 > 0) || !double.IsFinite(eta0)) throw new ArgumentOutOfRangeException(nameof(eta0), eta0, $"eta0 = {eta0} is out of range; allowed: a finite number > 0.");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps = {steps} is out of range; allowed: ≥ 0.");
        double odeStep = AsymptoticStep(eta0), odeSteps = eta0 * steps / odeStep;
        if (odeSteps > MaxAsymptoticSteps)
            throw new ArgumentOutOfRangeException(nameof(eta0), eta0,
                $"eta0·steps = {eta0 * steps:G4} (the rescaled time to compare) needs {odeSteps:G3} steps of the asymptotic dynamics (step {odeStep}); allowed: at most {MaxAsymptoticSteps:G3}, i.e. eta0·steps ≤ {MaxAsymptoticSteps * odeStep:G3}. Lower eta0 or steps.");
        var model = PaperModel.CreateRandom(qubits, layers, seed, gamma);
        var data = Dataset.OrthonormalStates(qubits, samples, seed + 1000);
        var engine = model.CreateEngine(data.States!);
        var theta0 = InitialParameters.Uniform(layers, seed + 2000);
        var options = TrainingOptions.Rescaled(eta0, layers, steps) with { Record = record ?? RecordSchedule.Logarithmic() };
        IModelEvaluator trained = engine;
        if (noise is not null || readout is { IsExact: false })
            trained = new QnnModel(model.ToCircuit(), model.Observable, gradientOptions).WithNoise(noise).WithReadout(readout ?? ReadoutMode.Exact).Bind(data);
        var run = GradientDescent.Train(trained, data.LabelArray(), theta0, options,
            progress is null ? null : new ProgressAdapter(progress, 0.9), cancellationToken);
        var first = run.Records[0];
        var frozen = new FrozenKernelPrediction(first.Kernel!, first.Residuals, run.LearningRate);
        var ode = new AsymptoticDynamics(engine.HeisenbergReadout(theta0), data.States!, data.LabelArray(), model.GeneratorConstant);
        var points = ode.Integrate(run.Times, odeStep, run.Cancelled ? CancellationToken.None : cancellationToken);
        progress?.Report(1.0);
        var last = run.Records[^1];
        var prediction = TheoryPrediction.For(model.Dimension, layers, samples, gamma, eta0, last.Time);
        return new ConvergenceExperiment
        {
            Noise = noise,
            Readout = readout ?? ReadoutMode.Exact,
            Qubits = qubits,
            Layers = layers,
            Samples = samples,
            Gamma = gamma,
            Eta0 = eta0,
            C = model.GeneratorConstant,
            Model = model,
            Data = data,
            Training = run,
            Deviations = run.KernelDeviations(),
            FrozenResidualNorms = [.. run.Records.Select(r => Math.Sqrt(frozen.Discrete(r.Step).Sum(v => v * v)))],
            Asymptotic = points,
            Diagnosis = ConvergenceAnalysis.Diagnose(run.Times, run.ResidualNorms),
            Prediction = prediction,
            MeasuredLimit = prediction.Kind == ConvergenceKind.Stalled ? last.ResidualNorm : last.Time * last.ResidualNorm,
        };
    }

    private sealed class ProgressAdapter(IProgress<double> target, double scale) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => target.Report(value.TotalSteps == 0 ? scale : scale * value.Step / value.TotalSteps);
    }
}
