using System.Collections.Immutable;
using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Circuits;

/// <summary>Composition (Append, Repeat, Inverse), name merging, parameter usage, gate counts and depth.</summary>
[TestFixture]
public class CircuitTests
{
    private static readonly Simulator Sim = new(new SimulationOptions { MaxThreads = 1 });

    private static Complex[] Run(Circuit c, double[] theta, double[] x, Complex[] psi)
    {
        var s = StateVector.FromAmplitudes(psi);
        Sim.Apply(c, ParameterValues.Of(theta), InputValues.Of(x), s);
        return s.ToArray();
    }

    [Test]
    public void Append_SharedNames_MergeIntoOneVariable()
    {
        var b1 = new CircuitBuilder(3);
        b1.Ry(0, b1.Parameter("a")).Rz(1, b1.Parameter("b")).Rx(2, b1.Input("x"));
        var c1 = b1.Build();
        var b2 = new CircuitBuilder(2);
        b2.Rx(0, b2.Parameter("c")).Ry(1, 2 * b2.Parameter("b") + b2.Input("y")).CX(0, 1).Rz(0, b2.Input("x"));
        var c2 = b2.Build();

        var both = c1.Append(c2);
        Assert.That(both.ParameterNames, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(both.InputNames, Is.EqualTo(new[] { "x", "y" }));
        Assert.That(both.Operations.Length, Is.EqualTo(c1.Operations.Length + c2.Operations.Length));
        Assert.That(both.QubitCount, Is.EqualTo(3));

        double a = 0.3, bb = -1.1, c = 0.7, x = 0.45, y = 1.9;
        var psi = R.HaarState(3, 1);
        var expected = Run(c2, [c, bb], [y, x], Run(c1, [a, bb], [x], psi));
        var actual = Run(both, [a, bb, c], [x, y], psi);
        Assert.That(R.MaxAbsDiff(actual, expected), Is.LessThanOrEqualTo(Tolerances.Kernel));
    }

    [Test]
    public void Append_InvalidCombinations_Throw()
    {
        var wide = new CircuitBuilder(3).H(2).Build();
        var narrow = new CircuitBuilder(2).H(1).Build();
        var ex = Assert.Throws<ArgumentException>(() => narrow.Append(wide));
        Assert.That(ex!.ParamName, Is.EqualTo("next"));
        Assert.That(ex.Message, Does.Contain("3-qubit").And.Contain("2"));

        var bp = new CircuitBuilder(1);
        bp.Rx(0, bp.Parameter("v"));
        var bi = new CircuitBuilder(1);
        bi.Rx(0, bi.Input("v"));
        Assert.Throws<ArgumentException>(() => bp.Build().Append(bi.Build()));
        Assert.Throws<ArgumentException>(() => bi.Build().Append(bp.Build()));
    }

    [Test]
    public void Repeat_SharesParametersAndRepeatsTheAction()
    {
        var b = new CircuitBuilder(2);
        b.Ry(0, b.Parameter("t")).CX(0, 1).Rz(1, b.Input("x") * b.Parameter("t"));
        var c = b.Build();
        var r = c.Repeat(3);
        Assert.That(r.Operations.Length, Is.EqualTo(9));
        Assert.That(r.ParameterNames, Is.EqualTo(c.ParameterNames));
        Assert.That(r.InputNames, Is.EqualTo(c.InputNames));
        var psi = R.HaarState(2, 2);
        double[] t = [0.8], x = [-0.6];
        var expected = Run(c, t, x, Run(c, t, x, Run(c, t, x, psi)));
        Assert.That(R.MaxAbsDiff(Run(r, t, x, psi), expected), Is.LessThanOrEqualTo(Tolerances.Kernel));
        Assert.That(r.ParameterUsage[0], Is.EqualTo(new[] { 0, 2, 3, 5, 6, 8 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Repeat(0));
    }

    [Test]
    public void Inverse_ReversesAndInvertsEveryKind()
    {
        var b = new CircuitBuilder(3);
        b.S(0).T(1).SX(2).ISwap(0, 1).U(2, 0.1, 0.2, 0.3).Rx(0, b.Parameter("p")).H(1).Measure(0);
        var c = b.Build();
        var inv = c.Inverse();
        Assert.That(inv.Operations.Select(o => o.Kind), Is.EqualTo(new[]
            { GateKind.H, GateKind.Rx, GateKind.U, GateKind.ISwapDg, GateKind.SXdg, GateKind.Tdg, GateKind.Sdg }));
        var u = inv.Operations[2];
        Assert.That(u.Angles.Select(a => a.ConstantValue), Is.EqualTo(new[] { -0.1, -0.3, -0.2 }));
        Assert.That(inv.MeasuredQubits, Is.Empty, "measurements are dropped");
        Assert.That(inv.ParameterNames, Is.EqualTo(c.ParameterNames));
        // U† U = I on a random state, parameter included.
        var psi = R.HaarState(3, 3);
        Assert.That(R.MaxAbsDiff(Run(inv, [0.9], [], Run(c, [0.9], [], psi)), psi), Is.LessThanOrEqualTo(Tolerances.Kernel));
        // Inverse of the inverse acts like the original.
        Assert.That(R.MaxAbsDiff(Run(inv.Inverse(), [0.9], [], psi), Run(c, [0.9], [], psi)), Is.LessThanOrEqualTo(Tolerances.Kernel));
    }

    [Test]
    public void ParameterUsage_ListsOperationsPerParameter()
    {
        var b = new CircuitBuilder(2);
        var p = b.Parameters("theta", 3);
        b.Ry(0, p[0]).Rz(1, p[1]).H(0).CRx(0, 1, p[0] * 2).Rzz(0, 1, Angle.Sin(p[0]) + p[1]);
        var c = b.Build();
        Assert.That(c.ParameterNames, Is.EqualTo(new[] { "theta[0]", "theta[1]", "theta[2]" }));
        Assert.That(c.ParameterUsage[0], Is.EqualTo(new[] { 0, 3, 4 }));
        Assert.That(c.ParameterUsage[1], Is.EqualTo(new[] { 1, 4 }));
        Assert.That(c.ParameterUsage[2], Is.Empty);
        Assert.That(c.IndexOfParameter("theta[1]"), Is.EqualTo(1));
        Assert.That(c.IndexOfParameter("nope"), Is.EqualTo(-1));
        Assert.That(c.Operations[4].IsParameterised, Is.True);
        Assert.That(c.Operations[2].IsParameterised, Is.False);
    }

    [Test]
    public void GateCounts_NamesInOrderOfFirstAppearance()
    {
        var b = new CircuitBuilder(4);
        b.H(0).CX(0, 1).H(1).CCX(0, 1, 2).Controlled(GateKind.X, [0, 1, 2], 3).Controlled(GateKind.X, [0], 1, controlStates: [false])
            .CRz(0, 3, 0.3).CSwap(0, 1, 2).PauliRotation(PauliString.Parse("X0 Z2"), 0.1).GlobalPhase(0.2).CX(2, 3)
            .Unitary([1], UnitaryMatrix.Create([0, 1, 1, 0]));
        var counts = b.Build().GateCounts();
        Assert.That(counts.Select(kv => (kv.Key, kv.Value)), Is.EqualTo(new[]
        {
            ("h", 2), ("cx", 2), ("ccx", 1), ("c3x", 1), ("negc1x", 1), ("crz", 1), ("cswap", 1), ("pauli_rotation", 1),
            ("gphase", 1), ("unitary", 1),
        }));
    }

    [Test]
    public void Depth_CountsLongestChainAndIgnoresGlobalPhase()
    {
        Assert.That(new CircuitBuilder(3).Build().Depth(), Is.EqualTo(0));
        Assert.That(new CircuitBuilder(3).H(0).H(1).H(2).Build().Depth(), Is.EqualTo(1));
        Assert.That(new CircuitBuilder(3).H(0).H(1).CX(0, 1).H(2).Build().Depth(), Is.EqualTo(2));
        Assert.That(new CircuitBuilder(3).H(0).CX(0, 1).CX(1, 2).H(0).GlobalPhase(1).Build().Depth(), Is.EqualTo(3));
        Assert.That(new CircuitBuilder(3).CCX(0, 1, 2).H(0).H(1).H(2).Build().Depth(), Is.EqualTo(2));
        Assert.That(new CircuitBuilder(2).GlobalPhase(0.3).Build().Depth(), Is.EqualTo(0));
    }

    [Test]
    public void BuilderAppend_WithQubitMap_RelabelsQubitsAndMergesNames()
    {
        var inner = new CircuitBuilder(2);
        inner.Ry(0, inner.Parameter("t")).CX(0, 1);
        var outer = new CircuitBuilder(4);
        outer.Rx(2, outer.Parameter("t")).Append(inner.Build(), [3, 1]);
        var c = outer.Build();
        Assert.That(c.ParameterNames, Is.EqualTo(new[] { "t" }));
        var psi = R.HaarState(4, 5);
        var expected = R.Apply(R.Controlled(4, [3], 1, R.X) * R.OnQubit(4, 3, R.Ry(0.4)) * R.OnQubit(4, 2, R.Rx(0.4)), psi);
        Assert.That(R.MaxAbsDiff(Run(c, [0.4], [], psi), expected), Is.LessThanOrEqualTo(Tolerances.Kernel));
        Assert.Throws<ArgumentException>(() => outer.Append(inner.Build(), [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => outer.Append(inner.Build(), [0, 4]));
    }

    [Test]
    public void WithParametersAsInputs_MovesRolesAndKeepsAction()
    {
        var b = new CircuitBuilder(2);
        b.Ry(0, b.Parameter("a")).Rz(1, b.Parameter("b") + b.Input("x")).CX(0, 1).Rx(0, b.Parameter("c"));
        var c = b.Build();
        var moved = c.WithParametersAsInputs(["b"]);
        Assert.That(moved.ParameterNames, Is.EqualTo(new[] { "a", "c" }));
        Assert.That(moved.InputNames, Is.EqualTo(new[] { "x", "b" }));
        var psi = R.HaarState(2, 6);
        Assert.That(R.MaxAbsDiff(Run(moved, [0.1, 0.3], [0.5, 0.2], psi), Run(c, [0.1, 0.2, 0.3], [0.5], psi)),
            Is.LessThanOrEqualTo(Tolerances.Kernel));
        Assert.Throws<ArgumentException>(() => c.WithParametersAsInputs(["x"]));
    }

    [Test]
    public void OperationNamesAndToString_AreReadable()
    {
        var op = new Operation(GateKind.Rz, [2], [Angle.Parameter(0)], [0, 1]);
        Assert.That(op.Name, Is.EqualTo("ccrz"));
        Assert.That(op.ToString(), Does.Contain("q[0]").And.Contain("q[2]"));
        Assert.That(op.Qubits, Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(new Operation(GateKind.ISwapDg, [0, 1]).Name, Is.EqualTo("iswapdg"));
        Assert.That(op.ControlStates, Is.EqualTo(new[] { true, true }));
    }

    [Test]
    public void BuilderMeasure_RecordsReadoutAndWithoutMeasurementsDropsIt()
    {
        var c = new CircuitBuilder(3).H(0).Measure(2).Measure(0).Build();
        Assert.That(c.MeasuredQubits, Is.EqualTo(new[] { 2, 0 }));
        Assert.That(c.WithoutMeasurements().MeasuredQubits, Is.Empty);
        Assert.That(c.WithoutMeasurements().Operations, Is.EqualTo(c.Operations));
    }

    [Test]
    public void Circuit_IsImmutableAfterBuild()
    {
        var b = new CircuitBuilder(2);
        b.H(0);
        var c = b.Build();
        b.X(1);
        Assert.That(c.Operations.Length, Is.EqualTo(1));
        Assert.That(b.Build().Operations.Length, Is.EqualTo(2));
        Assert.That(c.Operations, Is.TypeOf<ImmutableArray<Operation>>());
    }
}
