using QnnSim.Circuits;
using QnnSim.Interop;
using Qasm = QnnSim.Interop.OpenQasm;

namespace QnnSim.Tests.Interop.OpenQasm;

/// <summary>Declarations, layout, broadcasting, expressions, inputs and their roles, measurements, comments.</summary>
[TestFixture]
public class OpenQasmSyntaxTests
{
    private const string H = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n";

    private static double ConstantAngle(string expression)
    {
        var c = Qasm.Parse(H + $"qubit q;\nrz({expression}) q;\n");
        return c.Operations.Single().Angles[0].ConstantValue;
    }

    public static IEnumerable<TestCaseData> Expressions()
    {
        yield return new TestCaseData("pi/2", Math.PI / 2);
        yield return new TestCaseData("π", Math.PI);
        yield return new TestCaseData("tau", 2 * Math.PI);
        yield return new TestCaseData("τ/4", Math.PI / 2);
        yield return new TestCaseData("e", Math.E);
        yield return new TestCaseData("euler", Math.E);
        yield return new TestCaseData("2**3**2", 512.0);
        yield return new TestCaseData("-2**2", -4.0);
        yield return new TestCaseData("2**-1", 0.5);
        yield return new TestCaseData("(1+2)*3", 9.0);
        yield return new TestCaseData("1+2*3", 7.0);
        yield return new TestCaseData("10-4-3", 3.0);
        yield return new TestCaseData("12/3/2", 2.0);
        yield return new TestCaseData("7 % 3", 1.0);
        yield return new TestCaseData("1e-3", 1e-3);
        yield return new TestCaseData("1.5e+2", 150.0);
        yield return new TestCaseData("1.5E2", 150.0);
        yield return new TestCaseData(".5", 0.5);
        yield return new TestCaseData("1_000", 1000.0);
        yield return new TestCaseData("- -3", 3.0);
        yield return new TestCaseData("2*-3", -6.0);
        yield return new TestCaseData("sin(pi/6)", Math.Sin(Math.PI / 6));
        yield return new TestCaseData("cos(0.3)", Math.Cos(0.3));
        yield return new TestCaseData("tan(0.3)", Math.Tan(0.3));
        yield return new TestCaseData("exp(0.3)", Math.Exp(0.3));
        yield return new TestCaseData("ln(3)", Math.Log(3));
        yield return new TestCaseData("sqrt(2)", Math.Sqrt(2));
        yield return new TestCaseData("arcsin(0.3)", Math.Asin(0.3));
        yield return new TestCaseData("arccos(0.3)", Math.Acos(0.3));
        yield return new TestCaseData("arctan(3)", Math.Atan(3));
        yield return new TestCaseData("7*pi", 7 * Math.PI); // never wrapped modulo 2π
        yield return new TestCaseData("-100", -100.0);
    }

    [TestCaseSource(nameof(Expressions))]
    public void Parse_ConstantExpression_EvaluatesLikeOpenQasm3(string expression, double expected) =>
        Assert.That(ConstantAngle(expression), Is.EqualTo(expected).Within(1e-15 * Math.Max(1, Math.Abs(expected))));

    [TestCase("OPENQASM 3;")]
    [TestCase("OPENQASM 3.0;")]
    [TestCase("OPENQASM 2.0;")]
    [TestCase("")]
    public void Parse_HeaderVariants_Accepted(string header)
    {
        var c = Qasm.Parse(header + "\nqubit q;\nh q;\n");
        Assert.That(c.Operations.Single().Kind, Is.EqualTo(GateKind.H));
    }

    [Test]
    public void Parse_SeveralRegisters_LaidOutConsecutivelyInDeclarationOrder()
    {
        var c = Qasm.Parse(H + "qubit[2] a;\nqubit b;\nqreg r[3];\nx a[1];\nx b;\nx r[0];\nx r[2];\n");
        Assert.That(c.QubitCount, Is.EqualTo(6));
        Assert.That(c.Operations.Select(o => o.Targets[0]), Is.EqualTo(new[] { 1, 2, 3, 5 }));
    }

    [Test]
    public void Parse_BroadcastOneQubitGateOverRegister_OneGatePerQubit()
    {
        var c = Qasm.Parse(H + "qubit[3] q;\nh q;\n");
        Assert.That(c.Operations.Select(o => (o.Kind, o.Targets[0])), Is.EqualTo(new[] { (GateKind.H, 0), (GateKind.H, 1), (GateKind.H, 2) }));
    }

    [Test]
    public void Parse_BroadcastTwoRegisters_Pairwise()
    {
        var c = Qasm.Parse(H + "qubit[2] q;\nqubit[2] r;\ncx q, r;\n");
        Assert.That(c.Operations.Select(o => (o.Controls[0], o.Targets[0])), Is.EqualTo(new[] { (0, 2), (1, 3) }));
    }

    [Test]
    public void Parse_BroadcastQubitAndRegister_QubitRepeated()
    {
        var c = Qasm.Parse(H + "qubit[3] q;\nqubit a;\ncx a, q;\nctrl @ rz(0.1) q, a;\n");
        Assert.That(c.Operations.Take(3).Select(o => (o.Controls[0], o.Targets[0])), Is.EqualTo(new[] { (3, 0), (3, 1), (3, 2) }));
        Assert.That(c.Operations.Skip(3).Select(o => (o.Controls[0], o.Targets[0])), Is.EqualTo(new[] { (0, 3), (1, 3), (2, 3) }));
    }

    [TestCase("h q[1:3];", new[] { 1, 2, 3 })]
    [TestCase("h q[0:2:4];", new[] { 0, 2, 4 })]
    [TestCase("h q[4:-2:0];", new[] { 4, 2, 0 })]
    [TestCase("h q[2:2];", new[] { 2 })]
    public void Parse_RegisterSlice_InclusiveRangeBroadcast(string call, int[] expected)
    {
        var c = Qasm.Parse(H + "qubit[5] q;\n" + call + "\n");
        Assert.That(c.Operations.Select(o => o.Targets[0]), Is.EqualTo(expected));
    }

    [Test]
    public void Parse_SlicesPairedWithRegisterAndMeasured_Broadcast()
    {
        var c = Qasm.Parse(H + "qubit[4] q;\nqubit[2] r;\nbit[2] b;\ncx q[2:3], r;\nb = measure q[0:1];\n");
        Assert.That(c.Operations.Select(o => (o.Controls[0], o.Targets[0])), Is.EqualTo(new[] { (2, 4), (3, 5) }));
        Assert.That(c.MeasuredQubits, Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void Parse_ScalarAndArrayInputs_AreParametersWithDeclaredNames()
    {
        var c = Qasm.Parse(H + "input float[64] t0;\ninput angle t1;\ninput array[float[64], 4] theta;\ninput angle[32] t2;\nqubit q;\nrx(t0 + t1 + t2 + theta[3]) q;\n");
        Assert.That(c.ParameterNames, Is.EqualTo(new[] { "t0", "t1", "theta[0]", "theta[1]", "theta[2]", "theta[3]", "t2" }));
        Assert.That(c.InputNames, Is.Empty);
    }

    [Test]
    public void Parse_PragmaNamesArrayAndScalar_BecomeDataInputs()
    {
        var c = Qasm.Parse(H + "#pragma qnnsim inputs x s\ninput array[float[64], 2] x;\ninput float[64] w;\ninput float[64] s;\nqubit q;\nrx(x[0] * w + x[1] * s) q;\n");
        Assert.That(c.ParameterNames, Is.EqualTo(new[] { "w" }));
        Assert.That(c.InputNames, Is.EqualTo(new[] { "x[0]", "x[1]", "s" }));
    }

    [Test]
    public void Parse_PragmaNamesArrayElement_OnlyThatElementIsAnInput()
    {
        var c = Qasm.Parse(H + "input array[float[64], 3] v;\n#pragma qnnsim inputs v[1], v[2]\nqubit q;\nrx(v[0] + v[1] + v[2]) q;\n");
        Assert.That(c.ParameterNames, Is.EqualTo(new[] { "v[0]" }));
        Assert.That(c.InputNames, Is.EqualTo(new[] { "v[1]", "v[2]" }));
    }

    [Test]
    public void Parse_OptionsInputNames_BecomeDataInputs()
    {
        var c = Qasm.Parse(H + "input float[64] a;\ninput float[64] b;\nqubit q;\nrx(a * b) q;\n", "o.qasm", new CircuitLoadOptions { InputNames = ["b"] });
        Assert.That(c.ParameterNames, Is.EqualTo(new[] { "a" }));
        Assert.That(c.InputNames, Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public void Parse_AffineInputExpression_StaysAffine()
    {
        var c = Qasm.Parse(H + "input float[64] t;\nqubit q;\nrz(2*t + pi/4) q;\nrz(-(t - 1) / 2) q;\n");
        Assert.That(c.Operations[0].Angles[0].TryGetAffine(out var k, out int j, out double a, out double b), Is.True);
        Assert.That((k, j, a, b), Is.EqualTo((VariableKind.Parameter, 0, 2.0, Math.PI / 4)));
        Assert.That(c.Operations[1].Angles[0].TryGetAffine(out _, out _, out a, out b), Is.True);
        Assert.That((a, b), Is.EqualTo((-0.5, 0.5)));
    }

    [Test]
    public void Parse_NonlinearInputExpression_EvaluatesAtRunTime()
    {
        var c = Qasm.Parse(H + "#pragma qnnsim inputs x\ninput float[64] x;\ninput float[64] t;\nqubit q;\nrz(sin(t) * x ** 2 + arctan(x / t)) q;\n");
        var angle = c.Operations[0].Angles[0];
        Assert.That(angle.IsAffine, Is.False);
        double t = 0.7, x = -1.3;
        Assert.That(angle.Evaluate([t], [x]), Is.EqualTo(Math.Sin(t) * x * x + Math.Atan(x / t)).Within(1e-15));
    }

    [Test]
    public void Parse_ConstDeclaration_UsedInLaterExpressions()
    {
        var c = Qasm.Parse(H + "const float[64] a = pi / 3;\nconst int[32] n = 2;\nqubit q;\nrz(n * a) q;\n");
        Assert.That(c.Operations[0].Angles[0].ConstantValue, Is.EqualTo(2 * Math.PI / 3).Within(1e-15));
    }

    [Test]
    public void Parse_GateParameterShadowsGlobal_UsesParameter()
    {
        var c = Qasm.Parse(H + "input float[64] a;\ngate g(a) u { rz(2 * a) u; }\nqubit q;\ng(0.25) q;\nrz(a) q;\n");
        Assert.That(c.Operations[0].Angles[0].ConstantValue, Is.EqualTo(0.5));
        Assert.That(c.Operations[1].Angles[0].IsConstant, Is.False);
    }

    [Test]
    public void Parse_NestedGateDefinitionsWithParameters_ExpandInOrder()
    {
        var c = Qasm.Parse(H + "gate a(t) u { rx(t) u; }\ngate b(s, r) u, v { a(s + r) v; cx u, v; a(-s) u; }\nqubit[2] q;\nb(0.1, 0.2) q[1], q[0];\n");
        Assert.That(c.Operations.Select(o => o.Kind), Is.EqualTo(new[] { GateKind.Rx, GateKind.X, GateKind.Rx }));
        Assert.That(c.Operations[0].Targets[0], Is.EqualTo(0));
        Assert.That(c.Operations[0].Angles[0].ConstantValue, Is.EqualTo(0.1 + 0.2).Within(1e-15));
        Assert.That((c.Operations[1].Controls[0], c.Operations[1].Targets[0]), Is.EqualTo((1, 0)));
        Assert.That(c.Operations[2].Angles[0].ConstantValue, Is.EqualTo(-0.1));
    }

    [TestCase("bit[3] c;\nc = measure q;\n", new[] { 0, 1, 2 })]
    [TestCase("bit[3] c = measure q;\n", new[] { 0, 1, 2 })]
    [TestCase("creg c[3];\nmeasure q -> c;\n", new[] { 0, 1, 2 })]
    [TestCase("bit[3] c;\nc[0] = measure q[2];\nc[2] = measure q[1];\nc[1] = measure q[0];\n", new[] { 2, 0, 1 })]
    [TestCase("bit[2] c;\nmeasure q[1] -> c[1];\n", new[] { 1 })]
    [TestCase("measure q[2];\nmeasure q[0];\n", new[] { 2, 0 })]
    public void Parse_FinalMeasurements_BecomeMeasuredQubitsInBitOrder(string measurements, int[] expected)
    {
        var c = Qasm.Parse(H + "qubit[3] q;\nh q;\n" + measurements);
        Assert.That(c.MeasuredQubits, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_GateOnUnmeasuredQubitAfterMeasurement_Accepted()
    {
        var c = Qasm.Parse(H + "qubit[2] q;\nbit c;\nc = measure q[0];\nh q[1];\n");
        Assert.That(c.MeasuredQubits, Is.EqualTo(new[] { 0 }));
        Assert.That(c.Operations.Single().Targets[0], Is.EqualTo(1));
    }

    [Test]
    public void Parse_ResetBeforeAnyGate_IsANoOp()
    {
        var c = Qasm.Parse(H + "qubit[2] q;\nreset q;\nh q[0];\n");
        Assert.That(c.Operations, Has.Length.EqualTo(1));
    }

    [Test]
    public void Parse_CommentsEverywhere_Ignored()
    {
        var c = Qasm.Parse("// leading\nOPENQASM /* inline */ 3;\nqubit[2] q; // trailing\n/* multi\n line */ cx /* a */ q[0], // b\n q[1];\n");
        Assert.That(c.Operations.Single().Controls[0], Is.EqualTo(0));
    }

    [Test]
    public void Parse_BarrierAndOtherPragmasAndAnnotations_Ignored()
    {
        var c = Qasm.Parse(H + "#pragma something else\npragma another\nqubit[2] q;\n@annotation here\nh q[0];\nbarrier q;\nbarrier;\n");
        Assert.That(c.Operations.Single().Kind, Is.EqualTo(GateKind.H));
    }

    [Test]
    public void Parse_UnicodeIdentifiers_Accepted()
    {
        var c = Qasm.Parse(H + "input float[64] θ;\nqubit q;\nrx(θ / 2) q;\n");
        Assert.That(c.ParameterNames, Is.EqualTo(new[] { "θ" }));
    }
}
