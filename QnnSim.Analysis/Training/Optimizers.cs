namespace QnnSim.Analysis;

/// <summary>The update rules of <see cref="Optimizer"/>.</summary>
public enum OptimizerKind
{
    /// <summary>θ ← θ − η g.</summary>
    GradientDescent,
    /// <summary>Heavy-ball momentum (the PyTorch convention): v ← μ v + g, θ ← θ − η v.</summary>
    Momentum,
    /// <summary>
    /// Adam (Kingma and Ba, ICLR 2015, arXiv:1412.6980): m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², t ← t + 1,
    /// θ ← θ − η m̂/(√v̂ + ε) with m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t).
    /// </summary>
    Adam,
}

/// <summary>Settings of an optimiser (immutable); <see cref="Create"/> makes the stateful <see cref="Optimizer"/>.</summary>
public sealed record OptimizerSettings
{
    /// <summary>The update rule (default gradient descent).</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.GradientDescent;

    /// <summary>η &gt; 0.</summary>
    public required double LearningRate { get; init; }

    /// <summary>μ ∈ [0, 1) of <see cref="OptimizerKind.Momentum"/> (default 0.9).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>β1 ∈ [0, 1) of Adam (default 0.9).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>β2 ∈ [0, 1) of Adam (default 0.999).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>ε &gt; 0 of Adam (default 1e-8).</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value out of its range, named with the allowed range.</exception>
    public void Validate()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"LearningRate = {LearningRate} is out of range; allowed: a finite number > 0.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, $"Momentum = {Momentum} is out of range; allowed: [0, 1).");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, $"Beta1 = {Beta1} is out of range; allowed: [0, 1).");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, $"Beta2 = {Beta2} is out of range; allowed: [0, 1).");
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, $"Epsilon = {Epsilon} is out of range; allowed: a finite number > 0.");
    }

    /// <summary>A fresh optimiser for p parameters.</summary>
    public Optimizer Create(int parameters) => new(this, parameters);
}

/// <summary>
/// A stateful optimiser for p parameters (<see cref="OptimizerKind"/>). Its state (step count, velocity, Adam moments)
/// is exported by <see cref="SaveState"/> and restored by <see cref="LoadState"/>, so a resumed run continues bit for bit.
/// </summary>
public sealed class Optimizer
{
    private readonly double[] _first, _second;

    internal Optimizer(OptimizerSettings settings, int parameters)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (parameters < 1) throw new ArgumentOutOfRangeException(nameof(parameters), parameters, $"parameters = {parameters} is out of range; allowed: at least 1.");
        Settings = settings;
        _first = new double[parameters];
        _second = new double[settings.Kind == OptimizerKind.Adam ? parameters : 0];
    }

    /// <summary>The settings.</summary>
    public OptimizerSettings Settings { get; }

    /// <summary>Updates taken so far (t).</summary>
    public long StepCount { get; private set; }

    /// <summary>θ ← update(θ, g) by the rule of <see cref="Settings"/>; no allocation.</summary>
    /// <exception cref="ArgumentException">Spans of the wrong length.</exception>
    public void Step(Span<double> parameters, ReadOnlySpan<double> gradient)
    {
        int p = _first.Length;
        if (parameters.Length != p || gradient.Length != p)
            throw new ArgumentException($"θ and g must have length {p}; got {parameters.Length} and {gradient.Length}.", nameof(gradient));
        double eta = Settings.LearningRate;
        StepCount++;
        switch (Settings.Kind)
        {
            case OptimizerKind.GradientDescent:
                for (int l = 0; l < p; l++) parameters[l] -= eta * gradient[l];
                break;
            case OptimizerKind.Momentum:
                for (int l = 0; l < p; l++)
                {
                    _first[l] = Settings.Momentum * _first[l] + gradient[l];
                    parameters[l] -= eta * _first[l];
                }
                break;
            case OptimizerKind.Adam:
            {
                double b1 = Settings.Beta1, b2 = Settings.Beta2;
                double c1 = 1 - Math.Pow(b1, StepCount), c2 = 1 - Math.Pow(b2, StepCount);
                for (int l = 0; l < p; l++)
                {
                    _first[l] = b1 * _first[l] + (1 - b1) * gradient[l];
                    _second[l] = b2 * _second[l] + (1 - b2) * gradient[l] * gradient[l];
                    parameters[l] -= eta * (_first[l] / c1) / (Math.Sqrt(_second[l] / c2) + Settings.Epsilon);
                }
                break;
            }
        }
    }

    /// <summary>The state: t, the first buffer (velocity or Adam's m) and Adam's v (empty otherwise), as copies.</summary>
    public OptimizerState SaveState() => new(Settings.Kind, StepCount, (double[])_first.Clone(), (double[])_second.Clone());

    /// <summary>Restores a state saved by <see cref="SaveState"/> (same kind and p).</summary>
    /// <exception cref="ArgumentException">Another kind, another p, or non-finite values.</exception>
    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != Settings.Kind) throw new ArgumentException($"the saved optimiser state is for {state.Kind}, but this optimiser is {Settings.Kind}.", nameof(state));
        if (state.First.Length != _first.Length || state.Second.Length != _second.Length)
            throw new ArgumentException($"the saved optimiser state has {state.First.Length} parameters, but this optimiser has {_first.Length}.", nameof(state));
        if (state.StepCount < 0) throw new ArgumentException($"the saved step count {state.StepCount} is negative.", nameof(state));
        foreach (double v in state.First.Concat(state.Second))
            if (!double.IsFinite(v)) throw new ArgumentException($"the saved optimiser state contains {v}.", nameof(state));
        state.First.CopyTo(_first, 0);
        state.Second.CopyTo(_second, 0);
        StepCount = state.StepCount;
    }
}

/// <summary>A snapshot of an <see cref="Optimizer"/>'s state.</summary>
/// <param name="Kind">The rule.</param>
/// <param name="StepCount">t.</param>
/// <param name="First">Momentum's velocity or Adam's first moment m (length p; zeros for gradient descent).</param>
/// <param name="Second">Adam's second moment v (length p), empty for the other rules.</param>
public sealed record OptimizerState(OptimizerKind Kind, long StepCount, double[] First, double[] Second);
