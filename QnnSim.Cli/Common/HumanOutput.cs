using Spectre.Console;
using Spectre.Console.Rendering;

namespace QnnSim.Cli.Common;

/// <summary>
/// Passes text through line by line with trailing spaces removed (Spectre pads table cells to the full width, which
/// leaves trailing blanks in files and test output). A partial line is passed on when the writer is flushed.
/// </summary>
internal sealed class TrailingSpaceTrimmer(TextWriter inner) : TextWriter
{
    private readonly System.Text.StringBuilder _line = new();

    /// <inheritdoc/>
    public override System.Text.Encoding Encoding => inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        if (value == '\n')
        {
            int end = _line.Length;
            while (end > 0 && _line[end - 1] is ' ' or '\r') end--;
            inner.Write(_line.ToString(0, end));
            inner.Write('\n');
            _line.Clear();
        }
        else _line.Append(value);
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        if (value is null) return;
        foreach (char c in value) Write(c);
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        if (_line.Length > 0)
        {
            inner.Write(_line.ToString());
            _line.Clear();
        }
        inner.Flush();
    }
}

/// <summary>
/// Human-readable output through Spectre.Console, bound to the command's writer (so tests can capture it). Colours
/// and terminal control only when the writer is an interactive terminal; otherwise plain text, 100 columns wide.
/// </summary>
internal static class HumanOutput
{
    /// <summary>A Spectre console writing to <paramref name="writer"/>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="interactive">Whether the writer is a terminal (colours, width of the window).</param>
    public static IAnsiConsole Console(TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(interactive ? writer : new TrailingSpaceTrimmer(writer)),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive) console.Profile.Width = 100;
        return console;
    }

    /// <summary>The console for the command's standard output.</summary>
    public static IAnsiConsole Stdout(CliContext context) => Console(context.Out, context.Interactive);

    /// <summary>A table with the given column headers (numbers right-aligned by <see cref="NumberColumns"/>).</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in columns) table.AddColumn(new TableColumn(Markup.Escape(c)));
        return table;
    }

    /// <summary>Right-aligns the given columns (by index).</summary>
    public static Table NumberColumns(this Table table, params int[] columns)
    {
        foreach (int c in columns) table.Columns[c].RightAligned();
        return table;
    }

    /// <summary>Adds a row of plain strings (escaped: brackets in observables are not markup).</summary>
    public static Table Row(this Table table, params string[] cells)
    {
        table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());
        return table;
    }

    /// <summary>A number for people: up to 10 significant digits, invariant culture.</summary>
    public static string Number(double value) =>
        double.IsFinite(value) ? value.ToString("G10", System.Globalization.CultureInfo.InvariantCulture) : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A two-column key/value table (no header row), e.g. for summaries.</summary>
    public static Table KeyValues(IEnumerable<(string Key, string Value)> rows)
    {
        var table = new Table().Border(TableBorder.None).HideHeaders();
        table.AddColumn(new TableColumn("key"));
        table.AddColumn(new TableColumn("value"));
        foreach (var (k, v) in rows) table.AddRow(new Text(k), new Text(v));
        return table;
    }
}
