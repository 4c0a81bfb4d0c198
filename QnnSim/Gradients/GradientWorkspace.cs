using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Gradients;

/// <summary>
/// Reusable work memory for repeated derivative calls on one circuit and one list of readouts O_0, …, O_{k−1}: the
/// state ψ (2^n amplitudes), the co-states λ_o = O_o ψ of the adjoint sweep (k of them, or one for vector–Jacobian
/// products), the bound angles φ(θ, x) and their shifted copy, and the small per-call vectors. Create one with
/// <see cref="Differentiator.CreateWorkspace(Circuit, IReadOnlyList{PauliSum}, SimulationOptions?)"/> and pass it to the workspace overloads of
/// <see cref="Differentiator"/> (<see cref="Differentiator.Values"/>,
/// <see cref="Differentiator.ValueAndGradient(GradientWorkspace, ParameterValues, InputValues, Span{double}, Span{double}, StateVector?)"/>,
/// <see cref="Differentiator.ValuesAndJacobian"/>,
/// <see cref="Differentiator.VectorJacobianProduct(GradientWorkspace, ParameterValues, InputValues, ReadOnlySpan{double}, Span{double}, Span{double}, StateVector?)"/>):
/// after the first call those allocate nothing on the heap, so a training loop of N steps costs (1 + k) state vectors
/// in total instead of (1 + k) per step.
/// </summary>
/// <remarks>
/// Memory: (1 + k)·2^n·16 bytes for the states plus O(p + q + angle slots) doubles. The results of a workspace call
/// are bit-identical to the corresponding row of the allocating API (the same kernels run in the same order).
/// Not thread-safe: a workspace holds the state of the call in progress, so use it from one thread at a time (one per
/// worker thread when computing samples in parallel). The circuit and readouts are fixed at creation; the
/// differentiator that created it must be used with it.
/// </remarks>
public sealed class GradientWorkspace
{
    internal readonly Complex[] Psi;
    internal readonly Complex[][] Lambda;

    // Bound state (null for the internal per-call workspaces of the allocating API).
    internal readonly Differentiator? Owner;
    internal readonly CircuitProgram? Program;
    internal readonly PauliTerms[]? Terms;
    internal readonly PauliTerms? Combined;    // Σ_o v_o O_o, coefficients rewritten per call
    internal readonly PauliTerms[]? CombinedList;
    internal readonly SimulationOptions? Simulation;

    private double[]? _angles, _shifted, _theta, _x, _rows, _small;

    /// <summary>Work states only (ψ and <paramref name="observables"/> co-states), for the engine's internal use.</summary>
    /// <exception cref="NotEnoughMemoryException">The (1 + k) state vectors do not fit in the memory available now.</exception>
    internal GradientWorkspace(int qubits, int observables)
    {
        // Checked before anything is allocated (a 30-qubit gradient needs 32 GiB for ψ and one co-state); below 20
        // qubits, as for a StateVector, the query costs more than the check is worth.
        if (qubits >= 20) MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(1L + observables, 1L << qubits, 16),
            $"the adjoint-gradient workspace of a {qubits}-qubit circuit ({1 + observables} state vectors of {qubits} qubits)");
        Psi = GC.AllocateUninitializedArray<Complex>(1 << qubits);
        Lambda = new Complex[observables][];
        for (int o = 0; o < observables; o++) Lambda[o] = GC.AllocateUninitializedArray<Complex>(1 << qubits);
    }

    internal GradientWorkspace(Differentiator owner, CircuitProgram program, PauliSum[] observables, PauliTerms[] terms, SimulationOptions simulation)
        : this(program.Circuit.QubitCount, terms.Length)
    {
        Owner = owner;
        Program = program;
        Terms = terms;
        Simulation = simulation;
        _singles = new PauliTerms[terms.Length][];
        for (int o = 0; o < terms.Length; o++) _singles[o] = [terms[o]];
        Combined = PauliTerms.Combine(terms, new double[terms.Length]);
        CombinedList = [Combined];
        Circuit = program.Circuit;
        Observables = observables;
    }

    private readonly PauliTerms[][]? _singles;

    /// <summary>The one-observable list [O_o] (no allocation).</summary>
    internal PauliTerms[] SingleTerms(int o) => _singles![o];

    /// <summary>The circuit this workspace was created for.</summary>
    public Circuit Circuit { get; } = null!;

    /// <summary>The readouts O_0, …, O_{k−1} this workspace was created for, in order.</summary>
    public IReadOnlyList<PauliSum> Observables { get; } = [];

    /// <summary>Number of qubits n (each work state has 2^n amplitudes).</summary>
    public int QubitCount => System.Numerics.BitOperations.Log2((uint)Psi.Length);

    /// <summary>Number of readouts k.</summary>
    public int ObservableCount => Lambda.Length;

    /// <summary>The simulation options of the state updates of every call with this workspace.</summary>
    public SimulationOptions SimulationOptions => Simulation ?? SimulationOptions.Default;

    /// <summary>A reused buffer of exactly <paramref name="length"/> doubles for the bound angles.</summary>
    internal double[] Angles(int length) => Buffer(ref _angles, length);

    /// <summary>A reused buffer for shifted angles (parameter shift).</summary>
    internal double[] Shifted(int length) => Buffer(ref _shifted, length);

    /// <summary>A reused copy buffer for θ (finite differences).</summary>
    internal double[] Theta(int length) => Buffer(ref _theta, length);

    /// <summary>A reused copy buffer for x (finite differences).</summary>
    internal double[] Inputs(int length) => Buffer(ref _x, length);

    /// <summary>A reused k × p buffer of Jacobian rows (non-adjoint vector–Jacobian products).</summary>
    internal double[] Rows(int length) => Buffer(ref _rows, length);

    /// <summary>A reused small buffer (outputs of a VJP call).</summary>
    internal double[] Small(int length) => Buffer(ref _small, length);

    private static double[] Buffer(ref double[]? field, int length)
    {
        if (field is null || field.Length != length) field = new double[length];
        return field;
    }
}
