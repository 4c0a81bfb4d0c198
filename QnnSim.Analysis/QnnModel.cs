using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// A quantum neural network f(x; θ) = ⟨ψ(x)|U(θ, x)† O U(θ, x)|ψ(x)⟩: an encoding (data inputs x read by the
/// circuit's angles, or a prepared pure input state per sample), a parameterised <see cref="Circuit"/> and a readout
/// <see cref="PauliSum"/> O. Derivatives come from QnnSim's <see cref="Differentiator"/>.
/// </summary>
/// <remarks>
/// Gate angles follow R_P(φ) = e^{−iφP/2}. For the constants of THEORY.md (e^{−iθH} layers) build the circuit with
/// angle 2θ, as <see cref="PaperModel.ToCircuit"/> does; with angle θ the kernel is 4× smaller.
/// </remarks>
public sealed class QnnModel
{
    /// <summary>Creates the model.</summary>
    /// <exception cref="ArgumentException">The circuit has no trainable parameters.</exception>
    /// <exception cref="QubitCountMismatchException">The readout names a qubit beyond the circuit.</exception>
    public QnnModel(Circuit circuit, PauliSum readout, GradientOptions? gradientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(readout);
        if (circuit.ParameterCount == 0) throw new ArgumentException("the circuit has no trainable parameters; a QNN needs at least one.", nameof(circuit));
        if (readout.RequiredQubits > circuit.QubitCount)
            throw new QubitCountMismatchException($"the readout acts on {readout.RequiredQubits} qubits, but the circuit has {circuit.QubitCount} (allowed: at most {circuit.QubitCount}).", nameof(readout));
        Circuit = circuit;
        Readout = readout;
        Differentiator = new Differentiator(gradientOptions);
    }

    /// <summary>The circuit U(θ, x).</summary>
    public Circuit Circuit { get; }

    /// <summary>The readout O.</summary>
    public PauliSum Readout { get; }

    /// <summary>The differentiator (its options choose adjoint, parameter shift or finite differences).</summary>
    public Differentiator Differentiator { get; }

    /// <summary>p.</summary>
    public int ParameterCount => Circuit.ParameterCount;

    /// <summary>Binds the model to a dataset's inputs, giving an evaluator for training and kernels.</summary>
    /// <exception cref="ArgumentException">The dataset does not fit the circuit (input count, qubit count).</exception>
    public CircuitModelEvaluator Bind(Dataset data) => new(this, data);

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
    public double[][,] Hessians(ReadOnlySpan<double> parameters, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var theta = new ParameterValues(parameters.ToArray());
        var h = new double[data.Count][,];
        for (int i = 0; i < data.Count; i++)
            h[i] = Differentiator.Hessian(Circuit, theta, data.Inputs?[i] ?? InputValues.None, Readout, data.States?[i]);
        return h;
    }

    /// <summary>The dQNTK μ_abc of Liu et al. (PRL 130, 150601, 2023) at θ (small p: m Hessians).</summary>
    public Dqntk Dqntk(ReadOnlySpan<double> parameters, Dataset data) =>
        Analysis.Dqntk.FromDerivatives(Jacobian(parameters, data, out _), Hessians(parameters, data));
}

/// <summary>
/// A <see cref="QnnModel"/> bound to a dataset's inputs: an <see cref="IModelEvaluator"/> through
/// <see cref="Differentiator.Jacobian(Circuit, ParameterValues, IReadOnlyList{InputValues}, IReadOnlyList{PauliSum}, JacobianOptions?, IProgress{int}?, CancellationToken)"/>
/// (samples in parallel). The differentiator allocates its own work states per call.
/// </summary>
public sealed class CircuitModelEvaluator : IModelEvaluator
{
    private readonly QnnModel _model;
    private readonly Dataset _data;
    private readonly PauliSum[] _observables;

    internal CircuitModelEvaluator(QnnModel model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _model = model;
        _data = data;
        _observables = [model.Readout];
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
        var theta = new ParameterValues(parameters.ToArray());
        var d = _model.Differentiator;
        JacobianResult r = _data.States is not null
            ? d.Jacobian(_model.Circuit, theta, _data.States, _observables)
            : d.Jacobian(_model.Circuit, theta, _data.Inputs!, _observables);
        r.Values.AsSpan().CopyTo(outputs);
        if (!jacobian.IsEmpty) r.Data.AsSpan().CopyTo(jacobian);
    }
}
