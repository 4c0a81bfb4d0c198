using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Gradients;

/// <summary>
/// Derivatives of Pauli readouts ⟨O⟩(θ, x) = ⟨ψ₀|U(θ, x)† O U(θ, x)|ψ₀⟩ with respect to the trainable parameters θ
/// and the data inputs x: single gradients, dataset Jacobians, vector–Jacobian products, shot-based parameter shift
/// and Hessians. ψ₀ is |0…0⟩ unless an input state is given. Thread-safe: holds only immutable options and a
/// simulator whose lowering cache is thread-safe. For repeated calls (training) create a <see cref="GradientWorkspace"/>
/// with <see cref="CreateWorkspace(Circuit, IReadOnlyList{PauliSum}, SimulationOptions?)"/> and use the workspace
/// overloads, which reuse its state vectors and buffers; a workspace itself is used by one thread at a time.
/// </summary>
/// <remarks>
/// Every circuit is lowered into steps; a parameterised step is exp(−iφG) with generator G = P/2 (Pauli rotations,
/// including Rx, Ry, Rz, Rxx, Ryy, Rzz and the Rz·Ry·Rz of a U gate), G = −|1⟩⟨1| (phase gates) or G = −I (global
/// phases), each restricted to the control subspace. Step derivatives ∂⟨O⟩/∂φ_s are combined by the chain rule
/// ∂⟨O⟩/∂θ_j = Σ_s (∂⟨O⟩/∂φ_s)(∂φ_s/∂θ_j), so repeated parameters and any angle expression are handled.
/// </remarks>
/// <example>
/// <code>
/// var d = new Differentiator();
/// var grad = new double[circuit.ParameterCount];
/// double value = d.ValueAndGradient(circuit, theta, InputValues.None, PauliSum.Parse("Z0"), grad);
/// </code>
/// </example>
public sealed class Differentiator
{
    private readonly Simulator _simulator;

    /// <summary>Creates a differentiator with <paramref name="options"/> (default <see cref="GradientOptions.Default"/>).</summary>
    /// <exception cref="NotSupportedException">The simulation options ask for <see cref="Precision.Single"/>: gradients run in double precision only.</exception>
    public Differentiator(GradientOptions? options = null)
    {
        Options = options ?? GradientOptions.Default;
        RequireDouble(Options.Simulation);
        _simulator = new Simulator(Options.Simulation);
    }

    /// <summary>Refuses single-precision options: the adjoint, shift and difference methods run on complex128 states.</summary>
    internal static void RequireDouble(SimulationOptions options)
    {
        if (options.Precision != Precision.Double)
            throw new NotSupportedException($"gradients run in double precision only; the simulation options ask for {options.Precision} precision. " +
                "Use SimulationOptions.Precision = Precision.Double for gradients and Jacobians (single precision covers runs, expectations and sampling).");
    }

    /// <summary>The options every call uses.</summary>
    public GradientOptions Options { get; }

    // ------------------------------------------------------------------ single gradient

    /// <summary>
    /// Returns ⟨O⟩ and writes ∂⟨O⟩/∂θ_j into <paramref name="parameterGradient"/> (length p) and, when
    /// <paramref name="inputGradient"/> is not empty (length q), ∂⟨O⟩/∂x_j, using <see cref="GradientOptions.Method"/>.
    /// </summary>
    /// <param name="circuit">The circuit U(θ, x).</param>
    /// <param name="parameters">θ (length p).</param>
    /// <param name="inputs">x (length q).</param>
    /// <param name="observable">The readout O = Σ c_k P_k.</param>
    /// <param name="parameterGradient">Receives ∂⟨O⟩/∂θ (length p; may be empty when p = 0).</param>
    /// <param name="inputGradient">Receives ∂⟨O⟩/∂x (length q), or empty to skip.</param>
    /// <param name="initialState">The input state ψ₀ (not modified; same qubit count as the circuit), or null for |0…0⟩.</param>
    /// <returns>⟨O⟩.</returns>
    /// <exception cref="ArgumentNullException">A null circuit or observable.</exception>
    /// <exception cref="ArgumentException">θ, x or a gradient span of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value that is NaN or infinite, or an angle that evaluates to one.</exception>
    /// <exception cref="QubitCountMismatchException">The observable is wider than the circuit, or the initial state has another qubit count.</exception>
    public double ValueAndGradient(Circuit circuit, ParameterValues parameters, InputValues inputs, PauliSum observable,
        Span<double> parameterGradient, Span<double> inputGradient = default, StateVector? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observable);
        Simulator.ValidateValues(circuit, parameters, inputs);
        CheckObservable(circuit, observable, nameof(observable));
        CheckInitialState(circuit, initialState, nameof(initialState));
        if (parameterGradient.Length != circuit.ParameterCount)
            ThrowHelper.LengthMismatch(nameof(parameterGradient), "the parameter gradient span", parameterGradient.Length, circuit.ParameterCount);
        if (!inputGradient.IsEmpty && inputGradient.Length != circuit.InputCount)
            ThrowHelper.LengthMismatch(nameof(inputGradient), "the input gradient span", inputGradient.Length, circuit.InputCount);

        var program = _simulator.Program(circuit);
        var workspace = new GradientWorkspace(circuit.QubitCount, 1);
        Span<double> value = stackalloc double[1];
        GradientEngine.Compute(Options.Method, Options.FiniteDifferenceStep, program, parameters.Span, inputs.Span,
            initialState is null ? default : initialState.Amplitudes, [PauliTerms.From(observable)], value,
            parameterGradient, inputGradient, workspace, Options.Simulation, CancellationToken.None);
        return value[0];
    }

    // ------------------------------------------------------------------ workspaces (no per-call state allocation)

    /// <summary>
    /// Creates a reusable <see cref="GradientWorkspace"/> for <paramref name="circuit"/> and the readouts
    /// <paramref name="observables"/> O_0, …, O_{k−1}: ψ, k co-states, the angle buffers and the flattened readouts,
    /// allocated once. The workspace overloads (<see cref="Values"/>,
    /// <see cref="ValueAndGradient(GradientWorkspace, ParameterValues, InputValues, Span{double}, Span{double}, StateVector?)"/>,
    /// <see cref="ValuesAndJacobian"/>,
    /// <see cref="VectorJacobianProduct(GradientWorkspace, ParameterValues, InputValues, ReadOnlySpan{double}, Span{double}, Span{double}, StateVector?)"/>)
    /// then allocate nothing on the heap per call (except the parallel reduction of one huge state above
    /// <see cref="SimulationOptions.ParallelThresholdQubits"/> with several threads). A workspace is used by one thread at a time.
    /// </summary>
    /// <param name="circuit">The circuit U(θ, x).</param>
    /// <param name="observables">The readouts (at least one; copied).</param>
    /// <param name="simulation">Options of the state updates (default <see cref="GradientOptions.Simulation"/>). The dataset
    /// Jacobian of several samples uses <c>Simulation with { MaxThreads = 1 }</c>; pass that to reproduce its rows bit for bit.</param>
    /// <returns>A workspace bound to this differentiator, the circuit and the readouts.</returns>
    /// <exception cref="ArgumentNullException">A null circuit, list or observable.</exception>
    /// <exception cref="ArgumentException">An empty observable list.</exception>
    /// <exception cref="QubitCountMismatchException">An observable wider than the circuit.</exception>
    /// <exception cref="NotSupportedException"><paramref name="simulation"/> asks for single precision.</exception>
    public GradientWorkspace CreateWorkspace(Circuit circuit, IReadOnlyList<PauliSum> observables, SimulationOptions? simulation = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observables);
        if (observables.Count == 0)
            throw new ArgumentException("the observable list is empty; at least one observable is required.", nameof(observables));
        var list = new PauliSum[observables.Count];
        var terms = new PauliTerms[observables.Count];
        for (int o = 0; o < list.Length; o++)
        {
            list[o] = observables[o] ?? throw new ArgumentNullException(nameof(observables), $"observable {o} is null.");
            CheckObservable(circuit, list[o], nameof(observables), o);
            terms[o] = PauliTerms.From(list[o]);
        }
        if (simulation is not null) RequireDouble(simulation);
        return new GradientWorkspace(this, _simulator.Program(circuit), list, terms, simulation ?? Options.Simulation);
    }

    /// <summary>Creates a workspace for one readout O; see <see cref="CreateWorkspace(Circuit, IReadOnlyList{PauliSum}, SimulationOptions?)"/>.</summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="observable">The readout O.</param>
    /// <param name="simulation">Options of the state updates (default <see cref="GradientOptions.Simulation"/>).</param>
    /// <returns>A workspace with k = 1.</returns>
    /// <exception cref="ArgumentNullException">A null circuit or observable.</exception>
    /// <exception cref="QubitCountMismatchException">The observable is wider than the circuit.</exception>
    public GradientWorkspace CreateWorkspace(Circuit circuit, PauliSum observable, SimulationOptions? simulation = null)
    {
        ArgumentNullException.ThrowIfNull(observable);
        return CreateWorkspace(circuit, [observable], simulation);
    }

    /// <summary>
    /// The outputs ⟨O_o⟩ = ⟨ψ₀|U† O_o U|ψ₀⟩ of the workspace's k readouts at (θ, x), forward pass only (no
    /// derivative sweep). The numbers are exactly those <see cref="ValuesAndJacobian"/> and the dataset Jacobian return
    /// (with the adjoint method ⟨ψ|λ_o⟩ with λ_o = O_o ψ, otherwise Σ_t c_t ⟨ψ|P_t|ψ⟩). No heap allocation.
    /// </summary>
    /// <param name="workspace">A workspace from this differentiator's <see cref="CreateWorkspace(Circuit, IReadOnlyList{PauliSum}, SimulationOptions?)"/>.</param>
    /// <param name="parameters">θ (length p).</param>
    /// <param name="inputs">x (length q).</param>
    /// <param name="values">Receives the k outputs.</param>
    /// <param name="initialState">ψ₀ (not modified), or null for |0…0⟩.</param>
    /// <exception cref="ArgumentNullException">A null workspace.</exception>
    /// <exception cref="ArgumentException">A workspace from another differentiator, or θ, x or a span of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A NaN or infinite value.</exception>
    /// <exception cref="QubitCountMismatchException">The initial state has another qubit count.</exception>
    public void Values(GradientWorkspace workspace, ParameterValues parameters, InputValues inputs, Span<double> values, StateVector? initialState = null)
    {
        var program = CheckWorkspace(workspace, parameters, inputs, initialState);
        var terms = workspace.Terms!;
        if (values.Length != terms.Length) ThrowHelper.LengthMismatch(nameof(values), "the value span (k)", values.Length, terms.Length);
        var angles = workspace.Angles(program.AngleCount);
        program.BindAngles(parameters.Span, inputs.Span, angles);
        var initial = initialState is null ? default : initialState.Amplitudes;
        if (Options.Method == GradientMethod.Adjoint)
            GradientEngine.Adjoint(program, angles, parameters.Span, inputs.Span, initial, terms, values, default, default, workspace,
                workspace.Simulation!, CancellationToken.None);
        else
            GradientEngine.Evaluate(program, angles, initial, terms, values, workspace.Psi, workspace.Simulation!);
    }

    /// <summary>
    /// ⟨O⟩ and ∂⟨O⟩/∂θ (and ∂⟨O⟩/∂x when <paramref name="inputGradient"/> is not empty) for a workspace with one
    /// readout: the same numbers as
    /// <see cref="ValueAndGradient(Circuit, ParameterValues, InputValues, PauliSum, Span{double}, Span{double}, StateVector?)"/>
    /// (bit for bit with the same simulation options) without allocating.
    /// </summary>
    /// <param name="workspace">A workspace with k = 1 from this differentiator.</param>
    /// <param name="parameters">θ (length p).</param>
    /// <param name="inputs">x (length q).</param>
    /// <param name="parameterGradient">Receives ∂⟨O⟩/∂θ (length p).</param>
    /// <param name="inputGradient">Receives ∂⟨O⟩/∂x (length q), or empty to skip.</param>
    /// <param name="initialState">ψ₀ (not modified), or null for |0…0⟩.</param>
    /// <returns>⟨O⟩.</returns>
    /// <exception cref="ArgumentNullException">A null workspace.</exception>
    /// <exception cref="ArgumentException">A workspace from another differentiator or with k ≠ 1, or a span of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A NaN or infinite value.</exception>
    /// <exception cref="QubitCountMismatchException">The initial state has another qubit count.</exception>
    public double ValueAndGradient(GradientWorkspace workspace, ParameterValues parameters, InputValues inputs, Span<double> parameterGradient,
        Span<double> inputGradient = default, StateVector? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (workspace.ObservableCount != 1)
            throw new ArgumentException($"the workspace has {workspace.ObservableCount} readouts; ValueAndGradient needs exactly 1 (use ValuesAndJacobian for k > 1).", nameof(workspace));
        Span<double> value = stackalloc double[1];
        ValuesAndJacobian(workspace, parameters, inputs, value, parameterGradient, inputGradient, initialState);
        return value[0];
    }

    /// <summary>
    /// The k outputs ⟨O_o⟩ and the k × p Jacobian block ∂⟨O_o⟩/∂θ_j (row-major, row o) of one sample, with
    /// <see cref="GradientOptions.Method"/>: exactly the rows i·k … i·k + k − 1 of the dataset Jacobian for that sample
    /// when the workspace has the same simulation options. Optionally the k × q input block ∂⟨O_o⟩/∂x_j. No heap allocation.
    /// </summary>
    /// <param name="workspace">A workspace from this differentiator.</param>
    /// <param name="parameters">θ (length p).</param>
    /// <param name="inputs">x (length q).</param>
    /// <param name="values">Receives the k outputs.</param>
    /// <param name="jacobian">Receives the k × p block (length k·p).</param>
    /// <param name="inputJacobian">Receives the k × q block (length k·q), or empty to skip.</param>
    /// <param name="initialState">ψ₀ (not modified), or null for |0…0⟩.</param>
    /// <exception cref="ArgumentNullException">A null workspace.</exception>
    /// <exception cref="ArgumentException">A workspace from another differentiator, or θ, x or a span of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A NaN or infinite value.</exception>
    /// <exception cref="QubitCountMismatchException">The initial state has another qubit count.</exception>
    public void ValuesAndJacobian(GradientWorkspace workspace, ParameterValues parameters, InputValues inputs, Span<double> values,
        Span<double> jacobian, Span<double> inputJacobian = default, StateVector? initialState = null)
    {
        var program = CheckWorkspace(workspace, parameters, inputs, initialState);
        var terms = workspace.Terms!;
        int k = terms.Length, p = program.Circuit.ParameterCount, q = program.Circuit.InputCount;
        if (values.Length != k) ThrowHelper.LengthMismatch(nameof(values), "the value span (k)", values.Length, k);
        if (jacobian.Length != k * p) ThrowHelper.LengthMismatch(nameof(jacobian), "the Jacobian span (k·p)", jacobian.Length, k * p);
        if (!inputJacobian.IsEmpty && inputJacobian.Length != k * q)
            ThrowHelper.LengthMismatch(nameof(inputJacobian), "the input Jacobian span (k·q)", inputJacobian.Length, k * q);
        GradientEngine.Compute(Options.Method, Options.FiniteDifferenceStep, program, parameters.Span, inputs.Span,
            initialState is null ? default : initialState.Amplitudes, terms, values, jacobian, inputJacobian, workspace,
            workspace.Simulation!, CancellationToken.None);
    }

    /// <summary>
    /// The vector–Jacobian product of one sample, Σ_o v_o ∂⟨O_o⟩/∂θ (length p), without forming the k × p block:
    /// with the adjoint method one backward sweep with the single co-state λ = (Σ_o v_o O_o)ψ. The same numbers as this
    /// sample's contribution to the dataset
    /// <see cref="VectorJacobianProduct(Circuit, ParameterValues, IReadOnlyList{InputValues}, IReadOnlyList{PauliSum}, ReadOnlySpan{double}, Span{double}, IProgress{int}?, CancellationToken)"/>.
    /// <paramref name="result"/> is overwritten, not added to. No heap allocation.
    /// </summary>
    /// <param name="workspace">A workspace from this differentiator.</param>
    /// <param name="parameters">θ (length p).</param>
    /// <param name="inputs">x (length q).</param>
    /// <param name="cotangent">v (length k).</param>
    /// <param name="result">Receives vᵀJ (length p).</param>
    /// <param name="values">Receives the k outputs ⟨O_o⟩, or empty to skip.</param>
    /// <param name="initialState">ψ₀ (not modified), or null for |0…0⟩.</param>
    /// <exception cref="ArgumentNullException">A null workspace.</exception>
    /// <exception cref="ArgumentException">A workspace from another differentiator, or θ, x, v or a span of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A NaN or infinite value in θ, x or v.</exception>
    /// <exception cref="QubitCountMismatchException">The initial state has another qubit count.</exception>
    public void VectorJacobianProduct(GradientWorkspace workspace, ParameterValues parameters, InputValues inputs, ReadOnlySpan<double> cotangent,
        Span<double> result, Span<double> values = default, StateVector? initialState = null)
    {
        var program = CheckWorkspace(workspace, parameters, inputs, initialState);
        var terms = workspace.Terms!;
        int k = terms.Length, p = program.Circuit.ParameterCount;
        if (cotangent.Length != k) ThrowHelper.LengthMismatch(nameof(cotangent), "the cotangent vector v (k)", cotangent.Length, k);
        for (int o = 0; o < k; o++)
            if (!double.IsFinite(cotangent[o])) ThrowHelper.NotFinite(nameof(cotangent), $"cotangent entry {o}", cotangent[o]);
        if (result.Length != p) ThrowHelper.LengthMismatch(nameof(result), "the result span (p)", result.Length, p);
        if (!values.IsEmpty && values.Length != k) ThrowHelper.LengthMismatch(nameof(values), "the value span (k)", values.Length, k);
        var x = inputs.Span;
        var initial = initialState is null ? default : initialState.Amplitudes;
        var simulation = workspace.Simulation!;
        var outputs = values.IsEmpty ? workspace.Small(k).AsSpan() : values;
        if (Options.Method == GradientMethod.Adjoint)
        {
            PauliTerms.Reweight(workspace.Combined!, terms, cotangent);
            var angles = workspace.Angles(program.AngleCount);
            program.BindAngles(parameters.Span, x, angles);
            Span<double> ignored = stackalloc double[1];
            GradientEngine.Adjoint(program, angles, parameters.Span, x, initial, workspace.CombinedList!, ignored, result, default,
                workspace, simulation, CancellationToken.None, terms, outputs);
        }
        else
        {
            var rows = workspace.Rows(k * p);
            GradientEngine.Compute(Options.Method, Options.FiniteDifferenceStep, program, parameters.Span, x, initial, terms,
                outputs, rows, default, workspace, simulation, CancellationToken.None);
            result.Clear();
            for (int o = 0; o < k; o++)
                for (int j = 0; j < p; j++) result[j] += cotangent[o] * rows[o * p + j];
        }
    }

    private CircuitProgram CheckWorkspace(GradientWorkspace workspace, ParameterValues parameters, InputValues inputs, StateVector? initialState)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!ReferenceEquals(workspace.Owner, this))
            throw new ArgumentException("the workspace was not created by this differentiator; use the CreateWorkspace of the differentiator you call.", nameof(workspace));
        var program = workspace.Program!;
        Simulator.ValidateValues(program.Circuit, parameters, inputs);
        CheckInitialState(program.Circuit, initialState, nameof(initialState));
        return program;
    }

    // ------------------------------------------------------------------ shots

    /// <summary>
    /// The parameter-shift gradient estimated from finite shots, as hardware would measure it. Only the steps whose
    /// angle depends on θ are shifted (a step whose angle depends on the data inputs x alone has ∂φ_s/∂θ = 0 and
    /// costs no shots). Each shifted circuit (step s, shift term t) is run exactly and ⟨O⟩ is estimated by <see cref="Simulator.EstimateExpectation"/> with
    /// <paramref name="shots"/> shots per observable term, from its own random stream (index 4·s + t of
    /// <paramref name="seed"/>), so results do not depend on the thread count. The gradient is
    /// Σ_s (∂φ_s/∂θ_j) Σ_t c_t f̂(φ_s + shift_t) and its variance Σ_s Σ_t ((∂φ_s/∂θ_j) c_t)² SE_{s,t}².
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ.</param>
    /// <param name="inputs">x.</param>
    /// <param name="observable">The readout O.</param>
    /// <param name="shots">Shots per observable term per shifted circuit (≥ 1). <see cref="ShotGradient.TotalShots"/> is
    /// shots × (non-identity terms of O) × (shift terms of every θ-dependent step): 2 per uncontrolled rotation or phase,
    /// 4 per controlled rotation.</param>
    /// <param name="seed">The seed of every random stream.</param>
    /// <param name="initialState">The input state, or null for |0…0⟩.</param>
    /// <param name="progress">Receives the number of parameterised steps whose shifted circuits are done.</param>
    /// <param name="cancellationToken">Stops the estimate between shifted circuits.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shots"/> below 1, or a non-finite value.</exception>
    /// <exception cref="ArgumentException">θ or x of the wrong length.</exception>
    /// <exception cref="QubitCountMismatchException">The observable or initial state does not fit the circuit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ShotGradient ParameterShiftWithShots(Circuit circuit, ParameterValues parameters, InputValues inputs, PauliSum observable,
        int shots, ulong seed, StateVector? initialState = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observable);
        if (shots < 1) ThrowHelper.ArgumentOutOfRange(nameof(shots), shots, "at least 1 shot");
        Simulator.ValidateValues(circuit, parameters, inputs);
        CheckObservable(circuit, observable, nameof(observable));
        CheckInitialState(circuit, initialState, nameof(initialState));

        var program = _simulator.Program(circuit);
        double[] angles = new double[program.AngleCount];
        program.BindAngles(parameters.Span, inputs.Span, angles);
        // Only steps whose angle depends on θ contribute to ∂/∂θ: a step driven by data inputs alone is not shifted,
        // so it spends no shots (and is not counted in TotalShots).
        var active = program.Steps.Where(s => s.Angle is { IsConstant: false } a && a.ParameterExtent() > 0).ToArray();
        int p = circuit.ParameterCount;
        var estimates = new double[active.Length][];
        var errors = new double[active.Length][];
        long totalShots = 0;
        double[] theta = parameters.Span.ToArray(), x = inputs.Span.ToArray();
        var simulation = Options.MaxDegreeOfParallelism > 1 ? Options.Simulation with { MaxThreads = 1 } : Options.Simulation;
        var sim = new Simulator(simulation);
        int finished = 0;
        Parallel.For(0, active.Length, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism, CancellationToken = cancellationToken },
            () => (State: StateVector.Zero(circuit.QubitCount), Angles: (double[])angles.Clone()),
            (a, _, local) =>
            {
                var step = active[a];
                var rule = GradientEngine.ShiftRule(step);
                estimates[a] = new double[rule.Length];
                errors[a] = new double[rule.Length];
                double original = angles[step.AngleSlot];
                for (int t = 0; t < rule.Length; t++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    local.Angles[step.AngleSlot] = original + rule[t].Shift;
                    GradientEngine.Forward(program, local.Angles, initialState is null ? default : initialState.Amplitudes, local.State.Data, simulation);
                    ulong streamSeed = SeededRandom.ForStream(seed, (ulong)(4 * step.AngleSlot + t)).NextUInt64();
                    var e = sim.EstimateExpectation(local.State, observable, shots, streamSeed);
                    estimates[a][t] = e.Estimate;
                    errors[a][t] = e.StandardError;
                    Interlocked.Add(ref totalShots, e.TotalShots);
                }
                local.Angles[step.AngleSlot] = original;
                progress?.Report(Interlocked.Increment(ref finished));
                return local;
            },
            _ => { });

        var gradient = new double[p];
        var variance = new double[p];
        var chain = new double[p];
        for (int a = 0; a < active.Length; a++)
        {
            var step = active[a];
            var rule = GradientEngine.ShiftRule(step);
            Array.Clear(chain);
            step.Angle!.AccumulateGradient(theta, x, 1.0, chain, default);
            double d = 0, v = 0;
            for (int t = 0; t < rule.Length; t++)
            {
                d += rule[t].Coefficient * estimates[a][t];
                v += rule[t].Coefficient * rule[t].Coefficient * errors[a][t] * errors[a][t];
            }
            for (int j = 0; j < p; j++)
            {
                if (chain[j] == 0) continue;
                gradient[j] += chain[j] * d;
                variance[j] += chain[j] * chain[j] * v;
            }
        }
        return new ShotGradient(gradient, [.. variance.Select(Math.Sqrt)], totalShots);
    }

    // ------------------------------------------------------------------ Jacobians

    /// <summary>
    /// The Jacobian of k readouts over m samples: (m·k) × p, row i·k + j = ∂⟨O_j⟩(x_i)/∂θ, columns in parameter order,
    /// computed in parallel over samples (<see cref="GradientOptions.MaxDegreeOfParallelism"/>) with
    /// <see cref="GradientOptions.Method"/>. Each sample is computed by one thread into its own rows, so the result does
    /// not depend on the thread count: with more than one sample every state update is single-threaded (the threads go
    /// over samples); a single sample keeps <see cref="GradientOptions.Simulation"/>'s threads. Memory: the result plus
    /// (1 + k) state vectors per thread (adjoint).
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ, shared by every sample.</param>
    /// <param name="samples">The input vectors x_i (at least one).</param>
    /// <param name="observables">The readouts O_j (at least one).</param>
    /// <param name="options">Whether to include the input Jacobian.</param>
    /// <param name="progress">Receives the number of finished samples after each sample.</param>
    /// <param name="cancellationToken">Cancels between and within samples.</param>
    /// <exception cref="ArgumentException">An empty sample or observable list, a circuit without trainable parameters, or values of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A NaN or infinite value (the message names the sample and variable).</exception>
    /// <exception cref="QubitCountMismatchException">An observable wider than the circuit.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public JacobianResult Jacobian(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues> samples, IReadOnlyList<PauliSum> observables,
        JacobianOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        JacobianCore(circuit, parameters, samples ?? throw new ArgumentNullException(nameof(samples)), null, observables, options, progress, cancellationToken);

    /// <summary>
    /// The Jacobian over prepared input states ψ_i (a circuit without data inputs, or one whose inputs are all
    /// InputValues.None): row i·k + j = ∂⟨ψ_i|U†O_jU|ψ_i⟩/∂θ. See
    /// <see cref="Jacobian(Circuit, ParameterValues, IReadOnlyList{InputValues}, IReadOnlyList{PauliSum}, JacobianOptions?, IProgress{int}?, CancellationToken)"/>.
    /// </summary>
    /// <param name="circuit">The circuit (no data inputs).</param>
    /// <param name="parameters">θ.</param>
    /// <param name="initialStates">The input states (same qubit count as the circuit; not modified).</param>
    /// <param name="observables">The readouts.</param>
    /// <param name="options">Options.</param>
    /// <param name="progress">Finished samples.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArgumentException">The circuit has data inputs, an empty list, or no trainable parameters.</exception>
    /// <exception cref="QubitCountMismatchException">A state or observable does not fit the circuit.</exception>
    public JacobianResult Jacobian(Circuit circuit, ParameterValues parameters, IReadOnlyList<StateVector> initialStates, IReadOnlyList<PauliSum> observables,
        JacobianOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        JacobianCore(circuit, parameters, null, initialStates ?? throw new ArgumentNullException(nameof(initialStates)), observables, options, progress, cancellationToken);

    /// <summary>
    /// The Jacobian over samples that have both data inputs x_i and prepared input states ψ_i (lists of equal length).
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ.</param>
    /// <param name="samples">The input vectors x_i.</param>
    /// <param name="initialStates">The input states ψ_i, one per sample.</param>
    /// <param name="observables">The readouts.</param>
    /// <param name="options">Options.</param>
    /// <param name="progress">Finished samples.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArgumentException">Lists of different lengths, an empty list, or no trainable parameters.</exception>
    /// <exception cref="QubitCountMismatchException">A state or observable does not fit the circuit.</exception>
    public JacobianResult Jacobian(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues> samples, IReadOnlyList<StateVector> initialStates,
        IReadOnlyList<PauliSum> observables, JacobianOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        JacobianCore(circuit, parameters, samples ?? throw new ArgumentNullException(nameof(samples)),
            initialStates ?? throw new ArgumentNullException(nameof(initialStates)), observables, options, progress, cancellationToken);

    private JacobianResult JacobianCore(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues>? samples,
        IReadOnlyList<StateVector>? states, IReadOnlyList<PauliSum> observables, JacobianOptions? options, IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        options ??= new JacobianOptions();
        var terms = ValidateBatch(circuit, parameters, samples, states, observables);
        int m = samples?.Count ?? states!.Count, k = terms.Length, p = circuit.ParameterCount, q = circuit.InputCount;
        bool inputsToo = options.IncludeInputs;
        MemoryBudget.EnsureAvailable(MemoryBudget.Bytes((long)m * k, p + (inputsToo ? q : 0) + 1, sizeof(double)), $"a {(long)m * k} × {p} Jacobian");
        var values = new double[m * k];
        var data = new double[(long)m * k * p];
        var inputData = inputsToo ? new double[(long)m * k * q] : null;
        var program = _simulator.Program(circuit);
        ForEachSample(m, circuit.QubitCount, k, cancellationToken, (i, workspace, simulation) =>
        {
            var x = samples is null ? default : samples[i].Span;
            GradientEngine.Compute(Options.Method, Options.FiniteDifferenceStep, program, parameters.Span, x,
                states is null ? default : states[i].Amplitudes, terms, values.AsSpan(i * k, k),
                data.AsSpan(i * k * p, k * p), inputData is null ? default : inputData.AsSpan(i * k * q, k * q),
                workspace, simulation, cancellationToken);
        }, progress, 0, manySamples: m > 1);
        var inputJacobian = inputData is null ? null : new JacobianResult(m, k, q, values, inputData, null);
        return new JacobianResult(m, k, p, values, data, inputJacobian);
    }

    // ------------------------------------------------------------------ vector–Jacobian products

    /// <summary>
    /// The vector–Jacobian product vᵀJ (length p) for the (m·k) × p Jacobian of
    /// <see cref="Jacobian(Circuit, ParameterValues, IReadOnlyList{InputValues}, IReadOnlyList{PauliSum}, JacobianOptions?, IProgress{int}?, CancellationToken)"/>
    /// without forming J: Σ_i ∂/∂θ ⟨Σ_j v_{i·k+j} O_j⟩_i. With the adjoint method each sample needs one backward
    /// sweep with the single co-state λ = (Σ_j v_{i·k+j} O_j)ψ, whatever k is. Per-sample results are added in sample
    /// order, so the sum does not depend on the thread count.
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ.</param>
    /// <param name="samples">The input vectors x_i.</param>
    /// <param name="observables">The readouts O_j.</param>
    /// <param name="cotangent">v, length m·k, sample-major like the Jacobian rows (e.g. the residuals of a squared loss).</param>
    /// <param name="outputs">Receives the m·k outputs ⟨O_j⟩_i, or empty to skip.</param>
    /// <param name="progress">Finished samples.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>vᵀJ, length p.</returns>
    /// <exception cref="ArgumentException">Wrong lengths, empty lists, or no trainable parameters.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A NaN or infinite value in θ, x or v.</exception>
    /// <exception cref="QubitCountMismatchException">An observable wider than the circuit.</exception>
    public double[] VectorJacobianProduct(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues> samples, IReadOnlyList<PauliSum> observables,
        ReadOnlySpan<double> cotangent, Span<double> outputs = default, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        VjpCore(circuit, parameters, samples ?? throw new ArgumentNullException(nameof(samples)), null, observables, cotangent, outputs, progress, cancellationToken);

    /// <summary>vᵀJ over prepared input states (circuits without data inputs); see the overload with inputs.</summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ.</param>
    /// <param name="initialStates">The input states ψ_i.</param>
    /// <param name="observables">The readouts O_j.</param>
    /// <param name="cotangent">v, length m·k.</param>
    /// <param name="outputs">Receives the m·k outputs, or empty.</param>
    /// <param name="progress">Finished samples.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>vᵀJ, length p.</returns>
    /// <exception cref="ArgumentException">Wrong lengths, empty lists, data inputs, or no trainable parameters.</exception>
    /// <exception cref="QubitCountMismatchException">A state or observable does not fit the circuit.</exception>
    public double[] VectorJacobianProduct(Circuit circuit, ParameterValues parameters, IReadOnlyList<StateVector> initialStates, IReadOnlyList<PauliSum> observables,
        ReadOnlySpan<double> cotangent, Span<double> outputs = default, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        VjpCore(circuit, parameters, null, initialStates ?? throw new ArgumentNullException(nameof(initialStates)), observables, cotangent, outputs, progress, cancellationToken);

    /// <summary>vᵀJ over samples with both inputs and prepared states; see the overload with inputs.</summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ.</param>
    /// <param name="samples">The input vectors x_i.</param>
    /// <param name="initialStates">The input states ψ_i, one per sample.</param>
    /// <param name="observables">The readouts O_j.</param>
    /// <param name="cotangent">v, length m·k.</param>
    /// <param name="outputs">Receives the m·k outputs, or empty.</param>
    /// <param name="progress">Finished samples.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>vᵀJ, length p.</returns>
    /// <exception cref="ArgumentException">Wrong lengths, empty lists, or no trainable parameters.</exception>
    /// <exception cref="QubitCountMismatchException">A state or observable does not fit the circuit.</exception>
    public double[] VectorJacobianProduct(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues> samples, IReadOnlyList<StateVector> initialStates,
        IReadOnlyList<PauliSum> observables, ReadOnlySpan<double> cotangent, Span<double> outputs = default, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default) =>
        VjpCore(circuit, parameters, samples ?? throw new ArgumentNullException(nameof(samples)),
            initialStates ?? throw new ArgumentNullException(nameof(initialStates)), observables, cotangent, outputs, progress, cancellationToken);

    private double[] VjpCore(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues>? samples, IReadOnlyList<StateVector>? states,
        IReadOnlyList<PauliSum> observables, ReadOnlySpan<double> cotangent, Span<double> outputs, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var terms = ValidateBatch(circuit, parameters, samples, states, observables);
        int m = samples?.Count ?? states!.Count, k = terms.Length, p = circuit.ParameterCount;
        if (cotangent.Length != m * k) ThrowHelper.LengthMismatch(nameof(cotangent), "the cotangent vector v (m·k)", cotangent.Length, m * k);
        for (int r = 0; r < cotangent.Length; r++)
            if (!double.IsFinite(cotangent[r])) ThrowHelper.NotFinite(nameof(cotangent), $"cotangent entry {r} (sample {r / k}, observable {r % k})", cotangent[r]);
        if (!outputs.IsEmpty && outputs.Length != m * k) ThrowHelper.LengthMismatch(nameof(outputs), "the output span (m·k)", outputs.Length, m * k);

        double[] v = cotangent.ToArray();
        var values = new double[m * k];
        var result = new double[p];
        var program = _simulator.Program(circuit);
        bool adjoint = Options.Method == GradientMethod.Adjoint;
        // Blocks bound the memory of per-sample partial results; partials are added in sample order.
        int block = Math.Max(16, 8 * Options.MaxDegreeOfParallelism);
        var partial = new double[Math.Min(block, m) * p];
        for (int start = 0; start < m; start += block)
        {
            int count = Math.Min(block, m - start);
            int begin = start;
            ForEachSample(count, circuit.QubitCount, adjoint ? 1 : k, cancellationToken, (b, workspace, simulation) =>
            {
                int i = begin + b;
                var x = samples is null ? default : samples[i].Span;
                var initial = states is null ? default : states[i].Amplitudes;
                var row = partial.AsSpan(b * p, p);
                var weights = v.AsSpan(i * k, k);
                if (adjoint)
                {
                    var combined = PauliTerms.Combine(terms, weights);
                    double[] angles = new double[program.AngleCount];
                    program.BindAngles(parameters.Span, x, angles);
                    Span<double> ignored = stackalloc double[1];
                    GradientEngine.Adjoint(program, angles, parameters.Span, x, initial, [combined], ignored, row, default,
                        workspace, simulation, cancellationToken, terms, values.AsSpan(i * k, k));
                }
                else
                {
                    var rows = new double[k * p];
                    GradientEngine.Compute(Options.Method, Options.FiniteDifferenceStep, program, parameters.Span, x, initial, terms,
                        values.AsSpan(i * k, k), rows, default, workspace, simulation, cancellationToken);
                    row.Clear();
                    for (int o = 0; o < k; o++)
                        for (int j = 0; j < p; j++) row[j] += weights[o] * rows[o * p + j];
                }
            }, progress, start, manySamples: m > 1);
            for (int b = 0; b < count; b++)
                for (int j = 0; j < p; j++) result[j] += partial[b * p + j];
        }
        if (!outputs.IsEmpty) values.CopyTo(outputs);
        return result;
    }

    // ------------------------------------------------------------------ Hessian

    /// <summary>
    /// The Hessian ∂²⟨O⟩/∂θ_a∂θ_b (p × p, symmetric) for small p, by the chain rule
    /// H = Jφᵀ H^φ Jφ + Σ_s (∂⟨O⟩/∂φ_s) ∇²φ_s over the parameterised steps s with angles φ_s(θ, x):
    /// <list type="bullet">
    /// <item>H^φ (the Hessian with respect to the step angles) is exact: row s is the parameter-shift rule of step s
    /// applied to the adjoint step gradient (∂⟨O⟩/∂φ_{s'})_{s'}, which as a function of φ_s has the frequencies of
    /// step s's generator. Every generator QnnSim lowers to is shift-able (two- or four-term), so no simulation uses
    /// finite differences.</item>
    /// <item>Jφ = ∂φ_s/∂θ_j comes from <see cref="Angle.AccumulateGradient"/> (exact).</item>
    /// <item>∇²φ_s of a non-affine angle expression (products, sin, …) is central differences (h = 1e-5) of its exact
    /// first derivative: a classical computation with error about 1e-10; affine angles contribute 0 exactly.</item>
    /// </list>
    /// Cost: 2 adjoint sweeps per uncontrolled and 4 per controlled parameterised step. The result is symmetrised,
    /// H ← (H + Hᵀ)/2 (the asymmetry before that is rounding, ≈ 1e-14).
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ.</param>
    /// <param name="inputs">x.</param>
    /// <param name="observable">The readout O.</param>
    /// <param name="initialState">The input state, or null for |0…0⟩.</param>
    /// <param name="progress">Receives the number of parameterised steps whose shifted gradients are done.</param>
    /// <param name="cancellationToken">Stops the computation between adjoint sweeps.</param>
    /// <returns>The p × p Hessian.</returns>
    /// <exception cref="ArgumentException">θ or x of the wrong length, or no trainable parameters.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A NaN or infinite value.</exception>
    /// <exception cref="QubitCountMismatchException">The observable or initial state does not fit the circuit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public double[,] Hessian(Circuit circuit, ParameterValues parameters, InputValues inputs, PauliSum observable, StateVector? initialState = null,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observable);
        Simulator.ValidateValues(circuit, parameters, inputs);
        CheckObservable(circuit, observable, nameof(observable));
        CheckInitialState(circuit, initialState, nameof(initialState));
        RequireParameters(circuit, nameof(circuit));

        var program = _simulator.Program(circuit);
        int p = circuit.ParameterCount, slots = program.AngleCount;
        ReadOnlySpan<double> theta = parameters.Span, x = inputs.Span;
        double[] angles = new double[slots];
        program.BindAngles(theta, x, angles);
        var active = program.Steps.Where(s => s.Angle is { IsConstant: false }).ToArray();
        var terms = new[] { PauliTerms.From(observable) };
        var workspace = new GradientWorkspace(circuit.QubitCount, 1);
        var initial = initialState is null ? default : initialState.Amplitudes;
        Span<double> value = stackalloc double[1];

        // Jφ: row a = ∂φ_a/∂θ.
        var jphi = new double[active.Length, p];
        var row = new double[p];
        for (int a = 0; a < active.Length; a++)
        {
            Array.Clear(row);
            active[a].Angle!.AccumulateGradient(theta, x, 1.0, row, default);
            for (int j = 0; j < p; j++) jphi[a, j] = row[j];
        }

        // Step gradient at the unshifted angles (for the curvature term) and H^φ by shifting each step.
        var g0 = new double[slots];
        GradientEngine.Adjoint(program, angles, theta, x, initial, terms, value, default, default, workspace, Options.Simulation,
            cancellationToken, angleGradient: g0);
        var hphi = new double[active.Length, active.Length];
        var shifted = (double[])angles.Clone();
        var g = new double[slots];
        for (int a = 0; a < active.Length; a++)
        {
            var step = active[a];
            double original = angles[step.AngleSlot];
            foreach (var (shift, coefficient) in GradientEngine.ShiftRule(step))
            {
                shifted[step.AngleSlot] = original + shift;
                GradientEngine.Adjoint(program, shifted, theta, x, initial, terms, value, default, default, workspace, Options.Simulation,
                    cancellationToken, angleGradient: g);
                for (int b = 0; b < active.Length; b++) hphi[a, b] += coefficient * g[active[b].AngleSlot];
            }
            shifted[step.AngleSlot] = original;
            progress?.Report(a + 1);
        }

        var hessian = new double[p, p];
        // Jφᵀ H^φ Jφ.
        var tmp = new double[active.Length, p];
        for (int a = 0; a < active.Length; a++)
            for (int b = 0; b < active.Length; b++)
            {
                double h = hphi[a, b];
                if (h == 0) continue;
                for (int j = 0; j < p; j++) tmp[a, j] += h * jphi[b, j];
            }
        for (int a = 0; a < active.Length; a++)
            for (int i = 0; i < p; i++)
            {
                double ja = jphi[a, i];
                if (ja == 0) continue;
                for (int j = 0; j < p; j++) hessian[i, j] += ja * tmp[a, j];
            }

        // Σ_s g_s ∇²φ_s for non-affine angles.
        const double h2 = 1e-5;
        double[] thetaCopy = theta.ToArray();
        var plus = new double[p];
        var minus = new double[p];
        for (int a = 0; a < active.Length; a++)
        {
            var angle = active[a].Angle!;
            double gs = g0[active[a].AngleSlot];
            if (angle.IsAffine || gs == 0) continue;
            for (int j = 0; j < p; j++)
            {
                if (jphi[a, j] == 0 && !DependsOn(angle, j)) continue;
                double v = thetaCopy[j];
                Array.Clear(plus);
                Array.Clear(minus);
                thetaCopy[j] = v + h2;
                angle.AccumulateGradient(thetaCopy, x, 1.0, plus, default);
                thetaCopy[j] = v - h2;
                angle.AccumulateGradient(thetaCopy, x, 1.0, minus, default);
                thetaCopy[j] = v;
                for (int i = 0; i < p; i++) hessian[i, j] += gs * (plus[i] - minus[i]) / (2 * h2);
            }
        }

        for (int i = 0; i < p; i++)
            for (int j = i + 1; j < p; j++)
            {
                double s = 0.5 * (hessian[i, j] + hessian[j, i]);
                hessian[i, j] = s;
                hessian[j, i] = s;
            }
        return hessian;
    }

    private static bool DependsOn(Angle angle, int parameter)
    {
        bool found = false;
        angle.VisitVariables((kind, index) => found |= kind == VariableKind.Parameter && index == parameter);
        return found;
    }

    // ------------------------------------------------------------------ helpers

    private delegate void SampleBody(int sample, GradientWorkspace workspace, SimulationOptions simulation);

    /// <summary>
    /// Runs <paramref name="body"/> for samples 0..count−1, in parallel over samples with one workspace per worker
    /// (samples are handed out one at a time from a shared counter). With more than one sample the state updates run
    /// single-threaded: the threads are spent on samples. Progress reports progressOffset + finished samples.
    /// </summary>
    private void ForEachSample(int count, int qubits, int coStates, CancellationToken cancellationToken, SampleBody body,
        IProgress<int>? progress, int progressOffset, bool manySamples)
    {
        int degree = Math.Min(Options.MaxDegreeOfParallelism, count);
        int done = progressOffset;
        // With several samples the threads go over samples and every state update is single-threaded, whatever the
        // degree: each sample then runs exactly the same instructions for 1 or N workers (bit-identical rows). A
        // single sample keeps the simulation options, so one large state can still use every core.
        var simulation = manySamples ? Options.Simulation with { MaxThreads = 1 } : Options.Simulation;
        if (degree <= 1)
        {
            var workspace = new GradientWorkspace(qubits, coStates);
            for (int i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                body(i, workspace, simulation);
                progress?.Report(++done);
            }
            return;
        }
        int next = -1;
        try
        {
            Parallel.For(0, degree, new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = cancellationToken }, _ =>
            {
                GradientWorkspace? workspace = null;
                while (true)
                {
                    int i = Interlocked.Increment(ref next);
                    if (i >= count) break;
                    cancellationToken.ThrowIfCancellationRequested();
                    workspace ??= new GradientWorkspace(qubits, coStates);
                    body(i, workspace, simulation);
                    int finished = Interlocked.Increment(ref done);
                    progress?.Report(finished);
                }
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
        {
            var first = ex.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? ex.InnerExceptions[0];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    private PauliTerms[] ValidateBatch(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues>? samples,
        IReadOnlyList<StateVector>? states, IReadOnlyList<PauliSum> observables)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observables);
        RequireParameters(circuit, nameof(circuit));
        Simulator.ValidateValues(circuit, parameters, new InputValues(new double[circuit.InputCount])); // θ only; samples below
        if (samples is not null && samples.Count == 0)
            throw new ArgumentException("the sample list is empty; at least one sample is required.", nameof(samples));
        if (states is not null && states.Count == 0)
            throw new ArgumentException("the initial-state list is empty; at least one sample is required.", nameof(states));
        if (samples is not null && states is not null && samples.Count != states.Count)
            throw new ArgumentException($"there are {samples.Count} input vectors but {states.Count} initial states; one of each per sample is required.", nameof(states));
        if (samples is null && circuit.InputCount > 0)
            throw new ArgumentException($"the circuit has {circuit.InputCount} data inputs ({string.Join(", ", circuit.InputNames)}); pass one InputValues per sample.", nameof(states));
        if (observables.Count == 0)
            throw new ArgumentException("the observable list is empty; at least one observable is required.", nameof(observables));
        if (samples is not null)
        {
            for (int i = 0; i < samples.Count; i++)
            {
                var s = samples[i];
                if (s.Length != circuit.InputCount)
                    throw new ArgumentException($"sample {i} has {s.Length} inputs, but the circuit has {circuit.InputCount} ({string.Join(", ", circuit.InputNames)}).", nameof(samples));
                var span = s.Span;
                for (int j = 0; j < span.Length; j++)
                    if (!double.IsFinite(span[j]))
                        throw new ArgumentOutOfRangeException(nameof(samples), span[j], $"sample {i}, input {circuit.InputNames[j]} (x_{j}) is {span[j]}; a finite real number is required.");
            }
        }
        if (states is not null)
            for (int i = 0; i < states.Count; i++)
            {
                if (states[i] is null) throw new ArgumentNullException(nameof(states), $"initial state {i} is null.");
                if (states[i].QubitCount != circuit.QubitCount)
                    throw new QubitCountMismatchException($"initial state {i} has {states[i].QubitCount} qubits, but the circuit has {circuit.QubitCount}.", nameof(states));
            }
        var terms = new PauliTerms[observables.Count];
        for (int o = 0; o < observables.Count; o++)
        {
            ArgumentNullException.ThrowIfNull(observables[o], nameof(observables));
            CheckObservable(circuit, observables[o], nameof(observables), o);
            terms[o] = PauliTerms.From(observables[o]);
        }
        return terms;
    }

    private static void RequireParameters(Circuit circuit, string paramName)
    {
        if (circuit.ParameterCount == 0)
            throw new ArgumentException("the circuit has no trainable parameters (p = 0), so there is no θ-gradient to compute; declare at least one parameter.", paramName);
    }

    private static void CheckObservable(Circuit circuit, PauliSum observable, string paramName, int index = -1)
    {
        if (observable.RequiredQubits > circuit.QubitCount)
            throw new QubitCountMismatchException(
                $"{(index >= 0 ? $"observable {index} " : "the observable ")}'{observable}' acts on qubit {observable.RequiredQubits - 1}, but the circuit has {circuit.QubitCount} qubits (0..{circuit.QubitCount - 1}).",
                paramName);
    }

    private static void CheckInitialState(Circuit circuit, StateVector? state, string paramName)
    {
        if (state is not null && state.QubitCount != circuit.QubitCount)
            throw new QubitCountMismatchException($"the initial state has {state.QubitCount} qubits, but the circuit has {circuit.QubitCount}; they must be equal.", paramName);
    }
}
