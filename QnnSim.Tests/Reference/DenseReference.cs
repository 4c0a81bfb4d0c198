using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Observables;
using QnnSim.Randomness;

namespace QnnSim.Tests.Reference;

/// <summary>
/// The slow, obvious, defensively written dense reference every simulator test compares against. Nothing here
/// reuses QnnSim's lowering or kernels: every gate is its textbook matrix written out by hand, embedded into n qubits
/// by Kronecker products I ⊗ … ⊗ U ⊗ … ⊗ I, by qubit permutations, and by projector sums for controls.
/// </summary>
/// <remarks>
/// <para>Bit order: qubit 0 is the least significant bit of a basis index (QnnSim's convention). MathNet's
/// <c>A.KroneckerProduct(B)</c> puts A on the HIGH bits, so the n-qubit operator with factor F_q on qubit q is
/// F_{n−1} ⊗ … ⊗ F_1 ⊗ F_0, built from the highest qubit down (<see cref="KronQubits"/>).</para>
/// <para>Multi-qubit matrices use the convention of <see cref="QnnSim.Circuits.UnitaryMatrix"/>: bit j of a matrix
/// index belongs to the j-th listed qubit.</para>
/// <para>Every method is static, allocates freely and checks its arguments; costs are O(4^n) per operator (no
/// dense matrix-matrix products on n qubits), so n ≤ 10 is the practical limit for whole operators.
/// <see cref="ApplyEmbedded"/> applies a small matrix to a vector by the definition of embedding, for larger n.</para>
/// </remarks>
public static class DenseReference
{
    private static readonly MatrixBuilder<Complex> M = Matrix<Complex>.Build;
    private static readonly VectorBuilder<Complex> V = MathNet.Numerics.LinearAlgebra.Vector<Complex>.Build;
    private static readonly Complex I = Complex.ImaginaryOne;

    // ---------------------------------------------------------------- textbook single-qubit matrices

    /// <summary>A matrix from its rows.</summary>
    public static Matrix<Complex> Rows(params Complex[][] rows)
    {
        int d = rows.Length;
        foreach (var r in rows)
            if (r.Length != d) throw new ArgumentException("rows must form a square matrix");
        return M.Dense(d, d, (r, c) => rows[r][c]);
    }

    /// <summary>The 2^qubits identity.</summary>
    public static Matrix<Complex> Identity(int qubits) => M.DenseIdentity(1 << qubits);

    /// <summary>2×2 identity.</summary>
    public static Matrix<Complex> Id2 => Rows([1, 0], [0, 1]);

    /// <summary>Pauli X = [[0, 1], [1, 0]].</summary>
    public static Matrix<Complex> X => Rows([0, 1], [1, 0]);

    /// <summary>Pauli Y = [[0, −i], [i, 0]].</summary>
    public static Matrix<Complex> Y => Rows([0, -I], [I, 0]);

    /// <summary>Pauli Z = diag(1, −1).</summary>
    public static Matrix<Complex> Z => Rows([1, 0], [0, -1]);

    /// <summary>Hadamard [[1, 1], [1, −1]]/√2.</summary>
    public static Matrix<Complex> H
    {
        get
        {
            double r = 1 / Math.Sqrt(2);
            return Rows([r, r], [r, -r]);
        }
    }

    /// <summary>S = diag(1, i).</summary>
    public static Matrix<Complex> S => Rows([1, 0], [0, I]);

    /// <summary>S† = diag(1, −i).</summary>
    public static Matrix<Complex> Sdg => Rows([1, 0], [0, -I]);

    /// <summary>T = diag(1, e^{iπ/4}) = diag(1, (1+i)/√2).</summary>
    public static Matrix<Complex> T => Rows([1, 0], [0, new Complex(1, 1) / Math.Sqrt(2)]);

    /// <summary>T† = diag(1, (1−i)/√2).</summary>
    public static Matrix<Complex> Tdg => Rows([1, 0], [0, new Complex(1, -1) / Math.Sqrt(2)]);

    /// <summary>√X = ½[[1+i, 1−i], [1−i, 1+i]].</summary>
    public static Matrix<Complex> SX => Rows([new(0.5, 0.5), new(0.5, -0.5)], [new(0.5, -0.5), new(0.5, 0.5)]);

    /// <summary>√X† = ½[[1−i, 1+i], [1+i, 1−i]].</summary>
    public static Matrix<Complex> SXdg => Rows([new(0.5, -0.5), new(0.5, 0.5)], [new(0.5, 0.5), new(0.5, -0.5)]);

    /// <summary>P(λ) = diag(1, e^{iλ}).</summary>
    public static Matrix<Complex> Phase(double lambda) => Rows([1, 0], [0, Cis(lambda)]);

    /// <summary>Rx(φ) = [[cos φ/2, −i sin φ/2], [−i sin φ/2, cos φ/2]].</summary>
    public static Matrix<Complex> Rx(double phi)
    {
        double c = Math.Cos(phi / 2), s = Math.Sin(phi / 2);
        return Rows([c, -I * s], [-I * s, c]);
    }

    /// <summary>Ry(φ) = [[cos φ/2, −sin φ/2], [sin φ/2, cos φ/2]].</summary>
    public static Matrix<Complex> Ry(double phi)
    {
        double c = Math.Cos(phi / 2), s = Math.Sin(phi / 2);
        return Rows([c, -s], [s, c]);
    }

    /// <summary>Rz(φ) = diag(e^{−iφ/2}, e^{iφ/2}).</summary>
    public static Matrix<Complex> Rz(double phi) => Rows([Cis(-phi / 2), 0], [0, Cis(phi / 2)]);

    /// <summary>OpenQASM 3's U(θ, φ, λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]].</summary>
    public static Matrix<Complex> U(double theta, double phi, double lambda)
    {
        double c = Math.Cos(theta / 2), s = Math.Sin(theta / 2);
        return Rows([c, -Cis(lambda) * s], [Cis(phi) * s, Cis(phi + lambda) * c]);
    }

    /// <summary>The 2×2 matrix of a single-qubit Pauli factor.</summary>
    public static Matrix<Complex> PauliMatrix(Pauli p) => p switch
    {
        Pauli.I => Id2,
        Pauli.X => X,
        Pauli.Y => Y,
        Pauli.Z => Z,
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    // ---------------------------------------------------------------- textbook two-qubit matrices (bit 0 = first qubit)

    /// <summary>SWAP: |01⟩ ↔ |10⟩.</summary>
    public static Matrix<Complex> Swap4 => Rows([1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]);

    /// <summary>iSWAP: |01⟩ ↦ i|10⟩, |10⟩ ↦ i|01⟩.</summary>
    public static Matrix<Complex> ISwap4 => Rows([1, 0, 0, 0], [0, 0, I, 0], [0, I, 0, 0], [0, 0, 0, 1]);

    /// <summary>iSWAP†.</summary>
    public static Matrix<Complex> ISwapDg4 => Rows([1, 0, 0, 0], [0, 0, -I, 0], [0, -I, 0, 0], [0, 0, 0, 1]);

    /// <summary>Rxx(φ) = cos(φ/2) I − i sin(φ/2) X⊗X written out.</summary>
    public static Matrix<Complex> Rxx4(double phi)
    {
        Complex c = Math.Cos(phi / 2), s = -I * Math.Sin(phi / 2);
        return Rows([c, 0, 0, s], [0, c, s, 0], [0, s, c, 0], [s, 0, 0, c]);
    }

    /// <summary>Ryy(φ) = cos(φ/2) I − i sin(φ/2) Y⊗Y written out (Y⊗Y has −1 on the anti-diagonal corners).</summary>
    public static Matrix<Complex> Ryy4(double phi)
    {
        Complex c = Math.Cos(phi / 2), s = -I * Math.Sin(phi / 2);
        return Rows([c, 0, 0, -s], [0, c, s, 0], [0, s, c, 0], [-s, 0, 0, c]);
    }

    /// <summary>Rzz(φ) = diag(e^{−iφ/2}, e^{iφ/2}, e^{iφ/2}, e^{−iφ/2}).</summary>
    public static Matrix<Complex> Rzz4(double phi) =>
        Rows([Cis(-phi / 2), 0, 0, 0], [0, Cis(phi / 2), 0, 0], [0, 0, Cis(phi / 2), 0], [0, 0, 0, Cis(-phi / 2)]);

    // ---------------------------------------------------------------- embedding

    /// <summary>
    /// F_{n−1} ⊗ … ⊗ F_0 where <paramref name="factorsByQubit"/>[q] = F_q acts on qubit q (qubit 0 lowest bit).
    /// </summary>
    public static Matrix<Complex> KronQubits(IReadOnlyList<Matrix<Complex>> factorsByQubit)
    {
        ArgumentNullException.ThrowIfNull(factorsByQubit);
        if (factorsByQubit.Count == 0) return M.DenseIdentity(1);
        Matrix<Complex> result = factorsByQubit[^1];
        for (int q = factorsByQubit.Count - 2; q >= 0; q--)
            result = Kron(result, factorsByQubit[q]); // the accumulated higher qubits stay on the high bits
        return result;
    }

    /// <summary>
    /// The Kronecker product A ⊗ B with A on the HIGH bits: (A ⊗ B)[i·r_B + k, j·c_B + l] = A[i, j]·B[k, l]. The same
    /// convention as MathNet's <c>A.KroneckerProduct(B)</c> (a self-test checks they agree), written out because
    /// MathNet's version allocates a sub-matrix per element of A, which makes n = 10 operators slow; zero entries of A
    /// (most of an identity) are skipped.
    /// </summary>
    public static Matrix<Complex> Kron(Matrix<Complex> a, Matrix<Complex> b)
    {
        int ra = a.RowCount, ca = a.ColumnCount, rb = b.RowCount, cb = b.ColumnCount;
        var result = M.Dense(ra * rb, ca * cb);
        var bv = b.ToArray();
        for (int j = 0; j < ca; j++)
            for (int i = 0; i < ra; i++)
            {
                Complex aij = a.At(i, j);
                if (aij == Complex.Zero) continue;
                for (int l = 0; l < cb; l++)
                    for (int k = 0; k < rb; k++)
                    {
                        Complex v = aij * bv[k, l];
                        if (v != Complex.Zero) result.At(i * rb + k, j * cb + l, v);
                    }
            }
        return result;
    }

    /// <summary>I ⊗ … ⊗ U ⊗ … ⊗ I with the 2×2 <paramref name="u"/> on <paramref name="qubit"/> of n.</summary>
    public static Matrix<Complex> OnQubit(int n, int qubit, Matrix<Complex> u)
    {
        CheckQubit(n, qubit);
        if (u.RowCount != 2 || u.ColumnCount != 2) throw new ArgumentException("a single-qubit matrix is 2×2", nameof(u));
        var f = new Matrix<Complex>[n];
        for (int q = 0; q < n; q++) f[q] = q == qubit ? u : Id2;
        return KronQubits(f);
    }

    /// <summary>
    /// The n-qubit permutation matrix Π with Π|b⟩ = |b'⟩, bit <paramref name="sigma"/>[q] of b' = bit q of b
    /// (qubit q is moved to position σ(q)).
    /// </summary>
    public static Matrix<Complex> QubitPermutation(int n, IReadOnlyList<int> sigma)
    {
        CheckPermutation(n, sigma);
        int d = 1 << n;
        var p = M.Dense(d, d);
        for (int b = 0; b < d; b++) p[MoveBits(b, sigma), b] = 1;
        return p;
    }

    /// <summary>SWAP of qubits a and b on n qubits, as the permutation matrix of the transposition (a b).</summary>
    public static Matrix<Complex> SwapQubits(int n, int a, int b)
    {
        CheckQubit(n, a);
        CheckQubit(n, b);
        if (a == b) throw new ArgumentException("swap needs two distinct qubits");
        var sigma = Enumerable.Range(0, n).ToArray();
        (sigma[a], sigma[b]) = (b, a);
        return QubitPermutation(n, sigma);
    }

    /// <summary>
    /// A 2^k × 2^k matrix on the listed qubits of n (bit j of the matrix index ↔ <paramref name="qubits"/>[j]):
    /// Π (I_{n−k} ⊗ U) Πᵀ, where U first acts on qubits 0..k−1 (a Kronecker product) and the qubit permutation Π
    /// moves qubit j to qubits[j] and the other qubits, in ascending order, to the remaining positions.
    /// The conjugation is done entry by entry ((ΠAΠᵀ)[σ(r), σ(c)] = A[r, c]), which is exact and O(4^n).
    /// </summary>
    public static Matrix<Complex> OnQubits(int n, IReadOnlyList<int> qubits, Matrix<Complex> u)
    {
        ArgumentNullException.ThrowIfNull(qubits);
        int k = qubits.Count;
        if (u.RowCount != 1 << k || u.ColumnCount != 1 << k)
            throw new ArgumentException($"a matrix on {k} qubits is {1 << k}×{1 << k}; got {u.RowCount}×{u.ColumnCount}", nameof(u));
        if (qubits.Distinct().Count() != k) throw new ArgumentException("qubits must be distinct", nameof(qubits));
        foreach (int q in qubits) CheckQubit(n, q);
        var low = k == n ? u : Kron(Identity(n - k), u);
        var sigma = new int[n];
        for (int j = 0; j < k; j++) sigma[j] = qubits[j];
        int next = k;
        for (int q = 0; q < n; q++)
            if (!qubits.Contains(q)) sigma[next++] = q;
        CheckPermutation(n, sigma);
        int d = 1 << n;
        var moved = new int[d];
        for (int b = 0; b < d; b++) moved[b] = MoveBits(b, sigma);
        var result = M.Dense(d, d);
        for (int c = 0; c < d; c++)
            for (int r = 0; r < d; r++)
            {
                var v = low.At(r, c);
                if (v != Complex.Zero) result.At(moved[r], moved[c], v);
            }
        return result;
    }

    /// <summary>
    /// A gate with controls, as a projector sum on the controls and targets only, then embedded:
    /// C = P ⊗ U + (I − P) ⊗ I, P = ⊗_c |s_c⟩⟨s_c| (s_c = 1 for a positive control, 0 for a negative one).
    /// Locally the targets are the low qubits and the controls the high ones.
    /// </summary>
    public static Matrix<Complex> Controlled(int n, IReadOnlyList<int> controls, IReadOnlyList<bool> controlStates,
        IReadOnlyList<int> targets, Matrix<Complex> u)
    {
        int c = controls.Count, k = targets.Count;
        if (controlStates.Count != c) throw new ArgumentException("one state per control");
        if (u.RowCount != 1 << k) throw new ArgumentException("matrix size does not match the targets", nameof(u));
        var projectors = new Matrix<Complex>[c + k];
        var uFactors = new Matrix<Complex>[c + k];
        for (int j = 0; j < k; j++) projectors[j] = Id2;
        for (int j = 0; j < c; j++)
            projectors[k + j] = controlStates[j] ? Rows([0, 0], [0, 1]) : Rows([1, 0], [0, 0]);
        var p = KronQubits(projectors);
        var uLocal = c == 0 ? u : Kron(Identity(c), u);
        var local = p * uLocal + (Identity(c + k) - p);
        return c + k == 0 ? local[0, 0] * Identity(n) : OnQubits(n, [.. targets, .. controls], local);
    }

    /// <summary>Single-qubit <paramref name="u"/> on <paramref name="target"/> with positive controls.</summary>
    public static Matrix<Complex> Controlled(int n, IReadOnlyList<int> controls, int target, Matrix<Complex> u) =>
        Controlled(n, controls, [.. controls.Select(_ => true)], [target], u);

    // ---------------------------------------------------------------- Pauli strings and sums

    /// <summary>The dense 2^n matrix of a Pauli string (factor on qubit q from <c>p[q]</c>).</summary>
    public static Matrix<Complex> PauliStringMatrix(int n, PauliString p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.RequiredQubits > n) throw new ArgumentException($"the string needs {p.RequiredQubits} qubits, not {n}");
        var f = new Matrix<Complex>[n];
        for (int q = 0; q < n; q++) f[q] = PauliMatrix(p[q]);
        return KronQubits(f);
    }

    /// <summary>The dense matrix of a Pauli string given letter by letter: <paramref name="factors"/>[q] on qubit q.</summary>
    public static Matrix<Complex> PauliStringMatrix(IReadOnlyList<Pauli> factors) =>
        KronQubits([.. factors.Select(PauliMatrix)]);

    /// <summary>Σ_k c_k P_k as a dense matrix.</summary>
    public static Matrix<Complex> PauliSumMatrix(int n, PauliSum sum)
    {
        var result = M.Dense(1 << n, 1 << n);
        foreach (var t in sum.Terms) result += t.Coefficient * PauliStringMatrix(n, t.Pauli);
        return result;
    }

    /// <summary>exp(−iφP/2) = cos(φ/2) I − i sin(φ/2) P for a Pauli matrix P (P² = I).</summary>
    public static Matrix<Complex> PauliRotation(Matrix<Complex> pauli, double phi) =>
        Math.Cos(phi / 2) * M.DenseIdentity(pauli.RowCount) - I * Math.Sin(phi / 2) * pauli;

    // ---------------------------------------------------------------- random states and unitaries

    /// <summary>A complex standard normal (real and imaginary parts N(0, ½)).</summary>
    public static Complex ComplexGaussian(SeededRandom rng) =>
        new Complex(rng.NextGaussian(), rng.NextGaussian()) / Math.Sqrt(2);

    /// <summary>
    /// A Haar-random d×d unitary (Mezzadri 2007): QR of a complex Ginibre matrix, with the phases of R's diagonal
    /// divided out of Q's columns.
    /// </summary>
    public static Matrix<Complex> HaarUnitary(int dimension, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var g = M.Dense(dimension, dimension, (_, _) => ComplexGaussian(rng));
        var qr = g.QR();
        var q = qr.Q.Clone();
        var r = qr.R;
        for (int j = 0; j < dimension; j++)
        {
            Complex rjj = r[j, j];
            Complex phase = rjj / rjj.Magnitude;
            q.SetColumn(j, q.Column(j) * phase);
        }
        double dev = (q.ConjugateTranspose() * q - M.DenseIdentity(dimension)).Enumerate().Max(z => z.Magnitude);
        if (dev > 1e-12) throw new InvalidOperationException($"reference QR produced a non-unitary matrix (deviation {dev})");
        return q;
    }

    /// <summary>A Haar-random n-qubit state: a normalised complex Gaussian vector.</summary>
    public static Complex[] HaarState(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var v = new Complex[1 << n];
        double norm = 0;
        for (int k = 0; k < v.Length; k++)
        {
            v[k] = ComplexGaussian(rng);
            norm += v[k].Magnitude * v[k].Magnitude;
        }
        double s = 1 / Math.Sqrt(norm);
        for (int k = 0; k < v.Length; k++) v[k] *= s;
        return v;
    }

    /// <summary>A uniformly random Pauli string on qubits 0..n−1 with at least one non-identity factor.</summary>
    public static PauliString RandomPauliString(int n, SeededRandom rng)
    {
        while (true)
        {
            var factors = new (int, Pauli)[n];
            for (int q = 0; q < n; q++) factors[q] = (q, (Pauli)rng.NextInt64(4));
            var p = PauliString.FromFactors(factors);
            if (!p.IsIdentity) return p;
        }
    }

    // ---------------------------------------------------------------- applying and comparing

    /// <summary>M·ψ.</summary>
    public static Complex[] Apply(Matrix<Complex> m, ReadOnlySpan<Complex> psi)
    {
        if (m.ColumnCount != psi.Length) throw new ArgumentException("dimension mismatch");
        return (m * V.DenseOfArray(psi.ToArray())).ToArray();
    }

    /// <summary>
    /// (U on <paramref name="qubits"/>)·ψ by the definition of embedding, without building the 2^n matrix:
    /// (Uψ)[b] = Σ_c U[sub(b), c] ψ[b with sub replaced by c], where sub(b)'s bit j is bit qubits[j] of b.
    /// </summary>
    public static Complex[] ApplyEmbedded(Matrix<Complex> u, IReadOnlyList<int> qubits, ReadOnlySpan<Complex> psi)
    {
        int k = qubits.Count, d = 1 << k;
        if (u.RowCount != d) throw new ArgumentException("matrix size does not match the qubits", nameof(u));
        var result = new Complex[psi.Length];
        for (int b = 0; b < psi.Length; b++)
        {
            int rest = b, row = 0;
            for (int j = 0; j < k; j++)
            {
                if ((b >> qubits[j] & 1) != 0) row |= 1 << j;
                rest &= ~(1 << qubits[j]);
            }
            Complex acc = 0;
            for (int c = 0; c < d; c++)
            {
                int src = rest;
                for (int j = 0; j < k; j++)
                    if ((c >> j & 1) != 0) src |= 1 << qubits[j];
                acc += u[row, c] * psi[src];
            }
            result[b] = acc;
        }
        return result;
    }

    /// <summary>⟨ψ|O|ψ⟩ (complex; real for Hermitian O).</summary>
    public static Complex ExpectationValue(Matrix<Complex> o, ReadOnlySpan<Complex> psi)
    {
        var v = V.DenseOfArray(psi.ToArray());
        return v.ConjugateDotProduct(o * v);
    }

    /// <summary>max_k |a_k − b_k| (infinite on a length mismatch).</summary>
    public static double MaxAbsDiff(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b)
    {
        if (a.Length != b.Length) return double.PositiveInfinity;
        double worst = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double d = (a[k] - b[k]).Magnitude;
            if (!(d <= worst)) worst = double.IsNaN(d) ? double.PositiveInfinity : d;
        }
        return worst;
    }

    /// <summary>max_ij |A_ij − B_ij|.</summary>
    public static double MaxAbsDiff(Matrix<Complex> a, Matrix<Complex> b)
    {
        if (a.RowCount != b.RowCount || a.ColumnCount != b.ColumnCount) return double.PositiveInfinity;
        double worst = 0;
        for (int r = 0; r < a.RowCount; r++)
            for (int c = 0; c < a.ColumnCount; c++)
            {
                double d = (a.At(r, c) - b.At(r, c)).Magnitude;
                if (!(d <= worst)) worst = double.IsNaN(d) ? double.PositiveInfinity : d;
            }
        return worst;
    }

    /// <summary>Row-major copy of a matrix (for <see cref="QnnSim.Circuits.UnitaryMatrix.Create(ReadOnlySpan{Complex}, double)"/>).</summary>
    public static Complex[] RowMajor(Matrix<Complex> m)
    {
        var a = new Complex[m.RowCount * m.ColumnCount];
        for (int r = 0; r < m.RowCount; r++)
            for (int c = 0; c < m.ColumnCount; c++)
                a[r * m.ColumnCount + c] = m.At(r, c);
        return a;
    }

    /// <summary>
    /// Forces a full collection when the managed heap holds more than 256 MiB. Dense operators on 8–10 qubits are
    /// 1–16 MiB large-object-heap arrays; on a machine with plenty of free memory the GC lets that garbage grow to
    /// many GiB before collecting it, which starves other processes. Fixtures call this in [TearDown].
    /// </summary>
    public static void CollectIfLarge()
    {
        if (GC.GetTotalMemory(false) > 256L << 20) GC.Collect();
    }

    /// <summary>e^{iφ}.</summary>
    public static Complex Cis(double phi) => new(Math.Cos(phi), Math.Sin(phi));

    private static int MoveBits(int b, IReadOnlyList<int> sigma)
    {
        int moved = 0;
        for (int q = 0; q < sigma.Count; q++)
            if ((b >> q & 1) != 0) moved |= 1 << sigma[q];
        return moved;
    }

    private static void CheckQubit(int n, int q)
    {
        if (q < 0 || q >= n) throw new ArgumentOutOfRangeException(nameof(q), q, $"qubit outside 0..{n - 1}");
    }

    private static void CheckPermutation(int n, IReadOnlyList<int> sigma)
    {
        if (sigma.Count != n || sigma.Distinct().Count() != n || sigma.Any(s => s < 0 || s >= n))
            throw new ArgumentException("not a permutation of the qubits", nameof(sigma));
    }
}
