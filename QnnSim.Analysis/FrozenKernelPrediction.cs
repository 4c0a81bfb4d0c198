namespace QnnSim.Analysis;

/// <summary>
/// The frozen-kernel ("lazy", kernel-regression) prediction of training from initialisation (docs/theory.md §2):
/// r_k = (I − ηK(0))^k r_0 for gradient descent and r(t) = exp(−ηK(0) t) r_0 for gradient flow, evaluated through the
/// eigendecomposition K(0) = V Λ Vᵀ. With K(0) positive definite it always predicts linear (exponential) convergence;
/// You et al. (ICML 2023, arXiv:2303.14844) show QNN training with Pauli readouts departs from it.
/// </summary>
public sealed class FrozenKernelPrediction
{
    private readonly double[] _lambda;
    private readonly double[,] _v;
    private readonly double[] _modes; // Vᵀ r0
    private readonly int _m;

    /// <summary>Creates the prediction from K(0), the initial residual r_0 = ŷ(θ_0) − y and the learning rate η.</summary>
    /// <exception cref="ArgumentException">r_0 has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">η not positive and finite.</exception>
    public FrozenKernelPrediction(TangentKernel initialKernel, ReadOnlySpan<double> initialResidual, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(initialKernel);
        if (initialResidual.Length != initialKernel.Size) throw new ArgumentException($"the residual has length {initialResidual.Length}, but the kernel is {initialKernel.Size}×{initialKernel.Size}.", nameof(initialResidual));
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"learningRate = {learningRate} is out of range; allowed: a finite number > 0.");
        Kernel = initialKernel;
        LearningRate = learningRate;
        _m = initialKernel.Size;
        _lambda = [.. initialKernel.Eigenvalues];
        _v = initialKernel.Eigenvectors;
        _modes = new double[_m];
        for (int k = 0; k < _m; k++)
        {
            double s = 0;
            for (int i = 0; i < _m; i++) s += _v[i, k] * initialResidual[i];
            _modes[k] = s;
        }
        InitialResidual = initialResidual.ToArray();
    }

    /// <summary>K(0).</summary>
    public TangentKernel Kernel { get; }

    /// <summary>η.</summary>
    public double LearningRate { get; }

    /// <summary>r_0.</summary>
    public IReadOnlyList<double> InitialResidual { get; }

    private double[] Combine(Func<double, double> factor)
    {
        var r = new double[_m];
        for (int k = 0; k < _m; k++)
        {
            double a = _modes[k] * factor(_lambda[k]);
            for (int i = 0; i < _m; i++) r[i] += _v[i, k] * a;
        }
        return r;
    }

    /// <summary>r_k = (I − ηK(0))^k r_0 after <paramref name="steps"/> gradient-descent steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative step count.</exception>
    public double[] Discrete(double steps)
    {
        if (!(steps >= 0)) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps = {steps} is out of range; allowed: ≥ 0.");
        return Combine(l => steps == 0 ? 1 : Math.Pow(1 - LearningRate * Math.Max(l, 0), steps));
    }

    /// <summary>r(t) = exp(−ηK(0) t) r_0 (gradient flow; t counts steps of size η).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative time.</exception>
    public double[] Continuous(double time)
    {
        if (!(time >= 0)) throw new ArgumentOutOfRangeException(nameof(time), time, $"time = {time} is out of range; allowed: ≥ 0.");
        return Combine(l => Math.Exp(-LearningRate * Math.Max(l, 0) * time));
    }

    /// <summary>
    /// The t → ∞ limit: the part of r_0 in the null space of K(0) (eigenvalues below 1e-12·λ_max), zero for a
    /// positive definite K(0) when η &lt; 2/λ_max.
    /// </summary>
    public double[] AtInfinity()
    {
        double cut = 1e-12 * Math.Max(_lambda[^1], 0);
        return Combine(l => l <= cut ? 1 : 0);
    }

    /// <summary>
    /// First-order inference at test inputs (docs/theory.md §2; Scala et al., arXiv:2503.01966):
    /// f_k(x) = f_0(x) − K(x,X) K(X,X)^{-1} [I − (I − ηK(X,X))^k] (f_0(X) − y). <paramref name="steps"/> may be
    /// +∞ (then K^{-1}[…] is the pseudo-inverse). Null modes of K(X,X) use the limit ηk of (1 − (1 − ηλ)^k)/λ.
    /// </summary>
    /// <param name="crossKernel">K(x, X), t × m.</param>
    /// <param name="trainKernel">K(X, X), m × m.</param>
    /// <param name="initialTestOutputs">f_0(x), length t.</param>
    /// <param name="initialTrainResidual">f_0(X) − y, length m.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="steps">k ≥ 0 or +∞.</param>
    /// <exception cref="ArgumentException">Mismatched sizes.</exception>
    public static double[] Inference(double[,] crossKernel, TangentKernel trainKernel, ReadOnlySpan<double> initialTestOutputs,
        ReadOnlySpan<double> initialTrainResidual, double learningRate, double steps)
    {
        ArgumentNullException.ThrowIfNull(crossKernel);
        ArgumentNullException.ThrowIfNull(trainKernel);
        int t = crossKernel.GetLength(0), m = trainKernel.Size;
        if (crossKernel.GetLength(1) != m) throw new ArgumentException($"K(x, X) has {crossKernel.GetLength(1)} columns, but the training kernel has size {m}.", nameof(crossKernel));
        if (initialTestOutputs.Length != t) throw new ArgumentException($"f_0(x) has length {initialTestOutputs.Length}, but {t} test inputs were given.", nameof(initialTestOutputs));
        if (initialTrainResidual.Length != m) throw new ArgumentException($"the residual has length {initialTrainResidual.Length}, but {m} are required.", nameof(initialTrainResidual));
        if (!(steps >= 0)) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps = {steps} is out of range; allowed: ≥ 0 or +∞.");
        var lambda = trainKernel.Eigenvalues;
        var v = trainKernel.Eigenvectors;
        double cut = 1e-12 * Math.Max(lambda[^1], 0);
        var a = new double[m]; // coefficients of K^{-1}[I − (I − ηK)^k] r0 in the eigenbasis
        for (int k = 0; k < m; k++)
        {
            double proj = 0;
            for (int i = 0; i < m; i++) proj += v[i, k] * initialTrainResidual[i];
            double l = lambda[k];
            double g;
            if (l <= cut) g = double.IsPositiveInfinity(steps) ? 0 : learningRate * steps;
            else if (double.IsPositiveInfinity(steps)) g = 1 / l;
            else g = (1 - Math.Pow(1 - learningRate * l, steps)) / l;
            a[k] = g * proj;
        }
        var w = new double[m];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < m; k++) w[i] += v[i, k] * a[k];
        var f = new double[t];
        for (int x = 0; x < t; x++)
        {
            double s = 0;
            for (int j = 0; j < m; j++) s += crossKernel[x, j] * w[j];
            f[x] = initialTestOutputs[x] - s;
        }
        return f;
    }
}
