using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Cli.Common;
using QnnSim.Cli.Report;
using QnnSim.Observables;

namespace QnnSim.Cli.Commands;

/// <summary>
/// <c>qnnsim ensemble FILE --observable TEXT --samples K [--init RULE] [--seed S] [--bind x=…] [--data D.csv] [--json]</c>:
/// gradient (and, with --data, tangent-kernel) statistics over K seeded initialisations of any circuit; or
/// <c>qnnsim ensemble --family hea|reuploading --qubits 2..6 --layers L,… --observable local|global|TEXT --samples K [--plot BASE]</c>:
/// the barren-plateau scan with the fitted decay rates (also <c>FILE --qubits RANGE [--layers RANGE]</c>, the file tiled
/// over n qubits, and <c>FILE --layers RANGE</c>, the file repeated) (library: <see cref="GradientEnsemble"/>, <see cref="BarrenPlateauScan"/>,
/// <see cref="KernelEnsemble"/>).
/// </summary>
internal static class EnsembleCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<FileInfo?>("file") { Description = "Circuit file (.qasm, .qs, .ll); omit with --family.", Arity = ArgumentArity.ZeroOrOne };
        var family = new Option<string?>("--family") { Description = "A built-in family scaled by --qubits and --layers: hea (Ry·Rz + CZ ladder) or reuploading (Ry(x) encoding, inputs 0).", HelpName = "hea|reuploading" };
        var qubits = new Option<string?>("--qubits") { Description = "Qubit counts of the family: N, A..B or a list A,B,C. With a FILE: the file is a block tiled over N qubits in a brick wall (the alternating layered ansatz; --layers L, default 1), a qubit-count scan of any circuit.", HelpName = "RANGE" };
        var layers = new Option<string?>("--layers") { Description = "Layer counts of the family: L, A..B or a list. With a FILE: the file is one layer, repeated L times with fresh parameters (a depth scan of any circuit).", HelpName = "RANGE" };
        var observable = new Option<string>("--observable") { Description = "O: a Pauli sum, or with --family 'local' (Z0) or 'global' (Z0 Z1 … Z_{n−1}).", HelpName = "TEXT", Required = true };
        var samples = new Option<int>("--samples") { Description = "K, the number of seeded initialisations (≥ 2).", HelpName = "K", Required = true };
        var init = new Option<string>("--init") { Description = "Initialisation rule: uniform (θ ∈ [0, 2π)), uniform:LOW:HIGH or gaussian:SIGMA.", DefaultValueFactory = _ => "uniform", HelpName = "RULE" };
        var seed = CommonOptions.Seed("the initialisations (draw k uses stream k of the seed)");
        var data = CommonOptions.Data(required: false);
        var bind = Bindings.Option("Data input values for the gradient ensemble: NAME=VALUE (inputs default to 0).");
        var plot = new Option<FileInfo?>("--plot") { Description = "With a scan: write BASE.png and BASE.svg, the variance against n (and L) on a log scale with the fit (with --dqntk: ⟨|λ|⟩/⟨K⟩ against p with the fitted trend).", HelpName = "BASE" };
        var dqntk = new Option<bool>("--dqntk") { Description = "With a scan (--family, FILE --layers, FILE --qubits): Liu et al.'s dQNTK/QNTK ratio λ = μ/K at one sample (inputs from --bind, default 0) instead of the gradient variance: ⟨K⟩, ⟨|λ|⟩ and ⟨|λ|⟩/⟨K⟩ ± se per depth, and the fit ⟨|λ|⟩/⟨K⟩ ≈ r∞ + a/p for each n." };
        var json = CommonOptions.Json();
        var loading = new CircuitLoading(qubitsOption: false);
        var command = new Command("ensemble", "Statistics over seeded initialisations: gradient means and variances (barren plateaus) with the Haar value, kernel concentration, and decay-rate fits over a circuit family.")
        {
            file, family, qubits, layers, observable, samples, init, seed, data, bind, plot, dqntk, json,
        };
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            int k = parse.GetValue(samples);
            if (k < 2) throw new CliUsageException($"--samples {k} is out of range; allowed: at least 2.");
            InitializationRule rule;
            try { rule = InitializationRule.Parse(parse.GetValue(init)!); }
            catch (ArgumentException) { throw new CliUsageException($"--init '{parse.GetValue(init)}' is not allowed; expected uniform, uniform:LOW:HIGH or gaussian:SIGMA with SIGMA > 0."); }
            ulong s = parse.GetValue(seed);
            string? familyName = parse.GetValue(family);
            var path = parse.GetValue(file);
            if ((familyName is null) == (path is null)) throw new CliUsageException("give either a circuit FILE or --family NAME (not both).");
            var scanOptions = new ScanOptions(parse.GetValue(dqntk), Bindings.Parse(parse.GetValue(bind)));
            bool scan = familyName is not null || parse.GetValue(qubits) is not null || parse.GetValue(layers) is not null;
            if (scan && parse.GetValue(data) is not null)
                throw new CliUsageException("--data goes with a single circuit FILE (the kernel ensemble), not with a scan; a scan evaluates at the inputs of --bind (with --dqntk) or 0.");
            if (scan && !scanOptions.Dqntk && scanOptions.Bindings.Count > 0)
                throw new CliUsageException("--bind goes with a single circuit FILE or with --dqntk; the gradient-variance scan sets the data inputs to 0.");
            if (!scan && scanOptions.Dqntk)
                throw new CliUsageException("--dqntk goes with a scan: --family NAME, FILE --layers RANGE or FILE --qubits RANGE.");
            if (familyName is not null)
                return RunFamily(context, familyName, null, parse.GetValue(qubits), parse.GetValue(layers), parse.GetValue(observable)!, k, rule, s, parse.GetValue(plot), parse.GetValue(json), scanOptions);
            if (parse.GetValue(qubits) is { } qubitText)
            {
                // Any file as a block tiled over n qubits (the alternating layered ansatz): the qubit-count scan of that circuit.
                var block = loading.Load(parse, path!);
                if (block.ParameterCount == 0) throw new CliInputException("the circuit has no trainable parameters (declare them as OpenQASM input angles).");
                return RunFamily(context, path!.Name, CircuitFamilies.Tiled(block), qubitText, parse.GetValue(layers) ?? "1",
                    parse.GetValue(observable)!, k, rule, s, parse.GetValue(plot), parse.GetValue(json), scanOptions, minQubits: block.QubitCount);
            }
            if (parse.GetValue(layers) is { } layerText)
            {
                // Any file as one layer, repeated L times with fresh parameters: the depth scan of that circuit.
                var layer = loading.Load(parse, path!);
                return RunFamily(context, path!.Name, CircuitFamilies.Repeated(layer), layer.QubitCount.ToString(CultureInfo.InvariantCulture), layerText,
                    parse.GetValue(observable)!, k, rule, s, parse.GetValue(plot), parse.GetValue(json), scanOptions);
            }
            if (parse.GetValue(plot) is not null)
                throw new CliUsageException("--plot goes with a scan: --family, FILE --qubits or FILE --layers.");
            return RunFile(context, parse, loading, path!, parse.GetValue(observable)!, k, rule, s, parse.GetValue(data), Bindings.Parse(parse.GetValue(bind)), parse.GetValue(json));
        });
        return command;
    }

    private static int RunFile(CliContext context, ParseResult parse, CircuitLoading loading, FileInfo path, string observableText, int k, InitializationRule rule, ulong seed,
        FileInfo? dataFile, IReadOnlyList<Binding> bindings, bool json)
    {
        var circuit = loading.Load(parse, path);
        if (circuit.ParameterCount == 0) throw new CliInputException("the circuit has no trainable parameters (declare them as OpenQASM input angles).");
        var o = ObservableOptions.Parse([observableText], circuit)[0].Sum;
        var x = new double[circuit.InputCount];
        foreach (var b in bindings)
        {
            int i = circuit.IndexOfInput(b.Name);
            if (i < 0) throw new CliInputException($"--bind {b.Text}: the circuit has no data input named '{b.Name}' (inputs: {(circuit.InputCount == 0 ? "none" : string.Join(", ", circuit.InputNames))}).");
            x[i] = b.Value;
        }
        var stats = CliProgress.Run(context, "ensemble", progress => GradientEnsemble.Run(circuit, o, k, rule, seed, x,
            progress: new SyncProgress<int>(d => progress.Report(d / (double)k)), cancellationToken: context.CancellationToken));
        KernelEnsembleResult? kernels = null;
        if (dataFile is not null)
        {
            var table = CsvFiles.ReadData(dataFile.ToString());
            var dataset = Dataset.FromInputs(table.InputsFor(circuit), table.Labels ?? new double[table.SampleCount], circuit.InputNames);
            kernels = KernelEnsemble.Run(new QnnModel(circuit, o), dataset, k, rule, seed, cancellationToken: context.CancellationToken);
        }
        void Body(Utf8JsonWriter w)
        {
            w.WriteString("file", path.ToString());
            w.WriteString("observable", o.ToString());
            w.WriteNumber("qubits", circuit.QubitCount);
            w.WriteNumber("parameters", circuit.ParameterCount);
            w.WriteNumber("samples", k);
            w.WriteString("init", rule.Name);
            w.WriteNumber("seed", seed);
            Moment(w, "value", stats.Value);
            w.WriteStartArray("gradient");
            for (int l = 0; l < circuit.ParameterCount; l++)
            {
                w.WriteStartObject();
                w.WriteString("parameter", circuit.ParameterNames[l]);
                MomentFields(w, stats.Components[l]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            JsonOutput.WriteNumber(w, "mean_component_variance", stats.MeanComponentVariance.Variance);
            JsonOutput.WriteNumber(w, "mean_component_variance_standard_error", stats.MeanComponentVariance.VarianceStandardError);
            JsonOutput.WriteNumber(w, "haar_variance", stats.HaarVariance);
            if (kernels is not null)
            {
                w.WriteStartObject("kernel");
                w.WriteNumber("samples", kernels.Entries.GetLength(0));
                JsonOutput.WriteMatrix(w, "mean", Map(kernels.Entries, e => e.Mean));
                JsonOutput.WriteMatrix(w, "variance", Map(kernels.Entries, e => e.Variance));
                Moment(w, "trace", kernels.Trace);
                Moment(w, "max_eigenvalue", kernels.MaxEigenvalue);
                Moment(w, "min_eigenvalue", kernels.MinEigenvalue);
                Moment(w, "log10_condition_number", kernels.LogConditionNumber);
                Moment(w, "effective_rank", kernels.EffectiveRank);
                Moment(w, "relative_off_diagonal", kernels.RelativeOffDiagonal);
                JsonOutput.WriteNumber(w, "haar_mean_diagonal", kernels.HaarMeanDiagonal);
                w.WriteEndObject();
            }
        }
        if (json) JsonOutput.Write(context.Out, "ensemble", Body);
        else
        {
            var console = HumanOutput.Stdout(context);
            var table = HumanOutput.Table("parameter", "mean ∂⟨O⟩", "± se", "Var ∂⟨O⟩", "± se").NumberColumns(1, 2, 3, 4);
            int shown = Math.Min(circuit.ParameterCount, 20);
            for (int l = 0; l < shown; l++)
            {
                var c = stats.Components[l];
                table.Row(circuit.ParameterNames[l], G(c.Mean), G(c.MeanStandardError), G(c.Variance), G(c.VarianceStandardError));
            }
            if (shown < circuit.ParameterCount) table.Caption = new Spectre.Console.TableTitle($"first {shown} of {circuit.ParameterCount} parameters; --json lists all");
            console.Write(table);
            context.Out.WriteLine($"⟨O⟩: mean {G(stats.Value.Mean)} ± {G(stats.Value.MeanStandardError)}, variance {G(stats.Value.Variance)}");
            context.Out.WriteLine($"mean component variance (1/p)Σ Var ∂_l⟨O⟩ = {G(stats.MeanComponentVariance.Variance)} ± {G(stats.MeanComponentVariance.VarianceStandardError)}; Haar (2-design depth) value {G(stats.HaarVariance)}");
            if (kernels is not null)
                context.Out.WriteLine($"tangent kernel over {k} draws: tr K {G(kernels.Trace.Mean)} ± {G(kernels.Trace.MeanStandardError)} (Haar p·Var: {G(kernels.HaarMeanDiagonal)} per diagonal entry), λ_max {G(kernels.MaxEigenvalue.Mean)}, effective rank {G(kernels.EffectiveRank.Mean)}, mean |K_ij|/K_ii {G(kernels.RelativeOffDiagonal.Mean)}");
        }
        return ExitCodes.Success;
    }

    /// <summary>What a scan computes: the gradient variance, or with <see cref="Dqntk"/> the λ ratio at the inputs of <see cref="Bindings"/>.</summary>
    private sealed record ScanOptions(bool Dqntk, IReadOnlyList<Binding> Bindings);

    private static int RunFamily(CliContext context, string familyName, Func<int, int, Circuit>? given, string? qubitsText, string? layersText, string observableText, int k,
        InitializationRule rule, ulong seed, FileInfo? plot, bool json, ScanOptions scanOptions, int minQubits = 1)
    {
        Func<int, int, Circuit> family;
        try { family = given ?? CircuitFamilies.ByName(familyName); }
        catch (ArgumentException) { throw new CliUsageException($"--family '{familyName}' is not allowed; expected hea or reuploading."); }
        var ns = Range("--qubits", qubitsText ?? throw new CliUsageException("--family needs --qubits (e.g. 2..6)."), minQubits, 20);
        var ls = Range("--layers", layersText ?? throw new CliUsageException("--family needs --layers (e.g. 4 or 1..8)."), 1, 10_000);
        Func<int, PauliSum> observable = observableText switch
        {
            "local" => BarrenPlateauScan.LocalObservable,
            "global" => BarrenPlateauScan.GlobalObservable,
            _ => n =>
            {
                var sum = PauliSum.Parse(observableText);
                if (sum.RequiredQubits > n) throw new CliInputException($"--observable \"{observableText}\" acts on qubit {sum.RequiredQubits - 1}, but the family has {n} qubits at this point (allowed: 0..{n - 1}).");
                return sum;
            },
        };
        if (scanOptions.Dqntk)
            return RunDqntk(context, familyName, family, ns, ls, observable, observableText, k, rule, seed, plot, json, scanOptions.Bindings);
        int total = ns.Count * ls.Count;
        var result = CliProgress.Run(context, "barren-plateau scan", progress => BarrenPlateauScan.Run(family, ns, ls, observable, k, rule, seed,
            new SyncProgress<int>(d => progress.Report(d / (double)total)), context.CancellationToken));
        if (plot is not null) Plot(result, plot.ToString(), familyName, observableText);
        void Fit(Utf8JsonWriter w, string key, ExponentialDecayFit? f)
        {
            if (f is null) { w.WriteNull(key); return; }
            w.WriteStartObject(key);
            JsonOutput.WriteNumber(w, "rate", f.Rate);
            JsonOutput.WriteNumber(w, "rate_standard_error", f.RateStandardError);
            JsonOutput.WriteNumber(w, "rate_base2", f.RateBase2);
            JsonOutput.WriteNumber(w, "intercept", f.Intercept);
            JsonOutput.WriteNumber(w, "reduced_chi_squared", f.ReducedChiSquared);
            w.WriteEndObject();
        }
        void Body(Utf8JsonWriter w)
        {
            WriteScanHeader(w, familyName, observableText, k, rule, seed);
            w.WriteStartArray("points");
            foreach (var p in result.Points)
            {
                w.WriteStartObject();
                w.WriteNumber("qubits", p.Qubits);
                w.WriteNumber("layers", p.Layers);
                w.WriteNumber("parameters", p.Parameters);
                JsonOutput.WriteNumber(w, "variance", p.Variance);
                JsonOutput.WriteNumber(w, "variance_standard_error", p.VarianceStandardError);
                JsonOutput.WriteNumber(w, "haar_variance", p.Statistics.HaarVariance);
                JsonOutput.WriteNumber(w, "value_variance", p.Statistics.Value.Variance);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            Fit(w, "qubit_fit", result.QubitFit);
            Fit(w, "layer_fit", result.LayerFit);
        }
        if (json) JsonOutput.Write(context.Out, "ensemble.scan", Body);
        else
        {
            var console = HumanOutput.Stdout(context);
            var table = HumanOutput.Table("n", "L", "p", "Var ∂⟨O⟩", "± se", "Haar").NumberColumns(0, 1, 2, 3, 4, 5);
            foreach (var p in result.Points)
                table.Row(p.Qubits.ToString(CultureInfo.InvariantCulture), p.Layers.ToString(CultureInfo.InvariantCulture), p.Parameters.ToString(CultureInfo.InvariantCulture),
                    G(p.Variance), G(p.VarianceStandardError), G(p.Statistics.HaarVariance));
            console.Write(table);
            if (result.QubitFit is { } qf)
                context.Out.WriteLine($"Var ∝ e^(−b·n) at L = {ls.Max()}: b = {G(qf.Rate)} ± {G(qf.RateStandardError)} per qubit (Var ∝ 2^(−{G(qf.RateBase2)}·n)), χ²/dof = {G(qf.ReducedChiSquared)}");
            if (result.LayerFit is { } lf)
                context.Out.WriteLine($"Var ∝ e^(−b·L) at n = {ns.Max()}: b = {G(lf.Rate)} ± {G(lf.RateStandardError)} per layer, χ²/dof = {G(lf.ReducedChiSquared)}");
            if (plot is not null) context.Out.WriteLine($"plot: {plot}.png, {plot}.svg");
        }
        return ExitCodes.Success;
    }

    /// <summary>The fields every scan's JSON starts with: family, observable, samples, init and seed.</summary>
    private static void WriteScanHeader(Utf8JsonWriter w, string familyName, string observableText, int k, InitializationRule rule, ulong seed)
    {
        w.WriteString("family", familyName);
        w.WriteString("observable", observableText);
        w.WriteNumber("samples", k);
        w.WriteString("init", rule.Name);
        w.WriteNumber("seed", seed);
    }

    private static int RunDqntk(CliContext context, string familyName, Func<int, int, Circuit> family, IReadOnlyList<int> ns, IReadOnlyList<int> ls,
        Func<int, PauliSum> observable, string observableText, int k, InitializationRule rule, ulong seed, FileInfo? plot, bool json, IReadOnlyList<Binding> bindings)
    {
        // The inputs x, by name, from the smallest circuit of the family (every member reads the same inputs).
        var first = family(ns[0], ls[0]);
        var (_, x) = Bindings.Resolve(first, [.. bindings, .. first.InputNames.Where(name => bindings.All(b => b.Name != name)).Select(name => new Binding(name, 0, name + "=0"))],
            BindScope.Inputs);
        var sample = Dataset.FromInputs([x], [0.0], first.InputNames);
        int total = ns.Count * ls.Count * k;
        var scans = CliProgress.Run(context, "dQNTK ratio scan", progress =>
        {
            var done = new List<DqntkRatioScan>();
            foreach (int n in ns)
            {
                int before = done.Count * ls.Count * k;
                done.Add(DqntkRatio.Scan(family, n, ls, observable(n), sample, k, seed, new SyncProgress<int>(d => progress.Report((before + d) / (double)total)),
                    context.CancellationToken, rule: rule));
            }
            return done;
        });
        if (plot is not null) PlotDqntk(scans, plot.ToString(), familyName, observableText);
        void Body(Utf8JsonWriter w)
        {
            WriteScanHeader(w, familyName, observableText, k, rule, seed);
            w.WriteStartObject("inputs");
            for (int i = 0; i < x.Length; i++) JsonOutput.WriteNumber(w, first.InputNames[i], x[i]);
            w.WriteEndObject();
            w.WriteStartArray("scans");
            foreach (var scan in scans)
            {
                w.WriteStartObject();
                w.WriteNumber("qubits", scan.Qubits);
                w.WriteStartArray("points");
                foreach (var p in scan.Points)
                {
                    w.WriteStartObject();
                    w.WriteNumber("layers", p.Layers);
                    w.WriteNumber("parameters", p.Parameters);
                    Moment(w, "kernel", p.Kernel);
                    Moment(w, "lambda", p.Lambda);
                    Moment(w, "absolute_lambda", p.AbsoluteLambda);
                    JsonOutput.WriteNumber(w, "relative_lambda", p.RelativeLambda);
                    JsonOutput.WriteNumber(w, "relative_lambda_standard_error", p.RelativeLambdaStandardError);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (scan.Trend is not { } t) w.WriteNull("trend");
                else
                {
                    w.WriteStartObject("trend");
                    JsonOutput.WriteNumber(w, "plateau", t.Plateau);
                    JsonOutput.WriteNumber(w, "plateau_standard_error", t.PlateauStandardError);
                    JsonOutput.WriteNumber(w, "slope", t.Slope);
                    JsonOutput.WriteNumber(w, "slope_standard_error", t.SlopeStandardError);
                    JsonOutput.WriteNumber(w, "reduced_chi_squared", t.ReducedChiSquared);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (json) JsonOutput.Write(context.Out, "ensemble.dqntk", Body);
        else
        {
            var console = HumanOutput.Stdout(context);
            var table = HumanOutput.Table("n", "L", "p", "⟨K⟩", "⟨λ⟩", "⟨|λ|⟩", "⟨|λ|⟩/⟨K⟩", "± se").NumberColumns(0, 1, 2, 3, 4, 5, 6, 7);
            foreach (var scan in scans)
                foreach (var p in scan.Points)
                    table.Row(scan.Qubits.ToString(CultureInfo.InvariantCulture), p.Layers.ToString(CultureInfo.InvariantCulture), p.Parameters.ToString(CultureInfo.InvariantCulture),
                        G(p.Kernel.Mean), G(p.Lambda.Mean), G(p.AbsoluteLambda.Mean), G(p.RelativeLambda), G(p.RelativeLambdaStandardError));
            console.Write(table);
            foreach (var scan in scans)
                if (scan.Trend is { } t)
                    context.Out.WriteLine($"n = {scan.Qubits}: ⟨|λ|⟩/⟨K⟩ ≈ r∞ + a/p with r∞ = {G(t.Plateau)} ± {G(t.PlateauStandardError)}, a = {G(t.Slope)} ± {G(t.SlopeStandardError)}, χ²/dof = {G(t.ReducedChiSquared)}");
            context.Out.WriteLine("λ = μ/K (Liu et al., PRL 130, 150601 (2023)); the kernel moves by 2λε₀ over training, so ⟨|λ|⟩/⟨K⟩ near 0 means a frozen kernel.");
            if (plot is not null) context.Out.WriteLine($"plot: {plot}.png, {plot}.svg");
        }
        return ExitCodes.Success;
    }

    private static void PlotDqntk(IReadOnlyList<DqntkRatioScan> scans, string basePath, string family, string observable)
    {
        var series = new List<Series>();
        foreach (var scan in scans)
        {
            var pts = scan.Points.Where(p => double.IsFinite(p.RelativeLambda)).OrderBy(p => p.Parameters).ToArray();
            if (pts.Length == 0) continue;
            int colour = series.Count / 2;
            series.Add(new Series($"n = {scan.Qubits}", [.. pts.Select(p => (double)p.Parameters)], [.. pts.Select(p => p.RelativeLambda)], SeriesStyle.ErrorBars,
                [.. pts.Select(p => p.RelativeLambdaStandardError)]) { Colour = colour });
            if (scan.Trend is { } t)
                series.Add(new Series($"fit n = {scan.Qubits}: r∞ = {t.Plateau:G3} ± {t.PlateauStandardError:G2}", [.. pts.Select(p => (double)p.Parameters)],
                    [.. pts.Select(p => t.Evaluate(p.Parameters))], SeriesStyle.Dashed) { Colour = colour });
        }
        Plotting.Save(new PlotSpec("ensemble-dqntk", $"dQNTK ratio: {family}, O = {observable}", "parameters p", "⟨|λ|⟩/⟨K⟩", true, false, series), basePath);
    }

    private static void Plot(BarrenPlateauResult result, string basePath, string family, string observable)
    {
        var series = new List<Series>();
        foreach (var group in result.Points.GroupBy(p => p.Layers))
        {
            var pts = group.OrderBy(p => p.Qubits).ToArray();
            if (pts.Length < 2 && result.Points.Select(p => p.Qubits).Distinct().Count() > 1) continue;
            series.Add(new Series($"L = {group.Key}", [.. pts.Select(p => (double)p.Qubits)], [.. pts.Select(p => p.Variance)], SeriesStyle.ErrorBars,
                [.. pts.Select(p => p.VarianceStandardError / (p.Variance * Math.Log(10)))]));
        }
        var haar = result.Points.GroupBy(p => p.Qubits).Select(g => g.First()).OrderBy(p => p.Qubits).ToArray();
        if (haar.Length >= 2)
        {
            series.Add(new Series("Haar (2-design)", [.. haar.Select(p => (double)p.Qubits)], [.. haar.Select(p => p.Statistics.HaarVariance)], SeriesStyle.Dashed));
            if (result.QubitFit is { } f)
                series.Add(new Series($"fit: b = {f.Rate:G3} ± {f.RateStandardError:G2}", [.. haar.Select(p => (double)p.Qubits)], [.. haar.Select(p => f.Evaluate(p.Qubits))], SeriesStyle.Line));
            Plotting.Save(new PlotSpec("ensemble", $"Barren plateau: {family}, O = {observable}", "qubits n", "Var ∂θ⟨O⟩", false, true, series), basePath);
            return;
        }
        // One qubit count: variance against the depth.
        var byL = result.Points.OrderBy(p => p.Layers).ToArray();
        series.Clear();
        series.Add(new Series($"n = {byL[0].Qubits}", [.. byL.Select(p => (double)p.Layers)], [.. byL.Select(p => p.Variance)], SeriesStyle.ErrorBars,
            [.. byL.Select(p => p.VarianceStandardError / (p.Variance * Math.Log(10)))]));
        series.Add(new Series("Haar (2-design)", [.. byL.Select(p => (double)p.Layers)], [.. byL.Select(p => p.Statistics.HaarVariance)], SeriesStyle.Dashed));
        if (result.LayerFit is { } lf)
            series.Add(new Series($"fit: b = {lf.Rate:G3} ± {lf.RateStandardError:G2}", [.. byL.Select(p => (double)p.Layers)], [.. byL.Select(p => lf.Evaluate(p.Layers))], SeriesStyle.Line));
        Plotting.Save(new PlotSpec("ensemble", $"Gradient variance: {family}, O = {observable}", "layers L", "Var ∂θ⟨O⟩", false, true, series), basePath);
    }

    /// <summary>Parses N, A..B or A,B,C into ascending distinct integers in [min, max].</summary>
    internal static IReadOnlyList<int> Range(string option, string text, int min, int max)
    {
        var result = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var ends = part.Split("..");
            if (ends.Length is 1 or 2 && ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                int a = int.Parse(ends[0], CultureInfo.InvariantCulture), b = int.Parse(ends[^1], CultureInfo.InvariantCulture);
                if (a < min || b > max || b < a) throw new CliUsageException($"{option} '{text}': {part} is out of range; allowed: {min}..{max}, ascending.");
                for (int v = a; v <= b; v++) result.Add(v);
                continue;
            }
            throw new CliUsageException($"{option} '{text}' is not allowed; expected N, A..B or a list A,B,C of whole numbers.");
        }
        return [.. result];
    }

    private static IEnumerable<IReadOnlyList<double>> Map(EnsembleMoment[,] m, Func<EnsembleMoment, double> f) =>
        Enumerable.Range(0, m.GetLength(0)).Select(i => (IReadOnlyList<double>)[.. Enumerable.Range(0, m.GetLength(1)).Select(j => f(m[i, j]))]);

    private static void Moment(Utf8JsonWriter w, string key, EnsembleMoment m)
    {
        w.WriteStartObject(key);
        MomentFields(w, m);
        w.WriteEndObject();
    }

    private static void MomentFields(Utf8JsonWriter w, EnsembleMoment m)
    {
        JsonOutput.WriteNumber(w, "mean", m.Mean);
        JsonOutput.WriteNumber(w, "mean_standard_error", m.MeanStandardError);
        JsonOutput.WriteNumber(w, "variance", m.Variance);
        JsonOutput.WriteNumber(w, "variance_standard_error", m.VarianceStandardError);
    }

    private static string G(double v) => TrainCommand.G(v);
}
