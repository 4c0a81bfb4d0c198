using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Circuits;
using QnnSim.Randomness;

namespace QnnSim.Analysis;

/// <summary>
/// Haar-random unitaries and states, drawn reproducibly from <see cref="SeededRandom"/>.
/// </summary>
/// <remarks>
/// A Haar unitary is the Q factor of the QR decomposition of a complex Ginibre matrix G (entries (a + ib)/√2 with a, b
/// standard normal), with the phases of R's diagonal divided out: U = Q · diag(R_kk/|R_kk|). Without that correction
/// the distribution of Q depends on the QR algorithm's sign convention and is not Haar (Mezzadri, "How to generate
/// random matrices from the classical compact groups", Notices AMS 54, 592 (2007)). THEORY.md §4.
/// </remarks>
public static class HaarRandom
{
    /// <summary>A d × d Haar-random unitary as a row-major array, drawn from <paramref name="random"/>.</summary>
    /// <param name="dimension">d, at least 1.</param>
    /// <param name="random">The generator (consumes 2d² normal deviates).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1.</exception>
    public static Complex[] UnitaryElements(int dimension, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"dimension = {dimension} is out of range; allowed: at least 1.");
        int d = dimension;
        var g = Matrix<Complex>.Build.Dense(d, d);
        double s = 1 / Math.Sqrt(2);
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                g[r, c] = new Complex(s * random.NextGaussian(), s * random.NextGaussian());
        var qr = g.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Full);
        var q = qr.Q;
        var rr = qr.R;
        var result = new Complex[d * d];
        for (int c = 0; c < d; c++)
        {
            Complex diag = rr[c, c];
            double mag = diag.Magnitude;
            Complex phase = mag > 0 ? diag / mag : Complex.One;
            for (int r = 0; r < d; r++) result[r * d + c] = q[r, c] * phase;
        }
        return result;
    }

    /// <summary>A Haar-random unitary on <paramref name="qubits"/> qubits as a validated <see cref="UnitaryMatrix"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="qubits"/> is outside 1..12.</exception>
    public static UnitaryMatrix Unitary(int qubits, SeededRandom random)
    {
        if (qubits < 1 || qubits > 12) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..12.");
        return UnitaryMatrix.Create(UnitaryElements(1 << qubits, random));
    }

    /// <summary>
    /// A Haar-random pure state of dimension <paramref name="dimension"/>: a normalised complex Gaussian vector (the first
    /// column of a Haar unitary has the same law).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1.</exception>
    public static Complex[] State(int dimension, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"dimension = {dimension} is out of range; allowed: at least 1.");
        var v = new Complex[dimension];
        double norm = 0;
        for (int k = 0; k < dimension; k++)
        {
            v[k] = new Complex(random.NextGaussian(), random.NextGaussian());
            norm += v[k].Real * v[k].Real + v[k].Imaginary * v[k].Imaginary;
        }
        double inv = 1 / Math.Sqrt(norm);
        for (int k = 0; k < dimension; k++) v[k] *= inv;
        return v;
    }
}
