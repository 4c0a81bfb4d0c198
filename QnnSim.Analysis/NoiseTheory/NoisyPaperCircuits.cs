using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Noise;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Analysis.NoiseTheory;

/// <summary>Where <see cref="NoisyPaperCircuits.Build"/> puts the noise in the paper's model.</summary>
public enum PaperNoisePlacement
{
    /// <summary>After every trainable layer W_l e^{−iθ_l H} (l = 1..p): p rounds; none after W_{p+1}.</summary>
    AfterEachLayer,

    /// <summary>Directly after every Haar unitary W_1 … W_{p+1} (before the next generator, and before the readout): p + 1 rounds.</summary>
    AfterEachHaarUnitary,
}

/// <summary>
/// The paper's model (You et al., ICML 2023, arXiv:2303.14844; <see cref="PaperModel"/>) as a QnnSim circuit with noise
/// channels at a stated place, for the density-matrix backend (<see cref="Gradients.NoisyDifferentiator"/>), and its
/// orthonormal input states prepared inside the circuit.
/// </summary>
public static class NoisyPaperCircuits
{
    /// <summary>
    /// The circuit of <see cref="PaperModel.ToCircuit"/> (parameters theta[0] … theta[p−1], rotation angle 2θ_l) with
    /// <paramref name="channel"/> at <paramref name="placement"/>: a channel on n qubits once on all of them, a one-qubit
    /// channel on every qubit. When <paramref name="inputBasis"/> V is given, the circuit first prepares V|k⟩ from |0⟩:
    /// inputs x0 … x(n−1) drive Rx(π·x_b) on qubit b (x_b ∈ {0, 1}: the bits of k, <see cref="BasisInputs"/>), then V
    /// (noiseless). With V the Haar unitary of <see cref="Dataset.OrthonormalStates"/> the inputs are that dataset's states.
    /// </summary>
    /// <exception cref="ArgumentException">A channel on neither 1 nor n qubits; V on another number of qubits.</exception>
    public static Circuit Build(PaperModel model, NoiseChannel channel, PaperNoisePlacement placement, UnitaryMatrix? inputBasis = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(channel);
        int n = model.QubitCount;
        if (channel.QubitCount != 1 && channel.QubitCount != n)
            throw new ArgumentException($"the channel acts on {channel.QubitCount} qubits; allowed: 1 (applied to each qubit) or {n} (all of the model's qubits).", nameof(channel));
        if (inputBasis is not null && inputBasis.QubitCount != n)
            throw new ArgumentException($"the input basis acts on {inputBasis.QubitCount} qubits; the model has {n}.", nameof(inputBasis));
        var b = new CircuitBuilder(n);
        int[] all = [.. Enumerable.Range(0, n)];
        if (inputBasis is not null)
        {
            for (int q = 0; q < n; q++) b.Rx(q, Math.PI * b.Input($"x{q}"));
            b.Unitary(all, inputBasis);
        }
        var theta = b.Parameters("theta", model.LayerCount);
        void Noise()
        {
            if (channel.QubitCount == n) b.Channel(channel, all);
            else for (int q = 0; q < n; q++) b.Channel(channel, q);
        }
        for (int l = 0; l < model.LayerCount; l++)
        {
            b.Unitary(all, model.Unitaries[l]);
            if (placement == PaperNoisePlacement.AfterEachHaarUnitary) Noise();
            b.PauliRotation(model.Generator, 2.0 * theta[l]);
            if (placement == PaperNoisePlacement.AfterEachLayer) Noise();
        }
        b.Unitary(all, model.Unitaries[model.LayerCount]);
        if (placement == PaperNoisePlacement.AfterEachHaarUnitary) Noise();
        return b.Build();
    }

    /// <summary>The number of noise rounds <see cref="Build"/> places: p (<see cref="PaperNoisePlacement.AfterEachLayer"/>) or p + 1.</summary>
    public static int Rounds(PaperModel model, PaperNoisePlacement placement)
    {
        ArgumentNullException.ThrowIfNull(model);
        return placement == PaperNoisePlacement.AfterEachLayer ? model.LayerCount : model.LayerCount + 1;
    }

    /// <summary>The inputs x_b = bit b of k that make <see cref="Build"/> prepare V|k⟩.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k outside 0..2^n − 1.</exception>
    public static InputValues BasisInputs(int index, int qubits)
    {
        if (qubits < 1 || qubits > 30 || index < 0 || index >= 1 << qubits)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index = {index} is out of range; allowed: 0..{(1L << Math.Clamp(qubits, 1, 30)) - 1} for {qubits} qubits.");
        return InputValues.Of([.. Enumerable.Range(0, qubits).Select(b => (double)((index >> b) & 1))]);
    }

    /// <summary>
    /// The Haar unitary V behind <see cref="Dataset.OrthonormalStates"/>(n, m, seed) (drawn from <c>new SeededRandom(seed)</c>):
    /// that dataset's state i is V|i⟩.
    /// </summary>
    public static UnitaryMatrix DatasetBasis(int qubits, ulong seed) =>
        UnitaryMatrix.Create(HaarRandom.UnitaryElements(1 << qubits, new SeededRandom(seed)));

    /// <summary>The states V|0⟩ … V|m−1⟩ (the columns of V).</summary>
    public static StateVector[] Columns(UnitaryMatrix basis, int count)
    {
        ArgumentNullException.ThrowIfNull(basis);
        int d = basis.Dimension;
        if (count < 1 || count > d) throw new ArgumentOutOfRangeException(nameof(count), count, $"count = {count} is out of range; allowed: 1..{d}.");
        var col = new Complex[d];
        var states = new StateVector[count];
        for (int i = 0; i < count; i++)
        {
            for (int r = 0; r < d; r++) col[r] = basis[r, i];
            states[i] = StateVector.FromAmplitudes(col);
        }
        return states;
    }
}

/// <summary>
/// A model under global depolarizing noise, evaluated exactly through the noiseless model: with L channels
/// ρ ↦ (1 − p)ρ + p·I/d between unitaries and a traceless readout, ŷ_noisy = s·ŷ and J_noisy = s·J with
/// s = (1 − p)^L (docs/theory.md, "Noise", check 1). Training it is training the noiseless model with readout sγ.
/// </summary>
/// <param name="inner">The noiseless evaluator (its readout must be traceless, e.g. γ·Pauli).</param>
/// <param name="scale">s = (1 − p)^L in [0, 1] (<see cref="NoiseTheoryFormulas.GlobalOutputScale"/>).</param>
public sealed class GlobalDepolarizedEvaluator(IModelEvaluator inner, double scale) : IModelEvaluator
{
    private readonly IModelEvaluator _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>s = (1 − p)^L.</summary>
    public double Scale { get; } = scale >= 0 && scale <= 1 ? scale
        : throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale = {scale} is out of range; allowed: [0, 1].");

    /// <inheritdoc/>
    public int SampleCount => _inner.SampleCount;

    /// <inheritdoc/>
    public int ParameterCount => _inner.ParameterCount;

    /// <summary>Writes s·ŷ_i and, unless <paramref name="jacobian"/> is empty, s·J_il.</summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Evaluate(ReadOnlySpan<double> parameters, Span<double> outputs, Span<double> jacobian)
    {
        _inner.Evaluate(parameters, outputs, jacobian);
        foreach (ref double y in outputs) y *= Scale;
        foreach (ref double j in jacobian) j *= Scale;
    }
}
