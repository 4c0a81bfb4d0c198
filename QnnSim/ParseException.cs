namespace QnnSim;

/// <summary>
/// The one error type for malformed text: OpenQASM, QIR, Pauli strings and sums, CSV. It carries the source name,
/// the 1-based line and column, and what was expected; <see cref="Exception.Message"/> reads
/// <c>FILE:LINE:COL: message</c>.
/// </summary>
public sealed class ParseException : FormatException
{
    /// <summary>Creates a parse error.</summary>
    /// <param name="source">File name or a short description of the text ("observable").</param>
    /// <param name="line">1-based line.</param>
    /// <param name="column">1-based column.</param>
    /// <param name="detail">What is wrong and what was expected.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ParseException(string source, int line, int column, string detail, Exception? inner = null)
        : base($"{source}:{line}:{column}: {detail}", inner)
    {
        SourceName = source;
        Line = line;
        Column = column;
        Detail = detail;
    }

    /// <summary>File name or description of the text.</summary>
    public string SourceName { get; }

    /// <summary>1-based line of the error.</summary>
    public int Line { get; }

    /// <summary>1-based column of the error.</summary>
    public int Column { get; }

    /// <summary>The message without the location prefix.</summary>
    public string Detail { get; }
}
