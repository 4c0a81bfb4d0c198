using System.Globalization;

namespace QnnSim.Noise;

/// <summary>
/// A one-qubit readout (measurement) error: the confusion matrix
/// <c>[[1 − p(1|0), p(1|0)], [p(0|1), 1 − p(0|1)]]</c> (row: prepared value, column: reported value), as Qiskit's
/// <c>ReadoutError</c>. It changes reported outcomes, never the state: QnnSim applies it to sampled counts and to
/// measured probabilities, not to exact expectations Tr(Oρ).
/// </summary>
public sealed class ReadoutError
{
    /// <summary>Creates the error.</summary>
    /// <param name="probability1Given0">p(1|0): a qubit in |0⟩ is reported as 1.</param>
    /// <param name="probability0Given1">p(0|1): a qubit in |1⟩ is reported as 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A probability that is not finite or not in [0, 1].</exception>
    public ReadoutError(double probability1Given0, double probability0Given1)
    {
        if (!double.IsFinite(probability1Given0) || probability1Given0 < 0 || probability1Given0 > 1)
            ThrowHelper.ArgumentOutOfRange(nameof(probability1Given0), probability1Given0, "a probability in [0, 1]");
        if (!double.IsFinite(probability0Given1) || probability0Given1 < 0 || probability0Given1 > 1)
            ThrowHelper.ArgumentOutOfRange(nameof(probability0Given1), probability0Given1, "a probability in [0, 1]");
        Probability1Given0 = probability1Given0;
        Probability0Given1 = probability0Given1;
    }

    /// <summary>p(1|0).</summary>
    public double Probability1Given0 { get; }

    /// <summary>p(0|1).</summary>
    public double Probability0Given1 { get; }

    /// <summary>
    /// Applies the confusion matrix of this error on <paramref name="qubit"/> to a probability vector over 2^n outcomes
    /// (qubit q is bit q of the outcome index): p'(…0…) = (1 − e0) p(…0…) + e1 p(…1…), p'(…1…) = e0 p(…0…) + (1 − e1) p(…1…).
    /// </summary>
    internal void ApplyTo(Span<double> probabilities, int qubit)
    {
        double e0 = Probability1Given0, e1 = Probability0Given1;
        long bit = 1L << qubit;
        for (long k = 0; k < probabilities.Length; k++)
        {
            if ((k & bit) != 0) continue;
            double p0 = probabilities[(int)k], p1 = probabilities[(int)(k | bit)];
            probabilities[(int)k] = (1 - e0) * p0 + e1 * p1;
            probabilities[(int)(k | bit)] = e0 * p0 + (1 - e1) * p1;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"readout({Probability1Given0:R},{Probability0Given1:R})");
}
