using QnnSim.Circuits;

namespace QnnSim.Cli.Common;

/// <summary>
/// The checks a dataset must pass before its columns are taken as a circuit's data inputs, so that a file the
/// circuit would silently ignore is an error that says what to do (issue 15: a data file whose columns were named
/// like the circuit's inputs, without <c>--input-name</c>, made every sample the same and printed identical rows).
/// </summary>
internal static class DataInputs
{
    /// <summary>
    /// Throws <see cref="CliInputException"/> when a column names one of the circuit's trainable parameters (it was
    /// meant as a data input: say so with --input-name), or when the circuit has no data inputs at all (every column
    /// would be ignored and every sample would give the same result).
    /// </summary>
    /// <param name="source">The data file, for the message.</param>
    /// <param name="columns">The numeric columns of the file (the label column excluded).</param>
    /// <param name="circuit">The circuit the data is for.</param>
    public static void Check(string source, IReadOnlyList<string> columns, Circuit circuit)
    {
        var trainable = columns.Where(c => IsParameter(c, circuit)).ToList();
        if (trainable.Count > 0)
        {
            string names = string.Join(", ", trainable.Select(c => $"'{c}'"));
            bool one = trainable.Count == 1;
            string flags = string.Join(" ", trainable.Select(BaseName).Distinct().Select(n => $"--input-name {n}"));
            throw new CliInputException(
                $"{source}: column{(one ? "" : "s")} {names} name{(one ? "s a" : "")} trainable parameter{(one ? "" : "s")} of the circuit, " +
                $"so {(one ? "it" : "they")} would be ignored and every sample would give the same result. " +
                $"If {(one ? "it is a data input" : "they are data inputs")}, say so with {flags} " +
                "(or '#pragma qnnsim inputs NAME' in the OpenQASM file); otherwise rename the column.");
        }
        if (circuit.InputCount == 0)
        {
            throw new CliInputException(
                $"{source}: the circuit has no data inputs, so the data file's columns ({string.Join(", ", columns)}) would be ignored " +
                "and every sample would give the same result. Mark the circuit's data inputs with --input-name NAME " +
                "(or '#pragma qnnsim inputs NAME' in the OpenQASM file).");
        }
    }

    private static bool IsParameter(string column, Circuit circuit) =>
        circuit.ParameterNames.Any(p => p == column || BaseName(p) == column);

    /// <summary>"x" for "x[3]" (an element of an OpenQASM input array), the name itself otherwise.</summary>
    private static string BaseName(string name)
    {
        int bracket = name.IndexOf('[', StringComparison.Ordinal);
        return bracket > 0 ? name[..bracket] : name;
    }
}
