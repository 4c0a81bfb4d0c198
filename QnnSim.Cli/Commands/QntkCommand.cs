using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Cli.Common;
using QnnSim.Observables;
using Spectre.Console;

namespace QnnSim.Cli.Commands;

/// <summary>
/// <c>qnnsim qntk FILE --data DATA.csv --observable TEXT [--params P.csv | --init zeros|uniform --seed S] [--out K.csv] [--json]</c>:
/// the quantum neural tangent kernel K = J Jᵀ of a circuit on a dataset, its spectrum, trace, condition number and
/// critical learning rate 2/λ_max (Scala et al., arXiv:2503.01966).
/// </summary>
internal static class QntkCommand
{
    public static Command Create(CliContext context)
    {
        var file = CommonOptions.CircuitFile();
        var data = CommonOptions.Data();
        var observable = new Option<string>("--observable") { Description = "The readout O as a Pauli sum, e.g. \"Z0\" or \"0.5*Z0 Z1 + X2\".", HelpName = "TEXT", Required = true };
        var setup = new ModelSetup();
        var outFile = CommonOptions.Out("Write K to this file: K.npy (float64, shape (m, m)) or CSV (header: sample, s0, s1, …; one row per sample).");
        var spectrumFile = new Option<FileInfo?>("--spectrum-out") { Description = "Write the eigenvalues of K (ascending) to this file: E.npy (float64, shape (m,)) or CSV (header: index, eigenvalue).", HelpName = "FILE" };
        var json = CommonOptions.Json();
        var noise = new NoiseOptions();
        var shots = CommonOptions.Shots("Read every expectation from N shots per Pauli term (outputs, and the parameter-shift Jacobian whose kernel J Jᵀ is formed), seeded by --seed; on the state vector or with --backend density.");
        var loading = new CircuitLoading(shortCountAliases: false);
        var command = new Command("qntk", "Quantum neural tangent kernel K = J Jᵀ of a circuit on a dataset: spectrum, trace, condition number, critical learning rate.")
        {
            file, data, observable, outFile, spectrumFile, json, shots,
        };
        setup.AddTo(command);
        loading.AddTo(command);
        noise.AddTo(command);
        command.SetAction(parse =>
        {
            var evaluation = AnalysisNoise.Parse(noise.Parse(parse), parse.GetOptional(shots), setup.Seed(parse));
            var path = parse.GetValue(file)!;
            var circuit = loading.Load(parse, path);
            var (pure, dataset, theta) = setup.Build(parse, circuit, parse.GetValue(data)!.ToString(), parse.GetValue(observable)!);
            // Under noise: J of Tr(O 𝓔(θ, x)(ρ0)) on the density matrix (adjoint) or trajectories (shift); with shots, the
            // shot-based shift Jacobian (NoisyModelEvaluator).
            var model = evaluation.Apply(pure);
            double[] jac = model.Jacobian(theta, dataset, out var outputs);
            var k = TangentKernel.FromJacobian(jac, dataset.Count, model.ParameterCount);
            if (parse.GetValue(outFile) is { } o)
            {
                if (ResultFiles.IsNpy(o)) ResultFiles.WriteNpy(o, k.ToArray());
                else ResultFiles.WriteCsv(o, ["sample", .. Enumerable.Range(0, k.Size).Select(i => $"s{i}")],
                    Enumerable.Range(0, k.Size).Select(i => (IReadOnlyList<double>)[i, .. Enumerable.Range(0, k.Size).Select(j => k[i, j])]), evaluation.CsvComment);
            }
            if (parse.GetValue(spectrumFile) is { } e)
            {
                if (ResultFiles.IsNpy(e)) ResultFiles.WriteNpy(e, [.. k.Eigenvalues], k.Size);
                else ResultFiles.WriteCsv(e, ["index", "eigenvalue"], k.Eigenvalues.Select((v, i) => (IReadOnlyList<double>)[i, v]), evaluation.CsvComment);
            }
            var labels = dataset.LabelArray();
            double alignment = labels.Any(y => y != 0) ? k.TargetAlignment(labels) : double.NaN;
            if (parse.GetValue(json))
                JsonOutput.Write(context.Out, "qntk", w =>
                {
                    w.WriteString("file", path.ToString());
                    evaluation.WriteJson(w);
                    w.WriteNumber("samples", k.Size);
                    w.WriteNumber("parameters", model.ParameterCount);
                    JsonOutput.WriteMatrix(w, "kernel", k.ToArray());
                    JsonOutput.WriteArray(w, "eigenvalues", k.Eigenvalues);
                    JsonOutput.WriteNumber(w, "trace", k.Trace);
                    JsonOutput.WriteNumber(w, "condition_number", k.ConditionNumber);
                    JsonOutput.WriteNumber(w, "critical_learning_rate", k.CriticalLearningRate);
                    JsonOutput.WriteNumber(w, "target_alignment", alignment);
                    JsonOutput.WriteArray(w, "outputs", outputs);
                    JsonOutput.WriteArray(w, "labels", labels);
                });
            else
            {
                var console = HumanOutput.Stdout(context);
                console.Write(HumanOutput.KeyValues(
                [
                    ("evaluation", evaluation.Summary),
                    ("samples", k.Size.ToString(CultureInfo.InvariantCulture)),
                    ("parameters", model.ParameterCount.ToString(CultureInfo.InvariantCulture)),
                    ("trace", HumanOutput.Number(k.Trace)),
                    ("λ_min, λ_max", $"{HumanOutput.Number(k.MinEigenvalue)}, {HumanOutput.Number(k.MaxEigenvalue)}"),
                    ("condition number", HumanOutput.Number(k.ConditionNumber)),
                    ("critical learning rate 2/λ_max", HumanOutput.Number(k.CriticalLearningRate)),
                    ("kernel–target alignment", HumanOutput.Number(alignment)),
                ]));
                // The whole matrix only while it stays readable on a terminal; beyond that a summary and where to get it all.
                const int maxShown = 8, spectrumEnds = 5;
                if (k.Size <= maxShown)
                {
                    var table = HumanOutput.Table(["", .. Enumerable.Range(0, k.Size).Select(i => $"s{i}")]).NumberColumns([.. Enumerable.Range(1, k.Size)]);
                    for (int i = 0; i < k.Size; i++) table.Row([$"s{i}", .. Enumerable.Range(0, k.Size).Select(j => HumanOutput.Number(k[i, j]))]);
                    console.Write(table);
                }
                var shown = k.Size <= 2 * spectrumEnds
                    ? Enumerable.Range(0, k.Size)
                    : Enumerable.Range(0, spectrumEnds).Concat(Enumerable.Range(k.Size - spectrumEnds, spectrumEnds));
                var spectrum = HumanOutput.Table("k", "eigenvalue").NumberColumns(0, 1);
                foreach (int i in shown)
                {
                    if (k.Size > 2 * spectrumEnds && i == k.Size - spectrumEnds) spectrum.Row("…", "…");
                    spectrum.Row(i.ToString(CultureInfo.InvariantCulture), HumanOutput.Number(k.Eigenvalues[i]));
                }
                console.Write(spectrum);
                if (k.Size > maxShown)
                    console.WriteLine(parse.GetValue(outFile) is { } written
                        ? $"the {k.Size} × {k.Size} kernel is in {written} (the {spectrumEnds} smallest and largest eigenvalues are shown)"
                        : $"the {k.Size} × {k.Size} kernel is too large to print: write it with --out K.csv or --json");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>Options shared by qntk and train: --params P.csv or --init zeros|uniform (default zeros) with --seed S, and the model assembly.</summary>
internal sealed class ModelSetup
{
    private readonly Common.InitialParameters _initial = new();
    private readonly Option<ulong> _seed = CommonOptions.Seed("--init uniform, --shots and --backend trajectories");
    private readonly Option<int> _threads = CommonOptions.Threads();

    public void AddTo(Command command)
    {
        _initial.AddTo(command);
        command.Add(_seed);
        command.Add(_threads);
    }

    /// <summary>The --seed value.</summary>
    public ulong Seed(ParseResult parse) => parse.GetValue(_seed);

    public (QnnModel Model, Dataset Data, double[] Theta) Build(ParseResult parse, Circuit circuit, string dataPath, string observableText)
    {
        var observable = ObservableOptions.Parse([observableText], circuit)[0].Sum;
        if (circuit.ParameterCount == 0) throw new CliInputException("the circuit has no trainable parameters (declare them as OpenQASM input angles).");
        var table = CsvFiles.ReadData(dataPath);
        var dataset = Dataset.FromInputs(table.InputsFor(circuit), table.RequireLabels(), circuit.InputNames);
        double[] theta = _initial.Resolve(parse, circuit, parse.GetValue(_seed));
        return (new QnnModel(circuit, observable, parse.GradientWith(_threads, QnnSim.Gradients.GradientMethod.Adjoint)), dataset, theta);
    }
}
