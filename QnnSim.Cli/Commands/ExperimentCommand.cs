using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QnnSim.Analysis;
using QnnSim.Cli.Common;

namespace QnnSim.Cli.Commands;

/// <summary>
/// <c>qnnsim experiment convergence|haar-kernel</c>: the convergence experiments of You, Chakrabarti, Chen and Wu
/// (ICML 2023, arXiv:2303.14844) on the paper's Haar-layered model, with the predictions of docs/theory.md.
/// </summary>
internal static class ExperimentCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("experiment", "Convergence experiments on the Haar-layered QNN of You et al. (ICML 2023): training against the theory's predictions.");
        command.Add(Convergence(context));
        command.Add(HaarKernel(context));
        return command;
    }

    private static Option<int> Count(string name, string help, int defaultValue) => new(name)
    {
        Description = help,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => CommonOptions.PositiveInt(r, name, help.ToLowerInvariant().TrimEnd('.').Replace("number of ", "", StringComparison.Ordinal)),
    };

    private static Option<double> Positive(string name, string help, double defaultValue) => new(name) { Description = help, DefaultValueFactory = _ => defaultValue };

    private static double CheckPositive(double v, string name)
    {
        if (!(v > 0) || !double.IsFinite(v)) throw new CliUsageException($"{name} {v.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: a finite number > 0.");
        return v;
    }

    /// <summary>The largest γ the experiments take: their regimes are at γ of order 1 (the paper uses γ ≤ 3), and the
    /// kernel grows like γ², so a γ of 10^20 is a typing slip, not a study.</summary>
    internal const double MaxGamma = 1e6;

    private static double CheckGamma(double v)
    {
        CheckPositive(v, "--gamma");
        if (v > MaxGamma)
            throw new CliUsageException($"--gamma {v.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: 0 < γ ≤ {MaxGamma.ToString(CultureInfo.InvariantCulture)} (the regimes are at γ of order 1; the kernel grows like γ²).");
        return v;
    }

    private static Command Convergence(CliContext context)
    {
        var qubits = Count("--qubits", "Number of qubits n (1..8).", 3);
        var layers = Count("--layers", "Number of trainable layers p.", 256);
        var samples = Count("--samples", "Number of orthonormal training states m (≤ 2^n).", 1);
        var gamma = Positive("--gamma", "Measurement range γ in M0 = γ·Z0 (1: Pauli readout; > 1: wider range).", 1.0);
        var eta0 = Positive("--eta0", "Rescaled learning rate η0 (η = η0/p).", 0.25);
        var steps = Count("--steps", "Number of gradient-descent steps (s = η0·k).", 8000);
        var seed = CommonOptions.Seed("the Haar layers, the dataset, θ_0, --shots and --backend trajectories");
        var threads = CommonOptions.Threads("Without --noise and --shots the experiment runs on one thread (its steps are small dense products, sequential in time); with them, the samples are evaluated on N threads (the same numbers for any N).");
        var json = CommonOptions.Json();
        var noise = new NoiseOptions();
        var shots = CommonOptions.Shots("Train on shot estimates: outputs from N shots per Pauli term, gradients by the parameter-shift rule with N shots per shifted circuit (stochastic gradient descent driven by shot noise, seeded by --seed).");
        var command = new Command("convergence", "Train the paper's model (Haar layers, e^{−iθZ0} generators, readout γ·Z0, m orthonormal states labelled ±1) and compare with the frozen-kernel and asymptotic-dynamics predictions.")
        {
            qubits, layers, samples, gamma, eta0, steps, seed, threads, json, shots,
        };
        noise.AddTo(command);
        command.SetAction(parse =>
        {
            var evaluation = AnalysisNoise.Parse(noise.Parse(parse), parse.GetOptional(shots), parse.GetValue(seed));
            int n = parse.GetValue(qubits), p = parse.GetValue(layers), m = parse.GetValue(samples), k = parse.GetValue(steps);
            double g = CheckGamma(parse.GetValue(gamma)), e0 = CheckPositive(parse.GetValue(eta0), "--eta0");
            ulong s = parse.GetValue(seed);
            if (n > 8) throw new CliUsageException($"--qubits {n} is out of range; allowed: 1..8.");
            if (m > 1 << n) throw new CliUsageException($"--samples {m} is out of range; allowed: 1..{1 << n} (orthonormal states in dimension {1 << n}).");
            var result = CliProgress.Run(context, "training", progress =>
                ConvergenceExperiment.Run(n, p, m, g, e0, k, s, new SyncProgress<double>(progress.Report), context.CancellationToken,
                    noise: evaluation.ModelNoise, readout: evaluation.Readout, gradientOptions: parse.GradientWith(threads, QnnSim.Gradients.GradientMethod.Adjoint)));
            if (parse.GetValue(json)) JsonOutput.Write(context.Out, "experiment.convergence", w => { evaluation.WriteJson(w); WriteJson(w, result); });
            else
            {
                if (evaluation.IsActive) context.Out.WriteLine($"evaluation: {evaluation.Summary} (the asymptotic dynamics and the prediction are the noiseless theory)");
                WriteHuman(context, result);
            }
            return result.Training.Cancelled ? ExitCodes.Cancelled : ExitCodes.Success;
        });
        return command;
    }

    private static void WriteJson(Utf8JsonWriter w, ConvergenceExperiment x)
    {
        w.WriteNumber("qubits", x.Qubits);
        w.WriteNumber("layers", x.Layers);
        w.WriteNumber("samples", x.Samples);
        JsonOutput.WriteNumber(w, "gamma", x.Gamma);
        JsonOutput.WriteNumber(w, "eta0", x.Eta0);
        w.WriteNumber("steps_completed", x.Training.StepsCompleted);
        w.WriteBoolean("cancelled", x.Training.Cancelled);
        JsonOutput.WriteNumber(w, "c", x.C);
        JsonOutput.WriteNumber(w, "critical_eta0", x.Training.Records[0].Kernel!.CriticalLearningRate * x.Layers);
        w.WriteStartArray("records");
        for (int i = 0; i < x.Training.Records.Count; i++)
        {
            var r = x.Training.Records[i];
            w.WriteStartObject();
            w.WriteNumber("step", r.Step);
            JsonOutput.WriteNumber(w, "s", r.Time);
            JsonOutput.WriteNumber(w, "residual_norm", r.ResidualNorm);
            JsonOutput.WriteNumber(w, "loss", r.Loss);
            JsonOutput.WriteNumber(w, "kernel_trace_ratio", x.Deviations[i].TraceRatio);
            JsonOutput.WriteNumber(w, "kernel_relative_change", x.Deviations[i].RelativeChange);
            JsonOutput.WriteNumber(w, "frozen_residual_norm", x.FrozenResidualNorms[i]);
            JsonOutput.WriteNumber(w, "asymptotic_residual_norm", x.Asymptotic[i].ResidualNorm);
            JsonOutput.WriteNumber(w, "asymptotic_kernel_trace_ratio", x.Asymptotic[i].KernelTrace / x.Asymptotic[0].KernelTrace);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteDiagnosis(w, x.Diagnosis);
        w.WriteStartObject("prediction");
        w.WriteString("kind", x.Prediction.Kind.ToString().ToLowerInvariant());
        JsonOutput.WriteNumber(w, "slope", x.Prediction.Slope);
        JsonOutput.WriteNumber(w, "rate", x.Prediction.Rate);
        JsonOutput.WriteNumber(w, "limit", x.Prediction.Limit);
        JsonOutput.WriteNumber(w, "measured_limit", x.MeasuredLimit);
        w.WriteString("statement", x.Prediction.Statement);
        JsonOutput.WriteArray(w, "warnings", x.Prediction.Warnings);
        w.WriteEndObject();
    }

    /// <summary>The "diagnosis" object shared by train and experiment convergence.</summary>
    internal static void WriteDiagnosis(Utf8JsonWriter w, ConvergenceDiagnosis d)
    {
        w.WriteStartObject("diagnosis");
        w.WriteString("kind", d.Kind.ToString().ToLowerInvariant());
        JsonOutput.WriteNumber(w, "loglog_slope", d.LogLogFit?.Slope ?? double.NaN);
        JsonOutput.WriteNumber(w, "loglog_slope_standard_error", d.LogLogFit?.SlopeStandardError ?? double.NaN);
        JsonOutput.WriteNumber(w, "rate", d.Rate);
        JsonOutput.WriteNumber(w, "rate_standard_error", d.RateStandardError);
        JsonOutput.WriteNumber(w, "final_residual_norm", d.FinalResidual);
        w.WriteString("explanation", d.Explanation);
        w.WriteEndObject();
    }

    private static void WriteHuman(CliContext context, ConvergenceExperiment x)
    {
        static string G(double v) => TrainCommand.G(v);
        var console = HumanOutput.Stdout(context);
        context.Out.WriteLine($"model: n = {x.Qubits} (d = {1 << x.Qubits}), p = {x.Layers}, m = {x.Samples}, γ = {G(x.Gamma)}, η0 = {G(x.Eta0)} (η = η0/p), c = {G(x.C)}");
        var table = HumanOutput.Table("step", "s", "‖r‖", "loss", "tr K/tr K0", "frozen ‖r‖", "asymptotic ‖r‖").NumberColumns(0, 1, 2, 3, 4, 5, 6);
        for (int i = 0; i < x.Training.Records.Count; i++)
        {
            var r = x.Training.Records[i];
            table.Row(r.Step.ToString(CultureInfo.InvariantCulture), G(r.Time), G(r.ResidualNorm), G(r.Loss), G(x.Deviations[i].TraceRatio),
                G(x.FrozenResidualNorms[i]), G(x.Asymptotic[i].ResidualNorm));
        }
        console.Write(table);
        context.Out.WriteLine($"measured:  {x.Diagnosis.Explanation}");
        context.Out.WriteLine($"predicted: {x.Prediction.Statement}");
        if (double.IsFinite(x.Prediction.Limit))
            context.Out.WriteLine(x.Prediction.Kind == ConvergenceKind.Stalled
                ? $"‖r‖ at the end: {G(x.MeasuredLimit)} (frozen error {G(x.Prediction.Limit)})"
                : $"s·‖r‖ at the end: {G(x.MeasuredLimit)} (limit {G(x.Prediction.Limit)})");
        foreach (var warning in x.Prediction.Warnings) context.Out.WriteLine($"warning: {warning}");
    }

    private static Command HaarKernel(CliContext context)
    {
        var qubits = Count("--qubits", "Number of qubits n (1..8).", 3);
        var layers = Count("--layers", "Number of trainable layers p.", 16);
        var circuits = Count("--circuits", "Number of Haar-random circuits (≥ 2).", 2000);
        var overlap = new Option<double>("--overlap") { Description = "Overlap F = |⟨ψ1|ψ2⟩|² of the two input states, in [0, 1].", DefaultValueFactory = _ => 0.0 };
        var gamma = Positive("--gamma", "γ in M0 = γ·Z0.", 1.0);
        var threads = CommonOptions.Threads();
        var seed = CommonOptions.Seed("the Haar circuits and the input states");
        var json = CommonOptions.Json();
        var command = new Command("haar-kernel", "Monte-Carlo mean and standard error of K_ii and K_ij at initialisation over Haar-random circuits, against E[K_ij] = pγ²·2d²(dF − 1)/(d² − 1)².")
        {
            qubits, layers, circuits, overlap, gamma, threads, seed, json,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(qubits), c = parse.GetValue(circuits);
            if (n > 8) throw new CliUsageException($"--qubits {n} is out of range; allowed: 1..8.");
            if (c < 2) throw new CliUsageException($"--circuits {c} is out of range; allowed: at least 2.");
            double f = parse.GetValue(overlap);
            if (!(f >= 0 && f <= 1)) throw new CliUsageException($"--overlap {f.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: [0, 1].");
            double g = CheckGamma(parse.GetValue(gamma));
            var e = CliProgress.Run(context, "circuits", progress => HaarKernelStatistics.Estimate(n, parse.GetValue(layers), c, f, g, parse.GetValue(seed),
                maxThreads: parse.ThreadCount(threads), progress: new SyncProgress<int>(done => progress.Report(done / (double)c)), cancellationToken: context.CancellationToken));
            if (parse.GetValue(json))
                JsonOutput.Write(context.Out, "experiment.haar_kernel", w =>
                {
                    w.WriteNumber("qubits", n);
                    w.WriteNumber("layers", e.Layers);
                    w.WriteNumber("circuits", e.Circuits);
                    JsonOutput.WriteNumber(w, "overlap", e.Overlap);
                    JsonOutput.WriteNumber(w, "gamma", e.Gamma);
                    Estimate(w, "k_ii", e.Diagonal);
                    Estimate(w, "k_ij", e.OffDiagonal);
                    Estimate(w, "output_mean", e.Output);
                    Estimate(w, "output_variance", e.OutputVariance);
                });
            else
            {
                var table = HumanOutput.Table("quantity", "mean", "standard error", "formula", "σ from formula", "relative error").NumberColumns(1, 2, 3, 4, 5);
                foreach (var (name, est) in new[] { ("K_ii", e.Diagonal), ("K_ij", e.OffDiagonal), ("ŷ", e.Output), ("Var ŷ", e.OutputVariance) })
                    table.Row(name, TrainCommand.G(est.Mean), TrainCommand.G(est.StandardError), TrainCommand.G(est.Predicted), TrainCommand.G(est.Sigmas),
                        est.Predicted == 0 ? "" : TrainCommand.G(est.RelativeError));
                context.Out.WriteLine($"d = {e.Dimension}, p = {e.Layers}, {e.Circuits} circuits, F = {TrainCommand.G(e.Overlap)}, γ = {TrainCommand.G(e.Gamma)}");
                HumanOutput.Stdout(context).Write(table);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Estimate(Utf8JsonWriter w, string key, MonteCarloEstimate e)
    {
        w.WriteStartObject(key);
        JsonOutput.WriteNumber(w, "mean", e.Mean);
        JsonOutput.WriteNumber(w, "standard_error", e.StandardError);
        JsonOutput.WriteNumber(w, "predicted", e.Predicted);
        JsonOutput.WriteNumber(w, "sigmas", e.Sigmas);
        w.WriteEndObject();
    }
}
