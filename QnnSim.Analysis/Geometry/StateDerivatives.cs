using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// The state |ψ(θ)⟩ = U(θ, x)|ψ₀⟩ and its derivatives |∂_jψ⟩ = ∂|ψ⟩/∂θ_j, through QnnSim's public API: every
/// operation is applied with its angles fixed, and for each angle occurrence φ_s the derivative U_s'(φ_s) of that one
/// gate is applied to the state before it and carried through the rest of the circuit, weighted by ∂φ_s/∂θ_j (the
/// chain rule, so shared parameters and angle expressions work). For what the quantum Fisher information needs.
/// </summary>
/// <remarks>
/// U_s' is exact for the uncontrolled Pauli rotations (Rx, Ry, Rz, Rxx, Ryy, Rzz, PauliRotation): e^{−iφP/2} has
/// U'(φ) = ½ U(φ + π). Other gates (controlled rotations, phase gates, U) use the fourth-order central difference of the
/// single gate with step h = 10⁻³, whose error is about h⁴‖G‖⁵/30 + ε/h ≈ 10⁻¹³ for generators of norm ≤ 1.
/// Cost: p + 1 state vectors and (p + 1)·(number of operations) gate applications; meant for small circuits. A core API
/// giving ⟨∂_iψ|∂_jψ⟩ from the adjoint sweep (as the Differentiator already does for ⟨O⟩) would make it O(p) sweeps
/// without p stored states.
/// </remarks>
public static class StateDerivatives
{
    private const double Step = 1e-3;

    /// <summary>Computes ψ and ∂_jψ (j = 0..p−1) as amplitude arrays.</summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="parameters">θ (length p).</param>
    /// <param name="inputs">x (length q; empty when the circuit has no inputs).</param>
    /// <param name="initialState">ψ₀, or null for |0…0⟩.</param>
    /// <exception cref="ArgumentException">θ or x of the wrong length, or non-finite values.</exception>
    public static (Complex[] State, Complex[][] Derivatives) Compute(Circuit circuit, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs = default,
        StateVector? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (parameters.Length != circuit.ParameterCount) throw new ArgumentException($"θ has length {parameters.Length}, but the circuit has {circuit.ParameterCount} parameters.", nameof(parameters));
        if (inputs.Length != circuit.InputCount) throw new ArgumentException($"x has length {inputs.Length}, but the circuit reads {circuit.InputCount} inputs.", nameof(inputs));
        var theta = parameters.ToArray();
        var x = inputs.ToArray();
        Simulator.ValidateValues(circuit, new ParameterValues(theta), new InputValues(x));
        int n = circuit.QubitCount, p = circuit.ParameterCount;
        var sim = new Simulator(SimulationOptions.Default with { MaxThreads = 1 });
        var psi = initialState?.Clone() ?? StateVector.Zero(n);
        var derivatives = new StateVector[p];
        for (int j = 0; j < p; j++)
        {
            derivatives[j] = StateVector.Zero(n);
            derivatives[j].AmplitudesMutable.Clear();
        }
        var touched = new bool[p];
        var scratch = StateVector.Zero(n);
        var contributions = new List<(double[] Weights, StateVector Vector)>();
        foreach (var op in circuit.Operations)
        {
            var angles = op.Angles.Select(a => a.Evaluate(theta, x)).ToArray();
            var fixedOp = Fixed(op, angles, n);
            // Contributions of this operation's variable angles start from the state before it.
            contributions.Clear();
            for (int a = 0; a < angles.Length; a++)
            {
                if (op.Angles[a].IsConstant) continue;
                var weights = new double[p];
                op.Angles[a].AccumulateGradient(theta, x, 1.0, weights, default);
                if (weights.All(w => w == 0)) continue;
                var vector = StateVector.Zero(n);
                GateDerivative(sim, op, angles, a, n, psi, scratch, vector);
                contributions.Add((weights, vector));
            }
            // Earlier contributions are carried through this gate; then the new ones are added.
            for (int j = 0; j < p; j++)
                if (touched[j]) sim.Apply(fixedOp, ParameterValues.None, InputValues.None, derivatives[j]);
            foreach (var (weights, vector) in contributions)
            {
                var g = vector.Amplitudes;
                for (int j = 0; j < p; j++)
                {
                    if (weights[j] == 0) continue;
                    var d = derivatives[j].AmplitudesMutable;
                    for (int k = 0; k < d.Length; k++) d[k] += weights[j] * g[k];
                    touched[j] = true;
                }
            }
            sim.Apply(fixedOp, ParameterValues.None, InputValues.None, psi);
        }
        return (psi.ToArray(), [.. derivatives.Select(d => d.ToArray())]);
    }

    /// <summary>acc ← U_s'(φ_a) ψ for angle slot a of <paramref name="op"/> (see the remarks).</summary>
    private static void GateDerivative(Simulator sim, Operation op, double[] angles, int slot, int n, StateVector psi, StateVector scratch, StateVector acc)
    {
        var amplitudes = acc.AmplitudesMutable;
        if (op.Controls.IsEmpty && op.Kind is GateKind.Rx or GateKind.Ry or GateKind.Rz or GateKind.Rxx or GateKind.Ryy or GateKind.Rzz or GateKind.PauliRotation)
        {
            acc.CopyFrom(psi);
            var shifted = (double[])angles.Clone();
            shifted[slot] += Math.PI;
            sim.Apply(Fixed(op, shifted, n), ParameterValues.None, InputValues.None, acc);
            for (int k = 0; k < amplitudes.Length; k++) amplitudes[k] *= 0.5;
            return;
        }
        amplitudes.Clear();
        ReadOnlySpan<(double Offset, double Weight)> stencil = [(2 * Step, -1.0), (Step, 8.0), (-Step, -8.0), (-2 * Step, 1.0)];
        foreach (var (offset, weight) in stencil)
        {
            scratch.CopyFrom(psi);
            var shifted = (double[])angles.Clone();
            shifted[slot] += offset;
            sim.Apply(Fixed(op, shifted, n), ParameterValues.None, InputValues.None, scratch);
            var s = scratch.Amplitudes;
            double w = weight / (12 * Step);
            for (int k = 0; k < amplitudes.Length; k++) amplitudes[k] += w * s[k];
        }
    }

    private static Circuit Fixed(Operation op, double[] angles, int n) =>
        new(n, [op.WithAngles([.. angles.Select(Angle.Constant)])]);
}
