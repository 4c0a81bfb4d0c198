using System.CommandLine;

namespace QnnSim.Cli.Common;

/// <summary>
/// Factories for options that several commands share, so that every command spells and documents them the same way.
/// Each call returns a new instance (an option object belongs to one command).
/// </summary>
internal static class CommonOptions
{
    /// <summary>The circuit file argument (.qasm, .qs or .ll).</summary>
    public static Argument<FileInfo> CircuitFile() => new("file")
    {
        Description = "Circuit file: OpenQASM 3 or 2 (.qasm), QIR base profile (.ll) or Q# (.qs).",
    };

    /// <summary>--json: machine-readable output, one JSON object on stdout.</summary>
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one JSON object on stdout instead of tables (keys in snake_case, first key \"schema\").",
    };

    /// <summary>--seed S: seed of every random draw (shots, initial parameters).</summary>
    public static Option<ulong> Seed(string what = "shot sampling") => new("--seed")
    {
        Description = $"Seed of the random generator used for {what} (xoshiro256**; the same seed gives the same result on every machine).",
        DefaultValueFactory = _ => 0UL,
        HelpName = "S",
    };

    /// <summary>--shots N: number of shots (read it with <see cref="GetOptional{T}"/>: null when not given).</summary>
    public static Option<int> Shots(string description) => new("--shots")
    {
        Description = description,
        HelpName = "N",
        CustomParser = result => PositiveInt(result, "--shots", "shots"),
    };

    /// <summary>
    /// --threads N: worker threads of a command that computes (read it with <see cref="GetOptional{T}"/>: null when not
    /// given, meaning all cores). Results never depend on it.
    /// </summary>
    public static Option<int> Threads(string? description = null) => new("--threads")
    {
        Description = description ?? "Worker threads (default: all cores). Results do not depend on it.",
        HelpName = "N",
        CustomParser = result => PositiveInt(result, "--threads", "threads"),
    };

    /// <summary>The thread count chosen with <see cref="Threads"/>: the given value, or all cores.</summary>
    public static int ThreadCount(this ParseResult parse, Option<int> threads) => parse.GetOptional(threads) ?? Environment.ProcessorCount;

    /// <summary>Simulation options with the chosen thread count (threads inside one state update).</summary>
    public static QnnSim.Simulation.SimulationOptions SimulationWith(this ParseResult parse, Option<int> threads) =>
        QnnSim.Simulation.SimulationOptions.Default with { MaxThreads = parse.ThreadCount(threads) };

    /// <summary>Gradient options with the chosen thread count: over samples and shifted circuits, and inside one state update.</summary>
    public static QnnSim.Gradients.GradientOptions GradientWith(this ParseResult parse, Option<int> threads, QnnSim.Gradients.GradientMethod method) =>
        new() { Method = method, MaxDegreeOfParallelism = parse.ThreadCount(threads), Simulation = parse.SimulationWith(threads) };

    /// <summary>
    /// --precision double|single: the amplitudes' precision (complex128 or complex64; docs/performance.md, "Single
    /// precision"). Any other value is a parse error (exit 2) naming the allowed values.
    /// </summary>
    public static Option<QnnSim.Simulation.Precision> Precision() => new("--precision")
    {
        Description = "Amplitude precision: double (complex128, default) or single (complex64: half the memory, expectations to about 1e-6).",
        HelpName = "double|single",
        DefaultValueFactory = _ => QnnSim.Simulation.Precision.Double,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            switch (text.ToLowerInvariant())
            {
                case "double": return QnnSim.Simulation.Precision.Double;
                case "single": return QnnSim.Simulation.Precision.Single;
                default:
                    result.AddError($"--precision '{text}' is not allowed; expected double or single.");
                    return QnnSim.Simulation.Precision.Double;
            }
        },
    };

    /// <summary>A custom parser for a count option: a whole number of at least 1, else a parse error (exit 2).</summary>
    public static int PositiveInt(System.CommandLine.Parsing.ArgumentResult result, string option, string what)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int v) && v >= 1)
            return v;
        result.AddError($"{option} '{text}' is not allowed; expected a whole number of {what}, at least 1.");
        return 0;
    }

    /// <summary>
    /// An enum option's value by name only (case-insensitive): the default enum parser also takes numbers, so
    /// "--backend 99" became an undefined backend that ran. A number or an unknown name is a parse error (exit 2)
    /// naming the allowed names.
    /// </summary>
    public static T? EnumName<T>(System.CommandLine.Parsing.ArgumentResult result, string option) where T : struct, Enum
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        var names = Enum.GetNames<T>();
        foreach (var name in names)
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return Enum.Parse<T>(name);
        result.AddError($"{option} '{text}' is not allowed; expected one of {string.Join(", ", names.Select(n => n.ToLowerInvariant()))}.");
        return null;
    }

    /// <summary>The value of an option without a default, or null when the user did not give it.</summary>
    public static T? GetOptional<T>(this ParseResult parse, Option<T> option) where T : struct =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;

    /// <summary>--out FILE: where to write a result file.</summary>
    public static Option<FileInfo?> Out(string description) => new("--out")
    {
        Description = description,
        HelpName = "FILE",
    };

    /// <summary>--data DATA.csv: a dataset (header of input names, numeric rows, optional label column).</summary>
    public static Option<FileInfo?> Data(bool required = true) => new("--data")
    {
        Description = "Dataset CSV: a header row naming the circuit's data inputs (other columns, e.g. 'label', are read separately or ignored), then one numeric row per sample.",
        HelpName = "DATA.csv",
        Required = required,
    };
}
