using System.Collections.Immutable;
using QnnSim.Observables;

namespace QnnSim.Circuits;

/// <summary>
/// Fluent, validating builder for <see cref="Circuit"/>. Each method checks its qubits against the width at once
/// and returns the builder. Trainable parameters and data inputs are declared by name with
/// <see cref="Parameter(string)"/> and <see cref="Input(string)"/>, which return <see cref="Angle"/>s to use in
/// angle arguments (<c>b.Ry(0, 2 * b.Parameter("t") + 0.1)</c>).
/// </summary>
/// <example>
/// <code>
/// var b = new CircuitBuilder(2);
/// var x = b.Input("x");
/// var t = b.Parameters("theta", 2);
/// b.Ry(0, x).Ry(1, x).CX(0, 1).Ry(0, t[0]).Ry(1, t[1]);
/// Circuit c = b.Build();
/// </code>
/// </example>
public sealed class CircuitBuilder
{
    private readonly List<Operation> _operations = [];
    private readonly List<string> _parameters = [];
    private readonly List<string> _inputs = [];
    private readonly List<int> _measured = [];

    /// <summary>Starts an empty circuit on <paramref name="qubitCount"/> qubits (1..30).</summary>
    public CircuitBuilder(int qubitCount)
    {
        if (qubitCount < 1 || qubitCount > Circuit.MaxQubits)
            ThrowHelper.ArgumentOutOfRange(nameof(qubitCount), qubitCount, $"1..{Circuit.MaxQubits} qubits");
        QubitCount = qubitCount;
    }

    /// <summary>Number of qubits.</summary>
    public int QubitCount { get; }

    /// <summary>Operations added so far.</summary>
    public int OperationCount => _operations.Count;

    /// <summary>The trainable parameter named <paramref name="name"/>, declared on first use (θ_j in declaration order).</summary>
    /// <exception cref="ArgumentException">The name is empty or already an input.</exception>
    public Angle Parameter(string name)
    {
        CheckName(name, _inputs, "an input");
        int i = _parameters.IndexOf(name);
        if (i < 0)
        {
            _parameters.Add(name);
            i = _parameters.Count - 1;
        }
        return Angle.Parameter(i);
    }

    /// <summary>Declares <paramref name="count"/> parameters named <c>prefix[0]</c> … <c>prefix[count−1]</c>.</summary>
    public Angle[] Parameters(string prefix, int count)
    {
        if (count < 0) ThrowHelper.ArgumentOutOfRange(nameof(count), count, "a non-negative count");
        return [.. Enumerable.Range(0, count).Select(i => Parameter($"{prefix}[{i}]"))];
    }

    /// <summary>The data input named <paramref name="name"/>, declared on first use (x_j in declaration order).</summary>
    /// <exception cref="ArgumentException">The name is empty or already a parameter.</exception>
    public Angle Input(string name)
    {
        CheckName(name, _parameters, "a parameter");
        int i = _inputs.IndexOf(name);
        if (i < 0)
        {
            _inputs.Add(name);
            i = _inputs.Count - 1;
        }
        return Angle.Input(i);
    }

    /// <summary>Declares <paramref name="count"/> inputs named <c>prefix[0]</c> … <c>prefix[count−1]</c>.</summary>
    public Angle[] Inputs(string prefix, int count)
    {
        if (count < 0) ThrowHelper.ArgumentOutOfRange(nameof(count), count, "a non-negative count");
        return [.. Enumerable.Range(0, count).Select(i => Input($"{prefix}[{i}]"))];
    }

    private static void CheckName(string name, List<string> other, string otherKind)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a variable name must not be empty.", nameof(name));
        if (other.Contains(name)) throw new ArgumentException($"'{name}' is already declared as {otherKind}.", nameof(name));
    }

    /// <summary>Appends an operation after checking its qubits against the width and its variables against the declarations.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A qubit outside 0..n−1.</exception>
    /// <exception cref="ArgumentException">An angle that uses an undeclared parameter or input index.</exception>
    public CircuitBuilder Add(Operation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        foreach (int q in operation.Qubits)
            if (q >= QubitCount) ThrowHelper.QubitOutOfRange(nameof(operation), q, QubitCount);
        foreach (var a in operation.Angles)
        {
            if (a.ParameterExtent() > _parameters.Count)
                throw new ArgumentException($"the angle '{a}' uses parameter index {a.ParameterExtent() - 1}, but only {_parameters.Count} parameters are declared.", nameof(operation));
            if (a.InputExtent() > _inputs.Count)
                throw new ArgumentException($"the angle '{a}' uses input index {a.InputExtent() - 1}, but only {_inputs.Count} inputs are declared.", nameof(operation));
        }
        _operations.Add(operation);
        return this;
    }

    private CircuitBuilder Gate(GateKind kind, int target, params Angle[] angles) =>
        Add(new Operation(kind, [CheckQubit(target, nameof(target))], [.. angles]));

    private CircuitBuilder Controlled(GateKind kind, int control, int target, params Angle[] angles) =>
        Add(new Operation(kind, [CheckQubit(target, nameof(target))], [.. angles], [CheckQubit(control, nameof(control))]));

    private int CheckQubit(int q, string paramName)
    {
        if ((uint)q >= (uint)QubitCount) ThrowHelper.QubitOutOfRange(paramName, q, QubitCount);
        return q;
    }

    /// <summary>Identity on a qubit.</summary>
    public CircuitBuilder I(int target) => Gate(GateKind.Identity, target);
    /// <summary>Hadamard.</summary>
    public CircuitBuilder H(int target) => Gate(GateKind.H, target);
    /// <summary>Pauli X.</summary>
    public CircuitBuilder X(int target) => Gate(GateKind.X, target);
    /// <summary>Pauli Y.</summary>
    public CircuitBuilder Y(int target) => Gate(GateKind.Y, target);
    /// <summary>Pauli Z.</summary>
    public CircuitBuilder Z(int target) => Gate(GateKind.Z, target);
    /// <summary>S = diag(1, i).</summary>
    public CircuitBuilder S(int target) => Gate(GateKind.S, target);
    /// <summary>S†.</summary>
    public CircuitBuilder Sdg(int target) => Gate(GateKind.Sdg, target);
    /// <summary>T = diag(1, e^{iπ/4}).</summary>
    public CircuitBuilder T(int target) => Gate(GateKind.T, target);
    /// <summary>T†.</summary>
    public CircuitBuilder Tdg(int target) => Gate(GateKind.Tdg, target);
    /// <summary>√X.</summary>
    public CircuitBuilder SX(int target) => Gate(GateKind.SX, target);
    /// <summary>√X†.</summary>
    public CircuitBuilder SXdg(int target) => Gate(GateKind.SXdg, target);
    /// <summary>Phase P(λ) = diag(1, e^{iλ}).</summary>
    public CircuitBuilder Phase(int target, Angle lambda) => Gate(GateKind.Phase, target, lambda);
    /// <summary>U(θ, φ, λ) = e^{i(φ+λ)/2} Rz(φ) Ry(θ) Rz(λ).</summary>
    public CircuitBuilder U(int target, Angle theta, Angle phi, Angle lambda) => Gate(GateKind.U, target, theta, phi, lambda);
    /// <summary>Rx(φ) = exp(−iφX/2).</summary>
    public CircuitBuilder Rx(int target, Angle angle) => Gate(GateKind.Rx, target, angle);
    /// <summary>Ry(φ) = exp(−iφY/2).</summary>
    public CircuitBuilder Ry(int target, Angle angle) => Gate(GateKind.Ry, target, angle);
    /// <summary>Rz(φ) = exp(−iφZ/2).</summary>
    public CircuitBuilder Rz(int target, Angle angle) => Gate(GateKind.Rz, target, angle);

    /// <summary>exp(−iφP/2) for a Pauli string P (the identity string gives a global phase e^{−iφ/2}).</summary>
    public CircuitBuilder PauliRotation(PauliString pauli, Angle angle)
    {
        ArgumentNullException.ThrowIfNull(pauli);
        if (pauli.IsIdentity) return GlobalPhase(-0.5 * angle);
        var qubits = pauli.Qubits;
        foreach (int q in qubits) CheckQubit(q, nameof(pauli));
        return Add(new Operation(GateKind.PauliRotation, qubits, [angle], pauliFactors: [.. qubits.Select(q => pauli[q])]));
    }

    /// <summary>Controlled X (CNOT).</summary>
    public CircuitBuilder CX(int control, int target) => Controlled(GateKind.X, control, target);
    /// <summary>Controlled Y.</summary>
    public CircuitBuilder CY(int control, int target) => Controlled(GateKind.Y, control, target);
    /// <summary>Controlled Z.</summary>
    public CircuitBuilder CZ(int control, int target) => Controlled(GateKind.Z, control, target);
    /// <summary>Controlled Hadamard.</summary>
    public CircuitBuilder CH(int control, int target) => Controlled(GateKind.H, control, target);
    /// <summary>Controlled Rx.</summary>
    public CircuitBuilder CRx(int control, int target, Angle angle) => Controlled(GateKind.Rx, control, target, angle);
    /// <summary>Controlled Ry.</summary>
    public CircuitBuilder CRy(int control, int target, Angle angle) => Controlled(GateKind.Ry, control, target, angle);
    /// <summary>Controlled Rz.</summary>
    public CircuitBuilder CRz(int control, int target, Angle angle) => Controlled(GateKind.Rz, control, target, angle);
    /// <summary>Controlled phase CP(λ) = diag(1, 1, 1, e^{iλ}).</summary>
    public CircuitBuilder CP(int control, int target, Angle lambda) => Controlled(GateKind.Phase, control, target, lambda);

    /// <summary>SWAP.</summary>
    public CircuitBuilder Swap(int a, int b) => Add(new Operation(GateKind.Swap, [CheckQubit(a, nameof(a)), CheckQubit(b, nameof(b))]));
    /// <summary>iSWAP.</summary>
    public CircuitBuilder ISwap(int a, int b) => Add(new Operation(GateKind.ISwap, [CheckQubit(a, nameof(a)), CheckQubit(b, nameof(b))]));
    /// <summary>Rxx(φ) = exp(−iφ X⊗X/2).</summary>
    public CircuitBuilder Rxx(int a, int b, Angle angle) => Add(new Operation(GateKind.Rxx, [CheckQubit(a, nameof(a)), CheckQubit(b, nameof(b))], [angle]));
    /// <summary>Ryy(φ) = exp(−iφ Y⊗Y/2).</summary>
    public CircuitBuilder Ryy(int a, int b, Angle angle) => Add(new Operation(GateKind.Ryy, [CheckQubit(a, nameof(a)), CheckQubit(b, nameof(b))], [angle]));
    /// <summary>Rzz(φ) = exp(−iφ Z⊗Z/2).</summary>
    public CircuitBuilder Rzz(int a, int b, Angle angle) => Add(new Operation(GateKind.Rzz, [CheckQubit(a, nameof(a)), CheckQubit(b, nameof(b))], [angle]));

    /// <summary>Toffoli (CCX).</summary>
    public CircuitBuilder CCX(int control1, int control2, int target) =>
        Add(new Operation(GateKind.X, [CheckQubit(target, nameof(target))], controls: [CheckQubit(control1, nameof(control1)), CheckQubit(control2, nameof(control2))]));

    /// <summary>Fredkin (controlled SWAP).</summary>
    public CircuitBuilder CSwap(int control, int a, int b) =>
        Add(new Operation(GateKind.Swap, [CheckQubit(a, nameof(a)), CheckQubit(b, nameof(b))], controls: [CheckQubit(control, nameof(control))]));

    /// <summary>
    /// A one-qubit gate of any kind with any number of controls; <paramref name="controlStates"/>[i] = false makes
    /// control i negative (acts when the control is |0⟩).
    /// </summary>
    public CircuitBuilder Controlled(GateKind kind, IReadOnlyList<int> controls, int target, IReadOnlyList<Angle>? angles = null, IReadOnlyList<bool>? controlStates = null)
    {
        ArgumentNullException.ThrowIfNull(controls);
        foreach (int c in controls) CheckQubit(c, nameof(controls));
        return Add(new Operation(kind, [CheckQubit(target, nameof(target))], angles is null ? [] : [.. angles], [.. controls],
            controlStates is null ? default : [.. controlStates]));
    }

    /// <summary>A dense unitary on the given targets (the first target is the matrix's least significant index bit).</summary>
    public CircuitBuilder Unitary(IReadOnlyList<int> targets, UnitaryMatrix matrix, IReadOnlyList<int>? controls = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        foreach (int q in targets) CheckQubit(q, nameof(targets));
        if (controls is not null) foreach (int c in controls) CheckQubit(c, nameof(controls));
        return Add(new Operation(GateKind.Unitary, [.. targets], controls: controls is null ? [] : [.. controls], matrix: matrix));
    }

    /// <summary>Global phase e^{iα}.</summary>
    public CircuitBuilder GlobalPhase(Angle alpha) => Add(new Operation(GateKind.GlobalPhase, [], [alpha]));

    /// <summary>Appends a noise channel on <paramref name="targets"/> (as many as the channel acts on).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A target outside the register.</exception>
    /// <exception cref="ArgumentException">The target count differs from the channel's qubit count, or a target repeats.</exception>
    public CircuitBuilder Channel(Noise.NoiseChannel channel, params int[] targets)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(targets);
        foreach (int t in targets) CheckQubit(t, nameof(targets));
        return Add(new Operation(GateKind.Channel, [.. targets], channel: channel));
    }

    /// <summary>Appends the one-qubit depolarizing channel (<see cref="Noise.NoiseChannel.Depolarizing"/>) on <paramref name="target"/>.</summary>
    public CircuitBuilder Depolarizing(int target, double p) => Channel(Noise.NoiseChannel.Depolarizing(p), target);

    /// <summary>Appends the Pauli channel (<see cref="Noise.NoiseChannel.Pauli"/>) on <paramref name="target"/>.</summary>
    public CircuitBuilder PauliChannel(int target, double px, double py, double pz) => Channel(Noise.NoiseChannel.Pauli(px, py, pz), target);

    /// <summary>Appends amplitude damping (<see cref="Noise.NoiseChannel.AmplitudeDamping"/>) on <paramref name="target"/>.</summary>
    public CircuitBuilder AmplitudeDamping(int target, double gamma) => Channel(Noise.NoiseChannel.AmplitudeDamping(gamma), target);

    /// <summary>Appends all operations of <paramref name="circuit"/>, its qubit q placed on <paramref name="qubitMap"/>[q] (identity when null); variables merge by name.
    /// Everything is checked before anything is added: a failed append leaves the builder unchanged.</summary>
    /// <exception cref="ArgumentException">The map has the wrong length, maps two qubits to one, the circuit is wider than the builder, or a name is a parameter in one and an input in the other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The map sends a qubit outside 0..n−1.</exception>
    public CircuitBuilder Append(Circuit circuit, IReadOnlyList<int>? qubitMap = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (qubitMap is not null && qubitMap.Count != circuit.QubitCount)
            ThrowHelper.LengthMismatch(nameof(qubitMap), "the qubit map", qubitMap.Count, circuit.QubitCount);
        if (qubitMap is null && circuit.QubitCount > QubitCount)
            throw new ArgumentException($"cannot append a {circuit.QubitCount}-qubit circuit to a {QubitCount}-qubit builder (allowed: at most {QubitCount}).", nameof(circuit));
        // Validate everything before declaring a name or adding an operation, so a failed append leaves the builder unchanged.
        foreach (var n in circuit.ParameterNames) CheckName(n, _inputs, "an input");
        foreach (var n in circuit.InputNames) CheckName(n, _parameters, "a parameter");
        int[] pmap = IndicesAfterDeclaring(_parameters, circuit.ParameterNames);
        int[] imap = IndicesAfterDeclaring(_inputs, circuit.InputNames);
        var mappedOps = new List<Operation>(circuit.Operations.Length);
        foreach (var op in circuit.Operations)
        {
            var mapped = qubitMap is null ? op : op.MapQubits(q => qubitMap[q]);
            foreach (int q in mapped.Qubits)
                if (q >= QubitCount) ThrowHelper.QubitOutOfRange(nameof(qubitMap), q, QubitCount);
            mappedOps.Add(mapped.WithAngles([.. mapped.Angles.Select(a => a.RemapVariables((k, j) => k == VariableKind.Parameter ? pmap[j] : imap[j]))]));
        }
        foreach (var n in circuit.ParameterNames) Parameter(n);
        foreach (var n in circuit.InputNames) Input(n);
        foreach (var op in mappedOps) Add(op);
        return this;
    }

    private static int[] IndicesAfterDeclaring(List<string> declared, IEnumerable<string> names)
    {
        int next = declared.Count;
        var added = new List<string>();
        var result = new List<int>();
        foreach (var n in names)
        {
            int i = declared.IndexOf(n);
            if (i < 0)
            {
                i = added.IndexOf(n);
                if (i < 0)
                {
                    added.Add(n);
                    i = added.Count - 1;
                }
                i += next;
            }
            result.Add(i);
        }
        return [.. result];
    }

    /// <summary>Declares a final computational-basis measurement of <paramref name="qubit"/> (the next classical bit).</summary>
    public CircuitBuilder Measure(int qubit)
    {
        _measured.Add(CheckQubit(qubit, nameof(qubit)));
        return this;
    }

    /// <summary>Creates the immutable circuit.</summary>
    public Circuit Build() => new(QubitCount, _operations, _parameters, _inputs, _measured);
}
