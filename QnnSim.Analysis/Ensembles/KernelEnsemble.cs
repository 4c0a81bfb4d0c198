namespace QnnSim.Analysis;

/// <summary>The result of <see cref="KernelEnsemble.Run"/>: tangent-kernel entries and spectra over K initialisations.</summary>
public sealed class KernelEnsembleResult
{
    internal KernelEnsembleResult(EnsembleMoment[,] entries, EnsembleMoment trace, EnsembleMoment maxEigenvalue, EnsembleMoment minEigenvalue,
        EnsembleMoment conditionNumberLog, EnsembleMoment effectiveRank, EnsembleMoment relativeOffDiagonal, double haarDiagonal, int samples)
    {
        Entries = entries;
        Trace = trace;
        MaxEigenvalue = maxEigenvalue;
        MinEigenvalue = minEigenvalue;
        LogConditionNumber = conditionNumberLog;
        EffectiveRank = effectiveRank;
        RelativeOffDiagonal = relativeOffDiagonal;
        HaarMeanDiagonal = haarDiagonal;
        Samples = samples;
    }

    /// <summary>K, the number of draws.</summary>
    public int Samples { get; }

    /// <summary>Mean and variance of each entry K_ij over the draws (kernel concentration: the variance of the
    /// off-diagonal entries shrinking with n is the tangent-kernel analogue of a barren plateau).</summary>
    public EnsembleMoment[,] Entries { get; }

    /// <summary>tr K.</summary>
    public EnsembleMoment Trace { get; }

    /// <summary>λ_max.</summary>
    public EnsembleMoment MaxEigenvalue { get; }

    /// <summary>λ_min.</summary>
    public EnsembleMoment MinEigenvalue { get; }

    /// <summary>log₁₀(λ_max/λ_min) (draws with λ_min ≤ 0 count as λ_min = 10⁻³⁰⁰·λ_max).</summary>
    public EnsembleMoment LogConditionNumber { get; }

    /// <summary>The participation ratio (Σλ)²/Σλ² of the spectrum, between 1 and m.</summary>
    public EnsembleMoment EffectiveRank { get; }

    /// <summary>mean_{i≠j} |K_ij| / mean_i K_ii per draw: near 0 for a concentrated (diagonal-dominated) kernel.</summary>
    public EnsembleMoment RelativeOffDiagonal { get; }

    /// <summary>p·Var_Haar[∂⟨O⟩] (<see cref="GradientEnsemble.HaarGradientVariance"/>): E[K_ii] when every parameter sits
    /// between two independent 2-designs (a deep circuit); NaN for a model that is not a single-readout circuit.</summary>
    public double HaarMeanDiagonal { get; }
}

/// <summary>
/// Tangent kernels K = J Jᵀ of a model on a dataset over an ensemble of initialisations: entry means and variances
/// (kernel concentration; Thanasilp et al., "Exponential concentration in quantum kernel methods", Nat. Commun. 15,
/// 5200 (2024)), spectrum statistics, and the Haar value of the mean diagonal for deep circuits.
/// </summary>
public static class KernelEnsemble
{
    /// <summary>Computes K(θ_k) on <paramref name="data"/> for draws k = 0..K−1 of <paramref name="rule"/> (seed streams of <paramref name="seed"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">K below 2.</exception>
    public static KernelEnsembleResult Run(QnnModel model, Dataset data, int samples, InitializationRule rule, ulong seed,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rule);
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), samples, $"samples = {samples} is out of range; allowed: at least 2.");
        var evaluator = model.Bind(data);
        int m = data.Count, p = model.ParameterCount;
        var kernels = new TangentKernel[samples];
        var outputs = new double[m];
        var jacobian = new double[m * p];
        for (int k = 0; k < samples; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            evaluator.Evaluate(rule.Draw(p, seed, k), outputs, jacobian);
            kernels[k] = TangentKernel.FromJacobian(jacobian, m, p);
            progress?.Report(k + 1);
        }
        var entries = new EnsembleMoment[m, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) entries[i, j] = EnsembleMoment.Of([.. kernels.Select(K => K[i, j])]);
        double Offdiag(TangentKernel K)
        {
            if (m == 1) return 0;
            double off = 0, diag = 0;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                    if (i == j) diag += K[i, i]; else off += Math.Abs(K[i, j]);
            return diag > 0 ? off / (m * (m - 1.0)) / (diag / m) : double.NaN;
        }
        double Rank(TangentKernel K)
        {
            double s = K.Eigenvalues.Sum(), s2 = K.Eigenvalues.Sum(l => l * l);
            return s2 > 0 ? s * s / s2 : 0;
        }
        double LogCond(TangentKernel K) => K.MaxEigenvalue <= 0 ? 0 : Math.Log10(K.MaxEigenvalue / Math.Max(K.MinEigenvalue, 1e-300 * K.MaxEigenvalue));
        double haar = model.OutputCount == 1 ? p * GradientEnsemble.HaarGradientVariance(model.Circuit.QubitCount, model.Readout) : double.NaN;
        return new KernelEnsembleResult(entries,
            EnsembleMoment.Of([.. kernels.Select(K => K.Trace)]),
            EnsembleMoment.Of([.. kernels.Select(K => K.MaxEigenvalue)]),
            EnsembleMoment.Of([.. kernels.Select(K => K.MinEigenvalue)]),
            EnsembleMoment.Of([.. kernels.Select(LogCond)]),
            EnsembleMoment.Of([.. kernels.Select(Rank)]),
            EnsembleMoment.Of([.. kernels.Select(Offdiag)]),
            haar, samples);
    }
}
