using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;

namespace QnnSim.Analysis;

/// <summary>The shot-based parameter-shift gradient of a circuit with noise channels (the seam the noisy evaluator
/// reads shot gradients through).</summary>
internal interface IShotShiftGradient
{
    /// <summary>∂⟨O⟩/∂θ estimated by the shift rule, each shifted ⟨O⟩ from <paramref name="shots"/> shots per Pauli term.</summary>
    ShotGradient Estimate(Circuit noisyCircuit, ParameterValues parameters, InputValues inputs, PauliSum observable, int shots, ulong seed,
        NoiseModel? readoutNoise);
}

/// <summary>
/// The shot-based parameter shift on density matrices, through the public simulator: for every occurrence of θ in a
/// gate angle (only angles that depend on θ), the gate's shift rule — two terms ±π/2 with ±½ for uncontrolled gates,
/// four terms for controlled ones, exact with channels after the gate (Mari, Bromley and Killoran, PRA 103, 012405
/// (2021)) — with each shifted ⟨O⟩ estimated by <see cref="DensityMatrixSimulator.EstimateExpectation"/> from its own
/// stream (index 4·a + t of the seed, a the occurrence and t the term). Variance Σ (chain · c_t)² SE².
/// </summary>
internal sealed class DensityShotShift(DensityMatrixSimulator density) : IShotShiftGradient
{
    private static readonly double CPlus = (Math.Sqrt(2) + 1) / (4 * Math.Sqrt(2));
    private static readonly double CMinus = (Math.Sqrt(2) - 1) / (4 * Math.Sqrt(2));

    public ShotGradient Estimate(Circuit noisyCircuit, ParameterValues parameters, InputValues inputs, PauliSum observable, int shots, ulong seed,
        NoiseModel? readoutNoise)
    {
        int p = noisyCircuit.ParameterCount;
        var gradient = new double[p];
        var variance = new double[p];
        var chain = new double[p];
        long total = 0;
        int occurrence = 0;
        var ops = noisyCircuit.Operations;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            for (int k = 0; k < op.Angles.Length; k++)
            {
                var angle = op.Angles[k];
                if (angle.IsConstant || angle.ParameterExtent() == 0) continue;
                if (op.Kind == GateKind.GlobalPhase && op.Controls.IsEmpty) continue; // no effect on ⟨O⟩
                (double Shift, double Coefficient)[] rule = op.Controls.IsEmpty
                    ? [(Math.PI / 2, 0.5), (-Math.PI / 2, -0.5)]
                    : [(Math.PI / 2, CPlus), (-Math.PI / 2, -CPlus), (3 * Math.PI / 2, -CMinus), (-3 * Math.PI / 2, CMinus)];
                Array.Clear(chain);
                angle.AccumulateGradient(parameters.Span, inputs.Span, 1.0, chain, default);
                double d = 0, v = 0;
                for (int t = 0; t < rule.Length; t++)
                {
                    var shifted = new Circuit(noisyCircuit.QubitCount,
                        ops.SetItem(i, op.WithAngles(op.Angles.SetItem(k, angle + Angle.Constant(rule[t].Shift)))),
                        noisyCircuit.ParameterNames, noisyCircuit.InputNames, noisyCircuit.MeasuredQubits);
                    var rho = density.Run(shifted, parameters, inputs);
                    ulong stream = SeededRandom.ForStream(seed, (ulong)(4 * occurrence + t)).NextUInt64();
                    var e = density.EstimateExpectation(rho, observable, shots, stream, readoutNoise);
                    d += rule[t].Coefficient * e.Estimate;
                    v += rule[t].Coefficient * rule[t].Coefficient * e.StandardError * e.StandardError;
                    total += e.TotalShots;
                }
                for (int j = 0; j < p; j++)
                {
                    if (chain[j] == 0) continue;
                    gradient[j] += chain[j] * d;
                    variance[j] += chain[j] * chain[j] * v;
                }
                occurrence++;
            }
        }
        return new ShotGradient(gradient, [.. variance.Select(Math.Sqrt)], total);
    }
}
