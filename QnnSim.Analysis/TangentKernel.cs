using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;

namespace QnnSim.Analysis;

/// <summary>
/// The quantum neural tangent kernel K = J Jᵀ of a model on m samples, K_ij = Σ_l ∂ŷ_i/∂θ_l ∂ŷ_j/∂θ_l
/// (docs/theory.md §2), with its spectrum and the diagnostics of Scala et al., "Towards Practical Quantum Neural Network
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

    /// <summary>
    /// K = J Jᵀ from a row-major m × p Jacobian (row i = ∇_θ ŷ_i), on up to <see cref="Environment.ProcessorCount"/>
    /// threads. See <see cref="Compute"/> for the method, its cost and its exactness.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not m·p, m or p is below 1, or an entry is not finite.</exception>
    public static TangentKernel FromJacobian(ReadOnlySpan<double> jacobian, int samples, int parameters) =>
        FromJacobian(jacobian, samples, parameters, Environment.ProcessorCount);

    /// <summary>K = J Jᵀ from a row-major m × p Jacobian on up to <paramref name="maxThreads"/> threads (see <see cref="Compute"/>).</summary>
    /// <exception cref="ArgumentException">The length is not m·p, m or p is below 1, or an entry is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxThreads"/> is below 1.</exception>
    public static TangentKernel FromJacobian(ReadOnlySpan<double> jacobian, int samples, int parameters, int maxThreads)
    {
        if (samples < 1 || parameters < 1)
            throw new ArgumentException($"a Jacobian needs at least one sample and one parameter; got m = {samples}, p = {parameters}.", nameof(jacobian));
        MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(samples, samples, sizeof(double)), $"a {samples} × {samples} tangent kernel");
        var k = new double[samples, samples];
        Compute(jacobian, samples, parameters, MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(k)), k.Length), maxThreads);
        return new TangentKernel(k, trusted: true);
    }

    /// <summary>K = J Jᵀ from an m × p Jacobian array, on up to <see cref="Environment.ProcessorCount"/> threads.</summary>
    /// <exception cref="ArgumentException">m or p is below 1, or an entry is not finite.</exception>
    public static TangentKernel FromJacobian(double[,] jacobian)
    {
        ArgumentNullException.ThrowIfNull(jacobian);
        int m = jacobian.GetLength(0), p = jacobian.GetLength(1);
        return FromJacobian(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(jacobian)), jacobian.Length), m, p);
    }

    /// <summary>
    /// Writes K = J Jᵀ, K_ij = Σ_l J_il J_jl, row-major m × m into <paramref name="destination"/> from the row-major m × p
    /// Jacobian <paramref name="jacobian"/>, allocating nothing on one thread (the caller keeps the buffer across calls,
    /// e.g. along a training run).
    /// </summary>
    /// <remarks>
    /// A symmetric rank-k update (BLAS dsyrk): only the lower triangle is computed, m(m+1)p/2 fused multiply-adds, in
    /// cache blocks with 4 × 4 register tiles of the widest vectors (AVX-512, AVX2 or SSE, else scalar), and mirrored, so
    /// K is exactly symmetric. Blocks of 16 rows are shared among up to <paramref name="maxThreads"/> threads (small
    /// products stay on the calling thread). Every entry is summed in the same fixed order whatever the thread count, so
    /// the result is bit-identical for any <paramref name="maxThreads"/>; it differs between processors with different
    /// vector widths by rounding only (relative error ≤ p·ε in Σ_l |J_il J_jl|, ε = 2⁻⁵³; Higham, "Accuracy and
    /// Stability of Numerical Algorithms", 2nd ed., §3.1). m = 0 writes nothing and p = 0 writes zeros.
    /// </remarks>
    /// <exception cref="ArgumentException">A negative size, the Jacobian's length is not m·p, the destination is shorter
    /// than m², or a Jacobian entry is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxThreads"/> is below 1.</exception>
    public static void Compute(ReadOnlySpan<double> jacobian, int samples, int parameters, Span<double> destination, int maxThreads)
    {
        if (samples < 0 || parameters < 0 || (long)samples * parameters != jacobian.Length)
            throw new ArgumentException($"the Jacobian has length {jacobian.Length}, but m·p = {samples}·{parameters} = {(long)samples * parameters} is required (m, p ≥ 0).", nameof(jacobian));
        if (destination.Length < (long)samples * samples)
            throw new ArgumentException($"the destination has length {destination.Length}, but m² = {(long)samples * samples} is required.", nameof(destination));
        if (maxThreads < 1)
            throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, $"maxThreads = {maxThreads} is out of range; allowed: at least 1.");
        RequireFinite(jacobian, parameters, nameof(jacobian));
        GramProduct.Symmetric(jacobian, samples, parameters, destination, maxThreads);
    }

    /// <summary>
    /// The cross kernel K(x, X)_ab = Σ_l ∂ŷ(x_a)/∂θ_l ∂ŷ(X_b)/∂θ_l between test inputs (rows of
    /// <paramref name="testJacobian"/>, row-major t × p) and training inputs (row-major m × p), on up to
    /// <see cref="Environment.ProcessorCount"/> threads (the blocked product of <see cref="Compute"/> without symmetry;
    /// bit-identical for any thread count).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths that are not multiples of p, or a non-finite entry.</exception>
    public static double[,] Cross(ReadOnlySpan<double> testJacobian, ReadOnlySpan<double> trainJacobian, int parameters)
    {
        if (parameters < 1 || testJacobian.Length % parameters != 0 || trainJacobian.Length % parameters != 0)
            throw new ArgumentException($"Jacobian lengths {testJacobian.Length} and {trainJacobian.Length} must be multiples of p = {parameters}.", nameof(parameters));
        RequireFinite(testJacobian, parameters, nameof(testJacobian));
        RequireFinite(trainJacobian, parameters, nameof(trainJacobian));
        int t = testJacobian.Length / parameters, m = trainJacobian.Length / parameters;
        MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(t, m, sizeof(double)), $"a {t} × {m} cross kernel");
        var k = new double[t, m];
        GramProduct.General(testJacobian, t, trainJacobian, m, parameters,
            MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(k)), k.Length), Environment.ProcessorCount);
        return k;
    }

    private TangentKernel(double[,] k, bool trusted) => _k = k;

    /// <summary>Throws naming the first non-finite entry (row, column and value) of a row-major matrix with <paramref name="columns"/> columns.</summary>
    private static void RequireFinite(ReadOnlySpan<double> values, int columns, string paramName)
    {
        if (values.IsEmpty || TensorPrimitives.IsFiniteAll(values)) return;
        int at = 0;
        while (double.IsFinite(values[at])) at++;
        throw new ArgumentException($"the Jacobian contains the non-finite value {values[at]} at row {at / columns}, column {at % columns}.", paramName);
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
/// How far a kernel K(t) has moved from K(0) (docs/theory.md §3a: with Pauli readouts and ±1 labels the relative change
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
