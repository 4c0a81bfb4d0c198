using System.CommandLine;
using System.Text;
using QnnSim.Cli.Common;
using QnnSim.Drawing;

namespace QnnSim.Cli.Commands;

/// <summary>
/// <c>qnnsim draw FILE [--svg out.svg] [--width COLS]</c>: prints the circuit as a text diagram (Unicode boxes, one row
/// per qubit, parameters by name, wrapped at COLS columns) and writes it as SVG when asked (<see cref="CircuitDiagram"/>).
/// </summary>
internal static class DrawCommand
{
    public static Command Create(CliContext context)
    {
        var file = CommonOptions.CircuitFile();
        var svg = new Option<FileInfo?>("--svg") { Description = "Also write the diagram as SVG to this file.", HelpName = "FILE" };
        var width = new Option<int?>("--width")
        {
            Description = $"Wrap the text diagram at this many columns (at least {CircuitDiagram.MinWidth}; default: the terminal's width, or {CircuitDiagram.DefaultWidth} when output is not a terminal).",
            HelpName = "COLS",
        };
        var loading = new CircuitLoading();
        var command = new Command("draw", "Draw a circuit file: a text diagram with one row per qubit and parameters by name, and SVG with --svg.")
        {
            file, svg, width,
        };
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            int? w = parse.GetValue(width);
            if (w is { } given && given < CircuitDiagram.MinWidth)
                throw new CliUsageException($"--width {given} is out of range; allowed: at least {CircuitDiagram.MinWidth} columns.");
            int cols = w ?? TerminalWidth(context);
            var circuit = loading.Load(parse, parse.GetValue(file)!);
            if (parse.GetValue(svg) is { } svgFile)
            {
                try { File.WriteAllText(svgFile.FullName, CircuitDiagram.ToSvg(circuit), new UTF8Encoding(false)); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliInputException($"{svgFile}: cannot write: {e.Message}"); }
            }
            context.Out.Write(CircuitDiagram.ToText(circuit, cols));
            if (parse.GetValue(svg) is { } written) context.Error.WriteLine($"wrote {written}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static int TerminalWidth(CliContext context)
    {
        if (!context.Interactive) return CircuitDiagram.DefaultWidth;
        try { return Math.Max(CircuitDiagram.MinWidth, Console.WindowWidth); }
        catch (IOException) { return CircuitDiagram.DefaultWidth; }
    }
}
