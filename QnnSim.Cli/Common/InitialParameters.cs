using System.CommandLine;
using QnnSim.Circuits;

namespace QnnSim.Cli.Common;

/// <summary>How <c>--init</c> chooses parameter values when no <c>--params</c> file is given.</summary>
internal enum InitRule
{
    /// <summary>Every θ_j = 0.</summary>
    Zeros,
    /// <summary>Every θ_j drawn uniformly from [0, 2π), in parameter order, from <c>new SeededRandom(seed)</c>
    /// (the rule of <c>qnnsim jacobian</c> and of QnnSim.Analysis' initial parameters).</summary>
    Uniform,
}

/// <summary>
/// Trainable parameter values for commands that evaluate a circuit at one θ (jacobian, qntk, train):
/// <c>--params P.csv</c> (a name,value file) or <c>--init zeros|uniform</c> with <c>--seed S</c>; <c>--bind</c>
/// may then override single values. Add the options with <see cref="AddTo"/>, read θ with <see cref="Resolve"/>.
/// </summary>
internal sealed class InitialParameters
{
    /// <summary>--params P.csv.</summary>
    public Option<FileInfo?> File { get; } = new("--params")
    {
        Description = "Trainable parameter values: a CSV file with two columns, name and value, one row per parameter (header 'name,value' optional).",
        HelpName = "P.csv",
    };

    /// <summary>--init zeros|uniform.</summary>
    public Option<InitRule?> Init { get; } = new("--init")
    {
        Description = "Initial parameters when no --params file is given: zeros, or uniform (each drawn from [0, 2π) with --seed). Default: zeros.",
        HelpName = "zeros|uniform",
        CustomParser = result => CommonOptions.EnumName<InitRule>(result, "--init"),
    };

    /// <summary>Adds --params and --init to <paramref name="command"/> (the command adds its own --seed).</summary>
    public void AddTo(Command command)
    {
        command.Add(File);
        command.Add(Init);
    }

    /// <summary>θ for <paramref name="circuit"/> in its parameter order.</summary>
    /// <exception cref="CliUsageException">Both --params and --init given.</exception>
    /// <exception cref="CliInputException">The parameter file does not exist.</exception>
    /// <exception cref="ParseException">The parameter file is malformed, names unknown parameters or misses some.</exception>
    public double[] Resolve(ParseResult parse, Circuit circuit, ulong seed)
    {
        var file = parse.GetValue(File);
        var rule = parse.GetValue(Init);
        if (file is not null && rule is not null)
            throw new CliUsageException("give either --params FILE or --init RULE, not both.");
        if (file is not null) return CsvFiles.ReadParameters(file.ToString(), circuit);
        return Draw(circuit.ParameterCount, rule ?? InitRule.Zeros, seed);
    }

    /// <summary>p values by <paramref name="rule"/>: the rule of <see cref="QnnSim.Analysis.InitialParameters"/>
    /// (zeros, or uniform on [0, 2π) drawn in order from <c>new SeededRandom(seed)</c>), so the CLI and the library agree.</summary>
    public static double[] Draw(int count, InitRule rule, ulong seed) => rule == InitRule.Uniform
        ? QnnSim.Analysis.InitialParameters.Uniform(count, seed)
        : QnnSim.Analysis.InitialParameters.Zeros(count);
}
