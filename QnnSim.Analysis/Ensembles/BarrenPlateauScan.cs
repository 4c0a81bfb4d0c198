using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Analysis;

/// <summary>One point of a barren-plateau scan: the gradient statistics of one circuit of the family.</summary>
/// <param name="Qubits">n.</param>
/// <param name="Layers">L.</param>
/// <param name="Parameters">p.</param>
/// <param name="Observable">The observable used at this n.</param>
/// <param name="Statistics">The ensemble's gradient statistics.</param>
public sealed record BarrenPlateauPoint(int Qubits, int Layers, int Parameters, PauliSum Observable, GradientStatistics Statistics)
{
    /// <summary>(1/p) Σ_l Var[∂_l⟨O⟩].</summary>
    public double Variance => Statistics.MeanComponentVariance.Variance;

    /// <summary>Its standard error.</summary>
    public double VarianceStandardError => Statistics.MeanComponentVariance.VarianceStandardError;
}

/// <summary>
/// The fit ln Var = a − b·n (or − b·L) by weighted least squares, weights 1/σ²(ln Var) with σ(ln Var) = SE(Var)/Var:
/// the decay rate b (per qubit or layer), its standard error (from (XᵀWX)⁻¹, scaled by √χ²_red when χ²_red &gt; 1), and
/// b/ln 2, the exponent in base 2 (Var ∝ 2^{−b₂ n}).
/// </summary>
/// <param name="Intercept">a.</param>
/// <param name="Rate">b.</param>
/// <param name="RateStandardError">σ_b.</param>
/// <param name="ReducedChiSquared">χ² / (points − 2) (NaN with two points).</param>
public sealed record ExponentialDecayFit(double Intercept, double Rate, double RateStandardError, double ReducedChiSquared)
{
    /// <summary>b/ln 2.</summary>
    public double RateBase2 => Rate / Math.Log(2);

    /// <summary>The fitted variance at x: e^{a − b x}.</summary>
    public double Evaluate(double x) => Math.Exp(Intercept - Rate * x);

    /// <summary>Fits ln y = a − b x with standard errors σ_y (y &gt; 0, σ_y &gt; 0, at least 2 distinct x).</summary>
    /// <exception cref="ArgumentException">Fewer than two points, non-positive values, or equal x.</exception>
    public static ExponentialDecayFit Fit(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double> standardErrors)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(standardErrors);
        int n = x.Count;
        if (n < 2 || y.Count != n || standardErrors.Count != n) throw new ArgumentException($"need at least 2 points with values and errors; got {x.Count}, {y.Count}, {standardErrors.Count}.", nameof(x));
        var ly = new double[n];
        var sy = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!(y[i] > 0)) throw new ArgumentException($"value {i} is {y[i]}; an exponential fit needs positive values.", nameof(y));
            ly[i] = Math.Log(y[i]);
            sy[i] = standardErrors[i] > 0 ? standardErrors[i] / y[i] : 1e-3;
        }
        var (intercept, slope, _, se, red) = WeightedLine.Fit(x, ly, sy);
        return new ExponentialDecayFit(intercept, -slope, se, red);
    }
}

/// <summary>The result of <see cref="BarrenPlateauScan.Run"/>: the points and the decay fits against n and against L.</summary>
/// <param name="Points">One per (n, L), n outer.</param>
/// <param name="QubitFit">ln Var against n at the largest L scanned (null with fewer than two n).</param>
/// <param name="LayerFit">ln Var against L at the largest n scanned (null with fewer than two L).</param>
public sealed record BarrenPlateauResult(IReadOnlyList<BarrenPlateauPoint> Points, ExponentialDecayFit? QubitFit, ExponentialDecayFit? LayerFit);

/// <summary>
/// The variance of ∂_θ⟨O⟩ against the number of qubits and the depth for a family of circuits, with a fitted
/// exponential decay rate (McClean et al. 2018: for global 2-design depth Var ∝ 2^{−n}; Cerezo et al. 2021: global
/// observables decay exponentially at any depth, local ones only polynomially at logarithmic depth).
/// </summary>
public static class BarrenPlateauScan
{
    /// <summary>"Z0", the local observable.</summary>
    public static PauliSum LocalObservable(int qubits) => PauliSum.Parse("Z0");

    /// <summary>Z0 Z1 … Z_{n−1}, the global observable.</summary>
    public static PauliSum GlobalObservable(int qubits) =>
        PauliString.FromFactors(Enumerable.Range(0, qubits).Select(q => (q, Pauli.Z)));

    /// <summary>Runs a <see cref="GradientEnsemble"/> for every (n, L) and fits the decays.</summary>
    /// <param name="family">n, L ↦ circuit (e.g. <see cref="CircuitFamilies.HardwareEfficient"/>); data inputs are set to 0.</param>
    /// <param name="qubits">The n to scan.</param>
    /// <param name="layers">The L to scan.</param>
    /// <param name="observable">n ↦ O (e.g. <see cref="LocalObservable"/> or <see cref="GlobalObservable"/>).</param>
    /// <param name="samples">K per point.</param>
    /// <param name="rule">The initialisation rule.</param>
    /// <param name="seed">The seed (the same for every point: each point's draws are streams of it).</param>
    /// <param name="progress">Points done.</param>
    /// <param name="cancellationToken">Stops between draws.</param>
    public static BarrenPlateauResult Run(Func<int, int, Circuit> family, IReadOnlyList<int> qubits, IReadOnlyList<int> layers, Func<int, PauliSum> observable,
        int samples, InitializationRule rule, ulong seed, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(qubits);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(observable);
        if (qubits.Count == 0 || layers.Count == 0) throw new ArgumentException("at least one qubit count and one layer count are required.", nameof(qubits));
        var points = new List<BarrenPlateauPoint>();
        foreach (int n in qubits)
            foreach (int l in layers)
            {
                var circuit = family(n, l);
                var o = observable(n);
                var stats = GradientEnsemble.Run(circuit, o, samples, rule, seed, new double[circuit.InputCount], cancellationToken: cancellationToken);
                points.Add(new BarrenPlateauPoint(n, l, circuit.ParameterCount, o, stats));
                progress?.Report(points.Count);
            }
        ExponentialDecayFit? Fit(IEnumerable<BarrenPlateauPoint> pts, Func<BarrenPlateauPoint, double> x)
        {
            var list = pts.Where(p => p.Variance > 0).ToList();
            if (list.Select(x).Distinct().Count() < 2) return null;
            return ExponentialDecayFit.Fit([.. list.Select(x)], [.. list.Select(p => p.Variance)], [.. list.Select(p => p.VarianceStandardError)]);
        }
        int maxL = layers.Max(), maxN = qubits.Max();
        return new BarrenPlateauResult(points, Fit(points.Where(p => p.Layers == maxL), p => p.Qubits), Fit(points.Where(p => p.Qubits == maxN), p => p.Layers));
    }
}
