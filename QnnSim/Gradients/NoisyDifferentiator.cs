using System.Collections.Immutable;
using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Gradients;

/// <summary>Which noisy backend a <see cref="NoisyDifferentiator"/> runs on.</summary>
public enum NoisyBackend
{
    /// <summary>The exact density matrix (<see cref="DensityMatrixSimulator"/>): exact values and gradients.</summary>
    DensityMatrix,
    /// <summary>Quantum trajectories (<see cref="TrajectorySimulator"/>): estimates with standard errors.</summary>
    Trajectories,
}

/// <summary>A noisy value and gradient, with standard errors when they are estimates.</summary>
/// <param name="Value">⟨O⟩ = Tr(Oρ(θ, x)), exact or estimated.</param>
/// <param name="ValueStandardError">0 when exact.</param>
/// <param name="Gradient">∂⟨O⟩/∂θ_j.</param>
/// <param name="GradientStandardErrors">Per component; all 0 when exact.</param>
public sealed record NoisyGradient(double Value, double ValueStandardError, double[] Gradient, double[] GradientStandardErrors);

/// <summary>
/// Gradients of ⟨O⟩ = Tr(O 𝓔(θ, x)(|0⟩⟨0|)) for circuits with noise channels (their own and those a
/// <see cref="NoiseModel"/> attaches), on density matrices or trajectories. Channels do not depend on θ; gates do.
/// </summary>
/// <remarks>
/// <para><b>Adjoint (density matrix only).</b> The Heisenberg-picture sweep: σ = vec(O) is carried backwards through
/// the adjoint of every step (U† on the ket qubits and U^T on the bra qubits for gates, the adjoint superoperator
/// Σ K† ⊗ K^T for channels), and at each parameterised step s of the doubled circuit
/// ∂f/∂φ_s = Re(−i⟨⟨σ|G_s ρ'⟩⟩) = Im⟨⟨σ|G_s ρ'⟩⟩ with ρ' the state after the step; the ket and bra halves of a gate both
/// contribute, and <see cref="Angle.AccumulateGradient"/> applies the chain rule to θ. Channels are not invertible, so
/// the forward pass keeps ρ before each channel: memory is (C + 2) density matrices of 16·4^n bytes for C channels
/// (per-gate noise on HEA(6, 10): 202 × 64 KiB ≈ 13 MiB). Exact to rounding (tested against parameter shift to 1e-10).</para>
/// <para><b>Parameter shift</b> (density matrix and trajectories). For every occurrence of θ in a gate angle, the gate's
/// shift rule (two terms ±π/2 with ½ for uncontrolled gates, whose generators have eigenvalues differing by 1; the
/// four-term rule of <see cref="GradientMethod.ParameterShift"/> for controlled ones), evaluated with the noise in place:
/// a channel after the gate does not change the frequencies of f(φ), so the rule stays exact
/// (Mari, Bromley and Killoran, PRA 103, 012405 (2021)). On trajectories every shifted circuit reuses the same
/// trajectory seeds (common random numbers), so per-trajectory differences give the standard error of each component.</para>
/// <para><b>Finite differences</b> (density matrix): central differences with step h, the independent check.</para>
/// </remarks>
public sealed class NoisyDifferentiator
{
    private static readonly double CPlus = (Math.Sqrt(2) + 1) / (4 * Math.Sqrt(2));
    private static readonly double CMinus = (Math.Sqrt(2) - 1) / (4 * Math.Sqrt(2));

    private readonly DensityMatrixSimulator _density;
    private readonly TrajectorySimulator _trajectories;

    /// <summary>Creates a differentiator.</summary>
    /// <param name="noise">The noise model (null: only the circuit's own channels).</param>
    /// <param name="backend">Density matrix (default) or trajectories.</param>
    /// <param name="options">Simulation options.</param>
    /// <param name="trajectories">Trajectories per evaluation (trajectory backend; at least 2).</param>
    /// <param name="seed">Seed of the trajectories.</param>
    /// <param name="finiteDifferenceStep">h of <see cref="GradientMethod.FiniteDifference"/> (default 1e-5).</param>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 trajectories, or h not finite and positive.</exception>
    public NoisyDifferentiator(NoiseModel? noise = null, NoisyBackend backend = NoisyBackend.DensityMatrix, SimulationOptions? options = null,
        int trajectories = 1000, ulong seed = 0, double finiteDifferenceStep = 1e-5)
    {
        if (!Enum.IsDefined(backend)) ThrowHelper.ArgumentOutOfRange(nameof(backend), backend, "DensityMatrix or Trajectories");
        if (trajectories < 2) ThrowHelper.ArgumentOutOfRange(nameof(trajectories), trajectories, "at least 2 trajectories");
        if (!double.IsFinite(finiteDifferenceStep) || finiteDifferenceStep <= 0)
            ThrowHelper.ArgumentOutOfRange(nameof(finiteDifferenceStep), finiteDifferenceStep, "a finite step > 0");
        Noise = noise;
        Backend = backend;
        Options = options ?? SimulationOptions.Default;
        Trajectories = trajectories;
        Seed = seed;
        FiniteDifferenceStep = finiteDifferenceStep;
        _density = new DensityMatrixSimulator(Options);
        _trajectories = new TrajectorySimulator(Options);
    }

    /// <summary>The noise model (null: only the circuit's own channels).</summary>
    public NoiseModel? Noise { get; }

    /// <summary>The backend.</summary>
    public NoisyBackend Backend { get; }

    /// <summary>The simulation options.</summary>
    public SimulationOptions Options { get; }

    /// <summary>Trajectories per evaluation (trajectory backend).</summary>
    public int Trajectories { get; }

    /// <summary>Seed of the trajectories.</summary>
    public ulong Seed { get; }

    /// <summary>h of the central differences.</summary>
    public double FiniteDifferenceStep { get; }

    /// <summary>⟨O⟩ and ∂⟨O⟩/∂θ with <paramref name="method"/>.</summary>
    /// <exception cref="NotSupportedException">The adjoint or finite differences on trajectories (use parameter shift).</exception>
    /// <exception cref="ArgumentException">θ or x of the wrong length; an observable wider than the circuit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A NaN or infinite value.</exception>
    public NoisyGradient ValueAndGradient(Circuit circuit, ParameterValues parameters, InputValues inputs, PauliSum observable,
        GradientMethod method = GradientMethod.Adjoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observable);
        if (observable.RequiredQubits > circuit.QubitCount)
            ThrowHelper.QubitCountMismatch(nameof(observable), "the observable", observable.RequiredQubits, circuit.QubitCount);
        var noisy = _density.WithNoise(circuit, Noise);
        Simulator.ValidateValues(noisy, parameters, inputs);
        if (Backend == NoisyBackend.Trajectories)
        {
            if (method != GradientMethod.ParameterShift)
                throw new NotSupportedException($"{method} is not available on trajectories (estimates are not differentiable path by path); use ParameterShift, or the density-matrix backend.");
            return TrajectoryShift(noisy, parameters, inputs, (c, _) => _trajectories.PerTrajectory(c, parameters, inputs, observable, Trajectories, Seed, cancellationToken));
        }
        return method switch
        {
            GradientMethod.Adjoint => DensityAdjoint(noisy, parameters, inputs, observable, cancellationToken),
            GradientMethod.ParameterShift => DensityShift(noisy, parameters, inputs, observable, cancellationToken),
            GradientMethod.FiniteDifference => DensityFiniteDifference(noisy, parameters, inputs, observable, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, $"unknown gradient method {method}; allowed: Adjoint, ParameterShift, FiniteDifference."),
        };
    }

    /// <summary>The rows ∂⟨O⟩(x_i)/∂θ for every sample, m × p row-major, threaded over samples (each sample's row is
    /// computed by one thread with the same operations, so rows do not depend on the thread count).</summary>
    /// <exception cref="ArgumentException">A sample of the wrong length or a Jacobian span of the wrong size.</exception>
    public void Jacobian(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues> samples, PauliSum observable,
        Span<double> values, Span<double> jacobian, GradientMethod method = GradientMethod.Adjoint, CancellationToken cancellationToken = default,
        IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(samples);
        int m = samples.Count, p = circuit.ParameterCount;
        if (values.Length != m) ThrowHelper.LengthMismatch(nameof(values), "the value vector", values.Length, m);
        if (jacobian.Length != (long)m * p) ThrowHelper.LengthMismatch(nameof(jacobian), "the Jacobian (m × p)", jacobian.Length, m * p);
        var rows = new NoisyGradient[m];
        var inner = new NoisyDifferentiator(Noise, Backend, Options with { MaxThreads = 1 }, Trajectories, Seed, FiniteDifferenceStep);
        int done = 0;
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxThreads, CancellationToken = cancellationToken }, i =>
        {
            rows[i] = inner.ValueAndGradient(circuit, parameters, samples[i], observable, method, cancellationToken);
            progress?.Report(Interlocked.Increment(ref done));
        });
        for (int i = 0; i < m; i++)
        {
            values[i] = rows[i].Value;
            rows[i].Gradient.CopyTo(jacobian.Slice(i * p, p));
        }
    }

    /// <summary>
    /// The dataset Jacobian of k observables under noise, laid out as <see cref="Differentiator"/>'s Jacobians
    /// lays it out (row i·k + j is sample i, observable j), threaded over samples; bit-identical for any thread count.
    /// On trajectories the rows are estimates (their standard errors are not kept here: use <see cref="ValueAndGradient"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No observables, or a sample of the wrong length.</exception>
    public JacobianResult Jacobian(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues> samples, IReadOnlyList<PauliSum> observables,
        GradientMethod method = GradientMethod.Adjoint, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(observables);
        if (observables.Count == 0) throw new ArgumentException("at least one observable is required.", nameof(observables));
        return DatasetJacobian(circuit, samples, observables, (inner, i, o) =>
            inner.ValueAndGradient(circuit, parameters, samples[i], observables[o], method, cancellationToken), progress, cancellationToken);
    }

    /// <summary>Rows i·k + o of a dataset Jacobian, one sample per thread (each on a single-threaded copy of this
    /// differentiator), so the rows do not depend on the thread count.</summary>
    private JacobianResult DatasetJacobian(Circuit circuit, IReadOnlyList<InputValues> samples, IReadOnlyList<PauliSum> observables,
        Func<NoisyDifferentiator, int, int, NoisyGradient> row, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        int m = samples.Count, k = observables.Count, p = circuit.ParameterCount;
        var values = new double[m * k];
        var data = new double[(long)m * k * p];
        var inner = new NoisyDifferentiator(Noise, Backend, Options with { MaxThreads = 1 }, Trajectories, Seed, FiniteDifferenceStep);
        int done = 0;
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxThreads, CancellationToken = cancellationToken }, i =>
        {
            for (int o = 0; o < k; o++)
            {
                var g = row(inner, i, o);
                values[i * k + o] = g.Value;
                g.Gradient.CopyTo(data, (long)(i * k + o) * p);
            }
            progress?.Report(Interlocked.Increment(ref done));
        });
        return new JacobianResult(m, k, p, values, data, null);
    }

    /// <summary>
    /// ⟨O⟩ and ∂⟨O⟩/∂θ estimated from finite shots, as hardware would measure them: the exact parameter-shift rule (see
    /// the remarks), with every circuit's ⟨O⟩ (the unshifted one and each shifted one) estimated from
    /// <paramref name="shots"/> shots per non-identity term of O with the readout errors of <see cref="Noise"/>.
    /// The unshifted estimate draws its outcomes from stream 0 of <paramref name="seed"/>, shift term t of the c-th
    /// θ-dependent angle from stream 1 + 4c + t, so the result does not depend on threads. The estimates are unbiased
    /// for the readout-distorted values (exactly Tr(Oρ) and its gradient without readout error).
    /// <list type="bullet">
    /// <item><b>Density matrix:</b> each circuit's estimate is <see cref="DensityMatrixSimulator.EstimateExpectation"/>
    /// (shots drawn from the exact outcome distribution). Standard errors: SE(f̂) for the value and
    /// √(Σ (∂φ/∂θ_j)² c_t² SE_t²) per component.</item>
    /// <item><b>Trajectories:</b> each circuit's estimate is
    /// <see cref="TrajectorySimulator.EstimateExpectation"/> (trajectory seed <see cref="Seed"/>, outcome seed stream s of the seed):
    /// the N shots are split over min(T, N) trajectories, so every shot group sees its own noise realisation, as on
    /// hardware. The trajectories use <see cref="Seed"/> in every shifted circuit (common random numbers), so each
    /// trajectory gives one gradient sample and the standard errors are those of the per-trajectory samples; they cover
    /// the noise realisations and the shot noise together. Needs N ≥ 2.</item>
    /// </list>
    /// </summary>
    /// <param name="circuit">The circuit (noise of <see cref="Noise"/> is attached).</param>
    /// <param name="parameters">θ.</param>
    /// <param name="inputs">x.</param>
    /// <param name="observable">O.</param>
    /// <param name="shots">Shots per non-identity term of O per circuit (≥ 1).</param>
    /// <param name="seed">The seed of every random stream.</param>
    /// <param name="cancellationToken">Stops between circuits.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shots"/> below 1 (below 2 on trajectories), or a NaN or infinite value.</exception>
    /// <exception cref="ArgumentException">θ or x of the wrong length; an observable wider than the circuit.</exception>
    public NoisyGradient ValueAndGradientWithShots(Circuit circuit, ParameterValues parameters, InputValues inputs, PauliSum observable,
        int shots, ulong seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observable);
        if (Backend == NoisyBackend.Trajectories) TrajectorySimulator.ValidateShots(shots, Trajectories);
        else if (shots < 1) ThrowHelper.ArgumentOutOfRange(nameof(shots), shots, "at least 1 shot");
        if (observable.RequiredQubits > circuit.QubitCount)
            ThrowHelper.QubitCountMismatch(nameof(observable), "the observable", observable.RequiredQubits, circuit.QubitCount);
        var noisy = _density.WithNoise(circuit, Noise);
        Simulator.ValidateValues(noisy, parameters, inputs);
        if (Backend == NoisyBackend.Trajectories)
            return TrajectoryShift(noisy, parameters, inputs, (c, stream) => _trajectories.PerTrajectoryShots(c, parameters, inputs, observable, Noise,
                Trajectories, shots, Seed, SeededRandom.ForStream(seed, stream).NextUInt64(), cancellationToken));
        ShotEstimate Estimate(Circuit c, ulong stream)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rho = _density.Run(c, parameters, inputs);
            return _density.EstimateExpectation(rho, observable, shots, SeededRandom.ForStream(seed, stream).NextUInt64(), Noise);
        }
        var value = Estimate(noisy, 0);
        int p = noisy.ParameterCount;
        var gradient = new double[p];
        var variance = new double[p];
        var chain = new double[p];
        ulong occurrence = 0;
        foreach (var (op, k, rule) in Occurrences(noisy))
        {
            double d = 0, v = 0;
            for (int t = 0; t < rule.Length; t++)
            {
                var e = Estimate(Shifted(noisy, op, k, rule[t].Shift), 1 + 4 * occurrence + (ulong)t);
                d += rule[t].Coefficient * e.Estimate;
                v += rule[t].Coefficient * rule[t].Coefficient * e.StandardError * e.StandardError;
            }
            occurrence++;
            Array.Clear(chain);
            noisy.Operations[op].Angles[k].AccumulateGradient(parameters.Span, inputs.Span, 1.0, chain, default);
            for (int j = 0; j < p; j++)
            {
                if (chain[j] == 0) continue;
                gradient[j] += chain[j] * d;
                variance[j] += chain[j] * chain[j] * v;
            }
        }
        return new NoisyGradient(value.Estimate, value.StandardError, gradient, [.. variance.Select(Math.Sqrt)]);
    }

    /// <summary>
    /// The dataset Jacobian of k observables estimated from finite shots (<see cref="ValueAndGradientWithShots"/> per
    /// sample and observable), laid out as <see cref="Jacobian(Circuit, ParameterValues, IReadOnlyList{InputValues}, IReadOnlyList{PauliSum}, GradientMethod, IProgress{int}?, CancellationToken)"/>.
    /// Row i·k + o draws from the seed of stream i·k + o of <paramref name="seed"/>: bit-identical for any thread count.
    /// </summary>
    /// <exception cref="ArgumentException">No observables, or a sample of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shots"/> below 1 (below 2 on trajectories).</exception>
    public JacobianResult JacobianWithShots(Circuit circuit, ParameterValues parameters, IReadOnlyList<InputValues> samples, IReadOnlyList<PauliSum> observables,
        int shots, ulong seed, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(observables);
        if (observables.Count == 0) throw new ArgumentException("at least one observable is required.", nameof(observables));
        if (Backend == NoisyBackend.Trajectories) TrajectorySimulator.ValidateShots(shots, Trajectories);
        else if (shots < 1) ThrowHelper.ArgumentOutOfRange(nameof(shots), shots, "at least 1 shot");
        int k = observables.Count;
        return DatasetJacobian(circuit, samples, observables, (inner, i, o) => inner.ValueAndGradientWithShots(circuit, parameters, samples[i], observables[o],
            shots, SeededRandom.ForStream(seed, (ulong)(i * k + o)).NextUInt64(), cancellationToken), progress, cancellationToken);
    }

    // ---- density matrix: adjoint ------------------------------------------------------------------------------

    private NoisyGradient DensityAdjoint(Circuit noisy, ParameterValues parameters, InputValues inputs, PauliSum observable, CancellationToken ct)
    {
        int n = noisy.QubitCount;
        var plan = _density.Plan(noisy);
        var theta = parameters.Span;
        var x = inputs.Span;
        var items = plan.Items;
        var programs = new CircuitProgram?[items.Length];
        var angles = new double[items.Length][];
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i].Segment is null) continue;
            programs[i] = plan.DoubledProgram(items[i]);
            angles[i] = Simulator.Bind(programs[i]!, parameters, inputs);
        }

        // Forward, keeping ρ before every channel (the state after each segment ends there).
        var rho = DensityMatrix.Zero(n);
        var saved = new Complex[items.Length][];
        for (int i = 0; i < items.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            var item = items[i];
            if (item.Segment is not null)
            {
                Executor.Run(programs[i]!, angles[i], rho.Data, Options);
                continue;
            }
            saved[i] = (Complex[])rho.Data.Clone();
            ApplyChannel(plan, item, rho.Data, n, adjoint: false);
        }
        double value = _density.Expectation(rho, observable);

        // σ = vec(O); backwards through every item.
        var sigma = DensityOperations.VecObservable(observable, n);
        var gradient = new double[noisy.ParameterCount];
        Span<double> noInputs = default;
        for (int i = items.Length - 1; i >= 0; i--)
        {
            ct.ThrowIfCancellationRequested();
            var item = items[i];
            if (item.Segment is null)
            {
                // ρ before the channel is the state after the previous segment.
                saved[i].CopyTo(rho.Data, 0);
                ApplyChannel(plan, item, sigma, n, adjoint: true);
                continue;
            }
            var steps = programs[i]!.Steps;
            var a = angles[i];
            for (int s = steps.Length - 1; s >= 0; s--)
            {
                var step = steps[s];
                double angle = step.AngleSlot >= 0 ? a[step.AngleSlot] : 0.0;
                if (step.Angle is { IsConstant: false })
                {
                    double d = 0.5 * StateOperations.StepDerivative(step, sigma, rho.Data, Options);
                    if (d != 0) step.Angle.AccumulateGradient(theta, x, d, gradient, noInputs);
                }
                Executor.Apply(step, angle, rho.Data, Options, inverse: true);
                Executor.Apply(step, angle, sigma, Options, inverse: true);
            }
        }
        return new NoisyGradient(value, 0, gradient, new double[gradient.Length]);
    }

    private void ApplyChannel(NoisyPlan plan, NoisyPlan.Item item, Complex[] data, int n, bool adjoint)
    {
        var step = plan.SuperoperatorStep(item);
        // The global depolarizing map is self-adjoint: (1 − p)σ + p·I_S/d ⊗ Tr_S σ.
        if (step is null) DensityOperations.GlobalDepolarize(item.TargetMask, item.Channel!.Channel!.Parameters[0], data, n);
        else Executor.Apply(step, 0, data, Options, inverse: adjoint);
    }

    // ---- parameter shift -------------------------------------------------------------------------------------

    /// <summary>Every (operation, angle) whose angle depends on θ, with its shift rule (angles of data inputs alone are skipped).</summary>
    private static IEnumerable<(int Op, int AngleIndex, (double Shift, double Coefficient)[] Rule)> Occurrences(Circuit noisy)
    {
        for (int i = 0; i < noisy.Operations.Length; i++)
        {
            var op = noisy.Operations[i];
            for (int k = 0; k < op.Angles.Length; k++)
            {
                if (op.Angles[k].IsConstant) continue;
                if (op.Angles[k].ParameterExtent() == 0) continue; // data inputs only: no θ-gradient, no shifted circuits to spend shots on
                if (op.Kind == GateKind.GlobalPhase && op.Controls.IsEmpty) continue; // no effect on ⟨O⟩
                yield return (i, k, op.Controls.IsEmpty
                    ? [(Math.PI / 2, 0.5), (-Math.PI / 2, -0.5)]
                    : [(Math.PI / 2, CPlus), (-Math.PI / 2, -CPlus), (3 * Math.PI / 2, -CMinus), (-3 * Math.PI / 2, CMinus)]);
            }
        }
    }

    private static Circuit Shifted(Circuit noisy, int op, int angleIndex, double shift)
    {
        var o = noisy.Operations[op];
        var angles = o.Angles.SetItem(angleIndex, o.Angles[angleIndex] + Angle.Constant(shift));
        var ops = noisy.Operations.SetItem(op, o.WithAngles(angles));
        return new Circuit(noisy.QubitCount, ops, noisy.ParameterNames, noisy.InputNames, noisy.MeasuredQubits);
    }

    private NoisyGradient DensityShift(Circuit noisy, ParameterValues parameters, InputValues inputs, PauliSum observable, CancellationToken ct)
    {
        double value = _density.Expectation(_density.Run(noisy, parameters, inputs), observable);
        var gradient = new double[noisy.ParameterCount];
        foreach (var (op, k, rule) in Occurrences(noisy))
        {
            double d = 0;
            foreach (var (shift, c) in rule)
            {
                ct.ThrowIfCancellationRequested();
                var shifted = Shifted(noisy, op, k, shift);
                d += c * _density.Expectation(_density.Run(shifted, parameters, inputs), observable);
            }
            noisy.Operations[op].Angles[k].AccumulateGradient(parameters.Span, inputs.Span, d, gradient, default);
        }
        return new NoisyGradient(value, 0, gradient, new double[gradient.Length]);
    }

    private NoisyGradient DensityFiniteDifference(Circuit noisy, ParameterValues parameters, InputValues inputs, PauliSum observable, CancellationToken ct)
    {
        double value = _density.Expectation(_density.Run(noisy, parameters, inputs), observable);
        double h = FiniteDifferenceStep;
        var theta = parameters.Span.ToArray();
        var gradient = new double[theta.Length];
        for (int j = 0; j < theta.Length; j++)
        {
            ct.ThrowIfCancellationRequested();
            double v = theta[j];
            theta[j] = v + h;
            double fp = _density.Expectation(_density.Run(noisy, ParameterValues.Of(theta), inputs), observable);
            theta[j] = v - h;
            double fm = _density.Expectation(_density.Run(noisy, ParameterValues.Of(theta), inputs), observable);
            theta[j] = v;
            gradient[j] = (fp - fm) / (2 * h);
        }
        return new NoisyGradient(value, 0, gradient, new double[gradient.Length]);
    }

    /// <summary>
    /// Parameter shift on trajectories: <paramref name="perTrajectory"/>(circuit, stream) gives one estimate per
    /// trajectory (exact ⟨ψ_t|O|ψ_t⟩, or the shot estimate z_t), the unshifted circuit on stream 0 and shift term t of the
    /// c-th θ-dependent angle on stream 1 + 4c + t. Every circuit runs the same trajectory seeds (common random
    /// numbers), so g_t = Σ (∂φ/∂θ) Σ c·f_t(shifted) is one independent gradient sample per trajectory.
    /// </summary>
    private static NoisyGradient TrajectoryShift(Circuit noisy, ParameterValues parameters, InputValues inputs, Func<Circuit, ulong, double[]> perTrajectory)
    {
        int p = noisy.ParameterCount;
        var baseValues = perTrajectory(noisy, 0);
        int nt = baseValues.Length;
        var samples = new double[(long)nt * p];
        var chain = new double[p];
        ulong occurrence = 0;
        foreach (var (op, k, rule) in Occurrences(noisy))
        {
            Array.Clear(chain);
            noisy.Operations[op].Angles[k].AccumulateGradient(parameters.Span, inputs.Span, 1.0, chain, default);
            var combined = new double[nt];
            for (int s = 0; s < rule.Length; s++)
            {
                var f = perTrajectory(Shifted(noisy, op, k, rule[s].Shift), 1 + 4 * occurrence + (ulong)s);
                for (int t = 0; t < nt; t++) combined[t] += rule[s].Coefficient * f[t];
            }
            occurrence++;
            for (int j = 0; j < p; j++)
            {
                if (chain[j] == 0) continue;
                for (int t = 0; t < nt; t++) samples[(long)t * p + j] += chain[j] * combined[t];
            }
        }
        var (gradient, errors) = TrajectorySimulator.MeansAndStandardErrors(samples, nt, p);
        var (value, valueError) = TrajectorySimulator.MeansAndStandardErrors(baseValues, nt, 1);
        return new NoisyGradient(value[0], valueError[0], gradient, errors);
    }
}
