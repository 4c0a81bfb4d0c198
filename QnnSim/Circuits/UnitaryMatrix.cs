using System.Collections.Immutable;
using System.Numerics;

namespace QnnSim.Circuits;

/// <summary>
/// An immutable dense unitary on k qubits (dimension 2^k), row-major. Basis index bit j of a row or column
/// corresponds to the j-th target qubit of the operation that carries the matrix (the first target is the least
/// significant bit, matching QnnSim's global convention).
/// </summary>
public sealed class UnitaryMatrix
{
    /// <summary>The default tolerance of the unitarity check, max |(U†U − I)_ij|.</summary>
    public const double DefaultTolerance = 1e-10;

    private readonly Complex[] _elements;

    private UnitaryMatrix(int qubitCount, Complex[] elements)
    {
        QubitCount = qubitCount;
        _elements = elements;
    }

    /// <summary>Number of qubits k.</summary>
    public int QubitCount { get; }

    /// <summary>Dimension 2^k.</summary>
    public int Dimension => 1 << QubitCount;

    /// <summary>Element U[row, column].</summary>
    public Complex this[int row, int column] => _elements[row * Dimension + column];

    /// <summary>The elements, row-major.</summary>
    public ReadOnlySpan<Complex> Elements => _elements;

    /// <summary>
    /// Creates a matrix from row-major elements after checking that it is square with a power-of-two dimension, that
    /// every element is finite and that max |(U†U − I)_ij| ≤ <paramref name="tolerance"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong size, non-finite element, or not unitary (the message gives the deviation).</exception>
    public static UnitaryMatrix Create(ReadOnlySpan<Complex> rowMajor, double tolerance = DefaultTolerance)
    {
        int n = rowMajor.Length;
        int dim = (int)Math.Round(Math.Sqrt(n));
        if (n == 0 || dim * dim != n || !BitOperations.IsPow2(dim))
            throw new ArgumentException($"a unitary needs 4^k elements for some k ≥ 1 (4, 16, 64, ...); got {n}.", nameof(rowMajor));
        int k = BitOperations.Log2((uint)dim);
        if (k > 16) throw new ArgumentOutOfRangeException(nameof(rowMajor), k, $"a dense unitary on {k} qubits is too large (allowed: 1..16 qubits).");
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(rowMajor[i].Real) || !double.IsFinite(rowMajor[i].Imaginary))
                throw new ArgumentException($"element [{i / dim}, {i % dim}] = {rowMajor[i]} is not finite.", nameof(rowMajor));
        }
        double deviation = UnitarityDeviation(rowMajor, dim);
        if (!(deviation <= tolerance))
            throw new ArgumentException($"the matrix is not unitary: max |(U†U − I)_ij| = {deviation:E3} exceeds the tolerance {tolerance:E1}.", nameof(rowMajor));
        return new UnitaryMatrix(k, rowMajor.ToArray());
    }

    /// <summary>Creates a matrix from a 2-D array (see <see cref="Create(ReadOnlySpan{Complex}, double)"/>).</summary>
    public static UnitaryMatrix Create(Complex[,] matrix, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.GetLength(0) != matrix.GetLength(1))
            throw new ArgumentException($"a unitary must be square; got {matrix.GetLength(0)}×{matrix.GetLength(1)}.", nameof(matrix));
        var flat = new Complex[matrix.Length];
        int d = matrix.GetLength(0);
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                flat[r * d + c] = matrix[r, c];
        return Create(flat, tolerance);
    }

    /// <summary>Creates without validation; for matrices QnnSim computed itself (products of unitaries).</summary>
    internal static UnitaryMatrix CreateTrusted(int qubitCount, Complex[] rowMajor) => new(qubitCount, rowMajor);

    /// <summary>The conjugate transpose U†.</summary>
    public UnitaryMatrix Adjoint()
    {
        int d = Dimension;
        var r = new Complex[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                r[j * d + i] = Complex.Conjugate(_elements[i * d + j]);
        return new UnitaryMatrix(QubitCount, r);
    }

    /// <summary>max |(U†U − I)_ij| of a row-major d×d matrix.</summary>
    internal static double UnitarityDeviation(ReadOnlySpan<Complex> u, int d)
    {
        double worst = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                Complex s = Complex.Zero;
                for (int k = 0; k < d; k++) s += Complex.Conjugate(u[k * d + i]) * u[k * d + j];
                if (i == j) s -= 1;
                worst = Math.Max(worst, s.Magnitude);
            }
        }
        return worst;
    }

    /// <summary>The elements as an immutable copy.</summary>
    public ImmutableArray<Complex> ToImmutableArray() => [.. _elements];
}
