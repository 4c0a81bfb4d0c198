using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Randomness;

namespace QnnSim.Analysis;

/// <summary>
/// Haar-random unitaries and states, drawn reproducibly from <see cref="SeededRandom"/>.
/// </summary>
/// <remarks>
/// A Haar unitary is the Q factor of the QR decomposition of a complex Ginibre matrix G (entries (a + ib)/√2 with a, b
/// standard normal), with the phases of R's diagonal divided out: U = Q · diag(R_kk/|R_kk|). QnnSim computes the QR by
/// Gram–Schmidt, whose R has a positive diagonal already, so no correction is left to make. Without that correction
/// the distribution of Q depends on the QR algorithm's sign convention and is not Haar (Mezzadri, "How to generate
/// random matrices from the classical compact groups", Notices AMS 54, 592 (2007)). docs/theory.md §4.
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
        // Column-major Ginibre matrix G, entries (a + ib)/√2.
        var re = new double[d * d];
        var im = new double[d * d];
        double s = 1 / Math.Sqrt(2);
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
            {
                re[c * d + r] = s * random.NextGaussian();
                im[c * d + r] = s * random.NextGaussian();
            }
        // QR by modified Gram–Schmidt with one re-orthogonalisation pass: column c of Q is the normalised part of g_c
        // orthogonal to q_0..q_{c−1}, which is the QR factor whose R has a positive real diagonal, i.e. exactly
        // Q·diag(R_kk/|R_kk|) of any other QR. Two passes keep ‖Q†Q − I‖ at rounding level (Giraud et al., 2005).
        for (int c = 0; c < d; c++)
        {
            int oc = c * d;
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < c; k++)
                {
                    int ok = k * d;
                    double pr = 0, pi = 0; // ⟨q_k|g_c⟩
                    for (int r = 0; r < d; r++)
                    {
                        pr += re[ok + r] * re[oc + r] + im[ok + r] * im[oc + r];
                        pi += re[ok + r] * im[oc + r] - im[ok + r] * re[oc + r];
                    }
                    for (int r = 0; r < d; r++)
                    {
                        re[oc + r] -= pr * re[ok + r] - pi * im[ok + r];
                        im[oc + r] -= pr * im[ok + r] + pi * re[ok + r];
                    }
                }
            double norm = 0;
            for (int r = 0; r < d; r++) norm += re[oc + r] * re[oc + r] + im[oc + r] * im[oc + r];
            double inv = 1 / Math.Sqrt(norm);
            for (int r = 0; r < d; r++)
            {
                re[oc + r] *= inv;
                im[oc + r] *= inv;
            }
        }
        var result = new Complex[d * d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) result[r * d + c] = new Complex(re[c * d + r], im[c * d + r]);
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
