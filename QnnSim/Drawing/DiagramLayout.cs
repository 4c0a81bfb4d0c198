using System.Globalization;
using QnnSim.Circuits;

namespace QnnSim.Drawing;

/// <summary>What one qubit row shows in one column of a diagram.</summary>
internal enum CellKind
{
    /// <summary>A bare wire.</summary>
    Wire,
    /// <summary>A gate box with a label.</summary>
    Box,
    /// <summary>A control dot ● (control on |1⟩).</summary>
    Control,
    /// <summary>An open control ○ (control on |0⟩).</summary>
    OpenControl,
    /// <summary>The ⊕ target of a controlled X.</summary>
    Plus,
    /// <summary>A swap end ×.</summary>
    Swap,
    /// <summary>A vertical connector crossing a wire the operation does not act on.</summary>
    Cross,
}

/// <summary>One cell: its kind, the box label, and whether a vertical connector leaves it upwards or downwards.</summary>
internal readonly record struct Cell(CellKind Kind, string Label = "", bool Up = false, bool Down = false);

/// <summary>
/// The layout shared by the text and SVG diagrams: operations packed greedily into columns (moments) so that no two
/// operations in a column overlap on the rows between their lowest and highest qubit (which a vertical connector
/// occupies), then a final column of measurement boxes. Row q is qubit q (qubit 0 on top, as in Qiskit, PennyLane
/// and the QDK's circuit view).
/// </summary>
internal sealed partial class DiagramLayout
{
    private DiagramLayout(int qubits, List<Cell[]> columns, IReadOnlyList<string> globalPhases)
    {
        Qubits = qubits;
        Columns = columns;
        GlobalPhases = globalPhases;
    }

    /// <summary>The angles of the uncontrolled global phases e^{iα}, which act on no qubit and get no column.</summary>
    public IReadOnlyList<string> GlobalPhases { get; }

    /// <summary>Number of rows.</summary>
    public int Qubits { get; }

    /// <summary>Columns left to right; each has one cell per qubit.</summary>
    public IReadOnlyList<Cell[]> Columns { get; }

    /// <summary>Lays out a circuit.</summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="label">Optional box labels by operation index (null or a null result: the default <see cref="Label"/>).</param>
    public static DiagramLayout Create(Circuit circuit, Func<int, Operation, string?>? label = null)
    {
        int n = circuit.QubitCount;
        var columns = new List<Cell[]>();
        var rowEnd = new int[n]; // first free column of each row
        var phases = new List<string>();
        for (int index = 0; index < circuit.Operations.Length; index++)
        {
            var op = circuit.Operations[index];
            var qubits = op.Qubits.ToArray();
            if (qubits.Length == 0)
            {
                phases.Add(AngleLabel(op.Angles[0], circuit));
                continue;
            }
            int lo = qubits.Min(), hi = qubits.Max();
            int column = 0;
            for (int r = lo; r <= hi; r++) column = Math.Max(column, rowEnd[r]);
            while (columns.Count <= column) columns.Add(Enumerable.Repeat(new Cell(CellKind.Wire), n).ToArray());
            Place(columns[column], op, label?.Invoke(index, op) ?? Label(op, circuit), lo, hi);
            for (int r = lo; r <= hi; r++) rowEnd[r] = column + 1;
        }
        if (!circuit.MeasuredQubits.IsEmpty)
        {
            var last = Enumerable.Repeat(new Cell(CellKind.Wire), n).ToArray();
            foreach (int q in circuit.MeasuredQubits) last[q] = new Cell(CellKind.Box, "M");
            columns.Add(last);
        }
        return new DiagramLayout(n, columns, phases);
    }

    private static void Place(Cell[] column, Operation op, string label, int lo, int hi)
    {
        bool connected = hi > lo;
        Cell With(Cell c, int row) => c with { Up = connected && row > lo, Down = connected && row < hi };
        for (int r = lo; r <= hi; r++) column[r] = With(new Cell(CellKind.Cross), r);
        for (int i = 0; i < op.Controls.Length; i++)
        {
            int c = op.Controls[i];
            column[c] = With(new Cell(op.ControlStates[i] ? CellKind.Control : CellKind.OpenControl), c);
        }
        var targets = op.Targets.ToArray();
        if (op.Targets.IsEmpty)
        {
            // A controlled global phase: a phase on the control subspace, drawn as a box on the last control.
            int c = op.Controls[^1];
            column[c] = With(new Cell(CellKind.Box, label), c);
            return;
        }
        bool controlled = !op.Controls.IsEmpty;
        foreach (int t in targets)
        {
            Cell cell = op.Kind switch
            {
                GateKind.X when controlled => new Cell(CellKind.Plus),
                GateKind.Z when controlled => new Cell(CellKind.Control),
                GateKind.Swap => new Cell(CellKind.Swap),
                _ => new Cell(CellKind.Box, label),
            };
            column[t] = With(cell, t);
        }
    }

    /// <summary>The text of a gate box: the gate's name and its angles, parameters and inputs by name; a noise channel
    /// by its short name and parameters (<see cref="ChannelLabel"/>).</summary>
    public static string Label(Operation op, Circuit circuit)
    {
        if (op.Kind == GateKind.Channel && op.Channel is { } channel) return ChannelLabel(channel);
        string name = op.Kind switch
        {
            GateKind.Identity => "I",
            GateKind.Sdg => "S†",
            GateKind.Tdg => "T†",
            GateKind.SX => "√X",
            GateKind.SXdg => "√X†",
            GateKind.Phase => "P",
            GateKind.PauliRotation => "R" + string.Concat(op.PauliFactors.Select(p => p.ToString())),
            GateKind.ISwap => "iSWAP",
            GateKind.ISwapDg => "iSWAP†",
            GateKind.Unitary => "Unitary",
            GateKind.GlobalPhase => "GPhase",
            _ => op.Kind.ToString().ToUpperInvariant(),
        };
        if (op.Angles.IsEmpty) return name;
        return $"{name}({string.Join(", ", op.Angles.Select(a => AngleLabel(a, circuit)))})";
    }

    /// <summary>
    /// A noise channel in a few characters, as Cirq draws them: <c>D(p)</c> depolarizing (one qubit, or two for
    /// depolarizing2 as <c>D2(p)</c>), <c>GD(p)</c> global depolarizing, <c>Pauli(px,py,pz)</c>, <c>BF(p)</c> bit flip,
    /// <c>PF(p)</c> phase flip, <c>AD(γ)</c> amplitude damping, <c>PD(λ)</c> phase damping, <c>TR(T1,T2,t)</c> thermal
    /// relaxation and <c>Kraus</c> for a general channel; numbers to four significant digits.
    /// </summary>
    public static string ChannelLabel(Noise.NoiseChannel channel)
    {
        string name = channel.Kind switch
        {
            Noise.NoiseChannelKind.Pauli => "Pauli",
            Noise.NoiseChannelKind.Depolarizing => "D",
            Noise.NoiseChannelKind.TwoQubitDepolarizing => "D2",
            Noise.NoiseChannelKind.GlobalDepolarizing => "GD",
            Noise.NoiseChannelKind.BitFlip => "BF",
            Noise.NoiseChannelKind.PhaseFlip => "PF",
            Noise.NoiseChannelKind.AmplitudeDamping => "AD",
            Noise.NoiseChannelKind.PhaseDamping => "PD",
            Noise.NoiseChannelKind.ThermalRelaxation => "TR",
            _ => "Kraus",
        };
        if (channel.Kind == Noise.NoiseChannelKind.Kraus || channel.Parameters.IsEmpty) return name;
        return $"{name}({string.Join(",", channel.Parameters.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)))})";
    }

    /// <summary>
    /// An angle as a reader wants it: a constant as a multiple of π when it is one (π/2, −3π/4) or to four
    /// significant digits; an affine angle as <c>2·x + π/4</c>; anything else in OpenQASM 3 syntax.
    /// </summary>
    public static string AngleLabel(Angle angle, Circuit circuit)
    {
        string Name(VariableKind kind, int index) => kind == VariableKind.Parameter
            ? (index < circuit.ParameterCount ? circuit.ParameterNames[index] : $"θ[{index}]")
            : (index < circuit.InputCount ? circuit.InputNames[index] : $"x[{index}]");
        if (angle.IsConstant) return Constant(angle.ConstantValue);
        if (angle.TryGetAffine(out var kind, out int index, out double scale, out double offset))
        {
            string v = Name(kind, index);
            string term = scale == 1 ? v : scale == -1 ? "−" + v : $"{Constant(scale)}·{v}";
            if (offset == 0) return term;
            return offset > 0 ? $"{term} + {Constant(offset)}" : $"{term} − {Constant(-offset)}";
        }
        // Other expressions in OpenQASM 3 syntax, with long decimals shortened as above.
        return LongDecimal().Replace(angle.ToString(Name), m => Constant(double.Parse(m.Value, CultureInfo.InvariantCulture)));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\d+\.\d{5,}(?:[eE][-+]?\d+)?")]
    private static partial System.Text.RegularExpressions.Regex LongDecimal();

    /// <summary>A constant: kπ/d for small d when it is one (to 1e−12), else four significant digits.</summary>
    public static string Constant(double value)
    {
        if (value == 0) return "0";
        foreach (int d in (ReadOnlySpan<int>)[1, 2, 3, 4, 6, 8, 12, 16])
        {
            double k = value * d / Math.PI;
            double rounded = Math.Round(k);
            if (rounded != 0 && Math.Abs(k - rounded) < 1e-12 * Math.Max(1, Math.Abs(k)) && Math.Abs(rounded) <= 4 * d)
            {
                long kk = (long)Math.Abs(rounded);
                string sign = rounded < 0 ? "−" : "";
                string numerator = kk == 1 ? "π" : $"{kk}π";
                return d == 1 ? sign + numerator : $"{sign}{numerator}/{d}";
            }
        }
        string text = value.ToString("G4", CultureInfo.InvariantCulture);
        return text.StartsWith('-') ? "−" + text[1..] : text;
    }
}
