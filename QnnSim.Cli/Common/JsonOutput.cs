using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QnnSim.Cli.Common;

/// <summary>
/// Writes the one JSON object a command prints with --json. The first key is always
/// <c>"schema": "qnnsim.&lt;command&gt;/&lt;version&gt;"</c>; keys are snake_case (<see cref="Key"/> converts names);
/// numbers are written in round-trip precision, and a non-finite number (which JSON cannot hold) as null.
/// </summary>
/// <example>
/// <code>
/// JsonOutput.Write(context.Out, "run", w =>
/// {
///     w.WriteNumber("qubits", 3);
///     JsonOutput.WriteNumber(w, "value", 0.5);
/// });
/// </code>
/// </example>
internal static class JsonOutput
{
    /// <summary>Writer options: indented, non-ASCII and '+' left readable (the output is not embedded in HTML).</summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The schema tag of a command: <c>qnnsim.&lt;command&gt;/&lt;version&gt;</c>.</summary>
    public static string Schema(string command, int version = 1) => $"qnnsim.{command}/{version}";

    /// <summary>Writes one JSON object: the schema key first, then whatever <paramref name="body"/> writes, then a newline.</summary>
    /// <param name="output">Where to write (stdout or a file).</param>
    /// <param name="command">The command name used in the schema tag, e.g. <c>run</c> or <c>experiment.convergence</c>.</param>
    /// <param name="body">Writes the object's other properties.</param>
    /// <param name="version">The schema version.</param>
    public static void Write(TextWriter output, string command, Action<Utf8JsonWriter> body, int version = 1)
    {
        output.WriteLine(ToText(command, body, version));
        output.Flush();
    }

    /// <summary>The JSON text <see cref="Write"/> would print (without the trailing newline).</summary>
    public static string ToText(string command, Action<Utf8JsonWriter> body, int version = 1)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("schema", Schema(command, version));
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the object to a file (created or replaced).</summary>
    public static void WriteFile(string path, string command, Action<Utf8JsonWriter> body, int version = 1) =>
        File.WriteAllText(path, ToText(command, body, version) + Environment.NewLine, new UTF8Encoding(false));

    /// <summary>A PascalCase or camelCase name in snake_case (<c>TraceRatio</c> → <c>trace_ratio</c>).</summary>
    public static string Key(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>Writes a number property; null when the value is NaN or infinite.</summary>
    public static void WriteNumber(Utf8JsonWriter writer, string key, double value)
    {
        if (double.IsFinite(value)) writer.WriteNumber(key, value);
        else writer.WriteNull(key);
    }

    /// <summary>Writes a number array element; null when the value is NaN or infinite.</summary>
    public static void WriteNumberValue(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }

    /// <summary>Writes an array of numbers.</summary>
    public static void WriteArray(Utf8JsonWriter writer, string key, IEnumerable<double> values)
    {
        writer.WriteStartArray(key);
        foreach (var v in values) WriteNumberValue(writer, v);
        writer.WriteEndArray();
    }

    /// <summary>Writes an array of strings.</summary>
    public static void WriteArray(Utf8JsonWriter writer, string key, IEnumerable<string> values)
    {
        writer.WriteStartArray(key);
        foreach (var v in values) writer.WriteStringValue(v);
        writer.WriteEndArray();
    }

    /// <summary>Writes an array of integers.</summary>
    public static void WriteArray(Utf8JsonWriter writer, string key, IEnumerable<int> values)
    {
        writer.WriteStartArray(key);
        foreach (var v in values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }

    /// <summary>Writes a matrix as an array of row arrays.</summary>
    public static void WriteMatrix(Utf8JsonWriter writer, string key, IEnumerable<IReadOnlyList<double>> rows)
    {
        writer.WriteStartArray(key);
        foreach (var row in rows)
        {
            writer.WriteStartArray();
            foreach (var v in row) WriteNumberValue(writer, v);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }

    /// <summary>Writes a rectangular matrix as an array of row arrays.</summary>
    public static void WriteMatrix(Utf8JsonWriter writer, string key, double[,] matrix)
    {
        writer.WriteStartArray(key);
        for (int i = 0; i < matrix.GetLength(0); i++)
        {
            writer.WriteStartArray();
            for (int j = 0; j < matrix.GetLength(1); j++) WriteNumberValue(writer, matrix[i, j]);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }

    /// <summary>Writes an object mapping names to numbers, in the given order.</summary>
    public static void WriteObject(Utf8JsonWriter writer, string key, IEnumerable<KeyValuePair<string, double>> values)
    {
        writer.WriteStartObject(key);
        foreach (var (k, v) in values) WriteNumber(writer, k, v);
        writer.WriteEndObject();
    }
}
