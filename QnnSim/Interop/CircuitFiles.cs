using QnnSim.Circuits;

namespace QnnSim.Interop;

/// <summary>Options for reading a circuit file.</summary>
public sealed record CircuitLoadOptions
{
    /// <summary>
    /// Names of OpenQASM <c>input</c> variables that are data inputs x rather than trainable parameters θ (in addition
    /// to any named by a <c>#pragma qnnsim inputs …</c> line).
    /// </summary>
    public IReadOnlyList<string> InputNames { get; init; } = [];

    /// <summary>Q#: the entry expression to compile (e.g. <c>Main()</c>); default: the file's @EntryPoint.</summary>
    public string? Entry { get; init; }

    /// <summary>Q# trainable ansatz: number of qubits the operation is given.</summary>
    public int? Qubits { get; init; }

    /// <summary>Q# trainable ansatz: length of the parameter array θ.</summary>
    public int? ParameterCount { get; init; }

    /// <summary>Q# trainable ansatz: length of the data input array x.</summary>
    public int? InputCount { get; init; }
}

/// <summary>
/// Reads and writes circuit files by extension: <c>.qasm</c> (OpenQASM 3 or 2), <c>.ll</c> (QIR base profile text),
/// <c>.qs</c> (Q#, compiled by Microsoft's QDK through Node.js).
/// </summary>
public static class CircuitFiles
{
    /// <summary>The extensions <see cref="Load"/> understands.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".qasm", ".ll", ".qs"];

    /// <summary>Reads a circuit file, choosing the format by extension.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ParseException">The file is malformed (file, line and column in the message).</exception>
    /// <exception cref="NotSupportedException">An unknown extension.</exception>
    public static Circuit Load(string path, CircuitLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new CircuitLoadOptions();
        if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}", path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".qasm" => OpenQasm.Load(path, options),
            ".ll" => Qir.Load(path),
            ".qs" => QSharpFiles.Load(path, options),
            _ => throw new NotSupportedException($"{path}: unknown circuit format '{ext}' (allowed: {string.Join(", ", Extensions)})."),
        };
    }

    /// <summary>Writes a circuit, choosing the format by extension. The file is written only once the whole text is built.</summary>
    /// <exception cref="NotSupportedException">An unknown extension, or a circuit the format's writer refuses (a dense
    /// unitary on more than 10 qubits; see <see cref="OpenQasm.Write"/>); the file is then not created.</exception>
    public static void Save(Circuit circuit, string path)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        string text = ext switch
        {
            ".qasm" => OpenQasm.Write(circuit),
            ".ll" => Qir.Write(circuit),
            ".qs" => QSharp.Write(circuit),
            _ => throw new NotSupportedException($"{path}: unknown circuit format '{ext}' (allowed: {string.Join(", ", Extensions)})."),
        };
        File.WriteAllText(path, text);
    }
}
