using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// How an ensemble draws θ: draw k of an ensemble with seed S uses <c>SeededRandom.ForStream(S, k)</c>, so every draw is
/// reproducible on its own and independent of the thread count.
/// </summary>
public sealed class InitializationRule
{
    private readonly Func<int, SeededRandom, double[]> _draw;

    private InitializationRule(string name, Func<int, SeededRandom, double[]> draw)
    {
        Name = name;
        _draw = draw;
    }

    /// <summary>A short description ("uniform[0, 6.283]", "gaussian(0.1)", or the custom name).</summary>
    public string Name { get; }

    /// <summary>θ_l uniform on [low, high) (default [0, 2π)), drawn in parameter order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Non-finite bounds or high ≤ low.</exception>
    public static InitializationRule Uniform(double low = 0, double high = 2 * Math.PI)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || !(high > low)) throw new ArgumentOutOfRangeException(nameof(high), high, $"the interval [{low}, {high}) is out of range; allowed: finite bounds with high > low.");
        return new($"uniform[{low:G4}, {high:G4}]", (p, rng) => [.. Enumerable.Range(0, p).Select(_ => rng.NextDouble(low, high))]);
    }

    /// <summary>θ_l ~ N(0, σ²) (small-angle initialisation, e.g. Zhang et al., NeurIPS 2022), in parameter order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">σ not positive and finite.</exception>
    public static InitializationRule Gaussian(double sigma)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"sigma = {sigma} is out of range; allowed: a finite number > 0.");
        return new($"gaussian({sigma:G4})", (p, rng) => [.. Enumerable.Range(0, p).Select(_ => sigma * rng.NextGaussian())]);
    }

    /// <summary>A user rule: <paramref name="draw"/>(p, rng) returns θ (length p) from the given generator.</summary>
    public static InitializationRule Custom(string name, Func<int, SeededRandom, double[]> draw)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(draw);
        return new(name, draw);
    }

    /// <summary>Draw <paramref name="index"/> for p parameters and seed <paramref name="seed"/>.</summary>
    /// <exception cref="InvalidOperationException">A custom rule that returned the wrong length or a non-finite value.</exception>
    public double[] Draw(int parameters, ulong seed, long index)
    {
        var theta = _draw(parameters, SeededRandom.ForStream(seed, (ulong)index));
        if (theta is null || theta.Length != parameters || !theta.All(double.IsFinite))
            throw new InvalidOperationException($"the initialisation rule '{Name}' returned {theta?.Length.ToString() ?? "null"} values (some not finite?) for {parameters} parameters.");
        return theta;
    }

    /// <summary>Parses "uniform", "uniform:LOW:HIGH" or "gaussian:SIGMA".</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static InitializationRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        try
        {
            return parts switch
            {
                ["uniform"] => Uniform(),
                ["uniform", var lo, var hi] => Uniform(double.Parse(lo, ci), double.Parse(hi, ci)),
                ["gaussian", var s] => Gaussian(double.Parse(s, ci)),
                _ => throw new FormatException(),
            };
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new ArgumentException($"'{text}' is not an initialisation rule; expected uniform, uniform:LOW:HIGH or gaussian:SIGMA with SIGMA > 0.", nameof(text));
        }
    }
}

/// <summary>A mean and variance estimated over an ensemble, with standard errors.</summary>
/// <param name="Mean">Sample mean.</param>
/// <param name="MeanStandardError">s/√K.</param>
/// <param name="Variance">Unbiased sample variance s².</param>
/// <param name="VarianceStandardError">√((m₄ − s⁴(K − 3)/(K − 1))/K), m₄ the fourth central moment (normal-free).</param>
public readonly record struct EnsembleMoment(double Mean, double MeanStandardError, double Variance, double VarianceStandardError)
{
    /// <summary>The moments of <paramref name="values"/> (at least 2).</summary>
    public static EnsembleMoment Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int k = values.Count;
        if (k < 2) throw new ArgumentException($"{k} values; at least 2 are needed for a variance.", nameof(values));
        double mean = values.Average();
        double m2 = 0, m4 = 0;
        foreach (double v in values)
        {
            double d = (v - mean) * (v - mean);
            m2 += d;
            m4 += d * d;
        }
        double s2 = m2 / (k - 1);
        m4 /= k;
        double varSe = Math.Sqrt(Math.Max(0, (m4 - s2 * s2 * (k - 3.0) / (k - 1)) / k));
        return new EnsembleMoment(mean, Math.Sqrt(s2 / k), s2, varSe);
    }
}

/// <summary>The statistics of ⟨O⟩ and ∂⟨O⟩/∂θ_l over an ensemble of initialisations (<see cref="GradientEnsemble.Run"/>).</summary>
public sealed class GradientStatistics
{
    internal GradientStatistics(int samples, EnsembleMoment value, EnsembleMoment[] components, EnsembleMoment meanVariance, double haar)
    {
        Samples = samples;
        Value = value;
        Components = components;
        MeanComponentVariance = meanVariance;
        HaarVariance = haar;
    }

    /// <summary>K, the number of draws.</summary>
    public int Samples { get; }

    /// <summary>Mean and variance of ⟨O⟩.</summary>
    public EnsembleMoment Value { get; }

    /// <summary>Mean and variance of each gradient component ∂⟨O⟩/∂θ_l.</summary>
    public IReadOnlyList<EnsembleMoment> Components { get; }

    /// <summary>
    /// (1/p) Σ_l Var[∂_l⟨O⟩] as <see cref="EnsembleMoment.Variance"/> (its standard error from the spread of the per-draw
    /// averages (1/p) Σ_l (∂_l − mean_l)²); <see cref="EnsembleMoment.Mean"/> is the mean of the per-draw ‖∇⟨O⟩‖²/p.
    /// </summary>
    public EnsembleMoment MeanComponentVariance { get; }

    /// <summary>
    /// Var[∂_θ⟨O⟩] when the circuit before and after the gate of θ are independent unitary 2-designs (the deep limit):
    /// Tr(O₀²)·d/(2(d² − 1)(d + 1)) for a rotation e^{−iθP/2} on a pure state, O₀ the traceless part of O (see
    /// <see cref="GradientEnsemble.HaarGradientVariance"/>).
    /// </summary>
    public double HaarVariance { get; }
}

/// <summary>
/// Ensembles of seeded initialisations for any circuit and observable: gradient means and variances (barren plateaus,
/// McClean et al., "Barren plateaus in quantum neural network training landscapes", Nat. Commun. 9, 4812 (2018);
/// Cerezo et al., "Cost function dependent barren plateaus", Nat. Commun. 12, 1791 (2021)), and the comparison with
/// the Haar (2-design) value. Draws run in parallel, each on its own workspace; results are independent of the thread count.
/// </summary>
public static class GradientEnsemble
{
    /// <summary>
    /// Var[∂_θ⟨O⟩] = Tr(O₀²)·d/(2(d² − 1)(d + 1)) for U = V₊ e^{−iθP/2} V₋ with V₊, V₋ independent unitary 2-designs
    /// on n qubits (d = 2ⁿ), a pure input state and O₀ = O − Tr(O)/d (derived with the second-moment Weingarten
    /// formula; for a Pauli-string O it is d²/(2(d − 1)(d + 1)²), and p times it is the mean tangent-kernel diagonal of
    /// THEORY.md §4 with e^{−iθH} layers divided by 4).
    /// </summary>
    public static double HaarGradientVariance(int qubits, PauliSum observable)
    {
        ArgumentNullException.ThrowIfNull(observable);
        if (qubits < 1 || qubits > Circuit.MaxQubits) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..{Circuit.MaxQubits}.");
        double d = Math.Pow(2, qubits);
        var merged = new Dictionary<PauliString, double>();
        foreach (var t in observable.Terms)
            if (!t.Pauli.IsIdentity) merged[t.Pauli] = merged.GetValueOrDefault(t.Pauli) + t.Coefficient;
        double trO2 = d * merged.Values.Sum(c => c * c);
        return trO2 * d / (2 * (d * d - 1) * (d + 1));
    }

    /// <summary>
    /// Draws θ_k (k = 0..K−1) by <paramref name="rule"/> and computes ⟨O⟩ and ∇_θ⟨O⟩ at each (adjoint differentiation).
    /// </summary>
    /// <param name="circuit">The circuit (data inputs fixed to <paramref name="inputs"/>).</param>
    /// <param name="observable">O.</param>
    /// <param name="samples">K ≥ 2.</param>
    /// <param name="rule">The initialisation rule.</param>
    /// <param name="seed">The ensemble seed.</param>
    /// <param name="inputs">x (length q; empty for a circuit without inputs).</param>
    /// <param name="initialState">ψ₀, or null for |0…0⟩.</param>
    /// <param name="maxThreads">Worker threads (default: the processor count).</param>
    /// <param name="progress">Draws done.</param>
    /// <param name="cancellationToken">Stops between draws (throws <see cref="OperationCanceledException"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">K below 2.</exception>
    /// <exception cref="ArgumentException">x of the wrong length, or a circuit without parameters.</exception>
    public static GradientStatistics Run(Circuit circuit, PauliSum observable, int samples, InitializationRule rule, ulong seed,
        ReadOnlySpan<double> inputs = default, StateVector? initialState = null, int? maxThreads = null, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observable);
        ArgumentNullException.ThrowIfNull(rule);
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), samples, $"samples = {samples} is out of range; allowed: at least 2.");
        if (circuit.ParameterCount == 0) throw new ArgumentException("the circuit has no trainable parameters.", nameof(circuit));
        if (inputs.Length != circuit.InputCount) throw new ArgumentException($"x has length {inputs.Length}, but the circuit reads {circuit.InputCount} inputs.", nameof(inputs));
        int p = circuit.ParameterCount;
        var x = new InputValues(inputs.ToArray());
        var values = new double[samples];
        var gradients = new double[samples][];
        var differentiator = new Differentiator(GradientOptions.Default with { Simulation = SimulationOptions.Default with { MaxThreads = 1 } });
        int done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxThreads ?? Environment.ProcessorCount, CancellationToken = cancellationToken };
        Parallel.For(0, samples, options, () => differentiator.CreateWorkspace(circuit, observable), (k, _, workspace) =>
        {
            var theta = rule.Draw(p, seed, k);
            var g = new double[p];
            values[k] = differentiator.ValueAndGradient(workspace, new ParameterValues(theta), x, g, default, initialState);
            gradients[k] = g;
            progress?.Report(Interlocked.Increment(ref done));
            return workspace;
        }, _ => { });
        var components = new EnsembleMoment[p];
        var column = new double[samples];
        for (int l = 0; l < p; l++)
        {
            for (int k = 0; k < samples; k++) column[k] = gradients[k][l];
            components[l] = EnsembleMoment.Of(column);
        }
        // Per-draw average squared deviation: its mean (×K/(K−1)) is (1/p) Σ_l s_l², its spread gives the error.
        var perDraw = new double[samples];
        var norms = new double[samples];
        for (int k = 0; k < samples; k++)
        {
            double s = 0, n2 = 0;
            for (int l = 0; l < p; l++)
            {
                double dev = gradients[k][l] - components[l].Mean;
                s += dev * dev;
                n2 += gradients[k][l] * gradients[k][l];
            }
            perDraw[k] = s / p * samples / (samples - 1.0);
            norms[k] = n2 / p;
        }
        var spread = EnsembleMoment.Of(perDraw);
        var meanVariance = new EnsembleMoment(norms.Average(), EnsembleMoment.Of(norms).MeanStandardError, components.Average(c => c.Variance), spread.MeanStandardError);
        return new GradientStatistics(samples, EnsembleMoment.Of(values), components, meanVariance, HaarGradientVariance(circuit.QubitCount, observable));
    }
}
