using System.Globalization;
using System.Numerics;
using System.Text;
using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Interop.OpenQasmSyntax;

/// <summary>
/// Writes a <see cref="Circuit"/> as OpenQASM 3 that <see cref="OpenQasm.Parse"/> reads back exactly: same names and
/// roles of parameters and inputs, same action on every state including the global phase.
/// </summary>
internal static class OpenQasmWriter
{
    public static string Write(Circuit circuit)
    {
        ExportChecks.RefuseNoise(circuit, "OpenQASM");
        UnitaryDecomposition.CheckDenseSizes(circuit, "OpenQASM");
        var sb = new StringBuilder();
        sb.Append("OPENQASM 3.0;\n");
        sb.Append("include \"stdgates.inc\";\n");

        // Variables: names "base[i]" form input arrays, other names are scalars.
        var groups = GroupVariables(circuit);
        var inputNames = new List<string>();
        foreach (var g in groups)
        {
            if (g.IsArray && g.Kinds.All(k => k == VariableKind.Input)) inputNames.Add(g.Name);
            else if (g.IsArray)
            {
                for (int i = 0; i < g.Kinds.Length; i++)
                    if (g.Kinds[i] == VariableKind.Input) inputNames.Add($"{g.Name}[{i}]");
            }
            else if (g.Kinds[0] == VariableKind.Input) inputNames.Add(g.Name);
        }
        if (inputNames.Count > 0) sb.Append("#pragma qnnsim inputs ").Append(string.Join(' ', inputNames)).Append('\n');
        foreach (var g in groups)
        {
            sb.Append(g.IsArray ? $"input array[float[64], {g.Kinds.Length}] {g.Name};\n" : $"input float[64] {g.Name};\n");
        }

        var used = new HashSet<string>(groups.Select(g => g.Name));
        string q = FreeName("q", used);
        used.Add(q);
        string c = FreeName("c", used);

        // One gate definition per Pauli pattern.
        var patterns = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var op in circuit.Operations)
            if (op.Kind == GateKind.PauliRotation) patterns.Add(string.Concat(op.PauliFactors.Select(p => p.ToString())));
        foreach (var p in patterns) WritePauliGate(sb, p);

        sb.Append($"qubit[{circuit.QubitCount}] {q};\n");
        if (!circuit.MeasuredQubits.IsEmpty) sb.Append($"bit[{circuit.MeasuredQubits.Length}] {c};\n");

        Func<VariableKind, int, string> name = (k, i) => k == VariableKind.Parameter ? circuit.ParameterNames[i] : circuit.InputNames[i];
        for (int i = 0; i < circuit.Operations.Length; i++) WriteOperation(sb, circuit.Operations[i], i, q, name);

        for (int i = 0; i < circuit.MeasuredQubits.Length; i++)
            sb.Append($"{c}[{i}] = measure {q}[{circuit.MeasuredQubits[i]}];\n");
        return sb.ToString();
    }

    private sealed record VariableGroup(string Name, bool IsArray, VariableKind[] Kinds);

    private static List<VariableGroup> GroupVariables(Circuit circuit)
    {
        var order = new List<string>();
        var scalars = new Dictionary<string, VariableKind>();
        var arrays = new Dictionary<string, Dictionary<int, VariableKind>>();
        void Visit(string n, VariableKind kind)
        {
            int open = n.IndexOf('[');
            if (open > 0 && n.EndsWith(']') && int.TryParse(n.AsSpan(open + 1, n.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out int idx)
                && idx.ToString(CultureInfo.InvariantCulture) == n[(open + 1)..^1])
            {
                string b = n[..open];
                CheckIdentifier(b, n);
                if (scalars.ContainsKey(b)) throw new NotSupportedException($"the variable names '{b}' and '{n}' cannot both be written: OpenQASM would declare '{b}' twice.");
                if (!arrays.TryGetValue(b, out var elements)) { arrays[b] = elements = []; order.Add(b); }
                elements[idx] = kind;
                return;
            }
            CheckIdentifier(n, n);
            if (arrays.ContainsKey(n)) throw new NotSupportedException($"the variable name '{n}' is also used as an array name ('{n}[…]'); OpenQASM would declare it twice.");
            scalars[n] = kind;
            order.Add(n);
        }
        foreach (var n in circuit.ParameterNames) Visit(n, VariableKind.Parameter);
        foreach (var n in circuit.InputNames) Visit(n, VariableKind.Input);

        var result = new List<VariableGroup>();
        foreach (var n in order)
        {
            if (scalars.TryGetValue(n, out var k)) { result.Add(new VariableGroup(n, false, [k])); continue; }
            var elements = arrays[n];
            int size = elements.Count;
            var kinds = new VariableKind[size];
            for (int i = 0; i < size; i++)
            {
                if (!elements.TryGetValue(i, out kinds[i]))
                    throw new NotSupportedException($"the array variable '{n}' has elements {string.Join(", ", elements.Keys.Order().Select(j => $"{n}[{j}]"))}; OpenQASM input arrays need every element {n}[0] … {n}[{size - 1}].");
            }
            result.Add(new VariableGroup(n, true, kinds));
        }
        return result;
    }

    private static readonly HashSet<string> Reserved =
    [
        "OPENQASM", "include", "qubit", "qreg", "creg", "bit", "input", "output", "const", "gate", "barrier", "measure", "reset",
        "if", "else", "while", "for", "in", "def", "return", "break", "continue", "end", "switch", "case", "default", "box",
        "delay", "extern", "defcal", "defcalgrammar", "cal", "opaque", "let", "float", "int", "uint", "angle", "bool",
        "complex", "duration", "stretch", "array", "inv", "pow", "ctrl", "negctrl", "gphase", "U", "true", "false",
        "pi", "π", "tau", "τ", "e", "euler", "ℇ", "im",
    ];

    private static void CheckIdentifier(string identifier, string fullName)
    {
        bool ok = identifier.Length > 0 && OpenQasmLexer.IsIdentifierStart(identifier[0]) && identifier[0] != '$' &&
                  identifier.Skip(1).All(OpenQasmLexer.IsIdentifierPart) && !Reserved.Contains(identifier);
        if (!ok)
            throw new NotSupportedException($"the variable name '{fullName}' cannot be written as an OpenQASM identifier (letters, digits and '_', not starting with a digit, not a keyword such as 'pi' or 'input').");
    }

    private static string FreeName(string preferred, HashSet<string> used)
    {
        string n = preferred;
        while (used.Contains(n)) n += "_";
        return n;
    }

    private static string PauliGateName(string pattern) => "pauli_" + pattern.ToLowerInvariant();

    /// <summary>
    /// exp(−iφP/2) = V† exp(−iφ Z⊗…⊗Z/2) V with V = H on X factors and Rx(π/2) on Y factors (Rx(π/2) Y Rx(−π/2) = Z),
    /// and exp(−iφ Z⊗…⊗Z/2) = CX ladder · Rz(φ) on the last qubit · CX ladder reversed. Exact, global phase included.
    /// </summary>
    private static void WritePauliGate(StringBuilder sb, string pattern)
    {
        int k = pattern.Length;
        var args = Enumerable.Range(0, k).Select(i => $"a{i}").ToArray();
        sb.Append($"gate {PauliGateName(pattern)}(phi) {string.Join(", ", args)} {{\n");
        for (int i = 0; i < k; i++)
        {
            if (pattern[i] == 'X') sb.Append($"  h {args[i]};\n");
            else if (pattern[i] == 'Y') sb.Append($"  rx(pi/2) {args[i]};\n");
        }
        for (int i = 0; i + 1 < k; i++) sb.Append($"  cx {args[i]}, {args[i + 1]};\n");
        sb.Append($"  rz(phi) {args[k - 1]};\n");
        for (int i = k - 2; i >= 0; i--) sb.Append($"  cx {args[i]}, {args[i + 1]};\n");
        for (int i = 0; i < k; i++)
        {
            if (pattern[i] == 'X') sb.Append($"  h {args[i]};\n");
            else if (pattern[i] == 'Y') sb.Append($"  rx(-pi/2) {args[i]};\n");
        }
        sb.Append("}\n");
    }

    /// <summary>stdgates.inc names of gates with one (or two, for ccx) positive controls, for readable output.</summary>
    private static string? StandardControlledName(Operation op)
    {
        if (op.ControlStates.Any(s => !s)) return null;
        return (op.Controls.Length, op.Kind) switch
        {
            (1, GateKind.X) => "cx",
            (1, GateKind.Y) => "cy",
            (1, GateKind.Z) => "cz",
            (1, GateKind.H) => "ch",
            (1, GateKind.Phase) => "cp",
            (1, GateKind.Rx) => "crx",
            (1, GateKind.Ry) => "cry",
            (1, GateKind.Rz) => "crz",
            (1, GateKind.Swap) => "cswap",
            (2, GateKind.X) => "ccx",
            _ => null,
        };
    }

    private static void WriteOperation(StringBuilder sb, Operation op, int index, string q, Func<VariableKind, int, string> name)
    {
        if (StandardControlledName(op) is { } standard)
        {
            string operands = string.Join(", ", op.Controls.Concat(op.Targets).Select(t => $"{q}[{t}]"));
            string arguments = op.Angles.IsEmpty ? "" : "(" + string.Join(", ", op.Angles.Select(a => FormatAngle(a, name))) + ")";
            sb.Append(standard).Append(arguments).Append(' ').Append(operands).Append(";\n");
            return;
        }
        var modifiers = new StringBuilder();
        int i = 0;
        while (i < op.Controls.Length)
        {
            bool state = op.ControlStates[i];
            int j = i;
            while (j < op.Controls.Length && op.ControlStates[j] == state) j++;
            int n = j - i;
            modifiers.Append(state ? "ctrl" : "negctrl").Append(n == 1 ? "" : $"({n})").Append(" @ ");
            i = j;
        }
        string controls = string.Concat(op.Controls.Select(cq => $"{q}[{cq}], "));
        string targets = string.Join(", ", op.Targets.Select(t => $"{q}[{t}]"));
        string A(int k) => FormatAngle(op.Angles[k], name);
        void Line(string gate, string operands) =>
            sb.Append(modifiers).Append(gate).Append(operands.Length > 0 ? " " + operands : "").Append(";\n");

        string all = controls + targets;
        switch (op.Kind)
        {
            case GateKind.Identity: Line("id", all); break;
            case GateKind.H: Line("h", all); break;
            case GateKind.X: Line("x", all); break;
            case GateKind.Y: Line("y", all); break;
            case GateKind.Z: Line("z", all); break;
            case GateKind.S: Line("s", all); break;
            case GateKind.Sdg: Line("sdg", all); break;
            case GateKind.T: Line("t", all); break;
            case GateKind.Tdg: Line("tdg", all); break;
            case GateKind.SX: Line("sx", all); break;
            case GateKind.SXdg: Line("sxdg", all); break;
            case GateKind.Phase: Line($"p({A(0)})", all); break;
            case GateKind.U: Line($"U({A(0)}, {A(1)}, {A(2)})", all); break;
            case GateKind.Rx: Line($"rx({A(0)})", all); break;
            case GateKind.Ry: Line($"ry({A(0)})", all); break;
            case GateKind.Rz: Line($"rz({A(0)})", all); break;
            case GateKind.Swap: Line("swap", all); break;
            case GateKind.ISwap: Line("iswap", all); break;
            case GateKind.ISwapDg:
                sb.Append("inv @ ");
                Line("iswap", all);
                break;
            case GateKind.Rxx: Line($"rxx({A(0)})", all); break;
            case GateKind.Ryy: Line($"ryy({A(0)})", all); break;
            case GateKind.Rzz: Line($"rzz({A(0)})", all); break;
            case GateKind.GlobalPhase: Line($"gphase({A(0)})", controls.TrimEnd(' ', ',')); break;
            case GateKind.PauliRotation:
                Line($"{PauliGateName(string.Concat(op.PauliFactors.Select(p => p.ToString())))}({A(0)})", all);
                break;
            case GateKind.Unitary when op.Matrix!.QubitCount > 1:
            {
                // Quantum Shannon decomposition into CX, Ry, Rz and one-qubit unitaries (size checked up front).
                foreach (var part in UnitaryDecomposition.Shannon(op)) WriteOperation(sb, part, index, q, name);
                break;
            }
            case GateKind.Unitary:
            {
                var m = op.Matrix!;
                var (theta, phi, lambda, alpha) = ZyzAngles(m[0, 0], m[0, 1], m[1, 0], m[1, 1]);
                Line($"U({FormatNumber(theta)}, {FormatNumber(phi)}, {FormatNumber(lambda)})", all);
                if (alpha != 0) Line($"gphase({FormatNumber(alpha)})", controls.TrimEnd(' ', ','));
                break;
            }
            default:
                throw new System.Diagnostics.UnreachableException($"unknown gate kind {op.Kind}");
        }
    }

    /// <summary>
    /// Angles with M = e^{iα} U(θ, φ, λ), U(θ, φ, λ) = [[c, −e^{iλ}s], [e^{iφ}s, e^{i(φ+λ)}c]], c = cos θ/2, s = sin θ/2.
    /// The phases are read from the larger of |M00| and |M10| so that they are well conditioned.
    /// </summary>
    internal static (double Theta, double Phi, double Lambda, double Alpha) ZyzAngles(Complex m00, Complex m01, Complex m10, Complex m11)
    {
        double theta = 2 * Math.Atan2(m10.Magnitude, m00.Magnitude);
        double alpha, phi, lambda;
        if (m00.Magnitude >= m10.Magnitude)
        {
            alpha = m00.Phase;
            phi = m10.Magnitude == 0 ? 0 : m10.Phase - alpha;
            lambda = m10.Magnitude == 0 ? m11.Phase - alpha : (-m01).Phase - alpha;
        }
        else
        {
            double a10 = m10.Phase, a01 = (-m01).Phase;
            alpha = m00.Magnitude == 0 ? a10 : a10 + a01 - m11.Phase;
            phi = a10 - alpha;
            lambda = a01 - alpha;
        }
        return (theta, phi, lambda, alpha);
    }

    internal static string FormatNumber(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Angle text in OpenQASM 3 syntax (Angle formats itself with OpenQASM precedence).</summary>
    internal static string FormatAngle(Angle angle, Func<VariableKind, int, string> name) => angle.ToString(name);
}
