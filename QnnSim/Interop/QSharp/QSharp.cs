using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Interop;

/// <summary>Options of <see cref="QSharp.Write"/>.</summary>
public sealed record QSharpWriteOptions
{
    /// <summary>The namespace of the generated file. Default <c>QnnSimExport</c>.</summary>
    public string Namespace { get; init; } = "QnnSimExport";

    /// <summary>The name of the generated operation. Default <c>Circuit</c>.</summary>
    public string OperationName { get; init; } = "Circuit";

    /// <summary>θ to bind in the generated <c>Main</c>; null: no Main when the circuit has parameters.</summary>
    public double[]? Parameters { get; init; }

    /// <summary>x to bind in the generated <c>Main</c>; null: no Main when the circuit has inputs.</summary>
    public double[]? Inputs { get; init; }

    /// <summary>Whether Main calls DumpMachine() after the circuit (before any measurement). Default false.</summary>
    public bool DumpMachine { get; init; }
}

/// <summary>
/// Exports QnnSim circuits as Q# source that Microsoft's QDK compiles and simulates: an operation
/// <c>Circuit(theta : Double[], qs : Qubit[]) : Unit is Adj + Ctl</c> (or <c>Circuit(x : Double[], theta : Double[], qs : Qubit[])</c>
/// when the circuit has data inputs), and, when every variable is bound, an <c>@EntryPoint() Main</c> that allocates
/// the qubits, applies the circuit and measures <see cref="Circuit.MeasuredQubits"/> with MResetEachZ.
/// </summary>
/// <remarks>
/// Qubit q of the circuit is <c>qs[q]</c>. Gates map to Q# intrinsics exactly, global phases included: P(λ) is R1(λ),
/// U(θ, φ, λ) a helper Rz(λ)·Ry(θ)·Rz(φ)·R(PauliI, −(φ+λ)), a global phase α is R(PauliI, −2α), a Pauli rotation
/// exp(−iφP/2) is Exp(P, −φ/2), iSWAP is Rxx(−π/2)·Ryy(−π/2), a one-qubit dense unitary its Z-Y-Z Euler form with
/// its phase, controls become <c>Controlled</c> with any number of controls (negative controls conjugated by X).
/// A one-qubit gate outside SU(2) or a global phase with two or more controls is written as Controlled Rz·Ry·Rz and the
/// phase e^{iα x_1⋯x_n} on the controls as the phase polynomial ∏_S exp(iα (−1)^{|S|} 2^{−n} Z_S) of uncontrolled
/// <c>Exp</c> terms (the QDK's QIR generation drops a relative phase of Controlled R1 with several controls). Dense
/// unitaries on k = 2..10 qubits use the quantum Shannon decomposition (Shende, Bullock and Markov, IEEE TCAD 25, 1000
/// (2006)) into (3/4)·4^k − (3/2)·2^k CNOT, as many Ry/Rz and 4^{k−1} one-qubit unitaries, exact with the global phase;
/// the block's own controls go on the rotations and one-qubit unitaries only. Angle expressions are written in Q#
/// syntax (Std.Math functions).
/// </remarks>
public static class QSharp
{
    /// <summary>
    /// Why a Q# file written by <see cref="Write"/> with free parameters cannot be read back by QnnSim
    /// (<see cref="QSharpCompiler.ImportAnsatz"/> recovers each rotation angle as a·θ[k] + b or a·x[k] + b of one
    /// variable, by probing the QDK's output): one message per operation whose angle is neither constant nor affine in
    /// one variable, such as <c>theta[5] + theta[4]</c> or <c>sin(theta[0])</c>, or a U gate whose phase φ + λ mixes two
    /// variables. Empty when the file reads back to the same circuit. Bound values (<see cref="QSharpWriteOptions"/>)
    /// make every angle a constant, so nothing is reported for them.
    /// </summary>
    public static IReadOnlyList<string> ReadBackProblems(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var problems = new List<string>();
        for (int i = 0; i < circuit.Operations.Length; i++)
        {
            var op = circuit.Operations[i];
            string Name(VariableKind k, int j) => k == VariableKind.Parameter ? $"theta[{j}]" : $"x[{j}]";
            foreach (var a in op.Angles)
            {
                if (a.IsConstant || a.IsAffine) continue;
                problems.Add($"operation {i} ({op.Name}) has the angle {a.ToString(Name)}, which is not a·θ[k] + b in one variable");
                break;
            }
            if (op.Kind == GateKind.U && op.Angles[1].TryGetAffine(out var k1, out int j1, out _, out _) &&
                op.Angles[2].TryGetAffine(out var k2, out int j2, out _, out _) && !op.Angles[1].IsConstant && !op.Angles[2].IsConstant &&
                (k1, j1) != (k2, j2))
                problems.Add($"operation {i} (U) has the phase (φ + λ)/2 = ({op.Angles[1].ToString(Name)} + {op.Angles[2].ToString(Name)})/2, which mixes two variables");
        }
        return problems;
    }

    /// <summary>Writes the circuit as a Q# file (see the class remarks).</summary>
    /// <exception cref="ArgumentException">Bound values of the wrong length.</exception>
    /// <exception cref="NotSupportedException">A dense unitary on more than 10 qubits (the decomposition has
    /// (7/4)·4^k − 3·2^k gates; the message names k, the cap and the count; thrown before any text is produced).</exception>
    public static string Write(Circuit circuit, QSharpWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        options ??= new QSharpWriteOptions();
        ExportChecks.RefuseNoise(circuit, "Q#");
        UnitaryDecomposition.CheckDenseSizes(circuit, "Q#");
        if (options.Parameters is not null && options.Parameters.Length != circuit.ParameterCount)
            ThrowHelper.LengthMismatch(nameof(options), "the parameter vector θ", options.Parameters.Length, circuit.ParameterCount);
        if (options.Inputs is not null && options.Inputs.Length != circuit.InputCount)
            ThrowHelper.LengthMismatch(nameof(options), "the input vector x", options.Inputs.Length, circuit.InputCount);
        bool hasInputs = circuit.InputCount > 0;
        var sb = new StringBuilder();
        sb.Append($"// Generated by QnnSim: {circuit.QubitCount} qubits, {circuit.Operations.Length} operations, ");
        sb.Append($"{circuit.ParameterCount} parameters, {circuit.InputCount} inputs. Qubit q is qs[q].\n");
        for (int j = 0; j < circuit.ParameterCount; j++)
            if (circuit.ParameterNames[j] != $"theta[{j}]") sb.Append($"// theta[{j}] = {circuit.ParameterNames[j]}\n");
        for (int j = 0; j < circuit.InputCount; j++)
            if (circuit.InputNames[j] != $"x[{j}]") sb.Append($"// x[{j}] = {circuit.InputNames[j]}\n");
        sb.Append($"namespace {options.Namespace} {{\n");
        sb.Append("    import Std.Math.*;\n\n");
        bool needsU = circuit.Operations.Any(o => o.Kind == GateKind.U);
        if (needsU)
        {
            sb.Append("    /// OpenQASM 3's U(θ, φ, λ) = e^{i(φ+λ)/2} Rz(φ) Ry(θ) Rz(λ), global phase included.\n");
            sb.Append("    operation QnnSimU(theta : Double, phi : Double, lambda : Double, q : Qubit) : Unit is Adj + Ctl {\n");
            sb.Append("        Rz(lambda, q);\n        Ry(theta, q);\n        Rz(phi, q);\n        R(PauliI, -(phi + lambda), q);\n    }\n\n");
        }
        string signature = hasInputs ? "x : Double[], theta : Double[], qs : Qubit[]" : "theta : Double[], qs : Qubit[]";
        sb.Append($"    operation {options.OperationName}({signature}) : Unit is Adj + Ctl {{\n");
        for (int i = 0; i < circuit.Operations.Length; i++)
            foreach (var statement in Statements(circuit.Operations[i], i))
                sb.Append("        ").Append(statement).Append('\n');
        sb.Append("    }\n");

        bool bound = (circuit.ParameterCount == 0 || options.Parameters is not null) && (circuit.InputCount == 0 || options.Inputs is not null);
        if (bound)
        {
            string Arr(double[]? v) => "[" + string.Join(", ", (v ?? []).Select(FormatDouble)) + "]";
            string theta = circuit.ParameterCount == 0 ? "[]" : Arr(options.Parameters);
            string call = hasInputs ? $"{options.OperationName}({Arr(options.Inputs)}, {theta}, qs);" : $"{options.OperationName}({theta}, qs);";
            sb.Append('\n');
            sb.Append("    @EntryPoint()\n");
            if (circuit.MeasuredQubits.IsEmpty)
            {
                sb.Append("    operation Main() : Unit {\n");
                sb.Append($"        use qs = Qubit[{circuit.QubitCount}];\n        {call}\n");
                if (options.DumpMachine) sb.Append("        Std.Diagnostics.DumpMachine();\n");
                sb.Append("        ResetAll(qs);\n    }\n");
            }
            else
            {
                sb.Append("    operation Main() : Result[] {\n");
                sb.Append($"        use qs = Qubit[{circuit.QubitCount}];\n        {call}\n");
                if (options.DumpMachine) sb.Append("        Std.Diagnostics.DumpMachine();\n");
                sb.Append($"        let results = MResetEachZ([{string.Join(", ", circuit.MeasuredQubits.Select(q => $"qs[{q}]"))}]);\n");
                sb.Append("        ResetAll(qs);\n        results\n    }\n");
            }
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    private static IEnumerable<string> Statements(Operation op, int index)
    {
        string Qb(int q) => $"qs[{q}]";
        bool positive = op.ControlStates.All(x => x);
        if (positive && op.Controls.Length == 1 && op.Kind is GateKind.X or GateKind.Y or GateKind.Z)
            return [$"{(op.Kind == GateKind.X ? "CNOT" : op.Kind == GateKind.Y ? "CY" : "CZ")}({Qb(op.Controls[0])}, {Qb(op.Targets[0])});"];
        if (positive && op.Controls.Length == 2 && op.Kind == GateKind.X)
            return [$"CCNOT({Qb(op.Controls[0])}, {Qb(op.Controls[1])}, {Qb(op.Targets[0])});"];
        string[] a = [.. op.Angles.Select(Expression)];
        var t = op.Targets;
        if (op.Controls.Length >= 2 && (op.Kind == GateKind.GlobalPhase || HasPhase(op)))
            return MultiControlledWithPhase(op, a);
        var calls = new List<(string Name, string Args)>();
        switch (op.Kind)
        {
            case GateKind.Identity: calls.Add(("I", Qb(t[0]))); break;
            case GateKind.H: calls.Add(("H", Qb(t[0]))); break;
            case GateKind.X: calls.Add(("X", Qb(t[0]))); break;
            case GateKind.Y: calls.Add(("Y", Qb(t[0]))); break;
            case GateKind.Z: calls.Add(("Z", Qb(t[0]))); break;
            case GateKind.S: calls.Add(("S", Qb(t[0]))); break;
            case GateKind.Sdg: calls.Add(("Adjoint S", Qb(t[0]))); break;
            case GateKind.T: calls.Add(("T", Qb(t[0]))); break;
            case GateKind.Tdg: calls.Add(("Adjoint T", Qb(t[0]))); break;
            case GateKind.SX: calls.Add(("SX", Qb(t[0]))); break;
            case GateKind.SXdg: calls.Add(("Adjoint SX", Qb(t[0]))); break;
            case GateKind.Phase: calls.Add(("R1", $"{a[0]}, {Qb(t[0])}")); break;
            case GateKind.U: calls.Add(("QnnSimU", $"{a[0]}, {a[1]}, {a[2]}, {Qb(t[0])}")); break;
            case GateKind.Rx: calls.Add(("Rx", $"{a[0]}, {Qb(t[0])}")); break;
            case GateKind.Ry: calls.Add(("Ry", $"{a[0]}, {Qb(t[0])}")); break;
            case GateKind.Rz: calls.Add(("Rz", $"{a[0]}, {Qb(t[0])}")); break;
            case GateKind.Swap: calls.Add(("SWAP", $"{Qb(t[0])}, {Qb(t[1])}")); break;
            case GateKind.ISwap:
            case GateKind.ISwapDg:
                string v = FormatDouble(op.Kind == GateKind.ISwap ? -Math.PI / 2 : Math.PI / 2);
                calls.Add(("Rxx", $"{v}, {Qb(t[0])}, {Qb(t[1])}"));
                calls.Add(("Ryy", $"{v}, {Qb(t[0])}, {Qb(t[1])}"));
                break;
            case GateKind.Rxx: calls.Add(("Rxx", $"{a[0]}, {Qb(t[0])}, {Qb(t[1])}")); break;
            case GateKind.Ryy: calls.Add(("Ryy", $"{a[0]}, {Qb(t[0])}, {Qb(t[1])}")); break;
            case GateKind.Rzz: calls.Add(("Rzz", $"{a[0]}, {Qb(t[0])}, {Qb(t[1])}")); break;
            case GateKind.PauliRotation:
                string paulis = "[" + string.Join(", ", op.PauliFactors.Select(p => "Pauli" + p)) + "]";
                calls.Add(("Exp", $"{paulis}, -0.5 * ({a[0]}), [{string.Join(", ", t.Select(Qb))}]"));
                break;
            case GateKind.GlobalPhase:
                // e^{iα} = R(PauliI, −2α) on any qubit; with controls it is the phase on the control subspace.
                int anchor = op.Controls.IsEmpty ? 0 : op.Controls[^1];
                calls.Add(("R", $"PauliI, -2.0 * ({a[0]}), {Qb(anchor)}"));
                if (!op.Controls.IsEmpty)
                {
                    // The anchor is the last control: its own |1⟩ condition is the phase's position.
                    var rest = op.Controls.RemoveAt(op.Controls.Length - 1);
                    var restStates = op.ControlStates.RemoveAt(op.ControlStates.Length - 1);
                    calls.Clear();
                    calls.Add(("R1", $"{a[0]}, {Qb(anchor)}"));
                    return Wrap(calls, rest, restStates, op.ControlStates[^1] ? [] : [anchor]);
                }
                break;
            case GateKind.Unitary when t.Length == 1:
                var (alpha, beta, gamma, delta) = QirGateWriter.EulerZyz(op.Matrix!.Elements.ToArray());
                calls.Add(("Rz", $"{FormatDouble(delta)}, {Qb(t[0])}"));
                calls.Add(("Ry", $"{FormatDouble(gamma)}, {Qb(t[0])}"));
                calls.Add(("Rz", $"{FormatDouble(beta)}, {Qb(t[0])}"));
                calls.Add(("R", $"PauliI, {FormatDouble(-2 * alpha)}, {Qb(t[0])}"));
                break;
            case GateKind.Unitary:
                // Quantum Shannon decomposition into CX, Ry, Rz and one-qubit unitaries (size checked up front).
                return UnitaryDecomposition.Shannon(op).SelectMany(part => Statements(part, index)).ToList();
            default: throw new System.Diagnostics.UnreachableException($"gate kind {op.Kind}");
        }
        return Wrap(calls, op.Controls, op.ControlStates, []);
    }

    /// <summary>One-qubit kinds whose matrix is not in SU(2) (they carry a phase under control), and dense one-qubit unitaries.</summary>
    private static bool HasPhase(Operation op) =>
        op.Targets.Length == 1 && op.Kind is not (GateKind.X or GateKind.Y or GateKind.Z or GateKind.Rx or GateKind.Ry or GateKind.Rz or GateKind.Identity);

    /// <summary>
    /// A one-qubit gate U = e^{iα} Rz(β) Ry(γ) Rz(δ) or a global phase e^{iα}, with n ≥ 2 controls: Controlled Rz/Ry/Rz
    /// (in SU(2)) and the phase e^{iα} on the subspace where every control is |1⟩ written as the phase polynomial
    /// e^{iα x_1⋯x_n} = ∏_S exp(iα (−1)^{|S|} 2^{−n} Z_S) over the subsets S of the controls, x_i = (1 − Z_i)/2: uncontrolled
    /// Exp terms (and a global phase for S = ∅). Exact; the QDK's QIR generation lowers these correctly, whereas it
    /// drops a relative phase when it lowers Controlled R1 or Controlled R(PauliI, …) with two or more controls.
    /// </summary>
    private static IEnumerable<string> MultiControlledWithPhase(Operation op, string[] a)
    {
        string Qb(int q) => $"qs[{q}]";
        var calls = new List<(string Name, string Args)>();
        string alpha;
        if (op.Kind == GateKind.GlobalPhase) alpha = a[0];
        else
        {
            int t = op.Targets[0];
            string beta, gamma, delta;
            switch (op.Kind)
            {
                case GateKind.Phase: (alpha, beta, gamma, delta) = ($"0.5 * ({a[0]})", a[0], "0.0", "0.0"); break;
                case GateKind.U: (alpha, beta, gamma, delta) = ($"0.5 * ({a[1]} + {a[2]})", a[1], a[0], a[2]); break;
                default:
                    var angles = QirGateWriter.EulerZyz(QirGateWriter.OneQubitMatrix(op, [.. op.Angles.Select(x => x.ConstantValue)]));
                    (alpha, beta, gamma, delta) = (FormatDouble(angles.Alpha), FormatDouble(angles.Beta), FormatDouble(angles.Gamma), FormatDouble(angles.Delta));
                    break;
            }
            calls.Add(("Rz", $"{delta}, {Qb(t)}"));
            calls.Add(("Ry", $"{gamma}, {Qb(t)}"));
            calls.Add(("Rz", $"{beta}, {Qb(t)}"));
        }
        var flips = op.Controls.Where((c, i) => !op.ControlStates[i]).ToList();
        foreach (int c in flips) yield return $"X({Qb(c)});";
        foreach (var (name, args) in calls)
            yield return $"Controlled {name}([{string.Join(", ", op.Controls.Select(Qb))}], ({args}));";
        int n = op.Controls.Length;
        double scale = 1.0 / (1 << n);
        yield return $"R(PauliI, {FormatDouble(-2 * scale)} * ({alpha}), {Qb(op.Controls[0])});";
        for (int mask = 1; mask < 1 << n; mask++)
        {
            var members = Enumerable.Range(0, n).Where(i => (mask >> i & 1) == 1).Select(i => op.Controls[i]).ToList();
            double sign = members.Count % 2 == 0 ? scale : -scale;
            yield return $"Exp([{string.Join(", ", members.Select(_ => "PauliZ"))}], {FormatDouble(sign)} * ({alpha}), [{string.Join(", ", members.Select(Qb))}]);";
        }
        foreach (int c in flips) yield return $"X({Qb(c)});";
    }

    private static IEnumerable<string> Wrap(List<(string Name, string Args)> calls, System.Collections.Immutable.ImmutableArray<int> controls,
        System.Collections.Immutable.ImmutableArray<bool> states, int[] extraFlips)
    {
        var flips = controls.Where((c, i) => !states[i]).Concat(extraFlips).ToList();
        foreach (int c in flips) yield return $"X(qs[{c}]);";
        foreach (var (name, args) in calls)
            yield return controls.IsEmpty ? $"{name}({args});"
                : $"Controlled {name}([{string.Join(", ", controls.Select(c => $"qs[{c}]"))}], ({args}));";
        foreach (int c in flips) yield return $"X(qs[{c}]);";
    }

    private static readonly Regex Placeholder = new(@"QNNSIM(THETA|X)_(\d+)_", RegexOptions.Compiled);
    private static readonly Regex NumberLiteral = new(@"(?<![\w.\]])(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)", RegexOptions.Compiled);

    /// <summary>An angle as a Q# Double expression over <c>theta[k]</c> and <c>x[k]</c>.</summary>
    internal static string Expression(Angle angle)
    {
        if (angle.IsConstant) return FormatDouble(angle.ConstantValue);
        if (angle.TryGetAffine(out var kind, out int index, out double scale, out double offset))
        {
            string v = kind == VariableKind.Parameter ? $"theta[{index}]" : $"x[{index}]";
            string term = scale == 1.0 ? v : $"{FormatDouble(scale)} * {v}";
            return offset == 0.0 ? term : offset > 0 ? $"{term} + {FormatDouble(offset)}" : $"{term} - {FormatDouble(-offset)}";
        }
        // General expressions: QnnSim prints OpenQASM 3 syntax; rewrite its literals and functions into Q#.
        // Variables get placeholder names first so that their indices are not mistaken for literals.
        string text = angle.ToString((k, i) => k == VariableKind.Parameter ? $"QNNSIMTHETA_{i}_" : $"QNNSIMX_{i}_");
        text = NumberLiteral.Replace(text, m => FormatDouble(double.Parse(m.Value, CultureInfo.InvariantCulture)));
        text = Placeholder.Replace(text, m => m.Groups[1].Value == "THETA" ? $"theta[{m.Groups[2].Value}]" : $"x[{m.Groups[2].Value}]");
        text = text.Replace("**", "^")
            .Replace("arcsin(", "ArcSin(").Replace("arccos(", "ArcCos(").Replace("arctan(", "ArcTan(")
            .Replace("sin(", "Sin(").Replace("cos(", "Cos(").Replace("tan(", "Tan(")
            .Replace("exp(", "E()^(").Replace("ln(", "Log(").Replace("sqrt(", "Sqrt(");
        return text;
    }

    /// <summary>A Q# Double literal that round-trips (always with a decimal point).</summary>
    internal static string FormatDouble(double v) => Qir.FormatDouble(v);
}
