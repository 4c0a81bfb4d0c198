using System.Collections.Immutable;
using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Noise;

namespace QnnSim.Simulation;

/// <summary>
/// A circuit with noise channels cut into unitary segments and channels, built once per circuit and shared between
/// threads. Unitary segments run through the ordinary lowering, fusion and threads; each channel is one item:
/// <list type="bullet">
/// <item>for density matrices, a segment is the doubled circuit on 2n qubits (each gate U on its qubits and conj(U) on the
/// same qubits + n), and a channel is its superoperator Σ K ⊗ conj(K) as one dense step on (targets, targets + n), or the
/// global depolarizing map;</item>
/// <item>for trajectories, a segment is the n-qubit circuit and a channel is drawn per trajectory.</item>
/// </list>
/// </summary>
internal sealed class NoisyPlan
{
    /// <summary>One item: a unitary segment or a channel.</summary>
    internal sealed class Item
    {
        public Circuit? Segment;          // n-qubit unitary segment (trajectories)
        public Circuit? DoubledSegment;   // 2n-qubit segment (density), built on first use
        public CircuitProgram? DoubledProgram; // its lowering
        public Operation? Channel;        // the channel operation
        public Primitive? Superoperator;  // density: Matrix2 / MatrixK on (targets, targets + n); null for global depolarizing
        public Primitive[]? Kraus;        // trajectories: one dense step per Kraus operator (general channels)
        public int[] Targets = [];
        public ulong TargetMask;
    }

    private NoisyPlan(Circuit circuit, Item[] items)
    {
        Circuit = circuit;
        Items = items;
    }

    public Circuit Circuit { get; }

    public Item[] Items { get; }

    /// <summary>Cuts <paramref name="circuit"/> (channels included) into items.</summary>
    public static NoisyPlan Build(Circuit circuit)
    {
        var items = new List<Item>();
        var run = new List<Operation>();
        void Flush()
        {
            if (run.Count == 0) return;
            items.Add(new Item { Segment = new Circuit(circuit.QubitCount, run, circuit.ParameterNames, circuit.InputNames) });
            run.Clear();
        }
        foreach (var op in circuit.Operations)
        {
            if (!op.IsChannel)
            {
                run.Add(op);
                continue;
            }
            Flush();
            ulong mask = 0;
            foreach (int t in op.Targets) mask |= 1UL << t;
            items.Add(new Item { Channel = op, Targets = [.. op.Targets], TargetMask = mask });
        }
        Flush();
        return new NoisyPlan(circuit, [.. items]);
    }

    /// <summary>The doubled segment of a unitary item (built once; races store equal circuits).</summary>
    public Circuit Doubled(Item item)
    {
        if (item.DoubledSegment is { } d) return d;
        int n = Circuit.QubitCount;
        var ops = new List<Operation>(item.Segment!.Operations.Length * 2);
        foreach (var op in item.Segment.Operations)
        {
            ops.Add(op);
            ops.Add(ConjugateOnBra(op, n));
        }
        d = new Circuit(2 * n, ops, Circuit.ParameterNames, Circuit.InputNames);
        item.DoubledSegment = d;
        return d;
    }

    /// <summary>The lowered doubled segment (built once per item, so a run does no table look-up per segment).</summary>
    public CircuitProgram DoubledProgram(Item item) => item.DoubledProgram ??= new CircuitProgram(Doubled(item));

    /// <summary>The density-matrix step of a channel item (null for the global depolarizing channel, which has its own kernel).</summary>
    public Primitive? SuperoperatorStep(Item item)
    {
        var channel = item.Channel!.Channel!;
        if (channel.Kind == NoiseChannelKind.GlobalDepolarizing) return null;
        if (item.Superoperator is { } s) return s;
        int n = Circuit.QubitCount;
        int[] targets = [.. item.Targets, .. item.Targets.Select(t => t + n)];
        s = DenseStep(targets, channel.Superoperator());
        item.Superoperator = s;
        return s;
    }

    /// <summary>The trajectory steps K_i of a general (non-Pauli) channel item.</summary>
    public Primitive[] KrausSteps(Item item)
    {
        if (item.Kraus is { } k) return k;
        k = [.. item.Channel!.Channel!.KrausRowMajor.Select(m => DenseStep(item.Targets, m))];
        item.Kraus = k;
        return k;
    }

    /// <summary>A dense step (Matrix1, Matrix2 or MatrixK) on <paramref name="targets"/>; the matrix need not be unitary.</summary>
    internal static Primitive DenseStep(int[] targets, Complex[] matrix)
    {
        if (targets.Length == 1)
            return new Primitive { Kind = PrimitiveKind.Matrix1, Target0 = targets[0], Matrix = matrix };
        if (targets.Length == 2)
            return new Primitive { Kind = PrimitiveKind.Matrix2, Target0 = targets[0], Target1 = targets[1], Matrix = matrix };
        return new Primitive { Kind = PrimitiveKind.MatrixK, Targets = targets, Offsets = CircuitProgram.MatrixOffsets(targets), Matrix = matrix };
    }

    /// <summary>
    /// conj(U) of a gate, moved to qubits + <paramref name="n"/>: the bra half of ρ ↦ UρU† on vec(ρ). Real gates stay,
    /// S ↔ S†, T ↔ T†, SX ↔ SX†, iSWAP ↔ iSWAP†, Rx/Rz/Rxx/Ryy/Rzz/phase/global phase negate their angle, Ry keeps it,
    /// U(θ, φ, λ) ↦ U(θ, −φ, −λ), exp(−iφP/2) ↦ exp(−i(−1)^{#Y+1}φP/2), Y ↦ conj(Y) = −Y (a dense 2×2), and dense
    /// matrices are conjugated. Controls keep their values.
    /// </summary>
    internal static Operation ConjugateOnBra(Operation op, int n)
    {
        ImmutableArray<int> targets = [.. op.Targets.Select(t => t + n)];
        ImmutableArray<int> controls = [.. op.Controls.Select(c => c + n)];
        Operation Same(GateKind kind, ImmutableArray<Angle> angles) =>
            new(kind, targets, angles, controls, op.ControlStates, op.PauliFactors, null);
        ImmutableArray<Angle> Negated() => [.. op.Angles.Select(a => -a)];
        switch (op.Kind)
        {
            case GateKind.Identity or GateKind.H or GateKind.X or GateKind.Z or GateKind.Swap:
                return Same(op.Kind, []);
            case GateKind.Y:
                return new Operation(GateKind.Unitary, targets, [], controls, op.ControlStates, default,
                    UnitaryMatrix.Create([Complex.Zero, Complex.ImaginaryOne, -Complex.ImaginaryOne, Complex.Zero]));
            case GateKind.S: return Same(GateKind.Sdg, []);
            case GateKind.Sdg: return Same(GateKind.S, []);
            case GateKind.T: return Same(GateKind.Tdg, []);
            case GateKind.Tdg: return Same(GateKind.T, []);
            case GateKind.SX: return Same(GateKind.SXdg, []);
            case GateKind.SXdg: return Same(GateKind.SX, []);
            case GateKind.ISwap: return Same(GateKind.ISwapDg, []);
            case GateKind.ISwapDg: return Same(GateKind.ISwap, []);
            case GateKind.Ry: return Same(GateKind.Ry, op.Angles);
            case GateKind.Rx or GateKind.Rz or GateKind.Rxx or GateKind.Ryy or GateKind.Rzz or GateKind.Phase or GateKind.GlobalPhase:
                return Same(op.Kind, Negated());
            case GateKind.U: return Same(GateKind.U, [op.Angles[0], -op.Angles[1], -op.Angles[2]]);
            case GateKind.PauliRotation:
            {
                int ys = op.PauliFactors.Count(p => p == Observables.Pauli.Y);
                return Same(GateKind.PauliRotation, (ys & 1) == 1 ? op.Angles : Negated());
            }
            case GateKind.Unitary:
            {
                var m = op.Matrix!;
                var conj = new Complex[m.Elements.Length];
                for (int i = 0; i < conj.Length; i++) conj[i] = Complex.Conjugate(m.Elements[i]);
                return new Operation(GateKind.Unitary, targets, [], controls, op.ControlStates, default, UnitaryMatrix.Create(conj));
            }
            default:
                throw new System.Diagnostics.UnreachableException($"gate kind {op.Kind} has no conjugate.");
        }
    }
}
