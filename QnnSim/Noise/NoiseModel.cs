using System.Collections.Immutable;
using QnnSim.Circuits;

namespace QnnSim.Noise;

/// <summary>Which gates a <see cref="GateNoiseRule"/> follows.</summary>
/// <param name="GateNames">Gate names as <see cref="Operation.Name"/> gives them ("h", "rx", "cx", "ccx", …); empty: every gate.</param>
/// <param name="Qubits">Only gates that touch exactly these qubits (as a set); empty: any qubits.</param>
/// <param name="Channel">The channel attached after a matching gate.</param>
/// <param name="OnEachQubit">True: a one-qubit channel is attached on each qubit the gate touches (controls and targets);
/// false: the channel acts on all of the gate's qubits at once (its qubit count must equal the gate's).</param>
public sealed record GateNoiseRule(ImmutableArray<string> GateNames, ImmutableArray<int> Qubits, NoiseChannel Channel, bool OnEachQubit);

/// <summary>
/// Attaches noise to any circuit without rewriting it, in the shapes of Qiskit Aer's <c>NoiseModel</c> and Cirq's noise
/// models: channels after gates (every gate, or by gate name and qubits), channels before measurement, and per-qubit
/// readout errors. <see cref="ApplyTo"/> returns a new circuit with the channels inserted; simulators call it for you
/// when given a model. Immutable: every <c>With…</c> method returns a new model.
/// </summary>
/// <remarks>
/// <para><b>Order.</b> After each gate, the matching gate rules are applied in the order they were added. "Gates" are
/// the circuit's operations as QnnSim holds them (a Q# or OpenQASM gate that QnnSim keeps whole, e.g. CCX, gets one
/// round of noise; the global-phase operation and the identity get none; channels already in the circuit get none).</para>
/// <para><b>Before measurement.</b> Measurement rules act at the end of the circuit on every measured qubit
/// (<see cref="Circuit.MeasuredQubits"/>), or, for a circuit that declares no measurements, on every qubit: an
/// expectation value is read out by measuring.</para>
/// <para><b>Readout.</b> Readout errors change reported outcomes (sampled counts and measured probabilities), never the
/// state and never an exact expectation Tr(Oρ).</para>
/// <para><b>The QDK's model.</b> <see cref="QdkPauli"/> reproduces <c>qsharp</c>'s Pauli noise (docs/noise.md states the
/// semantics established with the QDK): the Pauli channel (p_x, p_y, p_z) on each qubit a gate touches after every gate,
/// and before each measurement on the measured qubit.</para>
/// </remarks>
public sealed class NoiseModel
{
    private NoiseModel(ImmutableArray<GateNoiseRule> gateRules, ImmutableArray<(NoiseChannel Channel, ImmutableArray<int> Qubits)> measurementRules,
        ImmutableDictionary<int, ReadoutError> readout, ReadoutError? readoutAll)
    {
        GateRules = gateRules;
        MeasurementRules = measurementRules;
        ReadoutErrors = readout;
        DefaultReadoutError = readoutAll;
    }

    /// <summary>The noiseless model.</summary>
    public static NoiseModel Ideal { get; } = new([], [], ImmutableDictionary<int, ReadoutError>.Empty, null);

    /// <summary>Rules for channels after gates, in application order.</summary>
    public ImmutableArray<GateNoiseRule> GateRules { get; }

    /// <summary>Channels before measurement, with their qubits (empty: every measured qubit).</summary>
    public ImmutableArray<(NoiseChannel Channel, ImmutableArray<int> Qubits)> MeasurementRules { get; }

    /// <summary>Readout errors of specific qubits.</summary>
    public ImmutableDictionary<int, ReadoutError> ReadoutErrors { get; }

    /// <summary>The readout error of every qubit not in <see cref="ReadoutErrors"/>, or null.</summary>
    public ReadoutError? DefaultReadoutError { get; }

    /// <summary>True when the model attaches nothing and has no readout error.</summary>
    public bool IsIdeal => GateRules.IsEmpty && MeasurementRules.IsEmpty && ReadoutErrors.IsEmpty && DefaultReadoutError is null;

    /// <summary>True when the model has a readout error.</summary>
    public bool HasReadoutError => !ReadoutErrors.IsEmpty || DefaultReadoutError is not null;

    /// <summary>Adds <paramref name="channel"/> after every gate: a one-qubit channel on each qubit the gate touches; a
    /// k-qubit channel only after gates on exactly k qubits, on all of them.</summary>
    public NoiseModel WithGateNoise(NoiseChannel channel) => WithGateNoise(channel, [], []);

    /// <summary>Adds <paramref name="channel"/> after gates named in <paramref name="gateNames"/> (empty: all) that touch
    /// exactly <paramref name="qubits"/> (empty: any). A one-qubit channel goes on each qubit the gate touches; a k-qubit
    /// channel on the gate's k qubits.</summary>
    /// <exception cref="ArgumentException">An empty gate name, or a negative or repeated qubit.</exception>
    public NoiseModel WithGateNoise(NoiseChannel channel, IEnumerable<string> gateNames, IEnumerable<int> qubits)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(gateNames);
        ArgumentNullException.ThrowIfNull(qubits);
        ImmutableArray<string> names = [.. gateNames.Select(n => n?.Trim().ToLowerInvariant() ?? "")];
        foreach (var n in names)
            if (n.Length == 0) throw new ArgumentException("a gate name in a noise rule is empty.", nameof(gateNames));
        ImmutableArray<int> qs = [.. qubits];
        CheckQubits(qs, nameof(qubits));
        if (!qs.IsEmpty && channel.QubitCount > 1 && channel.QubitCount != qs.Length)
            throw new ArgumentException($"the {channel.QubitCount}-qubit channel {channel} cannot follow gates on {qs.Length} qubits.", nameof(channel));
        var rule = new GateNoiseRule(names, qs, channel, channel.QubitCount == 1);
        return new NoiseModel(GateRules.Add(rule), MeasurementRules, ReadoutErrors, DefaultReadoutError);
    }

    /// <summary>Adds a one-qubit <paramref name="channel"/> before measurement on <paramref name="qubits"/> (none given:
    /// every measured qubit).</summary>
    /// <exception cref="ArgumentException">A channel on more than one qubit, or a negative or repeated qubit.</exception>
    public NoiseModel WithMeasurementNoise(NoiseChannel channel, params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (channel.QubitCount != 1)
            throw new ArgumentException($"a channel before measurement acts on one qubit; {channel} acts on {channel.QubitCount}.", nameof(channel));
        ImmutableArray<int> qs = [.. qubits ?? []];
        CheckQubits(qs, nameof(qubits));
        return new NoiseModel(GateRules, MeasurementRules.Add((channel, qs)), ReadoutErrors, DefaultReadoutError);
    }

    /// <summary>Sets the readout error of <paramref name="qubits"/> (none given: every qubit).</summary>
    public NoiseModel WithReadoutError(ReadoutError error, params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(error);
        qubits ??= [];
        CheckQubits([.. qubits], nameof(qubits));
        if (qubits.Length == 0) return new NoiseModel(GateRules, MeasurementRules, ReadoutErrors, error);
        var d = ReadoutErrors;
        foreach (int q in qubits) d = d.SetItem(q, error);
        return new NoiseModel(GateRules, MeasurementRules, d, DefaultReadoutError);
    }

    /// <summary>
    /// The QDK's Pauli noise model (qsharp-lang's <c>runWithNoise(…, [p_x, p_y, p_z], …)</c>, Python's
    /// <c>noise=(p_x, p_y, p_z)</c>, Q#'s <c>ConfigurePauliNoise</c>): the Pauli channel
    /// ρ ↦ (1 − p_x − p_y − p_z)ρ + p_x XρX + p_y YρY + p_z ZρZ after every gate on each qubit it touches, independently,
    /// and before measurement on each measured qubit (on every qubit when the circuit measures nothing).
    /// </summary>
    /// <remarks>
    /// <para>Established with the QDK itself (docs/noise.md, "The QDK's model"): its simulator applies the channel after
    /// each intrinsic gate (h, x, y, z, s, s†, t, t†, sx, rx, ry, rz, rxx, ryy, rzz, cx, cy, cz, ccx, swap) on each of
    /// its qubits, and to the measured qubit's state before every measurement (so a Z error never flips a result and a
    /// flipped qubit stays flipped); I, global phases and qubit allocation get none; a reset is a noisy measurement
    /// followed by |0⟩. Gates the Q# library decomposes get one round per intrinsic of the decomposition.</para>
    /// <para>For circuits compiled from Q# (<c>QSharpCompiler.Compile</c>) the operations are those intrinsics, so this
    /// model reproduces the QDK's noisy simulator (cross-validated within 5 standard errors in QdkNoiseTests). For a
    /// circuit that holds gates the QDK decomposes (CRz, CH, U, Pauli rotations, … built in C# or read from OpenQASM),
    /// each such gate gets one round here and several in the QDK; export it to Q# and compile it back to get the QDK's
    /// rounds.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A probability that is not finite or outside [0, 1], or a sum above 1.</exception>
    public static NoiseModel QdkPauli(double px, double py, double pz)
    {
        var channel = NoiseChannel.Pauli(px, py, pz);
        return Ideal.WithGateNoise(channel).WithMeasurementNoise(channel);
    }

    /// <summary>The model of both: the rules of <paramref name="other"/> follow this model's; readout errors of
    /// <paramref name="other"/> replace this model's on the same qubits.</summary>
    public NoiseModel Combine(NoiseModel other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var d = ReadoutErrors.SetItems(other.ReadoutErrors);
        return new NoiseModel(GateRules.AddRange(other.GateRules), MeasurementRules.AddRange(other.MeasurementRules), d,
            other.DefaultReadoutError ?? DefaultReadoutError);
    }

    /// <summary>The readout error of <paramref name="qubit"/>, or null.</summary>
    public ReadoutError? ReadoutErrorOf(int qubit) => ReadoutErrors.TryGetValue(qubit, out var e) ? e : DefaultReadoutError;

    /// <summary>
    /// The circuit with this model's channels inserted (same qubits, parameters, inputs and measurements). Rules naming
    /// qubits beyond the circuit are checked here.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A rule or readout error names a qubit outside the circuit.</exception>
    public Circuit ApplyTo(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        int n = circuit.QubitCount;
        foreach (var r in GateRules)
            foreach (int q in r.Qubits)
                if (q >= n) ThrowHelper.QubitOutOfRange("noise", q, n);
        foreach (var (_, qs) in MeasurementRules)
            foreach (int q in qs)
                if (q >= n) ThrowHelper.QubitOutOfRange("noise", q, n);
        foreach (int q in ReadoutErrors.Keys)
            if (q >= n) ThrowHelper.QubitOutOfRange("noise", q, n);
        if (GateRules.IsEmpty && MeasurementRules.IsEmpty) return circuit;

        var ops = new List<Operation>(circuit.Operations.Length * 2);
        foreach (var op in circuit.Operations)
        {
            ops.Add(op);
            if (op.IsChannel || op.Kind is GateKind.GlobalPhase or GateKind.Identity) continue;
            int[] touched = [.. op.Qubits];
            foreach (var rule in GateRules)
            {
                if (!Matches(rule, op, touched)) continue;
                if (rule.OnEachQubit)
                    foreach (int q in touched) ops.Add(new Operation(GateKind.Channel, [q], channel: rule.Channel));
                else if (rule.Channel.QubitCount == touched.Length)
                    ops.Add(new Operation(GateKind.Channel, [.. touched], channel: rule.Channel));
            }
        }
        if (!MeasurementRules.IsEmpty)
        {
            IEnumerable<int> measured = circuit.MeasuredQubits.IsEmpty ? Enumerable.Range(0, n) : circuit.MeasuredQubits.Distinct();
            foreach (var (channel, qs) in MeasurementRules)
                foreach (int q in measured)
                    if (qs.IsEmpty || qs.Contains(q)) ops.Add(new Operation(GateKind.Channel, [q], channel: channel));
        }
        return new Circuit(n, ops, circuit.ParameterNames, circuit.InputNames, circuit.MeasuredQubits);
    }

    private static bool Matches(GateNoiseRule rule, Operation op, int[] touched)
    {
        if (!rule.GateNames.IsEmpty && !rule.GateNames.Contains(op.Name)) return false;
        if (!rule.Qubits.IsEmpty && (rule.Qubits.Length != touched.Length || !touched.All(rule.Qubits.Contains))) return false;
        return true;
    }

    /// <summary>Applies the readout errors to a probability vector over 2^n outcomes (qubit q is bit q), in place.</summary>
    /// <exception cref="ArgumentException">The length is not a power of two.</exception>
    public void ApplyReadout(Span<double> probabilities)
    {
        if (probabilities.Length < 2 || !System.Numerics.BitOperations.IsPow2(probabilities.Length))
            throw new ArgumentException($"a probability vector over 2^n outcomes is required; got length {probabilities.Length}.", nameof(probabilities));
        int n = System.Numerics.BitOperations.Log2((uint)probabilities.Length);
        for (int q = 0; q < n; q++) ReadoutErrorOf(q)?.ApplyTo(probabilities, q);
    }

    /// <summary>A one-line description, e.g. "after every gate: depolarizing(0.01) on each qubit; readout(0.02,0.05) on every qubit".</summary>
    public override string ToString()
    {
        if (IsIdeal) return "ideal (no noise)";
        var parts = new List<string>();
        foreach (var r in GateRules)
        {
            string which = r.GateNames.IsEmpty ? "every gate" : "gates " + string.Join(",", r.GateNames);
            if (!r.Qubits.IsEmpty) which += " on qubits " + string.Join(",", r.Qubits);
            parts.Add($"after {which}: {r.Channel}{(r.OnEachQubit ? " on each qubit" : "")}");
        }
        foreach (var (c, qs) in MeasurementRules)
            parts.Add($"before measurement: {c} on {(qs.IsEmpty ? "every measured qubit" : "qubits " + string.Join(",", qs))}");
        if (DefaultReadoutError is not null) parts.Add($"{DefaultReadoutError} on every qubit");
        foreach (var (q, e) in ReadoutErrors.OrderBy(kv => kv.Key)) parts.Add($"{e} on qubit {q}");
        return string.Join("; ", parts);
    }

    private static void CheckQubits(ImmutableArray<int> qubits, string paramName)
    {
        for (int i = 0; i < qubits.Length; i++)
        {
            if (qubits[i] < 0 || qubits[i] >= Circuit.MaxQubits)
                ThrowHelper.ArgumentOutOfRange(paramName, qubits[i], $"a qubit index 0..{Circuit.MaxQubits - 1}");
            for (int j = 0; j < i; j++)
                if (qubits[j] == qubits[i]) throw new ArgumentException($"qubit {qubits[i]} appears twice in a noise rule.", paramName);
        }
    }
}
