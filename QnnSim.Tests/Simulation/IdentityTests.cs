using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;
using QnnSim.Tests.Reference;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Simulation;

/// <summary>Algebraic identities of the simulated gates (STYLE.md §11), on every kernel path, fusion on and off.</summary>
[TestFixture(KernelPath.Scalar, false)]
[TestFixture(KernelPath.Scalar, true)]
[TestFixture(KernelPath.Vector128, false)]
[TestFixture(KernelPath.Vector128, true)]
[TestFixture(KernelPath.Vector256, false)]
[TestFixture(KernelPath.Vector256, true)]
[TestFixture(KernelPath.Vector512, false)]
[TestFixture(KernelPath.Vector512, true)]
public sealed class IdentityTests(KernelPath path, bool fusion) : KernelPathFixture(path, fusion)
{
    private static readonly Complex I = Complex.ImaginaryOne;

    private Matrix<Complex> Sim1(Action<CircuitBuilder> build, int n = 1)
    {
        var b = new CircuitBuilder(n);
        build(b);
        return SimulatedMatrix(b.Build());
    }

    private static void AssertClose(Matrix<Complex> a, Matrix<Complex> b, string what) =>
        Assert.That(R.MaxAbsDiff(a, b), Is.LessThanOrEqualTo(Tolerances.Kernel), what);

    [Test]
    public void SimulatedGates_SatisfyTextbookIdentities()
    {
        AssertClose(Sim1(b => b.S(0).S(0)), Sim1(b => b.Z(0)), "S² = Z");
        AssertClose(Sim1(b => b.T(0).T(0)), Sim1(b => b.S(0)), "T² = S");
        AssertClose(Sim1(b => b.SX(0).SX(0)), Sim1(b => b.X(0)), "SX² = X");
        AssertClose(Sim1(b => b.Sdg(0).S(0)), R.Id2, "S†S = I");
        AssertClose(Sim1(b => b.Tdg(0).T(0)), R.Id2, "T†T = I");
        AssertClose(Sim1(b => b.SXdg(0).SX(0)), R.Id2, "SX†SX = I");
        var h = Sim1(b => b.H(0));
        AssertClose(h, h.ConjugateTranspose(), "H = H†");
        AssertClose(Sim1(b => b.H(0).H(0)), R.Id2, "H² = I");
        AssertClose(Sim1(b => b.H(0).X(0).H(0)), Sim1(b => b.Z(0)), "HXH = Z");
        AssertClose(Sim1(b => b.Rx(0, Math.PI)), -I * Sim1(b => b.X(0)), "Rx(π) = −iX");
        AssertClose(Sim1(b => b.Ry(0, Math.PI)), -I * Sim1(b => b.Y(0)), "Ry(π) = −iY");
        AssertClose(Sim1(b => b.Rz(0, Math.PI)), -I * Sim1(b => b.Z(0)), "Rz(π) = −iZ");
        AssertClose(Sim1(b => b.Rx(0, 2 * Math.PI)), -R.Id2, "Rx(2π) = −I (angles are not wrapped)");
        AssertClose(Sim1(b => b.CX(0, 1).CX(1, 0).CX(0, 1), 2), Sim1(b => b.Swap(0, 1), 2), "three CNOTs = SWAP");
        AssertClose(Sim1(b => b.H(1).CX(0, 1).H(1), 2), Sim1(b => b.CZ(0, 1), 2), "H CX H = CZ");
        AssertClose(Sim1(b => b.ISwap(0, 1).Add(new Operation(GateKind.ISwapDg, [0, 1])), 2), R.Identity(2), "iSWAP† iSWAP = I");
    }

    [Test]
    public void U_EqualsPhaseTimesEulerRotations_ForConstantAndParameterAngles()
    {
        var rng = new SeededRandom(21);
        for (int k = 0; k < 6; k++)
        {
            double t = rng.NextDouble(-7, 7), p = rng.NextDouble(-7, 7), l = rng.NextDouble(-7, 7);
            var euler = Sim1(b => b.Rz(0, l).Ry(0, t).Rz(0, p).GlobalPhase((p + l) / 2));
            AssertClose(Sim1(b => b.U(0, t, p, l)), euler, "constant U");
            var pb = new CircuitBuilder(1);
            pb.U(0, pb.Parameter("t"), pb.Parameter("p"), pb.Parameter("l"));
            AssertClose(SimulatedMatrix(pb.Build(), ParameterValues.Of(t, p, l)), euler, "parameterised U");
        }
    }

    [Test]
    public void RandomCircuit_IsUnitaryAndPreservesNorm()
    {
        for (int n = 1; n <= 4; n++)
        {
            var (c, theta, x, psi) = RandomCircuits.Build(n, 31 + (ulong)n, 30, out _);
            var u = SimulatedMatrix(c, theta, x);
            AssertClose(u.ConjugateTranspose() * u, R.Identity(n), $"columns orthonormal, n={n}");
            var state = StateVector.FromAmplitudes(psi);
            Sim.Apply(c, theta, x, state);
            Assert.That(state.NormSquared(), Is.EqualTo(1).Within(Tolerances.Kernel), $"norm, n={n}");
        }
    }

    public static IEnumerable<TestCaseData> InverseCases()
    {
        foreach (int n in new[] { 1, 2, 3, 5, 8 })
            foreach (ulong seed in new ulong[] { 3, 4 })
                yield return new TestCaseData(n, seed).SetArgDisplayNames($"n={n}", $"seed={seed}");
    }

    /// <summary>
    /// The QDK's trick for equality including global phase: apply the circuit to |0…0⟩, then its Inverse(), and the
    /// amplitude of |0…0⟩ must be exactly 1 (not merely of modulus 1).
    /// </summary>
    [TestCaseSource(nameof(InverseCases))]
    public void CircuitThenInverse_ReturnsZeroStateWithPhaseOne(int n, ulong seed)
    {
        var (c, theta, x, _) = RandomCircuits.Build(n, seed, 50, out _);
        var state = StateVector.Zero(n);
        Sim.Apply(c, theta, x, state);
        Sim.Apply(c.Inverse(), theta, x, state);
        Assert.That((state[0] - Complex.One).Magnitude, Is.LessThanOrEqualTo(Tolerances.Kernel), $"amplitude 0 = {state[0]}");
    }

    [Test]
    public void CircuitAppendedWithItsInverse_IsIdentityIncludingPhase()
    {
        var (c, theta, x, _) = RandomCircuits.Build(4, 77, 40, out _);
        var both = c.Append(c.Inverse());
        Assert.That(both.ParameterCount, Is.EqualTo(c.ParameterCount), "names merge: no new parameters");
        var state = Sim.Run(both, theta, x);
        Assert.That((state[0] - Complex.One).Magnitude, Is.LessThanOrEqualTo(Tolerances.Kernel));
    }

    [Test]
    public void ApplyPauli_MatchesDenseStringMatrix()
    {
        var rng = new SeededRandom(5);
        for (int n = 1; n <= 6; n++)
        {
            var p = R.RandomPauliString(n, rng);
            var psi = R.HaarState(n, (ulong)n);
            var state = StateVector.FromAmplitudes(psi);
            Sim.ApplyPauli(p, state);
            Assert.That(R.MaxAbsDiff(state.Amplitudes, R.Apply(R.PauliStringMatrix(n, p), psi)), Is.LessThanOrEqualTo(Tolerances.Kernel), p.ToString());
        }
    }

    [Test]
    public void ApplyOperation_MatchesWholeCircuitRun()
    {
        var b = new CircuitBuilder(3);
        var t = b.Parameter("t");
        var xin = b.Input("x");
        b.H(0).CRy(0, 2, 2.0 * t + xin).Rzz(1, 2, Angle.Sin(xin) * t);
        var c = b.Build();
        var theta = ParameterValues.Of(0.37);
        var x = InputValues.Of(-1.2);
        var psi = R.HaarState(3, 9);
        var whole = StateVector.FromAmplitudes(psi);
        Sim.Apply(c, theta, x, whole);
        var stepwise = StateVector.FromAmplitudes(psi);
        foreach (var op in c.Operations) Sim.ApplyOperation(op, theta, x, stepwise);
        Assert.That(R.MaxAbsDiff(whole.Amplitudes, stepwise.Amplitudes), Is.LessThanOrEqualTo(Tolerances.Kernel));
    }

    [Test]
    public void Run_SmallCircuitOnWiderState_ActsOnLowestQubits()
    {
        var b = new CircuitBuilder(2);
        b.H(0).CX(0, 1);
        var psi = R.HaarState(4, 12);
        var state = StateVector.FromAmplitudes(psi);
        Sim.Apply(b.Build(), default, default, state);
        var expected = R.Apply(R.Controlled(4, [0], 1, R.X) * R.OnQubit(4, 0, R.H), psi);
        Assert.That(R.MaxAbsDiff(state.Amplitudes, expected), Is.LessThanOrEqualTo(Tolerances.Kernel));
    }
}
