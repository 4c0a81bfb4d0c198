using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QnnSim.Analysis;
using QnnSim.Cli.Common;

namespace QnnSim.Cli.Commands;

/// <summary>
/// <c>qnnsim train FILE --data DATA.csv --observable TEXT --lr ETA --steps N [--record log|every:K] [--out run.json] [--json]</c>:
/// full-batch gradient descent on L = ½ Σ (ŷ_i − y_i)², with the tangent kernel tracked at the recorded steps and
/// the frozen-kernel prediction beside the real residual.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var file = CommonOptions.CircuitFile();
        var data = CommonOptions.Data();
        var observable = new Option<string>("--observable") { Description = "The readout O as a Pauli sum.", HelpName = "TEXT", Required = true };
        var lr = new Option<double>("--lr") { Description = "Learning rate η > 0.", HelpName = "ETA", Required = true };
        var steps = new Option<int>("--steps") { Description = "Number of gradient-descent steps (≥ 0).", HelpName = "N", Required = true };
        var record = new Option<string>("--record") { Description = "Recorded steps: log (20 per decade), log:N, or every:K.", DefaultValueFactory = _ => "log", HelpName = "log|every:K" };
        var outFile = CommonOptions.Out("Write the run to this file: run.npy (the training records as float64, shape (records, 9 + m); columns in docs/cli.md) or JSON (the qnnsim.train/1 object).");
        var json = CommonOptions.Json();
        var setup = new ModelSetup();
        var loading = new CircuitLoading();
        var command = new Command("train", "Train a circuit by full-batch gradient descent on ½Σ(ŷ − y)², tracking the tangent kernel and the frozen-kernel prediction.")
        {
            file, data, observable, lr, steps, record, outFile, json,
        };
        setup.AddTo(command);
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            double eta = parse.GetValue(lr);
            if (!(eta > 0) || !double.IsFinite(eta)) throw new CliUsageException($"--lr {eta} is out of range; allowed: a finite number > 0.");
            int n = parse.GetValue(steps);
            if (n < 0) throw new CliUsageException($"--steps {n} is out of range; allowed: ≥ 0.");
            RecordSchedule schedule;
            try { schedule = RecordSchedule.Parse(parse.GetValue(record)!); }
            catch (ParseException e) { throw new CliUsageException(e.Detail); }
            var path = parse.GetValue(file)!;
            var circuit = loading.Load(parse, path);
            var (model, dataset, theta) = setup.Build(parse, circuit, parse.GetValue(data)!.ToString(), parse.GetValue(observable)!);
            var evaluator = model.Bind(dataset);
            var run = CliProgress.Run(context, "training", progress => GradientDescent.Train(evaluator, dataset.LabelArray(), theta,
                new TrainingOptions { LearningRate = eta, Steps = n, Record = schedule },
                new SyncProgress<TrainingProgress>(t => progress.Report(t.TotalSteps == 0 ? 1 : t.Step / (double)t.TotalSteps)), context.CancellationToken));
            var first = run.Records[0];
            var frozen = new FrozenKernelPrediction(first.Kernel!, first.Residuals, eta);
            var deviations = run.KernelDeviations();
            var diagnosis = ConvergenceAnalysis.Diagnose(run.Times, run.ResidualNorms);
            void Body(Utf8JsonWriter w)
            {
                w.WriteString("file", path.ToString());
                w.WriteNumber("samples", dataset.Count);
                w.WriteNumber("parameters", model.ParameterCount);
                JsonOutput.WriteNumber(w, "learning_rate", eta);
                w.WriteNumber("steps_completed", run.StepsCompleted);
                w.WriteBoolean("cancelled", run.Cancelled);
                w.WriteBoolean("diverged", run.Diverged);
                JsonOutput.WriteNumber(w, "critical_learning_rate", first.Kernel!.CriticalLearningRate);
                w.WriteStartArray("records");
                for (int i = 0; i < run.Records.Count; i++)
                {
                    var r = run.Records[i];
                    w.WriteStartObject();
                    w.WriteNumber("step", r.Step);
                    JsonOutput.WriteNumber(w, "s", r.Time);
                    JsonOutput.WriteNumber(w, "loss", r.Loss);
                    JsonOutput.WriteNumber(w, "residual_norm", r.ResidualNorm);
                    JsonOutput.WriteNumber(w, "frozen_residual_norm", Norm(frozen.Discrete(r.Step)));
                    JsonOutput.WriteNumber(w, "kernel_trace_ratio", deviations[i].TraceRatio);
                    JsonOutput.WriteNumber(w, "kernel_relative_change", deviations[i].RelativeChange);
                    JsonOutput.WriteNumber(w, "kernel_alignment", deviations[i].Alignment);
                    JsonOutput.WriteNumber(w, "parameter_displacement", r.ParameterDisplacement);
                    JsonOutput.WriteArray(w, "outputs", r.Outputs);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                JsonOutput.WriteArray(w, "final_parameters", run.FinalParameters);
                ExperimentCommand.WriteDiagnosis(w, diagnosis);
            }
            if (parse.GetValue(outFile) is { } o && ResultFiles.IsNpy(o))
            {
                int width = RecordColumns.Length + dataset.Count;
                var table = new double[run.Records.Count * width];
                for (int i = 0; i < run.Records.Count; i++)
                {
                    var r = run.Records[i];
                    double[] row = [r.Step, r.Time, r.Loss, r.ResidualNorm, Norm(frozen.Discrete(r.Step)), deviations[i].TraceRatio,
                        deviations[i].RelativeChange, deviations[i].Alignment, r.ParameterDisplacement, .. r.Outputs];
                    row.CopyTo(table, i * width);
                }
                ResultFiles.WriteNpy(o, table, run.Records.Count, width);
            }
            else if (parse.GetValue(outFile) is { } oj) JsonOutput.WriteFile(oj.ToString(), "train", Body);
            if (parse.GetValue(json)) JsonOutput.Write(context.Out, "train", Body);
            else
            {
                var console = HumanOutput.Stdout(context);
                var table = HumanOutput.Table("step", "s", "loss", "‖r‖", "frozen ‖r‖", "tr K/tr K0", "‖K−K0‖/‖K0‖", "‖θ−θ0‖").NumberColumns(0, 1, 2, 3, 4, 5, 6, 7);
                for (int i = 0; i < run.Records.Count; i++)
                {
                    var r = run.Records[i];
                    table.Row(r.Step.ToString(CultureInfo.InvariantCulture), G(r.Time), G(r.Loss), G(r.ResidualNorm), G(Norm(frozen.Discrete(r.Step))),
                        G(deviations[i].TraceRatio), G(deviations[i].RelativeChange), G(r.ParameterDisplacement));
                }
                console.Write(table);
                context.Out.WriteLine($"critical learning rate 2/λ_max(K0) = {G(first.Kernel!.CriticalLearningRate)}; η = {G(eta)}");
                context.Out.WriteLine($"diagnosis: {diagnosis.Explanation}");
                if (run.Diverged) context.Out.WriteLine("the loss became non-finite: η is far above the critical learning rate.");
            }
            return run.Cancelled ? ExitCodes.Cancelled : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The first columns of the .npy training records (then one column per sample: the outputs ŷ_i).</summary>
    internal static readonly string[] RecordColumns =
        ["step", "s", "loss", "residual_norm", "frozen_residual_norm", "kernel_trace_ratio", "kernel_relative_change", "kernel_alignment", "parameter_displacement"];

    internal static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    internal static string G(double v) => double.IsFinite(v) ? v.ToString("G5", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
}
