using System.Collections.Immutable;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using QnnSim.Circuits;
using Complex = System.Numerics.Complex;

namespace QnnSim.Interop;

/// <summary>
/// Exact decompositions shared by the OpenQASM, Q# and QIR writers: dense k-qubit unitaries by the quantum Shannon
/// decomposition into CX, Ry, Rz and one-qubit unitaries, and the square root of a one-qubit unitary for the
/// Barenco et al. recursion.
/// </summary>
internal static class UnitaryDecomposition
{
    /// <summary>
    /// Largest dense unitary the writers decompose: k = 10 gives <see cref="ShannonOperationCount"/>(10) = 1,831,936
    /// operations (784,896 CX), and the text grows fourfold per extra qubit.
    /// </summary>
    internal const int MaxDenseQubits = 10;

    /// <summary>CX gates of the Shannon decomposition of a k-qubit unitary: c(1) = 0, c(k) = 4c(k−1) + 3·2^{k−1}, so c(k) = (3/4)·4^k − (3/2)·2^k.</summary>
    internal static long ShannonCxCount(int k) => k <= 1 ? 0 : 3 * (1L << (2 * k - 2)) - 3 * (1L << (k - 1));

    /// <summary>Ry and Rz rotations of the Shannon decomposition: one per CX, (3/4)·4^k − (3/2)·2^k.</summary>
    internal static long ShannonRotationCount(int k) => ShannonCxCount(k);

    /// <summary>One-qubit unitaries (the leaves) of the Shannon decomposition: 4^{k−1}.</summary>
    internal static long ShannonOneQubitCount(int k) => 1L << (2 * k - 2);

    /// <summary>All operations of the Shannon decomposition: (7/4)·4^k − 3·2^k.</summary>
    internal static long ShannonOperationCount(int k) => 2 * ShannonCxCount(k) + ShannonOneQubitCount(k);

    /// <summary>
    /// Throws <see cref="NotSupportedException"/> for the first dense unitary on more than <see cref="MaxDenseQubits"/>
    /// qubits in the circuit, naming the operation, k, the cap and the estimated gate count. Writers call it before they
    /// write anything.
    /// </summary>
    internal static void CheckDenseSizes(Circuit circuit, string format)
    {
        for (int i = 0; i < circuit.Operations.Length; i++)
        {
            var op = circuit.Operations[i];
            if (op.Kind != GateKind.Unitary || op.Targets.Length <= MaxDenseQubits) continue;
            int k = op.Targets.Length;
            string count = k < 31 ? ShannonOperationCount(k).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "more than 10^18";
            throw new NotSupportedException(
                $"operation {i} ({op.Name}) is a dense unitary on k = {k} qubits; the {format} writer decomposes dense unitaries " +
                $"on at most {MaxDenseQubits} qubits (quantum Shannon decomposition, (7/4)·4^k − 3·2^k gates: {count} for k = {k}, " +
                $"{ShannonOperationCount(MaxDenseQubits).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} at the cap). " +
                "Split the unitary into smaller blocks or decompose it before exporting.");
        }
    }

    /// <summary>
    /// Exact quantum Shannon decomposition (Shende, Bullock and Markov, IEEE TCAD 25, 1000 (2006)) of a dense
    /// k-qubit unitary, k ≥ 1, with the operation's own controls, in time order. Bit b of the matrix index is
    /// op.Targets[b]; the top (most significant) local qubit t = op.Targets[k−1] splits U into 2^{k−1}-blocks and
    /// <list type="number">
    /// <item>cosine–sine decomposition U = (L0 ⊕ L1)·[[C, −S], [S, C]]·(R0 ⊕ R1) (<see cref="CosineSine"/>); the middle
    /// factor is Ry(θ_j) on t multiplexed by the lower qubits' value j, cos θ_j/2 = c_j, sin θ_j/2 = s_j;</item>
    /// <item>each block-diagonal factor A ⊕ B = (I ⊗ V)(D ⊕ D†)(I ⊗ W) with A B† = V D² V†, W = D V† B; D ⊕ D† is
    /// Rz(−2 arg d_j) on t multiplexed by j;</item>
    /// <item>multiplexed rotations by <see cref="Multiplexed"/> (2^{k−1} rotations and 2^{k−1} CX);</item>
    /// <item>recursion on V, W down to one-qubit unitaries, written as <see cref="GateKind.Unitary"/> with their phase.</item>
    /// </list>
    /// Every factor is exact (no phase is dropped: the leaves keep theirs), so the product equals U including its global
    /// phase. The operation's controls go on the rotations and the leaves only: the CX of a multiplexor multiply to the
    /// identity, so they need no control. Counts: <see cref="ShannonCxCount"/>, <see cref="ShannonRotationCount"/>,
    /// <see cref="ShannonOneQubitCount"/>.
    /// </summary>
    internal static List<Operation> Shannon(Operation op)
    {
        var matrix = op.Matrix!;
        int k = matrix.QubitCount, d = matrix.Dimension;
        var u = Matrix<Complex>.Build.Dense(d, d, (r, c) => matrix[r, c]);
        var ops = new List<Operation>((int)Math.Min(ShannonOperationCount(k), 1 << 24));
        Decompose(u, [.. op.Targets], op.Controls, op.ControlStates, ops);
        return ops;
    }

    private static void Decompose(Matrix<Complex> u, int[] targets, ImmutableArray<int> controls, ImmutableArray<bool> states, List<Operation> ops)
    {
        int k = targets.Length;
        if (k == 1)
        {
            ops.Add(new Operation(GateKind.Unitary, [targets[0]], controls: controls, controlStates: states,
                matrix: UnitaryMatrix.CreateTrusted(1, [u[0, 0], u[0, 1], u[1, 0], u[1, 1]])));
            return;
        }
        var (l0, l1, c, s, r0, r1) = CosineSine(u);
        int top = targets[k - 1];
        int[] lower = targets[..^1];
        var theta = new double[c.Length];
        for (int j = 0; j < theta.Length; j++) theta[j] = 2 * Math.Atan2(s[j], c[j]);
        BlockDiagonal(r0, r1, top, lower, controls, states, ops);
        Multiplexed(GateKind.Ry, theta, top, lower, controls, states, ops);
        BlockDiagonal(l0, l1, top, lower, controls, states, ops);
    }

    /// <summary>A ⊕ B (A where the top qubit is 0) = (I ⊗ V)(D ⊕ D†)(I ⊗ W), emitted as W, multiplexed Rz, V.</summary>
    private static void BlockDiagonal(Matrix<Complex> a, Matrix<Complex> b, int top, int[] lower,
        ImmutableArray<int> controls, ImmutableArray<bool> states, List<Operation> ops)
    {
        var (v, phases) = UnitaryEigen(a * b.ConjugateTranspose());
        int n = phases.Length;
        // W = D V† B with D = diag(e^{iφ_j/2}).
        var w = v.ConjugateTranspose() * b;
        for (int r = 0; r < n; r++)
        {
            var dr = Complex.FromPolarCoordinates(1, phases[r] / 2);
            for (int col = 0; col < n; col++) w[r, col] *= dr;
        }
        // diag(e^{iφ/2}, e^{−iφ/2}) on the top qubit = Rz(−φ).
        var angles = new double[n];
        for (int j = 0; j < n; j++) angles[j] = -phases[j];
        Decompose(w, lower, controls, states, ops);
        Multiplexed(GateKind.Rz, angles, top, lower, controls, states, ops);
        Decompose(v, lower, controls, states, ops);
    }

    /// <summary>
    /// A rotation R(θ_j) (R = Ry or Rz) on <paramref name="target"/> multiplexed by the value j of the qubits
    /// <paramref name="select"/> (bit b of j is select[b]), m = |select|, N = 2^m: in time order R(φ_0), CX(select[b_0] → t),
    /// R(φ_1), …, R(φ_{N−1}), CX(select[b_{N−1}] → t) (no CX when m = 0) where b_i is the bit in which the Gray codes g(i) = i ⊕ ⌊i/2⌋ and
    /// g(i+1 mod N) differ (Möttönen et al., PRL 93, 130502 (2004)). Before R(φ_i) the CX have applied X^{p_i(j)},
    /// p_i(j) = parity(j ∧ g(i)), and they end at g(N mod N) = 0; as X R(φ) X = R(−φ), the action for value j is
    /// R(Σ_i (−1)^{p_i(j)} φ_i). The matrix (−1)^{j·g(i)} is a column permutation of the Walsh–Hadamard matrix, whose
    /// inverse is its transpose over N, so φ_i = N^{−1} Σ_j (−1)^{parity(j ∧ g(i))} θ_j. Controls go on the rotations only.
    /// </summary>
    internal static void Multiplexed(GateKind kind, double[] theta, int target, int[] select,
        ImmutableArray<int> controls, ImmutableArray<bool> states, List<Operation> ops)
    {
        int m = select.Length, n = 1 << m;
        System.Diagnostics.Debug.Assert(theta.Length == n);
        for (int i = 0; i < n; i++)
        {
            int g = i ^ (i >> 1);
            double phi = 0;
            for (int j = 0; j < n; j++)
                phi += (System.Numerics.BitOperations.PopCount((uint)(j & g)) & 1) == 0 ? theta[j] : -theta[j];
            phi /= n;
            ops.Add(new Operation(kind, [target], [Angle.Constant(phi)], controls, states));
            if (m == 0) break;
            int bit = i == n - 1 ? m - 1 : System.Numerics.BitOperations.TrailingZeroCount(i + 1);
            ops.Add(new Operation(GateKind.X, [target], controls: [select[bit]]));
        }
    }

    /// <summary>
    /// Cosine–sine decomposition of a unitary U (2n × 2n) about its top index bit: U = (L0 ⊕ L1)·[[C, −S], [S, C]]·(R0 ⊕ R1)
    /// with C = diag(c), S = diag(s), c, s ≥ 0, c_j² + s_j² = 1 (Paige and Wei, Linear Algebra Appl. 208, 303 (1994)).
    /// <list type="number">
    /// <item>SVD U00 = L0 C R0 (c descending).</item>
    /// <item>A = U10 R0† = L1 S has orthogonal columns of norms s_j. Where c_j ≥ 1/√2 the s_j are ill determined by c_j
    /// (a cluster of c within rounding can hide s of order 1e-8), so those columns are rotated by the SVD
    /// A_c = P Σ W†: L0 ← L0 W, R0 ← W† R0, A_c ← A_c W = P Σ, c ← √(1 − σ²). W mixes only indices whose c agree to
    /// rounding, so U00 = L0 C R0 still holds to rounding.</item>
    /// <item>Householder QR of A with its columns in decreasing s; R is then diagonal to rounding; phases moved into Q
    /// so that S = |diag R| is real and non-negative; L1 = Q (unitary even where s = 0).</item>
    /// <item>R1 row by row from U01 = −L0 S R1 (s_j ≥ 1/√2) or U11 = L1 C R1 (otherwise), the better conditioned one;
    /// unitarity of U makes both agree.</item>
    /// </list>
    /// </summary>
    internal static (Matrix<Complex> L0, Matrix<Complex> L1, double[] C, double[] S, Matrix<Complex> R0, Matrix<Complex> R1) CosineSine(Matrix<Complex> u)
    {
        int n = u.RowCount / 2;
        var u00 = u.SubMatrix(0, n, 0, n);
        var u01 = u.SubMatrix(0, n, n, n);
        var u10 = u.SubMatrix(n, n, 0, n);
        var u11 = u.SubMatrix(n, n, n, n);

        var svd = u00.Svd(true);
        var l0 = svd.U;
        var r0 = svd.VT;
        var c = new double[n];
        for (int j = 0; j < n; j++) c[j] = Math.Min(1, svd.S[j].Real);
        int p = 0;
        while (p < n && 2 * c[p] * c[p] >= 1) p++;

        var a = u10 * r0.ConjugateTranspose();
        if (p > 0)
        {
            var svdC = a.SubMatrix(0, n, 0, p).Svd(true);
            var w = svdC.VT.ConjugateTranspose();
            l0.SetSubMatrix(0, 0, l0.SubMatrix(0, n, 0, p) * w);
            r0.SetSubMatrix(0, 0, w.ConjugateTranspose() * r0.SubMatrix(0, p, 0, n));
            a.SetSubMatrix(0, 0, a.SubMatrix(0, n, 0, p) * w);
            for (int j = 0; j < p; j++)
            {
                double sigma = Math.Min(1, svdC.S[j].Real);
                c[j] = Math.Sqrt(1 - sigma * sigma);
            }
        }

        // Decreasing s: the s-dominant indices n−1 … p (c ascending), then the c-dominant ones 0 … p−1 (σ descending).
        var order = new int[n];
        for (int j = 0; j < n - p; j++) order[j] = n - 1 - j;
        for (int j = 0; j < p; j++) order[n - p + j] = j;
        var l0p = Matrix<Complex>.Build.Dense(n, n);
        var r0p = Matrix<Complex>.Build.Dense(n, n);
        var ap = Matrix<Complex>.Build.Dense(n, n);
        var cp = new double[n];
        for (int j = 0; j < n; j++)
        {
            l0p.SetColumn(j, l0.Column(order[j]));
            ap.SetColumn(j, a.Column(order[j]));
            r0p.SetRow(j, r0.Row(order[j]));
            cp[j] = c[order[j]];
        }

        var qr = ap.QR(QRMethod.Full);
        var l1 = qr.Q;
        var rr = qr.R;
        var s = new double[n];
        for (int j = 0; j < n; j++)
        {
            Complex rjj = rr[j, j];
            double mag = rjj.Magnitude;
            if (mag > 0)
            {
                Complex phase = rjj / mag;
                for (int r = 0; r < n; r++) l1[r, j] *= phase;
            }
            double norm = Math.Sqrt(cp[j] * cp[j] + mag * mag);
            cp[j] /= norm;
            s[j] = mag / norm;
        }

        var x = l0p.ConjugateTranspose() * u01; // = −S R1
        var y = l1.ConjugateTranspose() * u11;  // = C R1
        var r1 = Matrix<Complex>.Build.Dense(n, n);
        for (int j = 0; j < n; j++)
        {
            if (2 * s[j] * s[j] >= 1)
                for (int col = 0; col < n; col++) r1[j, col] = -x[j, col] / s[j];
            else
                for (int col = 0; col < n; col++) r1[j, col] = y[j, col] / cp[j];
        }
        return (l0p, l1, cp, s, r0p, r1);
    }

    /// <summary>Largest |(V†MV)_{ij}|, i ≠ j, accepted for an eigenbasis of a unitary M.</summary>
    private const double EigenOffDiagonalTolerance = 1e-12;

    /// <summary>
    /// Eigendecomposition M = V diag(e^{iφ}) V† of a unitary M with V unitary even for degenerate eigenvalues: M is
    /// normal, so H = (M + M†)/2 and K = (M − M†)/(2i) are commuting Hermitian matrices and the Hermitian H + αK shares
    /// their eigenvectors; its eigenvalue cos φ + α sin φ separates distinct e^{iφ} unless α hits one of finitely many
    /// values, so V†MV is checked to be diagonal to <see cref="EigenOffDiagonalTolerance"/> and another α tried when it is
    /// not (the best basis is kept if none passes).
    /// </summary>
    internal static (Matrix<Complex> V, double[] Phases) UnitaryEigen(Matrix<Complex> m)
    {
        int n = m.RowCount;
        var mh = m.ConjugateTranspose();
        var h = (m + mh) * 0.5;
        var kk = (m - mh) * new Complex(0, -0.5);
        double[] alphas = [0.6180339887498949, -1.3247179572447460, 2.718281828459045, -0.41421356237309503, 3.7320508075688772, 0.1234567891011121];
        Matrix<Complex>? best = null;
        Matrix<Complex>? bestDiag = null;
        double bestOff = double.PositiveInfinity;
        foreach (double alpha in alphas)
        {
            var t = h + kk * alpha;
            t = (t + t.ConjugateTranspose()) * 0.5;
            var v = t.Evd(Symmetricity.Hermitian).EigenVectors;
            var diag = v.ConjugateTranspose() * m * v;
            double off = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    if (i != j) off = Math.Max(off, diag[i, j].Magnitude);
            if (off < bestOff) { bestOff = off; best = v; bestDiag = diag; }
            if (off <= EigenOffDiagonalTolerance) break;
        }
        var phases = new double[n];
        for (int j = 0; j < n; j++) phases[j] = bestDiag![j, j].Phase;
        return (best!, phases);
    }

    /// <summary>
    /// A square root V of a 2×2 unitary U (row-major), V² = U exactly up to rounding. With U = e^{iα} W, W ∈ SU(2),
    /// W = cos(θ/2) I − i sin(θ/2) n·σ and the sign of W (that is, α mod 2π) chosen so that cos(θ/2) = Re tr W / 2 ≥ 0,
    /// the root cos(θ/4) I − i sin(θ/4) n·σ equals cos(θ/4) I + (W − cos(θ/2) I) / (2 cos(θ/4)), which is well
    /// conditioned because θ/2 ∈ [0, π/2] gives cos(θ/4) ≥ cos(π/4).
    /// </summary>
    internal static Complex[] SquareRoot(Complex[] u)
    {
        Complex det = u[0] * u[3] - u[1] * u[2];
        double alpha = det.Phase / 2;
        Complex phase = Complex.FromPolarCoordinates(1, -alpha);
        if ((u[0] * phase + u[3] * phase).Real < 0) { alpha += Math.PI; phase = -phase; }
        Complex[] w = [u[0] * phase, u[1] * phase, u[2] * phase, u[3] * phase];
        double c2 = Math.Clamp(0.5 * (w[0].Real + w[3].Real), -1, 1); // cos(θ/2) = Re tr W / 2
        double c4 = Math.Cos(Math.Acos(c2) / 2);
        Complex root = Complex.FromPolarCoordinates(1, alpha / 2);
        return
        [
            root * (c4 + (w[0] - c2) / (2 * c4)), root * (w[1] / (2 * c4)),
            root * (w[2] / (2 * c4)), root * (c4 + (w[3] - c2) / (2 * c4)),
        ];
    }

    /// <summary>The adjoint of a 2×2 matrix (row-major).</summary>
    internal static Complex[] Adjoint2(Complex[] u) =>
        [Complex.Conjugate(u[0]), Complex.Conjugate(u[2]), Complex.Conjugate(u[1]), Complex.Conjugate(u[3])];
}
