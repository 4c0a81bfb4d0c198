using System.Globalization;
using System.Text;
using QnnSim.Circuits;

namespace QnnSim.Interop;

/// <summary>
/// QIR base profile (LLVM IR text, <c>.ll</c>) reader and writer.
/// </summary>
/// <remarks>
/// <para>The reader accepts what Microsoft's QDK emits for the base profile (QIR Alliance, "QIR Base Profile"
/// specification, https://github.com/qir-alliance/qir-spec): one entry function whose body is a straight line of
/// <c>call void @__quantum__qis__NAME__body(…)</c> (or <c>__adj</c>) instructions on static qubit and result pointers
/// (<c>inttoptr (i64 N to %Qubit*)</c>, <c>null</c> for 0, typed or opaque <c>ptr</c>), runtime calls
/// <c>__quantum__rt__*</c> (ignored), labels, <c>br label</c> and <c>ret</c>. Intrinsics: h, x, y, z, s, s__adj,
/// t, t__adj, sx, rx, ry, rz, rxx, ryy, rzz, cx, cy, cz, ccx, swap, m, mresetz, reset. Measurements must come after
/// every gate on their qubit; they become <see cref="Circuit.MeasuredQubits"/> in result-index order. A reset is
/// allowed on a qubit no gate has touched yet (a no-op), or after its last gate or its measurement (it discards the
/// qubit; a later gate on it is an error).</para>
/// <para>QIR pointers are qubit indices, so qubit N of the file is qubit N of the circuit (the least significant bit
/// of QnnSim's basis index is qubit 0); no reordering happens.</para>
/// </remarks>
public static class Qir
{
    /// <summary>Most gates a QIR file may hold (as many as an OpenQASM program may expand to); past it the reader refuses.</summary>
    public const int MaxOperations = 1_000_000;

    private const string QisPrefix = "__quantum__qis__";
    private const string RtPrefix = "__quantum__rt__";

    private enum Arg { Double, Qubit, Result }

    private static readonly Dictionary<string, Arg[]> Signatures = new()
    {
        ["h"] = [Arg.Qubit], ["x"] = [Arg.Qubit], ["y"] = [Arg.Qubit], ["z"] = [Arg.Qubit],
        ["s"] = [Arg.Qubit], ["s__adj"] = [Arg.Qubit], ["t"] = [Arg.Qubit], ["t__adj"] = [Arg.Qubit],
        ["sx"] = [Arg.Qubit],
        ["rx"] = [Arg.Double, Arg.Qubit], ["ry"] = [Arg.Double, Arg.Qubit], ["rz"] = [Arg.Double, Arg.Qubit],
        ["rxx"] = [Arg.Double, Arg.Qubit, Arg.Qubit], ["ryy"] = [Arg.Double, Arg.Qubit, Arg.Qubit],
        ["rzz"] = [Arg.Double, Arg.Qubit, Arg.Qubit],
        ["cx"] = [Arg.Qubit, Arg.Qubit], ["cy"] = [Arg.Qubit, Arg.Qubit], ["cz"] = [Arg.Qubit, Arg.Qubit],
        ["ccx"] = [Arg.Qubit, Arg.Qubit, Arg.Qubit], ["swap"] = [Arg.Qubit, Arg.Qubit],
        ["m"] = [Arg.Qubit, Arg.Result], ["mz"] = [Arg.Qubit, Arg.Result], ["mresetz"] = [Arg.Qubit, Arg.Result],
        ["reset"] = [Arg.Qubit],
    };

    /// <summary>The <c>__quantum__qis__</c> intrinsics the reader understands (without the <c>__body</c> suffix).</summary>
    public static IReadOnlyCollection<string> SupportedIntrinsics => Signatures.Keys;

    /// <summary>Reads a QIR file (see <see cref="Parse"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ParseException">The text is not base-profile QIR QnnSim understands.</exception>
    public static Circuit Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Reads base-profile QIR text into a circuit without parameters: the gates in order, and the final measurements
    /// as <see cref="Circuit.MeasuredQubits"/> (ordered by result index). The qubit count is the larger of the
    /// <c>required_num_qubits</c> attribute and the highest qubit used plus one.
    /// </summary>
    /// <param name="text">The LLVM IR text.</param>
    /// <param name="sourceName">File name used in error messages.</param>
    /// <exception cref="ParseException">
    /// An unknown intrinsic, a malformed argument, an instruction outside the base profile, a gate on a qubit after its
    /// measurement, a mid-circuit reset, more than one defined function, or more than 30 qubits; the message names
    /// the file, line and column.
    /// </exception>
    public static Circuit Parse(string text, string sourceName = "<qir>")
    {
        ArgumentNullException.ThrowIfNull(text);
        sourceName ??= "<qir>";
        var ops = new List<Operation>();
        var touched = new HashSet<int>();                  // qubits some gate acted on
        var measured = new Dictionary<int, (int Result, int Line)>(); // qubit -> result
        var resultOwner = new Dictionary<int, int>();       // result -> qubit
        var discarded = new Dictionary<int, int>();         // qubit reset after its gates -> line
        int maxQubit = -1, declaredQubits = -1;
        bool inFunction = false, sawFunction = false;
        string[] lines = text.Split('\n');
        for (int li = 0; li < lines.Length; li++)
        {
            int lineNo = li + 1;
            string raw = lines[li].TrimEnd('\r');
            string line = StripComment(raw);
            string trimmed = line.Trim();
            if (trimmed.Length == 0) continue;
            int indent = line.Length - line.TrimStart().Length;
            ParseException Error(int column, string detail) => new(sourceName, lineNo, column, detail);

            if (!inFunction)
            {
                if (trimmed.StartsWith("define ", StringComparison.Ordinal))
                {
                    if (sawFunction)
                        throw Error(indent + 1, "a second function definition: base-profile QIR has exactly one (the entry point).");
                    if (!trimmed.EndsWith('{'))
                        throw Error(indent + 1, "expected '{' at the end of the function definition.");
                    inFunction = sawFunction = true;
                }
                else if (trimmed.StartsWith("attributes ", StringComparison.Ordinal))
                {
                    int k = trimmed.IndexOf("\"required_num_qubits\"=\"", StringComparison.Ordinal);
                    if (k >= 0)
                    {
                        int start = k + "\"required_num_qubits\"=\"".Length;
                        int end = trimmed.IndexOf('"', start);
                        if (end < 0 || !int.TryParse(trimmed.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out declaredQubits))
                            throw Error(indent + start + 1, "malformed required_num_qubits attribute (expected a non-negative integer).");
                    }
                }
                // Type definitions, globals, declarations, attributes and metadata carry no gates.
                continue;
            }

            if (trimmed == "}") { inFunction = false; continue; }
            if (trimmed.EndsWith(':') && !trimmed.Contains(' ')) continue; // block label
            if (trimmed.StartsWith("ret", StringComparison.Ordinal) || trimmed.StartsWith("br label ", StringComparison.Ordinal)) continue;
            if (!trimmed.StartsWith("call ", StringComparison.Ordinal) && !trimmed.StartsWith("tail call ", StringComparison.Ordinal))
                throw Error(indent + 1, $"unsupported instruction '{Shorten(trimmed)}': base-profile QIR has only calls, 'br label' and 'ret' in its entry point.");

            int at = line.IndexOf('@');
            if (at < 0) throw Error(indent + 1, "expected '@function' in the call.");
            int open = line.IndexOf('(', at);
            if (open < 0) throw Error(at + 1, "expected '(' after the function name.");
            string callee = line[(at + 1)..open];
            if (!trimmed.StartsWith("call void", StringComparison.Ordinal) && !trimmed.StartsWith("tail call void", StringComparison.Ordinal))
                throw Error(indent + 1, $"unsupported call of @{callee}: only 'call void' appears in base-profile QIR (a value-returning call needs the adaptive profile).");
            int close = FindClosing(line, open);
            if (close < 0) throw Error(open + 1, "unbalanced parentheses in the call.");
            if (callee.StartsWith(RtPrefix, StringComparison.Ordinal)) continue; // initialize, output recording
            if (!callee.StartsWith(QisPrefix, StringComparison.Ordinal))
                throw Error(at + 1, $"call of unknown function @{callee}: only __quantum__qis__ intrinsics and __quantum__rt__ runtime calls are supported.");

            string name = callee[QisPrefix.Length..];
            if (name.EndsWith("__body", StringComparison.Ordinal)) name = name[..^"__body".Length];
            else if (name.EndsWith("__adj", StringComparison.Ordinal)) name = name[..^"__adj".Length] + "__adj";
            if (!Signatures.TryGetValue(name, out var signature))
                throw Error(at + 1, $"unsupported intrinsic @{callee} (supported: {string.Join(", ", Signatures.Keys.Where(k => k != "mz"))}, with the __body suffix).");

            var args = SplitArguments(line, open + 1, close);
            if (args.Count != signature.Length)
                throw Error(open + 1, $"@{callee} takes {signature.Length} arguments, got {args.Count}.");
            var qubits = new List<int>();
            double angle = 0;
            int result = -1;
            for (int a = 0; a < args.Count; a++)
            {
                var (argText, argColumn) = args[a];
                switch (signature[a])
                {
                    case Arg.Double:
                        angle = ParseDouble(argText, argColumn, Error);
                        break;
                    case Arg.Qubit:
                        int q = ParsePointer(argText, argColumn, "%Qubit*", Error);
                        if (q >= Circuit.MaxQubits)
                            throw Error(argColumn, $"qubit {q} is out of range: QnnSim simulates at most {Circuit.MaxQubits} qubits (0..{Circuit.MaxQubits - 1}).");
                        if (qubits.Contains(q)) throw Error(argColumn, $"qubit {q} appears twice in @{callee}.");
                        qubits.Add(q);
                        break;
                    case Arg.Result:
                        result = ParsePointer(argText, argColumn, "%Result*", Error);
                        break;
                }
            }
            foreach (int q in qubits) maxQubit = Math.Max(maxQubit, q);

            if (name is "m" or "mz" or "mresetz")
            {
                int q = qubits[0];
                if (measured.ContainsKey(q))
                    throw Error(at + 1, $"qubit {q} is measured a second time (first on line {measured[q].Line}): only final measurements are supported.");
                if (resultOwner.TryGetValue(result, out int other))
                    throw Error(at + 1, $"result {result} is written twice (qubits {other} and {q}).");
                measured[q] = (result, lineNo);
                resultOwner[result] = q;
                continue;
            }
            if (name == "reset")
            {
                // Before any gate the qubit is |0⟩ and a reset does nothing; after its last gate it discards the qubit.
                int q = qubits[0];
                if (touched.Contains(q) && !measured.ContainsKey(q)) discarded.TryAdd(q, lineNo);
                continue;
            }
            foreach (int q in qubits)
            {
                if (measured.TryGetValue(q, out var m))
                    throw Error(at + 1, $"@{callee} acts on qubit {q} after its measurement on line {m.Line}: mid-circuit measurement is not supported (QnnSim imports the unitary part and the final measurements).");
                if (discarded.TryGetValue(q, out int resetLine))
                    throw Error(at + 1, $"@{callee} acts on qubit {q} after its reset on line {resetLine}: a mid-circuit reset is not unitary (QnnSim imports the unitary part and the final measurements).");
            }
            foreach (int q in qubits) touched.Add(q);
            if (ops.Count == MaxOperations) throw Error(at + 1, $"more than {MaxOperations} gates (the most a QIR file may hold).");
            ops.Add(MakeOperation(name, qubits, angle));
        }
        if (inFunction) throw new ParseException(sourceName, lines.Length, 1, "unexpected end of text inside the function body (missing '}').");
        if (!sawFunction) throw new ParseException(sourceName, 1, 1, "no function definition found: expected 'define … @ENTRYPOINT__main() #0 { … }'.");
        int qubitCount = Math.Max(Math.Max(declaredQubits, maxQubit + 1), 1);
        if (qubitCount > Circuit.MaxQubits)
            throw new ParseException(sourceName, 1, 1, $"required_num_qubits = {qubitCount} exceeds the {Circuit.MaxQubits} qubits QnnSim simulates (allowed: 1..{Circuit.MaxQubits}).");
        var readout = resultOwner.OrderBy(kv => kv.Key).Select(kv => kv.Value);
        return new Circuit(qubitCount, ops, measuredQubits: readout);
    }

    private static Operation MakeOperation(string name, List<int> q, double angle) => name switch
    {
        "h" => new Operation(GateKind.H, [q[0]]),
        "x" => new Operation(GateKind.X, [q[0]]),
        "y" => new Operation(GateKind.Y, [q[0]]),
        "z" => new Operation(GateKind.Z, [q[0]]),
        "s" => new Operation(GateKind.S, [q[0]]),
        "s__adj" => new Operation(GateKind.Sdg, [q[0]]),
        "t" => new Operation(GateKind.T, [q[0]]),
        "t__adj" => new Operation(GateKind.Tdg, [q[0]]),
        "sx" => new Operation(GateKind.SX, [q[0]]),
        "rx" => new Operation(GateKind.Rx, [q[0]], [Angle.Constant(angle)]),
        "ry" => new Operation(GateKind.Ry, [q[0]], [Angle.Constant(angle)]),
        "rz" => new Operation(GateKind.Rz, [q[0]], [Angle.Constant(angle)]),
        "rxx" => new Operation(GateKind.Rxx, [q[0], q[1]], [Angle.Constant(angle)]),
        "ryy" => new Operation(GateKind.Ryy, [q[0], q[1]], [Angle.Constant(angle)]),
        "rzz" => new Operation(GateKind.Rzz, [q[0], q[1]], [Angle.Constant(angle)]),
        "cx" => new Operation(GateKind.X, [q[1]], controls: [q[0]]),
        "cy" => new Operation(GateKind.Y, [q[1]], controls: [q[0]]),
        "cz" => new Operation(GateKind.Z, [q[1]], controls: [q[0]]),
        "ccx" => new Operation(GateKind.X, [q[2]], controls: [q[0], q[1]]),
        "swap" => new Operation(GateKind.Swap, [q[0], q[1]]),
        _ => throw new System.Diagnostics.UnreachableException($"intrinsic {name} has a signature but no operation"),
    };

    private static string StripComment(string line)
    {
        bool inString = false;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '"') inString = !inString;
            else if (line[i] == ';' && !inString) return line[..i];
        }
        return line;
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    private static int FindClosing(string line, int open)
    {
        int depth = 0;
        for (int i = open; i < line.Length; i++)
        {
            if (line[i] == '(') depth++;
            else if (line[i] == ')' && --depth == 0) return i;
        }
        return -1;
    }

    /// <summary>Top-level comma-separated arguments between <paramref name="begin"/> and <paramref name="end"/>, with 1-based columns.</summary>
    private static List<(string Text, int Column)> SplitArguments(string line, int begin, int end)
    {
        var result = new List<(string, int)>();
        int depth = 0, start = begin;
        for (int i = begin; i <= end; i++)
        {
            char c = i < end ? line[i] : ',';
            if (c == '(' || c == '[') depth++;
            else if (c == ')' || c == ']') depth--;
            else if (c == ',' && depth == 0)
            {
                string piece = line[start..i];
                int lead = piece.Length - piece.TrimStart().Length;
                if (piece.Trim().Length > 0 || result.Count > 0 || i < end) result.Add((piece.Trim(), start + lead + 1));
                start = i + 1;
            }
        }
        if (result.Count == 1 && result[0].Item1.Length == 0) result.Clear();
        return result;
    }

    private static double ParseDouble(string arg, int column, Func<int, string, ParseException> error)
    {
        if (!arg.StartsWith("double ", StringComparison.Ordinal))
            throw error(column, $"expected a 'double' angle argument, got '{Shorten(arg)}'.");
        string lit = arg["double ".Length..].Trim();
        double v;
        if (lit.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (!ulong.TryParse(lit.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong bits))
                throw error(column + 7, $"malformed hexadecimal double '{lit}'.");
            v = BitConverter.UInt64BitsToDouble(bits);
        }
        else if (!double.TryParse(lit, NumberStyles.Float, CultureInfo.InvariantCulture, out v))
            throw error(column + 7, $"malformed double literal '{lit}'.");
        if (!double.IsFinite(v)) throw error(column + 7, $"the angle {lit} is not a finite real number.");
        return v;
    }

    /// <summary>Parses <c>%Qubit* null</c>, <c>%Qubit* inttoptr (i64 N to %Qubit*)</c> or the opaque <c>ptr</c> forms.</summary>
    private static int ParsePointer(string arg, int column, string typedName, Func<int, string, ParseException> error)
    {
        string rest;
        if (arg.StartsWith(typedName, StringComparison.Ordinal)) rest = arg[typedName.Length..].Trim();
        else if (arg.StartsWith("ptr ", StringComparison.Ordinal)) rest = arg[4..].Trim();
        else throw error(column, $"expected a {typedName} argument, got '{Shorten(arg)}'.");
        if (rest == "null") return 0;
        const string head = "inttoptr (i64 ";
        if (rest.StartsWith(head, StringComparison.Ordinal))
        {
            int to = rest.IndexOf(" to ", StringComparison.Ordinal);
            if (to > head.Length && rest.EndsWith(')') &&
                int.TryParse(rest.AsSpan(head.Length, to - head.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                return index;
        }
        throw error(column, $"expected a static pointer 'null' or 'inttoptr (i64 N to {typedName})', got '{Shorten(arg)}' (dynamic qubit or result management is not base profile).");
    }

    /// <summary>
    /// Writes a circuit as QIR base profile, with every angle evaluated at the given θ and x, and the circuit's
    /// <see cref="Circuit.MeasuredQubits"/> as final <c>m</c> calls whose results are recorded as an array.
    /// </summary>
    /// <remarks>
    /// <para>QIR has no global phase, so gates are written up to one: P(λ) = e^{iλ/2} Rz(λ) becomes rz(λ);
    /// U(θ, φ, λ) becomes rz(λ) ry(θ) rz(φ); a one-qubit dense unitary its Z-Y-Z Euler angles; an uncontrolled
    /// global phase is dropped. Gates QIR lacks are decomposed exactly up to that phase: S/T adjoints map to
    /// s__adj/t__adj, SX† = X·SX, iSWAP = Rxx(−π/2)·Ryy(−π/2), Pauli rotations become basis changes, a CNOT ladder and rz;
    /// a singly controlled one-qubit gate uses the A·X·B·X·C decomposition with a phase rz on the control
    /// (Nielsen and Chuang, Quantum Computation and Quantum Information, Cor. 4.2 and Fig. 4.6); a one-qubit gate U with
    /// n ≥ 2 controls (other than CCX) the ancilla-free recursion of Barenco et al., Phys. Rev. A 52, 3457 (1995),
    /// Lemma 7.5, with V² = U; a controlled global phase is a controlled P on the last control; a controlled SWAP is
    /// CX·C^{n+1}X·CX; controlled Rxx/Ryy/Rzz, Pauli rotations and iSWAP keep their basis changes and CNOT ladders
    /// uncontrolled and control only the middle rz; dense unitaries on k = 2..10 qubits use the quantum Shannon
    /// decomposition (Shende, Bullock and Markov, IEEE TCAD 25, 1000 (2006)) into (3/4)·4^k − (3/2)·2^k cx, as many
    /// ry/rz and 4^{k−1} one-qubit unitaries, each then written as above; negative controls are conjugated by x. The state written therefore equals
    /// QnnSim's up to a global phase.</para>
    /// </remarks>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ (empty when the circuit has no parameters).</param>
    /// <param name="inputs">x (empty when the circuit has no inputs).</param>
    /// <exception cref="ArgumentException">θ or x has the wrong length.</exception>
    /// <exception cref="NotSupportedException">A dense unitary on more than 10 qubits (the decomposition has
    /// (7/4)·4^k − 3·2^k gates; the message names k, the cap and the count; thrown before any text is produced).</exception>
    public static string Write(Circuit circuit, ParameterValues parameters = default, InputValues inputs = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        Simulation.Simulator.ValidateValues(circuit, parameters, inputs);
        ExportChecks.RefuseNoise(circuit, "QIR");
        UnitaryDecomposition.CheckDenseSizes(circuit, "QIR");
        var body = new QirGateWriter(parameters.Values.ToArray(), inputs.Values.ToArray());
        for (int i = 0; i < circuit.Operations.Length; i++)
            body.Write(circuit.Operations[i], i);
        return body.Render(circuit.QubitCount, circuit.MeasuredQubits);
    }

    internal static string FormatDouble(double v)
    {
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        // LLVM's decimal floating-point literals need a '.' before any exponent.
        if (!s.Contains('.'))
        {
            int e = s.IndexOfAny(['E', 'e']);
            s = e < 0 ? s + ".0" : s[..e] + ".0" + s[e..];
        }
        return s;
    }
}
