namespace QnnSim.Interop.OpenQasmSyntax;

/// <summary>
/// Hand-written recursive-descent parser for the subset of OpenQASM 3 (and 2) that describes unitary circuits with
/// final measurements. Classical control flow, subroutines and timing are recognised and refused with a
/// <see cref="ParseException"/> that says so.
/// </summary>
/// <remarks>
/// Operator precedence follows the OpenQASM 3 specification: <c>**</c> (right-associative) binds tighter than unary
/// minus, which binds tighter than <c>* / %</c>, then <c>+ -</c>. Expression nesting is limited to
/// <see cref="MaxExpressionDepth"/> levels, operators in one expression to <see cref="MaxExpressionOperators"/> and
/// modifiers on one gate call to <see cref="MaxModifiers"/>, so that no text can overflow the stack of the parser or
/// of the evaluator that walks its trees.
/// </remarks>
internal sealed class OpenQasmParser
{
    /// <summary>Deepest expression nesting accepted (parentheses, unary operators, function calls).</summary>
    public const int MaxExpressionDepth = 100;

    /// <summary>
    /// Most operators (binary and unary) in one expression: a flat chain such as <c>1+1+…+1</c> builds a tree as
    /// deep as it is long, so this bounds the depth of every expression tree at
    /// <see cref="MaxExpressionDepth"/> + <see cref="MaxExpressionOperators"/>.
    /// </summary>
    public const int MaxExpressionOperators = 1000;

    /// <summary>Most gate modifiers (<c>inv @</c>, <c>pow(k) @</c>, <c>ctrl @</c>, <c>negctrl @</c>) on one gate call.</summary>
    public const int MaxModifiers = 16;

    private static readonly HashSet<string> ClassicalTypes = ["float", "int", "uint", "angle", "bool", "complex", "duration", "stretch"];

    private static readonly Dictionary<string, string> Refused = new()
    {
        ["if"] = "classical control ('if') is not supported: QnnSim reads unitary circuits with final measurements only",
        ["else"] = "classical control ('else') is not supported",
        ["while"] = "classical control ('while') is not supported: QnnSim reads unitary circuits with final measurements only",
        ["for"] = "'for' loops are not supported: unroll the loop (QnnSim reads unitary circuits with final measurements only)",
        ["switch"] = "classical control ('switch') is not supported",
        ["def"] = "subroutines ('def') are not supported: use 'gate' definitions",
        ["return"] = "'return' is not supported outside subroutines, and subroutines are not supported",
        ["break"] = "'break' is not supported (no loops)",
        ["continue"] = "'continue' is not supported (no loops)",
        ["end"] = "'end' is not supported",
        ["extern"] = "'extern' functions are not supported",
        ["box"] = "'box' (timing) is not supported",
        ["delay"] = "'delay' (timing) is not supported",
        ["defcal"] = "pulse-level calibrations ('defcal') are not supported",
        ["defcalgrammar"] = "pulse-level calibrations ('defcalgrammar') are not supported",
        ["cal"] = "pulse-level calibrations ('cal') are not supported",
        ["opaque"] = "'opaque' gates are not supported: define the gate with 'gate'",
        ["output"] = "'output' declarations are not supported",
        ["let"] = "'let' aliases are not supported",
    };

    private readonly List<Token> _tokens;
    private readonly string _source;
    private int _index;
    private int _depth;
    private int _operators;

    private OpenQasmParser(List<Token> tokens, string source)
    {
        _tokens = tokens;
        _source = source;
    }

    /// <summary>Parses a whole program into statements.</summary>
    /// <exception cref="ParseException">Any syntax error or refused construct.</exception>
    public static List<Stmt> ParseProgram(string text, string source)
    {
        var parser = new OpenQasmParser(OpenQasmLexer.Tokenize(text, source), source);
        var statements = new List<Stmt>();
        while (parser.Current.Kind != TokenKind.EndOfFile)
        {
            var s = parser.Statement();
            if (s is not null) statements.Add(s);
            if (parser._pending is { } pending)
            {
                // 'bit[2] c = measure q;' gives a declaration and then a measurement.
                statements.Add(pending);
                parser._pending = null;
            }
        }
        return statements;
    }

    private Token Current => _tokens[_index];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Take()
    {
        var t = _tokens[_index];
        if (t.Kind != TokenKind.EndOfFile) _index++;
        return t;
    }

    private ParseException Error(Token at, string message) => new(_source, at.Line, at.Column, message);

    private Token Expect(string symbol, string context)
    {
        if (!Current.Is(symbol)) throw Error(Current, $"expected '{symbol}' {context}, found {Current.Describe()}");
        return Take();
    }

    private Token ExpectIdentifier(string what)
    {
        if (Current.Kind != TokenKind.Identifier) throw Error(Current, $"expected {what}, found {Current.Describe()}");
        return Take();
    }

    private Stmt? Statement()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Pragma:
                Take();
                return new PragmaStmt(t, t.Text);
            case TokenKind.Annotation:
                Take();
                return null;
            case TokenKind.Symbol when t.Is(";"):
                Take();
                return null;
            case TokenKind.Symbol when t.Is("{"):
                throw Error(t, "bare '{ … }' blocks (scopes) are not supported");
            case TokenKind.Identifier:
                break;
            default:
                throw Error(t, $"expected a statement, found {t.Describe()}");
        }

        if (Refused.TryGetValue(t.Text, out var refusal)) throw Error(t, refusal);
        switch (t.Text)
        {
            case "OPENQASM":
            {
                Take();
                var v = Take();
                if (v.Kind is not (TokenKind.Integer or TokenKind.Float))
                    throw Error(v, $"expected a version number after 'OPENQASM', found {v.Describe()}");
                if (!(v.Value is 2 or 3 || v.Text is "2.0" or "3.0" or "3.1" or "3.2"))
                    throw Error(v, $"unsupported OpenQASM version '{v.Text}' (supported: 2.0, 3, 3.0, 3.1)");
                Expect(";", "after the OPENQASM version");
                return new VersionStmt(t, v.Text);
            }
            case "include":
            {
                Take();
                var s = Take();
                if (s.Kind != TokenKind.String) throw Error(s, $"expected a file name string after 'include', found {s.Describe()}");
                Expect(";", "after include");
                return new IncludeStmt(t, s.Text);
            }
            case "qubit":
            {
                Take();
                Expr? size = null;
                if (Current.Is("["))
                {
                    Take();
                    size = Expression();
                    Expect("]", "after the qubit register size");
                }
                var name = ExpectIdentifier("a qubit register name");
                Expect(";", "after the qubit declaration");
                return new QubitDeclStmt(t, name.Text, size);
            }
            case "qreg":
            case "creg":
            {
                Take();
                var name = ExpectIdentifier($"a register name after '{t.Text}'");
                Expr? size = null;
                if (Current.Is("["))
                {
                    Take();
                    size = Expression();
                    Expect("]", "after the register size");
                }
                Expect(";", $"after the {t.Text} declaration");
                return t.Text == "qreg" ? new QubitDeclStmt(t, name.Text, size) : new BitDeclStmt(t, name.Text, size);
            }
            case "bit":
            {
                Take();
                Expr? size = null;
                if (Current.Is("["))
                {
                    Take();
                    size = Expression();
                    Expect("]", "after the bit register size");
                }
                var name = ExpectIdentifier("a bit register name");
                if (Current.Is("="))
                {
                    // bit[2] c = measure q;  — a declaration followed by a measurement.
                    Take();
                    if (!Current.IsWord("measure")) throw Error(Current, "classical assignment is not supported: only 'measure' may initialise a bit register");
                    _pending = MeasureAfterArrow(new Operand(name, name.Text, null));
                    return new BitDeclStmt(t, name.Text, size);
                }
                Expect(";", "after the bit declaration");
                return new BitDeclStmt(t, name.Text, size);
            }
            case "input":
                return Input();
            case "const":
            {
                Take();
                var type = ExpectIdentifier("a type after 'const'");
                if (!ClassicalTypes.Contains(type.Text)) throw Error(type, $"unsupported constant type '{type.Text}' (allowed: float, int, uint, angle)");
                SkipDesignator();
                var name = ExpectIdentifier("a constant name");
                Expect("=", "after the constant name");
                var value = Expression();
                Expect(";", "after the constant value");
                return new ConstStmt(t, name.Text, value);
            }
            case "gate":
                return GateDefinition();
            case "barrier":
            {
                Take();
                var operands = Current.Is(";") ? new List<Operand>() : OperandList();
                Expect(";", "after barrier");
                return new BarrierStmt(t, operands);
            }
            case "measure":
            {
                Take();
                var q = Operand();
                Operand? bits = null;
                if (Current.Is("->"))
                {
                    Take();
                    bits = Operand();
                }
                Expect(";", "after measure");
                return new MeasureStmt(t, q, bits);
            }
            case "reset":
            {
                Take();
                var q = Operand();
                Expect(";", "after reset");
                return new ResetStmt(t, q);
            }
        }

        if (ClassicalTypes.Contains(t.Text)) return ClassicalDeclaration();
        if (t.Text == "array") throw Error(t, "classical arrays are only supported as 'input array[float[64], n] name;'");

        // Assignment: c = measure q;  c[0] = measure q[0];
        var next = PeekAt(1);
        if (next.Is("=") || next.Is("["))
        {
            var target = Operand();
            if (!Current.Is("=")) throw Error(Current, $"expected '=' in the assignment to '{target.Name}', found {Current.Describe()}");
            Take();
            if (!Current.IsWord("measure")) throw Error(Current, "classical assignment is not supported: only 'c = measure q;' is accepted");
            return MeasureAfterArrow(target);
        }
        if (next.Kind == TokenKind.Symbol && next.Text is "+=" or "-=" or "*=" or "/=" or "++")
            throw Error(next, "classical assignment is not supported");

        return GateCall();
    }

    private MeasureStmt? _pending;

    /// <summary>Parses <c>measure operand ;</c> after "target =" was consumed.</summary>
    private MeasureStmt MeasureAfterArrow(Operand target)
    {
        var m = Take(); // 'measure'
        var q = Operand();
        Expect(";", "after measure");
        return new MeasureStmt(m, q, target);
    }

    private Stmt Input()
    {
        var t = Take();
        var type = ExpectIdentifier("a type after 'input'");
        Expr? arraySize = null;
        if (type.Text is "float" or "angle")
        {
            SkipDesignator();
        }
        else if (type.Text == "array")
        {
            Expect("[", "after 'array'");
            var element = ExpectIdentifier("an element type (float or angle)");
            if (element.Text is not ("float" or "angle"))
                throw Error(element, $"unsupported input array element type '{element.Text}' (allowed: float, angle)");
            SkipDesignator();
            Expect(",", "after the array element type");
            arraySize = Expression();
            if (Current.Is(",")) throw Error(Current, "multi-dimensional input arrays are not supported");
            Expect("]", "after the array size");
        }
        else
            throw Error(type, $"unsupported input type '{type.Text}' (allowed: float[64], angle, array[float[64], n])");
        var name = ExpectIdentifier("an input name");
        if (Current.Is("=")) throw Error(Current, "an input cannot have a default value; bind it at run time");
        Expect(";", "after the input declaration");
        return new InputStmt(t, name.Text, arraySize);
    }

    private Stmt ClassicalDeclaration()
    {
        var type = Take();
        SkipDesignator();
        var name = ExpectIdentifier($"a variable name after '{type.Text}'");
        Expr? value = null;
        if (Current.Is("="))
        {
            Take();
            if (Current.IsWord("measure")) throw Error(Current, $"measuring into a '{type.Text}' variable is not supported; use a bit register");
            value = Expression();
        }
        Expect(";", "after the variable declaration");
        return new ConstStmt(type, name.Text, value);
    }

    /// <summary>Skips an optional <c>[width]</c> after a type name (the width does not matter in double precision).</summary>
    private void SkipDesignator()
    {
        if (!Current.Is("[")) return;
        Take();
        Expression();
        Expect("]", "after the type width");
    }

    private GateDefStmt GateDefinition()
    {
        var t = Take();
        var name = ExpectIdentifier("a gate name after 'gate'");
        var parameters = new List<Token>();
        if (Current.Is("("))
        {
            Take();
            if (!Current.Is(")"))
            {
                while (true)
                {
                    parameters.Add(ExpectIdentifier("a gate parameter name"));
                    if (Current.Is(",")) { Take(); continue; }
                    break;
                }
            }
            Expect(")", "after the gate parameters");
        }
        var qubits = new List<Token>();
        while (true)
        {
            qubits.Add(ExpectIdentifier("a qubit argument name"));
            if (Current.Is(",")) { Take(); continue; }
            break;
        }
        Expect("{", "to open the gate body");
        var body = new List<GateCallStmt>();
        while (!Current.Is("}"))
        {
            var s = Current;
            if (s.Kind == TokenKind.EndOfFile) throw Error(s, $"expected '}}' to close the body of gate '{name.Text}'");
            if (s.Is(";")) { Take(); continue; }
            if (s.IsWord("barrier"))
            {
                Take();
                if (!Current.Is(";")) OperandList();
                Expect(";", "after barrier");
                continue;
            }
            if (s.Kind == TokenKind.Identifier && (Refused.ContainsKey(s.Text) || s.Text is "measure" or "reset" or "gate" or "qubit" or "bit" or "input" or "const"))
                throw Error(s, $"'{s.Text}' is not allowed inside a gate body (only gate calls, gphase and barrier)");
            body.Add(GateCall());
        }
        Take();
        return new GateDefStmt(t, name.Text, parameters, qubits, body);
    }

    private GateCallStmt GateCall()
    {
        var start = Current;
        var modifiers = new List<Modifier>();
        while (Current.Kind == TokenKind.Identifier && Current.Text is "inv" or "pow" or "ctrl" or "negctrl" &&
               (PeekAt(1).Is("@") || PeekAt(1).Is("(")))
        {
            var m = Take();
            if (modifiers.Count == MaxModifiers)
                throw Error(m, $"too many gate modifiers (more than {MaxModifiers} on one gate call)");
            Expr? arg = null;
            if (Current.Is("("))
            {
                Take();
                arg = Expression();
                Expect(")", $"after the {m.Text} modifier argument");
            }
            else if (m.Text == "pow")
                throw Error(Current, "expected '(' after 'pow': pow(k) @ needs an exponent");
            if (m.Text == "inv" && arg is not null) throw Error(arg.At, "'inv' takes no argument");
            Expect("@", $"after the '{m.Text}' modifier");
            modifiers.Add(new Modifier(m, m.Text, arg));
        }
        var name = ExpectIdentifier(modifiers.Count > 0 ? "a gate name after '@'" : "a statement");
        var args = new List<Expr>();
        if (Current.Is("("))
        {
            Take();
            if (!Current.Is(")"))
            {
                while (true)
                {
                    args.Add(Expression());
                    if (Current.Is(",")) { Take(); continue; }
                    break;
                }
            }
            Expect(")", $"after the arguments of gate '{name.Text}'");
        }
        var operands = Current.Is(";") ? new List<Operand>() : OperandList();
        Expect(";", "after gate call");
        return new GateCallStmt(start, modifiers, name, args, operands);
    }

    private List<Operand> OperandList()
    {
        var list = new List<Operand>();
        while (true)
        {
            list.Add(Operand());
            if (Current.Is(",")) { Take(); continue; }
            return list;
        }
    }

    private Operand Operand()
    {
        var name = ExpectIdentifier("a qubit or register name");
        if (name.Text.StartsWith('$')) throw Error(name, $"physical qubits ('{name.Text}') are not supported: declare a qubit register");
        Expr? index = null;
        if (Current.Is("["))
        {
            Take();
            if (Current.Is("{")) throw Error(Current, "index sets ('q[{0, 1}]') are not supported: list the qubits one by one");
            index = Expression();
            Expr? step = null, end = null;
            if (Current.Is(":"))
            {
                Take();
                end = Expression();
                if (Current.Is(":"))
                {
                    Take();
                    step = end;
                    end = Expression();
                }
            }
            if (Current.Is(",")) throw Error(Current, "multi-dimensional indices are not supported");
            Expect("]", "after the index");
            if (Current.Is("[")) throw Error(Current, "double indexing is not supported");
            return new Operand(name, name.Text, index, step, end);
        }
        return new Operand(name, name.Text, index);
    }

    // ---- expressions -------------------------------------------------------------------------------------------

    public Expr Expression()
    {
        if (_depth == 0) _operators = 0;
        Enter();
        try { return Additive(); }
        finally { _depth--; }
    }

    private void Enter()
    {
        if (++_depth > MaxExpressionDepth)
            throw Error(Current, $"expression nested too deeply (more than {MaxExpressionDepth} levels)");
    }

    private void CountOperator(Token op)
    {
        if (++_operators > MaxExpressionOperators)
            throw Error(op, $"expression too long (more than {MaxExpressionOperators} operators in one expression)");
    }

    private Expr Additive()
    {
        var left = Multiplicative();
        while (Current.Is("+") || Current.Is("-"))
        {
            var op = Take();
            CountOperator(op);
            left = new BinaryExpr(left.At, op, op.Text, left, Multiplicative());
        }
        return left;
    }

    private Expr Multiplicative()
    {
        var left = Unary();
        while (Current.Is("*") || Current.Is("/") || Current.Is("%"))
        {
            var op = Take();
            CountOperator(op);
            left = new BinaryExpr(left.At, op, op.Text, left, Unary());
        }
        return left;
    }

    private Expr Unary()
    {
        if (Current.Is("-") || Current.Is("+"))
        {
            var op = Take();
            CountOperator(op);
            Enter();
            try { return new UnaryExpr(op, op.Text, Unary()); }
            finally { _depth--; }
        }
        if (Current.Is("!") || Current.Is("~"))
            throw Error(Current, $"the operator '{Current.Text}' is not supported in angle expressions");
        return Power();
    }

    private Expr Power()
    {
        var left = Primary();
        if (Current.Is("**"))
        {
            var op = Take();
            CountOperator(op);
            Enter();
            try { return new BinaryExpr(left.At, op, "**", left, Unary()); }
            finally { _depth--; }
        }
        return left;
    }

    private Expr Primary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Integer:
            case TokenKind.Float:
                Take();
                if (Current.Kind == TokenKind.Identifier && Current.Text is "ns" or "us" or "µs" or "ms" or "s" or "dt" or "im")
                    throw Error(Current, $"'{Current.Text}' literals (durations, imaginary numbers) are not supported");
                return new NumberExpr(t, t.Value);
            case TokenKind.Identifier:
            {
                Take();
                if (t.Text == "measure") throw Error(t, "'measure' is not allowed inside an expression");
                if (Current.Is("("))
                {
                    Take();
                    var args = new List<Expr>();
                    if (!Current.Is(")"))
                    {
                        while (true)
                        {
                            args.Add(Expression());
                            if (Current.Is(",")) { Take(); continue; }
                            break;
                        }
                    }
                    Expect(")", $"after the arguments of '{t.Text}'");
                    return new CallExpr(t, t.Text, args);
                }
                if (Current.Is("["))
                {
                    Take();
                    var index = Expression();
                    Expect("]", $"after the index of '{t.Text}'");
                    return new IndexExpr(t, t.Text, index);
                }
                return new NameExpr(t, t.Text);
            }
            case TokenKind.Symbol when t.Is("("):
            {
                Take();
                var e = Expression();
                Expect(")", "to close '('");
                return e;
            }
            default:
                throw Error(t, $"expected an expression, found {t.Describe()}");
        }
    }
}
