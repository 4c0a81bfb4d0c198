using System.Text.Json;
using System.Text.Json.Nodes;

namespace QnnSim.Analysis;

/// <summary>
/// Parameters saved and loaded by name as JSON (schema <c>qnnsim.params/1</c>), optionally with the training state, so
/// a run can be resumed bit for bit:
/// <code>
/// { "schema": "qnnsim.params/1",
///   "parameters": { "t0": 0.12, "t1": -1.5 },
///   "training": { "epoch": 10, "step": 80, "optimizer": "adam", "optimizer_steps": 80, "first": [...], "second": [...] } }
/// </code>
/// Numbers are written with round-trip precision. Loading matches names, so parameters may appear in any order.
/// </summary>
public static class ParameterFile
{
    /// <summary>The schema name.</summary>
    public const string Schema = "qnnsim.params/1";

    /// <summary>The JSON text for θ named by <paramref name="names"/> and an optional checkpoint (whose θ must equal <paramref name="values"/>' length).</summary>
    /// <exception cref="ArgumentException">Names and values of different lengths, repeated names or non-finite values.</exception>
    public static string ToJson(IReadOnlyList<string> names, IReadOnlyList<double> values, TrainingCheckpoint? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(values);
        if (names.Count != values.Count) throw new ArgumentException($"{names.Count} names for {values.Count} values.", nameof(values));
        if (names.Distinct().Count() != names.Count) throw new ArgumentException("parameter names must be distinct.", nameof(names));
        var parameters = new JsonObject();
        for (int j = 0; j < names.Count; j++)
        {
            if (!double.IsFinite(values[j])) throw new ArgumentException($"parameter {names[j]} is {values[j]}; only finite values can be saved.", nameof(values));
            parameters[names[j]] = values[j];
        }
        var root = new JsonObject { ["schema"] = Schema, ["parameters"] = parameters };
        if (checkpoint is not null)
        {
            if (checkpoint.Parameters.Length != names.Count) throw new ArgumentException($"the checkpoint has {checkpoint.Parameters.Length} parameters for {names.Count} names.", nameof(checkpoint));
            var o = checkpoint.Optimizer;
            root["training"] = new JsonObject
            {
                ["epoch"] = checkpoint.Epoch,
                ["step"] = checkpoint.Step,
                ["optimizer"] = Name(o.Kind),
                ["optimizer_steps"] = o.StepCount,
                ["first"] = new JsonArray([.. o.First.Select(v => (JsonNode)v)]),
                ["second"] = new JsonArray([.. o.Second.Select(v => (JsonNode)v)]),
            };
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (through a temporary file renamed into place).</summary>
    public static void Save(string path, IReadOnlyList<string> names, IReadOnlyList<double> values, TrainingCheckpoint? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text = ToJson(names, values, checkpoint);
        string temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a file written by <see cref="Save"/>; see <see cref="Parse"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ParseException">Malformed JSON, another schema, an unknown, missing or non-finite parameter.</exception>
    public static (double[] Parameters, TrainingCheckpoint? Checkpoint) Load(string path, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}", path);
        return Parse(File.ReadAllText(path), path, names);
    }

    /// <summary>
    /// Parses the JSON text: θ in the order of <paramref name="names"/> (each name exactly once) and the checkpoint when
    /// the file has a "training" object.
    /// </summary>
    /// <exception cref="ParseException">Malformed JSON (with line and column), another schema, an unknown, missing or non-finite parameter, a bad training object.</exception>
    public static (double[] Parameters, TrainingCheckpoint? Checkpoint) Parse(string text, string sourceName, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(names);
        JsonNode? root;
        try { root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }); }
        catch (JsonException e) { throw new ParseException(sourceName, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1, $"not valid JSON: {FirstSentence(e.Message)}"); }
        if (root is not JsonObject obj) throw Fail(sourceName, "the file is not a JSON object");
        if ((string?)Value(obj["schema"]) != Schema) throw Fail(sourceName, $"the schema is '{obj["schema"]}', expected '{Schema}'");
        if (obj["parameters"] is not JsonObject parameters) throw Fail(sourceName, "there is no \"parameters\" object");
        var values = new double[names.Count];
        var set = new bool[names.Count];
        foreach (var (name, node) in parameters)
        {
            int j = IndexOf(names, name);
            if (j < 0) throw Fail(sourceName, $"unknown parameter '{name}' (the circuit's parameters: {string.Join(", ", names)})");
            values[j] = Number(node, sourceName, $"parameter '{name}'");
            set[j] = true;
        }
        for (int j = 0; j < names.Count; j++)
            if (!set[j]) throw Fail(sourceName, $"parameter '{names[j]}' has no value");
        TrainingCheckpoint? checkpoint = null;
        if (obj["training"] is JsonObject t)
        {
            string kindName = (string?)Value(t["optimizer"]) ?? "";
            OptimizerKind kind = kindName switch
            {
                "gd" => OptimizerKind.GradientDescent,
                "momentum" => OptimizerKind.Momentum,
                "adam" => OptimizerKind.Adam,
                _ => throw Fail(sourceName, $"unknown optimizer '{kindName}' in \"training\" (allowed: gd, momentum, adam)"),
            };
            long epoch = Whole(t["epoch"], sourceName, "training.epoch"), step = Whole(t["step"], sourceName, "training.step");
            long steps = Whole(t["optimizer_steps"], sourceName, "training.optimizer_steps");
            var first = Array(t["first"], sourceName, "training.first");
            var second = Array(t["second"], sourceName, "training.second");
            if (first.Length != names.Count || (kind == OptimizerKind.Adam ? second.Length != names.Count : second.Length != 0))
                throw Fail(sourceName, $"the optimizer state has {first.Length} and {second.Length} entries for {names.Count} parameters");
            checkpoint = new TrainingCheckpoint((double[])values.Clone(), epoch, step, new OptimizerState(kind, steps, first, second));
        }
        else if (obj["training"] is not null) throw Fail(sourceName, "\"training\" is not an object");
        return (values, checkpoint);
    }

    /// <summary>The short name of an optimiser in files and on the command line: gd, momentum, adam.</summary>
    public static string Name(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Momentum => "momentum",
        OptimizerKind.Adam => "adam",
        _ => "gd",
    };

    private static object? Value(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static double Number(JsonNode? node, string source, string what)
    {
        if (node is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d)) return d;
        throw Fail(source, $"{what} is {node?.ToJsonString() ?? "null"}, not a finite number");
    }

    private static long Whole(JsonNode? node, string source, string what)
    {
        if (node is JsonValue v && v.TryGetValue(out long d) && d >= 0) return d;
        throw Fail(source, $"{what} is {node?.ToJsonString() ?? "missing"}, not a whole number ≥ 0");
    }

    private static double[] Array(JsonNode? node, string source, string what)
    {
        if (node is not JsonArray a) throw Fail(source, $"{what} is not an array");
        return [.. a.Select((n, i) => Number(n, source, $"{what}[{i}]"))];
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    private static ParseException Fail(string source, string message) => new(source, 1, 1, message);

    private static string FirstSentence(string message)
    {
        int dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message.TrimEnd('.');
    }
}
