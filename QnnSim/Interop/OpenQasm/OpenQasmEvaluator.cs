using QnnSim.Circuits;

namespace QnnSim.Interop.OpenQasmSyntax;

/// <summary>
/// Walks the parsed statements and builds a <see cref="Circuit"/>: lays out qubit registers, declares inputs as
/// parameters or data inputs, expands gate calls (built-in and user-defined, with modifiers and broadcasting) into
/// operations, and turns final measurements into <see cref="Circuit.MeasuredQubits"/>.
/// </summary>
internal sealed class OpenQasmEvaluator
{
    /// <summary>The most operations a program may expand to (guards against exponential gate definitions and huge pow(k)).</summary>
    public const int MaxOperations = 1_000_000;

    /// <summary>The deepest chain of user gates calling user gates.</summary>
    public const int MaxGateNesting = 64;

    /// <summary>The deepest angle expression tree (gate parameters passed through nested gates compose trees).</summary>
    public const int MaxAngleDepth = 1000;

    /// <summary>The longest input array.</summary>
    public const int MaxInputArray = 1 << 16;

    /// <summary>The most classical bits.</summary>
    public const int MaxBits = 1 << 16;

    private sealed record QubitRegister(string Name, int Offset, int Size, bool IsSingle);
    private sealed record BitRegister(string Name, int Offset, int Size, bool IsSingle);
    private sealed record InputVariable(string Name, bool IsArray, VariableKind[] Kinds, int[] Indices);
    private sealed record UserGate(GateDefStmt Definition);

    private sealed class Scope
    {
        public Dictionary<string, Angle>? Parameters;
        public Dictionary<string, int>? Qubits;
        public int Depth;
    }

    private readonly string _source;
    private readonly HashSet<string> _inputRequests = [];
    private readonly Dictionary<string, Token?> _inputRequestOrigin = [];
    private readonly Dictionary<string, QubitRegister> _qubitRegisters = [];
    private readonly List<QubitRegister> _qubitRegisterOrder = [];
    private readonly Dictionary<string, BitRegister> _bitRegisters = [];
    private readonly Dictionary<string, InputVariable> _inputs = [];
    private readonly Dictionary<string, Angle?> _constants = [];
    private readonly Dictionary<string, UserGate> _gates = [];
    private readonly Dictionary<string, long> _gateSizes = [];
    private readonly Dictionary<Angle, int> _angleDepth = new(ReferenceEqualityComparer.Instance);
    private Token _evaluating;
    private readonly Dictionary<string, Token> _declared = [];
    private readonly List<string> _parameterNames = [];
    private readonly List<string> _inputNames = [];
    private readonly List<Operation> _operations = [];
    private readonly Dictionary<int, Token> _measuredAt = [];
    private readonly HashSet<int> _touched = [];
    private readonly HashSet<int> _bitsWritten = [];
    private readonly List<(int Qubit, long Key)> _measurements = [];
    private int _qubitCount, _bitCount;
    private long _produced;
    private bool _sawStatement;
    private Token _current;

    private OpenQasmEvaluator(string source) => _source = source;

    /// <summary>Evaluates a parsed program.</summary>
    /// <exception cref="ParseException">Any semantic error, with the line and column of the offending construct.</exception>
    public static Circuit Evaluate(IReadOnlyList<Stmt> program, string source, IReadOnlyList<string> optionInputNames)
    {
        var e = new OpenQasmEvaluator(source);
        foreach (var n in optionInputNames)
        {
            if (string.IsNullOrWhiteSpace(n)) continue;
            e._inputRequests.Add(n.Trim());
            e._inputRequestOrigin.TryAdd(n.Trim(), null);
        }
        foreach (var s in program)
            if (s is PragmaStmt p) e.Pragma(p);
        foreach (var s in program)
        {
            e._current = s.At;
            try
            {
                e.Statement(s);
            }
            catch (Exception ex) when (ex is not ParseException and not OutOfMemoryException)
            {
                // Operation/Angle validation (e.g. a control equal to a target) surfaces as ArgumentException.
                throw new ParseException(source, s.At.Line, s.At.Column, Clean(ex), ex);
            }
        }
        try
        {
            return e.Finish();
        }
        catch (Exception ex) when (ex is not ParseException and not OutOfMemoryException)
        {
            throw new ParseException(source, e._current.Line, e._current.Column, Clean(ex), ex);
        }
    }

    /// <summary>The location of the statement being evaluated (for errors raised outside the evaluator).</summary>
    public Token Current => _current;

    private ParseException Error(Token at, string message) => new(_source, at.Line, at.Column, message);

    internal static string Clean(Exception ex)
    {
        string m = ex.Message;
        int nl = m.IndexOf('\n');
        if (nl >= 0) m = m[..nl].TrimEnd();
        int p = m.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (p >= 0) m = m[..p];
        return m;
    }

    private void Pragma(PragmaStmt p)
    {
        var words = p.Text.Split([' ', '\t', ',', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || words[0] != "qnnsim") return; // other tools' pragmas are ignored
        if (words.Length < 2 || words[1] != "inputs")
            throw Error(p.At, $"unknown qnnsim pragma '{(words.Length < 2 ? "" : words[1])}' (known: '#pragma qnnsim inputs NAME ...')");
        if (words.Length < 3) throw Error(p.At, "expected at least one input name after '#pragma qnnsim inputs'");
        foreach (var w in words.Skip(2))
        {
            _inputRequests.Add(w);
            _inputRequestOrigin.TryAdd(w, p.At);
        }
    }

    private void Declare(string name, Token at)
    {
        if (_declared.TryGetValue(name, out var first))
            throw Error(at, $"'{name}' is already declared at line {first.Line}");
        _declared[name] = at;
    }

    private void Statement(Stmt s)
    {
        if (s is not VersionStmt && s is not PragmaStmt) _sawStatement = true;
        switch (s)
        {
            case VersionStmt v:
                if (_sawStatement) throw Error(v.At, "the OPENQASM version line must come before every other statement");
                _sawStatement = true;
                break;
            case IncludeStmt inc:
                if (inc.Path is not ("stdgates.inc" or "qelib1.inc"))
                    throw Error(inc.At, $"cannot include \"{inc.Path}\": only \"stdgates.inc\" and \"qelib1.inc\" are built in (paste other definitions into the file)");
                break;
            case PragmaStmt:
                break;
            case QubitDeclStmt q:
            {
                Declare(q.Name, q.At);
                int size = q.Size is null ? 1 : (int)EvalInteger(q.Size, null, "the register size", 1, Circuit.MaxQubits);
                if (_qubitCount + size > Circuit.MaxQubits)
                    throw Error(q.At, $"register {q.Name}[{size}] brings the circuit to {_qubitCount + size} qubits; at most {Circuit.MaxQubits} are allowed");
                var reg = new QubitRegister(q.Name, _qubitCount, size, q.Size is null);
                _qubitRegisters[q.Name] = reg;
                _qubitRegisterOrder.Add(reg);
                _qubitCount += size;
                break;
            }
            case BitDeclStmt b:
            {
                Declare(b.Name, b.At);
                int size = b.Size is null ? 1 : (int)EvalInteger(b.Size, null, "the bit register size", 1, MaxBits);
                if (_bitCount + size > MaxBits) throw Error(b.At, $"more than {MaxBits} classical bits");
                _bitRegisters[b.Name] = new BitRegister(b.Name, _bitCount, size, b.Size is null);
                _bitCount += size;
                break;
            }
            case InputStmt i:
                DeclareInput(i);
                break;
            case ConstStmt c:
                Declare(c.Name, c.At);
                _constants[c.Name] = c.Value is null ? null : Constant(c.Value, c.Name);
                break;
            case GateDefStmt g:
                DefineGate(g);
                break;
            case GateCallStmt call:
                foreach (var op in Call(call, new Scope()))
                    Emit(op, call);
                break;
            case BarrierStmt bar:
                foreach (var o in bar.Operands) ResolveQubits(o);
                break;
            case MeasureStmt m:
                Measure(m);
                break;
            case ResetStmt r:
                foreach (int q in ResolveQubits(r.Qubits))
                    if (_touched.Contains(q) || _measuredAt.ContainsKey(q))
                        throw Error(r.At, $"reset of qubit {QubitName(q)} after it was used is not supported (mid-circuit reset); a reset before any gate is accepted as a no-op");
                break;
            default:
                throw Error(s.At, "unsupported statement");
        }
    }

    private Angle Constant(Expr value, string name)
    {
        var a = Eval(value, null);
        if (!a.IsConstant) throw Error(value.At, $"the value of '{name}' must be a constant expression (it may not use inputs)");
        return a;
    }

    private void DeclareInput(InputStmt i)
    {
        Declare(i.Name, i.At);
        if (i.ArraySize is null)
        {
            var kind = _inputRequests.Contains(i.Name) ? VariableKind.Input : VariableKind.Parameter;
            _inputs[i.Name] = new InputVariable(i.Name, false, [kind], [AddVariable(i.Name, kind, i.At)]);
            return;
        }
        int size = (int)EvalInteger(i.ArraySize, null, "the input array size", 1, MaxInputArray);
        var kinds = new VariableKind[size];
        var indices = new int[size];
        for (int k = 0; k < size; k++)
        {
            string element = $"{i.Name}[{k}]";
            kinds[k] = _inputRequests.Contains(i.Name) || _inputRequests.Contains(element) ? VariableKind.Input : VariableKind.Parameter;
            indices[k] = AddVariable(element, kinds[k], i.At);
        }
        _inputs[i.Name] = new InputVariable(i.Name, true, kinds, indices);
    }

    private int AddVariable(string name, VariableKind kind, Token at)
    {
        var list = kind == VariableKind.Parameter ? _parameterNames : _inputNames;
        if (_parameterNames.Contains(name) || _inputNames.Contains(name)) throw Error(at, $"the variable '{name}' is declared twice");
        list.Add(name);
        return list.Count - 1;
    }

    private void DefineGate(GateDefStmt g)
    {
        if (_gates.ContainsKey(g.Name)) throw Error(g.At, $"gate '{g.Name}' is already defined");
        if (g.Name == "gphase" || g.Name == "U") throw Error(g.At, $"'{g.Name}' is a built-in and cannot be redefined");
        if (_declared.ContainsKey(g.Name)) Declare(g.Name, g.At);
        var names = new HashSet<string>();
        foreach (var p in g.Parameters.Concat(g.Qubits))
            if (!names.Add(p.Text)) throw Error(p, $"'{p.Text}' appears twice in the definition of gate '{g.Name}'");
        foreach (var call in g.Body)
        {
            // Only gates defined before this one may be called: this also rules out recursion.
            string n = call.Name.Text;
            if (n == g.Name) throw Error(call.Name, $"gate '{g.Name}' calls itself; recursive gates are not allowed");
            if (!_gates.ContainsKey(n) && !OpenQasmGates.All.ContainsKey(n)) throw Error(call.Name, $"unknown gate '{n}' (gates must be defined before use)");
            foreach (var o in call.Operands)
            {
                if (o.Index is not null) throw Error(o.At, $"qubit arguments inside a gate body cannot be indexed ('{o.Name}[…]')");
                if (!g.Qubits.Any(q => q.Text == o.Name)) throw Error(o.At, $"'{o.Name}' is not a qubit argument of gate '{g.Name}' (arguments: {string.Join(", ", g.Qubits.Select(q => q.Text))})");
            }
        }
        // Operations one call expands to without pow modifiers (saturating), so that exponential chains of
        // definitions are refused before any expansion work.
        long size = 0;
        foreach (var call in g.Body)
            size = Math.Min(MaxOperations + 1L, size + (_gateSizes.TryGetValue(call.Name.Text, out long s) ? s : 2));
        _gateSizes[g.Name] = size;
        _gates[g.Name] = new UserGate(g);
    }

    // ---- gate calls --------------------------------------------------------------------------------------------

    private List<Operation> Call(GateCallStmt call, Scope scope)
    {
        string name = call.Name.Text;
        int parameterCount, qubitCount;
        UserGate? user = null;
        OpenQasmGates.Builtin? builtin = null;
        if (_gates.TryGetValue(name, out user))
        {
            parameterCount = user.Definition.Parameters.Count;
            qubitCount = user.Definition.Qubits.Count;
        }
        else if (OpenQasmGates.All.TryGetValue(name, out builtin))
        {
            parameterCount = builtin.ParameterCount;
            qubitCount = builtin.QubitCount;
        }
        else if (_qubitRegisters.ContainsKey(name) || _bitRegisters.ContainsKey(name) || _inputs.ContainsKey(name))
            throw Error(call.Name, $"expected a gate name, found the variable '{name}' (classical assignment is not supported)");
        else
            throw Error(call.Name, $"unknown gate '{name}'");

        if (user is not null && _produced + _gateSizes[name] > MaxOperations) throw TooMany(call);
        if (call.Arguments.Count != parameterCount)
            throw Error(call.Name, $"gate '{name}' takes {parameterCount} parameter{(parameterCount == 1 ? "" : "s")} but {call.Arguments.Count} {(call.Arguments.Count == 1 ? "was" : "were")} given");
        var args = new Angle[parameterCount];
        for (int i = 0; i < parameterCount; i++) args[i] = Eval(call.Arguments[i], scope);

        // Modifiers, outermost first.
        var mods = new List<(string Kind, long Value)>();
        int controls = 0;
        foreach (var m in call.Modifiers)
        {
            switch (m.Kind)
            {
                case "inv":
                    mods.Add(("inv", 0));
                    break;
                case "pow":
                    mods.Add(("pow", EvalInteger(m.Argument!, scope, "the exponent of pow(k)", -MaxOperations, MaxOperations, "non-integer powers are not supported")));
                    break;
                default:
                    long n = m.Argument is null ? 1 : EvalInteger(m.Argument, scope, $"the control count of {m.Kind}(n)", 1, Circuit.MaxQubits);
                    controls += (int)n;
                    mods.Add((m.Kind, n));
                    break;
            }
        }

        int expected = qubitCount + controls;
        if (call.Operands.Count != expected)
        {
            string withMods = controls > 0 ? $" ({qubitCount} + {controls} control{(controls == 1 ? "" : "s")})" : "";
            throw Error(call.Operands.Count > 0 ? call.Operands[0].At : call.Name,
                $"gate '{name}' takes {expected} qubit{(expected == 1 ? "" : "s")}{withMods} but {call.Operands.Count} {(call.Operands.Count == 1 ? "was" : "were")} given");
        }

        // Resolve operands (broadcasting at the top level).
        var resolved = new int[call.Operands.Count][];
        int width = 1;
        Operand? wide = null;
        for (int i = 0; i < resolved.Length; i++)
        {
            var o = call.Operands[i];
            if (scope.Qubits is not null)
            {
                if (!scope.Qubits.TryGetValue(o.Name, out int q)) throw Error(o.At, $"'{o.Name}' is not a qubit argument of the enclosing gate");
                resolved[i] = [q];
            }
            else resolved[i] = ResolveQubits(o);
            if (resolved[i].Length != 1 || o.RangeEnd is not null || (o.Index is null && scope.Qubits is null && _qubitRegisters[o.Name] is { IsSingle: false }))
            {
                if (wide is not null && resolved[i].Length != width)
                    throw Error(o.At, $"cannot broadcast over registers of different sizes: '{wide.Name}' has {width} qubits, '{o.Name}' has {resolved[i].Length}");
                width = resolved[i].Length;
                wide = o;
            }
        }

        var result = new List<Operation>();
        for (int k = 0; k < width; k++)
        {
            var qubits = new int[resolved.Length];
            for (int i = 0; i < resolved.Length; i++) qubits[i] = resolved[i].Length == 1 ? resolved[i][0] : resolved[i][k];
            for (int i = 0; i < qubits.Length; i++)
                for (int j = 0; j < i; j++)
                    if (qubits[i] == qubits[j])
                        throw Error(call.Operands[i].At, $"qubit {QubitName(qubits[i])} appears twice in one call of gate '{name}'");
            result.AddRange(ApplyModifiers(mods, 0, qubits, args, user, builtin, scope, call));
        }
        return result;
    }

    private List<Operation> ApplyModifiers(List<(string Kind, long Value)> mods, int index, int[] qubits, Angle[] args,
        UserGate? user, OpenQasmGates.Builtin? builtin, Scope scope, GateCallStmt call)
    {
        if (index == mods.Count)
        {
            if (builtin is not null) return Count([.. builtin.Expand(args, qubits)], call);
            return Count(ExpandUser(user!, args, qubits, scope, call), call);
        }
        var (kind, value) = mods[index];
        switch (kind)
        {
            case "inv":
            {
                var inner = ApplyModifiers(mods, index + 1, qubits, args, user, builtin, scope, call);
                var r = new List<Operation>(inner.Count);
                for (int i = inner.Count - 1; i >= 0; i--) r.Add(inner[i].Inverse());
                return Count(r, call);
            }
            case "pow":
            {
                if (value == 0) return [];
                var inner = ApplyModifiers(mods, index + 1, qubits, args, user, builtin, scope, call);
                if (value < 0)
                {
                    var inv = new List<Operation>(inner.Count);
                    for (int i = inner.Count - 1; i >= 0; i--) inv.Add(inner[i].Inverse());
                    inner = inv;
                }
                long times = Math.Abs(value);
                if (times * inner.Count + _produced > MaxOperations) throw TooMany(call);
                var r = new List<Operation>((int)(times * inner.Count));
                for (long t = 0; t < times; t++) r.AddRange(inner);
                return Count(r, call);
            }
            default:
            {
                int n = (int)value;
                bool state = kind == "ctrl";
                var controlQubits = qubits[..n];
                var inner = ApplyModifiers(mods, index + 1, qubits[n..], args, user, builtin, scope, call);
                var r = new List<Operation>(inner.Count);
                foreach (var op in inner) r.Add(op.WithExtraControls(controlQubits, Enumerable.Repeat(state, n)));
                return Count(r, call);
            }
        }
    }

    private List<Operation> ExpandUser(UserGate gate, Angle[] args, int[] qubits, Scope outer, GateCallStmt call)
    {
        var def = gate.Definition;
        if (outer.Depth + 1 > MaxGateNesting)
            throw Error(call.Name, $"gate calls nest more than {MaxGateNesting} levels deep");
        var scope = new Scope { Parameters = [], Qubits = [], Depth = outer.Depth + 1 };
        for (int i = 0; i < def.Parameters.Count; i++) scope.Parameters[def.Parameters[i].Text] = args[i];
        for (int i = 0; i < def.Qubits.Count; i++) scope.Qubits[def.Qubits[i].Text] = qubits[i];
        var result = new List<Operation>();
        foreach (var s in def.Body)
        {
            try
            {
                result.AddRange(Call(s, scope));
            }
            catch (ArgumentException ex)
            {
                throw Error(s.At, Clean(ex));
            }
        }
        return result;
    }

    private List<Operation> Count(List<Operation> ops, GateCallStmt call)
    {
        _produced += ops.Count;
        if (_produced > MaxOperations) throw TooMany(call);
        return ops;
    }

    private ParseException TooMany(GateCallStmt call) =>
        Error(call.At, $"the program expands to more than {MaxOperations} operations");

    private void Emit(Operation op, GateCallStmt call)
    {
        foreach (int q in op.Qubits)
        {
            if (_measuredAt.TryGetValue(q, out var m))
                throw Error(call.At, $"gate '{call.Name.Text}' acts on qubit {QubitName(q)} after it was measured at line {m.Line}: mid-circuit measurement is not supported (only final measurements are read as the readout)");
            _touched.Add(q);
        }
        _operations.Add(op);
    }

    private void Measure(MeasureStmt m)
    {
        var qubits = ResolveQubits(m.Qubits);
        int[]? bits = m.Bits is null ? null : ResolveBits(m.Bits);
        if (bits is not null && bits.Length != qubits.Length)
            throw Error(m.Bits!.At, $"cannot measure {qubits.Length} qubit{(qubits.Length == 1 ? "" : "s")} into {bits.Length} bit{(bits.Length == 1 ? "" : "s")}");
        for (int i = 0; i < qubits.Length; i++)
        {
            int q = qubits[i];
            if (_measuredAt.TryGetValue(q, out var first))
                throw Error(m.At, $"qubit {QubitName(q)} is measured twice (first at line {first.Line}): mid-circuit measurement is not supported");
            long key;
            if (bits is not null)
            {
                if (!_bitsWritten.Add(bits[i])) throw Error(m.Bits!.At, $"classical bit {BitName(bits[i])} is written twice");
                key = bits[i];
            }
            else key = MaxBits + (long)_measurements.Count;
            _measuredAt[q] = m.At;
            _measurements.Add((q, key));
        }
    }

    private int[] ResolveQubits(Operand o)
    {
        if (!_qubitRegisters.TryGetValue(o.Name, out var reg))
        {
            if (_bitRegisters.ContainsKey(o.Name)) throw Error(o.At, $"'{o.Name}' is a bit register, not a qubit register");
            throw Error(o.At, $"unknown qubit register '{o.Name}'");
        }
        if (o.Index is null) return [.. Enumerable.Range(reg.Offset, reg.Size)];
        if (reg.IsSingle) throw Error(o.At, $"'{o.Name}' is a single qubit and cannot be indexed");
        if (o.RangeEnd is not null) return [.. Slice(o, "qubit index", reg.Name, reg.Size).Select(i => reg.Offset + i)];
        long i = EvalIndex(o.Index, $"qubit index", reg.Name, reg.Size, "register");
        return [reg.Offset + (int)i];
    }

    private int[] ResolveBits(Operand o)
    {
        if (!_bitRegisters.TryGetValue(o.Name, out var reg))
        {
            if (_qubitRegisters.ContainsKey(o.Name)) throw Error(o.At, $"'{o.Name}' is a qubit register, not a bit register");
            throw Error(o.At, $"unknown bit register '{o.Name}'");
        }
        if (o.Index is null) return [.. Enumerable.Range(reg.Offset, reg.Size)];
        if (reg.IsSingle) throw Error(o.At, $"'{o.Name}' is a single bit and cannot be indexed");
        if (o.RangeEnd is not null) return [.. Slice(o, "bit index", reg.Name, reg.Size).Select(i => reg.Offset + i)];
        long i = EvalIndex(o.Index, "bit index", reg.Name, reg.Size, "register");
        return [reg.Offset + (int)i];
    }

    /// <summary>The indices of an inclusive OpenQASM 3 slice start:end or start:step:end (step ≠ 0, may be negative).</summary>
    private List<int> Slice(Operand o, string what, string name, int size)
    {
        long start = EvalIndex(o.Index!, what, name, size, "register");
        long end = EvalIndex(o.RangeEnd!, what, name, size, "register");
        long step = o.RangeStep is null ? 1 : EvalInteger(o.RangeStep, null, "the slice step", -size, size);
        if (step == 0) throw Error(o.RangeStep!.At, "the slice step must not be 0");
        var result = new List<int>();
        for (long i = start; step > 0 ? i <= end : i >= end; i += step) result.Add((int)i);
        if (result.Count == 0) throw Error(o.At, $"the slice {name}[{start}:{(o.RangeStep is null ? "" : step + ":")}{end}] is empty");
        return result;
    }

    private long EvalIndex(Expr index, string what, string name, int size, string container)
    {
        var a = Eval(index, null);
        if (!a.IsConstant) throw Error(index.At, $"the {what} must be a constant integer");
        double v = a.ConstantValue;
        if (v != Math.Floor(v)) throw Error(index.At, $"the {what} must be an integer, got {Angle.Format(v)}");
        if (v < 0 || v >= size)
            throw Error(index.At, $"{what} {Angle.Format(v)} is out of range for {container} {name}[{size}] (0..{size - 1})");
        return (long)v;
    }

    private string QubitName(int q)
    {
        foreach (var r in _qubitRegisterOrder)
            if (q >= r.Offset && q < r.Offset + r.Size) return r.IsSingle ? r.Name : $"{r.Name}[{q - r.Offset}]";
        return $"#{q}";
    }

    private string BitName(int b)
    {
        foreach (var r in _bitRegisters.Values)
            if (b >= r.Offset && b < r.Offset + r.Size) return r.IsSingle ? r.Name : $"{r.Name}[{b - r.Offset}]";
        return $"#{b}";
    }

    // ---- expressions -------------------------------------------------------------------------------------------

    private long EvalInteger(Expr e, Scope? scope, string what, long min, long max, string? nonInteger = null)
    {
        var a = Eval(e, scope);
        if (!a.IsConstant) throw Error(e.At, $"{what} must be a constant (it may not use inputs)");
        double v = a.ConstantValue;
        if (v != Math.Floor(v)) throw Error(e.At, nonInteger is null ? $"{what} must be an integer, got {Angle.Format(v)}" : $"{nonInteger}: {what} is {Angle.Format(v)}");
        if (v < min || v > max) throw Error(e.At, $"{what} {Angle.Format(v)} is out of range (allowed: {min}..{max})");
        return (long)v;
    }

    private Angle Eval(Expr e, Scope? scope)
    {
        try
        {
            return EvalCore(e, scope);
        }
        catch (ArgumentException ex)
        {
            throw Error(e.At, Clean(ex));
        }
    }

    private int DepthOf(Angle a) => _angleDepth.TryGetValue(a, out int d) ? d : 1;

    /// <summary>Records the tree depth of a composed angle, so that evaluating it later cannot exhaust the stack.</summary>
    private Angle Track(Angle result, Angle left, Angle? right = null)
    {
        if (result.IsConstant || result.IsAffine) return result;
        int depth = 1 + Math.Max(DepthOf(left), right is null ? 0 : DepthOf(right));
        if (depth > MaxAngleDepth)
            throw Error(_evaluating, $"the angle expression is nested more than {MaxAngleDepth} levels deep (through nested gate parameters)");
        _angleDepth[result] = depth;
        return result;
    }

    private Angle EvalCore(Expr e, Scope? scope)
    {
        _evaluating = e.At;
        switch (e)
        {
            case NumberExpr n:
                return Angle.Constant(n.Value);
            case NameExpr n:
                return Name(n, scope);
            case IndexExpr ix:
            {
                if (!_inputs.TryGetValue(ix.Name, out var v) || !v.IsArray)
                {
                    if (_qubitRegisters.ContainsKey(ix.Name) || _bitRegisters.ContainsKey(ix.Name))
                        throw Error(ix.At, $"'{ix.Name}' is a register and cannot be used in an expression");
                    throw Error(ix.At, $"'{ix.Name}' is not an input array");
                }
                long i = EvalIndex(ix.Index, "index", ix.Name, v.Kinds.Length, "input array");
                return Angle.Affine(v.Kinds[i], v.Indices[i], 1.0, 0.0);
            }
            case UnaryExpr u:
            {
                var a = Eval(u.Operand, scope);
                _evaluating = u.At;
                return u.Op == "-" ? Track(-a, a) : a;
            }
            case BinaryExpr b:
            {
                // A left-associative chain (1+1+…+1) is a left spine as long as the chain: walk it with a loop, so
                // the recursion depth follows the nesting of parentheses and calls, never the chain's length.
                var spine = new Stack<BinaryExpr>();
                Expr leftmost = b;
                while (leftmost is BinaryExpr lb)
                {
                    spine.Push(lb);
                    leftmost = lb.Left;
                }
                var acc = Eval(leftmost, scope);
                while (spine.Count > 0) acc = Combine(spine.Pop(), acc, scope);
                return acc;
            }
            case CallExpr c:
            {
                AngleFunction? f = c.Function switch
                {
                    "sin" => AngleFunction.Sin,
                    "cos" => AngleFunction.Cos,
                    "tan" => AngleFunction.Tan,
                    "exp" => AngleFunction.Exp,
                    "ln" => AngleFunction.Ln,
                    "log" => AngleFunction.Ln,
                    "sqrt" => AngleFunction.Sqrt,
                    "arcsin" or "asin" => AngleFunction.Arcsin,
                    "arccos" or "acos" => AngleFunction.Arccos,
                    "arctan" or "atan" => AngleFunction.Arctan,
                    _ => null,
                };
                if (f is null)
                {
                    if (c.Function is "float" or "angle" or "int" or "uint")
                    {
                        if (c.Arguments.Count != 1) throw Error(c.At, $"the cast {c.Function}(…) takes one argument");
                        return Eval(c.Arguments[0], scope);
                    }
                    throw Error(c.At, $"unknown function '{c.Function}' (known: sin, cos, tan, exp, ln, sqrt, arcsin, arccos, arctan)");
                }
                if (c.Arguments.Count != 1)
                    throw Error(c.At, $"'{c.Function}' takes one argument but {c.Arguments.Count} were given");
                var argument = Eval(c.Arguments[0], scope);
                _evaluating = c.At;
                return Track(Angle.Apply(f.Value, argument), argument);
            }
            default:
                throw Error(e.At, "unsupported expression");
        }
    }

    /// <summary>Applies one binary node to its already evaluated left operand.</summary>
    private Angle Combine(BinaryExpr b, Angle l, Scope? scope)
    {
        var r = Eval(b.Right, scope);
        _evaluating = b.OpToken;
        switch (b.Op)
        {
            case "+": return Track(l + r, l, r);
            case "-": return Track(l - r, l, r);
            case "*": return Track(l * r, l, r);
            case "/":
                if (r.IsConstant && r.ConstantValue == 0) throw Error(b.OpToken, "division by zero");
                return Track(l / r, l, r);
            case "**": return Track(Angle.Pow(l, r), l, r);
            case "%":
                if (!l.IsConstant || !r.IsConstant) throw Error(b.OpToken, "'%' is only supported between constants");
                if (r.ConstantValue == 0) throw Error(b.OpToken, "modulo by zero");
                return Angle.Constant(l.ConstantValue % r.ConstantValue);
            default:
                throw Error(b.OpToken, $"unsupported operator '{b.Op}'");
        }
    }

    private Angle Name(NameExpr n, Scope? scope)
    {
        if (scope?.Parameters is { } ps && ps.TryGetValue(n.Name, out var p)) return p;
        if (_constants.TryGetValue(n.Name, out var c))
            return c ?? throw Error(n.At, $"the variable '{n.Name}' has no value (declare it with an initial constant value)");
        if (_inputs.TryGetValue(n.Name, out var v))
        {
            if (v.IsArray) throw Error(n.At, $"'{n.Name}' is an input array; use an element such as {n.Name}[0] (0..{v.Kinds.Length - 1})");
            return Angle.Affine(v.Kinds[0], v.Indices[0], 1.0, 0.0);
        }
        switch (n.Name)
        {
            case "pi" or "π": return Angle.Constant(Math.PI);
            case "tau" or "τ": return Angle.Constant(2 * Math.PI);
            case "e" or "euler" or "ℇ": return Angle.Constant(Math.E);
        }
        if (_qubitRegisters.ContainsKey(n.Name) || _bitRegisters.ContainsKey(n.Name))
            throw Error(n.At, $"'{n.Name}' is a register and cannot be used in an expression (measurement results cannot steer gates)");
        throw Error(n.At, $"unknown identifier '{n.Name}'");
    }

    private Circuit Finish()
    {
        foreach (var (name, origin) in _inputRequestOrigin)
        {
            if (_inputs.ContainsKey(name) || _inputNames.Contains(name)) continue;
            string declared = _inputs.Count == 0 ? "none" : string.Join(", ", _inputs.Keys);
            string message = $"'{name}' is named as a data input but no 'input' declaration has that name (declared inputs: {declared})";
            var at = origin ?? new Token(TokenKind.EndOfFile, "", 1, 1);
            throw Error(at, origin is null ? message + " (named in the load options)" : message);
        }
        if (_qubitCount == 0)
            throw Error(_current.Line == 0 ? new Token(TokenKind.EndOfFile, "", 1, 1) : _current, "the program declares no qubits (expected e.g. 'qubit[2] q;' or 'qreg q[2];')");
        var measured = _measurements.OrderBy(m => m.Key).Select(m => m.Qubit);
        return new Circuit(_qubitCount, _operations, _parameterNames, _inputNames, measured);
    }
}
