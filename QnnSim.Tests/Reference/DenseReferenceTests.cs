using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Observables;
using QnnSim.Randomness;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Reference;

/// <summary>
/// The reference checks itself against hand-computed facts before anything is compared with it: bit order,
/// Kronecker convention, controls, permutations and textbook identities.
/// </summary>
[TestFixture]
public class DenseReferenceTests
{
    private static readonly Complex I = Complex.ImaginaryOne;

    private static Complex[] Basis(int n, int k)
    {
        var v = new Complex[1 << n];
        v[k] = 1;
        return v;
    }

    private static void AssertClose(Matrix<Complex> a, Matrix<Complex> b, string what) =>
        Assert.That(R.MaxAbsDiff(a, b), Is.LessThanOrEqualTo(Tolerances.Kernel), what);

    [Test]
    public void OnQubit_XOnQubitQ_FlipsBitQ()
    {
        for (int n = 1; n <= 5; n++)
            for (int q = 0; q < n; q++)
            {
                var v = R.Apply(R.OnQubit(n, q, R.X), Basis(n, 0));
                Assert.That(v[1 << q], Is.EqualTo(Complex.One), $"n={n}, q={q}");
                Assert.That(v.Count(a => a != Complex.Zero), Is.EqualTo(1));
            }
    }

    [Test]
    public void Kron_AgreesWithMathNetKroneckerProduct()
    {
        var a = R.HaarUnitary(4, 1);
        var b = R.HaarUnitary(2, 2);
        AssertClose(R.Kron(a, b), a.KroneckerProduct(b), "A⊗B");
        AssertClose(R.Kron(b, a), b.KroneckerProduct(a), "B⊗A");
    }

    [Test]
    public void KronQubits_FactorZeroActsOnLowestBit()
    {
        // Z on qubit 0 of 2 qubits: diag(1, −1, 1, −1).
        var m = R.KronQubits([R.Z, R.Id2]);
        Assert.That(m[1, 1], Is.EqualTo(-Complex.One));
        Assert.That(m[2, 2], Is.EqualTo(Complex.One));
        Assert.That(m[3, 3], Is.EqualTo(-Complex.One));
    }

    [Test]
    public void Controlled_CXControl0Target1_MatchesHandWrittenMatrix()
    {
        // |c=bit0, t=bit1⟩: 1 ↦ 3, 3 ↦ 1, 0 and 2 fixed.
        var expected = R.Rows([1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]);
        AssertClose(R.Controlled(2, [0], 1, R.X), expected, "CX(0→1)");
        var reversed = R.Rows([1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]);
        AssertClose(R.Controlled(2, [1], 0, R.X), reversed, "CX(1→0)");
    }

    [Test]
    public void Controlled_NegativeControl_ActsOnZero()
    {
        var m = R.Controlled(2, [1], [false], [0], R.X);
        // control (bit 1) = 0: 0 ↔ 1; control = 1: identity.
        var expected = R.Rows([0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]);
        AssertClose(m, expected, "negctrl X");
    }

    [Test]
    public void Controlled_ToffoliOnThreeQubits_FlipsOnlyWhenBothControlsSet()
    {
        var m = R.Controlled(3, [0, 2], 1, R.X);
        for (int b = 0; b < 8; b++)
        {
            int expected = (b & 1) != 0 && (b & 4) != 0 ? b ^ 2 : b;
            Assert.That(R.Apply(m, Basis(3, b))[expected], Is.EqualTo(Complex.One), $"|{b}⟩");
        }
    }

    [Test]
    public void OnQubits_SingleQubit_EqualsKroneckerEmbedding()
    {
        var u = R.HaarUnitary(2, 3);
        for (int n = 1; n <= 4; n++)
            for (int q = 0; q < n; q++)
                AssertClose(R.OnQubits(n, [q], u), R.OnQubit(n, q, u), $"n={n}, q={q}");
    }

    [Test]
    public void OnQubits_ProductOfTwoSingleQubitGates_EqualsProductOfEmbeddings()
    {
        var a = R.HaarUnitary(2, 4);
        var b = R.HaarUnitary(2, 5);
        for (int qa = 0; qa < 4; qa++)
            for (int qb = 0; qb < 4; qb++)
            {
                if (qa == qb) continue;
                // Local matrix index bit 0 = first listed qubit (qa), so the local operator is B ⊗ A.
                var embedded = R.OnQubits(4, [qa, qb], R.Kron(b, a));
                AssertClose(embedded, R.OnQubit(4, qa, a) * R.OnQubit(4, qb, b), $"({qa}, {qb})");
            }
    }

    [Test]
    public void SwapQubits_EqualsEmbeddedSwap4AndThreeCnots()
    {
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
            {
                if (a == b) continue;
                var swap = R.SwapQubits(3, a, b);
                AssertClose(swap, R.OnQubits(3, [a, b], R.Swap4), $"Swap4 ({a}, {b})");
                var cx = R.Controlled(3, [a], b, R.X) * R.Controlled(3, [b], a, R.X) * R.Controlled(3, [a], b, R.X);
                AssertClose(swap, cx, $"three CNOTs ({a}, {b})");
            }
    }

    [Test]
    public void ApplyEmbedded_EqualsDenseEmbedding()
    {
        var u = R.HaarUnitary(8, 6);
        var psi = R.HaarState(5, 7);
        int[] qubits = [3, 0, 4];
        var a = R.ApplyEmbedded(u, qubits, psi);
        var b = R.Apply(R.OnQubits(5, qubits, u), psi);
        Assert.That(R.MaxAbsDiff(a, b), Is.LessThanOrEqualTo(Tolerances.Kernel));
    }

    [Test]
    public void TextbookMatrices_SatisfyKnownIdentities()
    {
        AssertClose(R.H * R.X * R.H, R.Z, "HXH = Z");
        AssertClose(R.S * R.S, R.Z, "S² = Z");
        AssertClose(R.T * R.T, R.S, "T² = S");
        AssertClose(R.SX * R.SX, R.X, "SX² = X");
        AssertClose(R.SX * R.SXdg, R.Id2, "SX SX† = I");
        AssertClose(R.Sdg, R.S.ConjugateTranspose(), "S† = S^H");
        AssertClose(R.Tdg, R.T.ConjugateTranspose(), "T† = T^H");
        AssertClose(R.Rx(Math.PI), -I * R.X, "Rx(π) = −iX");
        AssertClose(R.Ry(Math.PI), -I * R.Y, "Ry(π) = −iY");
        AssertClose(R.Rz(Math.PI), -I * R.Z, "Rz(π) = −iZ");
        AssertClose(R.X * R.Y, I * R.Z, "XY = iZ");
        AssertClose(R.ISwapDg4, R.ISwap4.ConjugateTranspose(), "iSWAP† = iSWAP^H");
        var rng = new SeededRandom(8);
        for (int k = 0; k < 5; k++)
        {
            double t = rng.NextDouble(-7, 7), p = rng.NextDouble(-7, 7), l = rng.NextDouble(-7, 7);
            AssertClose(R.PauliRotation(R.X, t), R.Rx(t), "exp(−itX/2) = Rx");
            AssertClose(R.PauliRotation(R.Y, t), R.Ry(t), "exp(−itY/2) = Ry");
            AssertClose(R.PauliRotation(R.Z, t), R.Rz(t), "exp(−itZ/2) = Rz");
            AssertClose(R.PauliRotation(R.Kron(R.X, R.X), t), R.Rxx4(t), "Rxx");
            AssertClose(R.PauliRotation(R.Kron(R.Y, R.Y), t), R.Ryy4(t), "Ryy");
            AssertClose(R.PauliRotation(R.Kron(R.Z, R.Z), t), R.Rzz4(t), "Rzz");
            AssertClose(R.U(t, p, l), R.Cis((p + l) / 2) * R.Rz(p) * R.Ry(t) * R.Rz(l), "U = e^{i(φ+λ)/2} Rz Ry Rz");
            AssertClose(R.Phase(l), R.Cis(l / 2) * R.Rz(l), "P(λ) = e^{iλ/2} Rz(λ)");
        }
    }

    [Test]
    public void PauliStringMatrix_ReadsFactorsByQubit()
    {
        var p = PauliString.Parse("X0 Z2");
        var expected = R.Kron(R.Kron(R.Z, R.Id2), R.X);
        AssertClose(R.PauliStringMatrix(3, p), expected, "X0 Z2");
    }

    [Test]
    public void HaarUnitary_IsUnitaryAndReproducible()
    {
        var a = R.HaarUnitary(8, 11);
        AssertClose(a.ConjugateTranspose() * a, R.Identity(3), "U†U");
        AssertClose(a, R.HaarUnitary(8, 11), "same seed");
        Assert.That(R.MaxAbsDiff(a, R.HaarUnitary(8, 12)), Is.GreaterThan(0.1), "different seeds differ");
    }

    [Test]
    public void HaarState_IsNormalisedAndReproducible()
    {
        var a = R.HaarState(6, 3);
        Assert.That(a.Sum(z => z.Magnitude * z.Magnitude), Is.EqualTo(1).Within(Tolerances.Kernel));
        Assert.That(R.MaxAbsDiff(a, R.HaarState(6, 3)), Is.EqualTo(0));
        Assert.That(R.MaxAbsDiff(a, R.HaarState(6, 4)), Is.GreaterThan(0.01));
    }
}
