using Qasm = QnnSim.Interop.OpenQasm;
using QnnSim.Interop.OpenQasmSyntax;

namespace QnnSim.Tests.Interop.OpenQasm;

/// <summary>
/// The documented reader limits (docs/design.md, "Limits"): just inside each limit the text is read, even on a small
/// 1 MiB thread stack; just past it the reader refuses with a ParseException naming the limit.
/// </summary>
[TestFixture]
public class OpenQasmLimitTests
{
    private const string H = "OPENQASM 3;\ninclude \"stdgates.inc\";\n";
    private const int SmallStack = 1 << 20;

    private static T OnSmallStack<T>(Func<T> f)
    {
        T? result = default;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try { result = f(); }
            catch (Exception e) { error = e; }
        }, SmallStack);
        t.Start();
        t.Join();
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return result!;
    }

    private static string Chain(string op, int operators) => string.Join(op, Enumerable.Repeat("1", operators + 1));

    [Test]
    public void Parse_FlatChainAtTheOperatorLimit_ReadsOnASmallStack()
    {
        int n = OpenQasmParser.MaxExpressionOperators;
        // The deepest tree the limits allow: 99 parentheses around a 1000-operator left-associative chain.
        string e = new string('(', OpenQasmParser.MaxExpressionDepth - 1) + Chain("+", n) + new string(')', OpenQasmParser.MaxExpressionDepth - 1);
        var c = OnSmallStack(() => Qasm.Parse(H + "qubit q;\nrz(" + e + ") q;\n"));
        Assert.That(c.Operations[0].Angles[0].ConstantValue, Is.EqualTo(n + 1));
    }

    [TestCase("+")]
    [TestCase("*")]
    [TestCase("-")]
    [TestCase("/")]
    public void Parse_FlatChainOfEightThousandTerms_RefusesNamingTheLimit(string op)
    {
        // Issue 15: rz(1+1+…+1) with 8,000 terms overflowed the evaluator's stack (exit 134).
        var ex = Assert.Throws<ParseException>(() => OnSmallStack(() => Qasm.Parse(H + "qubit q;\nrz(" + Chain(op, 7999) + ") q;\n")));
        Assert.That(ex!.Detail, Is.EqualTo($"expression too long (more than {OpenQasmParser.MaxExpressionOperators} operators in one expression)"));
        Assert.That(ex.Line, Is.EqualTo(4));
    }

    [Test]
    public void Parse_ChainOneOperatorPastTheLimit_Refuses() =>
        Assert.Throws<ParseException>(() => Qasm.Parse(H + "qubit q;\nrz(" + Chain("+", OpenQasmParser.MaxExpressionOperators + 1) + ") q;\n"));

    [Test]
    public void Parse_OperatorsSpreadOverNestedArguments_CountTogether()
    {
        // 600 operators inside sin(…) and 600 outside: one expression, 1200 operators.
        string e = "sin(" + Chain("+", 600) + ")+" + Chain("+", 599);
        var ex = Assert.Throws<ParseException>(() => Qasm.Parse(H + "qubit q;\nrz(" + e + ") q;\n"));
        Assert.That(ex!.Detail, Does.Contain("more than 1000 operators"));
    }

    [Test]
    public void Parse_ThirtyThousandInverseModifiers_RefusesNamingTheLimit()
    {
        // Issue 15: 'inv @' repeated 30,000 times overflowed the stack.
        string mods = string.Concat(Enumerable.Repeat("inv @ ", 30_000));
        var ex = Assert.Throws<ParseException>(() => OnSmallStack(() => Qasm.Parse(H + "qubit q;\n" + mods + "x q;\n")));
        Assert.That(ex!.Detail, Is.EqualTo($"too many gate modifiers (more than {OpenQasmParser.MaxModifiers} on one gate call)"));
    }

    [Test]
    public void Parse_ModifiersAtTheLimitInDeepestGateNesting_ReadOnASmallStack()
    {
        // 16 modifiers on every call of a 64-deep chain of user gates: the deepest recursion the evaluator allows.
        string mods = string.Concat(Enumerable.Repeat("inv @ ", OpenQasmParser.MaxModifiers));
        var sb = new System.Text.StringBuilder(H + "gate g0 a { x a; }\n");
        for (int i = 1; i < OpenQasmEvaluator.MaxGateNesting; i++) sb.Append($"gate g{i} a {{ {mods}g{i - 1} a; }}\n");
        sb.Append($"qubit q;\n{mods}g{OpenQasmEvaluator.MaxGateNesting - 1} q;\n");
        var c = OnSmallStack(() => Qasm.Parse(sb.ToString()));
        Assert.That(c.Operations, Has.Length.EqualTo(1));
    }

    [Test]
    public void Parse_AngleAtTheDepthLimit_EvaluatesDifferentiatesAndPrintsOnASmallStack()
    {
        // sin(t)+sin(t)+… builds an angle tree one level deeper per term (no folding): 990 terms stay inside the
        // 1000-level angle limit; evaluating, differentiating and printing it recurse once a level.
        const int terms = 990;
        string e = string.Join("+", Enumerable.Repeat("sin(t)", terms));
        var c = Qasm.Parse(H + "input float[64] t;\nqubit q;\nrz(" + e + ") q;\n");
        var angle = c.Operations[0].Angles[0];
        var (value, gradient, text) = OnSmallStack(() =>
        {
            var g = new double[1];
            double v = angle.Evaluate([0.3], []);
            angle.AccumulateGradient([0.3], [], 1.0, g, new double[1]);
            return (v, g[0], angle.ToString());
        });
        Assert.That(value, Is.EqualTo(terms * Math.Sin(0.3)).Within(1e-9));
        Assert.That(gradient, Is.EqualTo(terms * Math.Cos(0.3)).Within(1e-9));
        Assert.That(text, Does.StartWith("sin("));
    }

    [Test]
    public void Qir_MoreGatesThanTheLimit_RefusesNamingTheLimit()
    {
        var sb = new System.Text.StringBuilder("define void @main() #0 {\n");
        for (int i = 0; i <= QnnSim.Interop.Qir.MaxOperations; i++) sb.Append("  call void @__quantum__qis__h__body(%Qubit* null)\n");
        sb.Append("  ret void\n}\n");
        var ex = Assert.Throws<ParseException>(() => QnnSim.Interop.Qir.Parse(sb.ToString(), "big.ll"));
        Assert.That(ex!.Detail, Does.Contain($"more than {QnnSim.Interop.Qir.MaxOperations} gates"));
        Assert.That(ex.Line, Is.EqualTo(QnnSim.Interop.Qir.MaxOperations + 2));
    }
}
