using QnnSim.Analysis;
using QnnSim.Observables;

namespace QnnSim.Tests.Analysis.Toolkit;

/// <summary>The linearised model and the quantum path kernel (issue 14).</summary>
[TestFixture]
public class LinearizedTests
{
    private static (QnnModel Model, Dataset Train, Dataset Test, double[] Theta0) Setup()
    {
        var circuit = TrainingTests.Reuploading;
        var (train, test) = ToyDatasets.TwoMoons(10, 0.1, seed: 5).Split(0.3, seed: 6);
        return (new QnnModel(circuit, PauliSum.Parse("Z0")), train, test, InitialParameters.Uniform(circuit.ParameterCount, 7));
    }

    [Test]
    public void Linearized_EqualsRealModelToFirstOrder()
    {
        var (model, train, _, theta0) = Setup();
        var real = model.BindBatches(train);
        var lin = new LinearizedModel(real, theta0);
        var direction = InitialParameters.Uniform(theta0.Length, 8).Select(v => v - Math.PI).ToArray();
        int[] all = [.. Enumerable.Range(0, train.Count)];
        double Gap(double eps)
        {
            var theta = theta0.Zip(direction, (a, v) => a + eps * v).ToArray();
            var f = new double[train.Count];
            var g = new double[train.Count];
            real.Evaluate(theta, all, f, default);
            lin.Evaluate(theta, all, g, default);
            return f.Zip(g, (a, b) => Math.Abs(a - b)).Max();
        }
        Assert.That(Gap(0), Is.EqualTo(0).Within(ToolkitTolerances.Exact));
        double g1 = Gap(1e-2), g2 = Gap(5e-3);
        Assert.That(g1 / g2, Is.EqualTo(4).Within(0.2), "the gap is second order: halving ε quarters it");
    }

    [Test]
    public void LinearizedTraining_FullBatchGd_MatchesFrozenKernelClosedForm()
    {
        var (model, train, test, theta0) = Setup();
        const double eta = 0.02;   // on the summed loss; the trainer's mean loss takes η·m
        var gaps = LinearizedTraining.Compare(model, train, theta0,
            new TrainerOptions { Optimizer = new OptimizerSettings { LearningRate = eta * train.Count }, Epochs = 30, RecordEvery = 10 }, test);
        Assert.That(gaps.Select(g => g.Epoch), Is.EqualTo(new long[] { 0, 10, 20, 30 }));
        Assert.That(gaps[0].TrainGap, Is.EqualTo(0).Within(ToolkitTolerances.Exact));
        var k0 = model.Kernel(theta0, train);
        var f0 = model.Predict(theta0, train);
        var r0 = f0.Zip(train.Labels, (f, y) => f - y).ToArray();
        var frozen = new FrozenKernelPrediction(k0, r0, eta);
        var lin = new LinearizedModel(model.BindBatches(train), theta0);
        foreach (var g in gaps)
        {
            var predicted = frozen.Discrete(g.Epoch);
            var outputs = new double[train.Count];
            lin.Evaluate(g.Linearized.Parameters!, [.. Enumerable.Range(0, train.Count)], outputs, default);
            for (int i = 0; i < train.Count; i++)
                Assert.That(outputs[i] - train.Labels[i], Is.EqualTo(predicted[i]).Within(1e-10), $"epoch {g.Epoch}, sample {i}");
        }
        Assert.That(gaps[^1].TestGap, Is.Not.Null);
    }

    [Test]
    public void LinearizedClosedForm_MatchesTrainedLinearModelAndFrozenInference()
    {
        var (model, train, test, theta0) = Setup();
        var lin = new LinearizedModel(model.BindBatches(train), theta0);
        var linTest = new LinearizedModel(model.BindBatches(test), theta0);
        const double eta = 0.02;
        var fit = Trainer.Fit(new LabelledModel(lin, train.Labels), theta0,
            new TrainerOptions { Optimizer = new OptimizerSettings { LearningRate = eta * train.Count }, Epochs = 25, RecordEvery = 25, RecordParameters = true });
        var (trainOut, testOut) = lin.PredictSquaredError(train.Labels, eta, 25, continuous: false, linTest);
        var trained = new double[test.Count];
        linTest.Evaluate(fit.FinalParameters.ToArray(), [.. Enumerable.Range(0, test.Count)], trained, default);
        for (int s = 0; s < test.Count; s++) Assert.That(testOut[s], Is.EqualTo(trained[s]).Within(1e-10), $"test point {s}");
        var k = model.Kernel(theta0, train);
        var f0 = model.Predict(theta0, train);
        var r0 = f0.Zip(train.Labels, (f, y) => f - y).ToArray();
        var inference = FrozenKernelPrediction.Inference(model.CrossKernel(theta0, test, train), k, model.Predict(theta0, test), r0, eta, 25);
        for (int s = 0; s < test.Count; s++) Assert.That(testOut[s], Is.EqualTo(inference[s]).Within(1e-9));
        // Gradient flow: at t = 0 the initial outputs; many small steps approach it.
        var (flow0, _) = lin.PredictSquaredError(train.Labels, eta, 0, continuous: true);
        for (int i = 0; i < train.Count; i++) Assert.That(flow0[i], Is.EqualTo(f0[i]).Within(1e-12));
        var (flow, _) = lin.PredictSquaredError(train.Labels, eta, 5, continuous: true);
        var (steps, _) = lin.PredictSquaredError(train.Labels, eta / 1000, 5000);
        for (int i = 0; i < train.Count; i++) Assert.That(flow[i], Is.EqualTo(steps[i]).Within(1e-4));
    }

    [Test]
    public void PathKernel_IsTheTrajectoryAverageOfTangentKernels()
    {
        var (model, train, test, theta0) = Setup();
        var fit = Trainer.Fit(model, train, theta0, new TrainerOptions
        {
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.05 }, Epochs = 4, RecordParameters = true, Loss = LossKind.Logistic,
        }, test);
        var trajectory = fit.Records.Select(r => r.Parameters!).ToArray();
        var path = PathKernel.FromTrajectory(model.BindBatches(train), trajectory, model.BindBatches(test));
        Assert.That(path.TrajectoryLength, Is.EqualTo(5));
        for (int i = 0; i < train.Count; i++)
            for (int j = 0; j < train.Count; j++)
            {
                double mean = trajectory.Average(t => model.Kernel(t, train)[i, j]);
                Assert.That(path.Train[i, j], Is.EqualTo(mean).Within(1e-12));
            }
        var cross0 = model.CrossKernel(trajectory[0], test, train);
        var single = PathKernel.FromTrajectory(model.BindBatches(train), [trajectory[0]], model.BindBatches(test));
        Assert.That(single.Cross![1, 2], Is.EqualTo(cross0[1, 2]).Within(1e-12));
        // Kernel ridge regression on the training points themselves interpolates the labels (K full rank here).
        var self = PathKernel.FromTrajectory(model.BindBatches(train), trajectory, model.BindBatches(train));
        var predicted = self.Predict(train.Labels, ridge: 1e-10);
        for (int i = 0; i < train.Count; i++) Assert.That(predicted[i], Is.EqualTo(train.Labels[i]).Within(1e-4));
    }
}
