using System.CommandLine;
using QnnSim.Circuits;
using QnnSim.Interop;

namespace QnnSim.Cli.Common;

/// <summary>
/// The options that control how a circuit file is read, added to a command as a group:
/// <c>--input-name NAME</c> (repeatable; OpenQASM <c>input</c> variables that are data inputs x rather than trainable
/// parameters θ) and, for Q#, <c>--entry EXPR</c>, <c>--qubits N</c>, <c>--param-count P</c> and
/// <c>--input-count Q</c> (alias <c>--inputs</c> on commands where that name is free).
/// </summary>
/// <remarks>
/// <c>--params P</c> for the Q# parameter count is deprecated: <c>jacobian</c>, <c>qntk</c> and <c>train</c> use
/// <c>--params P.csv</c> for a file of parameter values, so one spelling meant two things. On the commands that
/// accepted it as the count (<c>run</c>, <c>grad</c>, <c>info</c>, <c>convert</c>, <c>draw</c>, <c>ensemble</c>) it
/// is still read, hidden from help, and <see cref="DeprecatedOptions"/> warns about it on stderr.
/// </remarks>
internal sealed class CircuitLoading
{
    /// <summary>--input-name NAME (repeatable).</summary>
    public Option<string[]> InputNames { get; }

    /// <summary>--entry EXPR (Q#).</summary>
    public Option<string?> Entry { get; }

    /// <summary>--qubits N (Q# trainable ansatz).</summary>
    public Option<int?> Qubits { get; }

    /// <summary>--param-count P (Q# trainable ansatz).</summary>
    public Option<int?> ParameterCount { get; }

    /// <summary>--input-count Q (Q# trainable ansatz).</summary>
    public Option<int?> InputCount { get; }

    /// <summary>--params P: the deprecated spelling of --param-count (hidden; null on commands where --params is a file).</summary>
    public Option<int?>? DeprecatedParameterCount { get; }

    /// <param name="shortCountAliases">
    /// Give <c>--input-count</c> the alias <c>--inputs</c> and accept the deprecated <c>--params</c> for
    /// <c>--param-count</c> (issue 6; deprecated by issue 15). Pass false on commands that use <c>--params P.csv</c>
    /// for parameter values.
    /// </param>
    /// <param name="qubitsOption">Add <c>--qubits</c> (false on commands that use it for something else).</param>
    public CircuitLoading(bool shortCountAliases = true, bool qubitsOption = true)
    {
        InputNames = new Option<string[]>("--input-name")
        {
            Description = "Treat this OpenQASM input variable as a data input x instead of a trainable parameter θ (repeatable; adds to a '#pragma qnnsim inputs' line in the file).",
            HelpName = "NAME",
            Arity = ArgumentArity.OneOrMore,
            DefaultValueFactory = _ => [],
        };
        Entry = new Option<string?>("--entry")
        {
            Description = "Q# only: the entry expression to compile, e.g. 'Main()' (default: the file's @EntryPoint).",
            HelpName = "EXPR",
        };
        Qubits = qubitsOption
            ? new Option<int?>("--qubits") { Description = "Q# trainable ansatz only: number of qubits the operation is given.", HelpName = "N" }
            : null!;
        ParameterCount = new Option<int?>("--param-count") { Description = "Q# trainable ansatz only: length of the parameter array θ.", HelpName = "P" };
        if (shortCountAliases)
        {
            DeprecatedParameterCount = new Option<int?>("--params") { Description = "Deprecated: use --param-count.", HelpName = "P", Hidden = true };
            DeprecatedOptions.Mark(DeprecatedParameterCount,
                "--params as the Q# parameter count is deprecated and will be removed; use --param-count (in jacobian, qntk and train, --params names a file of parameter values).");
        }
        InputCount = shortCountAliases
            ? new Option<int?>("--input-count", "--inputs") { Description = "Q# trainable ansatz only: length of the data input array x.", HelpName = "Q" }
            : new Option<int?>("--input-count") { Description = "Q# trainable ansatz only: length of the data input array x.", HelpName = "Q" };
    }

    /// <summary>Adds every option of the group to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(InputNames);
        command.Add(Entry);
        if (Qubits is not null) command.Add(Qubits);
        command.Add(ParameterCount);
        if (DeprecatedParameterCount is not null) command.Add(DeprecatedParameterCount);
        command.Add(InputCount);
    }

    /// <summary>The load options the user gave.</summary>
    /// <exception cref="CliUsageException">Both <c>--param-count</c> and the deprecated <c>--params</c> were given.</exception>
    public CircuitLoadOptions GetOptions(ParseResult parse)
    {
        int? count = parse.GetValue(ParameterCount);
        if (DeprecatedParameterCount is not null && parse.GetValue(DeprecatedParameterCount) is { } old)
        {
            if (count is not null)
                throw new CliUsageException($"--params {old} and --param-count {count} were both given; give the Q# parameter count once, as --param-count.");
            count = old;
        }
        return new()
        {
            InputNames = parse.GetValue(InputNames) ?? [],
            Entry = parse.GetValue(Entry),
            Qubits = Qubits is null ? null : parse.GetValue(Qubits),
            ParameterCount = count,
            InputCount = parse.GetValue(InputCount),
        };
    }

    /// <summary>Reads the circuit file with the user's options.</summary>
    /// <exception cref="CliInputException">The file does not exist or has an unknown extension.</exception>
    /// <exception cref="ParseException">The file is malformed (FILE:LINE:COL in the message).</exception>
    public Circuit Load(ParseResult parse, FileInfo file) => Load(file.ToString(), GetOptions(parse));

    /// <summary>Reads a circuit file, turning missing files and unknown formats into input errors.</summary>
    public static Circuit Load(string path, CircuitLoadOptions options)
    {
        if (Directory.Exists(path)) throw new CliInputException($"{path}: is a directory, not a circuit file.");
        if (!File.Exists(path)) throw new CliInputException($"{path}: no such file.");
        try
        {
            return CircuitFiles.Load(path, options);
        }
        catch (NotSupportedException ex)
        {
            throw new CliInputException(ex.Message);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new CliInputException($"{path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CliInputException($"{path}: {ex.Message}");
        }
    }
}
