using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Tests.Circuits;

/// <summary>
/// Caller mistakes in circuit construction raise ArgumentException / ArgumentOutOfRangeException that name the
/// parameter, the offending value and the allowed range, and leave the builder unchanged.
/// </summary>
[TestFixture]
public class CircuitBadInputTests
{
    [TestCase(0)]
    [TestCase(31)]
    [TestCase(-3)]
    public void Constructors_QubitCountOutOfRange_Throw(int n)
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBuilder(n));
        Assert.That(e1!.ParamName, Is.EqualTo("qubitCount"));
        Assert.That(e1.Message, Does.Contain(n.ToString()).And.Contain("1..30"));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => new Circuit(n, []));
        Assert.That(e2!.ParamName, Is.EqualTo("qubitCount"));
        Assert.That(e2.Message, Does.Contain(n.ToString()).And.Contain("1..30"));
    }

    public static IEnumerable<TestCaseData> OutOfRangeBuilderCalls()
    {
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.H(5)), "target", 5).SetName("H_TargetOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Rx(-1, 0.3)), "target", -1).SetName("Rx_NegativeTarget");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.CX(7, 0)), "control", 7).SetName("CX_ControlOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.CX(0, 9)), "target", 9).SetName("CX_TargetOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Swap(0, 5)), "b", 5).SetName("Swap_SecondOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Rzz(6, 0, 1)), "a", 6).SetName("Rzz_FirstOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.CCX(0, 1, 5)), "target", 5).SetName("CCX_TargetOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.CSwap(8, 1, 2)), "control", 8).SetName("CSwap_ControlOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Controlled(GateKind.X, [0, 5], 1)), "controls", 5).SetName("Controlled_ControlOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.PauliRotation(PauliString.Parse("X0 Z5"), 1)), "pauli", 5).SetName("PauliRotation_QubitOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Unitary([5], UnitaryMatrix.Create([0, 1, 1, 0]))), "targets", 5).SetName("Unitary_TargetOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Add(new Operation(GateKind.H, [5]))), "operation", 5).SetName("Add_OperationOutOfRange");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Measure(5)), "qubit", 5).SetName("Measure_QubitOutOfRange");
    }

    [TestCaseSource(nameof(OutOfRangeBuilderCalls))]
    public void Builder_QubitOutOfRange_ThrowsNamingValueAndRange(Action<CircuitBuilder> call, string paramName, int qubit)
    {
        var b = new CircuitBuilder(5);
        b.H(0);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => call(b));
        Assert.That(ex!.ParamName, Is.EqualTo(paramName));
        Assert.That(ex.Message, Does.Contain(qubit.ToString()));
        if (qubit >= 0) Assert.That(ex.Message, Does.Contain("0..4"));
        Assert.That(b.OperationCount, Is.EqualTo(1), "the builder is unchanged");
        Assert.That(b.Build().MeasuredQubits, Is.Empty);
    }

    public static IEnumerable<TestCaseData> DuplicateQubitCalls()
    {
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.CX(2, 2))).SetName("CX_ControlEqualsTarget");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.CRz(1, 1, 0.3))).SetName("CRz_ControlEqualsTarget");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Swap(3, 3))).SetName("Swap_SameQubitTwice");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Rxx(0, 0, 1))).SetName("Rxx_SameQubitTwice");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.CCX(1, 1, 2))).SetName("CCX_DuplicateControls");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.CCX(1, 2, 2))).SetName("CCX_ControlEqualsTarget");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.CSwap(1, 1, 2))).SetName("CSwap_ControlEqualsTarget");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Controlled(GateKind.Ry, [0, 0], 1, [0.2]))).SetName("Controlled_DuplicateControls");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Unitary([1, 1], UnitaryMatrix.Create(Swap())))).SetName("Unitary_DuplicateTargets");
        yield return new TestCaseData((Action<CircuitBuilder>)(b => b.Unitary([1], UnitaryMatrix.Create([0, 1, 1, 0]), [1]))).SetName("Unitary_ControlEqualsTarget");
    }

    private static Complex[] Swap() => [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1];

    [TestCaseSource(nameof(DuplicateQubitCalls))]
    public void Builder_DuplicateQubits_ThrowsArgumentException(Action<CircuitBuilder> call)
    {
        var b = new CircuitBuilder(4);
        var ex = Assert.Throws<ArgumentException>(() => call(b));
        Assert.That(ex!.Message, Does.Match(@"qubit \d"));
        Assert.That(ex.ParamName, Is.Not.Null.And.Not.Empty);
        Assert.That(b.OperationCount, Is.EqualTo(0));
    }

    [Test]
    public void Operation_ControlEqualToTarget_SaysSo()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Operation(GateKind.X, [3], controls: [3]));
        Assert.That(ex!.Message, Does.Contain("qubit 3").And.Contain("control").And.Contain("target"));
        Assert.That(ex.ParamName, Is.EqualTo("controls"));
    }

    [Test]
    public void Operation_MalformedShapes_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Operation(GateKind.X, [-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Operation(GateKind.X, [0], controls: [-2]));
        var t = Assert.Throws<ArgumentException>(() => new Operation(GateKind.Swap, [0]));
        Assert.That(t!.ParamName, Is.EqualTo("targets"));
        Assert.That(t.Message, Does.Contain("1").And.Contain("2"));
        var a = Assert.Throws<ArgumentException>(() => new Operation(GateKind.Rx, [0]));
        Assert.That(a!.ParamName, Is.EqualTo("angles"));
        Assert.Throws<ArgumentException>(() => new Operation(GateKind.H, [0], [Angle.Constant(1)]));
        Assert.Throws<ArgumentException>(() => new Operation(GateKind.X, [0], controls: [1], controlStates: [true, false]));
        Assert.Throws<ArgumentException>(() => new Operation(GateKind.PauliRotation, [0, 1], [0.1], pauliFactors: [Pauli.X]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Operation(GateKind.PauliRotation, [0], [0.1], pauliFactors: [Pauli.I]));
        Assert.Throws<ArgumentException>(() => new Operation(GateKind.PauliRotation, [], [0.1]));
        Assert.Throws<ArgumentException>(() => new Operation(GateKind.X, [0], pauliFactors: [Pauli.X]));
        Assert.Throws<ArgumentNullException>(() => new Operation(GateKind.Unitary, [0]));
        var m = Assert.Throws<ArgumentException>(() => new Operation(GateKind.Unitary, [0, 1], matrix: UnitaryMatrix.Create([0, 1, 1, 0])));
        Assert.That(m!.ParamName, Is.EqualTo("matrix"));
        Assert.Throws<ArgumentException>(() => new Operation(GateKind.H, [0], matrix: UnitaryMatrix.Create([0, 1, 1, 0])));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Operation((GateKind)999, [0]));
    }

    [Test]
    public void Circuit_OperationQubitBeyondWidth_ThrowsNamingOperationAndRange()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Circuit(3, [new Operation(GateKind.H, [0]), new Operation(GateKind.X, [1], controls: [3])]));
        Assert.That(ex!.ParamName, Is.EqualTo("operations"));
        Assert.That(ex.Message, Does.Contain("qubit 3").And.Contain("0..2").And.Contain("operation 1"));
    }

    [Test]
    public void Circuit_UndeclaredVariables_Throw()
    {
        var op = new Operation(GateKind.Rx, [0], [Angle.Parameter(2)]);
        var ex = Assert.Throws<ArgumentException>(() => new Circuit(1, [op], ["a", "b"]));
        Assert.That(ex!.Message, Does.Contain("parameter index 2").And.Contain("0..1"));
        Assert.Throws<ArgumentException>(() => new Circuit(1, [new Operation(GateKind.Rx, [0], [Angle.Input(0)])]));
        Assert.Throws<ArgumentException>(() => new Circuit(1, [], ["a", "a"]));
        Assert.Throws<ArgumentException>(() => new Circuit(1, [], ["a"], ["a"]));
        Assert.Throws<ArgumentException>(() => new Circuit(1, [], [" "]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Circuit(2, [], measuredQubits: [2]));
        var b = new CircuitBuilder(1);
        Assert.Throws<ArgumentException>(() => b.Add(op), "builder: undeclared parameter");
        Assert.That(b.OperationCount, Is.EqualTo(0));
    }

    [Test]
    public void Builder_VariableNameClashes_Throw()
    {
        var b = new CircuitBuilder(1);
        b.Parameter("t");
        b.Input("x");
        Assert.Throws<ArgumentException>(() => b.Input("t"));
        Assert.Throws<ArgumentException>(() => b.Parameter("x"));
        Assert.Throws<ArgumentException>(() => b.Parameter(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Parameters("p", -1));
        Assert.That(b.Parameter("t").TryGetAffine(out _, out int i, out _, out _) && i == 0, Is.True, "redeclaring returns the same index");
    }

    [Test]
    public void NonFiniteConstantAngles_ThrowAtBuildTime()
    {
        var b = new CircuitBuilder(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Rx(0, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.CP(0, 1, double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.U(0, 0, double.NegativeInfinity, 0));
        Assert.That(b.OperationCount, Is.EqualTo(0));
    }

    [Test]
    public void BuilderAppend_FailingQubitMap_LeavesBuilderUnchanged()
    {
        var inner = new CircuitBuilder(2);
        inner.Ry(0, inner.Parameter("t")).CX(0, 1);
        var outer = new CircuitBuilder(3);
        outer.H(0);
        Assert.Throws<ArgumentOutOfRangeException>(() => outer.Append(inner.Build(), [0, 3]));
        Assert.That(outer.OperationCount, Is.EqualTo(1), "no operation of the failed append was added");
        Assert.That(outer.Build().ParameterCount, Is.EqualTo(0), "no parameter of the failed append was declared");
    }

    [Test]
    public void UnitaryMatrix_BadMatrices_Throw()
    {
        var nonUnitary = Assert.Throws<ArgumentException>(() => UnitaryMatrix.Create([1, 0, 0, 2]));
        Assert.That(nonUnitary!.Message, Does.Contain("not unitary").And.Contain("E"));
        Assert.That(nonUnitary.ParamName, Is.EqualTo("rowMajor"));
        Assert.Throws<ArgumentException>(() => UnitaryMatrix.Create([1, 0, 0]), "3 elements");
        Assert.Throws<ArgumentException>(() => UnitaryMatrix.Create(new Complex[8]), "8 elements");
        Assert.Throws<ArgumentException>(() => UnitaryMatrix.Create(new Complex[9]), "3×3");
        Assert.Throws<ArgumentException>(() => UnitaryMatrix.Create(ReadOnlySpan<Complex>.Empty), "empty");
        Assert.Throws<ArgumentException>(() => UnitaryMatrix.Create(new Complex[2, 3]), "2×3");
        Assert.Throws<ArgumentException>(() => UnitaryMatrix.Create([double.NaN, 0, 0, 1]));
        Assert.Throws<ArgumentException>(() => UnitaryMatrix.Create([new Complex(0, double.PositiveInfinity), 0, 0, 1]));
        // Unitary to 1e-11 is accepted; off by 1e-9 is rejected.
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        Assert.DoesNotThrow(() => UnitaryMatrix.Create([c, -s, s, c * (1 + 1e-11)]));
        Assert.Throws<ArgumentException>(() => UnitaryMatrix.Create([c, -s, s, c * (1 + 1e-9)]));
        var u = UnitaryMatrix.Create(new Complex[,] { { c, -s }, { s, c } });
        Assert.That(u.QubitCount, Is.EqualTo(1));
        Assert.That(u[1, 0], Is.EqualTo(new Complex(s, 0)));
        Assert.That(u.Adjoint()[0, 1], Is.EqualTo(new Complex(s, 0)));
    }
}
