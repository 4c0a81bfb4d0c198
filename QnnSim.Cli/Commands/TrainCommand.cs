using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Cli.Common;

namespace QnnSim.Cli.Commands;

/// <summary>
/// <c>qnnsim train FILE (--data DATA.csv | --toy NAME:M[:NOISE]) --observable TEXT... --lr ETA (--steps N | --epochs N)
/// [--optimizer gd|momentum|adam] [--batch-size B] [--loss mse|logistic|cross-entropy|hinge] [--test-fraction F]
/// [--early-stopping PATIENCE] [--save-params P.json] [--resume P.json] [--kernel auto|on|off] [--record …] [--out run.json] [--json]</c>.
/// Two modes: the kernel study (full-batch gradient descent on ½Σ(ŷ − y)² with one readout, the tangent kernel and
/// the frozen-kernel prediction at the recorded steps: the default) and general training (<see cref="Trainer"/>:
/// any optimiser, minibatches, loss, several readouts, a held-out split), chosen when any of those options asks for it.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Memory the kernel records may take in --kernel auto mode before they are switched off.</summary>
    private const long AutoKernelBytes = 1L << 30;

    public static Command Create(CliContext context)
    {
        var file = CommonOptions.CircuitFile();
        var data = CommonOptions.Data(required: false);
        var toy = new Option<string?>("--toy") { Description = "A built-in dataset instead of --data: moons:M[:NOISE], circles:M[:NOISE], xor:M[:SPREAD] (2 inputs) or parity:BITS (one input per bit), drawn with --seed; labels ±1 (0/1 with --loss cross-entropy).", HelpName = "NAME:M[:NOISE]" };
        var saveData = new Option<FileInfo?>("--save-data") { Description = "Write the dataset used (after --toy) as CSV.", HelpName = "DATA.csv" };
        var observable = ObservableOptions.Option(required: true, "The readout O as a Pauli sum; repeat for several outputs (one per class, labels 0..k−1).");
        var lr = new Option<double>("--lr") { Description = "Learning rate η > 0.", HelpName = "ETA", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Number of updates (kernel-study mode) or, with minibatches, of epochs (same as --epochs).", HelpName = "N" };
        var epochs = new Option<int?>("--epochs") { Description = "Number of epochs (passes over the training set; one update each at full batch).", HelpName = "N" };
        var record = new Option<string>("--record") { Description = "Recorded steps: log (20 per decade), log:N, or every:K (in epochs when training with --optimizer/--loss/...).", DefaultValueFactory = _ => "log", HelpName = "log|every:K" };
        var optimizer = new Option<string>("--optimizer") { Description = "gd (gradient descent), momentum (μ = --momentum) or adam.", DefaultValueFactory = _ => "gd", HelpName = "gd|momentum|adam" };
        var momentum = new Option<double>("--momentum") { Description = "μ of --optimizer momentum, in [0, 1).", DefaultValueFactory = _ => 0.9, HelpName = "MU" };
        var batch = new Option<int>("--batch-size") { Description = "Minibatch size (0: full batch). Batches are drawn from a permutation per epoch seeded by --seed.", DefaultValueFactory = _ => 0, HelpName = "B" };
        var loss = new Option<string>("--loss") { Description = "mse (½(f − y)²), logistic (labels ±1), cross-entropy (labels 0/1, or 0..k−1 with k readouts) or hinge (labels ±1).", DefaultValueFactory = _ => "mse", HelpName = "mse|logistic|cross-entropy|hinge" };
        var logitScale = new Option<double>("--logit-scale") { Description = "β: logistic and cross-entropy read β·f (f a Pauli expectation in [−1, 1]).", DefaultValueFactory = _ => 1.0, HelpName = "BETA" };
        var testFraction = new Option<double?>("--test-fraction") { Description = "Hold out this fraction of the data (seeded split with --seed) and report test loss and accuracy.", HelpName = "F" };
        var early = new Option<int?>("--early-stopping") { Description = "Stop when the held-out (else training) loss has not improved for this many records; the best parameters are kept.", HelpName = "PATIENCE" };
        var saveParams = new Option<FileInfo?>("--save-params") { Description = "Save the final parameters by name, with the optimiser state, as JSON (qnnsim.params/1); also written when cancelled.", HelpName = "P.json" };
        var resume = new Option<FileInfo?>("--resume") { Description = "Continue a run from a --save-params file (same circuit, optimiser and data); --epochs counts the total.", HelpName = "P.json" };
        var kernel = new Option<string>("--kernel") { Description = "Record the m × m tangent kernel at each recorded step (kernel-study mode): auto (when it fits in 1 GiB and in available memory), on, off.", DefaultValueFactory = _ => "auto", HelpName = "auto|on|off" };
        var outFile = CommonOptions.Out("Write the run to this file: run.npy (the training records as float64, shape (records, columns); columns in docs/cli.md) or JSON (the qnnsim.train/1 object).");
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var initial = new Common.InitialParameters();
        var seed = CommonOptions.Seed("--init uniform, --toy, --test-fraction, minibatches, --shots and --backend trajectories");
        var noise = new NoiseOptions();
        var shots = CommonOptions.Shots("Read every expectation from N shots per Pauli term: outputs from N shots, gradients by the parameter-shift rule with N shots per shifted circuit, so training is stochastic gradient descent driven by shot noise (seeded by --seed, the same on any --threads); on the state vector or with --backend density.");
        var loading = new CircuitLoading(shortCountAliases: false);
        var command = new Command("train", "Train a circuit: by default full-batch gradient descent on ½Σ(ŷ − y)² tracking the tangent kernel and the frozen-kernel prediction; with --optimizer, --batch-size, --loss, --test-fraction, … a general classifier or regressor.")
        {
            file, data, toy, saveData, observable, lr, steps, epochs, record, optimizer, momentum, batch, loss, logitScale, testFraction, early,
            saveParams, resume, kernel, outFile, json, seed, threads, shots,
        };
        initial.AddTo(command);
        loading.AddTo(command);
        noise.AddTo(command);
        command.SetAction(parse =>
        {
            double eta = parse.GetValue(lr);
            if (!(eta > 0) || !double.IsFinite(eta)) throw new CliUsageException($"--lr {eta.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: a finite number > 0.");
            int? stepsValue = parse.GetValue(steps), epochsValue = parse.GetValue(epochs);
            if (stepsValue is not null && epochsValue is not null) throw new CliUsageException("give either --steps or --epochs, not both.");
            int n = stepsValue ?? epochsValue ?? throw new CliUsageException("--steps N (or --epochs N) is required.");
            if (n < 0) throw new CliUsageException($"--{(stepsValue is null ? "epochs" : "steps")} {n} is out of range; allowed: ≥ 0.");
            var optimizerKind = parse.GetValue(optimizer) switch
            {
                "gd" => OptimizerKind.GradientDescent,
                "momentum" => OptimizerKind.Momentum,
                "adam" => OptimizerKind.Adam,
                var o => throw new CliUsageException($"--optimizer '{o}' is not allowed; expected gd, momentum or adam."),
            };
            var lossKind = ParseLoss(parse.GetValue(loss)!);
            double mu = parse.GetValue(momentum);
            if (!(mu >= 0 && mu < 1)) throw new CliUsageException($"--momentum {mu.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: [0, 1).");
            int batchSize = parse.GetValue(batch);
            if (batchSize < 0) throw new CliUsageException($"--batch-size {batchSize} is out of range; allowed: 0 (full batch) or ≥ 1.");
            double beta = parse.GetValue(logitScale);
            if (!(beta > 0) || !double.IsFinite(beta)) throw new CliUsageException($"--logit-scale {beta.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: a finite number > 0.");
            double? fraction = parse.GetValue(testFraction);
            if (fraction is { } f && !(f > 0 && f < 1)) throw new CliUsageException($"--test-fraction {f.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: (0, 1).");
            int? patience = parse.GetValue(early);
            if (patience is < 1) throw new CliUsageException($"--early-stopping {patience} is out of range; allowed: ≥ 1.");
            string kernelMode = parse.GetValue(kernel)!;
            if (kernelMode is not ("auto" or "on" or "off")) throw new CliUsageException($"--kernel '{kernelMode}' is not allowed; expected auto, on or off.");
            RecordSchedule schedule;
            try { schedule = RecordSchedule.Parse(parse.GetValue(record)!); }
            catch (ParseException e) { throw new CliUsageException(e.Detail); }
            ulong seedValue = parse.GetValue(seed);
            var evaluation = AnalysisNoise.Parse(noise.Parse(parse), parse.GetOptional(shots), seedValue);

            var path = parse.GetValue(file)!;
            var circuit = loading.Load(parse, path);
            if (circuit.ParameterCount == 0) throw new CliInputException("the circuit has no trainable parameters (declare them as OpenQASM input angles).");
            var readouts = ObservableOptions.Parse(parse.GetValue(observable), circuit);
            var dataset = LoadData(parse.GetValue(data), parse.GetValue(toy), circuit, seedValue);
            if (lossKind == LossKind.CrossEntropy && readouts.Count == 1 && parse.GetValue(toy) is not null) dataset = dataset.MapLabels(y => (1 + y) / 2);
            if (parse.GetValue(saveData) is { } sd) File.WriteAllText(sd.ToString(), dataset.ToCsv());
            var model = evaluation.Apply(new QnnModel(circuit, [.. readouts.Select(r => r.Sum)], parse.GradientWith(threads, QnnSim.Gradients.GradientMethod.Adjoint)));
            double[] theta = initial.Resolve(parse, circuit, seedValue);
            TrainingCheckpoint? checkpoint = null;
            if (parse.GetValue(resume) is { } rf)
            {
                if (!rf.Exists) throw new CliInputException($"--resume: no such file: {rf}");
                (theta, checkpoint) = ParameterFile.Load(rf.ToString(), circuit.ParameterNames);
            }

            bool general = optimizerKind != OptimizerKind.GradientDescent || lossKind != LossKind.SquaredError || batchSize > 0 || fraction is not null
                || patience is not null || readouts.Count > 1 || checkpoint is not null || epochsValue is not null;
            int code = general
                ? RunGeneral(context, parse, path.ToString(), circuit, model, dataset, theta, checkpoint, new OptimizerSettings { Kind = optimizerKind, LearningRate = eta, Momentum = mu },
                    lossKind, beta, batchSize, n, fraction, patience, schedule, seedValue, parse.GetValue(saveParams), parse.GetValue(outFile), parse.GetValue(json), evaluation)
                : RunKernelStudy(context, path.ToString(), circuit, model, dataset, theta, eta, n, schedule, kernelMode,
                    parse.GetValue(saveParams), parse.GetValue(outFile), parse.GetValue(json), evaluation);
            return code;
        });
        return command;
    }

    private static LossKind ParseLoss(string text) => text switch
    {
        "mse" => LossKind.SquaredError,
        "logistic" => LossKind.Logistic,
        "cross-entropy" => LossKind.CrossEntropy,
        "hinge" => LossKind.Hinge,
        _ => throw new CliUsageException($"--loss '{text}' is not allowed; expected mse, logistic, cross-entropy or hinge."),
    };

    private static Dataset LoadData(FileInfo? dataFile, string? toy, Circuit circuit, ulong seed)
    {
        if (dataFile is not null && toy is not null) throw new CliUsageException("give either --data or --toy, not both.");
        if (dataFile is null && toy is null) throw new CliUsageException("a dataset is required: --data DATA.csv or --toy moons:200 (see --help).");
        if (dataFile is not null)
        {
            var table = CsvFiles.ReadData(dataFile.ToString());
            return Dataset.FromInputs(table.InputsFor(circuit), table.RequireLabels(), circuit.InputNames);
        }
        var parts = toy!.Split(':');
        string name = parts[0];
        if (parts.Length < 2 || parts.Length > 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m) || m < 2)
            throw new CliUsageException($"--toy '{toy}': expected NAME:M[:NOISE] with M a whole number ≥ 2, e.g. moons:200:0.1 or parity:4.");
        double noise = 0.1;
        if (parts.Length == 3 && (!double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out noise) || !(noise >= 0) || !double.IsFinite(noise)))
            throw new CliUsageException($"--toy '{toy}': the noise '{parts[2]}' is not a finite number ≥ 0.");
        var d = name switch
        {
            "moons" => ToyDatasets.TwoMoons(m, noise, seed),
            "circles" => ToyDatasets.Circles(m, noise, seed),
            "xor" => ToyDatasets.GaussianXor(m, parts.Length == 3 ? noise : 0.3, seed),
            "parity" when m <= 20 => ToyDatasets.Parity(m, seed),
            "parity" => throw new CliUsageException($"--toy '{toy}': parity takes the number of bits, 1..20."),
            _ => throw new CliUsageException($"--toy '{toy}': unknown dataset '{name}'; expected moons, circles, xor or parity."),
        };
        int q = d.Inputs![0].Length;
        if (circuit.InputCount != q)
            throw new CliInputException($"--toy {name} has {q} input{(q == 1 ? "" : "s")} per sample, but the circuit reads {circuit.InputCount} ({(circuit.InputCount == 0 ? "none" : string.Join(", ", circuit.InputNames))}); the columns are fed to the circuit's inputs in order.");
        return Dataset.FromInputs([.. d.Inputs.Select(x => x.Span.ToArray())], d.Labels, circuit.InputNames);
    }

    private static int RunKernelStudy(CliContext context, string path, Circuit circuit, QnnModel model, Dataset dataset, double[] theta, double eta, int n,
        RecordSchedule schedule, string kernelMode, FileInfo? saveParams, FileInfo? outFile, bool json, AnalysisNoise evaluation)
    {
        int m = dataset.Count;
        long records = schedule.Steps(n).Count;
        long kernelBytes = records * (long)m * m * sizeof(double) + (long)m * model.ParameterCount * sizeof(double);
        long available = MemoryBudget.AvailableBytes();
        bool recordKernel = kernelMode switch
        {
            "on" => kernelBytes <= available ? true : throw new CliInputException(
                $"--kernel on needs {Bytes(kernelBytes)} for {records} kernel records of {m} × {m}, but {Bytes(available)} is available; use --kernel off, fewer records (--record every:K) or fewer samples."),
            "off" => false,
            _ => kernelBytes <= Math.Min(AutoKernelBytes, available / 2),
        };
        if (kernelMode == "auto" && !recordKernel)
            context.Error.WriteLine($"qnnsim: not recording the tangent kernel: {records} records of {m} × {m} would take {Bytes(kernelBytes)} (limit {Bytes(Math.Min(AutoKernelBytes, available / 2))}); --kernel on forces it.");
        var evaluator = model.Bind(dataset);
        var run = CliProgress.Run(context, "training", progress => GradientDescent.Train(evaluator, dataset.LabelArray(), theta,
            new TrainingOptions { LearningRate = eta, Steps = n, Record = schedule, RecordKernel = recordKernel },
            new SyncProgress<TrainingProgress>(t => progress.Report(t.TotalSteps == 0 ? 1 : t.Step / (double)t.TotalSteps)), context.CancellationToken));
        var first = run.Records[0];
        var frozen = recordKernel ? new FrozenKernelPrediction(first.Kernel!, first.Residuals, eta) : null;
        var deviations = recordKernel ? run.KernelDeviations() : null;
        var diagnosis = ConvergenceAnalysis.Diagnose(run.Times, run.ResidualNorms);
        if (saveParams is not null) ParameterFile.Save(saveParams.ToString(), circuit.ParameterNames, run.FinalParameters);
        void Body(Utf8JsonWriter w)
        {
            w.WriteString("file", path);
            w.WriteString("mode", "kernel");
            evaluation.WriteJson(w);
            w.WriteNumber("samples", dataset.Count);
            w.WriteNumber("parameters", model.ParameterCount);
            JsonOutput.WriteNumber(w, "learning_rate", eta);
            w.WriteNumber("steps", n);
            w.WriteNumber("steps_completed", run.StepsCompleted);
            w.WriteBoolean("cancelled", run.Cancelled);
            w.WriteBoolean("diverged", run.Diverged);
            if (run.DivergedAtStep is { } ds) w.WriteNumber("diverged_at_step", ds); else w.WriteNull("diverged_at_step");
            if (run.DivergenceReason is { } dr) w.WriteString("divergence_reason", dr); else w.WriteNull("divergence_reason");
            w.WriteBoolean("kernel_recorded", recordKernel);
            if (recordKernel) JsonOutput.WriteNumber(w, "critical_learning_rate", first.Kernel!.CriticalLearningRate);
            w.WriteStartArray("records");
            for (int i = 0; i < run.Records.Count; i++)
            {
                var r = run.Records[i];
                w.WriteStartObject();
                w.WriteNumber("step", r.Step);
                JsonOutput.WriteNumber(w, "s", r.Time);
                JsonOutput.WriteNumber(w, "loss", r.Loss);
                JsonOutput.WriteNumber(w, "residual_norm", r.ResidualNorm);
                if (recordKernel)
                {
                    JsonOutput.WriteNumber(w, "frozen_residual_norm", Norm(frozen!.Discrete(r.Step)));
                    JsonOutput.WriteNumber(w, "kernel_trace_ratio", deviations![i].TraceRatio);
                    JsonOutput.WriteNumber(w, "kernel_relative_change", deviations[i].RelativeChange);
                    JsonOutput.WriteNumber(w, "kernel_alignment", deviations[i].Alignment);
                }
                JsonOutput.WriteNumber(w, "parameter_displacement", r.ParameterDisplacement);
                JsonOutput.WriteArray(w, "outputs", r.Outputs);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            JsonOutput.WriteArray(w, "final_parameters", run.FinalParameters);
            ExperimentCommand.WriteDiagnosis(w, diagnosis);
        }
        if (outFile is not null && ResultFiles.IsNpy(outFile))
            WriteRecordsNpy(outFile, run.Records.Count, RecordColumns.Length + dataset.Count, i =>
            {
                var r = run.Records[i];
                return [r.Step, r.Time, r.Loss, r.ResidualNorm, frozen is null ? double.NaN : Norm(frozen.Discrete(r.Step)),
                    deviations?[i].TraceRatio ?? double.NaN, deviations?[i].RelativeChange ?? double.NaN, deviations?[i].Alignment ?? double.NaN,
                    r.ParameterDisplacement, .. r.Outputs];
            });
        else if (outFile is not null) JsonOutput.WriteFile(outFile.ToString(), "train", Body);
        if (json) JsonOutput.Write(context.Out, "train", Body);
        else
        {
            var console = HumanOutput.Stdout(context);
            if (evaluation.IsActive) context.Out.WriteLine($"evaluation: {evaluation.Summary}");
            var table = recordKernel
                ? HumanOutput.Table("step", "s", "loss", "‖r‖", "frozen ‖r‖", "tr K/tr K0", "‖K−K0‖/‖K0‖", "‖θ−θ0‖").NumberColumns(0, 1, 2, 3, 4, 5, 6, 7)
                : HumanOutput.Table("step", "s", "loss", "‖r‖", "‖θ−θ0‖").NumberColumns(0, 1, 2, 3, 4);
            for (int i = 0; i < run.Records.Count; i++)
            {
                var r = run.Records[i];
                if (recordKernel)
                    table.Row(r.Step.ToString(CultureInfo.InvariantCulture), G(r.Time), G(r.Loss), G(r.ResidualNorm), G(Norm(frozen!.Discrete(r.Step))),
                        G(deviations![i].TraceRatio), G(deviations[i].RelativeChange), G(r.ParameterDisplacement));
                else table.Row(r.Step.ToString(CultureInfo.InvariantCulture), G(r.Time), G(r.Loss), G(r.ResidualNorm), G(r.ParameterDisplacement));
            }
            if (run.Cancelled || run.Diverged) table.Caption = new Spectre.Console.TableTitle($"stopped at step {run.StepsCompleted} of {n}: {(run.Cancelled ? "cancelled" : "diverged")}; the run is incomplete");
            console.Write(table);
            if (recordKernel) context.Out.WriteLine($"critical learning rate 2/λ_max(K0) = {G(first.Kernel!.CriticalLearningRate)}; η = {G(eta)}");
            if (run.Diverged) context.Out.WriteLine($"diverged at step {run.DivergedAtStep}: {run.DivergenceReason}. The records up to step {run.StepsCompleted} are kept.");
            else if (!run.Cancelled) context.Out.WriteLine($"diagnosis: {diagnosis.Explanation}");
        }
        return Finish(context, run.Cancelled, run.StepsCompleted, n, "steps");
    }

    private static int RunGeneral(CliContext context, ParseResult parse, string path, Circuit circuit, QnnModel model, Dataset dataset, double[] theta,
        TrainingCheckpoint? checkpoint, OptimizerSettings optimizer, LossKind lossKind, double beta, int batchSize, int epochs, double? fraction, int? patience,
        RecordSchedule schedule, ulong seed, FileInfo? saveParams, FileInfo? outFile, bool json, AnalysisNoise evaluation)
    {
        var (train, test) = fraction is { } f ? dataset.Split(f, seed) : (dataset, (Dataset?)null);
        string text = schedule.ToString();
        long every = text.StartsWith("every:", StringComparison.Ordinal) ? long.Parse(text[6..], CultureInfo.InvariantCulture) : Math.Max(1, epochs / 50);
        var options = new TrainerOptions
        {
            Optimizer = optimizer, Epochs = epochs, Loss = lossKind, LogitScale = beta, BatchSize = batchSize, Seed = seed, RecordEvery = every,
            EarlyStopping = patience is { } pt ? new EarlyStopping(pt) : null,
        };
        if (checkpoint is not null && checkpoint.Optimizer.Kind != optimizer.Kind)
            throw new CliInputException($"--resume: the file was saved by --optimizer {ParameterFile.Name(checkpoint.Optimizer.Kind)}, but this run uses --optimizer {ParameterFile.Name(optimizer.Kind)}.");
        FitResult result;
        try
        {
            result = CliProgress.Run(context, "training", progress => Trainer.Fit(model, train, theta, options, test, checkpoint,
                new SyncProgress<TrainingProgress>(t => progress.Report(t.TotalSteps == 0 ? 1 : t.Step / (double)t.TotalSteps)), context.CancellationToken));
        }
        catch (ArgumentException e) when (e.ParamName is "labels")
        {
            throw new CliInputException(e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
        }
        if (saveParams is not null) ParameterFile.Save(saveParams.ToString(), circuit.ParameterNames, result.FinalParameters, result.Checkpoint);
        var last = result.Records[^1];
        bool cancelled = result.StopReason == StopReason.Cancelled;
        void Body(Utf8JsonWriter w)
        {
            w.WriteString("file", path);
            w.WriteString("mode", "fit");
            evaluation.WriteJson(w);
            w.WriteNumber("samples", dataset.Count);
            w.WriteNumber("train_samples", train.Count);
            w.WriteNumber("test_samples", test?.Count ?? 0);
            w.WriteNumber("parameters", model.ParameterCount);
            w.WriteNumber("outputs", model.OutputCount);
            w.WriteString("optimizer", ParameterFile.Name(optimizer.Kind));
            w.WriteString("loss", parse.GetValue<string>("--loss"));
            JsonOutput.WriteNumber(w, "learning_rate", optimizer.LearningRate);
            w.WriteNumber("batch_size", batchSize == 0 ? train.Count : Math.Min(batchSize, train.Count));
            w.WriteNumber("epochs", epochs);
            w.WriteNumber("epochs_completed", result.Checkpoint.Epoch);
            w.WriteNumber("steps_completed", result.Checkpoint.Step);
            w.WriteString("stop_reason", result.StopReason.ToString().ToLowerInvariant() switch { "earlystopped" => "early_stopped", var s => s });
            w.WriteBoolean("cancelled", cancelled);
            w.WriteBoolean("diverged", result.Diverged);
            if (result.DivergedAtStep is { } ds) w.WriteNumber("diverged_at_step", ds); else w.WriteNull("diverged_at_step");
            if (result.DivergenceMessage is { } dm) w.WriteString("divergence_reason", dm); else w.WriteNull("divergence_reason");
            JsonOutput.WriteNumber(w, "train_loss", last.TrainLoss);
            Optional(w, "test_loss", last.TestLoss);
            Optional(w, "train_accuracy", last.TrainAccuracy);
            Optional(w, "test_accuracy", last.TestAccuracy);
            w.WriteStartArray("records");
            foreach (var r in result.Records)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", r.Epoch);
                w.WriteNumber("step", r.Step);
                JsonOutput.WriteNumber(w, "train_loss", r.TrainLoss);
                Optional(w, "train_accuracy", r.TrainAccuracy);
                Optional(w, "test_loss", r.TestLoss);
                Optional(w, "test_accuracy", r.TestAccuracy);
                JsonOutput.WriteNumber(w, "parameter_displacement", r.ParameterDisplacement);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            JsonOutput.WriteArray(w, "final_parameters", result.FinalParameters);
        }
        if (outFile is not null && ResultFiles.IsNpy(outFile))
            WriteRecordsNpy(outFile, result.Records.Count, FitRecordColumns.Length, i =>
            {
                var r = result.Records[i];
                return [r.Epoch, r.Step, r.TrainLoss, r.TrainAccuracy ?? double.NaN, r.TestLoss ?? double.NaN, r.TestAccuracy ?? double.NaN, r.ParameterDisplacement];
            });
        else if (outFile is not null) JsonOutput.WriteFile(outFile.ToString(), "train", Body);
        if (json) JsonOutput.Write(context.Out, "train", Body);
        else
        {
            var console = HumanOutput.Stdout(context);
            if (evaluation.IsActive) context.Out.WriteLine($"evaluation: {evaluation.Summary}");
            var table = HumanOutput.Table("epoch", "step", "train loss", "train acc", "test loss", "test acc", "‖θ−θ0‖").NumberColumns(0, 1, 2, 3, 4, 5, 6);
            foreach (var r in result.Records)
                table.Row(r.Epoch.ToString(CultureInfo.InvariantCulture), r.Step.ToString(CultureInfo.InvariantCulture), G(r.TrainLoss), O(r.TrainAccuracy),
                    O(r.TestLoss), O(r.TestAccuracy), G(r.ParameterDisplacement));
            if (result.StopReason is StopReason.Cancelled or StopReason.Diverged)
                table.Caption = new Spectre.Console.TableTitle($"stopped at epoch {result.Checkpoint.Epoch} of {epochs}: {(cancelled ? "cancelled" : "diverged")}; the run is incomplete");
            console.Write(table);
            if (result.Diverged) context.Out.WriteLine($"diverged at update {result.DivergedAtStep}: {result.DivergenceMessage}. The records are kept.");
            else if (result.StopReason == StopReason.EarlyStopped) context.Out.WriteLine($"early stopping after epoch {result.Checkpoint.Epoch}; the parameters of epoch {result.Records[result.BestRecord].Epoch} are kept.");
        }
        return Finish(context, cancelled, result.Checkpoint.Epoch, epochs, "epochs");
    }

    /// <summary>Exit code 130 and "qnnsim: cancelled." on standard error after a cancelled run (issue 15); 0 otherwise.</summary>
    private static int Finish(CliContext context, bool cancelled, long done, long planned, string unit)
    {
        if (!cancelled) return ExitCodes.Success;
        context.Error.WriteLine($"qnnsim: cancelled after {done} of {planned} {unit}; the records above stop there.");
        context.Error.WriteLine("qnnsim: cancelled.");
        return ExitCodes.Cancelled;
    }

    private static void Optional(Utf8JsonWriter w, string key, double? value)
    {
        if (value is { } v) JsonOutput.WriteNumber(w, key, v);
        else w.WriteNull(key);
    }

    private static string O(double? v) => v is { } x ? G(x) : "–";

    private static string Bytes(long bytes) => bytes >= 1L << 30
        ? $"{(bytes / (double)(1L << 30)).ToString("F1", CultureInfo.InvariantCulture)} GiB"
        : $"{(bytes / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture)} MiB";

    /// <summary>The first columns of the .npy records in the kernel-study mode (then one column per sample: the outputs ŷ_i);
    /// the kernel columns are NaN when the kernel was not recorded.</summary>
    internal static readonly string[] RecordColumns =
        ["step", "s", "loss", "residual_norm", "frozen_residual_norm", "kernel_trace_ratio", "kernel_relative_change", "kernel_alignment", "parameter_displacement"];

    /// <summary>The columns of the .npy records of general training (NaN where a figure does not apply).</summary>
    internal static readonly string[] FitRecordColumns =
        ["epoch", "step", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "parameter_displacement"];

    /// <summary>Writes training records as a float64 .npy array of shape (records, width), one row per record.</summary>
    private static void WriteRecordsNpy(FileInfo file, int records, int width, Func<int, double[]> row)
    {
        var table = new double[records * width];
        for (int i = 0; i < records; i++) row(i).CopyTo(table, i * width);
        ResultFiles.WriteNpy(file, table, records, width);
    }

    internal static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    internal static string G(double v) => double.IsFinite(v) ? v.ToString("G5", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
}
