using QnnSim.Circuits;

namespace QnnSim.Interop;

/// <summary>The <c>.qs</c> branch of <see cref="CircuitFiles"/>.</summary>
internal static class QSharpFiles
{
    /// <summary>
    /// A hardware-style program (no counts given): compiled at <see cref="CircuitLoadOptions.Entry"/> or its own entry
    /// point. A trainable operation (<see cref="CircuitLoadOptions.Qubits"/>, <see cref="CircuitLoadOptions.ParameterCount"/>
    /// or <see cref="CircuitLoadOptions.InputCount"/> given): probe-imported with <see cref="QSharpCompiler.ImportAnsatz"/>,
    /// <see cref="CircuitLoadOptions.Entry"/> naming the operation.
    /// </summary>
    public static Circuit Load(string path, CircuitLoadOptions options)
    {
        var compiler = new QSharpCompiler();
        if (options.Qubits is null && options.ParameterCount is null && options.InputCount is null)
            return compiler.CompileFile(path, options.Entry);
        if (string.IsNullOrWhiteSpace(options.Entry))
            throw new ArgumentException($"{path}: importing a trainable Q# operation needs its name as the entry (--entry NAME) besides the qubit count and array lengths.", nameof(options));
        if (options.Qubits is null)
            throw new ArgumentException($"{path}: importing the trainable Q# operation {options.Entry} needs the qubit count (--qubits N).", nameof(options));
        return compiler.ImportAnsatz(File.ReadAllText(path), options.Entry, options.Qubits.Value,
            options.ParameterCount ?? 0, options.InputCount ?? 0, path);
    }
}
