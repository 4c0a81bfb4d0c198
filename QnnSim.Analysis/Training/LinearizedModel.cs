namespace QnnSim.Analysis;

/// <summary>
/// The linearisation of any model about θ₀ (neural-tangents' <c>linearize</c>; Lee et al., "Wide neural networks of any
/// depth evolve as linear models under gradient descent", NeurIPS 2019): f_lin(x; θ) = f(x; θ₀) + J(x; θ₀)(θ − θ₀),
/// itself an <see cref="IBatchModelEvaluator"/> whose Jacobian is J(θ₀) at every θ, so <see cref="Trainer"/> trains it
/// with exactly the options of the real model (<see cref="LinearizedTraining"/> runs the two side by side). Stores
/// f(θ₀) and J(θ₀) for all m samples: m·k·(p + 1) numbers.
/// </summary>
public sealed class LinearizedModel : IBatchModelEvaluator
{
    private readonly double[] _theta0, _f0, _j0;

    /// <summary>Evaluates f(θ₀) and J(θ₀) of <paramref name="model"/> on all its samples.</summary>
    /// <exception cref="ArgumentException">θ₀ of the wrong length.</exception>
    public LinearizedModel(IBatchModelEvaluator model, ReadOnlySpan<double> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (initialParameters.Length != model.ParameterCount) throw new ArgumentException($"θ₀ has length {initialParameters.Length}, but the model has {model.ParameterCount} parameters.", nameof(initialParameters));
        SampleCount = model.SampleCount;
        ParameterCount = model.ParameterCount;
        OutputCount = model.OutputCount;
        _theta0 = initialParameters.ToArray();
        _f0 = new double[SampleCount * OutputCount];
        _j0 = new double[(long)SampleCount * OutputCount * ParameterCount];
        var all = Enumerable.Range(0, SampleCount).ToArray();
        model.Evaluate(_theta0, all, _f0, _j0);
    }

    /// <inheritdoc/>
    public int SampleCount { get; }

    /// <inheritdoc/>
    public int ParameterCount { get; }

    /// <inheritdoc/>
    public int OutputCount { get; }

    /// <summary>θ₀.</summary>
    public IReadOnlyList<double> InitialParameters => _theta0;

    /// <summary>f(θ₀), row-major m × k.</summary>
    public IReadOnlyList<double> InitialOutputs => _f0;

    /// <summary>J(θ₀), row-major (m·k) × p.</summary>
    public ReadOnlySpan<double> InitialJacobian => _j0;

    /// <summary>
    /// The closed form of the linearised model trained by gradient descent on the summed squared error L = ½ Σ_i r_i²
    /// (rate η) from θ₀, at step k (discrete: f = y + (I − ηK)^k r₀) or at time t of gradient flow (continuous:
    /// f = y + e^{−ηKt} r₀), K = J₀J₀ᵀ; and at the points of <paramref name="test"/> (the same model linearised at the
    /// same θ₀ on other samples): f(x) = f₀(x) − K(x, X) K⁻¹ [I − (I − ηK)^k] r₀, or with [I − e^{−ηKt}] (null modes of K
    /// take the limits ηk and ηt). For the mean loss of <see cref="Trainer"/> use η = η_trainer/m.
    /// </summary>
    /// <param name="labels">y (length m).</param>
    /// <param name="learningRate">η &gt; 0.</param>
    /// <param name="time">k (discrete, a whole number ≥ 0) or t ≥ 0 (continuous).</param>
    /// <param name="continuous">Gradient flow instead of discrete steps.</param>
    /// <param name="test">The linearisation on test points, or null.</param>
    /// <returns>The training outputs (length m) and the test outputs (length t, empty without a test model).</returns>
    /// <exception cref="InvalidOperationException">A model with several outputs.</exception>
    /// <exception cref="ArgumentException">Labels of the wrong length, or a test model linearised at another θ₀.</exception>
    /// <exception cref="ArgumentOutOfRangeException">η or the time out of range.</exception>
    public (double[] Train, double[] Test) PredictSquaredError(IReadOnlyList<double> labels, double learningRate, double time, bool continuous = false, LinearizedModel? test = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (OutputCount != 1) throw new InvalidOperationException($"the closed form is for one output; the model has {OutputCount}.");
        if (labels.Count != SampleCount) throw new ArgumentException($"{labels.Count} labels for {SampleCount} samples.", nameof(labels));
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"learningRate = {learningRate} is out of range; allowed: a finite number > 0.");
        if (!(time >= 0) || !double.IsFinite(time) || (!continuous && time != Math.Floor(time)))
            throw new ArgumentOutOfRangeException(nameof(time), time, $"time = {time} is out of range; allowed: {(continuous ? "a finite number ≥ 0" : "a whole number of steps ≥ 0")}.");
        if (test is not null && (test.ParameterCount != ParameterCount || !test._theta0.AsSpan().SequenceEqual(_theta0)))
            throw new ArgumentException("the test model must be linearised at the same θ₀.", nameof(test));
        int m = SampleCount, p = ParameterCount;
        var kernel = TangentKernel.FromJacobian(_j0, m, p);
        var r0 = new double[m];
        for (int i = 0; i < m; i++) r0[i] = _f0[i] - labels[i];
        var vecs = kernel.Eigenvectors;
        var vals = kernel.Eigenvalues;
        // Modes c = Vᵀ r₀; decay factor per mode and the integrated factor (1 − decay)/λ.
        var decay = new double[m];
        var integrated = new double[m];
        var c = new double[m];
        for (int a = 0; a < m; a++)
        {
            double lambda = vals[a];
            for (int i = 0; i < m; i++) c[a] += vecs[i, a] * r0[i];
            decay[a] = continuous ? Math.Exp(-learningRate * lambda * time) : Math.Pow(1 - learningRate * lambda, time);
            integrated[a] = Math.Abs(lambda) > 1e-12 * Math.Max(kernel.MaxEigenvalue, 1e-300) ? (1 - decay[a]) / lambda : learningRate * time;
        }
        var train = new double[m];
        for (int i = 0; i < m; i++)
        {
            double r = 0;
            for (int a = 0; a < m; a++) r += vecs[i, a] * decay[a] * c[a];
            train[i] = labels[i] + r;
        }
        if (test is null) return (train, []);
        int t = test.SampleCount;
        var cross = TangentKernel.Cross(test._j0, _j0, p);
        var w = new double[m];   // V diag(integrated) c
        for (int i = 0; i < m; i++)
            for (int a = 0; a < m; a++) w[i] += vecs[i, a] * integrated[a] * c[a];
        var result = new double[t];
        for (int s = 0; s < t; s++)
        {
            double v = test._f0[s];
            for (int i = 0; i < m; i++) v -= cross[s, i] * w[i];
            result[s] = v;
        }
        return (train, result);
    }

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<int> samples, Span<double> outputs, Span<double> jacobian)
    {
        int k = OutputCount, p = ParameterCount;
        if (parameters.Length != p) throw new ArgumentException($"θ has length {parameters.Length}, but the model has {p} parameters.", nameof(parameters));
        if (outputs.Length != samples.Length * k) throw new ArgumentException($"the output span has length {outputs.Length}, but {samples.Length * k} are required.", nameof(outputs));
        if (!jacobian.IsEmpty && jacobian.Length != samples.Length * k * p) throw new ArgumentException($"the Jacobian span has length {jacobian.Length}, but {samples.Length * k * p} are required.", nameof(jacobian));
        Span<double> delta = p <= 512 ? stackalloc double[p] : new double[p];
        for (int l = 0; l < p; l++) delta[l] = parameters[l] - _theta0[l];
        for (int i = 0; i < samples.Length; i++)
        {
            int s = samples[i];
            if ((uint)s >= (uint)SampleCount) throw new ArgumentOutOfRangeException(nameof(samples), s, $"sample index {s} is out of range; allowed: 0..{SampleCount - 1}.");
            for (int o = 0; o < k; o++)
            {
                var row = _j0.AsSpan((s * k + o) * p, p);
                double f = _f0[s * k + o];
                for (int l = 0; l < p; l++) f += row[l] * delta[l];
                outputs[i * k + o] = f;
                if (!jacobian.IsEmpty) row.CopyTo(jacobian.Slice((i * k + o) * p, p));
            }
        }
    }
}

/// <summary>One record of a side-by-side run: the real and the linearised model at the same epoch.</summary>
/// <param name="Epoch">Epochs done.</param>
/// <param name="Real">The real model's record.</param>
/// <param name="Linearized">The linearised model's record.</param>
/// <param name="TrainGap">‖f(θ_t) − f_lin(θ_lin,t)‖₂/√(m·k) on the training set (root mean square over outputs).</param>
/// <param name="TestGap">The same on the held-out set, or null.</param>
public sealed record LinearizationGap(long Epoch, FitRecord Real, FitRecord Linearized, double TrainGap, double? TestGap);

/// <summary>
/// Trains a model and its linearisation with the same options and tracks the gap between their outputs
/// (neural-tangents' comparison of a network with its linearisation). For full-batch gradient descent on the squared
/// error the linearised run is the closed form of <see cref="FrozenKernelPrediction"/> (with η·m for the mean loss).
/// </summary>
public static class LinearizedTraining
{
    /// <summary>Runs both; requires <see cref="TrainerOptions.RecordParameters"/> (set here) to compare outputs at the records.</summary>
    public static IReadOnlyList<LinearizationGap> Compare(QnnModel model, Dataset train, ReadOnlySpan<double> initialParameters, TrainerOptions options, Dataset? test = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var opts = options with { RecordParameters = true, EarlyStopping = null };
        var realTrain = model.BindBatches(train);
        var realTest = test is null ? null : model.BindBatches(test);
        var linTrain = new LinearizedModel(realTrain, initialParameters);
        var linTest = realTest is null ? null : new LinearizedModel(realTest, initialParameters);
        var real = Trainer.Fit(new LabelledModel(realTrain, train.Labels), initialParameters, opts, realTest is null ? null : new LabelledModel(realTest, test!.Labels));
        var lin = Trainer.Fit(new LabelledModel(linTrain, train.Labels), initialParameters, opts, linTest is null ? null : new LabelledModel(linTest, test!.Labels));
        var result = new List<LinearizationGap>();
        int count = Math.Min(real.Records.Count, lin.Records.Count);
        for (int r = 0; r < count; r++)
        {
            var a = real.Records[r];
            var b = lin.Records[r];
            double Gap(IBatchModelEvaluator x, IBatchModelEvaluator y)
            {
                var all = Enumerable.Range(0, x.SampleCount).ToArray();
                var fx = new double[x.SampleCount * x.OutputCount];
                var fy = new double[fx.Length];
                x.Evaluate(a.Parameters!, all, fx, default);
                y.Evaluate(b.Parameters!, all, fy, default);
                return Math.Sqrt(fx.Zip(fy, (u, v) => (u - v) * (u - v)).Sum() / fx.Length);
            }
            result.Add(new LinearizationGap(a.Epoch, a, b, Gap(realTrain, linTrain), realTest is null ? null : Gap(realTest, linTest!)));
        }
        return result;
    }
}
