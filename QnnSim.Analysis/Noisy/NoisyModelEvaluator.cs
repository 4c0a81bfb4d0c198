using System.Numerics;
using System.Runtime.ExceptionServices;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// A <see cref="QnnModel"/> bound to a dataset and evaluated under its <see cref="QnnModel.Noise"/> and
/// <see cref="QnnModel.ReadoutMode"/>: the noisy counterpart of <see cref="CircuitModelEvaluator"/> (as an
/// <see cref="IResidualGradientEvaluator"/>, reading the first readout O_0) and of <see cref="CircuitBatchEvaluator"/>
/// (as an <see cref="IBatchModelEvaluator"/>, all k readouts). <see cref="QnnModel.Bind"/> and
/// <see cref="QnnModel.BindBatches"/> return it whenever the model has noise or finite shots, so tangent kernels,
/// Jacobians, <see cref="GradientDescent"/>, <see cref="Trainer"/>, frozen-kernel predictions, kernel-deviation tracking
/// and the dQNTK all run under noise through it.
/// </summary>
/// <remarks>
/// <para><b>What each sample computes.</b> f_o(x; θ) = Tr(O_o 𝓔_{θ,x}(ρ_in)) and its gradient in θ, where 𝓔 is the circuit
/// with the noise model's channels inserted after its gates (<see cref="Noise.NoiseModel.ApplyTo"/>):</para>
/// <list type="bullet">
/// <item>density matrix, exact readout: the exact value and the gradient by the model's
/// <see cref="GradientOptions.Method"/> through <see cref="NoisyDifferentiator"/> (adjoint by default: the
/// Heisenberg-picture sweep; parameter shift and finite differences as checks);</item>
/// <item>trajectories, exact readout: Monte-Carlo estimates over <see cref="ModelNoise.Trajectories"/> trajectories,
/// gradients always by the parameter-shift rule on common trajectory seeds;</item>
/// <item>finite shots (<see cref="ReadoutMode.Shots"/>), on the pure state (no noise model), the density matrix or trajectories: each
/// output estimated from N shots per Pauli term (with the noise model's readout errors applied to the sampled
/// outcomes), each gradient by the parameter-shift rule with every shifted expectation estimated from N shots per term
/// (<see cref="Differentiator.ParameterShiftWithShots"/>, <see cref="NoisyDifferentiator.ValueAndGradientWithShots"/>).
/// On trajectories with shots, the N shots of each term are split over the trajectories, so every shot group sees
/// its own noise realisation, as on hardware (<see cref="TrajectorySimulator.EstimateExpectation"/>).</item>
/// </list>
/// <para><b>Input states.</b> A dataset of input vectors feeds the circuit's data inputs. A dataset of input states
/// |ψ_i⟩ is prepared noiselessly: under noise each sample runs W_i followed by the noisy circuit, W_i a Householder
/// reflection with W_i|0⟩ = e^{iα}|ψ_i⟩ (a dense n-qubit gate that the noise model does not touch); without noise the
/// state is the initial state of the pure-state simulation.</para>
/// <para><b>Randomness and threads.</b> Samples run in parallel (<see cref="GradientOptions.MaxDegreeOfParallelism"/>
/// of the model), each with single-threaded simulation. The c-th call (counting every Evaluate and
/// EvaluateResidualGradient call from 0) draws sample s, readout o from streams derived from (seed, c, s, o) only, for
/// shots and trajectories alike, so results are bit-identical for any thread count and batch composition.</para>
/// <para>Memory per worker: one density matrix of 16·4^n bytes, plus the adjoint's saved states (C + 2 density
/// matrices for C channels, see <see cref="NoisyDifferentiator"/>). Not thread-safe: use one evaluator per thread.</para>
/// </remarks>
public sealed class NoisyModelEvaluator : IResidualGradientEvaluator, IBatchModelEvaluator
{
    private readonly QnnModel _model;
    private readonly Dataset _data;
    private readonly ModelNoise? _noise;
    private readonly ReadoutMode _readout;
    private readonly Circuit _circuit;          // the circuit with the noise model's channels
    private readonly Circuit?[] _prepared;      // per state sample under noise: W_i then the noisy circuit (built on first use)
    private readonly SimulationOptions _simulation;
    private readonly int _threads;
    private readonly DensityMatrixSimulator _density;
    private readonly TrajectorySimulator _trajectories;
    private readonly Simulator _pure;
    private readonly Differentiator _pureShift;
    private readonly NoisyDifferentiator _exactDensity;
    private readonly NoisyDifferentiator? _densityShots; // channels already in the circuit; only the readout errors left
    private readonly NoiseModel? _readoutErrors;         // the noise model's readout errors alone (with shots)
    private ulong _calls;

    internal NoisyModelEvaluator(QnnModel model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CircuitModelEvaluator.CheckData(model, data);
        _model = model;
        _data = data;
        _noise = model.Noise;
        _readout = model.ReadoutMode;
        if (_noise is { Backend: NoisyBackend.Trajectories } && _readout.ShotsPerTerm is int few && few < 2)
            throw new ArgumentOutOfRangeException(nameof(model), few, $"{few} shots per term; on the trajectory backend at least 2 are needed (the shots are split over trajectories, and a standard error needs two).");
        _circuit = _noise is null ? model.Circuit : _noise.Model.ApplyTo(model.Circuit);
        if (_noise is { Backend: NoisyBackend.DensityMatrix } && model.Circuit.QubitCount > DensityMatrix.MaxQubits)
            throw new ArgumentException($"the circuit has {model.Circuit.QubitCount} qubits; the density-matrix backend allows at most {DensityMatrix.MaxQubits} (use the trajectory backend).", nameof(model));
        _prepared = new Circuit?[_noise is not null && data.States is not null ? data.Count : 0];
        var options = model.Differentiator.Options;
        _threads = Math.Max(1, Math.Min(options.MaxDegreeOfParallelism, data.Count));
        _simulation = options.Simulation with { MaxThreads = 1 };
        _density = new DensityMatrixSimulator(_simulation);
        _trajectories = new TrajectorySimulator(_simulation);
        _pure = new Simulator(_simulation);
        _pureShift = new Differentiator(options with { Method = GradientMethod.ParameterShift, MaxDegreeOfParallelism = 1, Simulation = _simulation });
        _exactDensity = new NoisyDifferentiator(null, NoisyBackend.DensityMatrix, _simulation, finiteDifferenceStep: options.FiniteDifferenceStep);
        if (_noise is not null && !_readout.IsExact) _readoutErrors = ReadoutErrorsOf(_noise.Model);
        if (_noise is { Backend: NoisyBackend.DensityMatrix } && !_readout.IsExact)
            _densityShots = new NoisyDifferentiator(_readoutErrors, NoisyBackend.DensityMatrix, _simulation);
    }

    /// <summary>The noise the model is evaluated under (null: pure states).</summary>
    public ModelNoise? Noise => _noise;

    /// <summary>The readout mode.</summary>
    public ReadoutMode Readout => _readout;

    /// <summary>Evaluation calls made so far (the c of the random streams).</summary>
    public ulong Calls => _calls;

    /// <inheritdoc cref="IModelEvaluator.SampleCount"/>
    public int SampleCount => _data.Count;

    /// <inheritdoc cref="IModelEvaluator.ParameterCount"/>
    public int ParameterCount => _model.ParameterCount;

    /// <inheritdoc/>
    public int OutputCount => _model.OutputCount;

    /// <summary>Writes ŷ_i = f_0(x_i; θ) (the first readout) and, unless <paramref name="jacobian"/> is empty, J_il = ∂ŷ_i/∂θ_l.</summary>
    /// <exception cref="ArgumentException">A span of the wrong length.</exception>
    public void Evaluate(ReadOnlySpan<double> parameters, Span<double> outputs, Span<double> jacobian)
    {
        int m = SampleCount, p = ParameterCount;
        if (outputs.Length != m) throw new ArgumentException($"the output span has length {outputs.Length}, but {m} are required.", nameof(outputs));
        if (!jacobian.IsEmpty && jacobian.Length != (long)m * p) throw new ArgumentException($"the Jacobian span has length {jacobian.Length}, but {(long)m * p} (m·p) are required.", nameof(jacobian));
        var theta = Theta(parameters);
        var values = new double[m];
        var rows = jacobian.IsEmpty ? null : new double[(long)m * p];
        Run(theta, [.. Enumerable.Range(0, m)], [0], values, rows);
        values.CopyTo(outputs);
        rows?.CopyTo(jacobian);
    }

    /// <summary>Writes ŷ (first readout) and g = Jᵀ(ŷ − y), summed in sample order (the contract of
    /// <see cref="IResidualGradientEvaluator"/>: bit-identical to forming J with the same call and multiplying).</summary>
    /// <exception cref="ArgumentException">A span of the wrong length.</exception>
    public void EvaluateResidualGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> labels, Span<double> outputs, Span<double> gradient)
    {
        int m = SampleCount, p = ParameterCount;
        if (labels.Length != m) throw new ArgumentException($"the label span has length {labels.Length}, but {m} are required.", nameof(labels));
        if (outputs.Length != m) throw new ArgumentException($"the output span has length {outputs.Length}, but {m} are required.", nameof(outputs));
        if (gradient.Length != p) throw new ArgumentException($"the gradient span has length {gradient.Length}, but {p} are required.", nameof(gradient));
        var theta = Theta(parameters);
        var values = new double[m];
        var rows = new double[(long)m * p];
        Run(theta, [.. Enumerable.Range(0, m)], [0], values, rows);
        values.CopyTo(outputs);
        gradient.Clear();
        for (int i = 0; i < m; i++)
        {
            double r = values[i] - labels[i];
            for (int l = 0; l < p; l++) gradient[l] += r * rows[(long)i * p + l];
        }
    }

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<int> samples, Span<double> outputs, Span<double> jacobian)
    {
        int b = samples.Length, k = OutputCount, p = ParameterCount;
        if (outputs.Length != b * k) throw new ArgumentException($"the output span has length {outputs.Length}, but {b * k} (samples·k) are required.", nameof(outputs));
        if (!jacobian.IsEmpty && jacobian.Length != (long)b * k * p) throw new ArgumentException($"the Jacobian span has length {jacobian.Length}, but {(long)b * k * p} (samples·k·p) are required.", nameof(jacobian));
        foreach (int s in samples)
            if ((uint)s >= (uint)SampleCount) throw new ArgumentOutOfRangeException(nameof(samples), s, $"sample index {s} is out of range; allowed: 0..{SampleCount - 1}.");
        var theta = Theta(parameters);
        var values = new double[b * k];
        var rows = jacobian.IsEmpty ? null : new double[(long)b * k * p];
        Run(theta, samples.ToArray(), [.. Enumerable.Range(0, k)], values, rows);
        values.CopyTo(outputs);
        rows?.CopyTo(jacobian);
    }

    private double[] Theta(ReadOnlySpan<double> parameters)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"θ has length {parameters.Length}, but the model has {ParameterCount} parameters.", nameof(parameters));
        foreach (double t in parameters)
            if (!double.IsFinite(t)) throw new ArgumentOutOfRangeException(nameof(parameters), t, $"a parameter is {t}; allowed: finite values.");
        return parameters.ToArray();
    }

    /// <summary>Values (and rows) of the given samples × readouts: values[i·|outs| + j], rows[(i·|outs| + j)·p …].</summary>
    private void Run(double[] theta, int[] samples, int[] outs, double[] values, double[]? rows)
    {
        ulong call = _calls++;
        int b = samples.Length, k = outs.Length, p = ParameterCount;
        void One(int i)
        {
            for (int j = 0; j < k; j++)
                Sample(call, samples[i], outs[j], theta, out values[i * k + j], rows is null ? default : rows.AsSpan((i * k + j) * p, p));
        }
        if (_threads <= 1 || b <= 1)
        {
            for (int i = 0; i < b; i++) One(i);
            return;
        }
        try
        {
            Parallel.For(0, b, new ParallelOptions { MaxDegreeOfParallelism = _threads }, One);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
        }
    }

    /// <summary>The seed of stream (call, sample, readout, purpose) under <paramref name="seed"/>.</summary>
    private ulong Stream(ulong seed, ulong call, int sample, int output, int purpose)
    {
        ulong callSeed = SeededRandom.ForStream(seed, call).NextUInt64();
        ulong index = (((ulong)sample * (ulong)OutputCount) + (ulong)output) * 2 + (ulong)purpose;
        return SeededRandom.ForStream(callSeed, index).NextUInt64();
    }

    private void Sample(ulong call, int s, int o, double[] theta, out double value, Span<double> row)
    {
        var observable = _model.Readouts[o];
        var x = _data.Inputs is null ? InputValues.None : _data.Inputs[s];
        var parameters = new ParameterValues(theta);
        bool withGradient = !row.IsEmpty;
        if (_noise is null)
        {
            // Pure states with finite shots (exact pure-state readout never reaches this class).
            int shots = _readout.ShotsPerTerm!.Value;
            var initial = _data.States?[s];
            var state = initial is null ? StateVector.Zero(_model.Circuit.QubitCount) : initial.Clone();
            _pure.Apply(_model.Circuit, parameters, x, state);
            value = _pure.EstimateExpectation(state, observable, shots, Stream(_readout.Seed, call, s, o, 0)).Estimate;
            if (withGradient)
                _pureShift.ParameterShiftWithShots(_model.Circuit, parameters, x, observable, shots, Stream(_readout.Seed, call, s, o, 1), initial)
                    .Gradient.CopyTo(row);
            return;
        }
        var circuit = Circuit(s);
        if (_noise.Backend == NoisyBackend.Trajectories)
        {
            ulong seed = Stream(_noise.Seed, call, s, o, 0);
            if (_readout.ShotsPerTerm is int shots)
            {
                // Trajectories from the noise seed, outcomes from the readout seed; the value alone is drawn as
                // ValueAndGradientWithShots draws its unshifted value (outcome stream 0).
                ulong shotSeed = Stream(_readout.Seed, call, s, o, 0);
                if (withGradient)
                {
                    var g = new NoisyDifferentiator(_readoutErrors, NoisyBackend.Trajectories, _simulation, _noise.Trajectories, seed)
                        .ValueAndGradientWithShots(circuit, parameters, x, observable, shots, shotSeed);
                    value = g.Value;
                    g.Gradient.CopyTo(row);
                }
                else value = _trajectories.EstimateExpectation(circuit, parameters, x, observable, _readoutErrors, shots, _noise.Trajectories, seed,
                    outcomeSeed: SeededRandom.ForStream(shotSeed, 0).NextUInt64()).Estimate;
                return;
            }
            if (withGradient)
            {
                var g = new NoisyDifferentiator(null, NoisyBackend.Trajectories, _simulation, _noise.Trajectories, seed)
                    .ValueAndGradient(circuit, parameters, x, observable, GradientMethod.ParameterShift);
                value = g.Value;
                g.Gradient.CopyTo(row);
            }
            else value = _trajectories.Estimate(circuit, parameters, x, [observable], null, _noise.Trajectories, seed).Values[0];
            return;
        }
        if (_readout.ShotsPerTerm is int n)
        {
            ulong seed = Stream(_readout.Seed, call, s, o, 0);
            if (withGradient)
            {
                var g = _densityShots!.ValueAndGradientWithShots(circuit, parameters, x, observable, n, seed);
                value = g.Value;
                g.Gradient.CopyTo(row);
            }
            else
            {
                // The value alone, drawn as ValueAndGradientWithShots draws it (stream 0 of the seed).
                var rho = _density.Run(circuit, parameters, x);
                value = _density.EstimateExpectation(rho, observable, n, SeededRandom.ForStream(seed, 0).NextUInt64(), _densityShots!.Noise).Estimate;
            }
            return;
        }
        if (withGradient)
        {
            var g = _exactDensity.ValueAndGradient(circuit, parameters, x, observable, _model.Differentiator.Options.Method);
            value = g.Value;
            g.Gradient.CopyTo(row);
        }
        else value = _density.Expectation(_density.Run(circuit, parameters, x), observable);
    }

    /// <summary>The readout errors of <paramref name="model"/> alone (its channels are already in the circuit).</summary>
    private static NoiseModel ReadoutErrorsOf(NoiseModel model)
    {
        var readout = NoiseModel.Ideal;
        if (model.DefaultReadoutError is { } all) readout = readout.WithReadoutError(all);
        foreach (var (q, e) in model.ReadoutErrors) readout = readout.WithReadoutError(e, q);
        return readout;
    }

    /// <summary>The circuit sample <paramref name="s"/> runs: the noisy circuit, preceded by W_s for a state dataset.</summary>
    private Circuit Circuit(int s)
    {
        if (_prepared.Length == 0) return _circuit;
        return _prepared[s] ??= Preparation(_data.States![s]).Append(_circuit);
    }

    /// <summary>
    /// A circuit W with W|0⟩ = e^{−iα}|ψ⟩: the Householder reflection H = I − 2vv†/(v†v), v = e_0 − e^{−iα}ψ,
    /// α = arg ψ_0, which maps e_0 to e^{−iα}ψ because ⟨e_0, e^{−iα}ψ⟩ = |ψ_0| is real; the identity when ψ ∝ e_0.
    /// </summary>
    internal static Circuit Preparation(StateVector state)
    {
        int n = state.QubitCount, d = 1 << n;
        var psi = state.Amplitudes;
        double norm = Math.Sqrt(state.NormSquared());
        var phase = psi[0] == Complex.Zero ? Complex.One : Complex.Conjugate(psi[0]) / psi[0].Magnitude;
        var v = new Complex[d];
        double vv = 0;
        for (int r = 0; r < d; r++)
        {
            v[r] = (r == 0 ? Complex.One : Complex.Zero) - phase * psi[r] / norm;
            vv += v[r].Real * v[r].Real + v[r].Imaginary * v[r].Imaginary;
        }
        var builder = new CircuitBuilder(n);
        if (vv < 1e-28) return builder.Build();
        var h = new Complex[d * d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                h[r * d + c] = (r == c ? Complex.One : Complex.Zero) - 2 * v[r] * Complex.Conjugate(v[c]) / vv;
        builder.Unitary([.. Enumerable.Range(0, n)], UnitaryMatrix.Create(h));
        return builder.Build();
    }
}
