using QnnSim.Analysis;

namespace QnnSim.Tests.Report;

/// <summary>
/// The code of docs/tutorial.md, step by step (keep the two in sync: each block below is a snippet of the tutorial),
/// with assertions on what the tutorial says the reader will see.
/// </summary>
[TestFixture]
public class TutorialTests
{
    [Test]
    public void Tutorial_FromCircuitToVerdict_RunsAndShowsSublinearConvergence()
    {
        // --- snippet 1: the model and the data
        const int qubits = 3, layers = 256;
        var model = PaperModel.CreateRandom(qubits, layers, seed: 1, gamma: 1.0);   // W_l Haar, H = Z_0, M0 = Z_0
        var data = Dataset.OrthonormalStates(qubits, count: 2, seed: 2);            // labels +1, −1
        double[] theta0 = InitialParameters.Uniform(layers, seed: 3);
        var engine = model.CreateEngine(data.States!);

        // --- snippet 2: the tangent kernel at initialisation
        var outputs = new double[data.Count];
        var jacobian = new double[data.Count * layers];
        engine.Evaluate(theta0, outputs, jacobian);
        var k0 = TangentKernel.FromJacobian(jacobian, data.Count, layers);
        Console.WriteLine($"tr K(0) = {k0.Trace:F2}, eigenvalues = [{string.Join(", ", k0.Eigenvalues.Select(l => l.ToString("F2")))}]");
        Console.WriteLine($"critical learning rate 2/λ_max = {k0.CriticalLearningRate:G3}");
        Console.WriteLine($"Haar mean of K_ii = {TheoryFormulas.HaarMeanKernelDiagonal(model.Dimension, layers, 1.0):F2}");

        // --- snippet 3: the same kernel through the general circuit simulator
        var circuitModel = new QnnModel(model.ToCircuit(), model.Observable);
        var k0Circuit = circuitModel.Kernel(theta0, data);
        Console.WriteLine($"max |K_engine − K_circuit| = {Enumerable.Range(0, 4).Max(i => Math.Abs(k0[i / 2, i % 2] - k0Circuit[i / 2, i % 2])):E1}");

        // --- snippet 4: training
        var options = TrainingOptions.Rescaled(eta0: 0.25, parameters: layers, steps: 4000) with { Record = RecordSchedule.Logarithmic(20) };
        TrainingRun run = GradientDescent.Train(engine, data.LabelArray(), theta0, options);
        var last = run.Records[^1];
        Console.WriteLine($"s = {last.Time}, ‖r‖ = {last.ResidualNorm:E3}, tr K(s)/tr K(0) = {run.KernelDeviations()[^1].TraceRatio:F4}");

        // --- snippet 5: the two predictions
        var frozen = new FrozenKernelPrediction(k0, run.Records[0].Residuals, run.LearningRate);
        double frozenNorm = Math.Sqrt(frozen.Discrete(last.Step).Sum(r => r * r));
        var ode = new AsymptoticDynamics(engine.HeisenbergReadout(theta0), data.States!, data.LabelArray(), model.GeneratorConstant);
        var odePoints = ode.Integrate(run.Times, maxStep: 0.25);
        Console.WriteLine($"frozen kernel: ‖r‖ = {frozenNorm:E1}; asymptotic dynamics: ‖r‖ = {odePoints[^1].ResidualNorm:E3}");

        // --- snippet 6: the verdict
        var fit = ConvergenceAnalysis.LogLogSlope(run.Times, run.ResidualNorms, 100, 1000);
        double limit = TheoryFormulas.SublinearLimitSamples(model.GeneratorConstant, data.Count);
        var diagnosis = ConvergenceAnalysis.Diagnose(run.Times, run.ResidualNorms);
        Console.WriteLine($"slope {fit.Slope:F3} (theory −1), s‖r‖ = {last.Time * last.ResidualNorm:F3} (theory → {limit:F3}), {diagnosis.Kind}");
        bool sublinear = fit.Slope is >= -1.05 and <= -0.95;

        // Assertions on what the tutorial promises.
        Assert.That(k0Circuit.Size, Is.EqualTo(2));
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                Assert.That(k0Circuit[i, j], Is.EqualTo(k0[i, j]).Within(1e-9 * k0.Trace));
        Assert.That(k0.CriticalLearningRate, Is.EqualTo(2 / k0.MaxEigenvalue));
        Assert.That(last.Time, Is.EqualTo(1000).Within(1e-9));
        Assert.That(run.KernelDeviations()[^1].TraceRatio, Is.LessThan(0.01));
        Assert.That(frozenNorm, Is.LessThan(1e-6 * last.ResidualNorm));
        Assert.That(Math.Abs(odePoints[^1].ResidualNorm / last.ResidualNorm - 1), Is.LessThan(0.2));
        Assert.That(sublinear, Is.True, $"slope {fit.Slope}");
        Assert.That(diagnosis.Kind, Is.EqualTo(ConvergenceKind.Sublinear));
        Assert.That(Math.Abs(last.Time * last.ResidualNorm / limit - 1), Is.LessThan(0.3));
    }
}
