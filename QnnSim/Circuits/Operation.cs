using System.Collections.Immutable;
using QnnSim.Noise;
using QnnSim.Observables;

namespace QnnSim.Circuits;

/// <summary>
/// The kinds of gate action on the target qubits. Controls (positive or negative) are a separate property of
/// <see cref="Operation"/>, so CX is <see cref="X"/> with one control, CCX is X with two, CRz is Rz with one.
/// Rotations follow R_P(φ) = exp(−iφP/2).
/// </summary>
public enum GateKind
{
    /// <summary>Identity on one qubit (kept so that OpenQASM's id gate round-trips).</summary>
    Identity,
    /// <summary>Hadamard (|0⟩⟨0|+|0⟩⟨1|+|1⟩⟨0|−|1⟩⟨1|)/√2.</summary>
    H,
    /// <summary>Pauli X.</summary>
    X,
    /// <summary>Pauli Y.</summary>
    Y,
    /// <summary>Pauli Z.</summary>
    Z,
    /// <summary>S = diag(1, i).</summary>
    S,
    /// <summary>S† = diag(1, −i).</summary>
    Sdg,
    /// <summary>T = diag(1, e^{iπ/4}).</summary>
    T,
    /// <summary>T† = diag(1, e^{−iπ/4}).</summary>
    Tdg,
    /// <summary>√X = ½[[1+i, 1−i], [1−i, 1+i]].</summary>
    SX,
    /// <summary>√X†.</summary>
    SXdg,
    /// <summary>Phase P(λ) = diag(1, e^{iλ}). One angle.</summary>
    Phase,
    /// <summary>
    /// OpenQASM 3's U(θ, φ, λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]]
    /// = e^{i(φ+λ)/2} Rz(φ) Ry(θ) Rz(λ). Three angles θ, φ, λ.
    /// </summary>
    U,
    /// <summary>Rx(φ) = exp(−iφX/2).</summary>
    Rx,
    /// <summary>Ry(φ) = exp(−iφY/2).</summary>
    Ry,
    /// <summary>Rz(φ) = exp(−iφZ/2).</summary>
    Rz,
    /// <summary>exp(−iφP/2) for the Pauli string P given by <see cref="Operation.PauliFactors"/> on the targets.</summary>
    PauliRotation,
    /// <summary>SWAP of two qubits.</summary>
    Swap,
    /// <summary>iSWAP: |01⟩ ↦ i|10⟩, |10⟩ ↦ i|01⟩.</summary>
    ISwap,
    /// <summary>iSWAP†.</summary>
    ISwapDg,
    /// <summary>Rxx(φ) = exp(−iφ X⊗X/2).</summary>
    Rxx,
    /// <summary>Ryy(φ) = exp(−iφ Y⊗Y/2).</summary>
    Ryy,
    /// <summary>Rzz(φ) = exp(−iφ Z⊗Z/2).</summary>
    Rzz,
    /// <summary>A dense unitary (<see cref="Operation.Matrix"/>) on k targets.</summary>
    Unitary,
    /// <summary>Global phase e^{iα} (no targets; with controls it is a phase on the control subspace).</summary>
    GlobalPhase,
    /// <summary>
    /// A noise channel (<see cref="Operation.Channel"/>) on k targets: not a gate but a completely positive,
    /// trace-preserving map. Simulated by <see cref="Simulation.DensityMatrixSimulator"/> and
    /// <see cref="Simulation.TrajectorySimulator"/>; the pure-state <see cref="Simulation.Simulator"/> refuses it.
    /// </summary>
    Channel,
}

/// <summary>
/// One immutable gate application: a <see cref="GateKind"/>, its targets, optional controls with their control
/// values, its angle expressions, and for <see cref="GateKind.PauliRotation"/> / <see cref="GateKind.Unitary"/> the
/// Pauli factors or the matrix. Qubit indices are validated against the circuit width by <see cref="Circuit"/>;
/// this constructor checks only what the operation alone determines.
/// </summary>
public sealed class Operation
{
    /// <summary>Creates an operation.</summary>
    /// <param name="kind">The gate kind.</param>
    /// <param name="targets">Target qubits (count fixed by the kind, or any k ≥ 1 for PauliRotation/Unitary).</param>
    /// <param name="angles">Angle expressions (count fixed by the kind).</param>
    /// <param name="controls">Control qubits (none for an uncontrolled gate).</param>
    /// <param name="controlStates">Per control: true for a positive control (acts on |1⟩), false for negctrl; null means all positive.</param>
    /// <param name="pauliFactors">For PauliRotation: the X, Y or Z factor on each target.</param>
    /// <param name="matrix">For Unitary: the 2^k × 2^k matrix on the targets.</param>
    /// <param name="channel">For Channel: the noise channel on the targets (no controls, no angles).</param>
    /// <exception cref="ArgumentException">Wrong target, angle, factor or matrix count; a qubit used twice; a control equal to a target;
    /// a channel whose qubit count differs from the targets or that has controls.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative qubit index.</exception>
    public Operation(GateKind kind, ImmutableArray<int> targets, ImmutableArray<Angle> angles = default,
        ImmutableArray<int> controls = default, ImmutableArray<bool> controlStates = default,
        ImmutableArray<Pauli> pauliFactors = default, UnitaryMatrix? matrix = null, NoiseChannel? channel = null)
    {
        targets = targets.IsDefault ? [] : targets;
        angles = angles.IsDefault ? [] : angles;
        controls = controls.IsDefault ? [] : controls;
        controlStates = controlStates.IsDefault ? [.. Enumerable.Repeat(true, controls.Length)] : controlStates;
        pauliFactors = pauliFactors.IsDefault ? [] : pauliFactors;

        if (!Enum.IsDefined(kind)) ThrowHelper.ArgumentOutOfRange(nameof(kind), kind, "a defined GateKind");
        int expectedTargets = FixedTargetCount(kind);
        if (expectedTargets >= 0 && targets.Length != expectedTargets)
            ThrowHelper.LengthMismatch(nameof(targets), $"the target list of {kind}", targets.Length, expectedTargets);
        if (expectedTargets < 0 && targets.Length == 0)
            throw new ArgumentException($"{kind} needs at least one target qubit.", nameof(targets));
        int expectedAngles = AngleCount(kind);
        if (angles.Length != expectedAngles)
            ThrowHelper.LengthMismatch(nameof(angles), $"the angle list of {kind}", angles.Length, expectedAngles);
        foreach (var a in angles) ArgumentNullException.ThrowIfNull(a, nameof(angles));
        if (controlStates.Length != controls.Length)
            ThrowHelper.LengthMismatch(nameof(controlStates), "the control-state list", controlStates.Length, controls.Length);

        ulong seen = 0;
        foreach (int q in targets.Concat(controls))
        {
            if (q < 0) ThrowHelper.ArgumentOutOfRange(nameof(targets), q, "a non-negative qubit index");
            if (q < 64)
            {
                if ((seen >> q & 1) != 0)
                {
                    if (controls.Contains(q) && targets.Contains(q))
                        throw new ArgumentException($"qubit {q} is both a control and a target of {kind}.", nameof(controls));
                    ThrowHelper.DuplicateQubit(nameof(targets), q);
                }
                seen |= 1UL << q;
            }
            else if (targets.Concat(controls).Count(x => x == q) > 1) ThrowHelper.DuplicateQubit(nameof(targets), q);
        }

        if (kind == GateKind.PauliRotation)
        {
            if (pauliFactors.Length != targets.Length)
                ThrowHelper.LengthMismatch(nameof(pauliFactors), "the Pauli factor list", pauliFactors.Length, targets.Length);
            foreach (var p in pauliFactors)
                if (p is not (Pauli.X or Pauli.Y or Pauli.Z))
                    ThrowHelper.ArgumentOutOfRange(nameof(pauliFactors), p, "X, Y or Z (drop identity factors from the targets)");
        }
        else if (!pauliFactors.IsEmpty)
            throw new ArgumentException($"Pauli factors are only meaningful for PauliRotation, not {kind}.", nameof(pauliFactors));

        if (kind == GateKind.Unitary)
        {
            if (matrix is null) throw new ArgumentNullException(nameof(matrix), "a Unitary operation needs its matrix.");
            if (matrix.QubitCount != targets.Length)
                throw new ArgumentException($"the matrix acts on {matrix.QubitCount} qubits but {targets.Length} targets were given.", nameof(matrix));
        }
        else if (matrix is not null)
            throw new ArgumentException($"a matrix is only meaningful for Unitary, not {kind}.", nameof(matrix));

        if (kind == GateKind.Channel)
        {
            if (channel is null) throw new ArgumentNullException(nameof(channel), "a Channel operation needs its noise channel.");
            if (channel.QubitCount != targets.Length)
                throw new ArgumentException($"the channel {channel} acts on {channel.QubitCount} qubits but {targets.Length} targets were given.", nameof(channel));
            if (!controls.IsEmpty)
                throw new ArgumentException($"a noise channel cannot be controlled; got {controls.Length} controls.", nameof(controls));
        }
        else if (channel is not null)
            throw new ArgumentException($"a noise channel is only meaningful for Channel, not {kind}.", nameof(channel));

        Kind = kind;
        Targets = targets;
        Angles = angles;
        Controls = controls;
        ControlStates = controlStates;
        PauliFactors = pauliFactors;
        Matrix = matrix;
        Channel = channel;
    }

    /// <summary>The gate kind.</summary>
    public GateKind Kind { get; }

    /// <summary>Target qubits.</summary>
    public ImmutableArray<int> Targets { get; }

    /// <summary>Angle expressions, in the kind's order (U: θ, φ, λ).</summary>
    public ImmutableArray<Angle> Angles { get; }

    /// <summary>Control qubits.</summary>
    public ImmutableArray<int> Controls { get; }

    /// <summary>Per control, true for a positive control (|1⟩), false for a negative control (|0⟩).</summary>
    public ImmutableArray<bool> ControlStates { get; }

    /// <summary>For <see cref="GateKind.PauliRotation"/>: the factor on each target.</summary>
    public ImmutableArray<Pauli> PauliFactors { get; }

    /// <summary>For <see cref="GateKind.Unitary"/>: the matrix on the targets.</summary>
    public UnitaryMatrix? Matrix { get; }

    /// <summary>For <see cref="GateKind.Channel"/>: the noise channel on the targets.</summary>
    public NoiseChannel? Channel { get; }

    /// <summary>True for a noise channel (<see cref="GateKind.Channel"/>).</summary>
    public bool IsChannel => Kind == GateKind.Channel;

    /// <summary>All qubits the operation touches: controls then targets.</summary>
    public IEnumerable<int> Qubits => Controls.Concat(Targets);

    /// <summary>True when some angle depends on a parameter or input.</summary>
    public bool IsParameterised => Angles.Any(a => !a.IsConstant);

    /// <summary>
    /// A short lower-case name in OpenQASM style: "h", "rz", "cx", "ccx", "crz", "cswap", "unitary",
    /// "pauli_rotation"; negative controls and more than two controls give e.g. "c3x" or "negc1x".
    /// </summary>
    public string Name
    {
        get
        {
            if (Channel is not null) return Channel.Name;
            string baseName = BaseName(Kind);
            if (Controls.IsEmpty) return baseName;
            bool allPositive = ControlStates.All(s => s);
            string prefix = !allPositive ? $"negc{Controls.Length}"
                : Controls.Length == 1 ? "c"
                : Controls.Length == 2 ? "cc"
                : $"c{Controls.Length}";
            return prefix + baseName;
        }
    }

    /// <summary>Targets a kind requires, or −1 for any k ≥ 1.</summary>
    public static int FixedTargetCount(GateKind kind) => kind switch
    {
        GateKind.PauliRotation or GateKind.Unitary or GateKind.Channel => -1,
        GateKind.Swap or GateKind.ISwap or GateKind.ISwapDg or GateKind.Rxx or GateKind.Ryy or GateKind.Rzz => 2,
        GateKind.GlobalPhase => 0,
        _ => 1,
    };

    /// <summary>Angles a kind takes.</summary>
    public static int AngleCount(GateKind kind) => kind switch
    {
        GateKind.U => 3,
        GateKind.Phase or GateKind.Rx or GateKind.Ry or GateKind.Rz or GateKind.PauliRotation
            or GateKind.Rxx or GateKind.Ryy or GateKind.Rzz or GateKind.GlobalPhase => 1,
        _ => 0,
    };

    /// <summary>The OpenQASM-style name of an uncontrolled kind.</summary>
    public static string BaseName(GateKind kind) => kind switch
    {
        GateKind.Identity => "id",
        GateKind.Sdg => "sdg",
        GateKind.Tdg => "tdg",
        GateKind.SX => "sx",
        GateKind.SXdg => "sxdg",
        GateKind.Phase => "p",
        GateKind.U => "u",
        GateKind.PauliRotation => "pauli_rotation",
        GateKind.ISwap => "iswap",
        GateKind.ISwapDg => "iswapdg",
        GateKind.GlobalPhase => "gphase",
        GateKind.Channel => "channel",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The same operation with other angles (same kind, qubits, factors, matrix).</summary>
    public Operation WithAngles(ImmutableArray<Angle> angles) =>
        new(Kind, Targets, angles, Controls, ControlStates, PauliFactors, Matrix, Channel);

    /// <summary>The same operation on relabelled qubits.</summary>
    public Operation MapQubits(Func<int, int> map) =>
        new(Kind, [.. Targets.Select(map)], Angles, [.. Controls.Select(map)], ControlStates, PauliFactors, Matrix, Channel);

    /// <summary>The same operation with extra controls prepended.</summary>
    public Operation WithExtraControls(IEnumerable<int> controls, IEnumerable<bool> states) =>
        IsChannel ? throw new InvalidOperationException($"the noise channel {Channel} cannot be controlled.") : new(Kind, Targets, Angles, [.. controls, .. Controls], [.. states, .. ControlStates], PauliFactors, Matrix);

    /// <summary>
    /// The inverse operation: self-inverse gates stay, S ↔ S†, T ↔ T†, SX ↔ SX†, iSWAP ↔ iSWAP†, rotations and phases
    /// negate their angle, U(θ, φ, λ) ↦ U(−θ, −λ, −φ), and a dense matrix becomes its adjoint. Controls are kept.
    /// </summary>
    /// <exception cref="InvalidOperationException">The operation is a noise channel (a channel has no inverse).</exception>
    public Operation Inverse()
    {
        if (IsChannel) throw new InvalidOperationException($"the noise channel {Channel} has no inverse; only unitary gates can be inverted.");
        GateKind k = Kind switch
        {
            GateKind.S => GateKind.Sdg,
            GateKind.Sdg => GateKind.S,
            GateKind.T => GateKind.Tdg,
            GateKind.Tdg => GateKind.T,
            GateKind.SX => GateKind.SXdg,
            GateKind.SXdg => GateKind.SX,
            GateKind.ISwap => GateKind.ISwapDg,
            GateKind.ISwapDg => GateKind.ISwap,
            _ => Kind,
        };
        ImmutableArray<Angle> angles = Kind == GateKind.U
            ? [-Angles[0], -Angles[2], -Angles[1]]
            : [.. Angles.Select(a => -a)];
        return new Operation(k, Targets, angles, Controls, ControlStates, PauliFactors, Matrix?.Adjoint());
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string args = Angles.IsEmpty ? "" : "(" + string.Join(", ", Angles) + ")";
        if (Channel is not null) return $"{Channel} {string.Join(", ", Targets.Select(q => $"q[{q}]"))}";
        string pauli = Kind == GateKind.PauliRotation ? "[" + string.Join("", PauliFactors) + "]" : "";
        return $"{Name}{pauli}{args} {string.Join(", ", Qubits.Select(q => $"q[{q}]"))}";
    }
}
