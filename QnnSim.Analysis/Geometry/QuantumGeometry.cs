using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Circuits;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// Overparameterisation and geometry of a parameterised state or model: the quantum Fisher information matrix, the
/// numerical rank of it and of Jacobians, and the effective dimension (Abbas et al., "The power of quantum neural
/// networks", Nature Computational Science 1, 403 (2021)).
/// </summary>
public static class QuantumGeometry
{
    /// <summary>The default relative tolerance of <see cref="Rank(double[,], double)"/>: singular values below 10⁻⁸·σ_max count as zero.</summary>
    public const double DefaultRankTolerance = 1e-8;

    /// <summary>
    /// The quantum Fisher information matrix F_ij = 4 Re[⟨∂_iψ|∂_jψ⟩ − ⟨∂_iψ|ψ⟩⟨ψ|∂_jψ⟩] of |ψ(θ)⟩ = U(θ, x)|ψ₀⟩
    /// (Meyer, "Fisher information in noisy intermediate-scale quantum applications", Quantum 5, 539 (2021)), from
    /// <see cref="StateDerivatives"/>. Symmetric, positive semidefinite, invariant under θ-dependent global phases.
    /// </summary>
    /// <exception cref="ArgumentException">θ or x of the wrong length.</exception>
    public static double[,] QuantumFisherInformation(Circuit circuit, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs = default, StateVector? initialState = null)
    {
        var (psi, d) = StateDerivatives.Compute(circuit, parameters, inputs, initialState);
        int p = d.Length;
        var overlap = new Complex[p];
        for (int i = 0; i < p; i++) overlap[i] = Inner(d[i], psi);
        var f = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int j = i; j < p; j++)
            {
                double v = 4 * (Inner(d[i], d[j]) - overlap[i] * Complex.Conjugate(overlap[j])).Real;
                f[i, j] = f[j, i] = v;
            }
        return f;
    }

    /// <summary>⟨a|b⟩ = Σ conj(a_k) b_k.</summary>
    internal static Complex Inner(Complex[] a, Complex[] b)
    {
        Complex s = 0;
        for (int k = 0; k < a.Length; k++) s += Complex.Conjugate(a[k]) * b[k];
        return s;
    }

    /// <summary>
    /// The numerical rank: the number of singular values above <paramref name="relativeTolerance"/>·σ_max (0 for the
    /// zero matrix). Documented tolerance, as in numpy.linalg.matrix_rank with an explicit rtol.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance outside (0, 1).</exception>
    public static int Rank(double[,] matrix, double relativeTolerance = DefaultRankTolerance)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (!(relativeTolerance > 0 && relativeTolerance < 1)) throw new ArgumentOutOfRangeException(nameof(relativeTolerance), relativeTolerance, $"relativeTolerance = {relativeTolerance} is out of range; allowed: (0, 1).");
        if (matrix.Length == 0) return 0;
        var s = Matrix<double>.Build.DenseOfArray(matrix).Svd(computeVectors: false).S;
        double max = s.Maximum();
        return max == 0 ? 0 : s.Count(v => v > relativeTolerance * max);
    }

    /// <summary>The rank of a row-major rows × columns matrix (see <see cref="Rank(double[,], double)"/>).</summary>
    public static int Rank(ReadOnlySpan<double> rowMajor, int rows, int columns, double relativeTolerance = DefaultRankTolerance)
    {
        if (rows < 0 || columns < 0 || rowMajor.Length != rows * columns) throw new ArgumentException($"the matrix has {rowMajor.Length} entries, not {rows}·{columns}.", nameof(rowMajor));
        var m = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) m[i, j] = rowMajor[i * columns + j];
        return Rank(m, relativeTolerance);
    }

    /// <summary>
    /// The dimension of the orbit of |ψ⟩ under the Lie group of a Lie algebra with Hermitian basis {B_k} (from
    /// <see cref="DynamicalLieAlgebra"/>): the real rank of the tangent vectors −iB_kψ with their component along ψ
    /// removed. The QFIM rank of a circuit whose gates generate the algebra saturates at this value (Larocca et al.,
    /// "Theory of overparametrization in quantum neural networks", Nature Computational Science 3, 542 (2023)); for
    /// su(d) on a pure state it is 2d − 2.
    /// </summary>
    /// <exception cref="ArgumentException">A basis element on another number of qubits than the state.</exception>
    public static int OrbitDimension(DynamicalLieAlgebra algebra, StateVector state, double relativeTolerance = DefaultRankTolerance)
    {
        ArgumentNullException.ThrowIfNull(algebra);
        ArgumentNullException.ThrowIfNull(state);
        if (algebra.QubitCount > state.QubitCount) throw new ArgumentException($"the algebra acts on {algebra.QubitCount} qubits, the state has {state.QubitCount}.", nameof(state));
        var psi = state.ToArray();
        int d = psi.Length;
        var rows = new double[algebra.Dimension, 2 * d];
        for (int k = 0; k < algebra.Dimension; k++)
        {
            var v = algebra.Apply(k, psi, state.QubitCount);
            for (int a = 0; a < d; a++) v[a] *= -Complex.ImaginaryOne;
            var c = Inner(psi, v);
            for (int a = 0; a < d; a++)
            {
                var t = v[a] - c * psi[a];
                rows[k, 2 * a] = t.Real;
                rows[k, 2 * a + 1] = t.Imaginary;
            }
        }
        return Rank(rows, relativeTolerance);
    }

    /// <summary>
    /// The effective dimension of Abbas et al. (2021): with the normalised Fisher information F̂(θ) = p·F(θ)/E_θ[tr F],
    /// d_eff = 2 log( E_θ[√det(I + κF̂(θ))] ) / log κ, κ = γ·n/(2π log n), estimated over the given parameter draws
    /// (the E_θ are sample means; the determinant through the eigenvalues, the mean by log-sum-exp). 0 ≤ d_eff ≤ p.
    /// </summary>
    /// <param name="fisherMatrices">F(θ_s) for the draws s (each p × p, symmetric PSD), e.g. from <see cref="ClassifierFisherInformation"/>.</param>
    /// <param name="dataSize">n, the number of data samples (≥ 2).</param>
    /// <param name="gamma">γ ∈ (0, 1] (default 1).</param>
    /// <exception cref="ArgumentException">No matrices, different sizes, or E[tr F] = 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException">n below 2 or γ outside (0, 1].</exception>
    public static double EffectiveDimension(IReadOnlyList<double[,]> fisherMatrices, long dataSize, double gamma = 1.0)
    {
        ArgumentNullException.ThrowIfNull(fisherMatrices);
        if (fisherMatrices.Count == 0) throw new ArgumentException("at least one Fisher matrix is required.", nameof(fisherMatrices));
        if (dataSize < 2) throw new ArgumentOutOfRangeException(nameof(dataSize), dataSize, $"dataSize = {dataSize} is out of range; allowed: ≥ 2.");
        if (!(gamma > 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"gamma = {gamma} is out of range; allowed: (0, 1].");
        int p = fisherMatrices[0].GetLength(0);
        double meanTrace = 0;
        foreach (var f in fisherMatrices)
        {
            if (f.GetLength(0) != p || f.GetLength(1) != p) throw new ArgumentException($"every Fisher matrix must be {p} × {p}.", nameof(fisherMatrices));
            for (int i = 0; i < p; i++) meanTrace += f[i, i];
        }
        meanTrace /= fisherMatrices.Count;
        if (!(meanTrace > 0)) throw new ArgumentException("the mean trace of the Fisher matrices is 0: the model does not depend on θ.", nameof(fisherMatrices));
        double kappa = gamma * dataSize / (2 * Math.PI * Math.Log(dataSize));
        var logs = new double[fisherMatrices.Count];
        for (int s = 0; s < logs.Length; s++)
        {
            var eig = Matrix<double>.Build.DenseOfArray(fisherMatrices[s]).Evd(Symmetricity.Symmetric).EigenValues;
            double half = 0;
            foreach (var l in eig) half += 0.5 * Math.Log(1 + kappa * Math.Max(0, l.Real * p / meanTrace));
            logs[s] = half;
        }
        double max = logs.Max();
        double logMean = max + Math.Log(logs.Sum(v => Math.Exp(v - max)) / logs.Length);
        return 2 * logMean / Math.Log(kappa);
    }

    /// <summary>
    /// The classical Fisher information of a ±1 classifier with p(y = ±1 | x; θ) = (1 ± f(x; θ))/2 over a dataset:
    /// F = (1/m) Σ_i ∇f_i ∇f_iᵀ / (1 − f_i²) (the input of the effective dimension). Outputs with |f| ≥ 1 − 10⁻¹²
    /// are clipped to that bound.
    /// </summary>
    /// <exception cref="ArgumentException">θ of the wrong length, or a model with several outputs.</exception>
    public static double[,] ClassifierFisherInformation(IBatchModelEvaluator model, ReadOnlySpan<double> parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.OutputCount != 1) throw new ArgumentException($"the classifier Fisher information needs one output; the model has {model.OutputCount}.", nameof(model));
        int m = model.SampleCount, p = model.ParameterCount;
        var samples = Enumerable.Range(0, m).ToArray();
        var f = new double[m];
        var j = new double[m * p];
        model.Evaluate(parameters, samples, f, j);
        var fisher = new double[p, p];
        for (int i = 0; i < m; i++)
        {
            double fi = Math.Clamp(f[i], -1 + 1e-12, 1 - 1e-12);
            double w = 1 / ((1 - fi * fi) * m);
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++) fisher[a, b] += w * j[i * p + a] * j[i * p + b];
        }
        return fisher;
    }
}
