using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text;
using QnnSim.Circuits;
using QnnSim.Cli.Common;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using Spectre.Console;

namespace QnnSim.Cli.Commands;

/// <summary>What <c>qnnsim run</c> was asked to do, after parsing and binding.</summary>
/// <param name="Observables">The --observable options (empty: the default readout).</param>
/// <param name="Shots">--shots, or null.</param>
/// <param name="Seed">--seed.</param>
/// <param name="State">--state.</param>
/// <param name="Json">--json.</param>
internal sealed record RunSettings(IReadOnlyList<ObservableArg> Observables, int? Shots, ulong Seed, bool State, bool Json)
{
    /// <summary>--noise, --backend and --trajectories (null: the pure state vector).</summary>
    public NoiseSettings? Noise { get; init; }
}

/// <summary>The result of <c>qnnsim run</c>, before it is printed.</summary>
internal sealed class RunResult
{
    /// <summary>Number of qubits.</summary>
    public required int Qubits { get; init; }
    /// <summary>Which readout was chosen: "observables", "measurements" or "default" (⟨Z_q⟩ on every qubit).</summary>
    public required string Readout { get; init; }
    /// <summary>The expectation entries.</summary>
    public required IReadOnlyList<RunExpectation> Expectations { get; init; }
    /// <summary>Shots per Pauli term / for the counts, when shots were drawn.</summary>
    public int? Shots { get; init; }
    /// <summary>The seed, when shots were drawn.</summary>
    public ulong Seed { get; init; }
    /// <summary>The qubits the counts cover, in classical-bit order (bit 0 first; it is the rightmost character of a key).</summary>
    public IReadOnlyList<int>? CountedQubits { get; init; }
    /// <summary>Counts keyed by bitstring (rightmost character = classical bit 0), sorted by key.</summary>
    public IReadOnlyList<KeyValuePair<string, int>>? Counts { get; init; }
    /// <summary>The final state, when asked (index bit q = qubit q).</summary>
    public Complex[]? State { get; init; }
    /// <summary>The backend ("statevector", "density" or "trajectories").</summary>
    public string Backend { get; init; } = "statevector";
    /// <summary>The noise model's description, when a noisy backend ran.</summary>
    public string? Noise { get; init; }
    /// <summary>Trajectories per estimate (trajectory backend).</summary>
    public int? Trajectories { get; init; }
    /// <summary>Parameter values used, in circuit order.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> Parameters { get; init; }
    /// <summary>Input values used, in circuit order.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> Inputs { get; init; }
}

/// <summary>One expectation value: exact, and estimated from shots when asked.</summary>
/// <param name="Observable">The observable as the user wrote it (or "Zq" for the default readout).</param>
/// <param name="Value">The exact ⟨ψ|O|ψ⟩ or Tr(Oρ); with trajectories, the trajectory estimate.</param>
/// <param name="Estimate">The shot estimate, or null.</param>
/// <param name="StandardError">The trajectory estimate's standard error, or null when <paramref name="Value"/> is exact.</param>
internal sealed record RunExpectation(string Observable, double Value, ShotEstimate? Estimate, double? StandardError = null);

/// <summary>
/// <c>qnnsim run FILE</c>: simulates a circuit file from |0…0⟩ and prints expectation values, and the counts or the
/// state when asked.
/// </summary>
/// <remarks>
/// Readout rules (docs/cli.md): with --observable, the observables are the readout (also when the file measures).
/// Without --observable, a file ending in measurements reads out the counts of the measured qubits (1024 shots unless
/// --shots is given); a file without measurements reads out ⟨Z_q⟩ for every qubit q, plus the counts of all qubits
/// when --shots is given. With --shots, every non-identity Pauli term of every observable is measured with N shots of
/// its own (terms do not share shots, even when they commute); observable k draws from a seed derived from --seed and
/// k, the counts from --seed itself.
/// </remarks>
internal static class RunCommand
{
    /// <summary>Shots for the counts of a measuring file when --shots is not given.</summary>
    public const int DefaultMeasurementShots = 1024;

    /// <summary>The widest state --state prints (2^20 amplitudes).</summary>
    public const int MaxStateQubits = 20;

    public static Command Create(CliContext context)
    {
        var file = CommonOptions.CircuitFile();
        var bind = Bindings.Option();
        var observable = ObservableOptions.Option(description:
            "Pauli observable to read out, e.g. \"Z0\", \"X0 X1\" or \"0.5*Z0 Z1 - 1.2*X2\" (repeatable). " +
            "Default: the counts of the file's measured qubits, or <Z_q> on every qubit q when the file measures nothing.");
        var shots = CommonOptions.Shots(
            "Also estimate each expectation from N shots: every Pauli term is measured with N shots of its own (terms do not share shots). " +
            $"Gives counts when the file measures or no --observable is given (a measuring file gets {DefaultMeasurementShots} shots by default).");
        var seed = CommonOptions.Seed("shot sampling");
        var threads = CommonOptions.Threads();
        var precision = CommonOptions.Precision();
        var state = new Option<bool>("--state")
        {
            Description = $"Also print the final state vector (index bit q is qubit q; at most {MaxStateQubits} qubits).",
        };
        var json = CommonOptions.Json();
        var stateOut = CommonOptions.Out("With --state: write the final state to this file: psi.npy (complex128, shape (2^n,), index bit q is qubit q) or CSV (header: index, real, imag).");
        var noise = new NoiseOptions();
        var loading = new CircuitLoading();
        var command = new Command("run",
            "Simulate a circuit file from |0...0> and print expectation values, and counts or the state when asked.")
        {
            file, bind, observable, shots, seed, state, json, threads, stateOut, precision,
        };
        loading.AddTo(command);
        noise.AddTo(command);
        command.SetAction(parse =>
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            // Usage errors and malformed option text first, then the file.
            var bindings = Bindings.Parse(parse.GetValue(bind));
            if (parse.GetValue(stateOut) is not null && !parse.GetValue(state)) throw new CliUsageException("--out writes the final state; give --state too.");
            var observables = ObservableOptions.Parse(parse.GetValue(observable));
            var noiseSettings = noise.Parse(parse);
            var chosenPrecision = parse.GetValue(precision);
            if (chosenPrecision == QnnSim.Simulation.Precision.Single && noiseSettings is { IsNoisy: true })
                throw new CliUsageException("--precision single runs the state-vector simulator only; noisy backends (--noise, --backend) run in double precision.");
            var circuit = loading.Load(parse, parse.GetValue(file)!);
            ObservableOptions.CheckWidth(observables, circuit);
            var settings = new RunSettings(observables, parse.GetOptional(shots), parse.GetValue(seed), parse.GetValue(state), parse.GetValue(json))
            {
                Noise = noiseSettings,
            };
            var (theta, x) = Bindings.Resolve(circuit, bindings);
            context.CancellationToken.ThrowIfCancellationRequested();
            var result = Execute(circuit, ParameterValues.Of(theta), InputValues.Of(x), settings, context.CancellationToken, new Simulator(parse.SimulationWith(threads) with { Precision = chosenPrecision }));
            if (parse.GetValue(stateOut) is { } o && result.State is { } psi)
            {
                if (ResultFiles.IsNpy(o)) ResultFiles.WriteNpy(o, psi, psi.Length);
                else ResultFiles.WriteCsv(o, ["index", "real", "imag"], psi.Select((a, i) => (IReadOnlyList<double>)[i, a.Real, a.Imaginary]));
            }
            if (settings.Json) WriteJson(context.Out, result);
            else WriteHuman(context, parse.GetValue(file)!.ToString(), result);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Runs the circuit and computes the readout (no printing).</summary>
    /// <exception cref="CliInputException">--state on a circuit wider than <see cref="MaxStateQubits"/>.</exception>
    public static RunResult Execute(Circuit circuit, ParameterValues theta, InputValues x, RunSettings settings,
        CancellationToken cancellationToken = default, Simulator? simulator = null)
    {
        if (settings.State && circuit.QubitCount > MaxStateQubits)
            throw new CliInputException($"--state prints 2^n amplitudes; the circuit has {circuit.QubitCount} qubits (allowed: at most {MaxStateQubits}).");
        var (readout, observables) = Readout(circuit, settings);
        if (settings.Noise is { IsNoisy: true } noise) return ExecuteNoisy(circuit, theta, x, settings, noise, readout, observables, cancellationToken);
        if (circuit.HasNoise)
            throw new CliInputException($"the circuit has {circuit.ChannelCount} noise channel(s); simulate it with --backend density or --backend trajectories.");
        simulator ??= new Simulator();
        var psi = simulator.Run(circuit, theta, x);
        cancellationToken.ThrowIfCancellationRequested();
        bool measures = !circuit.MeasuredQubits.IsEmpty;

        var expectations = new List<RunExpectation>();
        for (int k = 0; k < observables.Count; k++)
        {
            var o = observables[k];
            double value = simulator.Expectation(psi, o.Sum);
            ShotEstimate? estimate = settings.Shots is int n ? simulator.EstimateExpectation(psi, o.Sum, n, ObservableSeed(settings.Seed, k)) : null;
            expectations.Add(new RunExpectation(o.Text, value, estimate));
            cancellationToken.ThrowIfCancellationRequested();
        }

        int? countShots = settings.Shots ?? (readout == "measurements" ? DefaultMeasurementShots : null);
        bool wantCounts = countShots is not null && (measures || settings.Observables.Count == 0);
        IReadOnlyList<int>? countedQubits = null;
        IReadOnlyList<KeyValuePair<string, int>>? counts = null;
        if (wantCounts)
        {
            countedQubits = measures ? circuit.MeasuredQubits : [.. Enumerable.Range(0, circuit.QubitCount)];
            counts = Marginal(simulator.Sample(psi, countShots!.Value, settings.Seed), countedQubits);
        }
        return new RunResult
        {
            Qubits = circuit.QubitCount,
            Readout = readout,
            Expectations = expectations,
            Shots = settings.Shots is not null || wantCounts ? countShots : null,
            Seed = settings.Seed,
            CountedQubits = countedQubits,
            Counts = counts,
            State = settings.State ? psi.ToArray() : null,
            Parameters = [.. circuit.ParameterNames.Select((n, j) => new KeyValuePair<string, double>(n, theta.Span[j]))],
            Inputs = [.. circuit.InputNames.Select((n, j) => new KeyValuePair<string, double>(n, x.Span[j]))],
        };
    }

    /// <summary>The readout rule (docs/cli.md): the --observable list, the measured qubits' counts, or ⟨Z_q⟩ on every qubit.</summary>
    private static (string Readout, IReadOnlyList<ObservableArg> Observables) Readout(Circuit circuit, RunSettings settings)
    {
        if (settings.Observables.Count > 0) return ("observables", settings.Observables);
        if (!circuit.MeasuredQubits.IsEmpty) return ("measurements", []);
        return ("default", [.. Enumerable.Range(0, circuit.QubitCount).Select(q => new ObservableArg($"Z{q}", PauliString.Z(q)))]);
    }

    /// <summary>
    /// The noisy run: the density matrix gives exact Tr(Oρ) (and shot estimates and counts with readout errors); trajectories
    /// give estimates with standard errors (and counts from trajectory states). The noise model's channels before
    /// measurement act on the measured qubits, or on every qubit of a circuit that measures nothing.
    /// </summary>
    private static RunResult ExecuteNoisy(Circuit circuit, ParameterValues theta, InputValues x, RunSettings settings, NoiseSettings noise,
        string readout, IReadOnlyList<ObservableArg> observables, CancellationToken cancellationToken)
    {
        if (settings.State)
            throw new CliUsageException($"--state prints a pure state vector; with --backend {noise.Backend.ToString().ToLowerInvariant()} the state is mixed (use the library's DensityMatrix for its entries).");
        bool measures = !circuit.MeasuredQubits.IsEmpty;
        int? countShots = settings.Shots ?? (readout == "measurements" ? DefaultMeasurementShots : null);
        bool wantCounts = countShots is not null && (measures || settings.Observables.Count == 0);
        IReadOnlyList<int> countedQubits = measures ? circuit.MeasuredQubits : [.. Enumerable.Range(0, circuit.QubitCount)];
        var expectations = new List<RunExpectation>();
        IReadOnlyList<KeyValuePair<string, int>>? counts = null;
        if (noise.Backend == Backend.Density)
        {
            var dm = new DensityMatrixSimulator();
            var rho = dm.Run(circuit, theta, x, noise.Model);
            for (int k = 0; k < observables.Count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var o = observables[k];
                ShotEstimate? estimate = settings.Shots is int n ? dm.EstimateExpectation(rho, o.Sum, n, ObservableSeed(settings.Seed, k), noise.Model) : null;
                expectations.Add(new RunExpectation(o.Text, dm.Expectation(rho, o.Sum), estimate));
            }
            if (wantCounts) counts = Marginal(dm.Sample(rho, countShots!.Value, settings.Seed, noise.Model).Select(kv => KeyValuePair.Create(kv.Key, (int)kv.Value)), countedQubits);
        }
        else
        {
            var ts = new TrajectorySimulator();
            if (settings.Shots is int shots && observables.Count > 0)
            {
                // Each shot group sees its own noise realisation: N shots per term split over the trajectories.
                if (shots < 2)
                    throw new CliUsageException($"--shots {shots} with --observable and --backend trajectories: at least 2 shots are needed (they are split over the trajectories, and a standard error needs two).");
                for (int k = 0; k < observables.Count; k++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var estimate = ts.EstimateExpectation(circuit, theta, x, observables[k].Sum, noise.Model, shots, noise.Trajectories, settings.Seed, cancellationToken,
                        outcomeSeed: ObservableSeed(settings.Seed, k));
                    expectations.Add(new RunExpectation(observables[k].Text, estimate.Estimate, null, estimate.StandardError));
                }
            }
            else if (observables.Count > 0)
            {
                var est = ts.Estimate(circuit, theta, x, [.. observables.Select(o => o.Sum)], noise.Model, noise.Trajectories, settings.Seed, cancellationToken);
                for (int k = 0; k < observables.Count; k++)
                    expectations.Add(new RunExpectation(observables[k].Text, est.Values[k], null, est.StandardErrors[k]));
            }
            if (wantCounts)
                counts = Marginal(ts.Sample(circuit, theta, x, noise.Model, countShots!.Value, noise.Trajectories, settings.Seed)
                    .Select(kv => KeyValuePair.Create(kv.Key, (int)kv.Value)), countedQubits);
        }
        return new RunResult
        {
            Qubits = circuit.QubitCount,
            Readout = readout,
            Expectations = expectations,
            Shots = settings.Shots is not null || wantCounts ? countShots : null,
            Seed = settings.Seed,
            CountedQubits = wantCounts ? countedQubits : null,
            Counts = counts,
            Backend = noise.Backend.ToString().ToLowerInvariant(),
            Noise = noise.Description,
            Trajectories = noise.Backend == Backend.Trajectories ? noise.Trajectories : null,
            Parameters = [.. circuit.ParameterNames.Select((n, j) => new KeyValuePair<string, double>(n, theta.Span[j]))],
            Inputs = [.. circuit.InputNames.Select((n, j) => new KeyValuePair<string, double>(n, x.Span[j]))],
        };
    }

    /// <summary>The seed observable <paramref name="k"/> estimates its terms with: SplitMix64 of the user's seed and k.</summary>
    public static ulong ObservableSeed(ulong seed, int k)
    {
        ulong s = seed ^ (0xD1B54A32D192ED03UL * (ulong)(k + 1));
        return SeededRandom.SplitMix64(ref s);
    }

    /// <summary>
    /// Counts of full basis indices marginalised to <paramref name="qubits"/> and keyed by bitstrings with classical
    /// bit 0 (the value of qubits[0]) rightmost, as Qiskit writes them. Sorted by key.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, int>> Marginal(IEnumerable<KeyValuePair<long, int>> counts, IReadOnlyList<int> qubits)
    {
        var result = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var chars = new char[qubits.Count];
        foreach (var (index, c) in counts)
        {
            for (int b = 0; b < qubits.Count; b++) chars[qubits.Count - 1 - b] = ((index >> qubits[b]) & 1) == 1 ? '1' : '0';
            string key = new(chars);
            result[key] = (result.TryGetValue(key, out int prior) ? prior : 0) + c;
        }
        return [.. result];
    }

    /// <summary>The bitstring of basis index <paramref name="index"/> on <paramref name="qubits"/> qubits, qubit 0 rightmost.</summary>
    public static string Bitstring(long index, int qubits)
    {
        var chars = new char[qubits];
        for (int q = 0; q < qubits; q++) chars[qubits - 1 - q] = ((index >> q) & 1) == 1 ? '1' : '0';
        return new string(chars);
    }

    /// <summary>Writes the qnnsim.run/1 JSON object.</summary>
    public static void WriteJson(TextWriter output, RunResult r) => JsonOutput.Write(output, "run", w =>
    {
        w.WriteNumber("qubits", r.Qubits);
        w.WriteString("readout", r.Readout);
        if (r.Noise is not null)
        {
            w.WriteString("backend", r.Backend);
            w.WriteString("noise", r.Noise);
            if (r.Trajectories is int t) w.WriteNumber("trajectories", t);
        }
        JsonOutput.WriteObject(w, "parameters", r.Parameters);
        JsonOutput.WriteObject(w, "inputs", r.Inputs);
        if (r.Shots is int n)
        {
            w.WriteNumber("shots", n);
            w.WriteNumber("seed", r.Seed);
        }
        w.WriteStartArray("expectations");
        foreach (var e in r.Expectations)
        {
            w.WriteStartObject();
            w.WriteString("observable", e.Observable);
            JsonOutput.WriteNumber(w, "value", e.Value);
            if (e.StandardError is double se) JsonOutput.WriteNumber(w, "standard_error", se);
            if (e.Estimate is ShotEstimate s)
            {
                JsonOutput.WriteNumber(w, "estimate", s.Estimate);
                JsonOutput.WriteNumber(w, "stderr", s.StandardError);
                w.WriteNumber("total_shots", s.TotalShots);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (r.Counts is not null)
        {
            JsonOutput.WriteArray(w, "counted_qubits", r.CountedQubits!);
            w.WriteStartObject("counts");
            foreach (var (k, c) in r.Counts) w.WriteNumber(k, c);
            w.WriteEndObject();
        }
        if (r.State is not null)
        {
            w.WriteStartArray("state");
            // One [re, im] pair a line: raw values keep the indented layout compact for 2^n amplitudes.
            foreach (var a in r.State) w.WriteRawValue($"[{CsvFiles.Format(a.Real)}, {CsvFiles.Format(a.Imaginary)}]", skipInputValidation: true);
            w.WriteEndArray();
        }
    });

    /// <summary>Writes tables for people.</summary>
    public static void WriteHuman(CliContext context, string fileName, RunResult r)
    {
        var console = HumanOutput.Stdout(context);
        var summary = new StringBuilder($"{fileName}: {r.Qubits} qubit{(r.Qubits == 1 ? "" : "s")}");
        if (r.Parameters.Count > 0) summary.Append("; parameters ").Append(string.Join(", ", r.Parameters.Select(p => $"{p.Key}={HumanOutput.Number(p.Value)}")));
        if (r.Inputs.Count > 0) summary.Append("; inputs ").Append(string.Join(", ", r.Inputs.Select(p => $"{p.Key}={HumanOutput.Number(p.Value)}")));
        console.WriteLine(summary.ToString());
        if (r.Noise is not null)
            console.WriteLine($"Backend: {r.Backend}{(r.Trajectories is int nt ? $" ({nt} trajectories, seed {r.Seed})" : "")}; noise: {r.Noise}.");
        if (r.Expectations.Count > 0 && r.Expectations.Any(e => e.StandardError is not null))
        {
            var table = HumanOutput.Table("observable", "estimate", "standard error").NumberColumns(1, 2);
            foreach (var e in r.Expectations) table.Row(e.Observable, HumanOutput.Number(e.Value), HumanOutput.Number(e.StandardError ?? 0));
            if (r.Readout == "default") console.WriteLine("Readout: <Z_q> on every qubit (no --observable given).");
            console.Write(table);
        }
        else if (r.Expectations.Count > 0)
        {
            bool shots = r.Expectations.Any(e => e.Estimate is not null);
            var table = shots
                ? HumanOutput.Table("observable", "exact", "estimate", "stderr").NumberColumns(1, 2, 3)
                : HumanOutput.Table("observable", "exact").NumberColumns(1);
            foreach (var e in r.Expectations)
            {
                if (e.Estimate is ShotEstimate s)
                    table.Row(e.Observable, HumanOutput.Number(e.Value), HumanOutput.Number(s.Estimate), HumanOutput.Number(s.StandardError));
                else table.Row(e.Observable, HumanOutput.Number(e.Value));
            }
            if (r.Readout == "default") console.WriteLine("Readout: <Z_q> on every qubit (no --observable given).");
            console.Write(table);
            if (shots) console.WriteLine($"Estimates: {r.Shots} shots per Pauli term (terms do not share shots), seed {r.Seed}.");
        }
        if (r.Counts is not null)
        {
            int total = r.Counts.Sum(c => c.Value);
            var table = HumanOutput.Table("bitstring", "count", "frequency").NumberColumns(1, 2);
            foreach (var (k, c) in r.Counts) table.Row(k, c.ToString(CultureInfo.InvariantCulture), HumanOutput.Number(c / (double)total));
            console.WriteLine($"Counts of qubits {string.Join(", ", r.CountedQubits!.Reverse())} (left to right; the rightmost character is qubit {r.CountedQubits![0]}), {total} shots, seed {r.Seed}:");
            console.Write(table);
        }
        if (r.State is not null)
        {
            var table = HumanOutput.Table("index", "bitstring", "re", "im", "probability").NumberColumns(0, 2, 3, 4);
            int omitted = 0;
            for (int i = 0; i < r.State.Length; i++)
            {
                var a = r.State[i];
                double p = a.Real * a.Real + a.Imaginary * a.Imaginary;
                if (p < 1e-24) { omitted++; continue; }
                table.Row(i.ToString(CultureInfo.InvariantCulture), Bitstring(i, r.Qubits), HumanOutput.Number(a.Real), HumanOutput.Number(a.Imaginary), HumanOutput.Number(p));
            }
            console.WriteLine("State (qubit 0 is the lowest bit of the index and the rightmost character of the bitstring):");
            console.Write(table);
            if (omitted > 0) console.WriteLine($"{omitted} zero amplitude{(omitted == 1 ? "" : "s")} omitted (--json prints all).");
        }
    }
}
