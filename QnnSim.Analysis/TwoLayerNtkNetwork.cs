using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// A wide classical two-layer network in NTK parameterisation, the classical contrast to the QNN's moving kernel:
/// f(x) = n^{−1/2} Σ_{k=1..n} a_k tanh(w_k·x + b_k), every parameter drawn N(0, 1) (Jacot, Gabriel, Hongler, "Neural
/// Tangent Kernel", NeurIPS 2018; Lee et al., "Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient
/// Descent", NeurIPS 2019). Its tangent kernel K = J Jᵀ is O(1) and converges to a deterministic limit as the width n
/// grows; trained by gradient descent with an O(1) learning rate the relative kernel change ‖K(t) − K(0)‖/‖K(0)‖
/// falls like n^{−1/2}: the lazy regime that QNNs with Pauli readouts do not enter (docs/theory.md §3a).
/// </summary>
/// <remarks>
/// <para>Parameters θ = (a_1..a_n, b_1..b_n, w_1 (D entries), …, w_n), p = n(D + 2) for inputs of dimension D.
/// Inputs of unit norm (e.g. the real and imaginary parts of a quantum state, <see cref="Features"/>) give
/// pre-activations w_k·x + b_k of variance 2, so no further 1/√D is needed.</para>
/// <para>Jacobian: ∂f/∂a_k = tanh(h_k)/√n, ∂f/∂b_k = a_k sech²(h_k)/√n, ∂f/∂w_kj = a_k sech²(h_k) x_j/√n.
/// Not thread-safe (owns a buffer).</para>
/// </remarks>
public sealed class TwoLayerNtkNetwork : IModelEvaluator
{
    private readonly double[][] _x;
    private readonly double[] _h;

    /// <summary>Creates the network of width <paramref name="width"/> on the inputs x_1..x_m (all of one dimension D).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Width below 1.</exception>
    /// <exception cref="ArgumentException">No inputs, inputs of different dimensions, or a non-finite entry.</exception>
    public TwoLayerNtkNetwork(int width, IReadOnlyList<double[]> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, $"width = {width} is out of range; allowed: at least 1.");
        if (inputs.Count == 0) throw new ArgumentException("at least one input is required.", nameof(inputs));
        int dim = inputs[0].Length;
        if (dim == 0) throw new ArgumentException("inputs must have at least one entry.", nameof(inputs));
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length != dim) throw new ArgumentException($"input {i} has {inputs[i].Length} entries; input 0 has {dim}.", nameof(inputs));
            foreach (double v in inputs[i]) if (!double.IsFinite(v)) throw new ArgumentException($"input {i} has a non-finite entry {v}.", nameof(inputs));
        }
        Width = width;
        InputDimension = dim;
        _x = [.. inputs.Select(x => (double[])x.Clone())];
        _h = new double[width];
    }

    /// <summary>n.</summary>
    public int Width { get; }

    /// <summary>D.</summary>
    public int InputDimension { get; }

    /// <inheritdoc/>
    public int SampleCount => _x.Length;

    /// <inheritdoc/>
    public int ParameterCount => Width * (InputDimension + 2);

    /// <summary>θ0 with every entry N(0, 1), drawn in order from <c>new SeededRandom(seed)</c>.</summary>
    public double[] InitialParameters(ulong seed)
    {
        var rng = new SeededRandom(seed);
        var theta = new double[ParameterCount];
        for (int l = 0; l < theta.Length; l++) theta[l] = rng.NextGaussian();
        return theta;
    }

    /// <summary>The real features (Re ψ_0, …, Re ψ_{d−1}, Im ψ_0, …, Im ψ_{d−1}) of a state: unit norm for a normalised ψ.</summary>
    public static double[] Features(StateVector state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var amplitudes = state.ToArray();
        var x = new double[2 * amplitudes.Length];
        for (int k = 0; k < amplitudes.Length; k++) { x[k] = amplitudes[k].Real; x[amplitudes.Length + k] = amplitudes[k].Imaginary; }
        return x;
    }

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<double> parameters, Span<double> outputs, Span<double> jacobian)
    {
        int n = Width, dim = InputDimension, m = _x.Length, p = ParameterCount;
        if (parameters.Length != p) throw new ArgumentException($"θ has {parameters.Length} entries; this network has {p} parameters.", nameof(parameters));
        if (outputs.Length != m) throw new ArgumentException($"outputs has length {outputs.Length}; expected {m}.", nameof(outputs));
        if (jacobian.Length != 0 && jacobian.Length != m * p) throw new ArgumentException($"jacobian has length {jacobian.Length}; expected 0 or {m * p}.", nameof(jacobian));
        double scale = 1 / Math.Sqrt(n);
        var a = parameters[..n];
        var b = parameters.Slice(n, n);
        var w = parameters[(2 * n)..];
        for (int i = 0; i < m; i++)
        {
            var x = _x[i];
            double f = 0;
            for (int k = 0; k < n; k++)
            {
                var wk = w.Slice(k * dim, dim);
                double h = b[k];
                for (int j = 0; j < dim; j++) h += wk[j] * x[j];
                _h[k] = h;
                f += a[k] * Math.Tanh(h);
            }
            outputs[i] = f * scale;
            if (jacobian.Length == 0) continue;
            var row = jacobian.Slice(i * p, p);
            for (int k = 0; k < n; k++)
            {
                double t = Math.Tanh(_h[k]), g = a[k] * (1 - t * t) * scale;
                row[k] = t * scale;
                row[n + k] = g;
                var rw = row.Slice(2 * n + k * dim, dim);
                for (int j = 0; j < dim; j++) rw[j] = g * x[j];
            }
        }
    }
}
