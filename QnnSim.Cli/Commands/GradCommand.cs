using System.CommandLine;
using QnnSim.Circuits;
using QnnSim.Cli.Common;
using QnnSim.Gradients;
using Spectre.Console;

namespace QnnSim.Cli.Commands;

/// <summary>What <c>qnnsim grad</c> computed, before printing.</summary>
/// <param name="Observable">The observable as written.</param>
/// <param name="Method">"adjoint", "shift" or "fd".</param>
/// <param name="Value">The exact ⟨O⟩.</param>
/// <param name="ParameterNames">θ names in circuit order.</param>
/// <param name="Gradient">∂⟨O⟩/∂θ (exact, or the shot estimate with --shots).</param>
/// <param name="StandardError">Per-parameter standard errors with --shots, else null.</param>
/// <param name="InputNames">x names in circuit order.</param>
/// <param name="InputGradient">∂⟨O⟩/∂x for exact methods when the circuit has data inputs, else null.</param>
/// <param name="Shots">Shots per term per shifted circuit, or null.</param>
/// <param name="Seed">The seed used with --shots.</param>
/// <param name="TotalShots">Shots spent, or null.</param>
internal sealed record GradResult(string Observable, string Method, double Value, IReadOnlyList<string> ParameterNames, double[] Gradient,
    double[]? StandardError, IReadOnlyList<string> InputNames, double[]? InputGradient, int? Shots, ulong Seed, long? TotalShots)
{
    /// <summary>The noisy backend and model, when --noise or --backend was given.</summary>
    public NoiseSettings? Noise { get; init; }

    /// <summary>The trajectory estimate's standard error of the value (trajectory backend).</summary>
    public double? ValueStandardError { get; init; }
}

/// <summary>
/// <c>qnnsim grad FILE [--bind NAME=VALUE]... --observable TEXT [--method adjoint|shift|fd] [--shots N] [--seed S] [--json]</c>:
/// the value ⟨O⟩ and its gradient with respect to every trainable parameter (and every data input, exact methods).
/// With --shots the gradient is the shot-based parameter-shift estimate with a standard error per parameter; the value
/// stays exact.
/// </summary>
internal static class GradCommand
{
    /// <summary>The accepted --method names.</summary>
    public static readonly string[] MethodNames = ["adjoint", "shift", "fd"];

    /// <summary>A --method option.</summary>
    public static Option<string> MethodOption() => new Option<string>("--method")
    {
        Description = "Differentiation method: adjoint (default; exact, one forward and one backward sweep), shift (parameter-shift rule, as on hardware) or fd (central finite differences, h = 1e-5).",
        HelpName = "adjoint|shift|fd",
        DefaultValueFactory = _ => "adjoint",
    }.AcceptOnlyFromAmong(MethodNames);

    /// <summary>Maps a --method name to the enum.</summary>
    public static GradientMethod ParseMethod(string? name) => name switch
    {
        null or "adjoint" => GradientMethod.Adjoint,
        "shift" => GradientMethod.ParameterShift,
        "fd" => GradientMethod.FiniteDifference,
        _ => throw new CliUsageException($"--method '{name}' is not allowed; expected one of {string.Join(", ", MethodNames)}."),
    };

    public static Command Create(CliContext context)
    {
        var file = CommonOptions.CircuitFile();
        var bind = Bindings.Option();
        var observable = ObservableOptions.Option(required: true, description:
            "The Pauli observable to differentiate, e.g. \"Z0\" or \"0.5*Z0 Z1 - X2\" (exactly one).");
        var method = MethodOption();
        var shots = CommonOptions.Shots("Estimate the gradient by the parameter-shift rule from N shots per Pauli term per shifted circuit (implies --method shift); prints a standard error per parameter.");
        var seed = CommonOptions.Seed("shot sampling");
        var json = CommonOptions.Json();
        var noise = new NoiseOptions();
        var threads = CommonOptions.Threads();
        var loading = new CircuitLoading();
        var command = new Command("grad", "Print <O> and its gradient with respect to every trainable parameter (and data input) of a circuit file.")
        {
            file, bind, observable, method, shots, seed, json, threads,
        };
        loading.AddTo(command);
        noise.AddTo(command);
        command.SetAction(parse =>
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var noiseSettings = noise.Parse(parse);
            var bindings = Bindings.Parse(parse.GetValue(bind));
            var observables = ObservableOptions.Parse(parse.GetValue(observable));
            if (observables.Count != 1)
                throw new CliUsageException($"--observable was given {observables.Count} times; qnnsim grad differentiates exactly one observable (use qnnsim jacobian for several).");
            int? shotCount = parse.GetOptional(shots);
            bool methodGiven = parse.GetResult(method) is { Implicit: false };
            string methodName = parse.GetValue(method) ?? "adjoint";
            if (shotCount is not null && methodGiven && methodName != "shift")
                throw new CliUsageException($"--shots estimates the parameter-shift gradient; it cannot be combined with --method {methodName}.");
            if (shotCount is not null) methodName = "shift";
            if (noiseSettings.IsNoisy)
            {
                if (shotCount is < 2 && noiseSettings.Backend == Backend.Trajectories)
                    throw new CliUsageException($"--shots {shotCount} with --backend trajectories: at least 2 shots are needed (they are split over the trajectories, and a standard error needs two).");
                if (noiseSettings.Backend == Backend.Trajectories)
                {
                    if (methodGiven && methodName != "shift")
                        throw new CliUsageException($"--method {methodName} is not available with --backend trajectories; use --method shift (the default there).");
                    methodName = "shift";
                }
            }
            var circuit = loading.Load(parse, parse.GetValue(file)!);
            ObservableOptions.CheckWidth(observables, circuit);
            var (theta, x) = Bindings.Resolve(circuit, bindings);
            var result = noiseSettings.IsNoisy
                ? ExecuteNoisy(circuit, ParameterValues.Of(theta), InputValues.Of(x), observables[0], methodName, noiseSettings, parse.GetValue(seed), context.CancellationToken, parse.ThreadCount(threads), shotCount)
                : Execute(circuit, ParameterValues.Of(theta), InputValues.Of(x), observables[0], methodName, shotCount, parse.GetValue(seed), parse.ThreadCount(threads));
            if (parse.GetValue(json)) WriteJson(context.Out, result);
            else WriteHuman(context, result);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Computes the value and gradient (no printing).</summary>
    /// <exception cref="CliInputException">The circuit has no trainable parameters.</exception>
    public static GradResult Execute(Circuit circuit, ParameterValues theta, InputValues x, ObservableArg observable, string methodName,
        int? shots, ulong seed, int? threads = null)
    {
        if (circuit.ParameterCount == 0)
            throw new CliInputException("the circuit has no trainable parameters (p = 0), so there is no gradient to compute; declare parameters as OpenQASM 'input float' variables that are not data inputs.");
        int t = threads ?? Environment.ProcessorCount;
        var differentiator = new Differentiator(new GradientOptions
        {
            Method = ParseMethod(methodName), MaxDegreeOfParallelism = t, Simulation = QnnSim.Simulation.SimulationOptions.Default with { MaxThreads = t },
        });
        var gradient = new double[circuit.ParameterCount];
        var inputGradient = new double[circuit.InputCount];
        double value = differentiator.ValueAndGradient(circuit, theta, x, observable.Sum, gradient, inputGradient);
        double[]? standardError = null;
        long? totalShots = null;
        if (shots is int n)
        {
            var estimate = differentiator.ParameterShiftWithShots(circuit, theta, x, observable.Sum, n, seed);
            gradient = estimate.Gradient;
            standardError = estimate.StandardError;
            totalShots = estimate.TotalShots;
        }
        return new GradResult(observable.Text, methodName, value, circuit.ParameterNames, gradient, standardError, circuit.InputNames,
            circuit.InputCount > 0 && shots is null ? inputGradient : null, shots, seed, totalShots);
    }

    /// <summary>The value and gradient under noise (density matrix: exact; trajectories: estimates with standard errors;
    /// with <paramref name="shots"/>, the shot-based shift gradient with standard errors, and the exact value on the
    /// density matrix or the shot estimate of the value with its standard error on trajectories).</summary>
    public static GradResult ExecuteNoisy(Circuit circuit, ParameterValues theta, InputValues x, ObservableArg observable, string methodName,
        NoiseSettings noise, ulong seed, CancellationToken cancellationToken, int? threads = null, int? shots = null)
    {
        if (circuit.ParameterCount == 0)
            throw new CliInputException("the circuit has no trainable parameters (p = 0), so there is no gradient to compute; declare parameters as OpenQASM 'input float' variables that are not data inputs.");
        var backend = noise.Backend == Backend.Trajectories ? NoisyBackend.Trajectories : NoisyBackend.DensityMatrix;
        var d = new NoisyDifferentiator(noise.Model, backend, Simulation.SimulationOptions.Default with { MaxThreads = threads ?? Environment.ProcessorCount },
            trajectories: noise.Trajectories, seed: seed);
        if (shots is int n)
        {
            var estimate = d.ValueAndGradientWithShots(circuit, theta, x, observable.Sum, n, seed, cancellationToken);
            bool onTrajectories = backend == NoisyBackend.Trajectories;
            double value = onTrajectories ? estimate.Value : d.ValueAndGradient(circuit, theta, x, observable.Sum, GradientMethod.Adjoint, cancellationToken).Value;
            return new GradResult(observable.Text, methodName, value, circuit.ParameterNames, estimate.Gradient, estimate.GradientStandardErrors,
                circuit.InputNames, null, n, seed, NoisyShotCount(circuit, observable.Sum, n))
            {
                Noise = noise,
                ValueStandardError = onTrajectories ? estimate.ValueStandardError : null,
            };
        }
        var g = d.ValueAndGradient(circuit, theta, x, observable.Sum, ParseMethod(methodName), cancellationToken);
        bool estimated = backend == NoisyBackend.Trajectories;
        return new GradResult(observable.Text, methodName, g.Value, circuit.ParameterNames, g.Gradient, estimated ? g.GradientStandardErrors : null,
            circuit.InputNames, null, null, seed, null)
        {
            Noise = noise,
            ValueStandardError = estimated ? g.ValueStandardError : null,
        };
    }

    /// <summary>Shots <see cref="NoisyDifferentiator.ValueAndGradientWithShots"/> spends: N per non-identity term of O for
    /// the unshifted circuit and for every shift term (two per uncontrolled angle that depends on θ, four per controlled
    /// one; angles of data inputs alone are not shifted).</summary>
    private static long NoisyShotCount(Circuit circuit, Observables.PauliSum observable, int shots)
    {
        long circuits = 1;
        foreach (var op in circuit.Operations)
            foreach (var angle in op.Angles)
                if (!angle.IsConstant && angle.ParameterExtent() > 0 && !(op.Kind == GateKind.GlobalPhase && op.Controls.IsEmpty)) circuits += op.Controls.IsEmpty ? 2 : 4;
        return (long)shots * observable.Terms.Count(t => !t.Pauli.IsIdentity) * circuits;
    }

    /// <summary>Schema qnnsim.grad/1: value, gradient {name: g}, and with --shots standard_error, shots, seed, total_shots.</summary>
    public static void WriteJson(TextWriter output, GradResult r) => JsonOutput.Write(output, "grad", w =>
    {
        w.WriteString("observable", r.Observable);
        w.WriteString("method", r.Method);
        if (r.Noise is not null)
        {
            w.WriteString("backend", r.Noise.Backend.ToString().ToLowerInvariant());
            w.WriteString("noise", r.Noise.Description);
            if (r.Noise.Backend == Backend.Trajectories)
            {
                w.WriteNumber("trajectories", r.Noise.Trajectories);
                w.WriteNumber("seed", r.Seed);
            }
        }
        JsonOutput.WriteNumber(w, "value", r.Value);
        if (r.ValueStandardError is double vse) JsonOutput.WriteNumber(w, "value_standard_error", vse);
        JsonOutput.WriteObject(w, "gradient", r.ParameterNames.Select((n, j) => KeyValuePair.Create(n, r.Gradient[j])));
        if (r.StandardError is not null)
            JsonOutput.WriteObject(w, "standard_error", r.ParameterNames.Select((n, j) => KeyValuePair.Create(n, r.StandardError[j])));
        if (r.StandardError is not null && r.Shots is not null)
        {
            w.WriteNumber("shots", r.Shots!.Value);
            if (r.Noise?.Backend != Backend.Trajectories) w.WriteNumber("seed", r.Seed); // written above with the trajectories
            w.WriteNumber("total_shots", r.TotalShots!.Value);
        }
        if (r.InputGradient is not null)
            JsonOutput.WriteObject(w, "input_gradient", r.InputNames.Select((n, j) => KeyValuePair.Create(n, r.InputGradient[j])));
    });

    private static void WriteHuman(CliContext context, GradResult r)
    {
        var console = HumanOutput.Stdout(context);
        console.WriteLine($"<{r.Observable}> = {HumanOutput.Number(r.Value)}{(r.ValueStandardError is double vse ? $" ± {HumanOutput.Number(vse)}" : "")}   (method: {r.Method}{(r.Shots is int s ? $", {s} shots per term, seed {r.Seed}" : "")})");
        if (r.Noise is not null)
            console.WriteLine($"Backend: {r.Noise.Backend.ToString().ToLowerInvariant()}{(r.Noise.Backend == Backend.Trajectories ? $" ({r.Noise.Trajectories} trajectories, seed {r.Seed})" : "")}; noise: {r.Noise.Description}.");
        var table = r.StandardError is null ? HumanOutput.Table("parameter", "gradient").NumberColumns(1)
            : HumanOutput.Table("parameter", "gradient", "std. error").NumberColumns(1, 2);
        for (int j = 0; j < r.ParameterNames.Count; j++)
        {
            if (r.StandardError is null) table.Row(r.ParameterNames[j], HumanOutput.Number(r.Gradient[j]));
            else table.Row(r.ParameterNames[j], HumanOutput.Number(r.Gradient[j]), HumanOutput.Number(r.StandardError[j]));
        }
        console.Write(table);
        if (r.InputGradient is not null)
        {
            var inputs = HumanOutput.Table("input", "gradient").NumberColumns(1);
            for (int j = 0; j < r.InputNames.Count; j++) inputs.Row(r.InputNames[j], HumanOutput.Number(r.InputGradient[j]));
            console.Write(inputs);
        }
        if (r.TotalShots is long total) console.WriteLine($"total shots: {total}");
    }
}
