using QnnSim.Interop;
using Qasm = QnnSim.Interop.OpenQasm;

namespace QnnSim.Tests.Interop.OpenQasm;

/// <summary>Malformed and unsupported programs: a <see cref="ParseException"/> with the exact line, column and message.</summary>
[TestFixture]
public class OpenQasmErrorTests
{
    public sealed record ErrorCase(string Name, string Text, int Line, int Column, string Message)
    {
        public override string ToString() => Name;
    }

    private const string H = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n";

    public static IEnumerable<ErrorCase> Cases()
    {
        yield return new("missing semicolon", H + "qubit[2] q;\nh q[0]\nx q[1];\n", 5, 1, "expected ';' after gate call, found 'x'");
        yield return new("unknown gate", H + "qubit[2] q;\nfoo q[0];\n", 4, 1, "unknown gate 'foo'");
        yield return new("qubit index out of range", H + "qubit[4] q;\nx q[7];\n", 4, 5, "qubit index 7 is out of range for register q[4] (0..3)");
        yield return new("negative qubit index", H + "qubit[4] q;\nx q[-1];\n", 4, 5, "qubit index -1 is out of range for register q[4] (0..3)");
        yield return new("non-integer index", H + "qubit[4] q;\nx q[1.5];\n", 4, 5, "the qubit index must be an integer, got 1.5");
        yield return new("unknown register", H + "qubit[4] q;\nx r[1];\n", 4, 3, "unknown qubit register 'r'");
        yield return new("too many parameters", H + "qubit q;\nrx(0.1, 0.2) q;\n", 4, 1, "gate 'rx' takes 1 parameter but 2 were given");
        yield return new("too few qubits", H + "qubit[2] q;\ncx q[0];\n", 4, 4, "gate 'cx' takes 2 qubits but 1 was given");
        yield return new("ctrl qubit count", H + "qubit[2] q;\nctrl @ cx q[0], q[1];\n", 4, 11, "gate 'cx' takes 3 qubits (2 + 1 control) but 2 were given");
        yield return new("duplicate qubit", H + "qubit[2] q;\ncx q[0], q[0];\n", 4, 10, "qubit q[0] appears twice in one call of gate 'cx'");
        yield return new("broadcast size mismatch", H + "qubit[2] q;\nqubit[3] r;\ncx q, r;\n", 5, 7, "cannot broadcast over registers of different sizes: 'q' has 2 qubits, 'r' has 3");
        yield return new("unknown identifier", H + "qubit q;\nrx(2 * foo) q;\n", 4, 8, "unknown identifier 'foo'");
        yield return new("division by zero", H + "qubit q;\nrx(1 / (2 - 2)) q;\n", 4, 6, "division by zero");
        yield return new("ln of negative", H + "qubit q;\nrx(ln(-1)) q;\n", 4, 4, "ln(-1) is not a finite real number.");
        yield return new("unknown function", H + "qubit q;\nrx(foo(1)) q;\n", 4, 4, "unknown function 'foo'");
        yield return new("if refused", H + "qubit q;\nbit c;\nif (c) x q;\n", 5, 1, "classical control ('if') is not supported");
        yield return new("for refused", H + "qubit q;\nfor int i in [0:2] { x q; }\n", 4, 1, "'for' loops are not supported");
        yield return new("while refused", H + "qubit q;\nwhile (true) { x q; }\n", 4, 1, "classical control ('while') is not supported");
        yield return new("def refused", H + "def f(qubit a) { x a; }\n", 3, 1, "subroutines ('def') are not supported");
        yield return new("gate after measure", H + "qubit q;\nbit c;\nc = measure q;\nx q;\n", 6, 1, "gate 'x' acts on qubit q after it was measured at line 5: mid-circuit measurement is not supported");
        yield return new("measured twice", H + "qubit q;\nbit[2] c;\nc[0] = measure q;\nc[1] = measure q;\n", 6, 8, "qubit q is measured twice (first at line 5)");
        yield return new("mid-circuit reset", H + "qubit q;\nx q;\nreset q;\n", 5, 1, "reset of qubit q after it was used is not supported");
        yield return new("classical assignment", H + "qubit q;\nfloat[64] a = 1;\na = 2;\n", 5, 5, "classical assignment is not supported");
        yield return new("input default", H + "input float[64] t = 0.5;\n", 3, 19, "an input cannot have a default value");
        yield return new("input int", H + "input int[32] n;\n", 3, 7, "unsupported input type 'int'");
        yield return new("redeclaration", H + "qubit[2] q;\nqubit q;\n", 4, 1, "'q' is already declared at line 3");
        yield return new("pragma unknown input", H + "#pragma qnnsim inputs y\ninput float[64] x;\nqubit q;\nrx(x) q;\n", 3, 1, "'y' is named as a data input but no 'input' declaration has that name");
        yield return new("pragma unknown command", H + "#pragma qnnsim outputs y\nqubit q;\n", 3, 1, "unknown qnnsim pragma 'outputs'");
        yield return new("register too large", H + "qubit[10**12] q;\n", 3, 7, "the register size 1000000000000 is out of range (allowed: 1..30)");
        yield return new("too many qubits", H + "qubit[20] q;\nqubit[20] r;\n", 4, 1, "register r[20] brings the circuit to 40 qubits; at most 30 are allowed");
        yield return new("huge pow", H + "qubit q;\npow(10**9) @ x q;\n", 4, 5, "the exponent of pow(k) 1000000000 is out of range");
        yield return new("fractional pow", H + "qubit q;\npow(0.5) @ x q;\n", 4, 5, "non-integer powers are not supported: the exponent of pow(k) is 0.5");
        yield return new("pow without parenthesis", H + "qubit q;\npow @ x q;\n", 4, 5, "expected '(' after 'pow'");
        yield return new("missing modifier at", H + "qubit[2] q;\nctrl x q[0], q[1];\n", 4, 8, "expected ';' after gate call, found 'q'");
        yield return new("unterminated block comment", H + "qubit q;\n/* never closed\nx q;\n", 4, 1, "unterminated block comment: expected '*/'");
        yield return new("unexpected character", H + "qubit q;\nx q; ?\n", 4, 6, "unexpected character '?'");
        yield return new("malformed number", H + "qubit q;\nrx(1.2.3) q;\n", 4, 7, "expected ')' after the arguments of gate 'rx', found '.3'");
        yield return new("number out of range", H + "qubit q;\nrx(1e999) q;\n", 4, 4, "malformed or out-of-range number '1e999'");
        yield return new("unknown include", H + "include \"mylib.inc\";\n", 3, 1, "cannot include \"mylib.inc\"");
        yield return new("unsupported version", "OPENQASM 4.0;\nqubit q;\n", 1, 10, "unsupported OpenQASM version '4.0'");
        yield return new("late version", "qubit q;\nOPENQASM 3.0;\n", 2, 1, "the OPENQASM version line must come before every other statement");
        yield return new("no qubits", H, 2, 1, "the program declares no qubits");
        yield return new("empty source", "", 1, 1, "the program declares no qubits");
        yield return new("recursive gate", H + "gate g a { g a; }\n", 3, 12, "gate 'g' calls itself");
        yield return new("gate uses later gate", H + "gate g a { k a; }\ngate k a { x a; }\n", 3, 12, "unknown gate 'k' (gates must be defined before use)");
        yield return new("gate body indexing", H + "gate g a { x a[0]; }\n", 3, 14, "qubit arguments inside a gate body cannot be indexed");
        yield return new("gate body unknown qubit", H + "gate g a { x b; }\n", 3, 14, "'b' is not a qubit argument of gate 'g'");
        yield return new("measure in gate", H + "gate g a { measure a; }\n", 3, 12, "'measure' is not allowed inside a gate body");
        yield return new("unclosed gate", H + "gate g a { x a;\n", 4, 1, "expected '}' to close the body of gate 'g'");
        yield return new("slice refused", H + "qubit[4] q;\nh q[0:2];\n", 4, 6, "register slices ('q[a:b]') are not supported");
        yield return new("physical qubit", H + "h $0;\n", 3, 3, "physical qubits ('$0') are not supported");
        yield return new("array without index", H + "input array[float[64], 2] th;\nqubit q;\nrx(th) q;\n", 5, 4, "'th' is an input array; use an element such as th[0] (0..1)");
        yield return new("array index out of range", H + "input array[float[64], 2] th;\nqubit q;\nrx(th[2]) q;\n", 5, 7, "index 2 is out of range for input array th[2] (0..1)");
        yield return new("measure size mismatch", H + "qubit[3] q;\nbit[2] c;\nc = measure q;\n", 5, 1, "cannot measure 3 qubits into 2 bits");
        yield return new("bit used as qubit", H + "qubit q;\nbit c;\nx c;\n", 5, 3, "'c' is a bit register, not a qubit register");
        yield return new("register in expression", H + "qubit q;\nbit c;\nrx(c) q;\n", 5, 4, "'c' is a register and cannot be used in an expression");
        yield return new("const from input", H + "input float[64] t;\nconst float[64] a = 2 * t;\n", 4, 21, "the value of 'a' must be a constant expression");
        yield return new("control equals target", H + "qubit[2] q;\nctrl @ ctrl @ x q[0], q[1], q[0];\n", 4, 29, "qubit q[0] appears twice in one call of gate 'x'");
    }

    [TestCaseSource(nameof(Cases))]
    public void Parse_MalformedProgram_ThrowsParseExceptionAtExactPosition(ErrorCase c)
    {
        var ex = Assert.Throws<ParseException>(() => Qasm.Parse(c.Text, "bad.qasm"));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.SourceName, Is.EqualTo("bad.qasm"));
            Assert.That(ex.Detail, Does.Contain(c.Message));
            Assert.That((ex.Line, ex.Column), Is.EqualTo((c.Line, c.Column)), ex.Message);
            Assert.That(ex.Message, Does.StartWith($"bad.qasm:{c.Line}:{c.Column}: "));
        });
    }

    [Test]
    public void Parse_OptionInputNameNotDeclared_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ParseException>(() =>
            Qasm.Parse(H + "input float[64] t;\nqubit q;\nrx(t) q;\n", "opt.qasm", new CircuitLoadOptions { InputNames = ["s"] }));
        Assert.That(ex!.Detail, Does.Contain("'s' is named as a data input").And.Contain("load options"));
        Assert.That((ex.Line, ex.Column), Is.EqualTo((1, 1)));
    }

    [Test]
    public void Parse_DeeplyNestedParentheses_ThrowsInsteadOfOverflowingTheStack()
    {
        string deep = new string('(', 100_000) + "1" + new string(')', 100_000);
        var ex = Assert.Throws<ParseException>(() => Qasm.Parse(H + "qubit q;\nrx(" + deep + ") q;\n"));
        Assert.That(ex!.Detail, Does.Contain("nested too deeply"));
        Assert.That(ex.Line, Is.EqualTo(4));
    }

    [Test]
    public void Parse_LongUnaryMinusChain_ThrowsInsteadOfOverflowingTheStack()
    {
        var ex = Assert.Throws<ParseException>(() => Qasm.Parse(H + "qubit q;\nrx(" + new string('-', 100_000) + "1) q;\n"));
        Assert.That(ex!.Detail, Does.Contain("nested too deeply"));
    }

    [Test]
    public void Parse_LongPowerChain_ThrowsInsteadOfOverflowingTheStack()
    {
        string chain = string.Join("**", Enumerable.Repeat("1", 100_000));
        var ex = Assert.Throws<ParseException>(() => Qasm.Parse(H + "qubit q;\nrx(" + chain + ") q;\n"));
        Assert.That(ex!.Detail, Does.Contain("nested too deeply"));
    }

    [Test]
    public void Parse_ExponentialGateDefinitions_StopsAtTheOperationLimit()
    {
        var sb = new System.Text.StringBuilder(H + "gate g0 a { x a; }\n");
        for (int i = 1; i <= 40; i++) sb.Append($"gate g{i} a {{ g{i - 1} a; g{i - 1} a; }}\n");
        sb.Append("qubit q;\ng40 q;\n");
        var ex = Assert.Throws<ParseException>(() => Qasm.Parse(sb.ToString()));
        Assert.That(ex!.Detail, Does.Contain("more than 1000000 operations"));
    }

    [Test]
    public void Parse_DeepGateNesting_ThrowsAtTheNestingLimit()
    {
        var sb = new System.Text.StringBuilder(H + "gate g0 a { x a; }\n");
        for (int i = 1; i <= 100; i++) sb.Append($"gate g{i} a {{ g{i - 1} a; }}\n");
        sb.Append("qubit q;\ng100 q;\n");
        var ex = Assert.Throws<ParseException>(() => Qasm.Parse(sb.ToString()));
        Assert.That(ex!.Detail, Does.Contain("nest more than 64 levels"));
    }

    [Test]
    public void Parse_NullSource_ThrowsArgumentNullException() =>
        Assert.Throws<ArgumentNullException>(() => Qasm.Parse(null!));
}
