using QnnSim.Circuits;

namespace QnnSim.Interop;

/// <summary>OpenQASM 3 (and 2) reader and OpenQASM 3 writer.</summary>
public static class OpenQasm
{
    /// <summary>Parses OpenQASM text into a circuit.</summary>
    /// <param name="source">The program text.</param>
    /// <param name="sourceName">File name used in error messages.</param>
    /// <param name="options">Which input variables are data inputs.</param>
    /// <exception cref="ParseException">Malformed or unsupported input, with line and column.</exception>
    public static Circuit Parse(string source, string sourceName = "<input>", CircuitLoadOptions? options = null) =>
        throw new NotImplementedException("the OpenQASM reader is being written");

    /// <summary>Reads an OpenQASM file.</summary>
    public static Circuit Load(string path, CircuitLoadOptions? options = null) =>
        Parse(File.ReadAllText(path), path, options);

    /// <summary>Writes a circuit as OpenQASM 3.</summary>
    public static string Write(Circuit circuit) =>
        throw new NotImplementedException("the OpenQASM writer is being written");
}
