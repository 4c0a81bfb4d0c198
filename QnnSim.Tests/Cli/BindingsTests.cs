using QnnSim.Circuits;
using QnnSim.Cli;
using QnnSim.Cli.Common;

namespace QnnSim.Tests.Cli;

[TestFixture]
public class BindingsTests
{
    private static IEnumerable<TestCaseData> Values()
    {
        yield return new TestCaseData("0.25", 0.25);
        yield return new TestCaseData("-1e-3", -1e-3);
        yield return new TestCaseData("2E+2", 200.0);
        yield return new TestCaseData("pi", Math.PI);
        yield return new TestCaseData("π", Math.PI);
        yield return new TestCaseData("-pi/4", -Math.PI / 4);
        yield return new TestCaseData("pi/2", Math.PI / 2);
        yield return new TestCaseData("3*pi/2", 3 * Math.PI / 2);
        yield return new TestCaseData("2pi", 2 * Math.PI);
        yield return new TestCaseData("tau", 2 * Math.PI);
        yield return new TestCaseData("(1+pi)/2", (1 + Math.PI) / 2);
        yield return new TestCaseData(" 1 - 2 - 3 ", -4.0);
        yield return new TestCaseData("8/2/2", 2.0);
        yield return new TestCaseData("--1", 1.0);
        yield return new TestCaseData("e", Math.E);
    }

    [TestCaseSource(nameof(Values))]
    public void TryEvaluate_ValidExpression_GivesValue(string text, double expected)
    {
        Assert.That(ValueExpression.TryEvaluate(text, out double v, out string? error), Is.True, error);
        Assert.That(v, Is.EqualTo(expected).Within(1e-15));
    }

    [TestCase("")]
    [TestCase("pi/")]
    [TestCase("foo")]
    [TestCase("1/0")]
    [TestCase("(1+2")]
    [TestCase("1 2")]
    [TestCase("nan")]
    [TestCase("0x10")]
    public void TryEvaluate_Malformed_FailsWithMessage(string text)
    {
        Assert.That(ValueExpression.TryEvaluate(text, out _, out string? error), Is.False);
        Assert.That(error, Does.Contain("allowed"));
    }

    [Test]
    public void Parse_NameTwice_ThrowsUsageError()
    {
        var ex = Assert.Throws<CliUsageException>(() => Bindings.Parse(["t=1", "t=2"]));
        Assert.That(ex!.Message, Does.Contain("'t' is bound twice"));
    }

    [TestCase("t")]
    [TestCase("=1")]
    [TestCase("t=")]
    [TestCase("t=abc")]
    public void Parse_Malformed_ThrowsUsageError(string text) =>
        Assert.Throws<CliUsageException>(() => Bindings.Parse([text]));

    [Test]
    public void Parse_ArrayElementName_KeepsName()
    {
        var b = Bindings.Parse(["theta[3]=-pi/4"]);
        Assert.That(b[0].Name, Is.EqualTo("theta[3]"));
        Assert.That(b[0].Value, Is.EqualTo(-Math.PI / 4));
    }

    private static Circuit TwoByOne()
    {
        var b = new CircuitBuilder(1);
        b.Ry(0, b.Parameter("a")).Rz(0, b.Parameter("b")).Rx(0, b.Input("x"));
        return b.Build();
    }

    [Test]
    public void Resolve_AllBound_ReturnsValuesInCircuitOrder()
    {
        var (theta, x) = Bindings.Resolve(TwoByOne(), Bindings.Parse(["x=3", "b=2", "a=1"]));
        Assert.That(theta, Is.EqualTo(new[] { 1.0, 2.0 }));
        Assert.That(x, Is.EqualTo(new[] { 3.0 }));
    }

    [Test]
    public void Resolve_UnknownName_ThrowsInputErrorListingAllowedNames()
    {
        var ex = Assert.Throws<CliInputException>(() => Bindings.Resolve(TwoByOne(), Bindings.Parse(["a=1", "b=2", "x=1", "c=1"])));
        Assert.That(ex!.Message, Does.Contain("'c'").And.Contain("allowed names: a, b, x"));
    }

    [Test]
    public void Resolve_Unbound_ThrowsInputErrorListingThem()
    {
        var ex = Assert.Throws<CliInputException>(() => Bindings.Resolve(TwoByOne(), Bindings.Parse(["b=2"])));
        Assert.That(ex!.Message, Does.Contain("parameter a").And.Contain("input x").And.Not.Contain("parameter b"));
    }

    [Test]
    public void Resolve_InputOutsideScope_ThrowsInputError()
    {
        var ex = Assert.Throws<CliInputException>(() => Bindings.Resolve(TwoByOne(), Bindings.Parse(["a=1", "b=1", "x=1"]), BindScope.Parameters));
        Assert.That(ex!.Message, Does.Contain("data input").And.Contain("allowed names: a, b"));
    }

    [Test]
    public void Resolve_ParametersScopeWithDefaults_OverridesByBind()
    {
        var (theta, x) = Bindings.Resolve(TwoByOne(), Bindings.Parse(["b=5"]), BindScope.Parameters, [1.0, 2.0]);
        Assert.That(theta, Is.EqualTo(new[] { 1.0, 5.0 }));
        Assert.That(x, Is.Empty);
    }
}
