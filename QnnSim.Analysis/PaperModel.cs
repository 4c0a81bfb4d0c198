using System.Collections.Immutable;
using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// The ansatz of You, Chakrabarti, Chen and Wu, "Analyzing Convergence in Quantum Neural Networks: Deviations from
/// Neural Tangent Kernels", ICML 2023 (arXiv:2303.14844):
/// U(θ) = W_{p+1} e^{−iθ_p H} W_p ⋯ e^{−iθ_1 H} W_1 on n qubits (d = 2^n), with fixed seeded Haar-random unitaries
/// W_l on all qubits, one Pauli-string generator H and the readout M0 = γ·P for a Pauli string P;
/// ŷ_i(θ) = ⟨ψ_i|U(θ)† M0 U(θ)|ψ_i⟩.
/// </summary>
/// <remarks>
/// <para>Convention: the theory's e^{−iθH} is the gate R_H(2θ) = exp(−i(2θ)H/2). <see cref="ToCircuit"/> therefore
/// emits PauliRotation gates with angle 2θ_l, and every constant of docs/theory.md (c = d/(d² − 1), κ = 2c(γ² − y²),
/// E[K_ii] = 2pγ²d²/((d+1)²(d−1)), s|r| → 1/(4cγ)) holds for derivatives taken with respect to θ, not the gate angle.</para>
/// <para>Layer l (1-based) draws W_l from <see cref="SeededRandom.ForStream"/>(seed, l), so the first layers of a
/// model do not depend on p.</para>
/// </remarks>
public sealed class PaperModel
{
    private readonly UnitaryMatrix[] _layers;

    /// <summary>Creates the model with explicitly given layer unitaries W_1 … W_{p+1}.</summary>
    /// <param name="qubits">n, 1..10.</param>
    /// <param name="layers">The p + 1 unitaries W_1 … W_{p+1}, each on all n qubits (p ≥ 1).</param>
    /// <param name="generator">The generator H (a non-identity Pauli string on qubits 0..n−1).</param>
    /// <param name="readout">The readout Pauli string P (non-identity, on qubits 0..n−1).</param>
    /// <param name="gamma">γ &gt; 0 in M0 = γP (the theory uses γ ≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">n outside 1..10, fewer than 2 unitaries, γ not positive and finite.</exception>
    /// <exception cref="ArgumentException">A unitary of the wrong size; an identity or too wide Pauli string.</exception>
    public PaperModel(int qubits, IReadOnlyList<UnitaryMatrix> layers, PauliString generator, PauliString readout, double gamma = 1.0)
    {
        if (qubits < 1 || qubits > 10) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..10.");
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(readout);
        if (layers.Count < 2) throw new ArgumentOutOfRangeException(nameof(layers), layers.Count, $"layers.Count = {layers.Count} is out of range; allowed: at least 2 (W_1 … W_{{p+1}} with p ≥ 1).");
        for (int l = 0; l < layers.Count; l++)
        {
            ArgumentNullException.ThrowIfNull(layers[l], nameof(layers));
            if (layers[l].QubitCount != qubits)
                throw new ArgumentException($"W_{l + 1} acts on {layers[l].QubitCount} qubits; the model has {qubits}.", nameof(layers));
        }
        CheckPauli(generator, qubits, nameof(generator));
        CheckPauli(readout, qubits, nameof(readout));
        if (!(gamma > 0) || !double.IsFinite(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"gamma = {gamma} is out of range; allowed: a finite number > 0.");
        QubitCount = qubits;
        _layers = [.. layers];
        Generator = generator;
        Readout = readout;
        Gamma = gamma;
    }

    /// <summary>
    /// Creates the model with seeded Haar-random W_1 … W_{p+1} (W_l from <see cref="SeededRandom.ForStream"/>(seed, l)).
    /// </summary>
    /// <param name="qubits">n, 1..10.</param>
    /// <param name="layers">p ≥ 1, the number of trainable layers.</param>
    /// <param name="seed">The seed of the unitaries.</param>
    /// <param name="gamma">γ &gt; 0 in M0 = γP.</param>
    /// <param name="generator">H; default Z on qubit 0.</param>
    /// <param name="readout">P; default Z on qubit 0.</param>
    /// <param name="finalUnitary">When false, W_{p+1} = I (the negative control of docs/theory.md §4).</param>
    /// <exception cref="ArgumentOutOfRangeException">n outside 1..10, p below 1, γ not positive.</exception>
    public static PaperModel CreateRandom(int qubits, int layers, ulong seed, double gamma = 1.0,
        PauliString? generator = null, PauliString? readout = null, bool finalUnitary = true)
    {
        if (qubits < 1 || qubits > 10) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..10.");
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers = {layers} is out of range; allowed: at least 1.");
        int d = 1 << qubits;
        var w = new UnitaryMatrix[layers + 1];
        for (int l = 1; l <= layers + 1; l++)
        {
            if (l == layers + 1 && !finalUnitary)
            {
                var id = new Complex[d * d];
                for (int k = 0; k < d; k++) id[k * d + k] = Complex.One;
                w[l - 1] = UnitaryMatrix.Create(id);
            }
            else w[l - 1] = UnitaryMatrix.Create(HaarRandom.UnitaryElements(d, SeededRandom.ForStream(seed, (ulong)l)));
        }
        return new PaperModel(qubits, w, generator ?? PauliString.Z(0), readout ?? PauliString.Z(0), gamma);
    }

    private static void CheckPauli(PauliString p, int qubits, string name)
    {
        if (p.IsIdentity) throw new ArgumentException($"{name} must be a non-identity Pauli string.", name);
        if (p.RequiredQubits > qubits) throw new ArgumentException($"{name} = {p} names qubit {p.RequiredQubits - 1}, beyond the model's {qubits} qubits (0..{qubits - 1}).", name);
    }

    /// <summary>Number of qubits n.</summary>
    public int QubitCount { get; }

    /// <summary>d = 2^n.</summary>
    public int Dimension => 1 << QubitCount;

    /// <summary>Number of trainable layers p (= number of parameters).</summary>
    public int LayerCount => _layers.Length - 1;

    /// <summary>The unitaries W_1 … W_{p+1} (index 0 is W_1).</summary>
    public IReadOnlyList<UnitaryMatrix> Unitaries => _layers;

    /// <summary>The generator H of every layer (e^{−iθ_l H}).</summary>
    public PauliString Generator { get; }

    /// <summary>The readout Pauli string P of M0 = γP.</summary>
    public PauliString Readout { get; }

    /// <summary>γ in M0 = γP.</summary>
    public double Gamma { get; }

    /// <summary>The readout observable M0 = γP as a <see cref="PauliSum"/>.</summary>
    public PauliSum Observable => PauliSum.FromString(Readout, Gamma);

    /// <summary>c = (tr H² − (tr H)²/d)/(d² − 1) = d/(d² − 1) for a Pauli generator (docs/theory.md §3c).</summary>
    public double GeneratorConstant => TheoryFormulas.PauliGeneratorConstant(Dimension);

    /// <summary>
    /// The model as a QnnSim circuit: for l = 1..p, a Unitary W_l on qubits 0..n−1 then PauliRotation H with angle
    /// 2θ_l (R_H(2θ) = e^{−iθH}); finally W_{p+1}. Parameters are named theta[0] … theta[p−1].
    /// </summary>
    public Circuit ToCircuit()
    {
        var b = new CircuitBuilder(QubitCount);
        int[] all = [.. Enumerable.Range(0, QubitCount)];
        var theta = b.Parameters("theta", LayerCount);
        for (int l = 0; l < LayerCount; l++)
        {
            b.Unitary(all, _layers[l]);
            b.PauliRotation(Generator, 2.0 * theta[l]);
        }
        b.Unitary(all, _layers[LayerCount]);
        return b.Build();
    }

    /// <summary>A fast evaluator of this model on the given pure input states (see <see cref="PaperModelEngine"/>).</summary>
    public PaperModelEngine CreateEngine(IReadOnlyList<StateVector> inputs) => new(this, inputs);
}
