using QnnSim.Analysis;
using QnnSim.Randomness;

namespace QnnSim.Cli.Report.Claims;

/// <summary>One seeded instance of the paper's experiment, built through the analysis layer.</summary>
/// <param name="Model">The ansatz with Haar W_l, generator Z_0 and readout γ·Z_0.</param>
/// <param name="Engine">Its dense evaluator on the dataset's states.</param>
/// <param name="Data">The dataset (pure states and labels).</param>
/// <param name="Theta0">Initial parameters, uniform on [0, 2π).</param>
internal sealed record PaperInstance(PaperModel Model, PaperModelEngine Engine, Dataset Data, double[] Theta0)
{
    public double[] Labels => Data.LabelArray();
    public int Layers => Model.LayerCount;
}

/// <summary>
/// Seeded construction of the experiments and thin wrappers over QnnSim.Analysis (training with progress and
/// cancellation, kernels at a point). Every draw comes from a seed derived from (--seed, claim, p, replicate), so a
/// result does not depend on the thread that computes it.
/// </summary>
internal static class ClaimSetup
{
    /// <summary>A distinct stream per (claim, layers, replicate).</summary>
    public static ulong Stream(int claim, int layers, int replicate) => ((ulong)(uint)claim << 40) | ((ulong)(uint)layers << 16) | (uint)replicate;

    /// <summary>Independent seeds for the model, the dataset and θ0 of one instance.</summary>
    public static (ulong Model, ulong Data, ulong Theta) Seeds(ulong seed, ulong stream)
    {
        var rng = SeededRandom.ForStream(seed, stream);
        return (rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64());
    }

    /// <summary>
    /// The paper's setting: m orthonormal Haar states (Dataset.OrthonormalStates: half +1, half −1, or the single label
    /// <paramref name="singleLabel"/> when m = 1), p Haar layers, generator Z_0, readout γ·Z_0, θ0 uniform on [0, 2π).
    /// </summary>
    public static PaperInstance Paper(int qubits, int layers, double gamma, int samples, ulong seed, ulong stream, double singleLabel = 1)
    {
        var (ms, ds, ts) = Seeds(seed, stream);
        var data = Dataset.OrthonormalStates(qubits, samples, ds);
        if (samples == 1) data = Dataset.FromStates(data.States!, [singleLabel]);
        var model = PaperModel.CreateRandom(qubits, layers, ms, gamma);
        return new PaperInstance(model, model.CreateEngine(data.States!), data, InitialParameters.Uniform(layers, ts));
    }

    /// <summary>
    /// Gradient descent through <see cref="GradientDescent.Train"/>, reporting finished steps × <paramref name="unitsPerStep"/>
    /// to the claim's progress and throwing <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public static TrainingRun Train(ClaimContext context, IModelEvaluator engine, double[] labels, double[] theta0, double eta, long steps,
        RecordSchedule schedule, double unitsPerStep, bool recordKernel = true)
    {
        long last = 0;
        var progress = new Common.SyncProgress<TrainingProgress>(p =>
        {
            long delta = p.Step - last;
            if (delta <= 0) return;
            last = p.Step;
            context.Advance((long)Math.Round(delta * unitsPerStep));
        });
        var options = new TrainingOptions { LearningRate = eta, Steps = steps, Record = schedule, RecordKernel = recordKernel };
        var run = GradientDescent.Train(engine, labels, theta0, options, progress, context.Token);
        if (run.Cancelled) throw new OperationCanceledException(context.Token);
        if (steps > last) context.Advance((long)Math.Round((steps - last) * unitsPerStep));
        return run;
    }

    /// <summary>The tangent kernel K = J Jᵀ and the outputs at θ.</summary>
    public static TangentKernel Kernel(IModelEvaluator engine, double[] theta, out double[] outputs)
    {
        int m = engine.SampleCount, p = engine.ParameterCount;
        outputs = new double[m];
        var jac = new double[m * p];
        engine.Evaluate(theta, outputs, jac);
        return TangentKernel.FromJacobian(jac, m, p);
    }

    /// <summary>The Euclidean norm.</summary>
    public static double Norm(IReadOnlyList<double> v) { double s = 0; foreach (var x in v) s += x * x; return Math.Sqrt(s); }
}
