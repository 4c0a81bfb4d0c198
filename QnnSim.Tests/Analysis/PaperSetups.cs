using QnnSim.Analysis;
using QnnSim.Observables;

namespace QnnSim.Tests.Analysis;

/// <summary>Seeded instances of the paper's model (You et al., ICML 2023) used across the analysis tests.</summary>
internal static class PaperSetups
{
    public sealed record Instance(PaperModel Model, Dataset Data, PaperModelEngine Engine, double[] Theta0, double[] Labels)
    {
        public double C => Model.GeneratorConstant;
    }

    /// <summary>Model seed S, dataset seed S + 1000, θ_0 uniform with seed S + 2000.</summary>
    public static Instance Create(int qubits, int layers, int samples, double gamma, ulong seed,
        PauliString? generator = null, PauliString? readout = null, bool finalUnitary = true, double[]? labels = null)
    {
        var model = PaperModel.CreateRandom(qubits, layers, seed, gamma, generator, readout, finalUnitary);
        var data = Dataset.OrthonormalStates(qubits, samples, seed + 1000);
        var engine = model.CreateEngine(data.States!);
        return new Instance(model, data, engine, InitialParameters.Uniform(layers, seed + 2000), labels ?? data.LabelArray());
    }

    /// <summary>Gradient descent with η = η0/p up to rescaled time sMax.</summary>
    public static TrainingRun Train(Instance x, double eta0, double sMax, RecordSchedule? record = null, bool kernels = true)
    {
        long steps = (long)Math.Round(sMax / eta0);
        var options = TrainingOptions.Rescaled(eta0, x.Model.LayerCount, steps) with { Record = record ?? RecordSchedule.Logarithmic(), RecordKernel = kernels };
        return GradientDescent.Train(x.Engine, x.Labels, x.Theta0, options);
    }

    /// <summary>The record closest to rescaled time s.</summary>
    public static TrainingRecord At(TrainingRun run, double s) => run.Records.MinBy(r => Math.Abs(r.Time - s))!;
}
