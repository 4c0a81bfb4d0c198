using System.Collections.Immutable;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Randomness;
using QnnSim.Tests.Reference;

namespace QnnSim.Tests.Interop;

/// <summary>Tolerances of the dense-unitary decomposition tests.</summary>
internal static class ShannonTolerances
{
    /// <summary>Product of the decomposition's gates against the matrix, element by element, global phase included.</summary>
    public const double Reconstruction = 1e-10;

    /// <summary>Factors of one cosine–sine step and one eigendecomposition (a single level of rounding).</summary>
    public const double Factor = 1e-12;
}

/// <summary>
/// The quantum Shannon decomposition (<see cref="UnitaryDecomposition.Shannon"/>): the product of the emitted gates,
/// applied by an independent dense reference (each gate's 2×2 matrix from <see cref="DenseReference"/> on every column of
/// the identity), equals the matrix including its global phase, for Haar-random and degenerate unitaries, with and
/// without controls; the gate counts follow the recurrence; the factors of each step are what they claim to be.
/// </summary>
[TestFixture]
public class ShannonDecompositionTests
{
    /// <summary>Applies one decomposed gate (a controlled one-qubit gate) to every column of <paramref name="m"/> (2^n × 2^n).</summary>
    internal static void ApplyReference(Operation op, Complex[,] m, int n)
    {
        Assert.That(op.Targets.Length, Is.EqualTo(1), $"the decomposition emitted a {op.Targets.Length}-qubit {op.Kind}");
        Matrix<Complex> g = op.Kind switch
        {
            GateKind.Unitary => DenseReference.Rows([op.Matrix![0, 0], op.Matrix[0, 1]], [op.Matrix[1, 0], op.Matrix[1, 1]]),
            GateKind.Ry => DenseReference.Ry(op.Angles[0].Evaluate([], [])),
            GateKind.Rz => DenseReference.Rz(op.Angles[0].Evaluate([], [])),
            GateKind.X => DenseReference.X,
            _ => throw new AssertionException($"unexpected gate kind {op.Kind} in the decomposition"),
        };
        int t = op.Targets[0], dim = 1 << n;
        int mask = 0, want = 0;
        for (int i = 0; i < op.Controls.Length; i++)
        {
            mask |= 1 << op.Controls[i];
            if (op.ControlStates[i]) want |= 1 << op.Controls[i];
        }
        for (int r0 = 0; r0 < dim; r0++)
        {
            if ((r0 >> t & 1) != 0 || (r0 & mask) != want) continue;
            int r1 = r0 | 1 << t;
            for (int c = 0; c < dim; c++)
            {
                Complex a = m[r0, c], b = m[r1, c];
                m[r0, c] = g[0, 0] * a + g[0, 1] * b;
                m[r1, c] = g[1, 0] * a + g[1, 1] * b;
            }
        }
    }

    /// <summary>The product (in time order) of the operations on n qubits, by <see cref="ApplyReference"/>.</summary>
    internal static Complex[,] Product(IEnumerable<Operation> ops, int n)
    {
        int dim = 1 << n;
        var m = new Complex[dim, dim];
        for (int i = 0; i < dim; i++) m[i, i] = 1;
        foreach (var op in ops) ApplyReference(op, m, n);
        return m;
    }

    /// <summary>The expected 2^n × 2^n matrix of a dense operation with controls: U on the targets where the controls hold.</summary>
    private static Complex[,] Expected(Operation op, int n)
    {
        int dim = 1 << n, k = op.Targets.Length;
        var m = new Complex[dim, dim];
        for (int col = 0; col < dim; col++)
        {
            bool on = true;
            for (int i = 0; i < op.Controls.Length; i++)
                on &= (col >> op.Controls[i] & 1) == (op.ControlStates[i] ? 1 : 0);
            if (!on) { m[col, col] = 1; continue; }
            int local = 0, rest = col;
            for (int b = 0; b < k; b++)
            {
                local |= (col >> op.Targets[b] & 1) << b;
                rest &= ~(1 << op.Targets[b]);
            }
            for (int row = 0; row < 1 << k; row++)
            {
                int full = rest;
                for (int b = 0; b < k; b++) full |= (row >> b & 1) << op.Targets[b];
                m[full, col] = op.Matrix![row, local];
            }
        }
        return m;
    }

    private static double MaxDifference(Complex[,] a, Complex[,] b)
    {
        double worst = 0;
        for (int r = 0; r < a.GetLength(0); r++)
            for (int c = 0; c < a.GetLength(1); c++)
                worst = Math.Max(worst, (a[r, c] - b[r, c]).Magnitude);
        return worst;
    }

    private static UnitaryMatrix FromMathNet(Matrix<Complex> u) => UnitaryMatrix.Create(u.ToArray());

    private static Matrix<Complex> Haar(int k, ulong seed) => DenseReference.HaarUnitary(1 << k, seed);

    /// <summary>Direct sum A ⊕ B (A where the top bit is 0).</summary>
    private static Matrix<Complex> DirectSum(Matrix<Complex> a, Matrix<Complex> b)
    {
        int n = a.RowCount;
        var m = Matrix<Complex>.Build.Dense(2 * n, 2 * n);
        m.SetSubMatrix(0, 0, a);
        m.SetSubMatrix(n, n, b);
        return m;
    }

    /// <summary>[[C, −S], [S, C]] for the given angles θ_j (c_j = cos θ_j/2, s_j = sin θ_j/2).</summary>
    private static Matrix<Complex> CosineSineMiddle(double[] theta)
    {
        int n = theta.Length;
        var m = Matrix<Complex>.Build.Dense(2 * n, 2 * n);
        for (int j = 0; j < n; j++)
        {
            double c = Math.Cos(theta[j] / 2), s = Math.Sin(theta[j] / 2);
            m[j, j] = c; m[j, n + j] = -s; m[n + j, j] = s; m[n + j, n + j] = c;
        }
        return m;
    }

    private static Matrix<Complex> Permutation(int k, ulong seed)
    {
        int d = 1 << k;
        var rng = new SeededRandom(seed);
        var p = Enumerable.Range(0, d).ToArray();
        for (int i = d - 1; i > 0; i--)
        {
            int j = (int)rng.NextInt64(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        var m = Matrix<Complex>.Build.Dense(d, d);
        for (int i = 0; i < d; i++) m[p[i], i] = 1;
        return m;
    }

    /// <summary>Seeded Haar-random unitaries for k = 1..7 and degenerate matrices that stress the CSD and the eigenbasis.</summary>
    public static IEnumerable<TestCaseData> Matrices()
    {
        for (int k = 1; k <= 7; k++)
            foreach (ulong seed in k <= 5 ? new ulong[] { 500 + (ulong)k, 600 + (ulong)k } : [700 + (ulong)k])
                yield return new TestCaseData(k, Haar(k, seed)).SetName($"Shannon_Haar{k}q_seed{seed}_ProductEqualsMatrix");

        foreach (int k in new[] { 2, 3, 5 })
            yield return new TestCaseData(k, DenseReference.Identity(k)).SetName($"Shannon_Identity{k}q_ProductEqualsMatrix");
        yield return new TestCaseData(3, DenseReference.Identity(3) * Complex.FromPolarCoordinates(1, 0.7)).SetName("Shannon_GlobalPhase3q_ProductEqualsMatrix");
        foreach (int k in new[] { 2, 4, 5 })
            yield return new TestCaseData(k, Permutation(k, 800 + (ulong)k)).SetName($"Shannon_Permutation{k}q_ProductEqualsMatrix");
        // Block-diagonal about the top qubit: U10 = U01 = 0 (C = 1 everywhere); and anti-block-diagonal (C = 0).
        yield return new TestCaseData(4, DirectSum(Haar(3, 11), Haar(3, 12))).SetName("Shannon_BlockDiagonal4q_ProductEqualsMatrix");
        yield return new TestCaseData(4, DenseReference.Kron(DenseReference.X, Haar(3, 13))).SetName("Shannon_XTimesHaar4q_CZero_ProductEqualsMatrix");
        // Identical blocks: A B† = I, fully degenerate eigenvalues.
        var same = Haar(3, 14);
        yield return new TestCaseData(4, DirectSum(same, same)).SetName("Shannon_EqualBlocks4q_ProductEqualsMatrix");
        // Blocks whose quotient has a few repeated eigenvalues.
        var v = Haar(3, 15);
        var dg = Matrix<Complex>.Build.DenseOfDiagonalArray([1, 1, 1, Complex.ImaginaryOne, Complex.ImaginaryOne, -1, -1, 1]);
        var b = Haar(3, 16);
        yield return new TestCaseData(4, DirectSum(v * dg * v.ConjugateTranspose() * b, b)).SetName("Shannon_RepeatedEigenvalues4q_ProductEqualsMatrix");
        // Controlled gates as dense matrices: CCX, C(Haar) with the control on the top and on the bottom bit.
        var ccx = DenseReference.Identity(3);
        ccx[3, 3] = 0; ccx[7, 7] = 0; ccx[3, 7] = 1; ccx[7, 3] = 1;
        yield return new TestCaseData(3, ccx).SetName("Shannon_DenseCcx3q_ProductEqualsMatrix");
        yield return new TestCaseData(4, DirectSum(DenseReference.Identity(3), Haar(3, 17))).SetName("Shannon_ControlOnTop4q_ProductEqualsMatrix");
        yield return new TestCaseData(4, DenseReference.Kron(Haar(3, 18), DenseReference.Rows([1, 0], [0, 0]))
            + DenseReference.Kron(DenseReference.Identity(3), DenseReference.Rows([0, 0], [0, 1]))).SetName("Shannon_ControlOnBottom4q_ProductEqualsMatrix");
        yield return new TestCaseData(5, DenseReference.KronQubits([.. Enumerable.Range(0, 5).Select(_ => DenseReference.H)])).SetName("Shannon_HadamardPower5q_ProductEqualsMatrix");
        // Cosine–sine spectra with exact 0 and 1 and with clusters near 1 and near 0 (s or c of order 1e-8 and 1e-17).
        double[] spectrum = [0, Math.PI, 0, Math.PI / 2, 2e-8, 3e-8, 1e-8, Math.PI - 2e-8];
        yield return new TestCaseData(4, DirectSum(Haar(3, 19), Haar(3, 20)) * CosineSineMiddle(spectrum) * DirectSum(Haar(3, 21), Haar(3, 22)))
            .SetName("Shannon_ExactAndClusteredCosines4q_ProductEqualsMatrix");
        double[] tiny = [1e-17, 2e-17, 0, 1e-9, 3e-12, 1e-16, 5e-9, 0];
        yield return new TestCaseData(4, DirectSum(Haar(3, 23), Haar(3, 24)) * CosineSineMiddle(tiny) * DirectSum(Haar(3, 25), Haar(3, 26)))
            .SetName("Shannon_NearlyBlockDiagonal4q_ProductEqualsMatrix");
    }

    [TestCaseSource(nameof(Matrices))]
    public void Shannon_Matrix_ProductEqualsMatrix(int k, Matrix<Complex> u)
    {
        var op = new Operation(GateKind.Unitary, [.. Enumerable.Range(0, k)], matrix: FromMathNet(u));
        var ops = UnitaryDecomposition.Shannon(op);
        double error = MaxDifference(Product(ops, k), Expected(op, k));
        TestContext.Out.WriteLine($"k = {k}: {ops.Count} operations, max |product − U| = {error:E2}");
        Assert.That(error, Is.LessThanOrEqualTo(ShannonTolerances.Reconstruction));
    }

    /// <summary>
    /// Highly structured unitaries (many exact zeros, repeated cosines and eigenvalues): the matrices of 150 seeded random
    /// circuits of H, CX, S, T, X, SWAP, Rz(multiple of π/2) and Ry(π) or Ry(1e-9) on 2–5 qubits.
    /// </summary>
    [Test]
    public void Shannon_StructuredCircuitUnitaries_ProductEqualsMatrix()
    {
        double worst = 0;
        for (ulong seed = 0; seed < 150; seed++)
        {
            var rng = new SeededRandom(2000 + seed);
            int k = 2 + (int)(seed % 4);
            var b = new CircuitBuilder(k);
            int gates = (int)rng.NextInt64(12);
            for (int g = 0; g < gates; g++)
            {
                int t = (int)rng.NextInt64(k);
                int c = (t + 1 + (int)rng.NextInt64(k - 1)) % k;
                switch (rng.NextInt64(8))
                {
                    case 0: b.H(t); break;
                    case 1: b.CX(c, t); break;
                    case 2: b.S(t); break;
                    case 3: b.T(t); break;
                    case 4: b.X(t); break;
                    case 5: b.Swap(c, t); break;
                    case 6: b.Rz(t, Math.PI / 2 * rng.NextInt64(4)); break;
                    default: b.Ry(t, seed % 3 == 0 ? 1e-9 : Math.PI); break;
                }
            }
            var u = OpenQasm.OpenQasmTestSupport.UnitaryOf(b.Build(), ParameterValues.None, InputValues.None);
            int d = 1 << k;
            var flat = new Complex[d * d];
            for (int r = 0; r < d; r++)
                for (int col = 0; col < d; col++) flat[r * d + col] = u[r, col];
            var op = new Operation(GateKind.Unitary, [.. Enumerable.Range(0, k)], matrix: UnitaryMatrix.CreateTrusted(k, flat));
            double error = MaxDifference(Product(UnitaryDecomposition.Shannon(op), k), u);
            Assert.That(error, Is.LessThanOrEqualTo(ShannonTolerances.Reconstruction), $"seed {2000 + seed}, k = {k}");
            worst = Math.Max(worst, error);
        }
        TestContext.Out.WriteLine($"max |product − U| over 150 structured unitaries: {worst:E2}");
    }

    public static IEnumerable<TestCaseData> ControlledOperations()
    {
        yield return new TestCaseData(new Operation(GateKind.Unitary, [2, 0], controls: [1], controlStates: [false], matrix: FromMathNet(Haar(2, 31))), 3)
            .SetName("Shannon_NegativelyControlledHaar2q_ProductEqualsControlledMatrix");
        yield return new TestCaseData(new Operation(GateKind.Unitary, [4, 1, 3], controls: [0, 2], controlStates: [true, false], matrix: FromMathNet(Haar(3, 32))), 5)
            .SetName("Shannon_DoublyControlledHaar3q_ProductEqualsControlledMatrix");
        yield return new TestCaseData(new Operation(GateKind.Unitary, [5, 0, 3, 1], controls: [2, 4], controlStates: [true, true],
            matrix: FromMathNet(DenseReference.Identity(4) * Complex.FromPolarCoordinates(1, -1.1))), 6)
            .SetName("Shannon_ControlledGlobalPhase4q_ProductEqualsControlledMatrix");
        yield return new TestCaseData(new Operation(GateKind.Unitary, [6, 2, 4, 0, 5], controls: [1, 3], controlStates: [false, true], matrix: FromMathNet(Haar(5, 33))), 7)
            .SetName("Shannon_ControlledHaar5q_ProductEqualsControlledMatrix");
    }

    /// <summary>The operation's controls (the phase of a controlled block is observable) and a target order that is not 0..k−1.</summary>
    [TestCaseSource(nameof(ControlledOperations))]
    public void Shannon_ControlledBlock_ProductEqualsControlledMatrix(Operation op, int n)
    {
        var ops = UnitaryDecomposition.Shannon(op);
        double error = MaxDifference(Product(ops, n), Expected(op, n));
        TestContext.Out.WriteLine($"{op.Targets.Length} targets, {op.Controls.Length} controls: max |product − U| = {error:E2}");
        Assert.That(error, Is.LessThanOrEqualTo(ShannonTolerances.Reconstruction));
        // Only rotations and leaves carry the operation's controls; every CX has exactly one control (a lower local qubit).
        Assert.That(ops.Where(o => o.Kind == GateKind.X).All(o => o.Controls.Length == 1 && op.Targets.Contains(o.Controls[0])));
        Assert.That(ops.Where(o => o.Kind != GateKind.X).All(o => o.Controls.SequenceEqual(op.Controls)));
    }

    /// <summary>c(k) = (3/4)·4^k − (3/2)·2^k CX, as many rotations, 4^{k−1} one-qubit unitaries.</summary>
    [TestCase(1, 0L), TestCase(2, 6L), TestCase(3, 36L), TestCase(4, 168L), TestCase(5, 720L), TestCase(6, 2976L), TestCase(7, 12096L)]
    public void Shannon_HaarUnitary_GateCountsMatchFormula(int k, long cx)
    {
        var ops = UnitaryDecomposition.Shannon(new Operation(GateKind.Unitary, [.. Enumerable.Range(0, k)], matrix: FromMathNet(Haar(k, 900 + (ulong)k))));
        long closedForm = 3L * (1L << 2 * k) / 4 - 3L * (1L << k) / 2;
        Assert.Multiple(() =>
        {
            Assert.That(UnitaryDecomposition.ShannonCxCount(k), Is.EqualTo(cx).And.EqualTo(closedForm));
            Assert.That(ops.Count(o => o.Kind == GateKind.X), Is.EqualTo(cx), "CX");
            Assert.That(ops.Count(o => o.Kind is GateKind.Ry or GateKind.Rz), Is.EqualTo(cx), "rotations");
            Assert.That(ops.Count(o => o.Kind == GateKind.Unitary), Is.EqualTo(1L << 2 * (k - 1)), "one-qubit unitaries");
            Assert.That(ops.Count, Is.EqualTo(UnitaryDecomposition.ShannonOperationCount(k)).And.EqualTo(7L * (1L << 2 * k) / 4 - 3L * (1L << k)), "all");
        });
    }

    [Test]
    public void ShannonCounts_AtCap_MatchDocumentedFigures()
    {
        Assert.That(UnitaryDecomposition.MaxDenseQubits, Is.EqualTo(10));
        Assert.That(UnitaryDecomposition.ShannonCxCount(10), Is.EqualTo(784_896));
        Assert.That(UnitaryDecomposition.ShannonOperationCount(10), Is.EqualTo(1_831_936));
    }

    public static IEnumerable<TestCaseData> Multiplexors()
    {
        foreach (var kind in new[] { GateKind.Ry, GateKind.Rz })
            for (int m = 0; m <= 4; m++)
                yield return new TestCaseData(kind, m).SetName($"Multiplexed_{kind}_{m}Selects_ActsAsRotationPerValue");
    }

    /// <summary>The Gray-code multiplexor applies R(θ_j) to the target when the select qubits hold j, for each j.</summary>
    [TestCaseSource(nameof(Multiplexors))]
    public void Multiplexed_Rotation_ActsAsRotationPerValue(GateKind kind, int m)
    {
        var rng = new SeededRandom(1000 + (ulong)m);
        int n = m + 1, target = m / 2;
        int[] select = [.. Enumerable.Range(0, n).Where(q => q != target).Reverse()];
        var theta = Enumerable.Range(0, 1 << m).Select(_ => rng.NextDouble(-7, 7)).ToArray();
        var ops = new List<Operation>();
        UnitaryDecomposition.Multiplexed(kind, theta, target, select, [], [], ops);
        Assert.That(ops.Count(o => o.Kind == GateKind.X), Is.EqualTo(m == 0 ? 0 : 1 << m));
        var product = Product(ops, n);
        for (int j = 0; j < 1 << m; j++)
        {
            var r = kind == GateKind.Ry ? DenseReference.Ry(theta[j]) : DenseReference.Rz(theta[j]);
            int baseIndex = 0;
            for (int b = 0; b < m; b++) baseIndex |= (j >> b & 1) << select[b];
            int[] idx = [baseIndex, baseIndex | 1 << target];
            for (int a = 0; a < 2; a++)
                for (int c = 0; c < 2; c++)
                    Assert.That((product[idx[a], idx[c]] - r[a, c]).Magnitude, Is.LessThan(ShannonTolerances.Factor), $"select value {j}, entry ({a}, {c})");
        }
    }

    public static IEnumerable<TestCaseData> CsdInputs() =>
        Matrices().Where(t => (int)t.Arguments[0]! >= 2 && (int)t.Arguments[0]! <= 5)
            .Select(t => new TestCaseData(t.Arguments[1]).SetName(t.TestName!.Replace("Shannon_", "CosineSine_").Replace("_ProductEqualsMatrix", "_FactorsReconstruct")));

    /// <summary>One CSD step: unitary factors, c² + s² = 1, c, s ≥ 0, and the product equal to U.</summary>
    [TestCaseSource(nameof(CsdInputs))]
    public void CosineSine_Unitary_FactorsReconstruct(Matrix<Complex> u)
    {
        var (l0, l1, c, s, r0, r1) = UnitaryDecomposition.CosineSine(u);
        int n = c.Length;
        var theta = Enumerable.Range(0, n).Select(j => 2 * Math.Atan2(s[j], c[j])).ToArray();
        var product = DirectSum(l0, l1) * CosineSineMiddle(theta) * DirectSum(r0, r1);
        Assert.Multiple(() =>
        {
            Assert.That((product - u).Enumerate().Max(z => z.Magnitude), Is.LessThan(ShannonTolerances.Factor), "product");
            foreach (var (f, name) in new[] { (l0, "L0"), (l1, "L1"), (r0, "R0"), (r1, "R1") })
                Assert.That((f * f.ConjugateTranspose() - Matrix<Complex>.Build.DenseIdentity(n)).Enumerate().Max(z => z.Magnitude), Is.LessThan(ShannonTolerances.Factor), name);
            for (int j = 0; j < n; j++)
            {
                Assert.That(c[j], Is.GreaterThanOrEqualTo(0));
                Assert.That(s[j], Is.GreaterThanOrEqualTo(0));
                Assert.That(c[j] * c[j] + s[j] * s[j], Is.EqualTo(1).Within(ShannonTolerances.Factor));
            }
        });
    }

    public static IEnumerable<TestCaseData> EigenInputs()
    {
        yield return new TestCaseData(DenseReference.Identity(3)).SetName("UnitaryEigen_Identity_DiagonalisesWithUnitaryBasis");
        yield return new TestCaseData(-DenseReference.Identity(2)).SetName("UnitaryEigen_MinusIdentity_DiagonalisesWithUnitaryBasis");
        var v = Haar(3, 40);
        yield return new TestCaseData(v * Matrix<Complex>.Build.DenseOfDiagonalArray([1, 1, -1, -1, Complex.ImaginaryOne, Complex.ImaginaryOne, Complex.ImaginaryOne, 1]) * v.ConjugateTranspose())
            .SetName("UnitaryEigen_RepeatedEigenvalues_DiagonalisesWithUnitaryBasis");
        // e^{iφ} with cos φ + α sin φ equal for α = 0.618… (the first α tried): e^{iφ1} and e^{iφ2}, φ2 = 2 atan(α) − φ1.
        double alpha = 0.6180339887498949, phi1 = 0.3, phi2 = 2 * Math.Atan(alpha) - phi1;
        var w = Haar(2, 41);
        yield return new TestCaseData(w * Matrix<Complex>.Build.DenseOfDiagonalArray([Complex.FromPolarCoordinates(1, phi1), Complex.FromPolarCoordinates(1, phi2), 1, -1]) * w.ConjugateTranspose())
            .SetName("UnitaryEigen_CollisionOfFirstAlpha_RetriesAndDiagonalises");
        yield return new TestCaseData(Permutation(3, 42)).SetName("UnitaryEigen_Permutation_DiagonalisesWithUnitaryBasis");
        yield return new TestCaseData(Haar(4, 43)).SetName("UnitaryEigen_Haar_DiagonalisesWithUnitaryBasis");
    }

    [TestCaseSource(nameof(EigenInputs))]
    public void UnitaryEigen_Unitary_DiagonalisesWithUnitaryBasis(Matrix<Complex> m)
    {
        var (v, phases) = UnitaryDecomposition.UnitaryEigen(m);
        int n = m.RowCount;
        var d = Matrix<Complex>.Build.DenseOfDiagonalArray([.. phases.Select(p => Complex.FromPolarCoordinates(1, p))]);
        Assert.Multiple(() =>
        {
            Assert.That((v * v.ConjugateTranspose() - Matrix<Complex>.Build.DenseIdentity(n)).Enumerate().Max(z => z.Magnitude), Is.LessThan(ShannonTolerances.Factor), "V unitary");
            Assert.That((v * d * v.ConjugateTranspose() - m).Enumerate().Max(z => z.Magnitude), Is.LessThan(ShannonTolerances.Factor), "V D V† = M");
        });
    }
}
