using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace QnnSim.Noise;

/// <summary>
/// Reads noise models from short specs (<c>depolarizing=0.01</c>) and from JSON files (schema in docs/noise.md).
/// Every error is a <see cref="ParseException"/> naming the source, the key or spec, the value and what is allowed.
/// </summary>
public static class NoiseModelParser
{
    /// <summary>Nesting depth a JSON noise model may have (documented in docs/design.md).</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>Longest JSON noise-model text, in characters (1 MiB).</summary>
    public const int MaxJsonLength = 1 << 20;

    /// <summary>Most rules in one list of a JSON noise model ("gate_noise", "measurement_noise", "readout"): enough for
    /// a rule per gate kind per qubit and per coupled pair of a 30-qubit device, and small enough that reading and
    /// attaching them stays in seconds.</summary>
    public const int MaxRules = 4096;

    /// <summary>The spec names <see cref="ParseSpec"/> understands, with their arguments.</summary>
    public static readonly IReadOnlyList<string> SpecForms =
    [
        "depolarizing=p", "depolarizing2=p", "global-depolarizing=p", "pauli=px,py,pz", "bit-flip=p", "phase-flip=p",
        "amplitude-damping=gamma", "phase-damping=lambda", "thermal-relaxation=t1,t2,time", "readout=p1given0,p0given1", "qdk-pauli=px,py,pz",
    ];

    /// <summary>
    /// Parses one or more short specs separated by ';' (e.g. <c>depolarizing=0.01;readout=0.02,0.05</c>). A gate channel
    /// is attached after every gate on each qubit the gate touches (depolarizing2 after two-qubit gates on both qubits;
    /// global-depolarizing after every gate on the gate's qubits as one channel); <c>readout=e0,e1</c> sets p(1|0) = e0 and
    /// p(0|1) = e1 on every qubit; <c>qdk-pauli</c> is <see cref="NoiseModel.QdkPauli"/>. Several specs combine in order.
    /// </summary>
    /// <exception cref="ParseException">An unknown name, a wrong number of values, or a value out of range.</exception>
    public static NoiseModel ParseSpec(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var model = NoiseModel.Ideal;
        int column = 1;
        foreach (var raw in spec.Split(';'))
        {
            string part = raw.Trim();
            if (part.Length > 0) model = model.Combine(ParseOne(part, column));
            column += raw.Length + 1;
        }
        if (model.IsIdeal && spec.Trim().Length == 0) throw Error("noise spec", 1, 1, "the noise spec is empty; " + Allowed());
        return model;
    }

    private static string Allowed() => "allowed: " + string.Join(", ", SpecForms);

    private static NoiseModel ParseOne(string part, int column)
    {
        int eq = part.IndexOf('=');
        if (eq <= 0) throw Error("noise spec", 1, column, $"'{part}' is not of the form name=values; {Allowed()}");
        string name = part[..eq].Trim().ToLowerInvariant();
        string[] items = part[(eq + 1)..].Split(',');
        var values = new double[items.Length];
        for (int i = 0; i < items.Length; i++)
            if (!double.TryParse(items[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw Error("noise spec", 1, column, $"'{items[i].Trim()}' in '{part}' is not a number");
        void Count(int n)
        {
            if (values.Length != n)
                throw Error("noise spec", 1, column, $"'{name}' takes {n} value{(n == 1 ? "" : "s")}, got {values.Length} in '{part}'");
        }
        try
        {
            switch (name)
            {
                case "depolarizing": Count(1); return NoiseModel.Ideal.WithGateNoise(NoiseChannel.Depolarizing(values[0]));
                case "depolarizing2":
                    Count(1);
                    return NoiseModel.Ideal.WithGateNoise(NoiseChannel.TwoQubitDepolarizing(values[0]));
                case "global-depolarizing":
                    Count(1);
                    return NoiseModel.Ideal.WithGateNoise(NoiseChannel.GlobalDepolarizing(values[0]));
                case "pauli": Count(3); return NoiseModel.Ideal.WithGateNoise(NoiseChannel.Pauli(values[0], values[1], values[2]));
                case "bit-flip": Count(1); return NoiseModel.Ideal.WithGateNoise(NoiseChannel.BitFlip(values[0]));
                case "phase-flip": Count(1); return NoiseModel.Ideal.WithGateNoise(NoiseChannel.PhaseFlip(values[0]));
                case "amplitude-damping": Count(1); return NoiseModel.Ideal.WithGateNoise(NoiseChannel.AmplitudeDamping(values[0]));
                case "phase-damping": Count(1); return NoiseModel.Ideal.WithGateNoise(NoiseChannel.PhaseDamping(values[0]));
                case "thermal-relaxation": Count(3); return NoiseModel.Ideal.WithGateNoise(NoiseChannel.ThermalRelaxation(values[0], values[1], values[2]));
                case "readout": Count(2); return NoiseModel.Ideal.WithReadoutError(new ReadoutError(values[0], values[1]));
                case "qdk-pauli": Count(3); return NoiseModel.QdkPauli(values[0], values[1], values[2]);
                default: throw Error("noise spec", 1, column, $"unknown noise '{name}'; {Allowed()}");
            }
        }
        catch (ArgumentException e)
        {
            throw Error("noise spec", 1, column, $"'{part}': {FirstSentence(e.Message)}");
        }
    }

    /// <summary>Reads a noise model from a JSON file (docs/noise.md has the schema).</summary>
    /// <exception cref="ParseException">Malformed JSON, an unknown key, a missing or out-of-range value.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static NoiseModel ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxJsonLength * 4L)
            throw new ParseException(path, 1, 1, $"the noise model file is {info.Length:N0} bytes; at most {MaxJsonLength:N0} characters are read.");
        return ParseJson(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Reads a noise model from JSON text:
    /// <c>{"gate_noise": [{"channel": {...}, "gates": ["cx"], "qubits": [0, 1]}], "measurement_noise": [{"channel": {...},
    /// "qubits": [0]}], "readout": [{"p1_given_0": 0.02, "p0_given_1": 0.05, "qubits": [0]}], "qdk_pauli": [px, py, pz]}</c>;
    /// a channel is <c>{"type": "depolarizing", "p": 0.01}</c> (types and keys in docs/noise.md).
    /// </summary>
    /// <exception cref="ParseException">Malformed JSON, an unknown key, a missing or out-of-range value.</exception>
    public static NoiseModel ParseJson(string json, string source = "<noise model>")
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxJsonLength)
            throw new ParseException(source, 1, 1, $"the noise model has {json.Length:N0} characters; at most {MaxJsonLength:N0} are read.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ParseException(source, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1,
                $"malformed JSON: {FirstSentence(e.Message)} (nesting is limited to {MaxJsonDepth} levels).");
        }
        using (doc)
        {
            var root = doc.RootElement;
            var ctx = new Context(source);
            if (root.ValueKind != JsonValueKind.Object) throw ctx.Fail("$", $"the top level must be an object, not {root.ValueKind}");
            var model = NoiseModel.Ideal;
            foreach (var prop in root.EnumerateObject())
            {
                string path = "$." + prop.Name;
                switch (prop.Name)
                {
                    case "gate_noise":
                        int i = 0;
                        foreach (var rule in ctx.Rules(prop.Value, path))
                        {
                            string rp = $"{path}[{i++}]";
                            ctx.Keys(rule, rp, "channel", "gates", "qubits");
                            var channel = ctx.Channel(ctx.Required(rule, "channel", rp), rp + ".channel");
                            var gates = rule.TryGetProperty("gates", out var g) ? ctx.Array(g, rp + ".gates").Select(e => ctx.String(e, rp + ".gates")).ToArray() : [];
                            var qubits = rule.TryGetProperty("qubits", out var q) ? ctx.Qubits(q, rp + ".qubits") : [];
                            model = ctx.Wrap(rp, () => model.WithGateNoise(channel, gates, qubits));
                        }
                        break;
                    case "measurement_noise":
                        int m = 0;
                        foreach (var rule in ctx.Rules(prop.Value, path))
                        {
                            string rp = $"{path}[{m++}]";
                            ctx.Keys(rule, rp, "channel", "qubits");
                            var channel = ctx.Channel(ctx.Required(rule, "channel", rp), rp + ".channel");
                            var qubits = rule.TryGetProperty("qubits", out var q) ? ctx.Qubits(q, rp + ".qubits") : [];
                            model = ctx.Wrap(rp, () => model.WithMeasurementNoise(channel, qubits));
                        }
                        break;
                    case "readout":
                        int r = 0;
                        foreach (var rule in ctx.Rules(prop.Value, path))
                        {
                            string rp = $"{path}[{r++}]";
                            ctx.Keys(rule, rp, "p1_given_0", "p0_given_1", "qubits");
                            double e0 = ctx.Number(ctx.Required(rule, "p1_given_0", rp), rp + ".p1_given_0");
                            double e1 = ctx.Number(ctx.Required(rule, "p0_given_1", rp), rp + ".p0_given_1");
                            var qubits = rule.TryGetProperty("qubits", out var q) ? ctx.Qubits(q, rp + ".qubits") : [];
                            model = ctx.Wrap(rp, () => model.WithReadoutError(new ReadoutError(e0, e1), qubits));
                        }
                        break;
                    case "qdk_pauli":
                    {
                        var v = ctx.Array(prop.Value, path).Select(e => ctx.Number(e, path)).ToArray();
                        if (v.Length != 3) throw ctx.Fail(path, $"needs 3 numbers [px, py, pz], got {v.Length}");
                        model = ctx.Wrap(path, () => model.Combine(NoiseModel.QdkPauli(v[0], v[1], v[2])));
                        break;
                    }
                    default:
                        throw ctx.Fail(path, $"unknown key '{prop.Name}'; allowed: gate_noise, measurement_noise, readout, qdk_pauli");
                }
            }
            return model;
        }
    }

    private sealed class Context(string source)
    {
        public ParseException Fail(string path, string message) => new(source, 1, 1, $"{path}: {message}.");

        public T Wrap<T>(string path, Func<T> f)
        {
            try { return f(); }
            catch (ArgumentException e) { throw Fail(path, FirstSentence(e.Message)); }
        }

        public JsonElement.ArrayEnumerator Array(JsonElement e, string path) =>
            e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : throw Fail(path, $"must be an array, not {e.ValueKind}");

        public JsonElement.ArrayEnumerator Rules(JsonElement e, string path)
        {
            var rules = Array(e, path);
            int n = e.GetArrayLength();
            if (n > MaxRules) throw Fail(path, $"has {n} rules; a list has at most {MaxRules}");
            return rules;
        }

        public void Keys(JsonElement e, string path, params string[] allowed)
        {
            if (e.ValueKind != JsonValueKind.Object) throw Fail(path, $"must be an object, not {e.ValueKind}");
            foreach (var p in e.EnumerateObject())
                if (!allowed.Contains(p.Name)) throw Fail(path, $"unknown key '{p.Name}'; allowed: {string.Join(", ", allowed)}");
        }

        public JsonElement Required(JsonElement e, string key, string path) =>
            e.TryGetProperty(key, out var v) ? v : throw Fail(path, $"the key '{key}' is missing");

        public double Number(JsonElement e, string path) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) && double.IsFinite(v)
                ? v : throw Fail(path, $"must be a finite number, not {Describe(e)}");

        public string String(JsonElement e, string path) =>
            e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Fail(path, $"must be a string, not {Describe(e)}");

        public int[] Qubits(JsonElement e, string path) => Array(e, path).Select(q =>
            q.ValueKind == JsonValueKind.Number && q.TryGetInt32(out int v) && v >= 0 && v < Circuits.Circuit.MaxQubits
                ? v : throw Fail(path, $"{Describe(q)} is not a qubit index; allowed: 0..{Circuits.Circuit.MaxQubits - 1}")).ToArray();

        public NoiseChannel Channel(JsonElement e, string path)
        {
            if (e.ValueKind != JsonValueKind.Object) throw Fail(path, $"must be an object, not {e.ValueKind}");
            string type = String(Required(e, "type", path), path + ".type");
            double Get(string key) => Number(Required(e, key, path), $"{path}.{key}");
            string[] Allowed(params string[] keys) => ["type", .. keys];
            try
            {
                switch (type)
                {
                    case "pauli": Keys(e, path, Allowed("px", "py", "pz")); return NoiseChannel.Pauli(Get("px"), Get("py"), Get("pz"));
                    case "depolarizing": Keys(e, path, Allowed("p")); return NoiseChannel.Depolarizing(Get("p"));
                    case "depolarizing2": Keys(e, path, Allowed("p")); return NoiseChannel.TwoQubitDepolarizing(Get("p"));
                    case "global_depolarizing":
                    {
                        Keys(e, path, Allowed("p", "qubits"));
                        int k = e.TryGetProperty("qubits", out var kq) && kq.TryGetInt32(out int kv) ? kv : 1;
                        return NoiseChannel.GlobalDepolarizing(Get("p"), k);
                    }
                    case "bit_flip": Keys(e, path, Allowed("p")); return NoiseChannel.BitFlip(Get("p"));
                    case "phase_flip": Keys(e, path, Allowed("p")); return NoiseChannel.PhaseFlip(Get("p"));
                    case "amplitude_damping": Keys(e, path, Allowed("gamma")); return NoiseChannel.AmplitudeDamping(Get("gamma"));
                    case "phase_damping": Keys(e, path, Allowed("lambda")); return NoiseChannel.PhaseDamping(Get("lambda"));
                    case "thermal_relaxation": Keys(e, path, Allowed("t1", "t2", "time")); return NoiseChannel.ThermalRelaxation(Get("t1"), Get("t2"), Get("time"));
                    case "kraus":
                    {
                        Keys(e, path, Allowed("operators"));
                        var ops = new List<Complex[,]>();
                        int i = 0;
                        foreach (var op in Array(Required(e, "operators", path), path + ".operators"))
                        {
                            if (i >= 64) throw Fail(path + ".operators", "more than 64 Kraus operators");
                            ops.Add(Matrix(op, $"{path}.operators[{i++}]"));
                        }
                        return NoiseChannel.Kraus(ops);
                    }
                    default:
                        throw Fail(path + ".type", $"unknown channel type '{type}'; allowed: pauli, depolarizing, depolarizing2, global_depolarizing, bit_flip, phase_flip, amplitude_damping, phase_damping, thermal_relaxation, kraus");
                }
            }
            catch (ArgumentException ex)
            {
                throw Fail(path, FirstSentence(ex.Message));
            }
        }

        /// <summary>A matrix as rows of entries; an entry is a number or [re, im].</summary>
        private Complex[,] Matrix(JsonElement e, string path)
        {
            var rows = Array(e, path).ToList();
            int d = rows.Count;
            if (d < 2 || d > 1 << NoiseChannel.MaxKrausQubits || !BitOperations.IsPow2(d))
                throw Fail(path, $"has {d} rows; a Kraus operator is 2^k × 2^k with k = 1..{NoiseChannel.MaxKrausQubits}");
            var m = new Complex[d, d];
            for (int r = 0; r < d; r++)
            {
                var cols = Array(rows[r], $"{path}[{r}]").ToList();
                if (cols.Count != d) throw Fail($"{path}[{r}]", $"has {cols.Count} entries; a {d} × {d} matrix needs {d}");
                for (int c = 0; c < d; c++)
                {
                    var v = cols[c];
                    string ep = $"{path}[{r}][{c}]";
                    if (v.ValueKind == JsonValueKind.Number) m[r, c] = Number(v, ep);
                    else
                    {
                        var parts = Array(v, ep).ToList();
                        if (parts.Count != 2) throw Fail(ep, "a complex entry is [re, im]");
                        m[r, c] = new Complex(Number(parts[0], ep), Number(parts[1], ep));
                    }
                }
            }
            return m;
        }

        private static string Describe(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => $"\"{Truncate(e.GetString() ?? "")}\"",
            JsonValueKind.Number => e.GetRawText(),
            _ => e.ValueKind.ToString().ToLowerInvariant(),
        };
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        string m = cut >= 0 ? message[..cut] : message;
        cut = m.IndexOf("\nActual value", StringComparison.Ordinal);
        if (cut >= 0) m = m[..cut];
        return m.TrimEnd('.', ' ', '\r', '\n');
    }

    private static ParseException Error(string source, int line, int column, string message) => new(source, line, column, message + ".");
}
