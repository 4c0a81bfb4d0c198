namespace QnnSim.Analysis;

/// <summary>
/// Training losses ℓ(f, y) of one sample, where f = (f_0, …, f_{k−1}) are the model's k outputs (k readouts).
/// The minimised objective is the mean over the samples of a batch, L = (1/b) Σ_i ℓ(f(x_i), y_i).
/// </summary>
/// <remarks>
/// Single-output models (k = 1) with ±1 labels use <see cref="SquaredError"/>, <see cref="Logistic"/> or
/// <see cref="Hinge"/>; with 0/1 labels <see cref="CrossEntropy"/> (a sigmoid of βf). Multi-output models (k ≥ 2, one
/// readout per class) take the class index c ∈ {0, …, k − 1} as the label: <see cref="CrossEntropy"/> is the softmax
/// cross-entropy of βf, <see cref="SquaredError"/> compares f with the ±1 one-hot target (t_o = +1 for o = c, else −1),
/// <see cref="Hinge"/> is the multi-class hinge of Crammer and Singer. β is <see cref="TrainerOptions.LogitScale"/>.
/// </remarks>
public enum LossKind
{
    /// <summary>ℓ = ½ Σ_o (f_o − t_o)²; t = y for k = 1, the ±1 one-hot target for k ≥ 2. Regression and ±1 labels.</summary>
    SquaredError,
    /// <summary>ℓ = log(1 + e^{−βyf}) for labels y = ±1 (k = 1 only).</summary>
    Logistic,
    /// <summary>Binary (k = 1, labels 0/1): −[y log σ(βf) + (1 − y) log(1 − σ(βf))]; multi-class (k ≥ 2, labels 0..k−1): −log softmax(βf)_y.</summary>
    CrossEntropy,
    /// <summary>ℓ = max(0, 1 − yf) for labels ±1 (k = 1); max(0, 1 + max_{o≠y} f_o − f_y) for k ≥ 2.</summary>
    Hinge,
}

/// <summary>Values, derivatives, predictions and label checks of the <see cref="LossKind"/> losses.</summary>
public static class Losses
{
    /// <summary>True for the classification losses (everything but <see cref="LossKind.SquaredError"/> with one output).</summary>
    public static bool IsClassification(LossKind loss, int outputs) => loss != LossKind.SquaredError || outputs >= 2;

    /// <summary>
    /// ℓ(f, y) and ∂ℓ/∂f_o into <paramref name="gradient"/> (length k). Numerically stable (log-sum-exp, softplus).
    /// </summary>
    /// <param name="loss">The loss.</param>
    /// <param name="outputs">f (length k).</param>
    /// <param name="label">y.</param>
    /// <param name="scale">β of the logistic and cross-entropy losses.</param>
    /// <param name="gradient">Receives ∂ℓ/∂f (length k), or empty to skip.</param>
    /// <returns>ℓ.</returns>
    public static double Value(LossKind loss, ReadOnlySpan<double> outputs, double label, double scale, Span<double> gradient)
    {
        int k = outputs.Length;
        bool grad = !gradient.IsEmpty;
        if (k == 1)
        {
            double f = outputs[0];
            switch (loss)
            {
                case LossKind.SquaredError:
                    if (grad) gradient[0] = f - label;
                    return 0.5 * (f - label) * (f - label);
                case LossKind.Logistic:
                {
                    double z = -scale * label * f;
                    if (grad) gradient[0] = -scale * label * Sigmoid(z);
                    return Softplus(z);
                }
                case LossKind.CrossEntropy:
                {
                    // −[y log σ(z) + (1 − y) log σ(−z)] = softplus(z) − y z, z = βf.
                    double z = scale * f;
                    if (grad) gradient[0] = scale * (Sigmoid(z) - label);
                    return Softplus(z) - label * z;
                }
                case LossKind.Hinge:
                {
                    double margin = 1 - label * f;
                    if (grad) gradient[0] = margin > 0 ? -label : 0;
                    return Math.Max(0, margin);
                }
            }
        }
        int c = (int)label;
        switch (loss)
        {
            case LossKind.SquaredError:
            {
                double s = 0;
                for (int o = 0; o < k; o++)
                {
                    double t = o == c ? 1 : -1, e = outputs[o] - t;
                    s += e * e;
                    if (grad) gradient[o] = e;
                }
                return 0.5 * s;
            }
            case LossKind.CrossEntropy:
            {
                double max = double.NegativeInfinity;
                for (int o = 0; o < k; o++) max = Math.Max(max, scale * outputs[o]);
                double sum = 0;
                for (int o = 0; o < k; o++) sum += Math.Exp(scale * outputs[o] - max);
                double logZ = max + Math.Log(sum);
                if (grad)
                    for (int o = 0; o < k; o++) gradient[o] = scale * (Math.Exp(scale * outputs[o] - logZ) - (o == c ? 1 : 0));
                return logZ - scale * outputs[c];
            }
            case LossKind.Hinge:
            {
                int best = -1;
                double bestValue = double.NegativeInfinity;
                for (int o = 0; o < k; o++)
                    if (o != c && outputs[o] > bestValue) { bestValue = outputs[o]; best = o; }
                double margin = 1 + bestValue - outputs[c];
                if (grad)
                {
                    gradient.Clear();
                    if (margin > 0) { gradient[best] = 1; gradient[c] = -1; }
                }
                return Math.Max(0, margin);
            }
            default:
                throw new ArgumentException($"the {loss} loss needs a single output, but the model has {k}; use CrossEntropy, SquaredError or Hinge with one readout per class.", nameof(loss));
        }
    }

    /// <summary>
    /// The predicted label: for one output sign(f) (±1; +1 at 0) with <see cref="LossKind.Logistic"/>,
    /// <see cref="LossKind.Hinge"/> and <see cref="LossKind.SquaredError"/>, 1 if f &gt; 0 else 0 with
    /// <see cref="LossKind.CrossEntropy"/>; for several outputs the class argmax_o f_o (the first on ties).
    /// </summary>
    public static double Predict(LossKind loss, ReadOnlySpan<double> outputs)
    {
        if (outputs.Length == 1)
        {
            double f = outputs[0];
            return loss == LossKind.CrossEntropy ? (f > 0 ? 1 : 0) : (f >= 0 ? 1 : -1);
        }
        int best = 0;
        for (int o = 1; o < outputs.Length; o++) if (outputs[o] > outputs[best]) best = o;
        return best;
    }

    /// <summary>
    /// Checks that every label fits the loss: ±1 for <see cref="LossKind.Logistic"/> and <see cref="LossKind.Hinge"/>
    /// with one output, 0/1 for <see cref="LossKind.CrossEntropy"/> with one output, a class index 0..k−1 for k ≥ 2.
    /// </summary>
    /// <exception cref="ArgumentException">A label that does not fit, naming it and the allowed values.</exception>
    public static void ValidateLabels(LossKind loss, int outputs, IReadOnlyList<double> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, $"outputs = {outputs} is out of range; allowed: at least 1.");
        if (outputs == 1 && loss is LossKind.Logistic or LossKind.Hinge)
        {
            for (int i = 0; i < labels.Count; i++)
                if (labels[i] is not (1.0 or -1.0)) throw new ArgumentException($"label {i} is {labels[i]}, but the {loss} loss needs labels −1 or +1.", nameof(labels));
        }
        else if (outputs == 1 && loss == LossKind.CrossEntropy)
        {
            for (int i = 0; i < labels.Count; i++)
                if (labels[i] is not (0.0 or 1.0)) throw new ArgumentException($"label {i} is {labels[i]}, but the binary cross-entropy loss needs labels 0 or 1 (use Logistic for ±1 labels).", nameof(labels));
        }
        else if (outputs >= 2)
        {
            for (int i = 0; i < labels.Count; i++)
                if (!(labels[i] >= 0 && labels[i] < outputs && labels[i] == Math.Floor(labels[i])))
                    throw new ArgumentException($"label {i} is {labels[i]}, but a model with {outputs} readouts needs class labels 0..{outputs - 1}.", nameof(labels));
        }
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static double Softplus(double z) => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
}
