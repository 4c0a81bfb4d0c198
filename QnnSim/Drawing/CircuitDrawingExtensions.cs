using QnnSim.Circuits;

namespace QnnSim.Drawing;

/// <summary><c>circuit.Draw()</c> and <c>circuit.ToSvg()</c>: shorthands for <see cref="CircuitDiagram"/>.</summary>
public static class CircuitDrawingExtensions
{
    /// <summary>The text diagram (see <see cref="CircuitDiagram.ToText(Circuit, int)"/>).</summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="width">The widest line in characters; wider diagrams are wrapped.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is below <see cref="CircuitDiagram.MinWidth"/>.</exception>
    public static string Draw(this Circuit circuit, int width = CircuitDiagram.DefaultWidth) => CircuitDiagram.ToText(circuit, width);

    /// <summary>The SVG diagram (see <see cref="CircuitDiagram.ToSvg(Circuit)"/>).</summary>
    /// <param name="circuit">The circuit.</param>
    public static string ToSvg(this Circuit circuit) => CircuitDiagram.ToSvg(circuit);
}
