using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using QnnSim.Circuits;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Interop;

/// <summary>What the QDK's simulator printed when it ran a program: every DumpMachine state and message.</summary>
/// <param name="States">The DumpMachine states in order, converted to QnnSim's qubit order (qubit 0 = lowest index bit).</param>
/// <param name="Messages">The Message(…) lines in order.</param>
/// <param name="Result">The program's return value as the QDK prints it (e.g. <c>[Zero, One]</c>).</param>
public sealed record QdkRunResult(IReadOnlyList<StateVector> States, IReadOnlyList<string> Messages, string? Result);

/// <summary>
/// Compiles Q# (and OpenQASM) with Microsoft's QDK compiler (npm package qsharp-lang, driven through a shared
/// <see cref="QdkWorker"/>) into QnnSim circuits, and runs programs in the QDK's simulator for cross-validation.
/// </summary>
/// <remarks>
/// <para>Hardware-style programs (allocate qubits, apply gates, measure them all at the end) compile to base-profile
/// QIR, which <see cref="Qir.Parse"/> reads: the result is the unitary part plus <see cref="Circuit.MeasuredQubits"/>.
/// An entry expression (e.g. <c>Main()</c> or <c>Bell.Prepare()</c>) is compiled through a generated
/// <c>@EntryPoint()</c> wrapper that opens the source's namespaces; any <c>@EntryPoint()</c> of the source is then
/// disabled.</para>
/// <para>Trainable ansätze (an operation taking <c>(Double[], Qubit[])</c>, or <c>(Double[], Double[], Qubit[])</c> for
/// data inputs x and parameters θ) are imported by <see cref="ImportAnsatz"/>: the QDK compiles them with three probe
/// vectors, from which each rotation's angle = a·v_k + b is recovered, and the result is verified on a fresh random
/// vector.</para>
/// <para>Without Node.js every method throws <see cref="QdkUnavailableException"/> saying what to install.</para>
/// </remarks>
public sealed class QSharpCompiler
{
    /// <summary>Name of the generated entry point.</summary>
    internal const string EntryName = "QnnSimEntry";
    private const string EntryFile = "QnnSimEntry.qs";

    private static readonly Regex EntryPointAttribute = new(@"@EntryPoint\s*\(\s*\)", RegexOptions.Compiled);
    private static readonly Regex NamespaceDeclaration = new(@"(?<![\w.])namespace\s+([A-Za-z_][\w.]*)", RegexOptions.Compiled);
    private static readonly Regex LineComment = new(@"//[^\n]*", RegexOptions.Compiled);

    private readonly QdkOptions _options;

    /// <summary>A compiler using the shared worker for <paramref name="options"/> (default <see cref="QdkOptions.Default"/>).</summary>
    public QSharpCompiler(QdkOptions? options = null) => _options = options ?? QdkOptions.Default;

    /// <summary>The worker (started on first use).</summary>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package is missing.</exception>
    public QdkWorker Worker => QdkWorker.Shared(_options);

    /// <summary>Base-profile QIR for a Q# source, compiled at its @EntryPoint (or Main) or at <paramref name="entry"/>.</summary>
    /// <param name="source">The Q# source.</param>
    /// <param name="entry">An entry expression such as <c>Main()</c>; null: the source's own entry point.</param>
    /// <param name="sourceName">File name for error messages.</param>
    /// <exception cref="ParseException">The QDK rejected the program (file, line and column of its first diagnostic).</exception>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package is missing.</exception>
    public string GetQir(string source, string? entry = null, string sourceName = "Program.qs")
    {
        ArgumentNullException.ThrowIfNull(source);
        var sources = Sources(source, entry, sourceName, null);
        return Call(sourceName, source, new JsonObject { ["cmd"] = "qir", ["profile"] = "base", ["sources"] = sources })["qir"]!.GetValue<string>();
    }

    /// <summary>
    /// Compiles a hardware-style Q# program into a circuit: the gates of its base-profile QIR and its final
    /// measurements as <see cref="Circuit.MeasuredQubits"/>.
    /// </summary>
    /// <remarks>A program that measures a qubit and then resets it (<c>M</c> then <c>Reset</c> or <c>ResetAll</c>)
    /// compiles in the base profile to a deferred measurement: a CNOT copies the qubit onto a fresh one, which is reset
    /// instead. QnnSim then reads the adaptive-profile QIR, which keeps the measurement in place, so that the circuit
    /// is the gate sequence the QDK's simulator runs (this matters under noise: each gate gets its own round of the
    /// QDK's Pauli noise, docs/noise.md). A measured qubit that is used again by a gate keeps the base profile's
    /// deferred form.</remarks>
    /// <param name="source">The Q# source.</param>
    /// <param name="entry">An entry expression such as <c>Main()</c>; null: the source's own entry point.</param>
    /// <param name="sourceName">File name for error messages.</param>
    /// <exception cref="ParseException">A Q# compile error, or QIR outside what <see cref="Qir.Parse"/> reads (e.g. a mid-circuit measurement).</exception>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package is missing.</exception>
    public Circuit Compile(string source, string? entry = null, string sourceName = "Program.qs")
    {
        var circuit = Qir.Parse(GetQir(source, entry, sourceName), $"{sourceName} (QIR from the QDK)");
        if (!HasMeasurementCopy(circuit)) return circuit;
        // The base profile defers a measurement whose qubit is used afterwards (even only reset) by copying the qubit
        // onto a fresh one with a CNOT. The adaptive profile keeps the measurement in place: when QnnSim reads that
        // QIR (final measurements only), it is the gate sequence the QDK's simulator runs, without the copies.
        try
        {
            var sources = Sources(source, entry, sourceName, null);
            string qir = Call(sourceName, source, new JsonObject { ["cmd"] = "qir", ["profile"] = "adaptive_ri", ["sources"] = sources })["qir"]!.GetValue<string>();
            var inPlace = Qir.Parse(qir, $"{sourceName} (adaptive-profile QIR from the QDK)");
            return inPlace.MeasuredQubits.Length == circuit.MeasuredQubits.Length ? inPlace : circuit;
        }
        catch (ParseException)
        {
            return circuit; // a measured qubit is used again: keep the base profile's deferred measurement
        }
    }

    /// <summary>
    /// True when the circuit has a base-profile measurement copy: a CNOT onto a qubit nothing touched before, whose
    /// control is measured at the end.
    /// </summary>
    private static bool HasMeasurementCopy(Circuit circuit)
    {
        if (circuit.MeasuredQubits.IsEmpty) return false;
        var touched = new HashSet<int>();
        foreach (var op in circuit.Operations)
        {
            if (op.Kind == GateKind.X && op.Controls.Length == 1 && op.ControlStates[0] && !touched.Contains(op.Targets[0])
                && circuit.MeasuredQubits.Contains(op.Controls[0]))
                return true;
            touched.UnionWith(op.Qubits);
        }
        return false;
    }

    /// <summary>Reads and compiles a Q# file (see <see cref="Compile"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public Circuit CompileFile(string path, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}", path);
        return Compile(File.ReadAllText(path), entry, path);
    }

    /// <summary>
    /// Runs a Q# program once in the QDK's simulator and returns what it printed (DumpMachine states converted to
    /// QnnSim's qubit order, messages, the result).
    /// </summary>
    /// <param name="source">The Q# source.</param>
    /// <param name="entry">An entry expression; null: the source's own entry point.</param>
    /// <param name="sourceName">File name for error messages.</param>
    /// <exception cref="QdkException">A run-time error (e.g. a qubit released while not in |0⟩).</exception>
    /// <exception cref="ParseException">A compile error.</exception>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package is missing.</exception>
    public QdkRunResult Run(string source, string? entry = null, string sourceName = "Program.qs")
    {
        ArgumentNullException.ThrowIfNull(source);
        var sources = Sources(source, entry, sourceName, null);
        var answer = Call(sourceName, source, new JsonObject { ["cmd"] = "run", ["expr"] = "", ["sources"] = sources });
        return ToRunResult(answer);
    }

    /// <summary>Base-profile QIR of an OpenQASM 3 program as the QDK's own OpenQASM front end compiles it.</summary>
    /// <remarks>The QDK wraps angles modulo 2π and lowers cp(λ) without the control's phase (docs/interop.md); QnnSim's
    /// own OpenQASM reader treats angles as real numbers.</remarks>
    /// <exception cref="ParseException">The QDK rejected the program.</exception>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package is missing.</exception>
    public string GetQirFromOpenQasm(string source, string sourceName = "program.qasm")
    {
        ArgumentNullException.ThrowIfNull(source);
        var sources = new JsonArray { new JsonArray(sourceName, source) };
        return Call(sourceName, source, new JsonObject { ["cmd"] = "qir", ["profile"] = "base", ["language"] = "openqasm", ["sources"] = sources })["qir"]!.GetValue<string>();
    }

    /// <summary>Runs an OpenQASM 3 program in the QDK's simulator (through the QDK's OpenQASM front end).</summary>
    /// <exception cref="ParseException">The QDK rejected the program.</exception>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package is missing.</exception>
    public QdkRunResult RunOpenQasm(string source, string sourceName = "program.qasm")
    {
        ArgumentNullException.ThrowIfNull(source);
        var sources = new JsonArray { new JsonArray(sourceName, source) };
        return ToRunResult(Call(sourceName, source, new JsonObject { ["cmd"] = "run", ["expr"] = "", ["language"] = "openqasm", ["sources"] = sources }));
    }

    /// <summary>
    /// Imports a trainable Q# operation <c>op(θ : Double[], qs : Qubit[])</c>, or <c>op(x : Double[], θ : Double[], qs : Qubit[])</c>
    /// when <paramref name="inputCount"/> &gt; 0, as a parameterised circuit with parameters <c>theta[k]</c> and inputs
    /// <c>x[k]</c>.
    /// </summary>
    /// <remarks>
    /// <para>The operation is compiled to base-profile QIR at three probe vectors v¹, v² = v¹ + Δ, v³ = v¹ + ρ∘Δ over
    /// all m = q + p variables (x then θ), with Δ_k random and the ratios ρ_k = 2 + k distinct. Every gate must appear
    /// in the same order on the same qubits in all three; an angle φ with φ³ − φ¹ = ρ_k (φ² − φ¹) for exactly the
    /// variable k is a·v_k + b with a = (φ² − φ¹)/Δ_k; an angle equal in all three is a constant. The recovered circuit
    /// is then checked against a fourth compilation at a fresh random vector (angles to 1e-9 relative).</para>
    /// <para>The QDK drops global phases when it emits QIR (e.g. R1(λ) becomes rz(λ)), so the imported circuit equals
    /// the Q# operation up to a global phase, which no expectation value sees.</para>
    /// </remarks>
    /// <param name="source">The Q# source.</param>
    /// <param name="operation">The operation's name (optionally namespace-qualified).</param>
    /// <param name="qubits">The length of the qubit array, 1..30.</param>
    /// <param name="parameterCount">The length of θ (≥ 0).</param>
    /// <param name="inputCount">The length of x (≥ 0; 0 selects the (Double[], Qubit[]) signature).</param>
    /// <param name="sourceName">File name for error messages.</param>
    /// <param name="seed">Seed of the probe vectors.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count out of range.</exception>
    /// <exception cref="ParseException">A compile error in the source.</exception>
    /// <exception cref="NotSupportedException">The gate sequence depends on the values, or an angle is not affine in one variable (the message names the gate).</exception>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package is missing.</exception>
    public Circuit ImportAnsatz(string source, string operation, int qubits, int parameterCount, int inputCount = 0,
        string sourceName = "Program.qs", ulong seed = 20240607)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        if (qubits < 1 || qubits > Circuit.MaxQubits) ThrowHelper.ArgumentOutOfRange(nameof(qubits), qubits, $"1..{Circuit.MaxQubits} qubits");
        if (parameterCount < 0) ThrowHelper.ArgumentOutOfRange(nameof(parameterCount), parameterCount, "a non-negative length");
        if (inputCount < 0) ThrowHelper.ArgumentOutOfRange(nameof(inputCount), inputCount, "a non-negative length");
        string op = operation.Trim();
        if (op.EndsWith(')')) op = op[..op.IndexOf('(')].Trim(); // tolerate "Op()" as the name
        int m = inputCount + parameterCount;
        var rng = SeededRandom.ForStream(seed, 0);
        double[] v1 = new double[m], delta = new double[m], ratio = new double[m];
        for (int k = 0; k < m; k++)
        {
            v1[k] = 0.2 + rng.NextDouble();
            delta[k] = 0.3 + 0.5 * rng.NextDouble();
            ratio[k] = 2 + k;
        }
        double[] v2 = [.. v1.Select((v, k) => v + delta[k])];
        double[] v3 = [.. v1.Select((v, k) => v + ratio[k] * delta[k])];
        double[] fresh = [.. Enumerable.Range(0, m).Select(_ => -1.5 + 3 * rng.NextDouble())];

        Circuit ProbeAt(double[] v) =>
            Qir.Parse(GetQir(source, AnsatzCall(op, qubits, inputCount, v), sourceName), $"{sourceName} ({op} compiled by the QDK)");
        var c1 = ProbeAt(v1);
        var c2 = ProbeAt(v2);
        var c3 = ProbeAt(v3);
        CheckSameSequence(c1, c2, op);
        CheckSameSequence(c1, c3, op);

        var ops = new List<Operation>(c1.Operations.Length);
        for (int i = 0; i < c1.Operations.Length; i++)
        {
            var o = c1.Operations[i];
            if (o.Angles.IsEmpty) { ops.Add(o); continue; }
            double p1 = o.Angles[0].ConstantValue, p2 = c2.Operations[i].Angles[0].ConstantValue, p3 = c3.Operations[i].Angles[0].ConstantValue;
            double d12 = p2 - p1, d13 = p3 - p1;
            double scaleRef = Math.Max(1, Math.Max(Math.Abs(p1), Math.Max(Math.Abs(p2), Math.Abs(p3))));
            if (Math.Abs(d12) <= 1e-12 * scaleRef && Math.Abs(d13) <= 1e-12 * scaleRef)
            {
                ops.Add(o);
                continue;
            }
            double r = d13 / d12;
            int k = (int)Math.Round(r - 2);
            if (Math.Abs(d12) <= 1e-12 * scaleRef || k < 0 || k >= m || Math.Abs(r - ratio[k]) > 1e-6 * ratio[k])
                throw NotAffine(op, i, o, [p1, p2, p3]);
            double a = Snap(d12 / delta[k], 1);
            double b = Snap(p1 - a * v1[k], scaleRef);
            var angle = k < inputCount ? Angle.Input(k, a, b) : Angle.Parameter(k - inputCount, a, b);
            ops.Add(o.WithAngles([angle]));
        }
        string[] inputNames = [.. Enumerable.Range(0, inputCount).Select(k => $"x[{k}]")];
        string[] paramNames = [.. Enumerable.Range(0, parameterCount).Select(k => $"theta[{k}]")];
        var circuit = new Circuit(c1.QubitCount, ops, paramNames, inputNames, c1.MeasuredQubits);

        // Verification at a fresh random vector.
        var c4 = ProbeAt(fresh);
        CheckSameSequence(c1, c4, op);
        double[] x = fresh[..inputCount], theta = fresh[inputCount..];
        for (int i = 0; i < circuit.Operations.Length; i++)
        {
            if (circuit.Operations[i].Angles.IsEmpty) continue;
            double predicted = circuit.Operations[i].Angles[0].Evaluate(theta, x);
            double actual = c4.Operations[i].Angles[0].ConstantValue;
            if (Math.Abs(predicted - actual) > 1e-9 * Math.Max(1, Math.Abs(actual)))
                throw new NotSupportedException(
                    $"{sourceName}: {op}: gate {i} ({c4.Operations[i].Name} on qubits {string.Join(",", c4.Operations[i].Qubits)}) has angle {actual:R} at a random check vector, " +
                    $"but the affine fit from the probes predicts {predicted:R}: the angle is not affine in a single parameter (e.g. θ0·θ1 or θ0 + θ1). " +
                    "Write each rotation angle as a·θ[k] + b, or compute it outside the operation.");
        }
        return circuit;
    }

    /// <summary>
    /// Removes the probes' round-off from a fitted coefficient: the shortest decimal (1 to 10 significant digits)
    /// within 1e-13·max(|v|, <paramref name="scale"/>) of <paramref name="v"/>, or 0 when v is that small; else v.
    /// </summary>
    internal static double Snap(double v, double scale)
    {
        double tol = 1e-13 * Math.Max(Math.Abs(v), scale);
        if (Math.Abs(v) <= tol) return 0;
        for (int digits = 1; digits <= 10; digits++)
        {
            double c = double.Parse(v.ToString("G" + digits, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (Math.Abs(c - v) <= tol) return c;
        }
        return v;
    }

    private static NotSupportedException NotAffine(string op, int index, Operation o, double[] probes) =>
        new($"{op}: gate {index} ({o.Name} on qubits {string.Join(",", o.Qubits)}) takes the angles {string.Join(", ", probes.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))} " +
            "at the three probe vectors, which is not a·v[k] + b for a single parameter or input k (e.g. θ0·θ1, sin(θ0) or θ0 + θ1). " +
            "Write each rotation angle as a·θ[k] + b, or compute it outside the operation.");

    private static void CheckSameSequence(Circuit a, Circuit b, string op)
    {
        int n = Math.Min(a.Operations.Length, b.Operations.Length);
        for (int i = 0; i < n; i++)
        {
            var x = a.Operations[i];
            var y = b.Operations[i];
            if (x.Name != y.Name || !x.Qubits.SequenceEqual(y.Qubits))
                throw new NotSupportedException(
                    $"{op}: the gate sequence depends on the parameter values (gate {i} is {x.Name} on qubits {string.Join(",", x.Qubits)} for one probe " +
                    $"and {y.Name} on qubits {string.Join(",", y.Qubits)} for another): a fixed circuit cannot represent it. Keep branches and loop bounds independent of θ and x.");
        }
        if (a.Operations.Length != b.Operations.Length || a.QubitCount != b.QubitCount || !a.MeasuredQubits.SequenceEqual(b.MeasuredQubits))
            throw new NotSupportedException(
                $"{op}: the gate sequence depends on the parameter values ({a.Operations.Length} gates for one probe, {b.Operations.Length} for another): " +
                "a fixed circuit cannot represent it. Keep branches and loop bounds independent of θ and x.");
    }

    /// <summary>The entry expression that applies <paramref name="op"/> to fresh qubits with literal arrays.</summary>
    private static string AnsatzCall(string op, int qubits, int inputCount, double[] values)
    {
        string Arr(IEnumerable<double> v) => "[" + string.Join(", ", v.Select(QSharp.FormatDouble)) + "]";
        string args = inputCount > 0 ? $"{Arr(values[..inputCount])}, {Arr(values[inputCount..])}" : Arr(values);
        return $"{{ use qs = Qubit[{qubits}]; {op}({args}, qs); }}";
    }

    private static QdkRunResult ToRunResult(JsonObject answer)
    {
        var states = new List<StateVector>();
        var messages = new List<string>();
        if (answer["events"] is JsonArray events)
            foreach (var e in events.OfType<JsonObject>())
            {
                string type = e["type"]?.GetValue<string>() ?? "";
                if (type == "Message") messages.Add(e["message"]?.GetValue<string>() ?? "");
                else if (type == "DumpMachine") states.Add(DumpToState(e["state"] as JsonObject ?? [], e["qubitCount"]?.GetValue<int>() ?? 0));
            }
        return new QdkRunResult(states, messages, answer["result"]?.ToString());
    }

    /// <summary>
    /// Converts a DumpMachine state {"|b0 b1 … b_{n−1}⟩": [re, im]} (qubit 0 leftmost, absent keys zero) to a
    /// state vector with qubit q at bit q of the index.
    /// </summary>
    internal static StateVector DumpToState(JsonObject dump, int qubitCount)
    {
        if (qubitCount < 1) throw new QdkException($"the QDK dumped a state with {qubitCount} qubits (allowed: 1..{Circuit.MaxQubits}).", []);
        var amplitudes = new Complex[1 << qubitCount];
        foreach (var (key, value) in dump)
        {
            string bits = key.Trim().TrimStart('|').TrimEnd('⟩', '>');
            if (bits.Length != qubitCount || value is not JsonArray pair || pair.Count != 2)
                throw new QdkException($"unexpected DumpMachine entry '{key}' for {qubitCount} qubits.", []);
            int index = 0;
            for (int q = 0; q < qubitCount; q++)
                if (bits[q] == '1') index |= 1 << q;
            amplitudes[index] = new Complex(pair[0]!.GetValue<double>(), pair[1]!.GetValue<double>());
        }
        // The QDK prints amplitudes rounded to double; renormalise away the last-bit drift only.
        double norm = Math.Sqrt(amplitudes.Sum(a => a.Real * a.Real + a.Imaginary * a.Imaginary));
        for (int k = 0; k < amplitudes.Length; k++) amplitudes[k] /= norm;
        return StateVector.FromAmplitudes(amplitudes);
    }

    internal JsonObject Call(string sourceName, string source, JsonObject request)
    {
        try
        {
            return Worker.Request(request);
        }
        catch (QdkException e) when (e.Diagnostics.Count > 0 && !e.Diagnostics.All(d => d.Code.Contains(".Eval.", StringComparison.Ordinal)))
        {
            var d = e.Diagnostics.FirstOrDefault(x => x.Document == InternalName(sourceName) || x.Document == sourceName);
            if (d == default) d = e.Diagnostics[0];
            string where = d.Document == InternalName(sourceName) || d.Document == sourceName ? sourceName
                : d.Document == EntryFile ? $"{sourceName} (generated entry point)" : d.Document;
            string extra = e.Diagnostics.Count > 1 ? $" (and {e.Diagnostics.Count - 1} more)" : "";
            throw new ParseException(where, d.Line, d.Column, $"Q# compiler: {d.Message} [{d.Code}]{extra}", e);
        }
    }

    /// <summary>The file name the source is given inside the QDK: its stem becomes the implicit namespace.</summary>
    internal static string InternalName(string sourceName)
    {
        string stem = Path.GetFileNameWithoutExtension(sourceName);
        var sb = new StringBuilder();
        foreach (char c in stem) sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, '_');
        return sb + ".qs";
    }

    /// <summary>
    /// An entry expression that keeps its value: <c>{ import N.*; … entry }</c> over the source's namespaces (for runs
    /// whose return values matter, where the Unit wrapper of <see cref="Sources"/> would drop them).
    /// </summary>
    internal static string ValueEntryExpression(string source, string sourceName, string entry)
    {
        string expr = entry.Trim();
        if (expr.StartsWith('{') && expr.EndsWith('}')) expr = expr[1..^1];
        return $"{{ {Imports(source, InternalName(sourceName))} {expr} }}";
    }

    /// <summary><c>import N.*;</c> for every namespace the source declares (its file stem when it declares none).</summary>
    private static string Imports(string source, string internalName)
    {
        var namespaces = NamespaceDeclaration.Matches(LineComment.Replace(source, ""))
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        if (namespaces.Count == 0) namespaces.Add(Path.GetFileNameWithoutExtension(internalName));
        return string.Join(" ", namespaces.Select(n => $"import {n}.*;"));
    }

    /// <summary>The sources sent to the QDK: the program (with its @EntryPoint disabled when an entry is given) and the wrapper.</summary>
    internal static JsonArray Sources(string source, string? entry, string sourceName, string? returnType)
    {
        string name = InternalName(sourceName);
        if (string.IsNullOrWhiteSpace(entry)) return [new JsonArray(name, source)];
        // Disable the program's own entry point: keep the text the same length so columns in messages stay true.
        string program = EntryPointAttribute.Replace(source, m => new string(' ', m.Length));
        string imports = Imports(source, name);
        string expr = entry.Trim();
        string body = expr.StartsWith('{') ? expr[1..^1] : $"let _ = {expr};";
        string wrapper = $"@EntryPoint() operation {EntryName}() : {returnType ?? "Unit"} {{ {imports} {body} }}\n";
        return [new JsonArray(name, program), new JsonArray(EntryFile, wrapper)];
    }
}
