namespace QnnSim.Analysis;

/// <summary>
/// A QNN bound to its m training inputs: θ ↦ (ŷ_1(θ), …, ŷ_m(θ)) and the m × p Jacobian J_il = ∂ŷ_i/∂θ_l.
/// What <see cref="GradientDescent"/> trains and what tangent kernels K = J Jᵀ are built from.
/// </summary>
/// <remarks>
/// Implementations: <see cref="PaperModelEngine"/> (the dedicated engine for the ansatz of You et al., ICML 2023,
/// arXiv:2303.14844) and <see cref="CircuitModelEvaluator"/> (any QnnSim circuit through the Differentiator).
/// Evaluators own work buffers and are not thread-safe: use one per thread.
/// </remarks>
public interface IModelEvaluator
{
    /// <summary>Number of samples m.</summary>
    int SampleCount { get; }

    /// <summary>Number of trainable parameters p.</summary>
    int ParameterCount { get; }

    /// <summary>
    /// Writes ŷ_i(θ) into <paramref name="outputs"/> (length m) and, unless <paramref name="jacobian"/> is empty,
    /// J_il = ∂ŷ_i/∂θ_l into it row-major (length m·p, row i = sample i).
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    void Evaluate(ReadOnlySpan<double> parameters, Span<double> outputs, Span<double> jacobian);
}
