using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Drawing;

namespace QnnSim.Cli.Report;

/// <summary>
/// The ansatz the claims train, drawn for the report (issue 17): U(θ) = W_{p+1} e^{−iθ_p Z_0} W_p ⋯ e^{−iθ_1 Z_0} W_1 as
/// <see cref="PaperModel.ToCircuit"/> builds it (e^{−iθZ_0} = R_Z(2θ) on qubit 0, each W_l a Haar-random unitary on all
/// qubits, labelled W1, W2, …), on the claims' 3 qubits and with p = <see cref="ShownLayers"/> layers; the claims use
/// the same structure with the p their settings name.
/// </summary>
internal static class AnsatzDiagram
{
    /// <summary>The file beside report.html.</summary>
    public const string SvgFile = "ansatz.svg";

    /// <summary>Qubits of the drawing: those of every claim's default setting.</summary>
    public const int Qubits = 3;

    /// <summary>Layers drawn (the structure repeats).</summary>
    public const int ShownLayers = 2;

    /// <summary>The caption shared by report.md and report.html.</summary>
    public static string Caption =>
        $"The ansatz of You et al.: U(θ) = W_(p+1) e^(−iθ_p Z_0) W_p ⋯ e^(−iθ_1 Z_0) W_1, shown with p = {ShownLayers} on {Qubits} qubits " +
        "(each claim's settings give its p and d). Each W_l is a Haar-random unitary on all qubits; e^(−iθZ_0) = RZ(2θ) on qubit 0. " +
        "The inputs are orthonormal Haar-random states |ψ_i⟩ and the readout is γ·⟨Z_0⟩.";

    private static Circuit Circuit() => PaperModel.CreateRandom(Qubits, ShownLayers, seed: 1).ToCircuit();

    /// <summary>W1, W2, … for the dense unitaries (operations 0, 2, 4, …); default labels otherwise.</summary>
    private static string? Label(int index, Operation op) => op.Kind == GateKind.Unitary ? $"W{index / 2 + 1}" : null;

    /// <summary>The SVG diagram.</summary>
    public static string Svg() => CircuitDiagram.ToSvg(Circuit(), Label);

    /// <summary>The text diagram.</summary>
    public static string Text() => CircuitDiagram.ToText(Circuit(), CircuitDiagram.DefaultWidth, Label);
}
