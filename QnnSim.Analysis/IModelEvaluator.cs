namespace QnnSim.Analysis;

/// <summary>
/// A QNN bound to its m training inputs: θ ↦ (ŷ_1(θ), …, ŷ_m(θ)) and the m × p Jacobian J_il = ∂ŷ_i/∂θ_l.
/// What <see cref="GradientDescent"/> trains and what tangent kernels K = J Jᵀ are built from.
/// </summary>
/// <remarks>
/// Implementations: <see cref="PaperModelEngine"/> (the dedicated engine for the ansatz of You et al., ICML 2023,
/// arXiv:2303.14844), <see cref="CircuitModelEvaluator"/> (any QnnSim circuit through the Differentiator) and
/// <see cref="NoisyModelEvaluator"/> (any circuit under a noise model and/or finite shots).
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

/// <summary>
/// An <see cref="IModelEvaluator"/> that can also give the training gradient of L = ½ Σ_i (ŷ_i − y_i)² without handing
/// out J: g = Jᵀr with r = ŷ − y. <see cref="GradientDescent"/> uses it on the steps where it does not record a
/// tangent kernel.
/// </summary>
public interface IResidualGradientEvaluator : IModelEvaluator
{
    /// <summary>
    /// Writes ŷ_i(θ) into <paramref name="outputs"/> (length m) and g_l = Σ_i (ŷ_i − y_i) J_il into
    /// <paramref name="gradient"/> (length p). Contract: r_i = ŷ_i − y_i and the sum runs in sample order
    /// i = 0, 1, …, m − 1 from 0, with J_il exactly the entries <see cref="IModelEvaluator.Evaluate"/> writes, so g is
    /// bit-identical to forming J and multiplying.
    /// </summary>
    /// <param name="parameters">θ (length p).</param>
    /// <param name="labels">y (length m).</param>
    /// <param name="outputs">Receives ŷ (length m).</param>
    /// <param name="gradient">Receives Jᵀ(ŷ − y) (length p).</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    void EvaluateResidualGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> labels, Span<double> outputs, Span<double> gradient);
}

/// <summary>
/// A model with k outputs bound to a dataset of m samples, evaluated on any subset of the samples: outputs
/// f_o(x_i; θ) and, on request, the Jacobian blocks ∂f_o(x_i)/∂θ_l. What <see cref="Trainer"/> trains (minibatches,
/// several readouts, any loss) and what the ensemble and geometry tools read. Implementations: the evaluator of
/// <see cref="QnnModel.BindBatches"/>: <see cref="CircuitBatchEvaluator"/>, or <see cref="NoisyModelEvaluator"/> under
/// noise or finite shots.
/// </summary>
/// <remarks>Not thread-safe: use one instance per thread. Results for a sample do not depend on the other samples asked
/// for with it, nor on the number of threads.</remarks>
public interface IBatchModelEvaluator
{
    /// <summary>m, the number of samples the model is bound to.</summary>
    int SampleCount { get; }

    /// <summary>p.</summary>
    int ParameterCount { get; }

    /// <summary>k, the number of outputs (readouts) per sample.</summary>
    int OutputCount { get; }

    /// <summary>
    /// Writes f_o(x_{s_i}; θ) into <paramref name="outputs"/>[i·k + o] for the samples s = <paramref name="samples"/>
    /// and, unless <paramref name="jacobian"/> is empty, ∂f_o(x_{s_i})/∂θ_l into jacobian[(i·k + o)·p + l].
    /// </summary>
    /// <exception cref="ArgumentException">A span of the wrong length, or a sample index out of range.</exception>
    void Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<int> samples, Span<double> outputs, Span<double> jacobian);
}
