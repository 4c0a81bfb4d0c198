using System.Globalization;
using System.Text.Json;
using QnnSim.Analysis;
using QnnSim.Gradients;
using QnnSim.Noise;

namespace QnnSim.Cli.Common;

/// <summary>
/// The noise and readout of the analysis commands (train, qntk, jacobian, experiment convergence): --noise, --backend,
/// --trajectories (<see cref="NoiseOptions"/>) and --shots, turned into a <see cref="QnnModel"/>'s
/// <see cref="ModelNoise"/> and <see cref="ReadoutMode"/>, and recorded in JSON and CSV output.
/// </summary>
/// <param name="Noise">The parsed noise options.</param>
/// <param name="Shots">Shots per Pauli term per expectation, or null for exact readout.</param>
/// <param name="Seed">The seed of the shots and trajectories (the command's --seed).</param>
internal sealed record AnalysisNoise(NoiseSettings Noise, int? Shots, ulong Seed)
{
    /// <summary>Reads the options.</summary>
    /// <exception cref="CliUsageException">--shots below 2 with --backend trajectories.</exception>
    public static AnalysisNoise Parse(NoiseSettings noise, int? shots, ulong seed)
    {
        if (shots is < 2 && noise.Backend == Backend.Trajectories)
            throw new CliUsageException($"--shots {shots} with --backend trajectories: at least 2 shots are needed (they are split over the trajectories, and a standard error needs two).");
        return new AnalysisNoise(noise, shots, seed);
    }

    /// <summary>True when the model is evaluated with noise or finite shots.</summary>
    public bool IsActive => Noise.IsNoisy || Shots is not null;

    /// <summary>The readout mode.</summary>
    public ReadoutMode Readout => Shots is int n ? ReadoutMode.Shots(n, Seed) : ReadoutMode.Exact;

    /// <summary>The model noise, or null on the state vector.</summary>
    public ModelNoise? ModelNoise => Noise.IsNoisy
        ? new ModelNoise(Noise.Model ?? NoiseModel.Ideal, Noise.Backend == Backend.Trajectories ? NoisyBackend.Trajectories : NoisyBackend.DensityMatrix, Noise.Trajectories, Seed)
        : null;

    /// <summary><paramref name="model"/> under this noise and readout.</summary>
    /// <exception cref="CliInputException">The noise model does not fit the circuit (a qubit beyond it, too many qubits for the density matrix).</exception>
    public QnnModel Apply(QnnModel model)
    {
        try { return model.WithNoise(ModelNoise).WithReadout(Readout); }
        catch (ArgumentException e) { throw new CliInputException(CliMessages.Clean(e.Message)); }
    }

    /// <summary>Writes "backend", "noise", "trajectories" (trajectory backend), "readout" ("exact" or "shots"), "shots"
    /// (null when exact) and "shot_seed" (with shots).</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteString("backend", Noise.Backend.ToString().ToLowerInvariant());
        w.WriteString("noise", Noise.Description);
        if (Noise.Backend == Backend.Trajectories)
        {
            w.WriteNumber("trajectories", Noise.Trajectories);
            w.WriteNumber("trajectory_seed", Seed);
        }
        w.WriteString("readout", Shots is null ? "exact" : "shots");
        if (Shots is int n)
        {
            w.WriteNumber("shots", n);
            w.WriteNumber("shot_seed", Seed);
        }
        else w.WriteNull("shots");
    }

    /// <summary>The first line of a CSV written under noise or shots ("# backend=…; noise=…; readout=…"; the project's CSV
    /// readers, NumPy's loadtxt and pandas' read_csv(comment='#') skip it), or null when exact and noiseless (CSV as before).</summary>
    public string? CsvComment => !IsActive ? null : string.Create(CultureInfo.InvariantCulture,
        $"backend={Noise.Backend.ToString().ToLowerInvariant()}; noise={Noise.Description}{(Noise.Backend == Backend.Trajectories ? $"; trajectories={Noise.Trajectories}; trajectory_seed={Seed}" : "")}; readout={(Shots is int n ? $"shots={n}; shot_seed={Seed}" : "exact")}");

    /// <summary>One line for people: "backend density, noise …, exact readout".</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"backend {Noise.Backend.ToString().ToLowerInvariant()}{(Noise.Backend == Backend.Trajectories ? $" ({Noise.Trajectories} trajectories)" : "")}, noise: {Noise.Description}, {(Shots is int n ? $"{n} shots per term (seed {Seed})" : "exact readout")}");
}
