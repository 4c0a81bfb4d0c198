using System.Diagnostics;
using System.CommandLine;
using QnnSim.Analysis.Sweeps;
using QnnSim.Cli.Commands;

namespace QnnSim.Cli.Sweeps;

/// <summary>
/// The commands a sweep may run, checked with the command line's own System.CommandLine definitions (so an option a
/// command gains is accepted at once), and how a task runs one point in process.
/// </summary>
internal sealed class SweepCommandCatalog : ISweepPointValidator
{
    /// <summary>Commands that do not compute a result a sweep could gather.</summary>
    private static readonly string[] Excluded = ["sweep", "info", "bench", "convert"];

    private readonly RootCommand _root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, CancellationToken.None));

    /// <summary>Every sweepable command path ("experiment convergence", "train", …): leaf commands with an action.</summary>
    public IReadOnlyList<string> Allowed =>
        [.. Leaves(_root, []).Where(p => !Excluded.Contains(p[0])).Select(p => string.Join(' ', p))];

    private static IEnumerable<string[]> Leaves(Command c, string[] path)
    {
        if (c.Subcommands.Count == 0) { if (c.Action is not null) yield return path; yield break; }
        foreach (var s in c.Subcommands) foreach (var p in Leaves(s, [.. path, s.Name])) yield return p;
    }

    /// <summary>The command for a path, or null.</summary>
    public Command? Find(IReadOnlyList<string> words)
    {
        Command c = _root;
        foreach (var w in words)
        {
            var next = c.Subcommands.FirstOrDefault(s => s.Name == w);
            if (next is null) return null;
            c = next;
        }
        return c;
    }

    /// <summary>Whether the command has an option with this name (e.g. "--threads").</summary>
    public bool HasOption(IReadOnlyList<string> words, string option) =>
        Find(words)?.Options.Any(o => o.Name == option || o.Aliases.Contains(option)) == true;

    /// <summary>Commands whose result is a report folder (<c>--out FOLDER</c> with a summary.json) instead of --json output.</summary>
    private static readonly string[] ReportCommands = ["reproduce"];

    /// <summary>Whether a command's result is the summary.json of a report folder (reproduce) rather than its --json output.</summary>
    public static bool WritesReport(IReadOnlyList<string> command) => command.Count > 0 && ReportCommands.Contains(command[0]);

    /// <inheritdoc/>
    public string? CheckCommand(IReadOnlyList<string> command)
    {
        string text = string.Join(' ', command);
        var gatherable = Allowed.Where(a => HasOption(a.Split(' '), "--json") || WritesReport(a.Split(' '))).ToArray();
        if (!gatherable.Contains(text))
            return $"'{text}' is not a command a sweep can run; allowed: {string.Join(", ", gatherable)}.";
        return null;
    }

    /// <inheritdoc/>
    public string? CheckPoint(IReadOnlyList<string> arguments)
    {
        var words = CommandWords(arguments);
        if (WritesReport(words) && arguments.Contains("--out"))
            return $"--out is set by the sweep for '{string.Join(' ', words)}' (each point's report goes into the results folder); remove it from the spec.";
        var parse = _root.Parse([.. TaskArguments(arguments, threads: 1, reportFolder: "report")]);
        return parse.Errors.Count == 0 ? null : string.Join("; ", parse.Errors.Select(e => e.Message).Distinct());
    }

    /// <summary>The command words at the start of an argument list (e.g. ["experiment", "convergence"]).</summary>
    public IReadOnlyList<string> CommandWords(IReadOnlyList<string> arguments)
    {
        var words = arguments.TakeWhile(a => !a.StartsWith('-')).ToList();
        while (words.Count > 0 && Find(words) is not { Subcommands.Count: 0 }) words.RemoveAt(words.Count - 1);
        return words;
    }

    /// <summary>
    /// A point's arguments as a task runs them: with --json (or, for a report command, --out REPORTFOLDER), and
    /// --threads T when the command has it.
    /// </summary>
    public IReadOnlyList<string> TaskArguments(IReadOnlyList<string> arguments, int threads, string reportFolder)
    {
        var words = CommandWords(arguments);
        var args = new List<string>(arguments);
        if (WritesReport(words)) args.AddRange(["--out", reportFolder]);
        else args.Add("--json");
        if (words.Count > 0 && HasOption(words, "--threads")) args.AddRange(["--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return args;
    }
}

/// <summary>How to start this same qnnsim again, by absolute path: the apphost or installed tool, or <c>dotnet …/QnnSim.Cli.dll</c>.</summary>
internal static class SweepTool
{
    /// <summary>The program and the leading arguments that start this qnnsim.</summary>
    public static (string FileName, IReadOnlyList<string> Prefix) Command()
    {
        string dll = typeof(CliApp).Assembly.Location;
        string? process = Environment.ProcessPath;
        string name = process is null ? "" : Path.GetFileNameWithoutExtension(process);
        if (process is not null && (name.Equals("qnnsim", StringComparison.OrdinalIgnoreCase) || name.Equals("QnnSim.Cli", StringComparison.OrdinalIgnoreCase)))
            return (process, []);
        string dotnet = process is not null && name == "dotnet" ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
            : FindOnPath("dotnet") ?? throw new InvalidOperationException("cannot find the dotnet host to start sweep tasks (set DOTNET_HOST_PATH or put dotnet on PATH).");
        return (Path.GetFullPath(dotnet), [dll]);
    }

    private static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    /// <summary>A process start for <c>qnnsim ARGS</c> with output and error redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, string workingDirectory)
    {
        var (file, prefix) = Command();
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix) info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>The command as one shell line (for sbatch scripts).</summary>
    public static string ShellLine()
    {
        var (file, prefix) = Command();
        return string.Join(' ', new[] { file }.Concat(prefix).Select(SweepPoint.ShellQuote));
    }
}
