using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Tests.Reference;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Simulation;

/// <summary>One concrete draw of a gate case: the qubits it sits on and its random angles, letters and matrix.</summary>
public sealed record GateInstance(int N, int[] Qubits, double[] Angles, Pauli[] Letters, Matrix<Complex>? Dense, UnitaryMatrix? DenseMatrix);

/// <summary>How the angles of a gate are passed to the simulator.</summary>
public enum AngleMode
{
    /// <summary>Constant angles folded into the circuit.</summary>
    Constant,
    /// <summary>Affine in a trainable parameter: 2·θ_j − 0.3.</summary>
    Parameter,
    /// <summary>A plain data input x_j.</summary>
    Input,
}

/// <summary>
/// A gate of the simulator as a builder call paired with its textbook dense matrix written independently
/// (DenseReference). <see cref="Arity"/> qubits are drawn per instance: the builder and the reference read them in
/// the same order.
/// </summary>
public sealed class GateCase
{
    public GateCase(string name, Func<int, int> arity, int angleCount, Action<CircuitBuilder, GateInstance, Angle[]> build,
        Func<GateInstance, Matrix<Complex>> reference, bool enumerate = false, int letters = 0, int denseQubits = 0, int maxN = 10)
    {
        Name = name;
        Arity = arity;
        AngleCount = angleCount;
        Build = build;
        Reference = reference;
        Enumerate = enumerate;
        LetterCount = letters;
        DenseQubits = denseQubits;
        MaxN = maxN;
    }

    public string Name { get; }
    public Func<int, int> Arity { get; }
    public int AngleCount { get; }
    public Action<CircuitBuilder, GateInstance, Angle[]> Build { get; }
    public Func<GateInstance, Matrix<Complex>> Reference { get; }
    /// <summary>Every qubit tuple is checked for n ≤ 7 (otherwise a sample).</summary>
    public bool Enumerate { get; }
    /// <summary>Number of Pauli letters to draw (Pauli rotations); −1 = one per qubit of the arity.</summary>
    public int LetterCount { get; }
    /// <summary>Qubits of the Haar-random dense matrix to draw (−1 = all n).</summary>
    public int DenseQubits { get; }
    public int MaxN { get; }

    public override string ToString() => Name;

    /// <summary>Draws an instance on the given qubits, reproducibly from <paramref name="seed"/>.</summary>
    public GateInstance Draw(int n, int[] qubits, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var angles = new double[AngleCount];
        for (int j = 0; j < angles.Length; j++) angles[j] = rng.NextDouble(-2 * Math.PI, 2 * Math.PI);
        int letters = LetterCount < 0 ? qubits.Length : LetterCount;
        var l = new Pauli[letters];
        for (int j = 0; j < letters; j++) l[j] = (Pauli)(1 + rng.NextInt64(3));
        Matrix<Complex>? dense = null;
        UnitaryMatrix? u = null;
        int dq = DenseQubits < 0 ? n : DenseQubits;
        if (dq > 0)
        {
            dense = R.HaarUnitary(1 << dq, rng.NextUInt64());
            u = UnitaryMatrix.Create(R.RowMajor(dense));
        }
        return new GateInstance(n, qubits, angles, l, dense, u);
    }

    /// <summary>A stable 64-bit hash (string.GetHashCode is randomised per process).</summary>
    public static ulong StableHash(string s, params int[] extra)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) h = (h ^ c) * 1099511628211UL;
        foreach (int e in extra) h = (h ^ (uint)e) * 1099511628211UL;
        return h;
    }
}

/// <summary>The catalogue of gate cases: every GateKind, with and without controls.</summary>
public static class GateCatalogue
{
    private static Func<int, int> Fixed(int k) => _ => k;

    private static GateCase One(string name, Func<CircuitBuilder, int, CircuitBuilder> build, Matrix<Complex> m, bool enumerate = false) =>
        new(name, Fixed(1), 0, (b, g, _) => build(b, g.Qubits[0]), g => R.OnQubit(g.N, g.Qubits[0], m), enumerate);

    private static GateCase OneAngle(string name, Func<CircuitBuilder, int, Angle, CircuitBuilder> build, Func<double, Matrix<Complex>> m, bool enumerate = false) =>
        new(name, Fixed(1), 1, (b, g, a) => build(b, g.Qubits[0], a[0]), g => R.OnQubit(g.N, g.Qubits[0], m(g.Angles[0])), enumerate);

    private static GateCase Ctrl(string name, Func<CircuitBuilder, int, int, CircuitBuilder> build, Matrix<Complex> m, bool enumerate = false) =>
        new(name, Fixed(2), 0, (b, g, _) => build(b, g.Qubits[0], g.Qubits[1]),
            g => R.Controlled(g.N, [g.Qubits[0]], g.Qubits[1], m), enumerate);

    private static GateCase CtrlAngle(string name, Func<CircuitBuilder, int, int, Angle, CircuitBuilder> build, Func<double, Matrix<Complex>> m) =>
        new(name, Fixed(2), 1, (b, g, a) => build(b, g.Qubits[0], g.Qubits[1], a[0]),
            g => R.Controlled(g.N, [g.Qubits[0]], g.Qubits[1], m(g.Angles[0])));

    private static GateCase Two(string name, Func<CircuitBuilder, int, int, CircuitBuilder> build, Func<GateInstance, Matrix<Complex>> reference, bool enumerate = false) =>
        new(name, Fixed(2), 0, (b, g, _) => build(b, g.Qubits[0], g.Qubits[1]), reference, enumerate);

    private static GateCase TwoAngle(string name, Func<CircuitBuilder, int, int, Angle, CircuitBuilder> build, Func<GateInstance, Matrix<Complex>> reference, bool enumerate = false) =>
        new(name, Fixed(2), 1, (b, g, a) => build(b, g.Qubits[0], g.Qubits[1], a[0]), reference, enumerate);

    /// <summary>The 2×2 textbook matrix and angle count of each single-qubit kind.</summary>
    public static readonly (GateKind Kind, int Angles, Func<double[], Matrix<Complex>> Matrix)[] SingleQubitKinds =
    [
        (GateKind.Identity, 0, _ => R.Id2),
        (GateKind.H, 0, _ => R.H),
        (GateKind.X, 0, _ => R.X),
        (GateKind.Y, 0, _ => R.Y),
        (GateKind.Z, 0, _ => R.Z),
        (GateKind.S, 0, _ => R.S),
        (GateKind.Sdg, 0, _ => R.Sdg),
        (GateKind.T, 0, _ => R.T),
        (GateKind.Tdg, 0, _ => R.Tdg),
        (GateKind.SX, 0, _ => R.SX),
        (GateKind.SXdg, 0, _ => R.SXdg),
        (GateKind.Phase, 1, a => R.Phase(a[0])),
        (GateKind.U, 3, a => R.U(a[0], a[1], a[2])),
        (GateKind.Rx, 1, a => R.Rx(a[0])),
        (GateKind.Ry, 1, a => R.Ry(a[0])),
        (GateKind.Rz, 1, a => R.Rz(a[0])),
    ];

    private static Matrix<Complex> PauliFromLetters(GateInstance g, int offset, int count)
    {
        // Factor on each qubit of the register, read letter by letter: qubits[offset + j] carries letters[j].
        var factors = Enumerable.Repeat(Pauli.I, g.N).ToArray();
        for (int j = 0; j < count; j++) factors[g.Qubits[offset + j]] = g.Letters[j];
        return R.PauliStringMatrix(factors);
    }

    private static Operation PauliOp(GateInstance g, int offset, int count, Angle angle, int[]? controls = null, bool[]? states = null) =>
        new(GateKind.PauliRotation, [.. g.Qubits.Skip(offset).Take(count)], [angle],
            controls is null ? default : [.. controls], states is null ? default : [.. states],
            pauliFactors: [.. g.Letters.Take(count)]);

    /// <summary>Every case.</summary>
    public static IReadOnlyList<GateCase> All { get; } = BuildAll();

    private static List<GateCase> BuildAll()
    {
        var list = new List<GateCase>
        {
            One("I", (b, q) => b.I(q), R.Id2),
            One("H", (b, q) => b.H(q), R.H, enumerate: true),
            One("X", (b, q) => b.X(q), R.X, enumerate: true),
            One("Y", (b, q) => b.Y(q), R.Y),
            One("Z", (b, q) => b.Z(q), R.Z),
            One("S", (b, q) => b.S(q), R.S),
            One("Sdg", (b, q) => b.Sdg(q), R.Sdg),
            One("T", (b, q) => b.T(q), R.T, enumerate: true),
            One("Tdg", (b, q) => b.Tdg(q), R.Tdg),
            One("SX", (b, q) => b.SX(q), R.SX),
            One("SXdg", (b, q) => b.SXdg(q), R.SXdg),
            OneAngle("P", (b, q, a) => b.Phase(q, a), R.Phase),
            OneAngle("Rx", (b, q, a) => b.Rx(q, a), R.Rx, enumerate: true),
            OneAngle("Ry", (b, q, a) => b.Ry(q, a), R.Ry),
            OneAngle("Rz", (b, q, a) => b.Rz(q, a), R.Rz, enumerate: true),
            new("U", Fixed(1), 3, (b, g, a) => b.U(g.Qubits[0], a[0], a[1], a[2]),
                g => R.OnQubit(g.N, g.Qubits[0], R.U(g.Angles[0], g.Angles[1], g.Angles[2])), enumerate: true),
            Ctrl("CX", (b, c, t) => b.CX(c, t), R.X, enumerate: true),
            Ctrl("CY", (b, c, t) => b.CY(c, t), R.Y),
            Ctrl("CZ", (b, c, t) => b.CZ(c, t), R.Z, enumerate: true),
            Ctrl("CH", (b, c, t) => b.CH(c, t), R.H),
            CtrlAngle("CRx", (b, c, t, a) => b.CRx(c, t, a), R.Rx),
            CtrlAngle("CRy", (b, c, t, a) => b.CRy(c, t, a), R.Ry),
            CtrlAngle("CRz", (b, c, t, a) => b.CRz(c, t, a), R.Rz),
            CtrlAngle("CP", (b, c, t, a) => b.CP(c, t, a), R.Phase),
            Two("SWAP", (b, x, y) => b.Swap(x, y), g => R.SwapQubits(g.N, g.Qubits[0], g.Qubits[1]), enumerate: true),
            Two("iSWAP", (b, x, y) => b.ISwap(x, y), g => R.OnQubits(g.N, g.Qubits, R.ISwap4), enumerate: true),
            Two("iSWAPdg", (b, x, y) => b.Add(new Operation(GateKind.ISwapDg, [x, y])), g => R.OnQubits(g.N, g.Qubits, R.ISwapDg4)),
            TwoAngle("Rxx", (b, x, y, a) => b.Rxx(x, y, a), g => R.OnQubits(g.N, g.Qubits, R.Rxx4(g.Angles[0])), enumerate: true),
            TwoAngle("Ryy", (b, x, y, a) => b.Ryy(x, y, a), g => R.OnQubits(g.N, g.Qubits, R.Ryy4(g.Angles[0]))),
            TwoAngle("Rzz", (b, x, y, a) => b.Rzz(x, y, a), g => R.OnQubits(g.N, g.Qubits, R.Rzz4(g.Angles[0]))),
            // Rxx once more through the Pauli-string route (exp(−iφ X⊗X/2) from Kronecker products), as a cross-check of Rxx4.
            TwoAngle("Rxx-kron", (b, x, y, a) => b.Rxx(x, y, a), g =>
            {
                var f = Enumerable.Repeat(Pauli.I, g.N).ToArray();
                f[g.Qubits[0]] = Pauli.X;
                f[g.Qubits[1]] = Pauli.X;
                return R.PauliRotation(R.PauliStringMatrix(f), g.Angles[0]);
            }),
            new("CCX", Fixed(3), 0, (b, g, _) => b.CCX(g.Qubits[0], g.Qubits[1], g.Qubits[2]),
                g => R.Controlled(g.N, [g.Qubits[0], g.Qubits[1]], g.Qubits[2], R.X), enumerate: true),
            new("CSWAP", Fixed(3), 0, (b, g, _) => b.CSwap(g.Qubits[0], g.Qubits[1], g.Qubits[2]),
                g => R.Controlled(g.N, [g.Qubits[0]], [true], [g.Qubits[1], g.Qubits[2]], R.Swap4), enumerate: true),
        };

        // Pauli rotations of random strings: through the builder (sorted) and as an Operation with unsorted targets.
        foreach (int w in new[] { 1, 2, 3, 4 })
        {
            list.Add(new($"PauliRot{w}", Fixed(w), 1,
                (b, g, a) => b.PauliRotation(PauliString.FromFactors(Enumerable.Range(0, w).Select(j => (g.Qubits[j], g.Letters[j]))), a[0]),
                g => R.PauliRotation(PauliFromLetters(g, 0, w), g.Angles[0]), enumerate: w == 2, letters: w));
            list.Add(new($"PauliRotOp{w}", Fixed(w), 1, (b, g, a) => b.Add(PauliOp(g, 0, w, a[0])),
                g => R.PauliRotation(PauliFromLetters(g, 0, w), g.Angles[0]), letters: w));
        }
        list.Add(new("PauliRotAll", n => n, 1, (b, g, a) => b.Add(PauliOp(g, 0, g.N, a[0])),
            g => R.PauliRotation(PauliFromLetters(g, 0, g.N), g.Angles[0]), letters: -1));
        list.Add(new("CPauliRot2-neg", Fixed(4), 1, (b, g, a) => b.Add(PauliOp(g, 2, 2, a[0], [g.Qubits[0], g.Qubits[1]], [false, true])),
            g => R.Controlled(g.N, [g.Qubits[0], g.Qubits[1]], [false, true], [g.Qubits[2], g.Qubits[3]],
                R.PauliRotation(R.PauliStringMatrix(g.Letters.Take(2).ToArray()), g.Angles[0])), letters: 2));

        // Every single-qubit kind with 1, 2 and 3 controls, mixing positive and negative controls.
        for (int kindIndex = 0; kindIndex < SingleQubitKinds.Length; kindIndex++)
        {
            var (kind, angles, matrix) = SingleQubitKinds[kindIndex];
            foreach (int c in new[] { 1, 2, 3 })
            {
                bool[] states = [.. Enumerable.Range(0, c).Select(j => (kindIndex + j + c) % 2 == 0)];
                string pattern = string.Concat(states.Select(s => s ? '1' : '0'));
                list.Add(new($"C{c}{kind}[{pattern}]", Fixed(c + 1), angles,
                    (b, g, a) => b.Controlled(kind, g.Qubits[..c], g.Qubits[c], a, states),
                    g => R.Controlled(g.N, g.Qubits[..c], states, [g.Qubits[c]], matrix(g.Angles)),
                    enumerate: kind is GateKind.Ry && c == 2));
            }
        }

        // Dense unitaries on 1, 2, 3 qubits, with a negative and a positive control, and on all n qubits.
        foreach (int k in new[] { 1, 2, 3 })
        {
            list.Add(new($"Dense{k}", Fixed(k), 0, (b, g, _) => b.Unitary(g.Qubits, g.DenseMatrix!),
                g => R.OnQubits(g.N, g.Qubits, g.Dense!), enumerate: k == 2, denseQubits: k));
            list.Add(new($"C2Dense{k}[01]", Fixed(k + 2), 0,
                (b, g, _) => b.Add(new Operation(GateKind.Unitary, [.. g.Qubits[2..]], controls: [g.Qubits[0], g.Qubits[1]],
                    controlStates: [false, true], matrix: g.DenseMatrix)),
                g => R.Controlled(g.N, g.Qubits[..2], [false, true], g.Qubits[2..], g.Dense!), denseQubits: k));
        }
        list.Add(new("DenseAll", n => n, 0, (b, g, _) => b.Unitary(g.Qubits, g.DenseMatrix!),
            g => R.OnQubits(g.N, g.Qubits, g.Dense!), denseQubits: -1, maxN: 8));

        // Global phase, alone and with controls (a phase on the control subspace).
        list.Add(new("GPhase", Fixed(0), 1, (b, _, a) => b.GlobalPhase(a[0]), g => R.Cis(g.Angles[0]) * R.Identity(g.N)));
        list.Add(new("C1GPhase", Fixed(1), 1, (b, g, a) => b.Add(new Operation(GateKind.GlobalPhase, [], [a[0]], [g.Qubits[0]])),
            g => R.Controlled(g.N, [g.Qubits[0]], [true], [], R.Rows([R.Cis(g.Angles[0])]))));
        list.Add(new("C2GPhase[01]", Fixed(2), 1,
            (b, g, a) => b.Add(new Operation(GateKind.GlobalPhase, [], [a[0]], [g.Qubits[0], g.Qubits[1]], [false, true])),
            g => R.Controlled(g.N, [g.Qubits[0], g.Qubits[1]], [false, true], [], R.Rows([R.Cis(g.Angles[0])]))));
        return list;
    }

    /// <summary>The qubit tuples to check for a case on n qubits: all of them (enumerated cases, n ≤ 7) or a seeded sample
    /// that always contains the lowest ascending and the highest descending tuple.</summary>
    public static List<int[]> Tuples(GateCase gate, int n)
    {
        int k = gate.Arity(n);
        var all = new List<int[]>();
        if (k > n) return all;
        bool full = gate.Enumerate && n <= 7 || k == 0;
        if (full)
        {
            Permutations(n, k, [], all);
            return all;
        }
        int samples = n <= 7 ? 4 : 2;
        var result = new List<int[]> { Enumerable.Range(0, k).ToArray(), Enumerable.Range(0, k).Select(j => n - 1 - j).ToArray() };
        var rng = new SeededRandom(GateCase.StableHash(gate.Name, n, 77));
        for (int s = 0; s < samples; s++)
        {
            var pool = Enumerable.Range(0, n).ToList();
            var t = new int[k];
            for (int j = 0; j < k; j++)
            {
                int i = (int)rng.NextInt64(pool.Count);
                t[j] = pool[i];
                pool.RemoveAt(i);
            }
            result.Add(t);
        }
        return result;
    }

    private static void Permutations(int n, int k, List<int> prefix, List<int[]> output)
    {
        if (prefix.Count == k)
        {
            output.Add([.. prefix]);
            return;
        }
        for (int q = 0; q < n; q++)
        {
            if (prefix.Contains(q)) continue;
            prefix.Add(q);
            Permutations(n, k, prefix, output);
            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    /// <summary>Builds the one-gate circuit of an instance with its angles passed in the given mode, returning θ and x.</summary>
    public static (Circuit Circuit, ParameterValues Theta, InputValues X) BuildCircuit(GateCase gate, GateInstance g, AngleMode mode)
    {
        var b = new CircuitBuilder(g.N);
        var (angles, theta, x) = MakeAngles(b, g.Angles, mode, "a");
        gate.Build(b, g, angles);
        return (b.Build(), ParameterValues.Of(theta), InputValues.Of(x));
    }

    /// <summary>
    /// Angle objects for the given values: constants, 2·θ_j − 0.3 with θ_j = (v + 0.3)/2, or x_j = v. Names get
    /// <paramref name="prefix"/> so several gates can share one builder.
    /// </summary>
    public static (Angle[] Angles, double[] Theta, double[] X) MakeAngles(CircuitBuilder b, double[] values, AngleMode mode, string prefix)
    {
        var angles = new Angle[values.Length];
        var theta = new List<double>();
        var x = new List<double>();
        for (int j = 0; j < values.Length; j++)
        {
            switch (mode)
            {
                case AngleMode.Constant:
                    angles[j] = values[j];
                    break;
                case AngleMode.Parameter:
                    angles[j] = 2.0 * b.Parameter($"{prefix}{j}") - 0.3;
                    theta.Add((values[j] + 0.3) / 2);
                    break;
                default:
                    angles[j] = b.Input($"{prefix}{j}");
                    x.Add(values[j]);
                    break;
            }
        }
        return (angles, [.. theta], [.. x]);
    }
}
