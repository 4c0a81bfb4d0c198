using System.Globalization;
using System.Text.Json;

namespace QnnSim.Analysis.Sweeps;

/// <summary>How the axes of a sweep combine into points.</summary>
public enum SweepCombine
{
    /// <summary>The full grid: every combination of the axes' values (the first axis varies slowest). The default.</summary>
    Grid,

    /// <summary>Zipped: the i-th point takes the i-th value of every axis; all axes must have the same length.</summary>
    Zip,
}

/// <summary>The kind of a <see cref="SweepValue"/>, as written in the spec.</summary>
public enum SweepValueKind
{
    /// <summary>A JSON number: one token, written as in the spec (or in round-trip form for a generated range value).</summary>
    Number,

    /// <summary>A JSON string: one token.</summary>
    String,

    /// <summary>A JSON boolean: a flag given (<c>true</c>) or left out (<c>false</c>).</summary>
    Boolean,

    /// <summary>A JSON array of numbers or strings: the option repeated once per element.</summary>
    List,
}

/// <summary>
/// One value of an option in a sweep: what the spec wrote, and the command-line tokens it becomes.
/// </summary>
/// <param name="Kind">The JSON kind.</param>
/// <param name="Text">The value as text: the number as written, the string, "true"/"false", or the list's elements joined by spaces.</param>
/// <param name="Items">The tokens of a <see cref="SweepValueKind.List"/> value (one option occurrence each); empty otherwise.</param>
public sealed record SweepValue(SweepValueKind Kind, string Text, IReadOnlyList<string> Items)
{
    /// <summary>A number value written in round-trip form ("R", invariant culture).</summary>
    public static SweepValue Of(double value) => new(SweepValueKind.Number, value.ToString("R", CultureInfo.InvariantCulture), []);

    /// <summary>The command-line tokens of option <c>--name</c> with this value.</summary>
    public IEnumerable<string> Tokens(string name)
    {
        switch (Kind)
        {
            case SweepValueKind.Boolean:
                if (Text == "true") yield return "--" + name;
                break;
            case SweepValueKind.List:
                foreach (var item in Items) { yield return "--" + name; yield return item; }
                break;
            default:
                yield return "--" + name;
                yield return Text;
                break;
        }
    }

    /// <summary>Whether the value is a number (for plots and summaries).</summary>
    public bool TryGetNumber(out double value) =>
        double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && Kind == SweepValueKind.Number;
}

/// <summary>One axis of a sweep: an option of the command and the values it takes.</summary>
/// <param name="Name">The option's name without the leading dashes ("layers" for --layers).</param>
/// <param name="Values">The values, in order (at least one).</param>
public sealed record SweepAxis(string Name, IReadOnlyList<SweepValue> Values);

/// <summary>A summary plot of a merged sweep: <see cref="Y"/> against <see cref="X"/>, mean ± standard error over the seeds.</summary>
/// <param name="X">An axis name (its values must be numbers).</param>
/// <param name="Y">A numeric result column (a dotted path into the command's JSON result, e.g. "diagnosis.loglog_slope").</param>
/// <param name="Series">An axis whose values make one line each, or null for one line.</param>
/// <param name="LogX">Whether the x axis is logarithmic.</param>
/// <param name="LogY">Whether the y axis is logarithmic.</param>
public sealed record SweepPlot(string X, string Y, string? Series, bool LogX, bool LogY);

/// <summary>
/// A sweep spec: one command of the qnnsim tool, fixed options, and axes whose combinations are the points
/// (docs/sweeps.md has the schema). Read with <see cref="Load"/> or <see cref="Parse"/>; every error is a
/// <see cref="SweepSpecException"/> naming the key and the allowed values.
/// </summary>
/// <remarks>
/// <code>
/// {
///   "command": "experiment convergence",
///   "options": { "qubits": 2, "samples": 2, "steps": 400 },
///   "axes": { "layers": [4, 8, 16], "gamma": { "from": 1, "to": 4, "count": 2, "scale": "log" } },
///   "combine": "grid",
///   "seeds": { "from": 1, "to": 2 },
///   "plots": [ { "x": "layers", "y": "diagnosis.loglog_slope", "series": "gamma" } ]
/// }
/// </code>
/// An option name is written without its dashes; <c>"seeds"</c> is the axis of <c>--seed</c>, always crossed with
/// the others (also when they are zipped), and varies fastest.
/// </remarks>
public sealed class SweepSpec
{
    /// <summary>The keys a spec may hold.</summary>
    public static readonly IReadOnlyList<string> Keys = ["schema", "description", "command", "arguments", "options", "axes", "combine", "seeds", "plots"];

    /// <summary>Longest spec text, in characters (1 MiB; docs/design.md, "Limits").</summary>
    public const int MaxSpecLength = 1 << 20;

    /// <summary>Deepest nesting of arrays and objects in a spec (a spec needs 5 levels; docs/design.md, "Limits").</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>The schema tag (optional in the file).</summary>
    public const string Schema = "qnnsim.sweep/1";

    /// <summary>The options the executor sets, which a spec may not: results must not depend on them.</summary>
    public static readonly IReadOnlyList<string> ReservedOptions = ["threads", "json", "help"];

    private SweepSpec(string source, string? description, IReadOnlyList<string> command, IReadOnlyList<string> arguments,
        IReadOnlyList<KeyValuePair<string, SweepValue>> options, IReadOnlyList<SweepAxis> axes, SweepCombine combine, SweepAxis? seeds, IReadOnlyList<SweepPlot> plots)
    {
        Source = source;
        Description = description;
        Command = command;
        Arguments = arguments;
        Options = options;
        Axes = axes;
        Combine = combine;
        Seeds = seeds;
        Plots = plots;
    }

    /// <summary>Where the spec was read from (a path or a description); error messages start with it.</summary>
    public string Source { get; }

    /// <summary>A free-text description, or null.</summary>
    public string? Description { get; }

    /// <summary>The command's words, e.g. ["experiment", "convergence"].</summary>
    public IReadOnlyList<string> Command { get; }

    /// <summary>The command's positional arguments (e.g. a circuit file, relative to the spec's folder).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The fixed options, in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, SweepValue>> Options { get; }

    /// <summary>The axes, in the order written (the first varies slowest in a grid).</summary>
    public IReadOnlyList<SweepAxis> Axes { get; }

    /// <summary>How <see cref="Axes"/> combine.</summary>
    public SweepCombine Combine { get; }

    /// <summary>The seed axis (option <c>--seed</c>), crossed with the other axes and varying fastest; null when absent.</summary>
    public SweepAxis? Seeds { get; }

    /// <summary>All axes as they appear in a point: <see cref="Axes"/>, then <see cref="Seeds"/>.</summary>
    public IReadOnlyList<SweepAxis> AllAxes => Seeds is null ? Axes : [.. Axes, Seeds];

    /// <summary>The summary plots <c>sweep merge</c> draws.</summary>
    public IReadOnlyList<SweepPlot> Plots { get; }

    /// <summary>Reads a spec file.</summary>
    /// <exception cref="SweepSpecException">The file is missing, not JSON, or breaks the schema.</exception>
    public static SweepSpec Load(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            // UTF-8 takes at most 4 bytes a character: a file this large cannot be within the limit.
            if (info.Exists && info.Length > MaxSpecLength * 4L)
                throw new SweepSpecException(path, "", $"the spec file is {info.Length:N0} bytes; a spec has at most {MaxSpecLength:N0} characters.");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SweepSpecException(path, "", $"cannot read the spec: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Parses a spec from JSON text.</summary>
    /// <param name="json">The spec.</param>
    /// <param name="source">The file name used in error messages.</param>
    /// <exception cref="SweepSpecException">The text is not JSON or breaks the schema.</exception>
    public static SweepSpec Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        if (json.Length > MaxSpecLength)
            throw new SweepSpecException(source, "", $"the spec has {json.Length:N0} characters; at most {MaxSpecLength:N0} are read.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            int line = (int)(e.LineNumber ?? 0) + 1, column = (int)(e.BytePositionInLine ?? 0) + 1;
            string why = e.Message;
            int cut = why.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut >= 0) why = why[..cut];
            throw new SweepSpecException(source, "", $"not valid JSON (line {line}, byte {column}): {why.TrimEnd()} (nesting is limited to {MaxJsonDepth} levels).", line, column);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new SweepSpecException(source, "", $"the spec must be a JSON object, not {Describe(root.ValueKind)}.");
            foreach (var p in root.EnumerateObject())
                if (!Keys.Contains(p.Name))
                    throw new SweepSpecException(source, p.Name, $"unknown key; allowed keys: {string.Join(", ", Keys)}.");

            if (root.TryGetProperty("schema", out var schema) && (schema.ValueKind != JsonValueKind.String || schema.GetString() != Schema))
                throw new SweepSpecException(source, "schema", $"'{schema}' is not supported; allowed: \"{Schema}\".");
            string? description = root.TryGetProperty("description", out var d) ? RequireString(source, "description", d) : null;

            if (!root.TryGetProperty("command", out var commandElement))
                throw new SweepSpecException(source, "command", "missing; give the qnnsim command to run, e.g. \"experiment convergence\".");
            var commandText = RequireString(source, "command", commandElement).Trim();
            var command = commandText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (command.Length == 0) throw new SweepSpecException(source, "command", "is empty; give the qnnsim command to run, e.g. \"experiment convergence\".");

            var arguments = new List<string>();
            if (root.TryGetProperty("arguments", out var args))
            {
                if (args.ValueKind != JsonValueKind.Array) throw new SweepSpecException(source, "arguments", $"must be an array of strings, not {Describe(args.ValueKind)}.");
                int i = 0;
                foreach (var a in args.EnumerateArray()) arguments.Add(RequireString(source, $"arguments[{i++}]", a));
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            var options = new List<KeyValuePair<string, SweepValue>>();
            if (root.TryGetProperty("options", out var opts))
            {
                if (opts.ValueKind != JsonValueKind.Object) throw new SweepSpecException(source, "options", $"must be an object of option names and values, not {Describe(opts.ValueKind)}.");
                foreach (var p in opts.EnumerateObject())
                {
                    string key = $"options.{p.Name}";
                    string name = OptionName(source, key, p.Name);
                    if (!names.Add(name)) throw new SweepSpecException(source, key, $"option '{name}' is given twice.");
                    options.Add(new(name, Value(source, key, p.Value)));
                }
            }

            var axes = new List<SweepAxis>();
            if (root.TryGetProperty("axes", out var axesElement))
            {
                if (axesElement.ValueKind != JsonValueKind.Object) throw new SweepSpecException(source, "axes", $"must be an object of option names and value lists, not {Describe(axesElement.ValueKind)}.");
                foreach (var p in axesElement.EnumerateObject())
                {
                    string key = $"axes.{p.Name}";
                    string name = OptionName(source, key, p.Name);
                    if (name == "seed") throw new SweepSpecException(source, key, "give the seeds with the top-level key \"seeds\" (always crossed with the other axes).");
                    if (!names.Add(name)) throw new SweepSpecException(source, key, $"option '{name}' is already fixed in \"options\" or given as another axis.");
                    axes.Add(new SweepAxis(name, AxisValues(source, key, p.Value)));
                }
            }

            SweepAxis? seeds = null;
            if (root.TryGetProperty("seeds", out var seedsElement))
            {
                if (!names.Add("seed")) throw new SweepSpecException(source, "seeds", "option 'seed' is already fixed in \"options\"; give it in one place.");
                var values = AxisValues(source, "seeds", seedsElement);
                foreach (var v in values)
                    if (v.Kind != SweepValueKind.Number || !ulong.TryParse(v.Text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        throw new SweepSpecException(source, "seeds", $"'{v.Text}' is not a seed; allowed: whole numbers 0..{ulong.MaxValue}.");
                if (values.Select(v => v.Text).Distinct().Count() != values.Count)
                    throw new SweepSpecException(source, "seeds", "a seed is repeated; the seeds must differ.");
                seeds = new SweepAxis("seed", values);
            }

            var combine = SweepCombine.Grid;
            if (root.TryGetProperty("combine", out var c))
            {
                combine = RequireString(source, "combine", c) switch
                {
                    "grid" => SweepCombine.Grid,
                    "zip" => SweepCombine.Zip,
                    var other => throw new SweepSpecException(source, "combine", $"'{other}' is not allowed; allowed: \"grid\" (every combination, the default) or \"zip\" (the i-th values together)."),
                };
                if (combine == SweepCombine.Zip && axes.Select(a => a.Values.Count).Distinct().Count() > 1)
                    throw new SweepSpecException(source, "axes", $"zipped axes must have the same length; lengths: {string.Join(", ", axes.Select(a => $"{a.Name} {a.Values.Count}"))}.");
            }

            var allAxes = seeds is null ? axes : [.. axes, seeds];
            var plots = new List<SweepPlot>();
            if (root.TryGetProperty("plots", out var plotsElement))
            {
                if (plotsElement.ValueKind != JsonValueKind.Array) throw new SweepSpecException(source, "plots", $"must be an array of {{\"x\", \"y\"}} objects, not {Describe(plotsElement.ValueKind)}.");
                int i = 0;
                foreach (var pe in plotsElement.EnumerateArray())
                    plots.Add(Plot(source, $"plots[{i++}]", pe, allAxes));
            }

            return new SweepSpec(source, description, command, arguments, options, axes, combine, seeds, plots);
        }
    }

    private static SweepPlot Plot(string source, string key, JsonElement e, IReadOnlyList<SweepAxis> axes)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new SweepSpecException(source, key, $"must be an object with \"x\" and \"y\", not {Describe(e.ValueKind)}.");
        string[] allowed = ["x", "y", "series", "log_x", "log_y"];
        foreach (var p in e.EnumerateObject())
            if (!allowed.Contains(p.Name)) throw new SweepSpecException(source, $"{key}.{p.Name}", $"unknown key; allowed keys: {string.Join(", ", allowed)}.");
        var axisNames = axes.Where(a => a.Name != "seed").Select(a => a.Name).ToArray();
        string AxisKey(string k, bool required)
        {
            if (!e.TryGetProperty(k, out var v))
            {
                if (required) throw new SweepSpecException(source, $"{key}.{k}", $"missing; allowed: an axis name ({string.Join(", ", axisNames)}).");
                return "";
            }
            string name = RequireString(source, $"{key}.{k}", v);
            if (!axisNames.Contains(name)) throw new SweepSpecException(source, $"{key}.{k}", $"'{name}' is not an axis of this sweep; allowed: {(axisNames.Length == 0 ? "(none: the spec has no axes besides seeds)" : string.Join(", ", axisNames))}.");
            return name;
        }
        string x = AxisKey("x", true);
        if (!e.TryGetProperty("y", out var y)) throw new SweepSpecException(source, $"{key}.y", "missing; give a numeric result column, e.g. \"diagnosis.loglog_slope\".");
        string series = AxisKey("series", false);
        if (series == x) throw new SweepSpecException(source, $"{key}.series", $"'{series}' is already the x axis; allowed: another axis.");
        bool Flag(string k) => e.TryGetProperty(k, out var f) && (f.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? f.GetBoolean() : throw new SweepSpecException(source, $"{key}.{k}", $"must be true or false, not {Describe(f.ValueKind)}."));
        return new SweepPlot(x, RequireString(source, $"{key}.y", y), series.Length == 0 ? null : series, Flag("log_x"), Flag("log_y"));
    }

    private static string OptionName(string source, string key, string raw)
    {
        string name = raw.StartsWith("--", StringComparison.Ordinal) ? raw[2..] : raw;
        if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-') || name[0] == '-')
            throw new SweepSpecException(source, key, $"'{raw}' is not an option name; allowed: the command's option names, e.g. \"layers\" for --layers.");
        if (ReservedOptions.Contains(name))
            throw new SweepSpecException(source, key, $"--{name} is set by the sweep itself, not by the spec (results must not depend on it); remove it.");
        return name;
    }

    private static IReadOnlyList<SweepValue> AxisValues(string source, string key, JsonElement e)
    {
        var values = new List<SweepValue>();
        switch (e.ValueKind)
        {
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray()) values.Add(Value(source, $"{key}[{i++}]", item));
                break;
            case JsonValueKind.Object:
                values.AddRange(Range(source, key, e));
                break;
            default:
                throw new SweepSpecException(source, key, $"must be a list of values or a range object {{\"from\", \"to\", \"step\" | \"count\"}}, not {Describe(e.ValueKind)}.");
        }
        if (values.Count == 0) throw new SweepSpecException(source, key, "the axis is empty; allowed: at least one value.");
        return values;
    }

    private static IEnumerable<SweepValue> Range(string source, string key, JsonElement e)
    {
        string[] allowed = ["from", "to", "step", "count", "scale"];
        foreach (var p in e.EnumerateObject())
            if (!allowed.Contains(p.Name)) throw new SweepSpecException(source, $"{key}.{p.Name}", $"unknown key in a range; allowed keys: {string.Join(", ", allowed)}.");
        double Number(string k)
        {
            if (!e.TryGetProperty(k, out var v)) throw new SweepSpecException(source, $"{key}.{k}", "missing; a range needs \"from\" and \"to\", and \"step\" or \"count\".");
            if (v.ValueKind != JsonValueKind.Number || !double.IsFinite(v.GetDouble())) throw new SweepSpecException(source, $"{key}.{k}", $"must be a finite number, not {v}.");
            return v.GetDouble();
        }
        double from = Number("from"), to = Number("to");
        bool hasStep = e.TryGetProperty("step", out _), hasCount = e.TryGetProperty("count", out _);
        string scale = e.TryGetProperty("scale", out var s) ? RequireString(source, $"{key}.scale", s) : "linear";
        if (scale is not ("linear" or "log")) throw new SweepSpecException(source, $"{key}.scale", $"'{scale}' is not allowed; allowed: \"linear\" (the default) or \"log\".");
        if (hasStep && hasCount) throw new SweepSpecException(source, key, "give one of \"step\" and \"count\", not both.");
        if (!hasStep && !hasCount)
        {
            // A range of whole numbers without "step" steps by 1; anything else must say how it steps.
            if (from != to && !(IsWhole(from) && IsWhole(to)))
                throw new SweepSpecException(source, key, "give \"step\" or \"count\" (only a range of whole numbers steps by 1 without them).");
            hasStep = from != to;
        }
        if (hasStep)
        {
            if (scale == "log") throw new SweepSpecException(source, $"{key}.scale", "\"log\" needs \"count\", not \"step\".");
            double step = e.TryGetProperty("step", out _) ? Number("step") : 1;
            if (!(step > 0)) throw new SweepSpecException(source, $"{key}.step", $"{step.ToString("R", CultureInfo.InvariantCulture)} is out of range; allowed: a number > 0.");
            if (to < from) throw new SweepSpecException(source, $"{key}.to", $"{to.ToString("R", CultureInfo.InvariantCulture)} is below \"from\" {from.ToString("R", CultureInfo.InvariantCulture)}; allowed: to ≥ from.");
            // from + k·step (not repeated addition, which drifts); the end is included up to a relative 1e-9 of the step.
            long n = (long)Math.Floor((to - from) / step + 1e-9) + 1;
            if (n > 100_000) throw new SweepSpecException(source, key, $"the range has {n} values; allowed: at most 100000.");
            for (long k = 0; k < n; k++) yield return SweepValue.Of(from + k * step);
        }
        else if (hasCount)
        {
            var cv = e.GetProperty("count");
            if (cv.ValueKind != JsonValueKind.Number || !cv.TryGetInt32(out int count) || count < 1 || count > 100_000)
                throw new SweepSpecException(source, $"{key}.count", $"{cv} is out of range; allowed: a whole number 1..100000.");
            if (scale == "log" && !(from > 0 && to > 0))
                throw new SweepSpecException(source, key, "a \"log\" range needs \"from\" > 0 and \"to\" > 0.");
            for (int k = 0; k < count; k++)
            {
                double t = count == 1 ? 0 : k / (double)(count - 1);
                double v = scale == "log" ? (k == count - 1 ? to : from * Math.Pow(to / from, t)) : (k == count - 1 ? to : from + (to - from) * t);
                yield return SweepValue.Of(v);
            }
        }
        else yield return SweepValue.Of(from);
    }

    private static bool IsWhole(double v) => Math.Floor(v) == v;

    private static SweepValue Value(string source, string key, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Number: return new SweepValue(SweepValueKind.Number, e.GetRawText(), []);
            case JsonValueKind.String: return new SweepValue(SweepValueKind.String, e.GetString()!, []);
            case JsonValueKind.True: return new SweepValue(SweepValueKind.Boolean, "true", []);
            case JsonValueKind.False: return new SweepValue(SweepValueKind.Boolean, "false", []);
            case JsonValueKind.Array:
                var items = new List<string>();
                int i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    items.Add(item.ValueKind switch
                    {
                        JsonValueKind.Number => item.GetRawText(),
                        JsonValueKind.String => item.GetString()!,
                        _ => throw new SweepSpecException(source, $"{key}[{i}]", $"must be a number or a string (a repeated option), not {Describe(item.ValueKind)}."),
                    });
                    i++;
                }
                if (items.Count == 0) throw new SweepSpecException(source, key, "an empty list; allowed: one or more values of the repeated option.");
                return new SweepValue(SweepValueKind.List, string.Join(' ', items), items);
            default:
                throw new SweepSpecException(source, key, $"must be a number, a string, true/false or a list, not {Describe(e.ValueKind)}.");
        }
    }

    private static string RequireString(string source, string key, JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new SweepSpecException(source, key, $"must be a string, not {Describe(e.ValueKind)}.");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}

/// <summary>
/// A sweep spec that cannot be used: the message starts with the spec file and the key at fault. It is the sweep
/// reader's <see cref="ParseException"/> (catching that catches every reader's error); <see cref="ParseException.Line"/>
/// and <see cref="ParseException.Column"/> are those of a JSON syntax error, and 1 otherwise (the key locates the error).
/// </summary>
public sealed class SweepSpecException : ParseException
{
    /// <summary>Creates the error.</summary>
    /// <param name="source">The spec file.</param>
    /// <param name="key">The key at fault (dotted path, e.g. "axes.layers[2]"), or "" for the whole file.</param>
    /// <param name="detail">What is wrong and what is allowed.</param>
    public SweepSpecException(string source, string key, string detail)
        : this(source, key, detail, 1, 1)
    {
    }

    /// <summary>Creates the error at a line and column of the text (a JSON syntax error).</summary>
    /// <param name="source">The spec file.</param>
    /// <param name="key">The key at fault, or "".</param>
    /// <param name="detail">What is wrong and what is allowed.</param>
    /// <param name="line">1-based line.</param>
    /// <param name="column">1-based column.</param>
    public SweepSpecException(string source, string key, string detail, int line, int column)
        : base(source, line, column, detail, key.Length == 0 ? $"{source}: {detail}" : $"{source}: \"{key}\": {detail}", null)
    {
        Key = key;
    }

    /// <summary>The spec file (the same as <see cref="ParseException.SourceName"/>).</summary>
    public string SpecFile => SourceName;

    /// <summary>The key at fault, or "".</summary>
    public string Key { get; }
}
