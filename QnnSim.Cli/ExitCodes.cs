namespace QnnSim.Cli;

/// <summary>The exit codes of the qnnsim command (docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;
    /// <summary>An internal failure (a bug: please report it).</summary>
    public const int InternalError = 1;
    /// <summary>A usage error: unknown command or option, missing or malformed argument.</summary>
    public const int UsageError = 2;
    /// <summary>An input error: a file that cannot be read or parsed, printed as FILE:LINE:COL: message.</summary>
    public const int InputError = 3;
    /// <summary>A check or verdict failed.</summary>
    public const int CheckFailed = 4;
    /// <summary>Cancelled (Ctrl-C, SIGINT): 128 + 2.</summary>
    public const int Cancelled = 130;
    /// <summary>Cancelled by SIGTERM (kill, scancel): 128 + 15, after the command wrote what it finished.</summary>
    public const int Terminated = 143;
}

/// <summary>A user-facing input error that is not a parse error (a missing file, an unknown parameter name).</summary>
public sealed class CliInputException(string message) : Exception(message);

/// <summary>A usage error detected after parsing (conflicting options, a malformed --bind).</summary>
public sealed class CliUsageException(string message) : Exception(message);
