using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Simulation;

/// <summary>
/// Bad run-time input raises the right exception, naming the value and the allowed range, BEFORE the state changes:
/// every test checks the state is bit-for-bit untouched afterwards.
/// </summary>
/// <remarks>
/// Swapping θ and x is a compile-time error: <see cref="ParameterValues"/> and <see cref="InputValues"/> are distinct
/// types with no implicit conversion between them or from arrays, so <c>sim.Run(c, InputValues.Of(x), ParameterValues.Of(t))</c>
/// does not compile. What remains possible at run time is wrapping the wrong vector in the right type; that is
/// caught whenever the lengths differ (<see cref="Run_VectorsInWrongRoles_CaughtByLength"/>).
/// </remarks>
[TestFixture]
public class SimulatorBadInputTests
{
    private static readonly Simulator Sim = new(new SimulationOptions { MaxThreads = 1 });

    /// <summary>A 3-qubit circuit with 2 parameters (a, b) and 1 input (x), where ln(x) needs x &gt; 0.</summary>
    private static Circuit Circuit()
    {
        var b = new CircuitBuilder(3);
        var a = b.Parameter("a");
        var bb = b.Parameter("b");
        var x = b.Input("x");
        b.H(0).Ry(1, a).CRz(0, 2, bb * 2 + x).Rx(2, Angle.Ln(x));
        return b.Build();
    }

    private static StateVector RandomState(int n = 3) => StateVector.FromAmplitudes(R.HaarState(n, 42));

    private static void AssertUntouched(StateVector state, Complex[] before)
    {
        var after = state.Amplitudes;
        for (int k = 0; k < before.Length; k++)
            Assert.That(after[k].Equals(before[k]), Is.True, $"amplitude {k} changed");
    }

    private static T ThrowsAndUntouched<T>(Action<StateVector> call, int n = 3) where T : Exception
    {
        var state = RandomState(n);
        var before = state.ToArray();
        var ex = Assert.Throws<T>(() => call(state));
        AssertUntouched(state, before);
        return ex!;
    }

    [Test]
    public void Apply_ParameterVectorWrongLength_ThrowsNamingLengths()
    {
        var c = Circuit();
        var ex = ThrowsAndUntouched<ArgumentException>(s => Sim.Apply(c, ParameterValues.Of(0.1), InputValues.Of(1.0), s));
        Assert.That(ex.ParamName, Is.EqualTo("parameters"));
        Assert.That(ex.Message, Does.Contain("length 1").And.Contain("2"));
        var ex2 = ThrowsAndUntouched<ArgumentException>(s => Sim.Apply(c, ParameterValues.Of(0.1, 0.2, 0.3), InputValues.Of(1.0), s));
        Assert.That(ex2.Message, Does.Contain("length 3"));
        Assert.Throws<ArgumentException>(() => Sim.Run(c, ParameterValues.None, InputValues.Of(1.0)));
    }

    [Test]
    public void Apply_InputVectorWrongLength_ThrowsNamingLengths()
    {
        var c = Circuit();
        var ex = ThrowsAndUntouched<ArgumentException>(s => Sim.Apply(c, ParameterValues.Of(0.1, 0.2), InputValues.None, s));
        Assert.That(ex.ParamName, Is.EqualTo("inputs"));
        Assert.That(ex.Message, Does.Contain("length 0").And.Contain("1"));
    }

    [Test]
    public void Run_VectorsInWrongRoles_CaughtByLength()
    {
        // θ has 2 entries and x has 1: passing x's values as θ and θ's as x is caught by the length check.
        var c = Circuit();
        double[] theta = [0.1, 0.2], x = [1.0];
        Assert.Throws<ArgumentException>(() => Sim.Run(c, ParameterValues.Of(x), InputValues.Of(theta)));
        Assert.DoesNotThrow(() => Sim.Run(c, ParameterValues.Of(theta), InputValues.Of(x)));
    }

    [TestCase(double.NaN, 0.2, 1.0, "parameters")]
    [TestCase(0.1, double.PositiveInfinity, 1.0, "parameters")]
    [TestCase(0.1, 0.2, double.NaN, "inputs")]
    [TestCase(0.1, 0.2, double.NegativeInfinity, "inputs")]
    public void Apply_NonFiniteValue_ThrowsBeforeStateChanges(double a, double b, double x, string paramName)
    {
        var c = Circuit();
        var ex = ThrowsAndUntouched<ArgumentOutOfRangeException>(s => Sim.Apply(c, ParameterValues.Of(a, b), InputValues.Of(x), s));
        Assert.That(ex.ParamName, Is.EqualTo(paramName));
        Assert.That(ex.Message, Does.Contain("finite"));
    }

    [Test]
    public void Apply_AngleEvaluatesToNaN_ThrowsNamingTheExpression()
    {
        // ln(x) of a negative input: the four operations before it must not have run.
        var c = Circuit();
        var ex = ThrowsAndUntouched<ArgumentOutOfRangeException>(s => Sim.Apply(c, ParameterValues.Of(0.1, 0.2), InputValues.Of(-1.0), s));
        Assert.That(ex.Message, Does.Contain("ln(x)").And.Contain("NaN").And.Contain("operation 3"));
        // Division by a variable that is zero gives infinity.
        var b = new CircuitBuilder(1);
        b.H(0).Rz(0, 1.0 / b.Parameter("t"));
        var c2 = b.Build();
        ThrowsAndUntouched<ArgumentOutOfRangeException>(s => Sim.Apply(c2, ParameterValues.Of(0.0), InputValues.None, s), 1);
    }

    [Test]
    public void Apply_CircuitWiderThanState_ThrowsQubitCountMismatch()
    {
        var c = new CircuitBuilder(4).H(3).Build();
        var ex = ThrowsAndUntouched<QubitCountMismatchException>(s => Sim.Apply(c, default, default, s));
        Assert.That(ex.Message, Does.Contain("4").And.Contain("3"));
        Assert.That(ex.ParamName, Is.EqualTo("circuit"));
    }

    [Test]
    public void ApplyOperation_BadQubitOrValues_ThrowBeforeStateChanges()
    {
        ThrowsAndUntouched<ArgumentOutOfRangeException>(s => Sim.ApplyOperation(new Operation(GateKind.H, [3]), default, default, s));
        ThrowsAndUntouched<ArgumentException>(s => Sim.ApplyOperation(new Operation(GateKind.Rx, [0], [Angle.Parameter(1)]), ParameterValues.Of(0.3), default, s));
        ThrowsAndUntouched<ArgumentOutOfRangeException>(s => Sim.ApplyOperation(new Operation(GateKind.Rx, [0], [Angle.Parameter(0)]), ParameterValues.Of(double.NaN), default, s));
    }

    [Test]
    public void ObservableWiderThanState_ThrowsQubitCountMismatch()
    {
        var z5 = PauliString.Z(5);
        var sum = PauliSum.Parse("Z0 + 0.5*X3");
        var e1 = ThrowsAndUntouched<QubitCountMismatchException>(s => Sim.Expectation(s, z5));
        Assert.That(e1.Message, Does.Contain("6").And.Contain("3"));
        ThrowsAndUntouched<QubitCountMismatchException>(s => Sim.Expectation(s, sum));
        ThrowsAndUntouched<QubitCountMismatchException>(s => Sim.EstimateExpectation(s, sum, 100, 1));
        ThrowsAndUntouched<QubitCountMismatchException>(s => Sim.ApplyPauli(z5, s));
    }

    [Test]
    public void Sampling_ShotCountBelowOne_Throws()
    {
        var e = ThrowsAndUntouched<ArgumentOutOfRangeException>(s => Sim.Sample(s, 0, 1));
        Assert.That(e.ParamName, Is.EqualTo("shots"));
        Assert.That(e.Message, Does.Contain("0"));
        ThrowsAndUntouched<ArgumentOutOfRangeException>(s => Sim.EstimateExpectation(s, PauliSum.Parse("Z0"), -5, 1));
    }

    [Test]
    public void SimulationOptions_OutOfRange_Throw()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SimulationOptions { MaxThreads = 0 });
        Assert.That(e!.Message, Does.Contain("0").And.Contain("at least 1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SimulationOptions { ParallelThresholdQubits = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SimulationOptions { ParallelThresholdQubits = 31 });
    }

    [Test]
    public void NullArguments_ThrowArgumentNull()
    {
        var s = RandomState();
        Assert.Throws<ArgumentNullException>(() => Sim.Run(null!, default, default));
        Assert.Throws<ArgumentNullException>(() => Sim.Apply(Circuit(), default, default, null!));
        Assert.Throws<ArgumentNullException>(() => Sim.Expectation(s, (PauliString)null!));
    }
}
