namespace QnnSim.Analysis;

/// <summary>
/// Closed forms of the QNN convergence theory (docs/theory.md §3–§4; You, Chakrabarti, Chen, Wu, ICML 2023,
/// arXiv:2303.14844). All assume the e^{−iθH} convention (gate R_H(2θ)), the loss L = ½ Σ r² and rescaled time
/// s = η0·k with η = η0/p.
/// </summary>
public static class TheoryFormulas
{
    /// <summary>c = (tr H² − (tr H)²/d)/(d² − 1), the per-layer Haar constant of a generator H (docs/theory.md §3c).</summary>
    /// <exception cref="ArgumentOutOfRangeException">d below 2.</exception>
    public static double GeneratorConstant(int dimension, double traceHSquared, double traceH)
    {
        CheckDimension(dimension);
        double d = dimension;
        return (traceHSquared - traceH * traceH / d) / (d * d - 1);
    }

    /// <summary>c = d/(d² − 1) for a Pauli-string generator (tr H² = d, tr H = 0).</summary>
    public static double PauliGeneratorConstant(int dimension) => GeneratorConstant(dimension, dimension, 0);

    /// <summary>E[K_ij] = p γ² · 2d²(d F_ij − 1)/(d² − 1)² for Pauli generators and M0 = γ·Pauli (docs/theory.md §4).</summary>
    /// <param name="dimension">d ≥ 2.</param>
    /// <param name="layers">p.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="overlap">F_ij = |⟨ψ_i|ψ_j⟩|² in [0, 1] (1 for the diagonal).</param>
    /// <exception cref="ArgumentOutOfRangeException">d below 2 or F outside [0, 1].</exception>
    public static double HaarMeanKernel(int dimension, int layers, double gamma, double overlap)
    {
        CheckDimension(dimension);
        if (!(overlap >= 0 && overlap <= 1)) throw new ArgumentOutOfRangeException(nameof(overlap), overlap, $"overlap = {overlap} is out of range; allowed: [0, 1].");
        double d = dimension;
        return layers * gamma * gamma * 2 * d * d * (d * overlap - 1) / ((d * d - 1) * (d * d - 1));
    }

    /// <summary>E[K_ii] = 2pγ²d²/((d + 1)²(d − 1)) ≈ 2pγ²/d (docs/theory.md §4).</summary>
    public static double HaarMeanKernelDiagonal(int dimension, int layers, double gamma)
    {
        CheckDimension(dimension);
        double d = dimension;
        return 2 * layers * gamma * gamma * d * d / ((d + 1) * (d + 1) * (d - 1));
    }

    /// <summary>
    /// The general per-layer Haar mean E[∂_l ŷ_i ∂_l ŷ_j] = c_M e_ij with c_M = (tr M0² − (tr M0)²/d)/(d² − 1),
    /// e_ij = 2 tr(H²) F/d − 2a tr(H²) − 2b (tr H)², a = (1 − F/d)/(d² − 1), b = (F − 1/d)/(d² − 1); times p layers.
    /// </summary>
    public static double HaarMeanKernelGeneral(int dimension, int layers, double traceM0Squared, double traceM0,
        double traceHSquared, double traceH, double overlap)
    {
        CheckDimension(dimension);
        double d = dimension, f = overlap;
        double cM = (traceM0Squared - traceM0 * traceM0 / d) / (d * d - 1);
        double a = (1 - f / d) / (d * d - 1), b = (f - 1 / d) / (d * d - 1);
        double e = 2 * traceHSquared * f / d - 2 * a * traceHSquared - 2 * b * traceH * traceH;
        return layers * cM * e;
    }

    /// <summary>E[ŷ] = tr(M0)/d at Haar initialisation.</summary>
    public static double HaarOutputMean(int dimension, double traceM0) => traceM0 / dimension;

    /// <summary>Var[ŷ] = (d tr M0² − (tr M0)²)/(d²(d + 1)) at Haar initialisation.</summary>
    public static double HaarOutputVariance(int dimension, double traceM0Squared, double traceM0)
    {
        double d = dimension;
        return (d * traceM0Squared - traceM0 * traceM0) / (d * d * (d + 1));
    }

    /// <summary>κ = 2c(γ² − y²): the single-sample linear rate per unit s of the asymptotic dynamics (|y| &lt; γ).</summary>
    public static double SingleSampleRate(double c, double gamma, double label) => 2 * c * (gamma * gamma - label * label);

    /// <summary>−ln(1 − η0 κ)/η0: the observed rate per unit s of gradient descent with η = η0/p (docs/theory.md §3c).</summary>
    /// <exception cref="ArgumentOutOfRangeException">η0 not positive, or η0 κ ≥ 1 (the discrete map does not contract monotonically).</exception>
    public static double DiscreteRate(double eta0, double kappa)
    {
        if (!(eta0 > 0)) throw new ArgumentOutOfRangeException(nameof(eta0), eta0, $"eta0 = {eta0} is out of range; allowed: > 0.");
        if (!(eta0 * kappa < 1)) throw new ArgumentOutOfRangeException(nameof(kappa), kappa, $"η0·κ = {eta0 * kappa} is out of range; allowed: < 1.");
        return -Math.Log(1 - eta0 * kappa) / eta0;
    }

    /// <summary>The single-sample sublinear limit s|r| → 1/(4cγ) for |y| = γ (docs/theory.md §3c; 63/32 for d = 8, γ = 1).</summary>
    public static double SublinearLimit(double c, double gamma) => 1 / (4 * c * gamma);

    /// <summary>The m-sample limit s‖r‖ → √m/(4c) (γ = 1, ±1 labels, samples decoupled: needs m ≤ d/2; docs/theory.md §5 item 5).</summary>
    public static double SublinearLimitSamples(double c, int samples) => Math.Sqrt(samples) / (4 * c);

    /// <summary>Single sample: K(s)/K(0) = (γ² − ŷ(s)²)/(γ² − ŷ(0)²) in the asymptotic dynamics.</summary>
    public static double SingleSampleKernelRatio(double gamma, double initialOutput, double output) =>
        (gamma * gamma - output * output) / (gamma * gamma - initialOutput * initialOutput);

    /// <summary>
    /// The 1/t lower bound of docs/theory.md §3a, ‖r(t)‖ ≥ ‖r(0)‖/(1 + 8ηC√m‖r(0)‖t), C = Σ_l ‖H_l‖² (= p for Paulis),
    /// valid for M0² = I and labels ±1. <paramref name="etaCTime"/> is ηCt (= s for Pauli generators and η = η0/p).
    /// </summary>
    public static double ResidualLowerBound(double initialResidualNorm, int samples, double etaCTime) =>
        initialResidualNorm / (1 + 8 * Math.Sqrt(samples) * initialResidualNorm * etaCTime);

    /// <summary>The variance bound (∂ŷ_i/∂θ_l)² ≤ 4‖H_l‖²(tr(ρ_i M(θ)²) − ŷ_i²) (docs/theory.md §3a).</summary>
    public static double GradientSquaredBound(double generatorNormSquared, double secondMoment, double output) =>
        4 * generatorNormSquared * (secondMoment - output * output);

    private static void CheckDimension(int d)
    {
        if (d < 2) throw new ArgumentOutOfRangeException(nameof(d), d, $"dimension = {d} is out of range; allowed: at least 2.");
    }
}
