using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// A quantum neural network f(x; θ) = ⟨ψ(x)|U(θ, x)† O U(θ, x)|ψ(x)⟩: an encoding (data inputs x read by the
/// circuit's angles, or a prepared pure input state per sample), a parameterised <see cref="Circuit"/> and a readout
/// <see cref="PauliSum"/> O. Derivatives come from QnnSim's <see cref="Differentiator"/>.
/// </summary>
/// <remarks>
/// Gate angles follow R_P(φ) = e^{−iφP/2}. For the constants of docs/theory.md (e^{−iθH} layers) build the circuit with
/// angle 2θ, as <see cref="PaperModel.ToCircuit"/> does; with angle θ the kernel is 4× smaller.
/// </remarks>
public sealed class QnnModel
{
    /// <summary>Creates the model.</summary>
    /// <exception cref="ArgumentException">The circuit has no trainable parameters.</exception>
    /// <exception cref="QubitCountMismatchException">The readout names a qubit beyond the circuit.</exception>
    public QnnModel(Circuit circuit, PauliSum readout, GradientOptions? gradientOptions = null)
        : this(circuit, [readout ?? throw new ArgumentNullException(nameof(readout))], gradientOptions)
    {
    }

    /// <summary>
    /// Creates a model with k readouts O_0, …, O_{k−1} (e.g. one per class): f_o(x; θ) = ⟨O_o⟩. The single-readout
    /// members (<see cref="Bind"/>, <see cref="Kernel"/>, …) use O_0; <see cref="BindBatches"/> gives all k outputs.
    /// </summary>
    /// <exception cref="ArgumentException">The circuit has no trainable parameters, or the readout list is empty.</exception>
    /// <exception cref="QubitCountMismatchException">A readout names a qubit beyond the circuit.</exception>
    public QnnModel(Circuit circuit, IReadOnlyList<PauliSum> readouts, GradientOptions? gradientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(readouts);
        if (circuit.ParameterCount == 0) throw new ArgumentException("the circuit has no trainable parameters; a QNN needs at least one.", nameof(circuit));
        if (readouts.Count == 0) throw new ArgumentException("the readout list is empty; at least one readout is required.", nameof(readouts));
        foreach (var readout in readouts)
        {
            ArgumentNullException.ThrowIfNull(readout, nameof(readouts));
            if (readout.RequiredQubits > circuit.QubitCount)
                throw new QubitCountMismatchException($"the readout acts on {readout.RequiredQubits} qubits, but the circuit has {circuit.QubitCount} (allowed: at most {circuit.QubitCount}).", nameof(readouts));
        }
        Circuit = circuit;
        Readouts = [.. readouts];
        Differentiator = new Differentiator(gradientOptions);
    }

    private QnnModel(QnnModel source, ModelNoise? noise, ReadoutMode readout)
    {
        Circuit = source.Circuit;
        Readouts = source.Readouts;
        Differentiator = source.Differentiator;
        Noise = noise;
        ReadoutMode = readout;
    }

    /// <summary>The noise the model is evaluated under, or null (pure states; the default).</summary>
    public ModelNoise? Noise { get; }

    /// <summary>The readout mode: exact (the default) or finite shots per expectation.</summary>
    public ReadoutMode ReadoutMode { get; } = ReadoutMode.Exact;

    /// <summary>True when the model is evaluated exactly on pure states (no noise model, exact readout).</summary>
    public bool IsExactPure => Noise is null && ReadoutMode.IsExact;

    /// <summary>
    /// The same model evaluated under <paramref name="noise"/> (null: pure states again): every member — <see cref="Bind"/>,
    /// <see cref="BindBatches"/>, <see cref="Jacobian"/>, <see cref="Kernel"/>, <see cref="Predict"/>, <see cref="Hessians"/>,
    /// <see cref="Dqntk"/>, and through them <see cref="GradientDescent"/>, <see cref="Trainer"/> and the frozen-kernel
    /// prediction — then uses <see cref="NoisyModelEvaluator"/>. An ideal noise model (no channels, no readout errors)
    /// still selects the noisy backend, which then agrees with the pure-state model.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An unknown backend or fewer than 2 trajectories; a noise rule naming a qubit beyond the circuit.</exception>
    /// <exception cref="ArgumentException">The density-matrix backend on more than <see cref="State.DensityMatrix.MaxQubits"/> qubits.</exception>
    /// <exception cref="NotSupportedException">Trajectories together with a finite-shot readout.</exception>
    public QnnModel WithNoise(ModelNoise? noise)
    {
        if (noise is not null)
        {
            noise.Validate();
            noise.Model.ApplyTo(Circuit); // checks the rules' qubits against the circuit now, not at the first evaluation
            if (noise.Backend == NoisyBackend.DensityMatrix && Circuit.QubitCount > State.DensityMatrix.MaxQubits)
                throw new ArgumentException($"the circuit has {Circuit.QubitCount} qubits; the density-matrix backend allows at most {State.DensityMatrix.MaxQubits} (use NoisyBackend.Trajectories).", nameof(noise));
            CheckCombination(noise, ReadoutMode);
        }
        return new QnnModel(this, noise, ReadoutMode);
    }

    /// <summary>The same model under <paramref name="noise"/> on the density matrix (shorthand for <see cref="WithNoise(ModelNoise?)"/>).</summary>
    public QnnModel WithNoise(NoiseModel noise) => WithNoise(new ModelNoise(noise ?? throw new ArgumentNullException(nameof(noise))));

    /// <summary>The same model with another readout mode (<see cref="ReadoutMode.Exact"/> or <see cref="ReadoutMode.Shots"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 shots per term on the trajectory backend (the shots are split over trajectories).</exception>
    public QnnModel WithReadout(ReadoutMode readout)
    {
        ArgumentNullException.ThrowIfNull(readout);
        if (Noise is not null) CheckCombination(Noise, readout);
        return new QnnModel(this, Noise, readout);
    }

    private static void CheckCombination(ModelNoise noise, ReadoutMode readout)
    {
        if (noise.Backend == NoisyBackend.Trajectories && readout.ShotsPerTerm is < 2)
            throw new ArgumentOutOfRangeException(nameof(readout), readout.ShotsPerTerm, $"{readout.ShotsPerTerm} shots per term on the trajectory backend; allowed: 2..{int.MaxValue} (the shots are split over trajectories, and a standard error needs two).");
    }

    /// <summary>"pure state, exact readout" or the noise and readout in words (recorded in JSON output).</summary>
    public string EvaluationDescription =>
        $"{(Noise is null ? "pure state" : Noise.ToString())}, {(ReadoutMode.IsExact ? "exact readout" : $"{ReadoutMode.ShotsPerTerm} shots per term (seed {ReadoutMode.Seed})")}";

    /// <summary>The circuit U(θ, x).</summary>
    public Circuit Circuit { get; }

    /// <summary>The (first) readout O = O_0.</summary>
    public PauliSum Readout => Readouts[0];

    /// <summary>All k readouts.</summary>
    public IReadOnlyList<PauliSum> Readouts { get; }

    /// <summary>k, the number of outputs.</summary>
    public int OutputCount => Readouts.Count;

    /// <summary>
    /// Binds the model's k readouts to a dataset for minibatch evaluation (<see cref="IBatchModelEvaluator"/>): what
    /// <see cref="Trainer"/> uses. Memory: one state workspace per worker and buffers for the largest batch asked for.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset does not fit the circuit (input count, qubit count).</exception>
    /// <remarks>With noise or finite shots the evaluator is a <see cref="NoisyModelEvaluator"/>.</remarks>
    public IBatchModelEvaluator BindBatches(Dataset data) => IsExactPure ? new CircuitBatchEvaluator(this, data) : new NoisyModelEvaluator(this, data);

    /// <summary>The outputs f_o(x_i; θ) on every sample, row-major m × k (forward passes only).</summary>
    /// <exception cref="ArgumentException">θ of the wrong length, or a dataset that does not fit the circuit.</exception>
    public double[] Predict(ReadOnlySpan<double> parameters, Dataset data)
    {
        var e = BindBatches(data);
        var all = Enumerable.Range(0, data.Count).ToArray();
        var outputs = new double[data.Count * OutputCount];
        e.Evaluate(parameters, all, outputs, default);
        return outputs;
    }

    /// <summary>The differentiator (its options choose adjoint, parameter shift or finite differences).</summary>
    public Differentiator Differentiator { get; }

    /// <summary>p.</summary>
    public int ParameterCount => Circuit.ParameterCount;

    /// <summary>Binds the model to a dataset's inputs, giving an evaluator for training and kernels.</summary>
    /// <exception cref="ArgumentException">The dataset does not fit the circuit (input count, qubit count).</exception>
    /// <remarks>Pure states with exact readout: a <see cref="CircuitModelEvaluator"/>; with noise or finite shots a
    /// <see cref="NoisyModelEvaluator"/> (reading the first readout).</remarks>
    public IResidualGradientEvaluator Bind(Dataset data) => IsExactPure ? new CircuitModelEvaluator(this, data) : new NoisyModelEvaluator(this, data);

    /// <summary>The Jacobian J (row-major m × p) and outputs ŷ on <paramref name="data"/> at θ.</summary>
    public double[] Jacobian(ReadOnlySpan<double> parameters, Dataset data, out double[] outputs)
    {
        var e = Bind(data);
        outputs = new double[data.Count];
        var j = new double[data.Count * ParameterCount];
        e.Evaluate(parameters, outputs, j);
        return j;
    }

    /// <summary>The tangent kernel K(X, X) = J Jᵀ on <paramref name="data"/> at θ.</summary>
    public TangentKernel Kernel(ReadOnlySpan<double> parameters, Dataset data) =>
        TangentKernel.FromJacobian(Jacobian(parameters, data, out _), data.Count, ParameterCount);

    /// <summary>The cross kernel K(x, X) between <paramref name="test"/> (rows) and <paramref name="train"/> (columns) at θ.</summary>
    public double[,] CrossKernel(ReadOnlySpan<double> parameters, Dataset test, Dataset train) =>
        TangentKernel.Cross(Jacobian(parameters, test, out _), Jacobian(parameters, train, out _), ParameterCount);

    /// <summary>The m Hessians ∂²ŷ_i/∂θ_l∂θ_l' (through <see cref="Differentiator.Hessian"/>), for the dQNTK (<see cref="Dqntk"/>).</summary>
    /// <remarks>
    /// Under noise or finite shots the Hessians come from shifted Jacobians of the bound evaluator
    /// (<see cref="Analysis.Dqntk.Hessians"/>): when every parameter drives exactly one uncontrolled gate angle ±θ_l + c
    /// (<see cref="HasSimpleShifts"/>), ∂_{l'}∂_l f = ½[∂_l f(θ + π/2 e_{l'}) − ∂_l f(θ − π/2 e_{l'})], exact on the density
    /// matrix and unbiased with shots or trajectories, since f is then a trigonometric polynomial of degree 1 in each
    /// θ_l' also under noise (Mari et al. 2021); otherwise, on the exact density matrix, central differences of exact
    /// gradients with step <see cref="NoisyHessianStep"/> (error O(h²) ≈ 1e-8 relative). Stochastic readouts of
    /// circuits without simple shifts are refused (a finite difference of estimates has unbounded variance).
    /// </remarks>
    /// <exception cref="NotSupportedException">Shots or trajectories on a circuit without simple shifts.</exception>
    public double[][,] Hessians(ReadOnlySpan<double> parameters, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!IsExactPure)
        {
            if (HasSimpleShifts) return Analysis.Dqntk.Hessians(Bind(data), parameters, Math.PI / 2, 0.5);
            if (ReadoutMode.IsExact && Noise!.Backend == NoisyBackend.DensityMatrix)
                return Analysis.Dqntk.Hessians(Bind(data), parameters, NoisyHessianStep, 1 / (2 * NoisyHessianStep));
            throw new NotSupportedException("the noisy dQNTK with shots or trajectories needs every parameter to drive exactly one uncontrolled gate angle ±θ + c (the shift rule for Hessians); use the exact density matrix for this circuit.");
        }
        var theta = new ParameterValues(parameters.ToArray());
        var h = new double[data.Count][,];
        for (int i = 0; i < data.Count; i++)
            h[i] = Differentiator.Hessian(Circuit, theta, data.Inputs?[i] ?? InputValues.None, Readout, data.States?[i]);
        return h;
    }

    /// <summary>Step of the central differences of noisy Hessians on circuits without simple shifts.</summary>
    public const double NoisyHessianStep = 1e-4;

    /// <summary>
    /// True when every parameter θ_l drives exactly one gate angle, of the form ±θ_l + c, in an uncontrolled gate: then
    /// f is a trigonometric polynomial of degree one in each θ_l and ∂_l f(θ ± π/2 e_l) gives exact second derivatives.
    /// </summary>
    public bool HasSimpleShifts
    {
        get
        {
            var uses = new int[ParameterCount];
            foreach (var op in Circuit.Operations)
                foreach (var angle in op.Angles)
                {
                    if (angle.IsConstant || angle.ParameterExtent() == 0) continue;
                    if (!op.Controls.IsEmpty || !angle.TryGetAffine(out var kind, out int index, out double scale, out _)
                        || kind != VariableKind.Parameter || Math.Abs(scale) != 1) return false;
                    if (++uses[index] > 1) return false;
                }
            return true;
        }
    }

    /// <summary>The dQNTK μ_abc of Liu et al. (PRL 130, 150601, 2023) at θ (small p: m Hessians).</summary>
    public Dqntk Dqntk(ReadOnlySpan<double> parameters, Dataset data) =>
        Analysis.Dqntk.FromDerivatives(Jacobian(parameters, data, out _), Hessians(parameters, data));
}

/// <summary>
/// A <see cref="QnnModel"/> bound to a dataset's inputs: an <see cref="IModelEvaluator"/> (and
/// <see cref="IResidualGradientEvaluator"/>) through the <see cref="Differentiator"/>'s workspace API. Each call
/// computes only what it is asked for: outputs only (forward passes) when the Jacobian span is empty; outputs and the
/// Jacobian rows otherwise; outputs and Jᵀr for a training step that needs no kernel. Samples run in parallel
/// (<see cref="GradientOptions.MaxDegreeOfParallelism"/>) with one <see cref="GradientWorkspace"/> per worker, created on
/// the first call and reused: no call allocates anything proportional to the state (the thread pool's own bookkeeping
/// for more than one worker is a few hundred bytes). Results are bit-identical to
/// <see cref="Differentiator.Jacobian(Circuit, ParameterValues, IReadOnlyList{InputValues}, IReadOnlyList{PauliSum}, JacobianOptions?, IProgress{int}?, CancellationToken)"/>
/// on the same data: the same kernels run in the same order with the same simulation options (single-threaded state
/// updates when m &gt; 1). Not thread-safe: use one evaluator per thread.
/// </summary>
public sealed class CircuitModelEvaluator : IResidualGradientEvaluator
{
    private readonly QnnModel _model;
    private readonly Dataset _data;
    private readonly double[] _theta;
    private readonly GradientWorkspace?[] _workspaces;
    private readonly SimulationOptions _simulation;
    private readonly Action<int> _worker;

    // State of the call in progress (read by the parallel workers).
    private int _next;
    private Mode _mode;
    private double[]? _outputs, _rows;

    private enum Mode { Outputs, Jacobian }

    internal CircuitModelEvaluator(QnnModel model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _model = model;
        _data = data;
        CheckData(model, data);
        _theta = new double[model.ParameterCount];
        var options = model.Differentiator.Options;
        // As Differentiator.Jacobian does: with several samples the threads go over samples and each state update is
        // single-threaded; a single sample keeps the simulation options.
        _simulation = data.Count > 1 ? options.Simulation with { MaxThreads = 1 } : options.Simulation;
        _workspaces = new GradientWorkspace?[Math.Max(1, Math.Min(options.MaxDegreeOfParallelism, data.Count))];
        _worker = Worker;
    }

    /// <summary>Checks that <paramref name="data"/> can feed <paramref name="model"/>'s circuit.</summary>
    internal static void CheckData(QnnModel model, Dataset data)
    {
        if (data.Inputs is not null && data.Inputs[0].Length != model.Circuit.InputCount)
            throw new ArgumentException($"the dataset has {data.Inputs[0].Length} inputs per sample, but the circuit reads {model.Circuit.InputCount} ({string.Join(", ", model.Circuit.InputNames)}).", nameof(data));
        if (data.States is not null)
        {
            if (model.Circuit.InputCount != 0)
                throw new ArgumentException($"a state dataset cannot feed a circuit with data inputs ({string.Join(", ", model.Circuit.InputNames)}).", nameof(data));
            if (data.States[0].QubitCount != model.Circuit.QubitCount)
                throw new QubitCountMismatchException($"the input states have {data.States[0].QubitCount} qubits, but the circuit has {model.Circuit.QubitCount}.", nameof(data));
        }
    }

    /// <inheritdoc/>
    public int SampleCount => _data.Count;

    /// <inheritdoc/>
    public int ParameterCount => _model.ParameterCount;

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<double> parameters, Span<double> outputs, Span<double> jacobian)
    {
        int m = SampleCount, p = ParameterCount;
        if (outputs.Length != m) throw new ArgumentException($"the output span has length {outputs.Length}, but {m} are required.", nameof(outputs));
        if (!jacobian.IsEmpty && jacobian.Length != m * p) throw new ArgumentException($"the Jacobian span has length {jacobian.Length}, but {m * p} (m·p) are required.", nameof(jacobian));
        SetParameters(parameters);
        var mode = jacobian.IsEmpty ? Mode.Outputs : Mode.Jacobian;
        if (_workspaces.Length == 1)
        {
            var workspace = Workspace(0);
            for (int i = 0; i < m; i++) Sample(workspace, i, mode, outputs.Slice(i, 1), mode == Mode.Jacobian ? jacobian.Slice(i * p, p) : default);
            return;
        }
        RunParallel(mode);
        _outputs.AsSpan(0, m).CopyTo(outputs);
        if (mode == Mode.Jacobian) _rows.AsSpan(0, m * p).CopyTo(jacobian);
    }

    /// <inheritdoc/>
    public void EvaluateResidualGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> labels, Span<double> outputs, Span<double> gradient)
    {
        int m = SampleCount, p = ParameterCount;
        if (labels.Length != m) throw new ArgumentException($"the label span has length {labels.Length}, but {m} are required.", nameof(labels));
        if (outputs.Length != m) throw new ArgumentException($"the output span has length {outputs.Length}, but {m} are required.", nameof(outputs));
        if (gradient.Length != p) throw new ArgumentException($"the gradient span has length {gradient.Length}, but {p} are required.", nameof(gradient));
        SetParameters(parameters);
        gradient.Clear();
        if (_workspaces.Length == 1)
        {
            // One sample at a time: row i of J lives only in a p-vector, and g += r_i J_i in sample order.
            var workspace = Workspace(0);
            var row = Buffer(ref _rows, p).AsSpan(0, p);
            for (int i = 0; i < m; i++)
            {
                Sample(workspace, i, Mode.Jacobian, outputs.Slice(i, 1), row);
                double r = outputs[i] - labels[i];
                for (int l = 0; l < p; l++) gradient[l] += r * row[l];
            }
            return;
        }
        RunParallel(Mode.Jacobian);
        _outputs.AsSpan(0, m).CopyTo(outputs);
        var rows = _rows!;
        for (int i = 0; i < m; i++)
        {
            double r = outputs[i] - labels[i];
            for (int l = 0; l < p; l++) gradient[l] += r * rows[i * p + l];
        }
    }

    private void SetParameters(ReadOnlySpan<double> parameters)
    {
        if (parameters.Length != _theta.Length)
            throw new ArgumentException($"θ has length {parameters.Length}, but the model has {_theta.Length} parameters.", nameof(parameters));
        parameters.CopyTo(_theta);
    }

    private GradientWorkspace Workspace(int worker) =>
        _workspaces[worker] ??= _model.Differentiator.CreateWorkspace(_model.Circuit, _model.Readout, _simulation);

    private void Sample(GradientWorkspace workspace, int i, Mode mode, Span<double> output, Span<double> row)
    {
        var d = _model.Differentiator;
        var theta = new ParameterValues(_theta);
        var x = _data.Inputs is null ? InputValues.None : _data.Inputs[i];
        var state = _data.States?[i];
        if (mode == Mode.Outputs) d.Values(workspace, theta, x, output, state);
        else d.ValuesAndJacobian(workspace, theta, x, output, row, default, state);
    }

    private void RunParallel(Mode mode)
    {
        int m = SampleCount, p = ParameterCount;
        _mode = mode;
        Buffer(ref _outputs, m);
        if (mode == Mode.Jacobian) Buffer(ref _rows, m * p);
        _next = -1;
        try
        {
            Parallel.For(0, _workspaces.Length, _worker);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
        }
    }

    private void Worker(int worker)
    {
        var workspace = Workspace(worker);
        int m = SampleCount, p = ParameterCount;
        while (true)
        {
            int i = Interlocked.Increment(ref _next);
            if (i >= m) break;
            Sample(workspace, i, _mode, _outputs.AsSpan(i, 1), _mode == Mode.Jacobian ? _rows.AsSpan(i * p, p) : default);
        }
    }

    private static double[] Buffer(ref double[]? field, int length)
    {
        if (field is null || field.Length < length) field = new double[length];
        return field;
    }
}

/// <summary>
/// A <see cref="QnnModel"/>'s k readouts bound to a dataset for evaluation on any subset of samples
/// (<see cref="IBatchModelEvaluator"/>). Samples run in parallel (<see cref="GradientOptions.MaxDegreeOfParallelism"/>),
/// one <see cref="GradientWorkspace"/> per worker, each state update single-threaded when more than one sample is
/// asked for, so a sample's numbers are the same whichever batch it is in and however many threads run.
/// </summary>
public sealed class CircuitBatchEvaluator : IBatchModelEvaluator
{
    private readonly QnnModel _model;
    private readonly Dataset _data;
    private readonly GradientWorkspace?[] _workspaces;
    private readonly SimulationOptions _simulation;
    private double[] _theta;
    private int[] _samples = [];
    private int _count, _next;
    private bool _withJacobian;
    private double[] _outputs = [], _rows = [];

    internal CircuitBatchEvaluator(QnnModel model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _model = model;
        _data = data;
        CircuitModelEvaluator.CheckData(model, data);
        var options = model.Differentiator.Options;
        _simulation = options.Simulation with { MaxThreads = 1 };
        _workspaces = new GradientWorkspace?[Math.Max(1, Math.Min(options.MaxDegreeOfParallelism, data.Count))];
        _theta = new double[model.ParameterCount];
    }

    /// <inheritdoc/>
    public int SampleCount => _data.Count;

    /// <inheritdoc/>
    public int ParameterCount => _model.ParameterCount;

    /// <inheritdoc/>
    public int OutputCount => _model.OutputCount;

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<int> samples, Span<double> outputs, Span<double> jacobian)
    {
        int b = samples.Length, k = OutputCount, p = ParameterCount;
        if (parameters.Length != p) throw new ArgumentException($"θ has length {parameters.Length}, but the model has {p} parameters.", nameof(parameters));
        if (outputs.Length != b * k) throw new ArgumentException($"the output span has length {outputs.Length}, but {b * k} (samples·k) are required.", nameof(outputs));
        if (!jacobian.IsEmpty && jacobian.Length != (long)b * k * p) throw new ArgumentException($"the Jacobian span has length {jacobian.Length}, but {(long)b * k * p} (samples·k·p) are required.", nameof(jacobian));
        foreach (int s in samples)
            if ((uint)s >= (uint)SampleCount) throw new ArgumentOutOfRangeException(nameof(samples), s, $"sample index {s} is out of range; allowed: 0..{SampleCount - 1}.");
        parameters.CopyTo(_theta);
        _withJacobian = !jacobian.IsEmpty;
        if (_samples.Length < b) _samples = new int[b];
        samples.CopyTo(_samples);
        _count = b;
        if (_outputs.Length < b * k) _outputs = new double[b * k];
        if (_withJacobian && _rows.Length < b * k * p) _rows = new double[b * k * p];
        int workers = Math.Min(_workspaces.Length, b);
        if (workers <= 1) Worker(0, sequential: true);
        else
        {
            _next = -1;
            try { Parallel.For(0, workers, w => Worker(w, sequential: false)); }
            catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
            }
        }
        _outputs.AsSpan(0, b * k).CopyTo(outputs);
        if (_withJacobian) _rows.AsSpan(0, b * k * p).CopyTo(jacobian);
    }

    private void Worker(int worker, bool sequential)
    {
        var workspace = _workspaces[worker] ??= _model.Differentiator.CreateWorkspace(_model.Circuit, _model.Readouts, _simulation);
        int k = OutputCount, p = ParameterCount;
        var theta = new ParameterValues(_theta);
        var d = _model.Differentiator;
        for (int seq = 0; ; seq++)
        {
            int i = sequential ? seq : Interlocked.Increment(ref _next);
            if (i >= _count) break;
            int s = _samples[i];
            var x = _data.Inputs is null ? InputValues.None : _data.Inputs[s];
            var state = _data.States?[s];
            if (_withJacobian) d.ValuesAndJacobian(workspace, theta, x, _outputs.AsSpan(i * k, k), _rows.AsSpan(i * k * p, k * p), default, state);
            else d.Values(workspace, theta, x, _outputs.AsSpan(i * k, k), state);
        }
    }
}
