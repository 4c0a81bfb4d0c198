using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using static QnnSim.Tests.Gradients.GradientTestCircuits;

namespace QnnSim.Tests.Gradients;

[TestFixture]
public class DifferentiatorTests
{
    private static readonly Differentiator Adjoint = new(new GradientOptions { Method = GradientMethod.Adjoint });
    private static readonly Differentiator Shift = new(new GradientOptions { Method = GradientMethod.ParameterShift });
    private static readonly Differentiator Central = new(new GradientOptions { Method = GradientMethod.FiniteDifference });

    private static IEnumerable<TestCaseData> RandomCircuitSeeds() =>
        Enumerable.Range(0, 10).Select(s => new TestCaseData((ulong)s, s % 2 == 1).SetArgDisplayNames($"seed{s}", s % 2 == 1 ? "preparedState" : "zeroState"));

    private static IEnumerable<TestCaseData> GateKindCases() =>
        GateKinds.Select((k, i) => new TestCaseData(k, (ulong)(100 + i)).SetArgDisplayNames(k));

    private static (double Value, double[] Theta, double[] X) Gradient(Differentiator d, Circuit c, ParameterValues theta, InputValues x, PauliSum o, StateVector? init)
    {
        var gt = new double[c.ParameterCount];
        var gx = new double[c.InputCount];
        double v = d.ValueAndGradient(c, theta, x, o, gt, gx, init);
        return (v, gt, gx);
    }

    private static void AssertClose(double[] actual, double[] expected, double tolerance, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int j = 0; j < expected.Length; j++)
            Assert.That(actual[j], Is.EqualTo(expected[j]).Within(tolerance), $"{what}[{j}]");
    }

    [TestCaseSource(nameof(RandomCircuitSeeds))]
    public void ValueAndGradient_RandomCircuits_AdjointEqualsShiftAndFiniteDifferences(ulong seed, bool prepared)
    {
        var circuit = RandomCircuit(seed);
        var rng = new SeededRandom(seed + 1000);
        var theta = RandomParameters(rng, circuit.ParameterCount);
        var x = RandomInputs(rng, circuit.InputCount);
        var observable = RandomObservable(rng, circuit.QubitCount);
        var init = prepared ? RandomState(rng, circuit.QubitCount) : null;
        var initCopy = init?.ToArray();

        var a = Gradient(Adjoint, circuit, theta, x, observable, init);
        var s = Gradient(Shift, circuit, theta, x, observable, init);
        var f = Gradient(Central, circuit, theta, x, observable, init);

        // The value against the simulator.
        var sim = new Simulator();
        var psi = init?.Clone() ?? StateVector.Zero(circuit.QubitCount);
        sim.Apply(circuit, theta, x, psi);
        double expected = sim.Expectation(psi, observable);
        Assert.That(a.Value, Is.EqualTo(expected).Within(Tolerances.Circuit));
        Assert.That(s.Value, Is.EqualTo(expected).Within(Tolerances.Circuit));
        Assert.That(f.Value, Is.EqualTo(expected).Within(Tolerances.Circuit));

        AssertClose(a.Theta, s.Theta, Tolerances.GradientExact, "adjoint vs shift, θ");
        AssertClose(a.X, s.X, Tolerances.GradientExact, "adjoint vs shift, x");
        AssertClose(a.Theta, f.Theta, Tolerances.FiniteDifference, "adjoint vs central differences, θ");
        AssertClose(a.X, f.X, Tolerances.FiniteDifference, "adjoint vs central differences, x");
        AssertClose(s.Theta, f.Theta, Tolerances.FiniteDifference, "shift vs central differences, θ");
        Assert.That(a.Theta.Max(Math.Abs), Is.GreaterThan(1e-3), "a gradient that is all zero would make the comparison vacuous");
        if (init is not null) Assert.That(init.ToArray(), Is.EqualTo(initCopy), "the initial state must not be modified");
    }

    [TestCaseSource(nameof(GateKindCases))]
    public void ValueAndGradient_EachGateKind_AdjointEqualsShiftAndFiniteDifferences(string kind, ulong seed)
    {
        var circuit = SingleKindCircuit(kind, seed);
        var rng = new SeededRandom(seed);
        var theta = RandomParameters(rng, circuit.ParameterCount);
        var x = RandomInputs(rng, circuit.InputCount);
        var observable = RandomObservable(rng, circuit.QubitCount);
        var a = Gradient(Adjoint, circuit, theta, x, observable, null);
        var s = Gradient(Shift, circuit, theta, x, observable, null);
        var f = Gradient(Central, circuit, theta, x, observable, null);
        AssertClose(a.Theta, s.Theta, Tolerances.GradientExact, $"{kind}: adjoint vs shift, θ");
        AssertClose(a.X, s.X, Tolerances.GradientExact, $"{kind}: adjoint vs shift, x");
        AssertClose(a.Theta, f.Theta, Tolerances.FiniteDifference, $"{kind}: adjoint vs central, θ");
        AssertClose(a.X, f.X, Tolerances.FiniteDifference, $"{kind}: adjoint vs central, x");
        if (kind == "GlobalPhase")
            Assert.That(a.Theta.Max(Math.Abs) + a.X.Max(Math.Abs), Is.EqualTo(0).Within(1e-12), "an uncontrolled global phase changes no readout");
        else
            Assert.That(a.Theta.Max(Math.Abs) + a.X.Max(Math.Abs), Is.GreaterThan(1e-4), "the gate must influence the readout");
    }

    [Test]
    public void ValueAndGradient_Rx_MatchesClosedForm()
    {
        var b = new CircuitBuilder(1);
        b.Rx(0, b.Parameter("a"));
        var c = b.Build();
        foreach (double t in new[] { -2.0, 0.3, 1.7 })
        {
            var g = new double[1];
            double v = Adjoint.ValueAndGradient(c, ParameterValues.Of(t), InputValues.None, PauliString.Z(0), g);
            Assert.That(v, Is.EqualTo(Math.Cos(t)).Within(Tolerances.Kernel));
            Assert.That(g[0], Is.EqualTo(-Math.Sin(t)).Within(Tolerances.Kernel));
        }
    }

    [Test]
    public void ValueAndGradient_ControlledRyOnPlus_MatchesClosedForm()
    {
        // H on the control, CRy(θ): ⟨Z1⟩ = ½ + ½ cos θ, so d/dθ = −½ sin θ (a frequency-1 term the four-term rule must get).
        // ⟨X1⟩ = ½ sin θ: d/dθ = ½ cos θ.
        var b = new CircuitBuilder(2);
        b.H(0).CRy(0, 1, b.Parameter("a"));
        var c = b.Build();
        double t = 0.8;
        foreach (var d in new[] { Adjoint, Shift })
        {
            var g = new double[1];
            double v = d.ValueAndGradient(c, ParameterValues.Of(t), InputValues.None, PauliString.Z(1), g);
            Assert.That(v, Is.EqualTo(0.5 + 0.5 * Math.Cos(t)).Within(Tolerances.Kernel));
            Assert.That(g[0], Is.EqualTo(-0.5 * Math.Sin(t)).Within(Tolerances.Kernel));
            d.ValueAndGradient(c, ParameterValues.Of(t), InputValues.None, PauliString.X(1), g);
            Assert.That(g[0], Is.EqualTo(0.5 * Math.Cos(t)).Within(Tolerances.Kernel));
        }
    }

    [Test]
    public void ValueAndGradient_ControlledGlobalPhase_MatchesClosedForm()
    {
        // H on q0; phase e^{iα} on |1⟩ of q0 (a controlled global phase = P(α)); H again: ⟨Z0⟩ = cos α.
        var b = new CircuitBuilder(1);
        b.H(0).Add(new Operation(GateKind.GlobalPhase, [], [b.Parameter("a")], controls: [0])).H(0);
        var c = b.Build();
        foreach (var d in new[] { Adjoint, Shift })
        {
            var g = new double[1];
            double v = d.ValueAndGradient(c, ParameterValues.Of(0.9), InputValues.None, PauliString.Z(0), g);
            Assert.That(v, Is.EqualTo(Math.Cos(0.9)).Within(Tolerances.Kernel));
            Assert.That(g[0], Is.EqualTo(-Math.Sin(0.9)).Within(Tolerances.Kernel));
        }
    }

    [Test]
    public void ValueAndGradient_CircuitWithoutParameters_AcceptsEmptyGradient()
    {
        var b = new CircuitBuilder(1);
        b.Rx(0, b.Input("x"));
        var c = b.Build();
        var gx = new double[1];
        double v = Adjoint.ValueAndGradient(c, ParameterValues.None, InputValues.Of(0.4), PauliString.Z(0), Span<double>.Empty, gx);
        Assert.That(v, Is.EqualTo(Math.Cos(0.4)).Within(Tolerances.Kernel));
        Assert.That(gx[0], Is.EqualTo(-Math.Sin(0.4)).Within(Tolerances.Kernel));
    }

    [Test]
    public void ValueAndGradient_ParallelStateUpdates_EqualSerial()
    {
        // Forces the multi-threaded step path (no fused kernel, Executor split into chunks) on a 15-qubit state.
        var circuit = RandomCircuit(7, n: 15, p: 4, q: 1, gates: 10, allowNonAffine: false);
        var rng = new SeededRandom(7);
        var theta = RandomParameters(rng, 4);
        var x = RandomInputs(rng, 1);
        var serial = new Differentiator(new GradientOptions { Simulation = SimulationOptions.Default with { MaxThreads = 1 } });
        var parallel = new Differentiator(new GradientOptions { Simulation = SimulationOptions.Default with { MaxThreads = 2, ParallelThresholdQubits = 2 } });
        var o = PauliSum.Parse("Z0 + 0.5*X3 Y14");
        var a = Gradient(serial, circuit, theta, x, o, null);
        var b = Gradient(parallel, circuit, theta, x, o, null);
        Assert.That(b.Value, Is.EqualTo(a.Value).Within(Tolerances.Circuit));
        AssertClose(b.Theta, a.Theta, Tolerances.GradientExact, "θ");
        AssertClose(b.X, a.X, Tolerances.GradientExact, "x");
    }
}
