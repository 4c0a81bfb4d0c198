using System.Text.RegularExpressions;

namespace QnnSim.Cli.Common;

/// <summary>
/// Turns messages from the runtime and System.CommandLine into the words of the command line: no .NET type names
/// (<c>System.UInt64</c>, <c>QnnSim.Cli.Common.InitRule</c>), no <c>(Parameter 'options')</c> suffix, one line.
/// </summary>
internal static partial class CliMessages
{
    /// <summary>Several parse errors as one line: "qnnsim: A; B." (the contract: one line of message).</summary>
    public static string Join(IEnumerable<string> messages) =>
        string.Join("; ", messages.Select(Clean).Select(m => m.TrimEnd('.')).Distinct()) + ".";

    /// <summary>The user-facing form of <paramref name="message"/>.</summary>
    public static string Clean(string message)
    {
        // ArgumentException appends " (Parameter 'name')"; ArgumentOutOfRangeException a second line "Actual value was …".
        var lines = message.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) return "";
        // "Must be one of:" followed by one value a line becomes one line; other continuation lines are dropped.
        string line = lines[0].EndsWith(':') && lines.Length > 1 ? lines[0] + " " + string.Join(", ", lines[1..]) : lines[0];
        line = ParameterSuffix().Replace(line, "");
        line = ExpectedType().Replace(line, m => "as " + Describe(m.Groups["type"].Value));
        return line;
    }

    /// <summary>What a value of a .NET type looks like, in words ("a whole number from 0 to 18446744073709551615").</summary>
    public static string Describe(string typeName)
    {
        string name = typeName.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? typeName[18..].TrimEnd(']').Split(',')[0] : typeName;
        return name switch
        {
            "System.Int32" => "a whole number from -2147483648 to 2147483647",
            "System.Int64" => "a whole number from -9223372036854775808 to 9223372036854775807",
            "System.UInt32" => "a whole number from 0 to 4294967295",
            "System.UInt64" => "a whole number from 0 to 18446744073709551615",
            "System.Double" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            "System.IO.FileInfo" => "a file path",
            "System.IO.DirectoryInfo" => "a folder path",
            _ => EnumWords(name) ?? "a value of the right kind",
        };
    }

    private static string? EnumWords(string typeName)
    {
        var type = typeof(CliMessages).Assembly.GetType(typeName);
        if (type is null || !type.IsEnum) return null;
        return "one of: " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()));
    }

    [GeneratedRegex(@" \(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();

    [GeneratedRegex(@"as expected type '(?<type>[^']+)'")]
    private static partial Regex ExpectedType();
}
