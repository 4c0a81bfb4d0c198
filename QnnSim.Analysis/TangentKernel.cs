using MathNet.Numerics.LinearAlgebra;

namespace QnnSim.Analysis;

/// <summary>
/// The quantum neural tangent kernel K = J Jᵀ of a model on m samples, K_ij = Σ_l ∂ŷ_i/∂θ_l ∂ŷ_j/∂θ_l
/// (THEORY.md §2), with its spectrum and the diagnostics of Scala et al., "Towards Practical Quantum Neural Network
/// Diagnostics with Neural Tangent Kernels" (arXiv:2503.01966). Immutable.
/// </summary>
public sealed class TangentKernel
{
    private readonly double[,] _k;
    private double[]? _eigenvalues;
    private double[,]? _eigenvectors;

    /// <summary>Wraps a symmetric m × m matrix (copied).</summary>
    /// <exception cref="ArgumentException">Not square, empty, non-finite, or asymmetric beyond 1e-10 relative.</exception>
    public TangentKernel(double[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int m = matrix.GetLength(0);
        if (m == 0 || matrix.GetLength(1) != m) throw new ArgumentException($"a tangent kernel must be square and non-empty; got {matrix.GetLength(0)}×{matrix.GetLength(1)}.", nameof(matrix));
        double scale = 0;
        foreach (double v in matrix)
        {
            if (!double.IsFinite(v)) throw new ArgumentException($"the kernel contains the non-finite value {v}.", nameof(matrix));
            scale = Math.Max(scale, Math.Abs(v));
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < i; j++)
                if (Math.Abs(matrix[i, j] - matrix[j, i]) > 1e-10 * Math.Max(scale, 1e-300))
                    throw new ArgumentException($"the kernel is not symmetric: K[{i},{j}] = {matrix[i, j]} but K[{j},{i}] = {matrix[j, i]}.", nameof(matrix));
        _k = (double[,])matrix.Clone();
    }

    /// <summary>K = J Jᵀ from a row-major m × p Jacobian (row i = ∇_θ ŷ_i).</summary>
    /// <exception cref="ArgumentException">The length is not m·p.</exception>
    public static TangentKernel FromJacobian(ReadOnlySpan<double> jacobian, int samples, int parameters)
    {
        if (samples < 1 || parameters < 1 || jacobian.Length != samples * parameters)
            throw new ArgumentException($"the Jacobian has length {jacobian.Length}, but m·p = {samples}·{parameters} = {samples * parameters} is required.", nameof(jacobian));
        return new TangentKernel(Gram(jacobian, samples, jacobian, samples, parameters), trusted: true);
    }

    /// <summary>K = J Jᵀ from an m × p Jacobian array.</summary>
    public static TangentKernel FromJacobian(double[,] jacobian)
    {
        ArgumentNullException.ThrowIfNull(jacobian);
        int m = jacobian.GetLength(0), p = jacobian.GetLength(1);
        var flat = new double[m * p];
        Buffer.BlockCopy(jacobian, 0, flat, 0, flat.Length * sizeof(double));
        return FromJacobian(flat, m, p);
    }

    /// <summary>
    /// The cross kernel K(x, X)_ab = Σ_l ∂ŷ(x_a)/∂θ_l ∂ŷ(X_b)/∂θ_l between test inputs (rows of
    /// <paramref name="testJacobian"/>, row-major t × p) and training inputs (row-major m × p).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths that are not multiples of p.</exception>
    public static double[,] Cross(ReadOnlySpan<double> testJacobian, ReadOnlySpan<double> trainJacobian, int parameters)
    {
        if (parameters < 1 || testJacobian.Length % parameters != 0 || trainJacobian.Length % parameters != 0)
            throw new ArgumentException($"Jacobian lengths {testJacobian.Length} and {trainJacobian.Length} must be multiples of p = {parameters}.", nameof(parameters));
        return Gram(testJacobian, testJacobian.Length / parameters, trainJacobian, trainJacobian.Length / parameters, parameters);
    }

    private TangentKernel(double[,] k, bool trusted) => _k = k;

    private static double[,] Gram(ReadOnlySpan<double> a, int ra, ReadOnlySpan<double> b, int rb, int p)
    {
        MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(ra, rb, sizeof(double)), $"a {ra} × {rb} tangent kernel");
        var k = new double[ra, rb];
        for (int i = 0; i < ra; i++)
            for (int j = 0; j < rb; j++)
            {
                double s = 0;
                var x = a.Slice(i * p, p);
                var y = b.Slice(j * p, p);
                for (int l = 0; l < p; l++) s += x[l] * y[l];
                k[i, j] = s;
            }
        return k;
    }

    /// <summary>m, the number of samples.</summary>
    public int Size => _k.GetLength(0);

    /// <summary>K_ij.</summary>
    public double this[int i, int j] => _k[i, j];

    /// <summary>A copy of the matrix.</summary>
    public double[,] ToArray() => (double[,])_k.Clone();

    /// <summary>The matrix as a MathNet dense matrix (a copy).</summary>
    public Matrix<double> ToMatrix() => Matrix<double>.Build.DenseOfArray(_k);

    /// <summary>tr K = Σ_i ‖∇ŷ_i‖².</summary>
    public double Trace
    {
        get
        {
            double t = 0;
            for (int i = 0; i < Size; i++) t += _k[i, i];
            return t;
        }
    }

    /// <summary>‖K‖_F.</summary>
    public double FrobeniusNorm
    {
        get
        {
            double s = 0;
            foreach (double v in _k) s += v * v;
            return Math.Sqrt(s);
        }
    }

    /// <summary>Eigenvalues λ_1 ≤ … ≤ λ_m (symmetric eigendecomposition, MathNet).</summary>
    public IReadOnlyList<double> Eigenvalues
    {
        get
        {
            Decompose();
            return _eigenvalues!;
        }
    }

    /// <summary>Orthonormal eigenvectors as columns, in the order of <see cref="Eigenvalues"/> (a copy).</summary>
    public double[,] Eigenvectors
    {
        get
        {
            Decompose();
            return (double[,])_eigenvectors!.Clone();
        }
    }

    private void Decompose()
    {
        if (_eigenvalues is not null) return;
        // MathNet's symmetric eigensolver holds the matrix, the eigenvectors and a work copy; ours the sorted vectors.
        MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(Size, Size, 4 * sizeof(double)), $"the eigendecomposition of a {Size} × {Size} tangent kernel");
        var evd = ToMatrix().Evd(Symmetricity.Symmetric);
        int m = Size;
        var order = Enumerable.Range(0, m).OrderBy(i => evd.EigenValues[i].Real).ToArray();
        var vals = new double[m];
        var vecs = new double[m, m];
        for (int c = 0; c < m; c++)
        {
            vals[c] = evd.EigenValues[order[c]].Real;
            for (int r = 0; r < m; r++) vecs[r, c] = evd.EigenVectors[r, order[c]];
        }
        _eigenvectors = vecs;
        _eigenvalues = vals;
    }

    /// <summary>λ_max.</summary>
    public double MaxEigenvalue => Eigenvalues[^1];

    /// <summary>λ_min.</summary>
    public double MinEigenvalue => Eigenvalues[0];

    /// <summary>λ_max/λ_min, or +∞ when λ_min ≤ 0.</summary>
    public double ConditionNumber => MinEigenvalue > 0 ? MaxEigenvalue / MinEigenvalue : double.PositiveInfinity;

    /// <summary>
    /// The critical learning rate η_c = 2/λ_max: above it the linearised dynamics r ← (I − ηK) r diverges
    /// (Scala et al., arXiv:2503.01966). +∞ for K = 0.
    /// </summary>
    public double CriticalLearningRate => MaxEigenvalue > 0 ? 2 / MaxEigenvalue : double.PositiveInfinity;

    /// <summary>Decay time (in steps) of each eigenmode, τ_k = −1/ln|1 − ηλ_k| (≈ 1/(ηλ_k)); +∞ for a mode that does not decay.</summary>
    /// <exception cref="ArgumentOutOfRangeException">η not positive and finite.</exception>
    public double[] DecayTimes(double learningRate)
    {
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"learningRate = {learningRate} is out of range; allowed: a finite number > 0.");
        return [.. Eigenvalues.Select(l =>
        {
            double f = Math.Abs(1 - learningRate * l);
            return f < 1 ? -1 / Math.Log(f) : double.PositiveInfinity;
        })];
    }

    /// <summary>Kernel–target alignment A(K, y) = yᵀKy/(‖K‖_F ‖y‖²) (Cristianini et al., 2001), in [0, 1] for PSD K.</summary>
    /// <exception cref="ArgumentException">y has the wrong length or is zero.</exception>
    public double TargetAlignment(ReadOnlySpan<double> targets)
    {
        if (targets.Length != Size) throw new ArgumentException($"the target vector has length {targets.Length}, but {Size} are required.", nameof(targets));
        double yy = 0, yky = 0;
        for (int i = 0; i < Size; i++)
        {
            yy += targets[i] * targets[i];
            for (int j = 0; j < Size; j++) yky += targets[i] * _k[i, j] * targets[j];
        }
        if (yy == 0) throw new ArgumentException("the target vector is zero.", nameof(targets));
        double f = FrobeniusNorm;
        return f > 0 ? yky / (f * yy) : 0;
    }

    /// <summary>Frobenius alignment ⟨A, B⟩_F/(‖A‖_F ‖B‖_F) of two kernels of the same size (1 when parallel).</summary>
    /// <exception cref="ArgumentException">Different sizes.</exception>
    public static double Alignment(TangentKernel a, TangentKernel b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Size != b.Size) throw new ArgumentException($"kernels of sizes {a.Size} and {b.Size} cannot be compared.", nameof(b));
        double s = 0;
        for (int i = 0; i < a.Size; i++)
            for (int j = 0; j < a.Size; j++) s += a._k[i, j] * b._k[i, j];
        double n = a.FrobeniusNorm * b.FrobeniusNorm;
        return n > 0 ? s / n : 0;
    }

    /// <summary>y = K x.</summary>
    public double[] Multiply(ReadOnlySpan<double> x)
    {
        if (x.Length != Size) throw new ArgumentException($"the vector has length {x.Length}, but {Size} are required.", nameof(x));
        var y = new double[Size];
        for (int i = 0; i < Size; i++)
        {
            double s = 0;
            for (int j = 0; j < Size; j++) s += _k[i, j] * x[j];
            y[i] = s;
        }
        return y;
    }
}

/// <summary>
/// How far a kernel K(t) has moved from K(0) (THEORY.md §3a: with Pauli readouts and ±1 labels the relative change
/// tends to 1 for every p).
/// </summary>
/// <param name="RelativeChange">‖K(t) − K(0)‖_F/‖K(0)‖_F.</param>
/// <param name="TraceRatio">tr K(t)/tr K(0).</param>
/// <param name="EigenvalueDrift">max_k |λ_k(t) − λ_k(0)|/λ_max(0) over the sorted spectra.</param>
/// <param name="Alignment">Frobenius alignment ⟨K(t), K(0)⟩/(‖K(t)‖‖K(0)‖).</param>
public readonly record struct KernelDeviation(double RelativeChange, double TraceRatio, double EigenvalueDrift, double Alignment)
{
    /// <summary>Compares <paramref name="current"/> with <paramref name="initial"/>.</summary>
    /// <exception cref="ArgumentException">Different sizes.</exception>
    public static KernelDeviation Between(TangentKernel initial, TangentKernel current)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(current);
        if (initial.Size != current.Size) throw new ArgumentException($"kernels of sizes {initial.Size} and {current.Size} cannot be compared.", nameof(current));
        int m = initial.Size;
        double diff = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double e = current[i, j] - initial[i, j];
                diff += e * e;
            }
        double f0 = initial.FrobeniusNorm;
        double drift = 0;
        for (int k = 0; k < m; k++) drift = Math.Max(drift, Math.Abs(current.Eigenvalues[k] - initial.Eigenvalues[k]));
        double lmax = initial.MaxEigenvalue;
        return new KernelDeviation(
            f0 > 0 ? Math.Sqrt(diff) / f0 : double.NaN,
            initial.Trace > 0 ? current.Trace / initial.Trace : double.NaN,
            lmax > 0 ? drift / lmax : double.NaN,
            TangentKernel.Alignment(initial, current));
    }
}
