using System.Collections.Immutable;
using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Simulation;

/// <summary>What a lowered step does to the state.</summary>
internal enum PrimitiveKind
{
    /// <summary>Dense 2×2 on Target0 (Matrix: m00, m01, m10, m11).</summary>
    Matrix1,
    /// <summary>diag(d0, d1) on Target0 (Matrix: d0, d1).</summary>
    Diagonal1,
    /// <summary>Dense 4×4 on (Target0, Target1), matrix index bit 0 = Target0.</summary>
    Matrix2,
    /// <summary>Dense 2^k × 2^k on Targets.</summary>
    MatrixK,
    /// <summary>A Pauli string (XMask, ZMask, YCount).</summary>
    Pauli,
    /// <summary>exp(−iφP/2) for the Pauli string (XMask, ZMask, YCount); φ = Angle. Generator G = P/2.</summary>
    PauliRotation,
    /// <summary>diag(1, e^{iλ}) on Target0; λ = Angle. Generator G = −|1⟩⟨1|.</summary>
    PhaseShift,
    /// <summary>e^{iα} on the control subspace; α = Angle. Generator G = −I.</summary>
    GlobalPhase,
    /// <summary>SWAP of Target0 and Target1.</summary>
    Swap,
    /// <summary>
    /// Dense 2×2 on Target0 chosen by bit Target1: Matrix[0..3] where it is 0, Matrix[4..7] where it is 1 (a 4×4
    /// block-diagonal in Target1; no controls). Made only by fusion (a 1-qubit run followed by CX or another
    /// controlled 1-qubit gate on the same target), never by lowering, so it has no angle.
    /// </summary>
    Select1,
}

/// <summary>
/// One lowered step. Every step acts on the control subspace (bits in CtrlMask equal to CtrlValue). Parameterised
/// steps (<see cref="Angle"/> not null) are exp(−i·angle·G) for the generator G of their kind, so gradients need to
/// know only three generators.
/// </summary>
internal sealed class Primitive
{
    public PrimitiveKind Kind;
    public ulong CtrlMask, CtrlValue;
    public int Target0, Target1;
    public int[] Targets = [];
    public long[] Offsets = [];
    public ulong XMask, ZMask;
    public int YCount;
    public Complex[] Matrix = [];
    public Angle? Angle;
    public int AngleSlot = -1;
    public int SourceOperation;

    /// <summary>
    /// Lazily built per-path SIMD coefficient tables of a constant matrix step (index: 2·path + inverse), owned by
    /// <see cref="Executor"/>. Races only ever store equal tables, so no lock is needed.
    /// </summary>
    internal object?[]? VectorCache;

    /// <summary>[Target0, Target1] for two-target steps, built once on first use by <see cref="Executor"/>.</summary>
    internal int[]? PairTargets;

    public ulong TargetMask => Kind switch
    {
        PrimitiveKind.Pauli or PrimitiveKind.PauliRotation => XMask | ZMask,
        PrimitiveKind.MatrixK => MaskOf(Targets),
        PrimitiveKind.Matrix2 or PrimitiveKind.Swap or PrimitiveKind.Select1 => (1UL << Target0) | (1UL << Target1),
        PrimitiveKind.GlobalPhase => 0,
        _ => 1UL << Target0,
    };

    private static ulong MaskOf(int[] qubits)
    {
        ulong m = 0;
        foreach (int t in qubits) m |= 1UL << t;
        return m;
    }

    /// <summary>Number of qubits touched (targets and controls).</summary>
    public int TouchedCount => BitOperations.PopCount(TargetMask | CtrlMask);

    /// <summary>
    /// Bits the kernel removes from the basis index to form its free index: the controls plus the targets, except
    /// that Pauli steps pair k with k ⊕ x and so remove one bit of x (none when diagonal).
    /// </summary>
    public int LoopBits => BitOperations.PopCount(CtrlMask) + Kind switch
    {
        PrimitiveKind.Pauli or PrimitiveKind.PauliRotation => XMask == 0 ? 0 : 1,
        PrimitiveKind.GlobalPhase => 0,
        _ => BitOperations.PopCount(TargetMask),
    };
}

/// <summary>
/// A circuit lowered once into kernel steps: every gate becomes constant matrices, Pauli steps or one of three
/// parameterised step kinds. Immutable after construction and shared between threads; bound angles live in a
/// caller-owned array (<see cref="BindAngles"/>).
/// </summary>
internal sealed class CircuitProgram
{
    private static readonly double InvSqrt2 = 1 / Math.Sqrt(2);

    public CircuitProgram(Circuit circuit)
    {
        Circuit = circuit;
        var steps = new List<Primitive>();
        for (int i = 0; i < circuit.Operations.Length; i++) Lower(circuit.Operations[i], i, steps);
        int slot = 0;
        foreach (var s in steps) if (s.Angle is not null) s.AngleSlot = slot++;
        Steps = [.. steps];
        AngleCount = slot;
    }

    public Circuit Circuit { get; }

    public ImmutableArray<Primitive> Steps { get; }

    /// <summary>The fusion plan (<see cref="Fusion.BuildPlan"/> with the default block size), built on first fused run.
    /// Depends only on which qubits each step touches, so every binding of the angles shares it.</summary>
    internal Fusion.Plan? FusionPlan;

    /// <summary>Number of parameterised steps (length of the bound-angle array).</summary>
    public int AngleCount { get; }

    /// <summary>
    /// Evaluates every parameterised step's angle into <paramref name="angles"/>. Throws (before any state changes)
    /// when an angle is not finite.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void BindAngles(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, Span<double> angles)
    {
        var affine = _affine ??= BuildAffine();
        foreach (var s in Steps)
        {
            if (s.Angle is null) continue;
            var a = affine[s.AngleSlot];
            // Plain scale·variable + offset angles (the common case) without the virtual call.
            double v = a.Kind == 0 ? s.Angle.Evaluate(parameters, inputs)
                : a.Scale * (a.Kind == 1 ? parameters[a.Index] : inputs[a.Index]) + a.Offset;
            if (!double.IsFinite(v))
            {
                var op = Circuit.Operations[s.SourceOperation];
                throw new ArgumentOutOfRangeException(nameof(parameters), v,
                    $"operation {s.SourceOperation} ({op.Name}): the angle '{s.Angle.ToString((k, j) => k == VariableKind.Parameter ? Circuit.ParameterNames[j] : Circuit.InputNames[j])}' evaluates to {v}; a finite real number is required.");
            }
            angles[s.AngleSlot] = v;
        }
    }

    /// <summary>Per angle slot: Kind 1 = scale·θ_index + offset, 2 = scale·x_index + offset, 0 = general expression.</summary>
    private (int Kind, int Index, double Scale, double Offset)[]? _affine;

    private (int Kind, int Index, double Scale, double Offset)[] BuildAffine()
    {
        var table = new (int, int, double, double)[AngleCount];
        foreach (var s in Steps)
        {
            if (s.Angle is null) continue;
            table[s.AngleSlot] = s.Angle.TryGetAffine(out var kind, out int index, out double scale, out double offset)
                ? (kind == VariableKind.Parameter ? 1 : 2, index, scale, offset) : (0, 0, 0.0, 0.0);
        }
        return table;
    }

    private static void Lower(Operation op, int index, List<Primitive> steps)
    {
        ulong ctrlMask = 0, ctrlValue = 0;
        for (int c = 0; c < op.Controls.Length; c++)
        {
            ctrlMask |= 1UL << op.Controls[c];
            if (op.ControlStates[c]) ctrlValue |= 1UL << op.Controls[c];
        }
        Primitive New(PrimitiveKind kind) => new() { Kind = kind, CtrlMask = ctrlMask, CtrlValue = ctrlValue, SourceOperation = index };
        void Add(Primitive p) => steps.Add(p);
        int t = op.Targets.IsEmpty ? -1 : op.Targets[0];
        Complex I = Complex.ImaginaryOne;

        void Matrix1(Complex a, Complex b, Complex c, Complex d)
        {
            var p = New(PrimitiveKind.Matrix1);
            p.Target0 = t;
            p.Matrix = [a, b, c, d];
            Add(p);
        }
        void Diagonal(Complex d0, Complex d1)
        {
            var p = New(PrimitiveKind.Diagonal1);
            p.Target0 = t;
            p.Matrix = [d0, d1];
            Add(p);
        }
        void PauliOn(ulong x, ulong z)
        {
            var p = New(PrimitiveKind.Pauli);
            (p.XMask, p.ZMask, p.YCount) = (x, z, BitOperations.PopCount(x & z));
            Add(p);
        }
        void Rotation(ulong x, ulong z, Angle angle)
        {
            var p = New(PrimitiveKind.PauliRotation);
            (p.XMask, p.ZMask, p.YCount) = (x, z, BitOperations.PopCount(x & z));
            p.Angle = angle;
            Add(p);
        }
        ulong bit = t >= 0 ? 1UL << t : 0;

        switch (op.Kind)
        {
            case GateKind.Identity: break;
            case GateKind.H: Matrix1(InvSqrt2, InvSqrt2, InvSqrt2, -InvSqrt2); break;
            case GateKind.X: PauliOn(bit, 0); break;
            case GateKind.Y: PauliOn(bit, bit); break;
            case GateKind.Z: PauliOn(0, bit); break;
            case GateKind.S: Diagonal(1, I); break;
            case GateKind.Sdg: Diagonal(1, -I); break;
            case GateKind.T: Diagonal(1, Complex.FromPolarCoordinates(1, Math.PI / 4)); break;
            case GateKind.Tdg: Diagonal(1, Complex.FromPolarCoordinates(1, -Math.PI / 4)); break;
            case GateKind.SX: Matrix1(new(0.5, 0.5), new(0.5, -0.5), new(0.5, -0.5), new(0.5, 0.5)); break;
            case GateKind.SXdg: Matrix1(new(0.5, -0.5), new(0.5, 0.5), new(0.5, 0.5), new(0.5, -0.5)); break;
            case GateKind.Phase:
            {
                var p = New(PrimitiveKind.PhaseShift);
                p.Target0 = t;
                p.Angle = op.Angles[0];
                Add(p);
                break;
            }
            case GateKind.U:
            {
                Angle theta = op.Angles[0], phi = op.Angles[1], lambda = op.Angles[2];
                if (theta.IsConstant && phi.IsConstant && lambda.IsConstant)
                {
                    double th = theta.ConstantValue, ph = phi.ConstantValue, la = lambda.ConstantValue;
                    double c = Math.Cos(th / 2), s = Math.Sin(th / 2);
                    // e^{i(φ+λ)} as the product e^{iφ}·e^{iλ}: the rounded sum φ + λ would break unitarity for large angles.
                    Complex ePhi = Complex.FromPolarCoordinates(1, ph), eLambda = Complex.FromPolarCoordinates(1, la);
                    Matrix1(c, -s * eLambda, s * ePhi, c * (ePhi * eLambda));
                }
                else
                {
                    // U(θ, φ, λ) = e^{i(φ+λ)/2} Rz(φ) Ry(θ) Rz(λ): time order Rz(λ), Ry(θ), Rz(φ), then the phase.
                    Rotation(0, bit, lambda);
                    Rotation(bit, bit, theta);
                    Rotation(0, bit, phi);
                    var g = New(PrimitiveKind.GlobalPhase);
                    g.Angle = 0.5 * phi + 0.5 * lambda; // not 0.5·(φ + λ): the sum overflows for φ, λ near the largest double
                    Add(g);
                }
                break;
            }
            case GateKind.Rx: Rotation(bit, 0, op.Angles[0]); break;
            case GateKind.Ry: Rotation(bit, bit, op.Angles[0]); break;
            case GateKind.Rz: Rotation(0, bit, op.Angles[0]); break;
            case GateKind.Rxx:
            case GateKind.Ryy:
            case GateKind.Rzz:
            {
                ulong both = (1UL << op.Targets[0]) | (1UL << op.Targets[1]);
                ulong x = op.Kind == GateKind.Rzz ? 0 : both;
                ulong z = op.Kind == GateKind.Rxx ? 0 : both;
                Rotation(x, z, op.Angles[0]);
                break;
            }
            case GateKind.PauliRotation:
            {
                ulong x = 0, z = 0;
                for (int k = 0; k < op.Targets.Length; k++)
                {
                    ulong b = 1UL << op.Targets[k];
                    if (op.PauliFactors[k] is Pauli.X or Pauli.Y) x |= b;
                    if (op.PauliFactors[k] is Pauli.Z or Pauli.Y) z |= b;
                }
                Rotation(x, z, op.Angles[0]);
                break;
            }
            case GateKind.Swap:
            {
                var p = New(PrimitiveKind.Swap);
                (p.Target0, p.Target1) = (op.Targets[0], op.Targets[1]);
                Add(p);
                break;
            }
            case GateKind.ISwap:
            case GateKind.ISwapDg:
            {
                Complex ph = op.Kind == GateKind.ISwap ? I : -I;
                var p = New(PrimitiveKind.Matrix2);
                (p.Target0, p.Target1) = (op.Targets[0], op.Targets[1]);
                p.Matrix = [1, 0, 0, 0, 0, 0, ph, 0, 0, ph, 0, 0, 0, 0, 0, 1];
                Add(p);
                break;
            }
            case GateKind.Unitary:
            {
                var m = op.Matrix!;
                if (m.QubitCount == 1)
                {
                    Matrix1(m[0, 0], m[0, 1], m[1, 0], m[1, 1]);
                }
                else if (m.QubitCount == 2)
                {
                    var p = New(PrimitiveKind.Matrix2);
                    (p.Target0, p.Target1) = (op.Targets[0], op.Targets[1]);
                    p.Matrix = m.Elements.ToArray();
                    Add(p);
                }
                else
                {
                    var p = New(PrimitiveKind.MatrixK);
                    p.Targets = [.. op.Targets];
                    p.Offsets = MatrixOffsets(p.Targets);
                    p.Matrix = m.Elements.ToArray();
                    Add(p);
                }
                break;
            }
            case GateKind.GlobalPhase:
            {
                var g = New(PrimitiveKind.GlobalPhase);
                g.Angle = op.Angles[0];
                Add(g);
                break;
            }
            case GateKind.Channel:
                throw new ArgumentException(
                    $"operation {index} is the noise channel {op.Channel} on qubit(s) {string.Join(", ", op.Targets)}; a pure state cannot represent noise: " +
                    "use DensityMatrixSimulator or TrajectorySimulator (CLI: --backend density or trajectories).", "circuit");
            default:
                throw new System.Diagnostics.UnreachableException($"gate kind {op.Kind} has no lowering.");
        }
    }

    /// <summary>For matrix index r on targets t_0..t_{k−1}: Σ_j r_j 2^{t_j}.</summary>
    public static long[] MatrixOffsets(ReadOnlySpan<int> targets)
    {
        var offsets = new long[1 << targets.Length];
        for (int r = 0; r < offsets.Length; r++)
        {
            long o = 0;
            for (int j = 0; j < targets.Length; j++)
                if ((r >> j & 1) != 0) o |= 1L << targets[j];
            offsets[r] = o;
        }
        return offsets;
    }
}
