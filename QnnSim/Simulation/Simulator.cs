using System.Numerics;
using System.Runtime.CompilerServices;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Simulation;

/// <summary>
/// Runs circuits on state vectors and evaluates Pauli readouts. Thread-safe: a simulator holds only its immutable
/// <see cref="SimulationOptions"/> and a cache of lowered circuits.
/// </summary>
/// <example>
/// <code>
/// var sim = new Simulator();
/// StateVector psi = sim.Run(circuit, ParameterValues.Of(0.1, 0.2), InputValues.Of(0.5));
/// double z0 = sim.Expectation(psi, PauliSum.Parse("Z0"));
/// </code>
/// </example>
public sealed class Simulator
{
    /// <summary>Amplitudes one reduction chunk covers; fixed so that sums are identical for every thread count.</summary>
    internal const int ReductionChunk = 1 << 14;

    private readonly ConditionalWeakTable<Circuit, CircuitProgram> _programs = new();

    /// <summary>Creates a simulator with <paramref name="options"/> (default <see cref="SimulationOptions.Default"/>).</summary>
    public Simulator(SimulationOptions? options = null) => Options = options ?? SimulationOptions.Default;

    /// <summary>The options every call of this simulator uses.</summary>
    public SimulationOptions Options { get; }

    internal CircuitProgram Program(Circuit circuit) => _programs.GetValue(circuit, c => new CircuitProgram(c));

    /// <summary>Runs <paramref name="circuit"/> on |0…0⟩ and returns the final state ψ = U(θ, x)|0⟩, in the
    /// simulator's <see cref="SimulationOptions.Precision"/>.</summary>
    /// <exception cref="ArgumentException">θ or x has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or an angle evaluates to one.</exception>
    public StateVector Run(Circuit circuit, ParameterValues parameters, InputValues inputs)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var program = Program(circuit);
        double[] angles = Bind(program, parameters, inputs);
        var state = StateVector.Zero(circuit.QubitCount, Options.Precision);
        RunProgram(program, angles, state);
        return state;
    }

    /// <summary>Applies ψ ← U(θ, x) ψ in place. A circuit on fewer qubits than the state acts on its lowest qubits.
    /// The state keeps its own precision: a single-precision state runs the complex64 kernels whatever the options say.</summary>
    /// <exception cref="QubitCountMismatchException">The circuit is wider than the state.</exception>
    /// <exception cref="ArgumentException">θ or x has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or an angle evaluates to one.</exception>
    /// <remarks>Everything is validated and every angle evaluated before the state is touched.</remarks>
    public void Apply(Circuit circuit, ParameterValues parameters, InputValues inputs, StateVector state)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(state);
        if (circuit.QubitCount > state.QubitCount)
            ThrowHelper.QubitCountMismatch(nameof(circuit), "the circuit", circuit.QubitCount, state.QubitCount);
        var program = Program(circuit);
        double[] angles = Bind(program, parameters, inputs);
        RunProgram(program, angles, state);
    }

    private void RunProgram(CircuitProgram program, double[] angles, StateVector state)
    {
        if (state.Precision == Precision.Single) SingleExecutor.Run(program, angles, state.Single, Options);
        else Executor.Run(program, angles, state.Data, Options);
    }

    /// <summary>Validates θ and x against the circuit and evaluates every angle.</summary>
    internal static double[] Bind(CircuitProgram program, ParameterValues parameters, InputValues inputs)
    {
        ValidateValues(program.Circuit, parameters, inputs);
        double[] angles = new double[program.AngleCount];
        program.BindAngles(parameters.Span, inputs.Span, angles);
        return angles;
    }

    /// <summary>Checks the lengths and finiteness of θ and x for <paramref name="circuit"/>.</summary>
    /// <exception cref="ArgumentException">Wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">NaN or infinite value.</exception>
    public static void ValidateValues(Circuit circuit, ParameterValues parameters, InputValues inputs)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (parameters.Length != circuit.ParameterCount)
            ThrowHelper.LengthMismatch(nameof(parameters), "the parameter vector θ", parameters.Length, circuit.ParameterCount);
        if (inputs.Length != circuit.InputCount)
            ThrowHelper.LengthMismatch(nameof(inputs), "the input vector x", inputs.Length, circuit.InputCount);
        var p = parameters.Span;
        for (int j = 0; j < p.Length; j++)
            if (!double.IsFinite(p[j])) ThrowHelper.NotFinite(nameof(parameters), $"parameter {circuit.ParameterNames[j]} (θ_{j})", p[j]);
        var x = inputs.Span;
        for (int j = 0; j < x.Length; j++)
            if (!double.IsFinite(x[j])) ThrowHelper.NotFinite(nameof(inputs), $"input {circuit.InputNames[j]} (x_{j})", x[j]);
    }

    /// <summary>Applies a single operation with the given θ and x (used by gradient code and step-by-step tools).</summary>
    public void ApplyOperation(Operation operation, ParameterValues parameters, InputValues inputs, StateVector state)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(state);
        foreach (int q in operation.Qubits)
            if (q >= state.QubitCount) ThrowHelper.QubitOutOfRange(nameof(operation), q, state.QubitCount);
        int pe = operation.Angles.IsEmpty ? 0 : operation.Angles.Max(a => a.ParameterExtent());
        int ie = operation.Angles.IsEmpty ? 0 : operation.Angles.Max(a => a.InputExtent());
        if (parameters.Length < pe) ThrowHelper.LengthMismatch(nameof(parameters), "the parameter vector θ", parameters.Length, pe);
        if (inputs.Length < ie) ThrowHelper.LengthMismatch(nameof(inputs), "the input vector x", inputs.Length, ie);
        var circuit = new Circuit(state.QubitCount, [operation],
            Enumerable.Range(0, parameters.Length).Select(j => $"p{j}"), Enumerable.Range(0, inputs.Length).Select(j => $"x{j}"));
        Apply(circuit, parameters, inputs, state);
    }

    /// <summary>ψ ← P ψ for a Pauli string.</summary>
    /// <exception cref="QubitCountMismatchException">P names a qubit beyond the state.</exception>
    public void ApplyPauli(PauliString pauli, StateVector state)
    {
        ArgumentNullException.ThrowIfNull(pauli);
        ArgumentNullException.ThrowIfNull(state);
        CheckWidth(pauli.RequiredQubits, state, "the Pauli string");
        if (pauli.IsIdentity) return;
        var p = new Primitive { Kind = PrimitiveKind.Pauli, XMask = pauli.XMask, ZMask = pauli.ZMask, YCount = pauli.YCount };
        if (state.Precision == Precision.Single) SingleExecutor.Apply(p, 0, state.Single, Options);
        else Executor.Apply(p, 0, state.Data, Options, inverse: false);
    }

    /// <summary>Exact ⟨ψ|P|ψ⟩ of a Pauli string, computed from the amplitudes without building a matrix.</summary>
    /// <exception cref="QubitCountMismatchException">P names a qubit beyond the state.</exception>
    public double Expectation(StateVector state, PauliString pauli)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(pauli);
        CheckWidth(pauli.RequiredQubits, state, "the observable");
        return ExpectationOf(state, pauli);
    }

    /// <summary>Exact ⟨ψ|O|ψ⟩ = Σ_k c_k ⟨ψ|P_k|ψ⟩ of a Pauli sum.</summary>
    /// <exception cref="QubitCountMismatchException">O names a qubit beyond the state.</exception>
    public double Expectation(StateVector state, PauliSum observable)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(observable);
        CheckWidth(observable.RequiredQubits, state, "the observable");
        double sum = 0;
        foreach (var t in observable.Terms) sum += t.Coefficient * ExpectationOf(state, t.Pauli);
        return sum;
    }

    private double ExpectationOf(StateVector state, PauliString pauli) =>
        state.Precision == Precision.Single ? ExpectationSingle(state.Single, pauli) : ExpectationUnchecked(state.Data, pauli);

    /// <summary>⟨ψ|P|ψ⟩ of a complex64 state, accumulated in double over the same fixed chunks as the double path.</summary>
    private unsafe double ExpectationSingle(ReadOnlySpan<Complex64> state, PauliString pauli)
    {
        ulong x = pauli.XMask, z = pauli.ZMask;
        int y = pauli.YCount, length = state.Length;
        fixed (Complex64* ptr = state)
        {
            nint p = (nint)ptr;
            return ChunkedSum(length, (b, e) => SingleKernels.ExpectationPauli(x, z, y, new ReadOnlySpan<Complex64>((void*)p, length), b, e));
        }
    }

    internal double ExpectationUnchecked(ReadOnlySpan<Complex> state, PauliString pauli)
    {
        KernelPath path = Executor.PathFor(Options, state.Length);
        if (pauli.IsIdentity) return ChunkedSum(state, (s, b, e) => Executor.NormSquared(path, s, b, e));
        ulong x = pauli.XMask, z = pauli.ZMask;
        int y = pauli.YCount;
        return ChunkedSum(state, (s, b, e) => Executor.ExpectationPauli(path, x, z, y, s, b, e));
    }

    private delegate double RangeSum(ReadOnlySpan<Complex> state, long begin, long end);

    /// <summary>Sums <paramref name="body"/> over fixed chunks of [0, length), in parallel for large states, adding the
    /// partials in chunk order (so the sum does not depend on the thread count).</summary>
    private double ChunkedSum(int length, Func<long, long, double> body)
    {
        if (length <= ReductionChunk) return body(0, length);
        int chunks = length / ReductionChunk;
        var partial = new double[chunks];
        int qubits = BitOperations.Log2((uint)length);
        if (qubits < Options.ParallelThresholdQubits || Options.MaxThreads == 1)
            for (int c = 0; c < chunks; c++) partial[c] = body((long)c * ReductionChunk, (long)(c + 1) * ReductionChunk);
        else
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxThreads },
                c => partial[c] = body((long)c * ReductionChunk, (long)(c + 1) * ReductionChunk));
        double sum = 0;
        for (int c = 0; c < chunks; c++) sum += partial[c];
        return sum;
    }

    /// <summary>Sums a kernel over fixed chunks, in parallel for large states, adding partials in chunk order.</summary>
    private unsafe double ChunkedSum(ReadOnlySpan<Complex> state, RangeSum body)
    {
        int length = state.Length;
        if (length <= ReductionChunk) return body(state, 0, length);
        int chunks = length / ReductionChunk;
        var partial = new double[chunks];
        int qubits = BitOperations.Log2((uint)length);
        if (qubits < Options.ParallelThresholdQubits || Options.MaxThreads == 1)
        {
            for (int c = 0; c < chunks; c++) partial[c] = body(state, (long)c * ReductionChunk, (long)(c + 1) * ReductionChunk);
        }
        else
        {
            fixed (Complex* ptr = state)
            {
                nint p = (nint)ptr;
                Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxThreads }, c =>
                {
                    var s = new ReadOnlySpan<Complex>((void*)p, length);
                    partial[c] = body(s, (long)c * ReductionChunk, (long)(c + 1) * ReductionChunk);
                });
            }
        }
        double sum = 0;
        for (int c = 0; c < chunks; c++) sum += partial[c];
        return sum;
    }

    private static void CheckWidth(int required, StateVector state, string what)
    {
        if (required > state.QubitCount) ThrowHelper.QubitCountMismatch(nameof(state), what, required, state.QubitCount);
    }

    /// <summary>
    /// Draws <paramref name="shots"/> computational-basis measurements of all qubits (the state is not changed).
    /// Returns, per outcome index (qubit 0 the lowest bit), how many shots gave it. Reproducible for a seed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shots"/> is below 1.</exception>
    public SortedDictionary<long, int> Sample(StateVector state, int shots, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (shots < 1) ThrowHelper.ArgumentOutOfRange(nameof(shots), shots, "at least 1 shot");
        return Sampling.SampleCounts(state, shots, SeededRandom.ForStream(seed, 0));
    }

    /// <summary>
    /// Estimates ⟨O⟩ as hardware would: each non-identity term c_k·P_k is measured with <paramref name="shotsPerTerm"/>
    /// shots of its own (no sharing between terms), after rotating its qubits to the Z basis (H for X, S†H for Y);
    /// the estimate is Σ c_k · mean(parity) and the standard error √(Σ c_k² (1 − m_k²)/N) uses the sample means m_k.
    /// Identity terms are exact. Term k draws from stream k of <paramref name="seed"/>, so the result does not depend
    /// on the thread count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shotsPerTerm"/> is below 1.</exception>
    /// <exception cref="QubitCountMismatchException">O names a qubit beyond the state.</exception>
    public ShotEstimate EstimateExpectation(StateVector state, PauliSum observable, int shotsPerTerm, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(observable);
        if (shotsPerTerm < 1) ThrowHelper.ArgumentOutOfRange(nameof(shotsPerTerm), shotsPerTerm, "at least 1 shot");
        CheckWidth(observable.RequiredQubits, state, "the observable");
        return Sampling.EstimatePauliSum(this, state, observable, shotsPerTerm, seed);
    }
}

/// <summary>A shot-based estimate of an expectation value.</summary>
/// <param name="Estimate">The sample estimate.</param>
/// <param name="StandardError">Its standard error.</param>
/// <param name="TotalShots">Shots spent over all terms.</param>
public readonly record struct ShotEstimate(double Estimate, double StandardError, long TotalShots);
