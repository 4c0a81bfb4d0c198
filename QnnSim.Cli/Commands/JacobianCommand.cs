using System.CommandLine;
using System.Globalization;
using QnnSim.Circuits;
using QnnSim.Cli.Common;
using QnnSim.Gradients;
using QnnSim.Observables;
using Spectre.Console;

namespace QnnSim.Cli.Commands;

/// <summary>
/// <c>qnnsim jacobian FILE --data DATA.csv --observable TEXT... [--params P.csv | --init zeros|uniform --seed S]
/// [--method adjoint|shift|fd] [--out J.csv] [--json]</c>: the (m·k) × p Jacobian of k observables over the m samples
/// of a dataset, one row per sample and observable (row i·k + j is sample i, observable j), one column per parameter.
/// </summary>
/// <remarks>
/// DATA.csv has a header naming the circuit's data inputs; other columns (such as <c>label</c>) are ignored. θ comes from
/// P.csv (two columns, name and value), or --init: zeros (default) or uniform, each parameter drawn from [0, 2π) in
/// parameter order with SeededRandom(--seed). J.csv has a header of parameter names and one row per Jacobian row.
/// </remarks>
internal static class JacobianCommand
{
    public static Command Create(CliContext context)
    {
        var file = CommonOptions.CircuitFile();
        var data = CommonOptions.Data();
        var observable = ObservableOptions.Option(required: true, description:
            "A Pauli observable such as \"Z0\" or \"0.5*Z0 Z1 - X2\" (repeatable: k observables give k rows per sample).");
        var initial = new InitialParameters();
        var seed = CommonOptions.Seed("--init uniform, --shots and --backend trajectories");
        var shots = CommonOptions.Shots("Estimate every entry by the parameter-shift rule from N shots per Pauli term per shifted circuit (and each value from N shots), seeded by --seed (implies --method shift); on the state vector or with --backend density.");
        var method = GradCommand.MethodOption();
        var output = CommonOptions.Out("Write the Jacobian to this file: X.npy (float64, shape (m·k, p), row i·k + j is sample i, observable j) or CSV (header: sample, observable, then the parameter names; one row per sample and observable).");
        var json = CommonOptions.Json();
        var noise = new NoiseOptions();
        var threads = CommonOptions.Threads();
        var loading = new CircuitLoading(shortCountAliases: false);
        var command = new Command("jacobian",
            "Compute the Jacobian of Pauli readouts over a dataset: one row per sample and observable, one column per trainable parameter.")
        {
            file, data, observable, seed, method, output, json, threads, shots,
        };
        initial.AddTo(command);
        loading.AddTo(command);
        noise.AddTo(command);
        command.SetAction(parse =>
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var noiseSettings = noise.Parse(parse);
            var methodName = parse.GetValue(method);
            if (noiseSettings.Backend == Backend.Trajectories)
            {
                if (parse.GetResult(method) is { Implicit: false } && methodName != "shift")
                    throw new CliUsageException($"--method {methodName} is not available with --backend trajectories; use --method shift (the default there).");
                methodName = "shift";
            }
            int? shotCount = parse.GetOptional(shots);
            if (shotCount is not null)
            {
                if (parse.GetResult(method) is { Implicit: false } && methodName != "shift")
                    throw new CliUsageException($"--shots estimates the parameter-shift Jacobian; it cannot be combined with --method {methodName}.");
                methodName = "shift";
            }
            var evaluation = AnalysisNoise.Parse(noiseSettings, shotCount, parse.GetValue(seed));
            var observables = ObservableOptions.Parse(parse.GetValue(observable));
            if (parse.GetValue(initial.File) is not null && parse.GetValue(initial.Init) is not null)
                throw new CliUsageException("--params and --init are alternatives; give one of them.");
            var circuit = loading.Load(parse, parse.GetValue(file)!);
            ObservableOptions.CheckWidth(observables, circuit);
            if (circuit.ParameterCount == 0)
                throw new CliInputException("the circuit has no trainable parameters (p = 0), so its Jacobian has no columns; declare parameters as OpenQASM 'input float' variables that are not data inputs.");
            var table = CsvFiles.ReadData(parse.GetValue(data)!.ToString());
            double[][] inputs = table.InputsFor(circuit);
            double[] theta = initial.Resolve(parse, circuit, parse.GetValue(seed));
            var samples = inputs.Select(InputValues.Of).ToArray();
            PauliSum[] sums = [.. observables.Select(o => o.Sum)];
            var gradientMethod = GradCommand.ParseMethod(methodName);
            var result = shotCount is not null
                ? ShotJacobian(evaluation, circuit, sums, inputs, theta, parse.GradientWith(threads, gradientMethod))
                : JacobianTable.From(CliProgress.Run(context, "Jacobian", progress => noiseSettings.IsNoisy
                ? new NoisyDifferentiator(noiseSettings.Model, noiseSettings.Backend == Backend.Trajectories ? NoisyBackend.Trajectories : NoisyBackend.DensityMatrix,
                        parse.SimulationWith(threads), trajectories: noiseSettings.Trajectories, seed: parse.GetValue(seed))
                    .Jacobian(circuit, ParameterValues.Of(theta), samples, sums, gradientMethod,
                        new SyncProgress<int>(done => progress.Report(done / (double)samples.Length)), context.CancellationToken)
                : new Differentiator(parse.GradientWith(threads, gradientMethod)).Jacobian(circuit, ParameterValues.Of(theta), samples, sums, null,
                    new SyncProgress<int>(done => progress.Report(done / (double)samples.Length)), context.CancellationToken)));
            var outFile = parse.GetValue(output);
            if (outFile is not null && ResultFiles.IsNpy(outFile)) ResultFiles.WriteNpy(outFile, result.Data, result.Rows, result.Columns);
            else if (outFile is not null) ResultFiles.WriteCsv(outFile, ["sample", "observable", .. circuit.ParameterNames], IndexedRows(result), evaluation.CsvComment);
            if (parse.GetValue(json)) WriteJson(context.Out, circuit, observables, theta, result, evaluation);
            else WriteHuman(context, circuit, observables, result, outFile);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The shot-based Jacobian (pure state or density matrix) through <see cref="QnnSim.Analysis.QnnModel"/>'s noisy evaluator:
    /// row i·k + j is sample i, observable j, as the exact paths lay it out.</summary>
    private static JacobianTable ShotJacobian(AnalysisNoise evaluation, Circuit circuit, PauliSum[] sums, double[][] inputs, double[] theta, GradientOptions options)
    {
        var model = evaluation.Apply(new QnnSim.Analysis.QnnModel(circuit, sums, options));
        var data = QnnSim.Analysis.Dataset.FromInputs(inputs, new double[inputs.Length], circuit.InputNames);
        int m = inputs.Length, k = sums.Length, p = circuit.ParameterCount;
        var values = new double[m * k];
        var rows = new double[(long)m * k * p];
        model.BindBatches(data).Evaluate(theta, [.. Enumerable.Range(0, m)], values, rows);
        return new JacobianTable(m, k, p, values, rows);
    }

    /// <summary>The (m·k) × p Jacobian as printed and written (from a <see cref="JacobianResult"/> or the shot estimate).</summary>
    internal sealed record JacobianTable(int SampleCount, int ObservableCount, int Columns, double[] Values, double[] Data)
    {
        public static JacobianTable From(JacobianResult j) => new(j.SampleCount, j.ObservableCount, j.Columns, j.Values, j.Data);

        public int Rows => SampleCount * ObservableCount;

        public double this[int row, int column] => Data[(long)row * Columns + column];

        public ReadOnlySpan<double> Row(int row) => Data.AsSpan(row * Columns, Columns);
    }

    private static IEnumerable<IReadOnlyList<double>> Rows(JacobianTable j)
    {
        for (int r = 0; r < j.Rows; r++) yield return j.Row(r).ToArray();
    }

    /// <summary>The CSV rows: sample index i, observable index j, then row i·k + j of the Jacobian.</summary>
    private static IEnumerable<IReadOnlyList<double>> IndexedRows(JacobianTable j)
    {
        for (int r = 0; r < j.Rows; r++) yield return [r / j.ObservableCount, r % j.ObservableCount, .. j.Row(r)];
    }

    /// <summary>Schema qnnsim.jacobian/1.</summary>
    public static void WriteJson(TextWriter output, Circuit circuit, IReadOnlyList<ObservableArg> observables, double[] theta, JacobianTable j,
        AnalysisNoise? evaluation = null) =>
        JsonOutput.Write(output, "jacobian", w =>
        {
            evaluation?.WriteJson(w);
            w.WriteNumber("samples", j.SampleCount);
            JsonOutput.WriteArray(w, "observables", observables.Select(o => o.Text));
            JsonOutput.WriteArray(w, "parameters", circuit.ParameterNames);
            JsonOutput.WriteArray(w, "theta", theta);
            w.WriteNumber("rows", j.Rows);
            w.WriteNumber("columns", j.Columns);
            JsonOutput.WriteArray(w, "values", j.Values);
            JsonOutput.WriteMatrix(w, "jacobian", Rows(j));
        });

    private static void WriteHuman(CliContext context, Circuit circuit, IReadOnlyList<ObservableArg> observables, JacobianTable j, FileInfo? outFile)
    {
        var console = HumanOutput.Stdout(context);
        console.WriteLine($"Jacobian: {j.Rows} rows ({j.SampleCount} samples × {j.ObservableCount} observables) × {j.Columns} parameters");
        // A summary, not the matrix: the first rows, 6 significant digits, and as many parameter columns as fit the
        // console's width, so that no number wraps over lines (the whole matrix goes to --out or --json).
        const int maxRows = 20;
        int rows = Math.Min(j.Rows, maxRows);
        static string Short(double v) => double.IsFinite(v) ? v.ToString("G6", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
        static int Width(string header, IEnumerable<string> cells) => Math.Max(header.Length, cells.DefaultIfEmpty("").Max(c => c.Length));
        var fixedColumns = new (string Header, string[] Cells)[]
        {
            ("sample", [.. Enumerable.Range(0, rows).Select(r => (r / j.ObservableCount).ToString(CultureInfo.InvariantCulture))]),
            ("observable", [.. Enumerable.Range(0, rows).Select(r => observables[r % j.ObservableCount].Text)]),
            ("value", [.. Enumerable.Range(0, rows).Select(r => Short(j.Values[r]))]),
        };
        // A rounded table is 1 + Σ (width + 3) characters wide; the "…" column takes 4.
        int used = 1 + fixedColumns.Sum(c => Width(c.Header, c.Cells) + 3);
        var parameterColumns = new List<(string Header, string[] Cells)>();
        for (int c = 0; c < j.Columns; c++)
        {
            var column = (circuit.ParameterNames[c], Enumerable.Range(0, rows).Select(r => Short(j[r, c])).ToArray());
            int w = Width(column.Item1, column.Item2) + 3;
            bool more = c + 1 < j.Columns;
            if (used + w + (more ? 4 : 0) > console.Profile.Width && parameterColumns.Count > 0) break;
            parameterColumns.Add(column);
            used += w;
        }
        int shownColumns = parameterColumns.Count;
        var headers = fixedColumns.Select(c => c.Header).Concat(parameterColumns.Select(c => c.Header)).ToList();
        if (j.Columns > shownColumns) headers.Add("…");
        var table = HumanOutput.Table([.. headers]).NumberColumns([.. Enumerable.Range(2, shownColumns + 1)]);
        for (int r = 0; r < rows; r++)
        {
            var cells = fixedColumns.Select(c => c.Cells[r]).Concat(parameterColumns.Select(c => c.Cells[r])).ToList();
            if (j.Columns > shownColumns) cells.Add("…");
            table.Row([.. cells]);
        }
        console.Write(table);
        if (j.Rows > rows || j.Columns > shownColumns)
        {
            string shown = $"{rows} of {j.Rows} rows, {shownColumns} of {j.Columns} parameters, 6 digits";
            console.WriteLine(outFile is null ? $"({shown}; all of it: --out J.csv, --out J.npy or --json)" : $"({shown})");
        }
        if (outFile is not null) console.WriteLine($"wrote {outFile}");
    }
}
