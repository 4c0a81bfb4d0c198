using System.Globalization;
using System.Net;
using System.Text;
using QnnSim.Circuits;

namespace QnnSim.Drawing;

/// <summary>
/// Circuit diagrams, as text with Unicode box drawing (for terminals, logs and notebooks) or as SVG (for reports,
/// notebooks and papers). One row per qubit, qubit 0 on top; gates as boxes labelled with their name and angles,
/// parameters and inputs shown by name (<c>RY(theta[0])</c>, <c>RZ(2·x + π/4)</c>); controls as ● (on |1⟩) or ○ (on
/// |0⟩) joined to their targets by a vertical line, controlled X as ⊕, SWAP as ×; measured qubits end in an
/// <c>M</c> box; noise channels as short boxes such as <c>D(0.01)</c> or <c>AD(0.05)</c>. Operations are packed into columns (moments) greedily from the left, as PennyLane's
/// <c>qml.draw</c> and Qiskit's <c>circuit.draw()</c> do; a text diagram wider than the requested width is wrapped
/// into several blocks, continued with » and «.
/// </summary>
/// <example>
/// <code>
/// Console.WriteLine(CircuitDiagram.ToText(circuit, width: 80));
/// File.WriteAllText("circuit.svg", CircuitDiagram.ToSvg(circuit));
/// </code>
/// </example>
public static class CircuitDiagram
{
    /// <summary>The default width of a text diagram in columns.</summary>
    public const int DefaultWidth = 100;

    /// <summary>The narrowest width a text diagram accepts.</summary>
    public const int MinWidth = 20;

    /// <summary>The text diagram: three lines per qubit, wrapped at <paramref name="width"/> columns.</summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="width">The widest line, in characters (≥ <see cref="MinWidth"/>). A single gate wider than that
    /// gets a block of its own.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is below <see cref="MinWidth"/>.</exception>
    public static string ToText(Circuit circuit, int width = DefaultWidth) => ToText(circuit, width, null);

    /// <summary>The text diagram with some boxes labelled by the caller, e.g. <c>W1</c>, <c>W2</c> for dense unitaries
    /// that are otherwise all labelled <c>Unitary</c> (Qiskit's <c>UnitaryGate(label=…)</c>).</summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="width">The widest line, in characters (≥ <see cref="MinWidth"/>).</param>
    /// <param name="label">The label of operation i of <see cref="Circuit.Operations"/>, or null for the default label.
    /// Null: every operation gets its default label.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is below <see cref="MinWidth"/>.</exception>
    public static string ToText(Circuit circuit, int width, Func<int, Operation, string?>? label)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (width < MinWidth) ThrowHelper.ArgumentOutOfRange(nameof(width), width, $"at least {MinWidth} columns");
        var layout = DiagramLayout.Create(circuit, label);
        int n = layout.Qubits;
        var labels = Enumerable.Range(0, n).Select(q => $"q{q}: ").ToArray();
        int prefix = labels.Length == 0 ? 0 : labels.Max(l => l.Length);
        var rendered = layout.Columns.Select(RenderColumn).ToList();

        // Split the columns into blocks that fit: prefix, optional «, columns (each with a wire character either side), » or a closing wire.
        var blocks = new List<List<string[]>>();
        var current = new List<string[]>();
        int used = prefix + 2;
        foreach (var column in rendered)
        {
            int w = column[0].Length;
            if (current.Count > 0 && used + w > width)
            {
                blocks.Add(current);
                current = [];
                used = prefix + 2;
            }
            current.Add(column);
            used += w;
        }
        blocks.Add(current);

        var sb = new StringBuilder();
        if (layout.GlobalPhases.Count > 0) sb.Append("global phase: ").Append(PhaseSum(layout.GlobalPhases)).Append('\n');
        for (int b = 0; b < blocks.Count; b++)
        {
            if (b > 0) sb.Append('\n');
            bool first = b == 0, last = b == blocks.Count - 1;
            for (int q = 0; q < n; q++)
            {
                for (int line = 0; line < 3; line++)
                {
                    var row = new StringBuilder();
                    row.Append(line == 1 ? labels[q].PadLeft(prefix) : new string(' ', prefix));
                    row.Append(line == 1 ? (first ? '─' : '«') : ' ');
                    foreach (var column in blocks[b]) row.Append(column[3 * q + line]);
                    row.Append(line == 1 ? (last ? '─' : '»') : ' ');
                    sb.Append(row.ToString().TrimEnd()).Append('\n');
                }
            }
        }
        return sb.ToString();
    }

    /// <summary>The 3·n lines of one column (each cell padded by a wire character on both sides), all of one width.</summary>
    private static string[] RenderColumn(Cell[] cells)
    {
        int inner = cells.Max(c => c.Kind == CellKind.Box ? c.Label.Length + 4 : 1);
        int w = inner + 2, centre = w / 2;
        var lines = new string[3 * cells.Length];
        for (int q = 0; q < cells.Length; q++)
        {
            var c = cells[q];
            char[] top = new string(' ', w).ToCharArray(), mid = new string('─', w).ToCharArray(), bottom = new string(' ', w).ToCharArray();
            switch (c.Kind)
            {
                case CellKind.Wire:
                    break;
                case CellKind.Box:
                {
                    int left = 1, right = w - 2;
                    top[left] = '┌'; top[right] = '┐';
                    bottom[left] = '└'; bottom[right] = '┘';
                    for (int i = left + 1; i < right; i++) { top[i] = '─'; bottom[i] = '─'; mid[i] = ' '; }
                    mid[left] = '┤'; mid[right] = '├';
                    int space = right - left - 1, start = left + 1 + (space - c.Label.Length) / 2;
                    c.Label.CopyTo(0, mid, start, c.Label.Length);
                    if (c.Up) top[centre] = '┴';
                    if (c.Down) bottom[centre] = '┬';
                    break;
                }
                default:
                    mid[centre] = c.Kind switch
                    {
                        CellKind.Control => '●',
                        CellKind.OpenControl => '○',
                        CellKind.Plus => '⊕',
                        CellKind.Swap => '×',
                        _ => '┼',
                    };
                    if (c.Up) top[centre] = '│';
                    if (c.Down) bottom[centre] = '│';
                    break;
            }
            lines[3 * q] = new string(top);
            lines[3 * q + 1] = new string(mid);
            lines[3 * q + 2] = new string(bottom);
        }
        return lines;
    }

    /// <summary>The global phases as one sum: <c>π/4 − 0.55 + t</c>.</summary>
    private static string PhaseSum(IReadOnlyList<string> terms)
    {
        var sb = new StringBuilder(terms[0]);
        foreach (var t in terms.Skip(1)) sb.Append(t.StartsWith('−') ? " − " + t[1..] : " + " + t);
        return sb.ToString();
    }

    /// <summary>The SVG diagram (a standalone <c>&lt;svg&gt;</c> element with its width and height in pixels).</summary>
    /// <param name="circuit">The circuit.</param>
    public static string ToSvg(Circuit circuit) => ToSvg(circuit, null);

    /// <summary>The SVG diagram with some boxes labelled by the caller (see <see cref="ToText(Circuit, int, Func{int, Operation, string?}?)"/>).</summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="label">The label of operation i, or null for the default label.</param>
    public static string ToSvg(Circuit circuit, Func<int, Operation, string?>? label)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var layout = DiagramLayout.Create(circuit, label);
        const double rowHeight = 48, boxHeight = 30, margin = 12, labelWidth = 44, charWidth = 7.8, gap = 14;
        int n = layout.Qubits;
        var widths = layout.Columns.Select(col => col.Max(c => c.Kind == CellKind.Box ? Math.Max(boxHeight, c.Label.Length * charWidth + 14) : 24.0)).ToArray();
        double width = margin + labelWidth + widths.Sum(w => w + gap) + gap + margin;
        double top = layout.GlobalPhases.Count > 0 ? 22 : 0;
        double height = margin * 2 + top + rowHeight * Math.Max(n, 1);
        double Y(int q) => margin + top + rowHeight * (q + 0.5);
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"13\">\n");
        sb.Append($"<rect width=\"{F(width)}\" height=\"{F(height)}\" fill=\"white\"/>\n");
        if (top > 0)
            sb.Append($"<text x=\"{F(margin)}\" y=\"{F(margin + 12)}\" fill=\"#222\">global phase: {WebUtility.HtmlEncode(PhaseSum(layout.GlobalPhases))}</text>\n");
        for (int q = 0; q < n; q++)
        {
            sb.Append($"<text x=\"{F(margin)}\" y=\"{F(Y(q) + 4.5)}\" fill=\"#222\">q{q}</text>\n");
            sb.Append($"<line x1=\"{F(margin + labelWidth - 8)}\" y1=\"{F(Y(q))}\" x2=\"{F(width - margin)}\" y2=\"{F(Y(q))}\" stroke=\"#222\" stroke-width=\"1\"/>\n");
        }
        double x = margin + labelWidth + gap;
        for (int col = 0; col < layout.Columns.Count; col++)
        {
            var cells = layout.Columns[col];
            double cx = x + widths[col] / 2;
            for (int q = 0; q < n; q++)
                if (cells[q].Down)
                    sb.Append($"<line x1=\"{F(cx)}\" y1=\"{F(Y(q))}\" x2=\"{F(cx)}\" y2=\"{F(Y(q + 1))}\" stroke=\"#222\" stroke-width=\"1.5\"/>\n");
            for (int q = 0; q < n; q++)
            {
                var c = cells[q];
                double cy = Y(q);
                switch (c.Kind)
                {
                    case CellKind.Box:
                    {
                        double bw = Math.Max(boxHeight, c.Label.Length * charWidth + 14);
                        sb.Append($"<rect x=\"{F(cx - bw / 2)}\" y=\"{F(cy - boxHeight / 2)}\" width=\"{F(bw)}\" height=\"{F(boxHeight)}\" rx=\"3\" fill=\"#e8f0fe\" stroke=\"#1a4d8f\" stroke-width=\"1.2\"/>\n");
                        sb.Append($"<text x=\"{F(cx)}\" y=\"{F(cy + 4.5)}\" text-anchor=\"middle\" fill=\"#0b2545\">{WebUtility.HtmlEncode(c.Label)}</text>\n");
                        break;
                    }
                    case CellKind.Control:
                        sb.Append($"<circle cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"5\" fill=\"#222\"/>\n");
                        break;
                    case CellKind.OpenControl:
                        sb.Append($"<circle cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"5\" fill=\"white\" stroke=\"#222\" stroke-width=\"1.5\"/>\n");
                        break;
                    case CellKind.Plus:
                        sb.Append($"<circle cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"10\" fill=\"white\" stroke=\"#222\" stroke-width=\"1.5\"/>\n");
                        sb.Append($"<path d=\"M {F(cx - 10)} {F(cy)} H {F(cx + 10)} M {F(cx)} {F(cy - 10)} V {F(cy + 10)}\" stroke=\"#222\" stroke-width=\"1.5\"/>\n");
                        break;
                    case CellKind.Swap:
                        sb.Append($"<path d=\"M {F(cx - 6)} {F(cy - 6)} L {F(cx + 6)} {F(cy + 6)} M {F(cx - 6)} {F(cy + 6)} L {F(cx + 6)} {F(cy - 6)}\" stroke=\"#222\" stroke-width=\"2\"/>\n");
                        break;
                }
            }
            x += widths[col] + gap;
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
