using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// The dynamical Lie algebra (DLA) 𝔤 = span_ℝ ⟨iG_1, …, iG_K⟩_Lie of Hermitian generators G_k given as Pauli sums:
/// the smallest real Lie algebra containing every iG_k, closed under commutators. Computed numerically by Lie closure
/// in the Pauli basis: each element is a real vector of Pauli coefficients (Hermitian H = Σ_P h_P P ↔ iH); the closure
/// adds i[G_k, B] for every generator G_k and every basis element B found so far, reduced against the basis by sparse
/// Gaussian elimination, until nothing new appears. Right-nested commutators with the generators span the generated
/// algebra, so the result is exact up to the tolerance.
/// </summary>
/// <remarks>
/// Tolerance: a reduced vector counts as new when its largest coefficient exceeds <see cref="Tolerance"/> (10⁻⁹) times
/// the largest coefficient of the unreduced commutator; coefficients below 10⁻¹⁴ of that scale are dropped. The
/// dimension is at most 4ⁿ − 1 (su(2ⁿ)); for Pauli-string generators every element stays a single Pauli string and the
/// closure is cheap up to n ≈ 8; for general sums it is meant for n ≤ 5. Known cases (tested): the open transverse-field
/// Ising generators {Z_iZ_{i+1}} ∪ {X_i} give so(2n), dimension n(2n − 1); {X_i, Z_i} give ⊕ su(2), dimension 3n;
/// {X_i, Y_i, Z_iZ_{i+1}} give su(2ⁿ), dimension 4ⁿ − 1 (Wiersema et al., "Classification of dynamical Lie algebras
/// for translation-invariant 2-local spin systems in one dimension", arXiv:2309.05690; Larocca et al., 2022).
/// </remarks>
public sealed class DynamicalLieAlgebra
{
    /// <summary>Relative tolerance of linear independence (see the remarks).</summary>
    public const double Tolerance = 1e-9;

    /// <summary>The largest algebra closure attempted: 4⁶ − 1 elements.</summary>
    public const int MaxDimension = 4095;

    private readonly List<Dictionary<PauliString, double>> _basis;

    private DynamicalLieAlgebra(int qubits, List<Dictionary<PauliString, double>> basis)
    {
        QubitCount = qubits;
        _basis = basis;
    }

    /// <summary>The number of qubits the generators act on.</summary>
    public int QubitCount { get; }

    /// <summary>dim 𝔤.</summary>
    public int Dimension => _basis.Count;

    /// <summary>Basis element k as a Hermitian Pauli sum (the algebra element is i times it).</summary>
    public PauliSum BasisElement(int k) => new(_basis[k].Select(e => new PauliTerm(e.Value, e.Key)));

    /// <summary>The Lie closure of the generators (identity components are dropped: they only add a central u(1)).</summary>
    /// <exception cref="ArgumentException">No generators, or a generator on more than 30 qubits.</exception>
    /// <exception cref="InvalidOperationException">The closure passes <see cref="MaxDimension"/>.</exception>
    public static DynamicalLieAlgebra FromGenerators(IEnumerable<PauliSum> generators, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generators);
        var gens = new List<Dictionary<PauliString, double>>();
        int qubits = 0;
        foreach (var g in generators)
        {
            ArgumentNullException.ThrowIfNull(g, nameof(generators));
            var v = new Dictionary<PauliString, double>();
            foreach (var t in g.Terms)
                if (!t.Pauli.IsIdentity) v[t.Pauli] = v.GetValueOrDefault(t.Pauli) + t.Coefficient;
            qubits = Math.Max(qubits, g.RequiredQubits);
            gens.Add(v);
        }
        if (gens.Count == 0) throw new ArgumentException("at least one generator is required.", nameof(generators));
        if (qubits > Circuit.MaxQubits) throw new ArgumentException($"the generators act on {qubits} qubits; allowed: at most {Circuit.MaxQubits}.", nameof(generators));
        var basis = new List<Dictionary<PauliString, double>>();
        var pivots = new Dictionary<PauliString, int>();
        foreach (var g in gens) TryAdd(g, basis, pivots);
        for (int next = 0; next < basis.Count; next++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var g in gens)
            {
                var c = Bracket(g, basis[next]);
                if (c.Count > 0) TryAdd(c, basis, pivots);
                if (basis.Count > MaxDimension) throw new InvalidOperationException($"the Lie closure passed {MaxDimension} elements; allowed: at most {MaxDimension} (n ≤ 6).");
            }
        }
        return new DynamicalLieAlgebra(qubits, basis);
    }

    /// <summary>
    /// The generators of a circuit's parameterised gates in the order they act, each moved to the start of the circuit
    /// through the fixed gates before it (U = ∏_k e^{−iφ_k G'_k}·W with G'_k = W_k† G_k W_k, W_k the fixed gates before
    /// gate k): Pauli rotations (with controls, G = |1…1⟩⟨1…1|_c ⊗ P/2) and phase gates (G = −|1⟩⟨1|). Fixed gates are
    /// conjugated through as dense matrices, so n ≤ 6. Gates with several variable angles (U) are refused.
    /// </summary>
    /// <exception cref="NotSupportedException">A U gate with variable angles, or a variable global phase.</exception>
    /// <exception cref="ArgumentOutOfRangeException">More than 6 qubits.</exception>
    public static IReadOnlyList<PauliSum> CircuitGenerators(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        int n = circuit.QubitCount;
        if (n > 6) throw new ArgumentOutOfRangeException(nameof(circuit), n, $"the circuit has {n} qubits; CircuitGenerators handles at most 6.");
        int d = 1 << n;
        var sim = new Simulator(SimulationOptions.Default with { MaxThreads = 1 });
        // W = product of the fixed gates so far, as columns W|b⟩.
        var columns = new StateVector[d];
        for (int b = 0; b < d; b++) columns[b] = StateVector.BasisState(n, b);
        var result = new List<PauliSum>();
        foreach (var op in circuit.Operations)
        {
            if (op.IsParameterised)
            {
                var g = Generator(op);
                result.Add(Conjugate(g, columns, n, sim));
                continue;
            }
            var c = new Circuit(n, [op]);
            foreach (var col in columns) sim.Apply(c, ParameterValues.None, InputValues.None, col);
        }
        return result;
    }

    /// <summary>ψ ↦ B_k ψ for basis element k (amplitudes of an n-qubit vector; a new array).</summary>
    internal Complex[] Apply(int k, Complex[] psi, int n)
    {
        var sim = new Simulator(SimulationOptions.Default with { MaxThreads = 1 });
        var result = new Complex[psi.Length];
        var tmp = StateVector.Zero(n);
        foreach (var (pauli, c) in _basis[k])
        {
            psi.CopyTo(tmp.AmplitudesMutable);
            sim.ApplyPauli(pauli, tmp);
            var a = tmp.Amplitudes;
            for (int i = 0; i < result.Length; i++) result[i] += c * a[i];
        }
        return result;
    }

    private static PauliSum Generator(Operation op)
    {
        if (op.Angles.Count(a => !a.IsConstant) > 1 || op.Kind is GateKind.U or GateKind.GlobalPhase)
            throw new NotSupportedException($"the gate {op.Name} has no single Pauli generator; decompose it into rotations first.");
        PauliString p = op.Kind switch
        {
            GateKind.Rx => PauliString.X(op.Targets[0]),
            GateKind.Ry => PauliString.Y(op.Targets[0]),
            GateKind.Rz => PauliString.Z(op.Targets[0]),
            GateKind.Rxx => PauliString.FromFactors([(op.Targets[0], Pauli.X), (op.Targets[1], Pauli.X)]),
            GateKind.Ryy => PauliString.FromFactors([(op.Targets[0], Pauli.Y), (op.Targets[1], Pauli.Y)]),
            GateKind.Rzz => PauliString.FromFactors([(op.Targets[0], Pauli.Z), (op.Targets[1], Pauli.Z)]),
            GateKind.PauliRotation => PauliString.FromFactors(op.Targets.Select((t, i) => (t, op.PauliFactors[i]))),
            GateKind.Phase => PauliString.Z(op.Targets[0]),
            _ => throw new NotSupportedException($"the gate {op.Name} has no Pauli generator; decompose it into rotations first."),
        };
        // Rotations: G = P/2. Phase: G = −|1⟩⟨1| = (Z − I)/2, whose traceless part is Z/2. Controls: Π_c ⊗ G with
        // Π_c = ∏ (I ∓ Z_c)/2 expanded into Pauli strings.
        var terms = new Dictionary<PauliString, double> { [p] = 0.5 };
        if (op.Kind == GateKind.Phase) terms[PauliString.Identity] = -0.5;
        for (int c = 0; c < op.Controls.Length; c++)
        {
            double sign = op.ControlStates.IsDefaultOrEmpty || op.ControlStates[c] ? -1 : 1;
            var next = new Dictionary<PauliString, double>();
            foreach (var (q, v) in terms)
            {
                next[q] = next.GetValueOrDefault(q) + 0.5 * v;
                var (phase, product) = q.Multiply(PauliString.Z(op.Controls[c]));
                next[product] = next.GetValueOrDefault(product) + 0.5 * sign * v * phase.Real;
            }
            terms = next;
        }
        return new PauliSum(terms.Select(e => new PauliTerm(e.Value, e.Key)));
    }

    /// <summary>W† G W in the Pauli basis, with W given by its columns.</summary>
    private static PauliSum Conjugate(PauliSum g, StateVector[] columns, int n, Simulator sim)
    {
        int d = 1 << n;
        // M = G W (columns), then (W† G W)_ab = ⟨W a| G W b⟩.
        var gw = new Complex[d][];
        var tmp = StateVector.Zero(n);
        for (int b = 0; b < d; b++)
        {
            gw[b] = new Complex[d];
            foreach (var t in g.Terms)
            {
                columns[b].Amplitudes.CopyTo(tmp.AmplitudesMutable);
                sim.ApplyPauli(t.Pauli, tmp);
                var a = tmp.Amplitudes;
                for (int i = 0; i < d; i++) gw[b][i] += t.Coefficient * a[i];
            }
        }
        var m = new Complex[d, d];
        for (int a = 0; a < d; a++)
        {
            var wa = columns[a].Amplitudes;
            for (int b = 0; b < d; b++)
            {
                Complex s = 0;
                for (int i = 0; i < d; i++) s += Complex.Conjugate(wa[i]) * gw[b][i];
                m[a, b] = s;
            }
        }
        // Pauli coefficients h_P = Tr(P M)/d; P|b⟩ = phase·|b ⊕ x⟩ with phase i^{y}(−1)^{popcount(b & z)}.
        var terms = new List<PauliTerm>();
        for (ulong x = 0; x < (ulong)d; x++)
            for (ulong z = 0; z < (ulong)d; z++)
            {
                var pauli = PauliString.FromMasks(x, z);
                if (pauli.IsIdentity) continue;
                Complex tr = 0;
                int y = System.Numerics.BitOperations.PopCount(x & z);
                Complex iy = Complex.Pow(Complex.ImaginaryOne, y);
                // P = i^y X^x Z^z, so P|c⟩ = i^y (−1)^{|c ∧ z|} |c ⊕ x⟩ and Tr(P M) = Σ_c i^y (−1)^{|c ∧ z|} M_{c, c⊕x}.
                for (ulong c = 0; c < (ulong)d; c++)
                {
                    double sign = (System.Numerics.BitOperations.PopCount(c & z) & 1) == 0 ? 1 : -1;
                    tr += iy * sign * m[(int)c, (int)(c ^ x)];
                }
                double h = tr.Real / d;
                if (Math.Abs(h) > 1e-12) terms.Add(new PauliTerm(h, pauli));
            }
        return new PauliSum(terms);
    }

    /// <summary>i[A, B] for Hermitian A, B in the Pauli basis: i[P, Q] = 0 when they commute, else 2i·PQ.</summary>
    private static Dictionary<PauliString, double> Bracket(Dictionary<PauliString, double> a, Dictionary<PauliString, double> b)
    {
        var r = new Dictionary<PauliString, double>();
        foreach (var (p, x) in a)
            foreach (var (q, y) in b)
            {
                if (p.CommutesWith(q)) continue;
                var (phase, product) = p.Multiply(q);
                // i·2·phase·PQ with phase = ±i: real coefficient −2·Im(phase)·…
                double coefficient = -2 * phase.Imaginary * x * y;
                r[product] = r.GetValueOrDefault(product) + coefficient;
            }
        double scale = r.Count == 0 ? 0 : r.Values.Max(Math.Abs);
        foreach (var key in r.Where(e => Math.Abs(e.Value) <= 1e-14 * scale).Select(e => e.Key).ToList()) r.Remove(key);
        return r;
    }

    /// <summary>Reduces v against the basis (kept in reduced echelon form by pivots) and adds it if it is new.</summary>
    private static void TryAdd(Dictionary<PauliString, double> v, List<Dictionary<PauliString, double>> basis, Dictionary<PauliString, int> pivots)
    {
        if (v.Count == 0) return;
        double scale = v.Values.Max(Math.Abs);
        var r = new Dictionary<PauliString, double>(v);
        foreach (var key in v.Keys)
        {
            if (!pivots.TryGetValue(key, out int k) || !r.TryGetValue(key, out double c) || c == 0) continue;
            foreach (var (q, w) in basis[k]) r[q] = r.GetValueOrDefault(q) - c * w;
        }
        foreach (var key in r.Where(e => Math.Abs(e.Value) <= 1e-14 * scale).Select(e => e.Key).ToList()) r.Remove(key);
        foreach (var key in r.Keys.Where(pivots.ContainsKey).ToList()) r.Remove(key); // exact zeros up to round-off
        if (r.Count == 0 || r.Values.Max(Math.Abs) <= Tolerance * scale) return;
        var pivot = r.MaxBy(e => Math.Abs(e.Value)).Key;
        double pv = r[pivot];
        var normalised = r.ToDictionary(e => e.Key, e => e.Value / pv);
        // Keep the echelon form reduced: remove the new pivot from every earlier element.
        for (int k = 0; k < basis.Count; k++)
        {
            if (!basis[k].TryGetValue(pivot, out double c) || c == 0) continue;
            foreach (var (q, w) in normalised) basis[k][q] = basis[k].GetValueOrDefault(q) - c * w;
            basis[k].Remove(pivot);
        }
        pivots[pivot] = basis.Count;
        basis.Add(normalised);
    }
}
