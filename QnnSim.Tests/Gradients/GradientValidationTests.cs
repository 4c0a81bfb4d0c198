using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.State;

namespace QnnSim.Tests.Gradients;

[TestFixture]
public class GradientValidationTests
{
    private static readonly Differentiator D = new();

    private static Circuit Circuit2()
    {
        var b = new CircuitBuilder(2);
        b.Ry(0, b.Input("x")).Rx(1, b.Parameter("a")).CX(0, 1).Rz(1, b.Parameter("b"));
        return b.Build();
    }

    private static Circuit NoParameters()
    {
        var b = new CircuitBuilder(1);
        b.Rx(0, b.Input("x"));
        return b.Build();
    }

    [Test]
    public void ValueAndGradient_WrongParameterLength_ThrowsNamingLength()
    {
        var g = new double[2];
        var ex = Assert.Throws<ArgumentException>(() => D.ValueAndGradient(Circuit2(), ParameterValues.Of(1.0), InputValues.Of(0.1), PauliString.Z(0), g));
        Assert.That(ex!.Message, Does.Contain("length 1").And.Contain("2"));
        Assert.That(ex.ParamName, Is.EqualTo("parameters"));
    }

    [Test]
    public void ValueAndGradient_NaNParameter_ThrowsNamingParameter()
    {
        var g = new double[2];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => D.ValueAndGradient(Circuit2(), ParameterValues.Of(1.0, double.NaN), InputValues.Of(0.1), PauliString.Z(0), g));
        Assert.That(ex!.Message, Does.Contain("b").And.Contain("NaN"));
    }

    [Test]
    public void ValueAndGradient_GradientSpanWrongLength_Throws()
    {
        Assert.That(() => D.ValueAndGradient(Circuit2(), ParameterValues.Of(1, 2), InputValues.Of(0.1), PauliString.Z(0), new double[3]),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("parameterGradient"));
        Assert.That(() => D.ValueAndGradient(Circuit2(), ParameterValues.Of(1, 2), InputValues.Of(0.1), PauliString.Z(0), new double[2], new double[2]),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("inputGradient"));
    }

    [Test]
    public void ValueAndGradient_ObservableWiderThanCircuit_Throws()
    {
        var ex = Assert.Throws<QubitCountMismatchException>(() => D.ValueAndGradient(Circuit2(), ParameterValues.Of(1, 2), InputValues.Of(0.1), PauliSum.Parse("Z0 + X5"), new double[2]));
        Assert.That(ex!.Message, Does.Contain("qubit 5"));
    }

    [Test]
    public void ValueAndGradient_InitialStateWrongQubitCount_Throws()
    {
        var ex = Assert.Throws<QubitCountMismatchException>(() => D.ValueAndGradient(Circuit2(), ParameterValues.Of(1, 2), InputValues.Of(0.1), PauliString.Z(0), new double[2], default, StateVector.Zero(3)));
        Assert.That(ex!.Message, Does.Contain("3 qubits").And.Contain("2"));
    }

    [Test]
    public void ParameterShiftWithShots_ZeroShots_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => D.ParameterShiftWithShots(Circuit2(), ParameterValues.Of(1, 2), InputValues.Of(0.1), PauliString.Z(0), 0, 1));
        Assert.That(ex!.ParamName, Is.EqualTo("shots"));
        Assert.That(ex.Message, Does.Contain("0"));
    }

    [Test]
    public void Jacobian_NoTrainableParameters_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => D.Jacobian(NoParameters(), ParameterValues.None, [InputValues.Of(0.1)], [PauliSum.Parse("Z0")]));
        Assert.That(ex!.Message, Does.Contain("no trainable parameters"));
        Assert.That(() => D.VectorJacobianProduct(NoParameters(), ParameterValues.None, [InputValues.Of(0.1)], [PauliSum.Parse("Z0")], [1.0]),
            Throws.ArgumentException.With.Message.Contains("no trainable parameters"));
        Assert.That(() => D.Hessian(NoParameters(), ParameterValues.None, InputValues.Of(0.1), PauliString.Z(0)),
            Throws.ArgumentException.With.Message.Contains("no trainable parameters"));
    }

    [Test]
    public void Jacobian_EmptySampleList_Throws()
    {
        Assert.That(() => D.Jacobian(Circuit2(), ParameterValues.Of(1, 2), Array.Empty<InputValues>(), [PauliSum.Parse("Z0")]),
            Throws.ArgumentException.With.Message.Contains("empty"));
        Assert.That(() => D.Jacobian(Circuit2(), ParameterValues.Of(1, 2), [InputValues.Of(0.1)], Array.Empty<PauliSum>()),
            Throws.ArgumentException.With.Message.Contains("observable list is empty"));
    }

    [Test]
    public void Jacobian_SampleOfWrongWidth_ThrowsNamingSample()
    {
        var ex = Assert.Throws<ArgumentException>(() => D.Jacobian(Circuit2(), ParameterValues.Of(1, 2), [InputValues.Of(0.1), InputValues.Of(0.1, 0.2)], [PauliSum.Parse("Z0")]));
        Assert.That(ex!.Message, Does.Contain("sample 1").And.Contain("2 inputs"));
    }

    [Test]
    public void Jacobian_NaNInSample_ThrowsNamingSampleAndInput()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => D.Jacobian(Circuit2(), ParameterValues.Of(1, 2), [InputValues.Of(0.1), InputValues.Of(double.NaN)], [PauliSum.Parse("Z0")]));
        Assert.That(ex!.Message, Does.Contain("sample 1").And.Contain("x").And.Contain("NaN"));
    }

    [Test]
    public void Jacobian_StatesForCircuitWithInputs_Throws()
    {
        Assert.That(() => D.Jacobian(Circuit2(), ParameterValues.Of(1, 2), [StateVector.Zero(2)], [PauliSum.Parse("Z0")]),
            Throws.ArgumentException.With.Message.Contains("data inputs"));
    }

    [Test]
    public void Jacobian_MismatchedListLengths_Throws()
    {
        Assert.That(() => D.Jacobian(Circuit2(), ParameterValues.Of(1, 2), [InputValues.Of(0.1), InputValues.Of(0.2)], [StateVector.Zero(2)], [PauliSum.Parse("Z0")]),
            Throws.ArgumentException.With.Message.Contains("2 input vectors but 1 initial states"));
    }

    [Test]
    public void Jacobian_StateOfWrongQubitCount_Throws()
    {
        Assert.That(() => D.Jacobian(Circuit2(), ParameterValues.Of(1, 2), [InputValues.Of(0.1)], [StateVector.Zero(1)], [PauliSum.Parse("Z0")]),
            Throws.InstanceOf<QubitCountMismatchException>().With.Message.Contains("initial state 0 has 1 qubits"));
    }

    [Test]
    public void VectorJacobianProduct_CotangentWrongLengthOrNaN_Throws()
    {
        Assert.That(() => D.VectorJacobianProduct(Circuit2(), ParameterValues.Of(1, 2), [InputValues.Of(0.1)], [PauliSum.Parse("Z0")], [1.0, 2.0]),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("cotangent"));
        Assert.That(() => D.VectorJacobianProduct(Circuit2(), ParameterValues.Of(1, 2), [InputValues.Of(0.1)], [PauliSum.Parse("Z0")], [double.NaN]),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("cotangent entry 0"));
    }

    [Test]
    public void GradientOptions_InvalidValues_Throw()
    {
        Assert.That(() => new GradientOptions { FiniteDifferenceStep = 0 }, Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new GradientOptions { FiniteDifferenceStep = double.NaN }, Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new GradientOptions { MaxDegreeOfParallelism = 0 }, Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
