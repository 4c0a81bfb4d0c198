using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Randomness;

namespace QnnSim.Tests.Kernels;

/// <summary>
/// Slow, obvious references for the kernel tests: full 2^n × 2^n operators built from Kronecker products of 2×2
/// matrices (MathNet sparse storage, so that n = 10 stays cheap; the arithmetic is the same as dense) (qubit 0 is the rightmost factor, i.e. the least significant bit), seeded random states and unitaries.
/// </summary>
internal static class KernelReference
{
    private static readonly MatrixBuilder<Complex> M = Matrix<Complex>.Build;

    public static Matrix<Complex> I2 => M.SparseIdentity(2);

    /// <summary>|a⟩⟨b| on one qubit.</summary>
    public static Matrix<Complex> Outer(int a, int b)
    {
        var m = M.Sparse(2, 2);
        m[a, b] = Complex.One;
        return m;
    }

    public static Matrix<Complex> PauliX => M.SparseOfArray(new Complex[,] { { 0, 1 }, { 1, 0 } });
    public static Matrix<Complex> PauliY => M.SparseOfArray(new Complex[,] { { 0, -Complex.ImaginaryOne }, { Complex.ImaginaryOne, 0 } });
    public static Matrix<Complex> PauliZ => M.SparseOfArray(new Complex[,] { { 1, 0 }, { 0, -1 } });

    /// <summary>A_{n−1} ⊗ … ⊗ A_0 for per-qubit factors (factors[q] acts on qubit q).</summary>
    public static Matrix<Complex> Kron(Matrix<Complex>[] factors)
    {
        Matrix<Complex> r = factors[0];
        for (int q = 1; q < factors.Length; q++) r = factors[q].KroneckerProduct(r);
        return r;
    }

    /// <summary>
    /// The full operator of a dense 2^k × 2^k matrix <paramref name="u"/> on <paramref name="targets"/> (matrix index
    /// bit j is targets[j]) acting where every control qubit c has value bit c of <paramref name="ctrlValue"/>:
    /// Π ⊗ U + (I − Π), with U = Σ_{r,c} u_{rc} ⊗_j |r_j⟩⟨c_j| and Π the control projector.
    /// </summary>
    public static Matrix<Complex> Embed(int n, int[] targets, Complex[] u, ulong ctrlMask = 0, ulong ctrlValue = 0)
    {
        int d = 1 << targets.Length;
        var full = M.Sparse(1 << n, 1 << n);
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
            {
                Complex e = u[r * d + c];
                if (e == Complex.Zero) continue;
                var f = ProjectorFactors(n, ctrlMask, ctrlValue);
                for (int j = 0; j < targets.Length; j++) f[targets[j]] = Outer(r >> j & 1, c >> j & 1);
                full += e * Kron(f);
            }
        if (ctrlMask != 0) full += M.SparseIdentity(1 << n) - Kron(ProjectorFactors(n, ctrlMask, ctrlValue));
        return full;
    }

    private static Matrix<Complex>[] ProjectorFactors(int n, ulong ctrlMask, ulong ctrlValue)
    {
        var f = new Matrix<Complex>[n];
        for (int q = 0; q < n; q++)
        {
            int v = (int)(ctrlValue >> q & 1);
            f[q] = (ctrlMask >> q & 1) != 0 ? Outer(v, v) : I2;
        }
        return f;
    }

    /// <summary>The Pauli string with masks (x, z): factor X, Y (x and z) or Z per qubit.</summary>
    public static Matrix<Complex> Pauli(int n, ulong x, ulong z)
    {
        var f = new Matrix<Complex>[n];
        for (int q = 0; q < n; q++)
        {
            bool bx = (x >> q & 1) != 0, bz = (z >> q & 1) != 0;
            f[q] = bx && bz ? PauliY : bx ? PauliX : bz ? PauliZ : I2;
        }
        return Kron(f);
    }

    /// <summary>Π ⊗ A + (I − Π) for a full operator A already on all n qubits (identity on the controls' bits).</summary>
    public static Matrix<Complex> Controlled(int n, Matrix<Complex> a, ulong ctrlMask, ulong ctrlValue)
    {
        var pi = Kron(ProjectorFactors(n, ctrlMask, ctrlValue));
        return pi * a + (M.SparseIdentity(1 << n) - pi);
    }

    /// <summary>A seeded random normalised state of n qubits (Gaussian amplitudes, so Haar-distributed).</summary>
    public static Complex[] RandomState(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var s = new Complex[1 << n];
        double norm = 0;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = new Complex(rng.NextGaussian(), rng.NextGaussian());
            norm += s[i].Real * s[i].Real + s[i].Imaginary * s[i].Imaginary;
        }
        norm = Math.Sqrt(norm);
        for (int i = 0; i < s.Length; i++) s[i] /= norm;
        return s;
    }

    /// <summary>A seeded Haar-random d × d unitary (QR of a complex Gaussian matrix with the phase fix), row-major.</summary>
    public static Complex[] RandomUnitary(int d, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var g = M.Dense(d, d, (_, _) => new Complex(rng.NextGaussian(), rng.NextGaussian()));
        var qr = g.QR();
        var q = qr.Q;
        var r = qr.R;
        var u = new Complex[d * d];
        for (int c = 0; c < d; c++)
        {
            Complex ph = r[c, c] / r[c, c].Magnitude;
            for (int rr = 0; rr < d; rr++) u[rr * d + c] = q[rr, c] * ph;
        }
        return u;
    }

    /// <summary>A ψ for a full operator.</summary>
    public static Complex[] Apply(Matrix<Complex> a, Complex[] psi) => (a * MathNet.Numerics.LinearAlgebra.Vector<Complex>.Build.DenseOfArray(psi)).ToArray();

    /// <summary>max_k |a_k − b_k|.</summary>
    public static double MaxDiff(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, (a[i] - b[i]).Magnitude);
        return m;
    }

    /// <summary>Random ordered selection of k distinct qubits out of n.</summary>
    public static int[] RandomQubits(int n, int k, SeededRandom rng)
    {
        var all = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)rng.NextInt64(i + 1);
            (all[i], all[j]) = (all[j], all[i]);
        }
        return all[..k];
    }
}
