using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Interop;
using QnnSim.Observables;

namespace QnnSim.Tests.Analysis.Toolkit;

/// <summary>Optimisers, losses, minibatch training, resumption, divergence and the toy datasets (issue 14, issue 15 item 6).</summary>
[TestFixture]
public class TrainingTests
{
    internal static string ReuploadingPath => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits", "data_reuploading.qasm");

    internal static Circuit Reuploading => CircuitFiles.Load(ReuploadingPath);

    [Test]
    public void Adam_TwoSteps_MatchHandComputedValues()
    {
        // t = 1: m = 0.05, v = 2.5e-4, m̂ = 0.5, v̂ = 0.25, θ = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.900000002.
        // t = 2: m = 0.025, v = 2.8975e-4, m̂ = 0.025/0.19, v̂ = 2.8975e-4/0.001999, θ = 0.8654394181165108.
        var adam = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.1 }.Create(1);
        double[] theta = [1.0];
        adam.Step(theta, [0.5]);
        Assert.That(theta[0], Is.EqualTo(0.900000002).Within(ToolkitTolerances.Exact));
        adam.Step(theta, [-0.2]);
        Assert.That(theta[0], Is.EqualTo(0.8654394181165108).Within(ToolkitTolerances.Exact));
        Assert.That(adam.StepCount, Is.EqualTo(2));
    }

    [Test]
    public void Momentum_TwoSteps_MatchHandComputedValues()
    {
        // v1 = 1, θ1 = 2 − 0.5·1 = 1.5; v2 = 0.9·1 + 2 = 2.9, θ2 = 1.5 − 0.5·2.9 = 0.05.
        var momentum = new OptimizerSettings { Kind = OptimizerKind.Momentum, LearningRate = 0.5, Momentum = 0.9 }.Create(1);
        double[] theta = [2.0];
        momentum.Step(theta, [1.0]);
        momentum.Step(theta, [2.0]);
        Assert.That(theta[0], Is.EqualTo(0.05).Within(ToolkitTolerances.Exact));
    }

    private static IEnumerable<TestCaseData> LossCases()
    {
        yield return new TestCaseData(LossKind.SquaredError, new[] { 0.3 }, 1.0);
        yield return new TestCaseData(LossKind.Logistic, new[] { 0.3 }, -1.0);
        yield return new TestCaseData(LossKind.CrossEntropy, new[] { -0.4 }, 1.0);
        yield return new TestCaseData(LossKind.Hinge, new[] { 0.3 }, 1.0);
        yield return new TestCaseData(LossKind.CrossEntropy, new[] { 0.2, -0.5, 0.7 }, 1.0);
        yield return new TestCaseData(LossKind.SquaredError, new[] { 0.2, -0.5, 0.7 }, 2.0);
        yield return new TestCaseData(LossKind.Hinge, new[] { 0.2, -0.5, 0.7 }, 0.0);
    }

    [TestCaseSource(nameof(LossCases))]
    public void LossGradient_MatchesCentralDifferences(LossKind loss, double[] f, double label)
    {
        const double h = 1e-5, beta = 1.7;
        var grad = new double[f.Length];
        Losses.Value(loss, f, label, beta, grad);
        for (int o = 0; o < f.Length; o++)
        {
            var plus = (double[])f.Clone();
            var minus = (double[])f.Clone();
            plus[o] += h;
            minus[o] -= h;
            double fd = (Losses.Value(loss, plus, label, beta, default) - Losses.Value(loss, minus, label, beta, default)) / (2 * h);
            Assert.That(grad[o], Is.EqualTo(fd).Within(ToolkitTolerances.FiniteDifference), $"output {o}");
        }
    }

    [Test]
    public void LossValues_MatchClosedForms()
    {
        Assert.That(Losses.Value(LossKind.Logistic, [0.5], -1, 2, default), Is.EqualTo(Math.Log(1 + Math.Exp(1.0))).Within(ToolkitTolerances.Exact));
        Assert.That(Losses.Value(LossKind.CrossEntropy, [0.5], 1, 2, default), Is.EqualTo(-Math.Log(1 / (1 + Math.Exp(-1.0)))).Within(ToolkitTolerances.Exact));
        double z = Math.Exp(0.2) + Math.Exp(-0.5) + Math.Exp(0.7);
        Assert.That(Losses.Value(LossKind.CrossEntropy, [0.2, -0.5, 0.7], 1, 1, default), Is.EqualTo(-Math.Log(Math.Exp(-0.5) / z)).Within(ToolkitTolerances.Exact));
        Assert.That(Losses.Value(LossKind.Hinge, [0.3], -1, 1, default), Is.EqualTo(1.3).Within(ToolkitTolerances.Exact));
        Assert.That(Losses.Predict(LossKind.CrossEntropy, [0.2, -0.5, 0.7]), Is.EqualTo(2));
        Assert.Throws<ArgumentException>(() => Losses.ValidateLabels(LossKind.Logistic, 1, [1, 0]));
        Assert.Throws<ArgumentException>(() => Losses.ValidateLabels(LossKind.CrossEntropy, 3, [0, 3]));
    }

    [Test]
    public void BatchEvaluator_MultipleReadouts_MatchDifferentiatorJacobian()
    {
        var circuit = Reuploading;
        PauliSum[] readouts = [PauliSum.Parse("Z0"), PauliSum.Parse("Z1"), PauliSum.Parse("0.5*X0 X1")];
        var data = ToyDatasets.TwoMoons(7, 0.1, seed: 4);
        var model = new QnnModel(circuit, readouts);
        var theta = InitialParameters.Uniform(circuit.ParameterCount, 5);
        int[] samples = [6, 0, 3];
        int k = 3, p = circuit.ParameterCount;
        var outputs = new double[samples.Length * k];
        var jac = new double[samples.Length * k * p];
        model.BindBatches(data).Evaluate(theta, samples, outputs, jac);
        var d = new Differentiator();
        for (int i = 0; i < samples.Length; i++)
            for (int o = 0; o < k; o++)
            {
                var g = new double[p];
                double v = d.ValueAndGradient(circuit, new ParameterValues(theta), data.Inputs![samples[i]], readouts[o], g);
                Assert.That(outputs[i * k + o], Is.EqualTo(v).Within(ToolkitTolerances.Circuit));
                for (int l = 0; l < p; l++) Assert.That(jac[(i * k + o) * p + l], Is.EqualTo(g[l]).Within(ToolkitTolerances.Circuit));
            }
        var predicted = model.Predict(theta, data);
        Assert.That(predicted[6 * k + 2], Is.EqualTo(outputs[2]).Within(ToolkitTolerances.Exact));
    }

    [Test]
    public void Trainer_FullBatchGdMse_EqualsGradientDescentWithRescaledRate()
    {
        // The trainer minimises the mean loss, GradientDescent the sum: η_trainer = m·η_gd gives the same iterates.
        var circuit = Reuploading;
        var data = ToyDatasets.TwoMoons(6, 0.1, seed: 1);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        var theta0 = InitialParameters.Uniform(circuit.ParameterCount, 2);
        var gd = GradientDescent.Train(model.Bind(data), data.LabelArray(), theta0, new TrainingOptions { LearningRate = 0.05, Steps = 15, RecordKernel = false });
        var fit = Trainer.Fit(model, data, theta0, new TrainerOptions { Optimizer = new OptimizerSettings { LearningRate = 0.05 * data.Count }, Epochs = 15 });
        Assert.That(fit.StopReason, Is.EqualTo(StopReason.Completed));
        Assert.That(fit.Checkpoint.Step, Is.EqualTo(15));
        for (int l = 0; l < theta0.Length; l++) Assert.That(fit.FinalParameters[l], Is.EqualTo(gd.FinalParameters[l]).Within(ToolkitTolerances.Exact));
        Assert.That(fit.Records[^1].TrainLoss * data.Count, Is.EqualTo(gd.Records[^1].Loss).Within(ToolkitTolerances.Exact));
        Assert.That(fit.Records[^1].TrainAccuracy, Is.Null, "squared error on one output is regression: no accuracy");
    }

    [Test]
    public void Trainer_AdamMinibatchOnTwoMoons_LearnsAndResumesBitForBit()
    {
        var circuit = Reuploading;
        var (train, test) = ToyDatasets.TwoMoons(60, 0.1, seed: 7).Split(0.25, seed: 8);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        var theta0 = InitialParameters.Uniform(circuit.ParameterCount, 9);
        var options = new TrainerOptions
        {
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.1 },
            Epochs = 16, BatchSize = 8, Loss = LossKind.Logistic, Seed = 11,
        };
        var full = Trainer.Fit(model, train, theta0, options, test);
        Assert.That(full.Records[^1].TestAccuracy, Is.GreaterThanOrEqualTo(0.8), "two moons are learnable by the 2-qubit re-uploading classifier");
        Assert.That(full.Records[^1].TrainLoss, Is.LessThan(full.Records[0].TrainLoss));

        var half = Trainer.Fit(model, train, theta0, options with { Epochs = 7 }, test);
        string json = ParameterFile.ToJson(circuit.ParameterNames, half.Checkpoint.Parameters, half.Checkpoint);
        var (theta, checkpoint) = ParameterFile.Parse(json, "p.json", circuit.ParameterNames);
        Assert.That(checkpoint, Is.Not.Null);
        var resumed = Trainer.Fit(model, train, theta, options, test, checkpoint);
        Assert.That(resumed.FinalParameters, Is.EqualTo(full.FinalParameters), "a resumed run continues bit for bit");
        Assert.That(resumed.Checkpoint.Step, Is.EqualTo(full.Checkpoint.Step));
    }

    [Test]
    public void Trainer_IsBitIdenticalForOneAndTwoThreads()
    {
        var circuit = Reuploading;
        var data = ToyDatasets.TwoMoons(20, 0.1, seed: 2);
        var options = new TrainerOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.05 }, Epochs = 3, BatchSize = 6, Loss = LossKind.Hinge, Seed = 1 };
        var theta0 = InitialParameters.Uniform(circuit.ParameterCount, 3);
        FitResult Run(int threads) => Trainer.Fit(new QnnModel(circuit, [PauliSum.Parse("Z0")], GradientOptions.Default with { MaxDegreeOfParallelism = threads }),
            data, theta0, options);
        var one = Run(1);
        var two = Run(2);
        Assert.That(two.FinalParameters, Is.EqualTo(one.FinalParameters));
        Assert.That(two.Records.Select(r => r.TrainLoss), Is.EqualTo(one.Records.Select(r => r.TrainLoss)));
    }

    [Test]
    public void Trainer_MultiClassCrossEntropy_ReachesTrainingAccuracy()
    {
        // Three classes on parity-like data: one readout per class, softmax cross-entropy.
        var circuit = Reuploading;
        var moons = ToyDatasets.TwoMoons(24, 0.05, seed: 3).MapLabels(y => y > 0 ? 1 : 0);
        var model = new QnnModel(circuit, [PauliSum.Parse("Z0"), PauliSum.Parse("Z1")]);
        var fit = Trainer.Fit(model, moons, InitialParameters.Uniform(circuit.ParameterCount, 4),
            new TrainerOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.1 }, Epochs = 40, Loss = LossKind.CrossEntropy, LogitScale = 3 });
        Assert.That(fit.Records[^1].TrainAccuracy, Is.GreaterThanOrEqualTo(0.8));
        Assert.That(fit.Records[^1].TrainLoss, Is.LessThan(fit.Records[0].TrainLoss));
    }

    [Test]
    public void Trainer_HugeLearningRate_DivergesKeepingRecordsAndFiniteParameters()
    {
        var circuit = Reuploading;
        var data = ToyDatasets.TwoMoons(6, 0.1, seed: 1);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        // Adam moves each θ_l by about η per update: the second update of 1e308 overflows.
        var fit = Trainer.Fit(model, data, InitialParameters.Uniform(circuit.ParameterCount, 2),
            new TrainerOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 1e308 }, Epochs = 10 });
        Assert.That(fit.StopReason, Is.EqualTo(StopReason.Diverged));
        Assert.That(fit.DivergedAtStep, Is.Not.Null);
        Assert.That(fit.DivergenceMessage, Does.Contain("update " + fit.DivergedAtStep));
        Assert.That(fit.Records, Is.Not.Empty);
        Assert.That(fit.FinalParameters.All(double.IsFinite), Is.True);

        var run = GradientDescent.Train(model.Bind(data), data.LabelArray(), InitialParameters.Uniform(circuit.ParameterCount, 2),
            new TrainingOptions { LearningRate = 1e308, Steps = 10, Record = RecordSchedule.Every(1) });
        Assert.That(run.Diverged, Is.True);
        Assert.That(run.DivergedAtStep, Is.Not.Null);
        Assert.That(run.DivergenceReason, Does.Contain("step " + run.DivergedAtStep));
        Assert.That(run.Records, Has.Count.EqualTo(run.StepsCompleted + 1));
        Assert.That(run.FinalParameters.All(double.IsFinite), Is.True);
    }

    [Test]
    public void Trainer_EarlyStoppingAndCallback_StopTheRun()
    {
        var circuit = Reuploading;
        var data = ToyDatasets.TwoMoons(8, 0.1, seed: 1);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        var theta0 = InitialParameters.Uniform(circuit.ParameterCount, 2);
        // A rate so large the loss cannot keep improving: early stopping fires and restores the best record's θ.
        var stopped = Trainer.Fit(model, data, theta0, new TrainerOptions
        {
            Optimizer = new OptimizerSettings { LearningRate = 40 }, Epochs = 200, EarlyStopping = new EarlyStopping(3), RecordParameters = true,
        });
        Assert.That(stopped.StopReason, Is.EqualTo(StopReason.EarlyStopped));
        Assert.That(stopped.FinalParameters, Is.EqualTo(stopped.Records[stopped.BestRecord].Parameters));
        Assert.That(stopped.Records.Min(r => r.TrainLoss), Is.EqualTo(stopped.Records[stopped.BestRecord].TrainLoss));

        var seen = new List<long>();
        var called = Trainer.Fit(model, data, theta0, new TrainerOptions
        {
            Optimizer = new OptimizerSettings { LearningRate = 0.1 }, Epochs = 50, CallbackEvery = 2,
            Callback = s => { seen.Add(s.Step); return s.Step < 6; },
        });
        Assert.That(seen, Is.EqualTo(new long[] { 2, 4, 6 }));
        Assert.That(called.StopReason, Is.EqualTo(StopReason.Callback));
        Assert.That(called.Checkpoint.Step, Is.EqualTo(6));
    }

    [Test]
    public void Trainer_Cancelled_KeepsRecordsAndSaysSo()
    {
        var circuit = Reuploading;
        var data = ToyDatasets.TwoMoons(6, 0.1, seed: 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var fit = Trainer.Fit(new QnnModel(circuit, PauliSum.Parse("Z0")), data, new double[circuit.ParameterCount],
            new TrainerOptions { Optimizer = new OptimizerSettings { LearningRate = 0.1 }, Epochs = 5 }, cancellationToken: cts.Token);
        Assert.That(fit.StopReason, Is.EqualTo(StopReason.Cancelled));
        Assert.That(fit.Records, Has.Count.EqualTo(1));
    }

    [Test]
    public void ToyDatasets_AreSeededAndLabelledAsDocumented()
    {
        var a = ToyDatasets.TwoMoons(51, 0.1, seed: 3);
        var b = ToyDatasets.TwoMoons(51, 0.1, seed: 3);
        Assert.That(a.ToCsv(), Is.EqualTo(b.ToCsv()));
        Assert.That(a.ToCsv(), Is.Not.EqualTo(ToyDatasets.TwoMoons(51, 0.1, seed: 4).ToCsv()));
        Assert.That(a.Labels.Count(y => y == 1), Is.EqualTo(26));
        // Without noise every moon point lies on its circle.
        var clean = ToyDatasets.TwoMoons(20, 0, seed: 1);
        for (int i = 0; i < clean.Count; i++)
        {
            var x = clean.Inputs![i].Span;
            double r = clean.Labels[i] > 0 ? Math.Sqrt(x[0] * x[0] + x[1] * x[1]) : Math.Sqrt((x[0] - 1) * (x[0] - 1) + (x[1] - 0.5) * (x[1] - 0.5));
            Assert.That(r, Is.EqualTo(1).Within(ToolkitTolerances.Exact));
        }
        var circles = ToyDatasets.Circles(10, 0, seed: 1, factor: 0.3);
        for (int i = 0; i < circles.Count; i++)
        {
            var x = circles.Inputs![i].Span;
            Assert.That(Math.Sqrt(x[0] * x[0] + x[1] * x[1]), Is.EqualTo(circles.Labels[i] > 0 ? 0.3 : 1).Within(ToolkitTolerances.Exact));
        }
        var parity = ToyDatasets.Parity(4, seed: 2);
        Assert.That(parity.Count, Is.EqualTo(16));
        for (int i = 0; i < parity.Count; i++)
            Assert.That(parity.Labels[i], Is.EqualTo(parity.Inputs![i].Span.ToArray().Sum() % 2 == 0 ? 1 : -1));
        var xor = ToyDatasets.GaussianXor(400, 0.2, seed: 5);
        int agree = Enumerable.Range(0, xor.Count).Count(i => Math.Sign(xor.Inputs![i].Span[0] * xor.Inputs[i].Span[1]) == xor.Labels[i]);
        Assert.That(agree, Is.GreaterThan(390), "with spread 0.2 about 1.2% of points cross an axis");
        var round = Dataset.ParseCsv(a.ToCsv(), "moons.csv", a.InputNames);
        Assert.That(round.ToCsv(), Is.EqualTo(a.ToCsv()));
    }

    [Test]
    public void Split_IsSeededDisjointAndComplete()
    {
        var data = ToyDatasets.Circles(40, 0.05, seed: 1);
        var (train, test) = data.Split(0.3, seed: 2);
        Assert.That(test.Count, Is.EqualTo(12));
        Assert.That(train.Count, Is.EqualTo(28));
        var rows = train.ToCsv().Split('\n').Skip(1).Concat(test.ToCsv().Split('\n').Skip(1)).Where(l => l.Length > 0).Order();
        Assert.That(rows, Is.EqualTo(data.ToCsv().Split('\n').Skip(1).Where(l => l.Length > 0).Order()));
        Assert.That(data.Split(0.3, seed: 2).Test.ToCsv(), Is.EqualTo(test.ToCsv()));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(1.0, 1));
    }

    [Test]
    public void ParameterFile_RejectsUnknownAndMissingNames()
    {
        string[] names = ["a", "b"];
        var (values, checkpoint) = ParameterFile.Parse(ParameterFile.ToJson(names, [0.1, -2.5]), "p.json", names);
        Assert.That(values, Is.EqualTo(new[] { 0.1, -2.5 }));
        Assert.That(checkpoint, Is.Null);
        Assert.Throws<ParseException>(() => ParameterFile.Parse("{\"schema\":\"qnnsim.params/1\",\"parameters\":{\"a\":1,\"c\":2}}", "p.json", names));
        Assert.Throws<ParseException>(() => ParameterFile.Parse("{\"schema\":\"qnnsim.params/1\",\"parameters\":{\"a\":1}}", "p.json", names));
        Assert.Throws<ParseException>(() => ParameterFile.Parse("{\"schema\":", "p.json", names));
    }
}
