using System.CommandLine;
using QnnSim.Cli.Commands;

namespace QnnSim.Cli;

/// <summary>
/// The qnnsim command line: builds the command tree, runs it, and maps failures to <see cref="ExitCodes"/>.
/// In-process entry point for tests: <see cref="Run(string[], TextWriter, TextWriter, CancellationToken, bool)"/>.
/// </summary>
public static class CliApp
{
    /// <summary>Builds the root command with every subcommand. Each subcommand lives in its own file under Commands/.</summary>
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("qnnsim: simulate parameterised quantum circuits, differentiate them, and analyse their quantum tangent kernels.");
        foreach (var command in CommandRegistry.Create(context)) root.Add(command);
        return root;
    }

    /// <summary>Runs the command line with the given writers and returns the exit code.</summary>
    /// <param name="args">The arguments after the command name.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="cancellationToken">Cancels a running command (Ctrl-C); the command then exits with 130.</param>
    /// <param name="interactive">Whether stdout is a terminal (colours, progress bars); false for tests and pipes.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default, bool interactive = false)
    {
        var context = new CliContext(stdout, stderr, cancellationToken, interactive);
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"qnnsim: {Common.CliMessages.Join(parse.Errors.Select(e => e.Message))}");
            stderr.WriteLine($"Run '{CommandPath(parse)} --help' for usage.");
            return ExitCodes.UsageError;
        }
        Common.DeprecatedOptions.Warn(parse, stderr);
        try
        {
            var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            int code = parse.Invoke(config);
            return code;
        }
        catch (Exception ex)
        {
            return ReportFailure(ex, stderr);
        }
    }

    /// <summary>"qnnsim", or "qnnsim run", "qnnsim experiment convergence": the command the parse reached.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            if (r.Command is not RootCommand) names.Add(r.Command.Name);
        names.Add("qnnsim");
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>Maps an exception escaping a command to an exit code and a one-line message.</summary>
    public static int ReportFailure(Exception ex, TextWriter stderr)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } agg) ex = agg.InnerExceptions[0];
        switch (ex)
        {
            case OperationCanceledException:
                stderr.WriteLine("qnnsim: cancelled.");
                return ExitCodes.Cancelled;
            case ParseException pe:
                stderr.WriteLine(pe.Message);
                return ExitCodes.InputError;
            case CliUsageException ue:
                stderr.WriteLine($"qnnsim: {Common.CliMessages.Clean(ue.Message)}");
                return ExitCodes.UsageError;
            case CliInputException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or NotSupportedException
                when ex is not System.Diagnostics.UnreachableException:
                stderr.WriteLine($"qnnsim: {Common.CliMessages.Clean(ex.Message)}");
                return ExitCodes.InputError;
            case OutOfMemoryException or InsufficientExecutionStackException:
                // A request the memory check could not foresee (another process took the memory meanwhile).
                stderr.WriteLine($"qnnsim: out of memory: {Common.CliMessages.Clean(ex.Message)} (available now: {MemoryBudget.AvailableBytes():N0} bytes); use a smaller problem or free memory.");
                return ExitCodes.InputError;
            default:
                stderr.WriteLine($"qnnsim: internal error: {ex}");
                return ExitCodes.InternalError;
        }
    }
}

/// <summary>What a command needs from its surroundings: writers, the cancellation token, and whether it talks to a terminal.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="CancellationToken">Cancelled by Ctrl-C.</param>
/// <param name="Interactive">Whether standard output is a terminal: colours and progress bars only then.</param>
public sealed record CliContext(TextWriter Out, TextWriter Error, CancellationToken CancellationToken, bool Interactive = false);
