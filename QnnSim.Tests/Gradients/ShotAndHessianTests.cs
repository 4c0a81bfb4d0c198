using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;
using static QnnSim.Tests.Gradients.GradientTestCircuits;

namespace QnnSim.Tests.Gradients;

[TestFixture]
public class ShotAndHessianTests
{
    private static IEnumerable<TestCaseData> Seeds() => Enumerable.Range(0, 8).Select(s => new TestCaseData((ulong)s).SetArgDisplayNames($"seed{s}"));

    private static Circuit ShotCircuit()
    {
        // Uncontrolled and controlled rotations (two- and four-term rules), a phase gate and a repeated parameter.
        var b = new CircuitBuilder(3);
        var t = b.Parameters("t", 4);
        b.H(0).Ry(1, t[0]).CRx(0, 2, t[1]).Phase(1, t[2]).CX(1, 2).Rz(2, t[0] * 0.5 + 0.1).Ry(0, t[3]).H(1);
        return b.Build();
    }

    [TestCaseSource(nameof(Seeds))]
    public void ParameterShiftWithShots_Estimate_WithinFourStandardErrors(ulong seed)
    {
        var c = ShotCircuit();
        var theta = ParameterValues.Of(0.4, 1.3, -0.8, 2.2);
        var o = PauliSum.Parse("Z2 + 0.5*X1 Y0");
        var exact = new double[4];
        new Differentiator().ValueAndGradient(c, theta, InputValues.None, o, exact);
        var shots = new Differentiator().ParameterShiftWithShots(c, theta, InputValues.None, o, 2000, seed);
        for (int j = 0; j < 4; j++)
        {
            Assert.That(shots.StandardError[j], Is.GreaterThan(0).And.LessThan(0.1), $"standard error of θ_{j}");
            Assert.That(Math.Abs(shots.Gradient[j] - exact[j]), Is.LessThanOrEqualTo(Tolerances.ShotSigmas * shots.StandardError[j]), $"θ_{j}");
        }
        // Two shift terms for Ry, Phase, Rz and Ry, four for the CRx; 2 non-identity observable terms each.
        Assert.That(shots.TotalShots, Is.EqualTo((2 + 4 + 2 + 2 + 2) * 2 * 2000L));
    }

    [Test]
    public void ParameterShiftWithShots_DataOnlySteps_SpendNoShots()
    {
        // Ry(x0), Ry(x1) and Rz(x0·x1) depend on the data inputs only: ∂φ/∂θ = 0, so they are not shifted. Rx(t0)
        // (two terms) and CRz(t1 + x0) (four terms) are.
        var b = new CircuitBuilder(2);
        var t = b.Parameters("t", 2);
        var x0 = b.Input("x0");
        var x1 = b.Input("x1");
        b.Ry(0, x0).Ry(1, x1).Rx(0, t[0]).CRz(0, 1, t[1] + x0).Rz(1, x0 * x1).H(0);
        var c = b.Build();
        var theta = ParameterValues.Of(0.7, -1.2);
        var x = InputValues.Of(0.4, 1.1);
        var o = PauliSum.Parse("Z1 + 0.5*X0");
        var exact = new double[2];
        new Differentiator().ValueAndGradient(c, theta, x, o, exact);
        var shots = new Differentiator().ParameterShiftWithShots(c, theta, x, o, 4000, 9);
        Assert.That(shots.TotalShots, Is.EqualTo((2 + 4) * 2 * 4000L), "only the θ-dependent steps are shifted and counted");
        for (int j = 0; j < 2; j++)
        {
            Assert.That(shots.StandardError[j], Is.GreaterThan(0), $"standard error of θ_{j}");
            Assert.That(Math.Abs(shots.Gradient[j] - exact[j]), Is.LessThanOrEqualTo(Tolerances.ShotSigmas * shots.StandardError[j]), $"θ_{j}");
        }
    }

    [Test]
    public void ParameterShiftWithShots_SameSeedAnyThreads_Identical()
    {
        var c = ShotCircuit();
        var theta = ParameterValues.Of(0.4, 1.3, -0.8, 2.2);
        var a = new Differentiator(new GradientOptions { MaxDegreeOfParallelism = 1 }).ParameterShiftWithShots(c, theta, InputValues.None, PauliString.Z(2), 500, 42);
        var b = new Differentiator(new GradientOptions { MaxDegreeOfParallelism = 2 }).ParameterShiftWithShots(c, theta, InputValues.None, PauliString.Z(2), 500, 42);
        Assert.That(b.Gradient, Is.EqualTo(a.Gradient));
        Assert.That(b.StandardError, Is.EqualTo(a.StandardError));
        var other = new Differentiator().ParameterShiftWithShots(c, theta, InputValues.None, PauliString.Z(2), 500, 43);
        Assert.That(other.Gradient, Is.Not.EqualTo(a.Gradient));
    }

    private static IEnumerable<TestCaseData> HessianCases()
    {
        yield return new TestCaseData(11UL, false, false).SetArgDisplayNames("affine", "zeroState");
        yield return new TestCaseData(12UL, true, false).SetArgDisplayNames("nonAffine", "zeroState");
        yield return new TestCaseData(13UL, true, true).SetArgDisplayNames("nonAffine", "preparedState");
    }

    [TestCaseSource(nameof(HessianCases))]
    public void Hessian_SymmetricAndEqualsFiniteDifferencesOfGradient(ulong seed, bool nonAffine, bool prepared)
    {
        var circuit = RandomCircuit(seed, n: 3, p: 4, q: 1, gates: 19, allowNonAffine: nonAffine);
        var rng = new SeededRandom(seed);
        var theta = RandomParameters(rng, circuit.ParameterCount).Span.ToArray();
        var x = RandomInputs(rng, circuit.InputCount);
        var o = RandomObservable(rng, 3);
        var init = prepared ? RandomState(rng, 3) : null;
        var d = new Differentiator();
        var h = d.Hessian(circuit, ParameterValues.Of(theta), x, o, init);
        int p = circuit.ParameterCount;
        const double step = 1e-5;
        var plus = new double[p];
        var minus = new double[p];
        double largest = 0;
        for (int j = 0; j < p; j++)
        {
            double v = theta[j];
            theta[j] = v + step;
            d.ValueAndGradient(circuit, ParameterValues.Of(theta), x, o, plus, default, init);
            theta[j] = v - step;
            d.ValueAndGradient(circuit, ParameterValues.Of(theta), x, o, minus, default, init);
            theta[j] = v;
            for (int i = 0; i < p; i++)
            {
                Assert.That(h[i, j], Is.EqualTo((plus[i] - minus[i]) / (2 * step)).Within(Tolerances.FiniteDifference), $"H[{i},{j}]");
                Assert.That(h[i, j], Is.EqualTo(h[j, i]), "symmetric");
                largest = Math.Max(largest, Math.Abs(h[i, j]));
            }
        }
        Assert.That(largest, Is.GreaterThan(1e-2));
    }

    [Test]
    public void Hessian_SingleRotation_MatchesClosedForm()
    {
        // ⟨Z⟩ = cos(a·b) for Rx(a·b): ∂²/∂a² = −b² cos(ab), ∂²/∂a∂b = −sin(ab) − ab cos(ab).
        var bld = new CircuitBuilder(1);
        var a = bld.Parameter("a");
        var b = bld.Parameter("b");
        bld.Rx(0, a * b);
        double va = 0.7, vb = 1.3, ab = va * vb;
        var h = new Differentiator().Hessian(bld.Build(), ParameterValues.Of(va, vb), InputValues.None, PauliString.Z(0));
        Assert.That(h[0, 0], Is.EqualTo(-vb * vb * Math.Cos(ab)).Within(Tolerances.FiniteDifference));
        Assert.That(h[1, 1], Is.EqualTo(-va * va * Math.Cos(ab)).Within(Tolerances.FiniteDifference));
        Assert.That(h[0, 1], Is.EqualTo(-Math.Sin(ab) - ab * Math.Cos(ab)).Within(Tolerances.FiniteDifference));
    }
}
