using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.CompilerServices;

namespace QnnSim.Cli.Common;

/// <summary>
/// Options that are still accepted but deprecated: a command marks one with <see cref="Mark"/>, and
/// <see cref="CliApp.Run(string[], TextWriter, TextWriter, CancellationToken, bool)"/> writes one warning line to
/// stderr for each such option the user gave, before the command runs (stdout stays clean for <c>--json</c>).
/// </summary>
internal static class DeprecatedOptions
{
    private static readonly ConditionalWeakTable<Option, string> s_messages = [];

    /// <summary>Marks <paramref name="option"/> as deprecated with the warning <paramref name="message"/>.</summary>
    public static void Mark(Option option, string message) => s_messages.AddOrUpdate(option, message);

    /// <summary>Writes "qnnsim: warning: …" for every deprecated option given on the command line.</summary>
    public static void Warn(ParseResult parse, TextWriter stderr)
    {
        foreach (var result in parse.CommandResult.Children.OfType<OptionResult>())
            if (!result.Implicit && s_messages.TryGetValue(result.Option, out string? message))
                stderr.WriteLine($"qnnsim: warning: {message}");
    }
}
