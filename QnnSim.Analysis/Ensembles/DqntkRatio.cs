using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Analysis;

/// <summary>The training regime <see cref="DqntkRatio.Predict"/> foresees.</summary>
public enum KernelRegime
{
    /// <summary>The residual decays to 0 and the kernel moves by less than 5% of K₀ (the lazy, frozen-kernel regime).</summary>
    Frozen,
    /// <summary>The residual decays to 0 exponentially, at the rate ηK_∞ of the moved kernel K_∞ = K₀ − 2λε₀.</summary>
    Exponential,
    /// <summary>The kernel reaches 0 first: the residual stalls at ε* = ε₀ − K₀/(2λ).</summary>
    Stalled,
}

/// <summary>What the dQNTK/QNTK ratio predicts for one sample.</summary>
/// <param name="Lambda">λ = μ/K.</param>
/// <param name="Regime">The regime.</param>
/// <param name="ResidualLimit">The residual's limit (0, or ε* when stalled).</param>
/// <param name="KernelLimit">The kernel's limit K₀ + 2λ(ε_∞ − ε₀).</param>
public sealed record KernelRegimePrediction(double Lambda, KernelRegime Regime, double ResidualLimit, double KernelLimit);

/// <summary>One depth of <see cref="DqntkRatio.Ensemble"/>.</summary>
/// <param name="Layers">L.</param>
/// <param name="Parameters">p.</param>
/// <param name="Lambda">Mean and variance of λ over the draws.</param>
/// <param name="AbsoluteLambda">Mean and variance of |λ|.</param>
public sealed record DqntkRatioPoint(int Layers, int Parameters, EnsembleMoment Lambda, EnsembleMoment AbsoluteLambda)
{
    /// <summary>Mean and variance of the sample's kernel K = Σ_l (∂_l f)² over the same draws.</summary>
    public EnsembleMoment Kernel { get; init; }

    /// <summary>
    /// ⟨|λ|⟩/⟨K⟩, the dimensionless size of the kernel's motion: the regime is set by 2λε₀/K₀ (K_∞ = K₀ − 2λε₀), so this
    /// ratio, not |λ| itself, says how frozen a family is. K grows linearly with p once the circuit is deep, and so does
    /// |λ|; the ratio falls with depth while the circuit is shallower than a 2-design and then levels off.
    /// </summary>
    public double RelativeLambda => AbsoluteLambda.Mean / Kernel.Mean;

    /// <summary>Standard error of <see cref="RelativeLambda"/> by the delta method, ignoring the (positive) correlation of
    /// |λ| and K within a draw, which would only shrink it: r·√((se_λ/⟨|λ|⟩)² + (se_K/⟨K⟩)²).</summary>
    public double RelativeLambdaStandardError => RelativeLambda * Math.Sqrt(
        Math.Pow(AbsoluteLambda.MeanStandardError / AbsoluteLambda.Mean, 2) + Math.Pow(Kernel.MeanStandardError / Kernel.Mean, 2));
}

/// <summary>
/// The ratio λ = μ/K of the dQNTK to the QNTK of Liu, Tacchino, Glick, Jiang and Mezzacapo, "Analytic theory for the
/// dynamics of wide quantum neural networks", PRL 130, 150601 (2023), for a single sample with residual ε = f − y:
/// K = Σ_l (∂_l ε)², μ = Σ_{l,l'} (∂_l∂_{l'} ε)(∂_l ε)(∂_{l'} ε). Under gradient descent δε ≈ −ηKε and δK = −2ημε, so
/// with λ constant (its large-p behaviour) dK/dε = 2λ and K(ε) = K₀ + 2λ(ε − ε₀): λ ≈ 0 is the frozen regime; otherwise
/// the kernel moves with the residual, and if it reaches 0 before ε does, training stalls.
/// </summary>
public static class DqntkRatio
{
    /// <summary>λ_a = μ_aaa/K_aa for each sample a at θ (exact Hessians through the Differentiator; small p).</summary>
    public static double[] Compute(QnnModel model, ReadOnlySpan<double> parameters, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var kernel = model.Kernel(parameters, data);
        var mu = model.Dqntk(parameters, data);
        return [.. Enumerable.Range(0, data.Count).Select(a => kernel[a, a] > 0 ? mu[a, a, a] / kernel[a, a] : double.NaN)];
    }

    /// <summary>The regime for a sample with kernel K₀ &gt; 0, ratio λ and initial residual ε₀ (see the class remarks).</summary>
    /// <exception cref="ArgumentOutOfRangeException">K₀ not positive, or non-finite values.</exception>
    public static KernelRegimePrediction Predict(double lambda, double kernel, double residual)
    {
        if (!(kernel > 0) || !double.IsFinite(kernel)) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"kernel = {kernel} is out of range; allowed: a finite number > 0.");
        if (!double.IsFinite(lambda) || !double.IsFinite(residual)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ and ε₀ must be finite.");
        double kInf = kernel - 2 * lambda * residual;
        if (kInf <= 0)
        {
            double stall = residual - kernel / (2 * lambda);
            return new KernelRegimePrediction(lambda, KernelRegime.Stalled, stall, 0);
        }
        return new KernelRegimePrediction(lambda, Math.Abs(kInf - kernel) <= 0.05 * kernel ? KernelRegime.Frozen : KernelRegime.Exponential, 0, kInf);
    }

    /// <summary>
    /// λ and K of the first sample of <paramref name="data"/> over <paramref name="draws"/> uniform initialisations
    /// (draw k from stream k of <paramref name="seed"/>), for each depth of the family: Liu et al.'s λ against p.
    /// </summary>
    /// <remarks>
    /// What the ensemble shows (QnnSim.Tests EnsembleTests, docs/analysis.md): K and |λ| both grow with p, while the
    /// dimensionless <see cref="DqntkRatioPoint.RelativeLambda"/> = ⟨|λ|⟩/⟨K⟩ falls with depth until the circuit
    /// saturates (a 2-design) and then levels off at a value that falls with the number of qubits. Depth alone does
    /// not freeze the kernel at a fixed qubit count, in line with You et al. (ICML 2023); the frozen limit of Liu et al.
    /// needs width. Under <paramref name="noise"/> and <paramref name="readout"/> the model is the noisy or shot-read one
    /// (<see cref="QnnModel.WithNoise(ModelNoise?)"/>).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 draws.</exception>
    public static IReadOnlyList<DqntkRatioPoint> Ensemble(Func<int, int, Circuit> family, int qubits, IReadOnlyList<int> layers, PauliSum readout,
        Dataset data, int draws, ulong seed, CancellationToken cancellationToken = default, ModelNoise? noise = null, ReadoutMode? readoutMode = null)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(data);
        if (draws < 2) throw new ArgumentOutOfRangeException(nameof(draws), draws, $"draws = {draws} is out of range; allowed: at least 2.");
        var one = data.Subset([0]);
        var rule = InitializationRule.Uniform();
        var result = new List<DqntkRatioPoint>();
        foreach (int l in layers)
        {
            var circuit = family(qubits, l);
            var model = new QnnModel(circuit, readout).WithNoise(noise).WithReadout(readoutMode ?? ReadoutMode.Exact);
            var values = new double[draws];
            var kernels = new double[draws];
            for (int k = 0; k < draws; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var theta = rule.Draw(circuit.ParameterCount, seed, k);
                var kernel = model.Kernel(theta, one);
                var mu = model.Dqntk(theta, one);
                kernels[k] = kernel[0, 0];
                values[k] = kernel[0, 0] > 0 ? mu[0, 0, 0] / kernel[0, 0] : double.NaN;
            }
            result.Add(new DqntkRatioPoint(l, circuit.ParameterCount, EnsembleMoment.Of(values), EnsembleMoment.Of([.. values.Select(Math.Abs)]))
            {
                Kernel = EnsembleMoment.Of(kernels),
            });
        }
        return result;
    }
}
