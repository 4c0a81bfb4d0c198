using QnnSim.Randomness;

namespace QnnSim.Analysis.NoiseTheory;

/// <summary>One instance of check 3: the paper's model under global depolarizing noise, ready to train.</summary>
/// <param name="Model">The noiseless model (Haar W_l, H = Z_0, M0 = γZ_0).</param>
/// <param name="Evaluator">The noisy model: outputs and Jacobian × s = (1 − p)^L (<see cref="GlobalDepolarizedEvaluator"/>).</param>
/// <param name="Labels">y (±1).</param>
/// <param name="Theta0">θ0 uniform on [0, 2π).</param>
/// <param name="DataSeed">The seed of <see cref="Dataset.OrthonormalStates"/> behind the inputs (for a density-matrix cross-check).</param>
public sealed record NoisyRangeInstance(PaperModel Model, GlobalDepolarizedEvaluator Evaluator, double[] Labels, double[] Theta0, ulong DataSeed);

/// <summary>
/// Check 3 of docs/theory.md ("Noise"): with a global depolarizing channel of probability p after each of the L = p
/// layers of the paper's model (You et al., ICML 2023, arXiv:2303.14844), outputs lie in s·[−γ, γ], s = (1 − p)^L.
/// Labels outside that range leave the residual floor |y| − sγ; labels inside converge linearly at the rate of a
/// noiseless readout sγ: −ln(1 − η0κ)/η0 per unit s with κ = 2c((sγ)² − y²).
/// </summary>
public static class NoisyRangeTraining
{
    /// <summary>
    /// Builds one instance: n qubits, p layers, m orthonormal inputs (<see cref="Dataset.OrthonormalStates"/>; for m = 1
    /// the label <paramref name="singleLabel"/>), M0 = γZ_0, noise scale s. Seeds: model, data and θ0 from streams 0, 1, 2
    /// of <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range.</exception>
    public static NoisyRangeInstance Instance(int qubits, int layers, int samples, double gamma, double scale, ulong seed, double singleLabel = 1)
    {
        var model = PaperModel.CreateRandom(qubits, layers, SeededRandom.ForStream(seed, 0).NextUInt64(), gamma);
        ulong dataSeed = SeededRandom.ForStream(seed, 1).NextUInt64();
        var data = Dataset.OrthonormalStates(qubits, samples, dataSeed);
        double[] labels = samples == 1 ? [singleLabel] : data.LabelArray();
        var theta = InitialParameters.Uniform(layers, SeededRandom.ForStream(seed, 2).NextUInt64());
        return new NoisyRangeInstance(model, new GlobalDepolarizedEvaluator(model.CreateEngine(data.States!), scale), labels, theta, dataSeed);
    }

    /// <summary>
    /// The predicted late rate per unit s of gradient descent with η = η0/p for a single label y strictly inside
    /// s·(−γ, γ): −ln(1 − η0κ)/η0 with κ = 2c((sγ)² − y²) (docs/theory.md §3c with readout sγ).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The label is not inside the range, or η0κ ≥ 1.</exception>
    public static double LinearRate(int dimension, double gamma, double scale, double label, double eta0)
    {
        double reach = scale * gamma;
        if (!(Math.Abs(label) < reach)) throw new ArgumentOutOfRangeException(nameof(label), label, $"label = {label} is out of range; allowed: strictly inside ±sγ = ±{reach}.");
        return TheoryFormulas.DiscreteRate(eta0, TheoryFormulas.SingleSampleRate(TheoryFormulas.PauliGeneratorConstant(dimension), reach, label));
    }

    /// <summary>
    /// The predicted rate per unit s at which a single residual approaches its floor |y| − sγ when |y| &gt; sγ: near the
    /// edge ŷ = sign(y)(sγ − ε), the flow dŷ/ds = −2c((sγ)² − ŷ²)(ŷ − y) gives dε/ds = −4c·sγ(|y| − sγ)·ε; gradient
    /// descent shows −ln(1 − η0κ)/η0 with κ = 4c·sγ(|y| − sγ).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The label is inside the range, or η0κ ≥ 1.</exception>
    public static double FloorApproachRate(int dimension, double gamma, double scale, double label, double eta0)
    {
        double reach = scale * gamma;
        if (!(Math.Abs(label) > reach)) throw new ArgumentOutOfRangeException(nameof(label), label, $"label = {label} is out of range; allowed: outside ±sγ = ±{reach}.");
        double kappa = 4 * TheoryFormulas.PauliGeneratorConstant(dimension) * reach * (Math.Abs(label) - reach);
        return TheoryFormulas.DiscreteRate(eta0, kappa);
    }
}
