using System.CommandLine;
using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Cli.Common;

/// <summary>An observable given on the command line: its text as written and the parsed sum.</summary>
/// <param name="Text">The option text.</param>
/// <param name="Sum">The parsed observable.</param>
internal sealed record ObservableArg(string Text, PauliSum Sum);

/// <summary><c>--observable TEXT</c> (repeatable): Pauli sums such as <c>"Z0"</c> or <c>"0.5*Z0 Z1 - X2"</c>.</summary>
internal static class ObservableOptions
{
    /// <summary>A new --observable option.</summary>
    /// <param name="required">Whether at least one observable is required.</param>
    /// <param name="description">Help text (a default describing the syntax when null).</param>
    public static Option<string[]> Option(bool required = false, string? description = null) => new("--observable")
    {
        Description = description ?? "A Pauli observable such as \"Z0\", \"X0 X1\" or \"0.5*Z0 Z1 - 1.2*X2\" (repeatable; qubit 0 is the lowest bit).",
        HelpName = "TEXT",
        Arity = ArgumentArity.OneOrMore,
        Required = required,
        DefaultValueFactory = _ => [],
    };

    /// <summary>Parses each text with <see cref="PauliSum.Parse"/> and checks it fits the circuit.</summary>
    /// <exception cref="ParseException">Malformed text, reported as <c>observable:1:COL: message</c>.</exception>
    /// <exception cref="CliInputException">An observable on a qubit the circuit does not have.</exception>
    public static IReadOnlyList<ObservableArg> Parse(IEnumerable<string>? texts, Circuit? circuit = null)
    {
        var result = new List<ObservableArg>();
        foreach (var text in texts ?? []) result.Add(new ObservableArg(text, PauliSum.Parse(text)));
        if (circuit is not null) CheckWidth(result, circuit);
        return result;
    }

    /// <summary>Checks that every observable acts only on qubits the circuit has.</summary>
    /// <exception cref="CliInputException">An observable on a qubit beyond the circuit.</exception>
    public static void CheckWidth(IEnumerable<ObservableArg> observables, Circuit circuit)
    {
        foreach (var o in observables)
            if (o.Sum.RequiredQubits > circuit.QubitCount)
                throw new CliInputException($"--observable \"{o.Text}\" acts on qubit {o.Sum.RequiredQubits - 1}, but the circuit has {circuit.QubitCount} qubit{(circuit.QubitCount == 1 ? "" : "s")} (allowed: 0..{circuit.QubitCount - 1}).");
    }
}
