using System.Numerics;
using System.Runtime.CompilerServices;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Simulation;

/// <summary>Trajectory estimates of expectations: mean over trajectories and its standard error, per observable.</summary>
/// <param name="Values">⟨O_o⟩ estimated as the mean of ⟨ψ_t|O_o|ψ_t⟩ over the trajectories t.</param>
/// <param name="StandardErrors">s_o/√N with s_o the sample standard deviation over trajectories.</param>
/// <param name="Trajectories">N, the number of trajectories.</param>
public sealed record TrajectoryEstimate(double[] Values, double[] StandardErrors, int Trajectories);

/// <summary>
/// Noisy simulation by quantum trajectories (Monte-Carlo wave functions) on state vectors: each trajectory runs the
/// circuit on a pure state and, at every channel, applies one Kraus operator K_i chosen with probability
/// p_i = ‖K_i ψ‖², then renormalises; averages over trajectories converge to the density-matrix results with standard
/// errors ∝ 1/√N. Memory is one state vector per worker thread, so trajectories reach the statevector's qubit counts.
/// </summary>
/// <remarks>
/// <para>Channels that are mixtures of Pauli strings (Pauli, depolarizing, bit and phase flip, global depolarizing) draw
/// their Pauli string with its fixed probability and cost one Pauli pass at most; general channels compute the reduced
/// density matrix σ of their k ≤ 3 qubits in one pass, take p_i = Tr(K_i σ K_i†) and apply K_i/√p_i (qsim's
/// <c>qtrajectory.h</c> scheme, without its extra state copy).</para>
/// <para>Reproducibility: trajectory t draws only from <c>SeededRandom.ForStream(seed, t)</c>, trajectories are summed
/// in index order, and every state update is bit-identical for any thread count, so results are bit-identical for a
/// seed on any thread count. Small states run trajectories in parallel (one per worker); states of at least
/// <see cref="SimulationOptions.ParallelThresholdQubits"/> qubits run one trajectory at a time with threaded kernels.</para>
/// </remarks>
public sealed class TrajectorySimulator
{
    private readonly Simulator _unitary;
    private readonly Simulator _serial;
    private readonly ConditionalWeakTable<Circuit, NoisyPlan> _plans = new();
    private readonly ConditionalWeakTable<Circuit, ConditionalWeakTable<NoiseModel, Circuit>> _noisy = new();

    /// <summary>Creates a simulator with <paramref name="options"/> (default <see cref="SimulationOptions.Default"/>).</summary>
    /// <exception cref="NotSupportedException">The options ask for <see cref="Precision.Single"/>: trajectories run in complex128 only.</exception>
    public TrajectorySimulator(SimulationOptions? options = null)
    {
        Options = options ?? SimulationOptions.Default;
        if (Options.Precision != Precision.Double)
            throw new NotSupportedException($"trajectories run in double precision only; the options ask for {Options.Precision} precision.");
        _unitary = new Simulator(Options);
        _serial = new Simulator(Options with { MaxThreads = 1 });
    }

    /// <summary>The options every call uses.</summary>
    public SimulationOptions Options { get; }

    private Circuit WithNoise(Circuit circuit, NoiseModel? noise)
    {
        if (noise is null || noise.IsIdeal) return circuit;
        return _noisy.GetValue(circuit, _ => new()).GetValue(noise, m => m.ApplyTo(circuit));
    }

    /// <summary>
    /// Estimates ⟨O_o⟩ for every observable from <paramref name="trajectories"/> trajectories of the circuit with its own
    /// channels and those of <paramref name="noise"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 trajectories, a NaN or infinite value, or a noise rule outside the circuit.</exception>
    /// <exception cref="ArgumentException">θ or x has the wrong length, or no observables.</exception>
    /// <exception cref="QubitCountMismatchException">An observable wider than the circuit.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (checked between trajectories).</exception>
    public TrajectoryEstimate Estimate(Circuit circuit, ParameterValues parameters, InputValues inputs, IReadOnlyList<PauliSum> observables,
        NoiseModel? noise, int trajectories, ulong seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observables);
        if (observables.Count == 0) throw new ArgumentException("at least one observable is required.", nameof(observables));
        if (trajectories < 2) ThrowHelper.ArgumentOutOfRange(nameof(trajectories), trajectories, $"2..{int.MaxValue} trajectories (a standard error needs two)");
        foreach (var o in observables)
        {
            ArgumentNullException.ThrowIfNull(o, nameof(observables));
            if (o.RequiredQubits > circuit.QubitCount)
                ThrowHelper.QubitCountMismatch(nameof(observables), "the observable", o.RequiredQubits, circuit.QubitCount);
        }
        var noisy = WithNoise(circuit, noise);
        Simulator.ValidateValues(noisy, parameters, inputs);
        int k = observables.Count;
        var perTrajectory = RunAll(noisy, parameters, inputs, observables, trajectories, seed, cancellationToken);

        var (values, errors) = MeansAndStandardErrors(perTrajectory, trajectories, k);
        return new TrajectoryEstimate(values, errors, trajectories);
    }

    /// <summary>
    /// Per column o of a trajectory-major table (value of trajectory t, column o at t·columns + o): the mean over
    /// trajectories, summed in trajectory order, and its standard error s/√N.
    /// </summary>
    internal static (double[] Means, double[] StandardErrors) MeansAndStandardErrors(double[] table, int trajectories, int columns)
    {
        var means = new double[columns];
        var errors = new double[columns];
        for (int o = 0; o < columns; o++)
        {
            double mean = 0;
            for (int t = 0; t < trajectories; t++) mean += table[(long)t * columns + o];
            mean /= trajectories;
            double ss = 0;
            for (int t = 0; t < trajectories; t++)
            {
                double d = table[(long)t * columns + o] - mean;
                ss += d * d;
            }
            means[o] = mean;
            errors[o] = Math.Sqrt(ss / (trajectories - 1) / trajectories);
        }
        return (means, errors);
    }

    /// <summary>⟨ψ_t|O|ψ_t⟩ for every trajectory t of an already noisy, validated circuit (gradients combine these per trajectory).</summary>
    internal double[] PerTrajectory(Circuit noisy, ParameterValues parameters, InputValues inputs, PauliSum observable, int trajectories, ulong seed,
        CancellationToken cancellationToken) => RunAll(noisy, parameters, inputs, [observable], trajectories, seed, cancellationToken);

    /// <summary>
    /// Estimates ⟨O⟩ from finite shots on trajectories, as hardware would measure it: every shot sees its own noise
    /// realisation. Each non-identity term of O is measured with <paramref name="shotsPerTerm"/> shots after rotating
    /// its qubits to the Z basis (H for X, S†H for Y), with the readout errors of <paramref name="noise"/> applied. The
    /// N shots of a term are split over T' = min(T, N) trajectories (trajectory t measures N_t = ⌊N/T'⌋ shots, one more
    /// for t below N mod T'), so the estimate f̂ = Σ_t z_t / T' with z_t = Σ_terms c·(T'/N)·S_t (S_t the sum of the term's
    /// ±1 outcomes in trajectory t) is unbiased for the readout-distorted value. Its standard error is the one of the
    /// z_t (independent over trajectories): it covers the noise realisations and the shot noise together.
    /// Trajectory t draws its channels from stream t of <paramref name="seed"/> (the same trajectories as
    /// <see cref="Estimate"/>) and its outcomes from a second family of streams, so results do not depend on threads.
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ.</param>
    /// <param name="inputs">x.</param>
    /// <param name="observable">O.</param>
    /// <param name="noise">The noise model (channels and readout errors), or null.</param>
    /// <param name="shotsPerTerm">N, shots per non-identity term (at least 2).</param>
    /// <param name="trajectories">T, at least 2.</param>
    /// <param name="seed">The seed of the trajectories (and of the outcomes unless <paramref name="outcomeSeed"/> is given).</param>
    /// <param name="cancellationToken">Checked between trajectories.</param>
    /// <param name="outcomeSeed">The seed of the measurement outcomes (term k of trajectory t draws from its stream
    /// t·terms + k); null: derived from <paramref name="seed"/>. <see cref="Gradients.NoisyDifferentiator.ValueAndGradientWithShots"/>
    /// estimates its unshifted value with stream 0 of its seed here, so the same value can be drawn alone.</param>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 shots or trajectories, a NaN or infinite value.</exception>
    /// <exception cref="ArgumentException">θ or x has the wrong length.</exception>
    /// <exception cref="QubitCountMismatchException">An observable wider than the circuit.</exception>
    public ShotEstimate EstimateExpectation(Circuit circuit, ParameterValues parameters, InputValues inputs, PauliSum observable, NoiseModel? noise,
        int shotsPerTerm, int trajectories, ulong seed, CancellationToken cancellationToken = default, ulong? outcomeSeed = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(observable);
        ValidateShots(shotsPerTerm, trajectories);
        if (observable.RequiredQubits > circuit.QubitCount)
            ThrowHelper.QubitCountMismatch(nameof(observable), "the observable", observable.RequiredQubits, circuit.QubitCount);
        var noisy = WithNoise(circuit, noise);
        Simulator.ValidateValues(noisy, parameters, inputs);
        var z = PerTrajectoryShots(noisy, parameters, inputs, observable, noise, trajectories, shotsPerTerm, seed,
            outcomeSeed ?? SeededRandom.ForStream(seed ^ OutcomeStreams, 0).NextUInt64(), cancellationToken);
        var (mean, error) = MeansAndStandardErrors(z, z.Length, 1);
        long terms = observable.Terms.Count(term => !term.Pauli.IsIdentity);
        return new ShotEstimate(mean[0], error[0], terms * shotsPerTerm);
    }

    /// <summary>Mixed into a seed for the outcome streams, so they differ from the trajectories' channel streams.</summary>
    private const ulong OutcomeStreams = 0x5A17_0000_0000_0000UL;

    /// <summary>Throws unless N ≥ 2 shots and T ≥ 2 trajectories (a standard error needs two trajectories).</summary>
    internal static void ValidateShots(int shotsPerTerm, int trajectories)
    {
        if (shotsPerTerm < 2) ThrowHelper.ArgumentOutOfRange(nameof(shotsPerTerm), shotsPerTerm, $"2..{int.MaxValue} shots on trajectories (the shots are split over trajectories, and a standard error needs two)");
        if (trajectories < 2) ThrowHelper.ArgumentOutOfRange(nameof(trajectories), trajectories, $"2..{int.MaxValue} trajectories (a standard error needs two)");
    }

    /// <summary>
    /// z_t of <see cref="EstimateExpectation"/>
    /// for t &lt; min(T, N) of an already noisy, validated circuit: channels from stream t of <paramref name="seed"/>
    /// (common to every circuit that shares the seed), outcomes of term k from stream t·terms + k of
    /// <paramref name="outcomeSeed"/>.
    /// </summary>
    internal double[] PerTrajectoryShots(Circuit noisy, ParameterValues parameters, InputValues inputs, PauliSum observable, NoiseModel? noise,
        int trajectories, int shotsPerTerm, ulong seed, ulong outcomeSeed, CancellationToken cancellationToken)
    {
        var plan = _plans.GetValue(noisy, NoisyPlan.Build);
        int used = Math.Min(trajectories, shotsPerTerm);
        var z = new double[used];
        double[] theta = parameters.Span.ToArray(), x = inputs.Span.ToArray();
        bool inner = noisy.QubitCount >= Options.ParallelThresholdQubits || Options.MaxThreads == 1;
        int workers = inner ? 1 : Math.Min(Options.MaxThreads, used);
        var sim = inner ? _unitary : _serial;
        int next = -1;
        var po = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken };
        Parallel.For(0, workers, po, _ =>
        {
            var state = StateVector.Zero(noisy.QubitCount);
            StateVector? rotated = null;
            int t;
            while ((t = Interlocked.Increment(ref next)) < used)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RunOne(plan, theta, x, state, seed, t, sim);
                long share = shotsPerTerm / used + (t < shotsPerTerm % used ? 1 : 0);
                double scale = (double)used / shotsPerTerm, sum = 0;
                var terms = observable.Terms;
                for (int k = 0; k < terms.Length; k++)
                {
                    var term = terms[k];
                    if (term.Pauli.IsIdentity)
                    {
                        sum += term.Coefficient;
                        continue;
                    }
                    var measured = state;
                    if (!term.Pauli.IsDiagonal)
                    {
                        rotated ??= state.Clone();
                        rotated.CopyFrom(state);
                        Sampling.RotateToZBasis(sim, term.Pauli, rotated);
                        measured = rotated;
                    }
                    var p = measured.Probabilities();
                    if (noise is { HasReadoutError: true }) noise.ApplyReadout(p);
                    ulong support = term.Pauli.XMask | term.Pauli.ZMask;
                    long parity = 0;
                    var rng = SeededRandom.ForStream(outcomeSeed, (ulong)t * (ulong)terms.Length + (ulong)k);
                    foreach (var (outcome, c) in ProbabilitySampling.Multinomial(p, share, rng))
                        parity += (BitOperations.PopCount((ulong)outcome & support) & 1) == 0 ? c : -c;
                    sum += term.Coefficient * scale * parity;
                }
                z[t] = sum;
            }
        });
        return z;
    }

    /// <summary>Runs every trajectory; returns the values trajectory-major (t·k + o).</summary>
    private double[] RunAll(Circuit noisy, ParameterValues parameters, InputValues inputs, IReadOnlyList<PauliSum> observables, int trajectories,
        ulong seed, CancellationToken cancellationToken)
    {
        var plan = _plans.GetValue(noisy, NoisyPlan.Build);
        int k = observables.Count;
        var perTrajectory = new double[(long)trajectories * k];
        double[] theta = parameters.Span.ToArray(), x = inputs.Span.ToArray();
        bool inner = noisy.QubitCount >= Options.ParallelThresholdQubits || Options.MaxThreads == 1;
        if (inner)
        {
            var state = StateVector.Zero(noisy.QubitCount);
            for (int t = 0; t < trajectories; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RunOne(plan, theta, x, state, seed, t, _unitary);
                for (int o = 0; o < k; o++) perTrajectory[(long)t * k + o] = _unitary.Expectation(state, observables[o]);
            }
            return perTrajectory;
        }
        int workers = Math.Min(Options.MaxThreads, trajectories);
        int next = -1;
        var po = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken };
        Parallel.For(0, workers, po, _ =>
        {
            var state = StateVector.Zero(noisy.QubitCount);
            int t;
            while ((t = Interlocked.Increment(ref next)) < trajectories)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RunOne(plan, theta, x, state, seed, t, _serial);
                for (int o = 0; o < k; o++) perTrajectory[(long)t * k + o] = _serial.Expectation(state, observables[o]);
            }
        });
        return perTrajectory;
    }

    /// <summary>One trajectory's final pure state: trajectory <paramref name="index"/> of <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative index, a NaN or infinite value.</exception>
    public StateVector RunTrajectory(Circuit circuit, ParameterValues parameters, InputValues inputs, NoiseModel? noise, ulong seed, long index)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (index < 0) ThrowHelper.ArgumentOutOfRange(nameof(index), index, "a trajectory index ≥ 0");
        var noisy = WithNoise(circuit, noise);
        Simulator.ValidateValues(noisy, parameters, inputs);
        var plan = _plans.GetValue(noisy, NoisyPlan.Build);
        var state = StateVector.Zero(circuit.QubitCount);
        RunOne(plan, parameters.Span.ToArray(), inputs.Span.ToArray(), state, seed, index, _unitary);
        return state;
    }

    /// <summary>
    /// Draws <paramref name="shots"/> measurements of every qubit, one trajectory per shot group: trajectory t gives
    /// ⌈shots/trajectories⌉ or ⌊shots/trajectories⌋ shots from its final state, readout errors applied per trajectory.
    /// </summary>
    public SortedDictionary<long, long> Sample(Circuit circuit, ParameterValues parameters, InputValues inputs, NoiseModel? noise,
        long shots, int trajectories, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (shots < 1) ThrowHelper.ArgumentOutOfRange(nameof(shots), shots, "at least 1 shot");
        if (trajectories < 1) ThrowHelper.ArgumentOutOfRange(nameof(trajectories), trajectories, "at least 1 trajectory");
        var noisy = WithNoise(circuit, noise);
        Simulator.ValidateValues(noisy, parameters, inputs);
        var plan = _plans.GetValue(noisy, NoisyPlan.Build);
        var state = StateVector.Zero(circuit.QubitCount);
        var total = new SortedDictionary<long, long>();
        double[] theta = parameters.Span.ToArray(), x = inputs.Span.ToArray();
        long used = Math.Min(trajectories, shots);
        for (long t = 0; t < used; t++)
        {
            RunOne(plan, theta, x, state, seed, t, _unitary);
            var p = state.Probabilities();
            if (noise is { HasReadoutError: true }) noise.ApplyReadout(p);
            long share = shots / used + (t < shots % used ? 1 : 0);
            foreach (var (outcome, c) in ProbabilitySampling.Multinomial(p, share, SeededRandom.ForStream(seed ^ 0x5A17_0000_0000_0000UL, (ulong)t)))
                total[outcome] = (total.TryGetValue(outcome, out long prior) ? prior : 0) + c;
        }
        return total;
    }

    /// <summary>Runs trajectory <paramref name="index"/> on <paramref name="state"/> (reset to |0…0⟩ first).</summary>
    private static void RunOne(NoisyPlan plan, double[] theta, double[] x, StateVector state, ulong seed, long index, Simulator sim)
    {
        state.SetZero();
        var rng = SeededRandom.ForStream(seed, (ulong)index);
        var thetaV = ParameterValues.Of(theta);
        var xV = InputValues.Of(x);
        Span<Complex> sigma = stackalloc Complex[64];
        Span<double> probsBuffer = stackalloc double[64];
        foreach (var item in plan.Items)
        {
            if (item.Segment is not null)
            {
                sim.Apply(item.Segment, thetaV, xV, state);
                continue;
            }
            var channel = item.Channel!.Channel!;
            double u = rng.NextDouble();
            if (channel.Kind == NoiseChannelKind.GlobalDepolarizing)
            {
                double p = channel.Parameters[0];
                if (u >= p) continue;
                // A uniformly random Pauli string on the channel's qubits (identity included).
                ulong xm = 0, zm = 0;
                foreach (int q in item.Targets)
                {
                    ulong r = rng.NextUInt64();
                    if ((r & 1) != 0) xm |= 1UL << q;
                    if ((r & 2) != 0) zm |= 1UL << q;
                }
                ApplyPauli(xm, zm, state, sim.Options);
                continue;
            }
            if (channel.PauliMixture is { } mixture)
            {
                double acc = 0;
                foreach (var (p, lx, lz) in mixture)
                {
                    acc += p;
                    if (u < acc)
                    {
                        ApplyPauli(Spread(lx, item.Targets), Spread(lz, item.Targets), state, sim.Options);
                        break;
                    }
                }
                continue;
            }
            // General channel: p_i = Tr(K_i σ K_i†) from the reduced density matrix σ of the targets.
            int d = 1 << item.Targets.Length;
            NoiseKernels.ReducedDensity(state.Data, item.Targets, sigma);
            var kraus = channel.KrausRowMajor;
            Span<double> probs = kraus.Length <= 64 ? probsBuffer[..kraus.Length] : new double[kraus.Length];
            int chosen = -1, lastPositive = -1;
            double cumulative = 0;
            for (int i = 0; i < kraus.Length; i++)
            {
                probs[i] = KrausProbability(kraus[i], sigma, d);
                if (probs[i] > 0) lastPositive = i;
                cumulative += probs[i];
                if (chosen < 0 && u < cumulative && probs[i] > 0) chosen = i;
            }
            if (chosen < 0) chosen = lastPositive; // u beyond the rounded total
            Executor.Apply(plan.KrausSteps(item)[chosen], 0, state.Data, sim.Options, inverse: false);
            ScaleState(state, 1 / Math.Sqrt(probs[chosen]), sim.Options);
        }
    }

    /// <summary>Tr(K σ K†) = Σ_a Σ_{b,c} K_{ab} σ_{bc} conj(K_{ac}).</summary>
    private static double KrausProbability(Complex[] k, ReadOnlySpan<Complex> sigma, int d)
    {
        double p = 0;
        for (int a = 0; a < d; a++)
        {
            Complex row = Complex.Zero;
            for (int b = 0; b < d; b++)
            {
                if (k[a * d + b] == Complex.Zero) continue;
                for (int c = 0; c < d; c++) row += k[a * d + b] * sigma[b * d + c] * Complex.Conjugate(k[a * d + c]);
            }
            p += row.Real;
        }
        return Math.Max(p, 0);
    }

    private static ulong Spread(ulong local, int[] targets)
    {
        ulong m = 0;
        for (int j = 0; j < targets.Length; j++)
            if ((local >> j & 1) != 0) m |= 1UL << targets[j];
        return m;
    }

    private static void ApplyPauli(ulong x, ulong z, StateVector state, SimulationOptions options)
    {
        if ((x | z) == 0) return;
        var p = new Primitive { Kind = PrimitiveKind.Pauli, XMask = x, ZMask = z, YCount = BitOperations.PopCount(x & z) };
        Executor.Apply(p, 0, state.Data, options, inverse: false);
    }

    private static void ScaleState(StateVector state, double scale, SimulationOptions options)
    {
        var p = new Primitive { Kind = PrimitiveKind.Diagonal1, Target0 = 0, Matrix = [scale, scale] };
        Executor.Apply(p, 0, state.Data, options, inverse: false);
    }
}
