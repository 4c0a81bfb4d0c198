using System.Numerics;
using System.Runtime.CompilerServices;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Simulation;

/// <summary>
/// Exact noisy simulation on density matrices: ρ ↦ U ρ U† for gates and ρ ↦ Σ_i K_i ρ K_i† for channels, with
/// exact expectations Tr(Oρ), outcome probabilities (with readout error), sampling, purity, fidelity and partial traces
/// (<see cref="DensityMatrix"/>). Thread-safe like <see cref="Simulator"/>.
/// </summary>
/// <remarks>
/// vec(ρ) is a state vector on 2n qubits, so gates run through the statevector lowering, fusion, SIMD kernels and threads
/// unchanged: U on qubits 0..n−1 and conj(U) on n..2n−1 (QuEST v4's density-matrix design). A k-qubit channel is one
/// dense step with its superoperator Σ K ⊗ conj(K) on (targets, targets + n); the global depolarizing channel has its own
/// kernel. Cost: a gate costs two statevector gates on 2n qubits; memory 16·4^n bytes (checked before allocation).
/// Results are bit-identical for any thread count.
/// </remarks>
/// <example>
/// <code>
/// var noise = NoiseModelParser.ParseSpec("depolarizing=0.01");
/// var dm = new DensityMatrixSimulator();
/// DensityMatrix rho = dm.Run(circuit, theta, x, noise);
/// double z0 = dm.Expectation(rho, PauliSum.Parse("Z0"));
/// </code>
/// </example>
public sealed class DensityMatrixSimulator
{
    private readonly ConditionalWeakTable<Circuit, NoisyPlan> _plans = new();
    private readonly ConditionalWeakTable<Circuit, ConditionalWeakTable<NoiseModel, Circuit>> _noisy = new();

    /// <summary>Creates a simulator with <paramref name="options"/> (default <see cref="SimulationOptions.Default"/>).</summary>
    /// <exception cref="NotSupportedException">The options ask for <see cref="Precision.Single"/>: density matrices are complex128 only.</exception>
    public DensityMatrixSimulator(SimulationOptions? options = null)
    {
        Options = options ?? SimulationOptions.Default;
        if (Options.Precision != Precision.Double)
            throw new NotSupportedException($"density matrices run in double precision only; the options ask for {Options.Precision} precision.");
    }

    /// <summary>The options every call uses.</summary>
    public SimulationOptions Options { get; }

    /// <summary>The circuit with <paramref name="noise"/>'s channels inserted (cached per circuit and model).</summary>
    internal Circuit WithNoise(Circuit circuit, NoiseModel? noise)
    {
        if (noise is null || noise.IsIdeal) return circuit;
        return _noisy.GetValue(circuit, _ => new()).GetValue(noise, m => m.ApplyTo(circuit));
    }

    internal NoisyPlan Plan(Circuit circuit) => _plans.GetValue(circuit, NoisyPlan.Build);

    /// <summary>Runs <paramref name="circuit"/> (with its own channels and those of <paramref name="noise"/>) on |0…0⟩⟨0…0|.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than <see cref="DensityMatrix.MaxQubits"/> qubits, a NaN or infinite value, or a noise rule on a qubit outside the circuit.</exception>
    /// <exception cref="ArgumentException">θ or x has the wrong length.</exception>
    /// <exception cref="InsufficientMemoryForStateException">16·4^n bytes are not available.</exception>
    public DensityMatrix Run(Circuit circuit, ParameterValues parameters, InputValues inputs, NoiseModel? noise = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var noisy = WithNoise(circuit, noise);
        Simulator.ValidateValues(noisy, parameters, inputs);
        var rho = DensityMatrix.Zero(circuit.QubitCount);
        ApplyValidated(noisy, parameters, inputs, rho);
        return rho;
    }

    /// <summary>Applies ρ ← 𝓔(ρ) for the circuit and noise model, in place. Everything is validated and every angle
    /// evaluated before ρ changes.</summary>
    /// <exception cref="QubitCountMismatchException">The circuit's width differs from ρ's.</exception>
    public void Apply(Circuit circuit, ParameterValues parameters, InputValues inputs, DensityMatrix rho, NoiseModel? noise = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(rho);
        if (circuit.QubitCount != rho.QubitCount)
            ThrowHelper.QubitCountMismatch(nameof(circuit), "the circuit", circuit.QubitCount, rho.QubitCount);
        var noisy = WithNoise(circuit, noise);
        Simulator.ValidateValues(noisy, parameters, inputs);
        ApplyValidated(noisy, parameters, inputs, rho);
    }

    private void ApplyValidated(Circuit noisy, ParameterValues parameters, InputValues inputs, DensityMatrix rho)
    {
        var plan = Plan(noisy);
        int n = noisy.QubitCount;
        // Bind every segment's angles first, so a non-finite angle throws before ρ changes.
        var bound = new double[plan.Items.Length][];
        for (int i = 0; i < plan.Items.Length; i++)
        {
            var item = plan.Items[i];
            if (item.Segment is null) continue;
            bound[i] = Simulator.Bind(plan.DoubledProgram(item), parameters, inputs);
        }
        for (int i = 0; i < plan.Items.Length; i++)
        {
            var item = plan.Items[i];
            if (item.Segment is not null)
            {
                Executor.Run(plan.DoubledProgram(item), bound[i], rho.Data, Options);
                continue;
            }
            var step = plan.SuperoperatorStep(item);
            if (step is null) DensityOperations.GlobalDepolarize(item.TargetMask, item.Channel!.Channel!.Parameters[0], rho.Data, n);
            else Executor.Apply(step, 0, rho.Data, Options, inverse: false);
        }
    }

    /// <summary>Exact Tr(Oρ) = Σ_k c_k Tr(P_k ρ) of a Pauli sum.</summary>
    /// <exception cref="QubitCountMismatchException">O names a qubit beyond ρ.</exception>
    public double Expectation(DensityMatrix rho, PauliSum observable)
    {
        ArgumentNullException.ThrowIfNull(rho);
        ArgumentNullException.ThrowIfNull(observable);
        if (observable.RequiredQubits > rho.QubitCount)
            ThrowHelper.QubitCountMismatch(nameof(observable), "the observable", observable.RequiredQubits, rho.QubitCount);
        double sum = 0;
        foreach (var t in observable.Terms)
            sum += t.Coefficient * DensityOperations.ExpectationPauli(t.Pauli.XMask, t.Pauli.ZMask, t.Pauli.YCount, rho.Data, rho.QubitCount);
        return sum;
    }

    /// <summary>Measured outcome probabilities: ρ_{kk}, then the readout errors of <paramref name="noise"/> (if any).</summary>
    public double[] Probabilities(DensityMatrix rho, NoiseModel? noise = null)
    {
        ArgumentNullException.ThrowIfNull(rho);
        var p = rho.Probabilities();
        if (noise is { HasReadoutError: true }) noise.ApplyReadout(p);
        return p;
    }

    /// <summary>
    /// Estimates ⟨O⟩ as hardware would, like <see cref="Simulator.EstimateExpectation"/>: each non-identity term is
    /// measured with <paramref name="shotsPerTerm"/> shots of its own after rotating its qubits to the Z basis (H for X,
    /// S†H for Y), with the readout errors of <paramref name="noise"/> applied to the outcomes, so the estimate converges
    /// to the readout-distorted value, not to Tr(Oρ). Term k draws from stream k of <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shotsPerTerm"/> is below 1.</exception>
    /// <exception cref="QubitCountMismatchException">O names a qubit beyond ρ.</exception>
    public ShotEstimate EstimateExpectation(DensityMatrix rho, PauliSum observable, int shotsPerTerm, ulong seed, NoiseModel? noise = null)
    {
        ArgumentNullException.ThrowIfNull(rho);
        ArgumentNullException.ThrowIfNull(observable);
        if (shotsPerTerm < 1) ThrowHelper.ArgumentOutOfRange(nameof(shotsPerTerm), shotsPerTerm, "at least 1 shot");
        if (observable.RequiredQubits > rho.QubitCount)
            ThrowHelper.QubitCountMismatch(nameof(observable), "the observable", observable.RequiredQubits, rho.QubitCount);
        double estimate = 0, variance = 0;
        long total = 0;
        for (int t = 0; t < observable.Terms.Length; t++)
        {
            var term = observable.Terms[t];
            if (term.Pauli.IsIdentity)
            {
                estimate += term.Coefficient;
                continue;
            }
            var measured = rho;
            if (!term.Pauli.IsDiagonal)
            {
                var b = new CircuitBuilder(rho.QubitCount);
                for (int q = 0; q < rho.QubitCount; q++)
                {
                    bool x = (term.Pauli.XMask >> q & 1) != 0, z = (term.Pauli.ZMask >> q & 1) != 0;
                    if (x && z) b.Sdg(q).H(q);
                    else if (x) b.H(q);
                }
                measured = rho.Clone();
                ApplyValidated(b.Build(), ParameterValues.Of(), InputValues.Of(), measured);
            }
            var p = Probabilities(measured, noise);
            var counts = ProbabilitySampling.Multinomial(p, shotsPerTerm, SeededRandom.ForStream(seed, (ulong)t));
            ulong support = term.Pauli.XMask | term.Pauli.ZMask;
            long parity = 0;
            foreach (var (k, c) in counts) parity += (BitOperations.PopCount((ulong)k & support) & 1) == 0 ? c : -c;
            double m = parity / (double)shotsPerTerm;
            estimate += term.Coefficient * m;
            variance += term.Coefficient * term.Coefficient * (1 - m * m) / shotsPerTerm;
            total += shotsPerTerm;
        }
        return new ShotEstimate(estimate, Math.Sqrt(variance), total);
    }

    /// <summary>
    /// Draws <paramref name="shots"/> measurements of every qubit from <see cref="Probabilities"/> (readout errors
    /// included); counts per outcome index, qubit 0 the lowest bit. Reproducible for a seed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shots"/> is below 1.</exception>
    public SortedDictionary<long, long> Sample(DensityMatrix rho, long shots, ulong seed, NoiseModel? noise = null)
    {
        ArgumentNullException.ThrowIfNull(rho);
        if (shots < 1) ThrowHelper.ArgumentOutOfRange(nameof(shots), shots, "at least 1 shot");
        return ProbabilitySampling.Multinomial(Probabilities(rho, noise), shots, SeededRandom.ForStream(seed, 0));
    }
}
