using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Analysis;

/// <summary>The training regime <see cref="DqntkRatio.Predict(double, double, double)"/> foresees.</summary>
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
/// The trend of ⟨|λ|⟩/⟨K⟩ against the number of parameters p fitted by <see cref="DqntkRatio.Scan"/>: r(p) ≈ r_∞ + a/p,
/// a straight line in 1/p by weighted least squares (weights 1/SE², standard errors scaled by √χ²_red when
/// χ²_red &gt; 1). r_∞ is the level the ratio settles at in deep circuits: 0 would mean that depth alone freezes the
/// kernel (Liu et al.'s frozen limit); a positive r_∞ many standard errors from 0 means it does not. The form is an
/// empirical summary, not a law: <see cref="ReducedChiSquared"/> says how well it describes the points.
/// </summary>
/// <param name="Plateau">r_∞, the intercept at 1/p = 0.</param>
/// <param name="PlateauStandardError">Its standard error.</param>
/// <param name="Slope">a, the coefficient of 1/p.</param>
/// <param name="SlopeStandardError">Its standard error.</param>
/// <param name="ReducedChiSquared">χ²/(points − 2) (NaN with two points).</param>
public sealed record DqntkRatioTrend(double Plateau, double PlateauStandardError, double Slope, double SlopeStandardError, double ReducedChiSquared)
{
    /// <summary>r_∞ + a/p.</summary>
    public double Evaluate(double parameters) => Plateau + Slope / parameters;

    /// <summary>
    /// Fits r_∞ + a/p to the points with a finite ratio and a positive standard error (e.g. points of several
    /// <see cref="DqntkRatio.Scan"/>s with different numbers of draws); null with fewer than two distinct p.
    /// </summary>
    public static DqntkRatioTrend? Fit(IEnumerable<DqntkRatioPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var usable = points.Where(p => double.IsFinite(p.RelativeLambda) && p.RelativeLambdaStandardError > 0).ToList();
        if (usable.Select(p => p.Parameters).Distinct().Count() < 2) return null;
        var (plateau, slope, plateauSe, slopeSe, red) = WeightedLine.Fit([.. usable.Select(p => 1.0 / p.Parameters)],
            [.. usable.Select(p => p.RelativeLambda)], [.. usable.Select(p => p.RelativeLambdaStandardError)]);
        return new DqntkRatioTrend(plateau, plateauSe, slope, slopeSe, red);
    }
}

/// <summary>The result of <see cref="DqntkRatio.Scan"/>: one point per depth and the fitted trend.</summary>
/// <param name="Qubits">n.</param>
/// <param name="Points">One per depth, in the order given.</param>
/// <param name="Trend">⟨|λ|⟩/⟨K⟩ ≈ r_∞ + a/p over the points with a finite ratio and a positive standard error (null with
/// fewer than two distinct p).</param>
public sealed record DqntkRatioScan(int Qubits, IReadOnlyList<DqntkRatioPoint> Points, DqntkRatioTrend? Trend);

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
    /// The regime of gradient descent on the squared error of the first sample of <paramref name="data"/> from θ₀ =
    /// <paramref name="parameters"/>: λ and K₀ at θ₀ and ε₀ = f(x; θ₀) − y, then <see cref="Predict(double, double, double)"/>.
    /// The prediction is first order in ε₀ (λ taken constant along the trajectory): for f = cos θ the predicted K_∞
    /// misses the exact 1 − y² by ε₀². Compared with real training in QnnSim.Tests DqntkRatioScanTests.
    /// </summary>
    /// <exception cref="ArgumentException">An empty dataset, or a model with more than one readout.</exception>
    /// <exception cref="ArgumentOutOfRangeException">K₀ = 0 at θ₀ (no gradient: nothing moves).</exception>
    public static KernelRegimePrediction Predict(QnnModel model, ReadOnlySpan<double> parameters, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("the dataset is empty; the prediction needs one sample.", nameof(data));
        if (model.OutputCount != 1) throw new ArgumentException($"the model has {model.OutputCount} readouts; the λ ratio is defined for one.", nameof(model));
        var one = data.Subset([0]);
        double kernel = model.Kernel(parameters, one)[0, 0];
        double mu = model.Dqntk(parameters, one)[0, 0, 0];
        double residual = model.Predict(parameters, one)[0] - one.Labels[0];
        return Predict(kernel > 0 ? mu / kernel : double.NaN, kernel, residual);
    }

    /// <summary>
    /// λ and K of the first sample of <paramref name="data"/> over <paramref name="draws"/> uniform initialisations
    /// (draw k from stream k of <paramref name="seed"/>), for each depth of the family: Liu et al.'s λ against p.
    /// The points of <see cref="Scan"/>, without the trend.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 draws.</exception>
    public static IReadOnlyList<DqntkRatioPoint> Ensemble(Func<int, int, Circuit> family, int qubits, IReadOnlyList<int> layers, PauliSum readout,
        Dataset data, int draws, ulong seed, CancellationToken cancellationToken = default, ModelNoise? noise = null, ReadoutMode? readoutMode = null) =>
        Scan(family, qubits, layers, readout, data, draws, seed, null, cancellationToken, noise, readoutMode).Points;

    /// <summary>
    /// Liu et al.'s ratio against depth: for each L in <paramref name="layers"/>, λ and K of the first sample of
    /// <paramref name="data"/> over <paramref name="draws"/> initialisations (θ uniform on [0, 2π)^p unless
    /// <paramref name="rule"/> says otherwise; draw k from stream k of <paramref name="seed"/>, the same streams at every
    /// depth), with ⟨|λ|⟩/⟨K⟩ and its standard error per depth,
    /// and the trend ⟨|λ|⟩/⟨K⟩ ≈ r_∞ + a/p fitted over the depths (<see cref="DqntkRatioTrend"/>).
    /// What <c>qnnsim ensemble --dqntk</c> prints.
    /// </summary>
    /// <remarks>
    /// What the scan shows (QnnSim.Tests DqntkRatioScanTests, docs/analysis.md): K and |λ| both grow with p, while the
    /// dimensionless <see cref="DqntkRatioPoint.RelativeLambda"/> = ⟨|λ|⟩/⟨K⟩ falls with depth until the circuit
    /// saturates (a 2-design) and then levels off at a value that falls with the number of qubits. Depth alone does
    /// not freeze the kernel at a fixed qubit count, in line with You et al. (ICML 2023); the frozen limit of Liu et al.
    /// needs width. Under <paramref name="noise"/> and <paramref name="readoutMode"/> the model is the noisy or shot-read one
    /// (<see cref="QnnModel.WithNoise(ModelNoise?)"/>). The cost per draw is one kernel and one dQNTK (p² Hessian entries
    /// through shifted Jacobians), so p up to a few hundred is practical.
    /// </remarks>
    /// <param name="family">n, L ↦ circuit (e.g. <see cref="CircuitFamilies.DataReuploading"/>).</param>
    /// <param name="qubits">n.</param>
    /// <param name="layers">The depths L (at least one).</param>
    /// <param name="readout">The readout O (f = ⟨O⟩).</param>
    /// <param name="data">Its first sample's inputs are the x the circuit is evaluated at (λ does not depend on the label).</param>
    /// <param name="draws">Initialisations per depth (at least 2).</param>
    /// <param name="seed">The seed.</param>
    /// <param name="progress">Draws done, summed over the depths.</param>
    /// <param name="cancellationToken">Stops between draws.</param>
    /// <param name="noise">Optional noise model.</param>
    /// <param name="readoutMode">Optional finite-shot readout.</param>
    /// <param name="rule">The initialisation rule (default <see cref="InitializationRule.Uniform"/> on [0, 2π)).</param>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 draws.</exception>
    /// <exception cref="ArgumentException">No depths, or an empty dataset.</exception>
    public static DqntkRatioScan Scan(Func<int, int, Circuit> family, int qubits, IReadOnlyList<int> layers, PauliSum readout,
        Dataset data, int draws, ulong seed, IProgress<int>? progress = null, CancellationToken cancellationToken = default, ModelNoise? noise = null,
        ReadoutMode? readoutMode = null, InitializationRule? rule = null)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(readout);
        ArgumentNullException.ThrowIfNull(data);
        if (draws < 2) throw new ArgumentOutOfRangeException(nameof(draws), draws, $"draws = {draws} is out of range; allowed: at least 2.");
        if (layers.Count == 0) throw new ArgumentException("at least one layer count is required.", nameof(layers));
        if (data.Count == 0) throw new ArgumentException("the dataset is empty; λ needs one sample.", nameof(data));
        var one = data.Subset([0]);
        rule ??= InitializationRule.Uniform();
        var result = new List<DqntkRatioPoint>();
        int done = 0;
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
                progress?.Report(++done);
            }
            result.Add(new DqntkRatioPoint(l, circuit.ParameterCount, EnsembleMoment.Of(values), EnsembleMoment.Of([.. values.Select(Math.Abs)]))
            {
                Kernel = EnsembleMoment.Of(kernels),
            });
        }
        return new DqntkRatioScan(qubits, result, DqntkRatioTrend.Fit(result));
    }
}
