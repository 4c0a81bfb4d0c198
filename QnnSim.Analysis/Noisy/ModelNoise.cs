using System.Globalization;
using QnnSim.Gradients;
using QnnSim.Noise;

namespace QnnSim.Analysis;

/// <summary>
/// The noise a <see cref="QnnModel"/> is evaluated under: a <see cref="NoiseModel"/> and the backend that simulates it
/// (<see cref="NoisyDifferentiator"/>). The model's output becomes f(x; θ) = Tr(O 𝓔_{θ,x}(ρ_in)) with 𝓔 the circuit's
/// gates interleaved with the model's channels.
/// </summary>
/// <param name="Model">The noise model (its gate and measurement channels are inserted by <see cref="NoiseModel.ApplyTo"/>;
/// its readout errors act on sampled outcomes, so they enter only with <see cref="ReadoutMode.Shots"/>).</param>
/// <param name="Backend">The exact density matrix (default; exact values and gradients, at most 15 qubits) or quantum
/// trajectories (Monte-Carlo estimates; gradients by the parameter-shift rule with common random numbers).</param>
/// <param name="Trajectories">Trajectories per estimate on the trajectory backend (at least 2).</param>
/// <param name="Seed">Seed of the trajectories: call c, sample s and readout o use trajectory seeds derived from
/// (Seed, c, s, o), so results do not depend on the thread count.</param>
public sealed record ModelNoise(NoiseModel Model, NoisyBackend Backend = NoisyBackend.DensityMatrix, int Trajectories = 1000, ulong Seed = 0)
{
    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An unknown backend, or fewer than 2 trajectories.</exception>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model, nameof(Model));
        if (!Enum.IsDefined(Backend))
            throw new ArgumentOutOfRangeException(nameof(Backend), Backend, $"backend {Backend} is not defined; allowed: DensityMatrix, Trajectories.");
        if (Trajectories < 2)
            throw new ArgumentOutOfRangeException(nameof(Trajectories), Trajectories, $"Trajectories = {Trajectories} is out of range; allowed: at least 2 (a standard error needs two).");
    }

    /// <summary>"MODEL on density-matrix" or "MODEL on trajectories (N)".</summary>
    public override string ToString() => Backend == NoisyBackend.DensityMatrix
        ? $"{Model} on density-matrix"
        : string.Create(CultureInfo.InvariantCulture, $"{Model} on trajectories ({Trajectories}, seed {Seed})");
}
