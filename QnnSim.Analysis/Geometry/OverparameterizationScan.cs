using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Analysis;

/// <summary>One depth of an <see cref="OverparameterizationScan"/>.</summary>
/// <param name="Layers">L.</param>
/// <param name="Parameters">p.</param>
/// <param name="QfimRank">Mean rank of the QFIM of U(θ, x₀)|0⟩ over the draws (x₀ the first sample's inputs).</param>
/// <param name="JacobianRank">Mean rank of the m × p dataset Jacobian over the draws.</param>
public sealed record OverparameterizationPoint(int Layers, int Parameters, double QfimRank, double JacobianRank);

/// <summary>The ranks against p and where they saturate.</summary>
/// <param name="Points">One per depth, in the order given.</param>
/// <param name="QfimSaturation">The first p from which the QFIM rank no longer grows (null if it grows to the end).</param>
/// <param name="DlaDimension">dim 𝔤 of the deepest circuit's generators (null when n &gt; 6 or a gate has no Pauli generator).</param>
/// <param name="OrbitDimension">The dimension of |0…0⟩'s orbit under that algebra's group (the QFIM rank's ceiling), or null.</param>
public sealed record OverparameterizationResult(IReadOnlyList<OverparameterizationPoint> Points, int? QfimSaturation, int? DlaDimension, int? OrbitDimension);

/// <summary>
/// Overparameterisation (Larocca et al., "Theory of overparametrization in quantum neural networks", Nature
/// Computational Science 3, 542 (2023)): the ranks of the QFIM and of the dataset Jacobian grow with the number of
/// parameters until they saturate; the QFIM rank saturates at the dimension of the input state's orbit under the
/// circuit's Lie group, at most dim 𝔤 (for su(d) on a pure state 2d − 2).
/// </summary>
public static class OverparameterizationScan
{
    /// <summary>Runs the scan over <paramref name="layers"/> for the family at <paramref name="qubits"/> qubits.</summary>
    /// <param name="family">n, L ↦ circuit.</param>
    /// <param name="qubits">n.</param>
    /// <param name="layers">The depths (ascending for a meaningful saturation point).</param>
    /// <param name="readout">The readout of the Jacobian.</param>
    /// <param name="data">The dataset of the Jacobian (inputs matching the circuits'); its first sample also gives x₀.</param>
    /// <param name="draws">Parameter draws per depth (uniform on [0, 2π), streams of <paramref name="seed"/>).</param>
    /// <param name="seed">The seed.</param>
    /// <param name="relativeTolerance">The rank tolerance (<see cref="QuantumGeometry.DefaultRankTolerance"/>).</param>
    public static OverparameterizationResult Run(Func<int, int, Circuit> family, int qubits, IReadOnlyList<int> layers, PauliSum readout, Dataset data,
        int draws, ulong seed, double relativeTolerance = QuantumGeometry.DefaultRankTolerance)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(data);
        if (draws < 1) throw new ArgumentOutOfRangeException(nameof(draws), draws, $"draws = {draws} is out of range; allowed: at least 1.");
        var rule = InitializationRule.Uniform();
        var points = new List<OverparameterizationPoint>();
        Circuit? deepest = null;
        foreach (int l in layers)
        {
            var circuit = family(qubits, l);
            deepest = circuit;
            var model = new QnnModel(circuit, readout);
            double qfim = 0, jac = 0;
            double[] x0 = data.Inputs?[0].Span.ToArray() ?? [];
            for (int k = 0; k < draws; k++)
            {
                var theta = rule.Draw(circuit.ParameterCount, seed, k);
                qfim += QuantumGeometry.Rank(QuantumGeometry.QuantumFisherInformation(circuit, theta, x0, data.States?[0]), relativeTolerance);
                jac += QuantumGeometry.Rank(model.Jacobian(theta, data, out _), data.Count, circuit.ParameterCount, relativeTolerance);
            }
            points.Add(new OverparameterizationPoint(l, circuit.ParameterCount, qfim / draws, jac / draws));
        }
        int? saturation = null;
        for (int i = 0; i + 1 < points.Count; i++)
            if (points.Skip(i + 1).All(q => q.QfimRank <= points[i].QfimRank)) { saturation = points[i].Parameters; break; }
        int? dla = null, orbit = null;
        if (deepest is not null && qubits <= 6)
        {
            try
            {
                var algebra = DynamicalLieAlgebra.FromGenerators(DynamicalLieAlgebra.CircuitGenerators(deepest));
                dla = algebra.Dimension;
                orbit = data.States is null ? QuantumGeometry.OrbitDimension(algebra, QnnSim.State.StateVector.Zero(qubits)) : null;
            }
            catch (NotSupportedException)
            {
            }
        }
        return new OverparameterizationResult(points, saturation, dla, orbit);
    }
}
