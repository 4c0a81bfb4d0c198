namespace QnnSim;

/// <summary>
/// The one error type for malformed text: OpenQASM, QIR, Pauli strings and sums, CSV, JSON noise models, and (through
/// its subclass SweepSpecException in QnnSim.Analysis) sweep specs. It carries the source name, the 1-based line and
/// column, and what was expected; <see cref="Exception.Message"/> reads <c>FILE:LINE:COL: message</c> (a subclass may
/// word its location differently, e.g. by JSON key). Past a reader's documented limit (docs/design.md, "Limits") the
/// reader throws it with a message naming the limit.
/// </summary>
public class ParseException : FormatException
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

    /// <summary>Creates a parse error whose message locates the error in its own words (a JSON key rather than a column).</summary>
    /// <param name="source">File name or a short description of the text.</param>
    /// <param name="line">1-based line (1 when the reader locates errors otherwise).</param>
    /// <param name="column">1-based column (1 when the reader locates errors otherwise).</param>
    /// <param name="detail">What is wrong and what was expected.</param>
    /// <param name="message">The whole message, location included.</param>
    /// <param name="inner">The underlying error, if any.</param>
    protected ParseException(string source, int line, int column, string detail, string message, Exception? inner)
        : base(message, inner)
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
