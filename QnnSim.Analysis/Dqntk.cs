namespace QnnSim.Analysis;

/// <summary>
/// The differential QNTK of Liu et al., "Analytic theory for the dynamics of wide quantum neural networks",
/// PRL 130, 150601 (2023): μ_abc = Σ_{l,l'} (∂_l∂_{l'} r_a)(∂_l r_b)(∂_{l'} r_c), with which the kernel moves as
/// δK_ab = −η Σ_c (μ_abc + μ_bac) r_c per step (docs/theory.md §2). Meant for small p (it needs m Hessians).
/// </summary>
public sealed class Dqntk
{
    private readonly double[,,] _mu;

    private Dqntk(double[,,] mu) => _mu = mu;

    /// <summary>m.</summary>
    public int Size => _mu.GetLength(0);

    /// <summary>μ_abc.</summary>
    public double this[int a, int b, int c] => _mu[a, b, c];

    /// <summary>μ from the row-major m × p Jacobian and the m Hessians (p × p) of the outputs.</summary>
    /// <exception cref="ArgumentException">Inconsistent sizes.</exception>
    public static Dqntk FromDerivatives(ReadOnlySpan<double> jacobian, IReadOnlyList<double[,]> hessians)
    {
        ArgumentNullException.ThrowIfNull(hessians);
        int m = hessians.Count;
        if (m == 0) throw new ArgumentException("at least one Hessian is required.", nameof(hessians));
        int p = hessians[0].GetLength(0);
        if (jacobian.Length != m * p) throw new ArgumentException($"the Jacobian has length {jacobian.Length}, but m·p = {m * p} is required.", nameof(jacobian));
        foreach (var h in hessians)
            if (h.GetLength(0) != p || h.GetLength(1) != p) throw new ArgumentException($"every Hessian must be {p}×{p}.", nameof(hessians));
        var mu = new double[m, m, m];
        var hj = new double[p];
        for (int a = 0; a < m; a++)
            for (int c = 0; c < m; c++)
            {
                for (int l = 0; l < p; l++)
                {
                    double s = 0;
                    for (int l2 = 0; l2 < p; l2++) s += hessians[a][l, l2] * jacobian[c * p + l2];
                    hj[l] = s;
                }
                for (int b = 0; b < m; b++)
                {
                    double s = 0;
                    for (int l = 0; l < p; l++) s += jacobian[b * p + l] * hj[l];
                    mu[a, b, c] = s;
                }
            }
        return new Dqntk(mu);
    }

    /// <summary>
    /// μ at θ from an evaluator, with the Hessians from shifted Jacobians: ∂_{l'} g = f·[g(θ + s e_{l'}) − g(θ − s e_{l'})].
    /// The default shift s = π/4, f = 1 is exact for e^{−iθH} layers with H² = I (<see cref="PaperModelEngine"/>);
    /// for R_P(φ) gates with φ = θ use s = π/2, f = 1/2. Costs 2p + 1 Jacobians.
    /// </summary>
    /// <exception cref="ArgumentException">θ of the wrong length.</exception>
    public static Dqntk FromEvaluator(IModelEvaluator model, ReadOnlySpan<double> parameters, double shift = Math.PI / 4, double factor = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        int m = model.SampleCount, p = model.ParameterCount;
        if (parameters.Length != p) throw new ArgumentException($"θ has length {parameters.Length}, but the model has {p} parameters.", nameof(parameters));
        var theta = parameters.ToArray();
        var outputs = new double[m];
        var j0 = new double[m * p];
        model.Evaluate(theta, outputs, j0);
        var hessians = Hessians(model, theta, shift, factor);
        return FromDerivatives(j0, hessians);
    }

    /// <summary>The m Hessians ∂²ŷ_a/∂θ_l∂θ_l' by shifted Jacobians (see <see cref="FromEvaluator"/>), symmetrised.</summary>
    public static double[][,] Hessians(IModelEvaluator model, ReadOnlySpan<double> parameters, double shift = Math.PI / 4, double factor = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        int m = model.SampleCount, p = model.ParameterCount;
        var theta = parameters.ToArray();
        var outputs = new double[m];
        var jp = new double[m * p];
        var jm = new double[m * p];
        var h = new double[m][,];
        for (int a = 0; a < m; a++) h[a] = new double[p, p];
        for (int l2 = 0; l2 < p; l2++)
        {
            double t = theta[l2];
            theta[l2] = t + shift;
            model.Evaluate(theta, outputs, jp);
            theta[l2] = t - shift;
            model.Evaluate(theta, outputs, jm);
            theta[l2] = t;
            for (int a = 0; a < m; a++)
                for (int l = 0; l < p; l++) h[a][l, l2] = factor * (jp[a * p + l] - jm[a * p + l]);
        }
        for (int a = 0; a < m; a++)
            for (int l = 0; l < p; l++)
                for (int l2 = 0; l2 < l; l2++)
                    h[a][l, l2] = h[a][l2, l] = 0.5 * (h[a][l, l2] + h[a][l2, l]);
        return h;
    }

    /// <summary>The predicted one-step kernel change δK_ab = −η Σ_c (μ_abc + μ_bac) r_c.</summary>
    /// <exception cref="ArgumentException">r of the wrong length.</exception>
    public double[,] KernelChange(ReadOnlySpan<double> residuals, double learningRate)
    {
        int m = Size;
        if (residuals.Length != m) throw new ArgumentException($"the residual has length {residuals.Length}, but {m} are required.", nameof(residuals));
        MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(m, m, sizeof(double)), $"a {m} × {m} kernel derivative");
        var dk = new double[m, m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
            {
                double s = 0;
                for (int c = 0; c < m; c++) s += (_mu[a, b, c] + _mu[b, a, c]) * residuals[c];
                dk[a, b] = -learningRate * s;
            }
        return dk;
    }

    /// <summary>max |μ_abc| / λ_max(K): small in the frozen (lazy) limit.</summary>
    public double RelativeMagnitude(TangentKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        double mx = 0;
        foreach (double v in _mu) mx = Math.Max(mx, Math.Abs(v));
        return kernel.MaxEigenvalue > 0 ? mx / kernel.MaxEigenvalue : double.PositiveInfinity;
    }
}
