using System.CommandLine;
using QnnSim.Noise;

namespace QnnSim.Cli.Common;

/// <summary>The simulation backend a command runs on.</summary>
internal enum Backend
{
    /// <summary>The pure state vector (no noise).</summary>
    Statevector,
    /// <summary>The exact density matrix.</summary>
    Density,
    /// <summary>Quantum trajectories (Monte-Carlo estimates with standard errors).</summary>
    Trajectories,
}

/// <summary>The parsed noise options of a command.</summary>
/// <param name="Model">The noise model (null: none given).</param>
/// <param name="Spec">The --noise text as given (a spec or a file path), or null.</param>
/// <param name="Backend">The backend: statevector without --noise, the density matrix with it, unless --backend says otherwise.</param>
/// <param name="Trajectories">Trajectories per estimate (trajectory backend).</param>
internal sealed record NoiseSettings(NoiseModel? Model, string? Spec, Backend Backend, int Trajectories)
{
    /// <summary>True when the command simulates noise or mixed states.</summary>
    public bool IsNoisy => Backend != Backend.Statevector;

    /// <summary>A one-line description for people and for JSON ("ideal (no noise)" without --noise).</summary>
    public string Description => Model?.ToString() ?? NoiseModel.Ideal.ToString();
}

/// <summary>
/// --noise SPEC|FILE.json, --backend statevector|density|trajectories and --trajectories N, shared by every command that
/// simulates (docs/cli.md, docs/noise.md). --method keeps naming the gradient method of grad and jacobian.
/// </summary>
internal sealed class NoiseOptions
{
    /// <summary>Trajectories per estimate when --trajectories is not given.</summary>
    public const int DefaultTrajectories = 1000;

    private readonly Option<string?> _noise = new("--noise")
    {
        Description = "Noise model: a short spec (depolarizing=P, depolarizing2=P, global-depolarizing=P, pauli=PX,PY,PZ, bit-flip=P, phase-flip=P, " +
                      "amplitude-damping=G, phase-damping=L, thermal-relaxation=T1,T2,T, readout=P1GIVEN0,P0GIVEN1, qdk-pauli=PX,PY,PZ; several joined by ';') " +
                      "or a JSON noise-model file (docs/noise.md). A gate channel follows every gate on each qubit it touches; readout applies at measurement.",
        HelpName = "SPEC|FILE.json",
    };

    private readonly Option<Backend?> _backend = new("--backend")
    {
        Description = "Simulation backend: statevector (pure states, no noise), density (exact density matrix, at most 15 qubits; the default with --noise) " +
                      "or trajectories (Monte-Carlo estimates with standard errors; reaches statevector sizes).",
        HelpName = "statevector|density|trajectories",
        CustomParser = result => CommonOptions.EnumName<Backend>(result, "--backend"),
    };

    private readonly Option<int?> _trajectories = new("--trajectories")
    {
        Description = $"Trajectories per estimate with --backend trajectories (default {DefaultTrajectories}); at least 2.",
        HelpName = "N",
        CustomParser = result => CommonOptions.PositiveInt(result, "--trajectories", "trajectories"),
    };

    /// <summary>Adds the three options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_noise);
        command.Options.Add(_backend);
        command.Options.Add(_trajectories);
    }

    /// <summary>Reads the options: the model from a spec or a file (a path ending in .json or naming an existing file).</summary>
    /// <exception cref="ParseException">A malformed spec or noise-model file (exit 3).</exception>
    /// <exception cref="CliUsageException">--trajectories without the trajectory backend, --backend statevector with --noise, or 1 trajectory.</exception>
    public NoiseSettings Parse(ParseResult parse)
    {
        string? spec = parse.GetValue(_noise);
        Backend? backend = parse.GetValue(_backend);
        int? trajectories = parse.GetValue(_trajectories);
        NoiseModel? model = null;
        if (spec is not null)
        {
            if (spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(spec))
            {
                if (!File.Exists(spec)) throw new CliInputException($"noise model file '{spec}' does not exist.");
                model = NoiseModelParser.ParseFile(spec);
            }
            else model = NoiseModelParser.ParseSpec(spec);
        }
        var chosen = backend ?? (model is null ? Backend.Statevector : Backend.Density);
        if (chosen == Backend.Statevector && model is not null && !model.IsIdeal)
            throw new CliUsageException("--backend statevector simulates pure states and cannot apply --noise; use --backend density or trajectories.");
        if (trajectories is not null && chosen != Backend.Trajectories)
            throw new CliUsageException("--trajectories applies only with --backend trajectories.");
        if (trajectories is 1)
            throw new CliUsageException("--trajectories 1 is not allowed; a standard error needs at least 2 trajectories.");
        return new NoiseSettings(model, spec, chosen, trajectories ?? DefaultTrajectories);
    }
}
