using QnnSim.Analysis;

namespace QnnSim.Tests.Analysis;

[TestFixture]
public class PredictionTests
{
    private static double Norm(IEnumerable<double> v) => Math.Sqrt(v.Sum(a => a * a));

    [Test]
    public void FrozenKernel_AtTimeZero_EqualsInitialResidual()
    {
        var x = PaperSetups.Create(3, 32, 3, 1.5, 5);
        var o = new double[3];
        var j = new double[96];
        x.Engine.Evaluate(x.Theta0, o, j);
        var r0 = o.Select((v, i) => v - x.Labels[i]).ToArray();
        var f = new FrozenKernelPrediction(TangentKernel.FromJacobian(j, 3, 32), r0, 0.01);
        Assert.That(f.Discrete(0), Is.EqualTo(r0).Within(1e-14));
        Assert.That(f.Continuous(0), Is.EqualTo(r0).Within(1e-14));
    }

    [Test]
    public void FrozenKernel_AtInfinity_MatchesClosedForm()
    {
        // Positive definite K: the limit is 0. Rank-deficient K (p = 1 < m = 3): the limit keeps r0's null-space part.
        var pd = new TangentKernel(new double[,] { { 2, 0.5, 0 }, { 0.5, 1, 0.2 }, { 0, 0.2, 3 } });
        double[] r0 = [0.3, -0.7, 0.2];
        var f = new FrozenKernelPrediction(pd, r0, 0.2);
        Assert.That(f.AtInfinity(), Is.EqualTo(new double[3]).Within(1e-15));
        Assert.That(f.Discrete(5000), Is.EqualTo(f.AtInfinity()).Within(1e-12));
        Assert.That(f.Continuous(5000), Is.EqualTo(f.AtInfinity()).Within(1e-12));

        double[] g = [1, 2, -1]; // K = g gᵀ
        var k = new double[3, 3];
        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) k[a, b] = g[a] * g[b];
        var rank1 = new FrozenKernelPrediction(new TangentKernel(k), r0, 0.1);
        double gr = g.Zip(r0, (a, b) => a * b).Sum(), gg = g.Sum(a => a * a);
        var expected = r0.Select((v, i) => v - gr / gg * g[i]).ToArray(); // (I − g gᵀ/|g|²) r0
        Assert.That(rank1.AtInfinity(), Is.EqualTo(expected).Within(1e-12));
        Assert.That(rank1.Discrete(2000), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Inference_AtTrainingInputs_ReproducesFrozenResidual()
    {
        var k = new TangentKernel(new double[,] { { 2, 0.5 }, { 0.5, 1 } });
        double[] f0 = [0.4, -0.1];
        double[] y = [1, -1];
        var r0 = f0.Select((v, i) => v - y[i]).ToArray();
        var frozen = new FrozenKernelPrediction(k, r0, 0.3);
        foreach (double steps in new[] { 0.0, 1, 7, 100 })
        {
            var f = FrozenKernelPrediction.Inference(k.ToArray(), k, f0, r0, 0.3, steps);
            var r = frozen.Discrete(steps);
            for (int i = 0; i < 2; i++) Assert.That(f[i] - y[i], Is.EqualTo(r[i]).Within(1e-13), $"k = {steps}");
        }
        var inf = FrozenKernelPrediction.Inference(k.ToArray(), k, f0, r0, 0.3, double.PositiveInfinity);
        Assert.That(inf, Is.EqualTo(y).Within(1e-13));
    }

    [Test]
    public void Inference_TestInput_MatchesLinearisedModelTrainedByHand()
    {
        // Linear model f(x) = f0(x) + J(x)·δθ trained by gradient descent on the training rows reproduces the formula exactly.
        double[,] jTrain = { { 1, 0.5, -0.2 }, { 0.3, -1, 0.7 } };
        double[] jTest = [0.2, 0.4, 1.1];
        double[] f0 = [0.1, -0.3];
        double[] y = [1, -1];
        double f0Test = 0.05, eta = 0.2;
        var dtheta = new double[3];
        for (int step = 0; step < 25; step++)
        {
            var r = new double[2];
            for (int i = 0; i < 2; i++) r[i] = f0[i] - y[i] + Enumerable.Range(0, 3).Sum(l => jTrain[i, l] * dtheta[l]);
            for (int l = 0; l < 3; l++) dtheta[l] -= eta * (r[0] * jTrain[0, l] + r[1] * jTrain[1, l]);
        }
        double byHand = f0Test + Enumerable.Range(0, 3).Sum(l => jTest[l] * dtheta[l]);
        var flat = new double[6];
        Buffer.BlockCopy(jTrain, 0, flat, 0, 48);
        var k = TangentKernel.FromJacobian(flat, 2, 3);
        var cross = TangentKernel.Cross(jTest, flat, 3);
        var f = FrozenKernelPrediction.Inference(cross, k, [f0Test], f0.Select((v, i) => v - y[i]).ToArray(), eta, 25);
        Assert.That(f[0], Is.EqualTo(byHand).Within(1e-13));
    }

    [Test]
    public void LazyRegime_TrainingFollowsFrozenKernelDuringFirstSteps()
    {
        // γ = 2 and labels ±1 well inside the spectrum, p = 1024: early training is close to kernel regression.
        var x = PaperSetups.Create(3, 1024, 2, 2.0, 14);
        var run = PaperSetups.Train(x, 0.25, 2, RecordSchedule.Every(1));
        var first = run.Records[0];
        var frozen = new FrozenKernelPrediction(first.Kernel!, first.Residuals, run.LearningRate);
        double r0 = first.ResidualNorm;
        foreach (var rec in run.Records)
        {
            var pred = frozen.Discrete(rec.Step);
            double gap = Norm(rec.Residuals.Select((v, i) => v - pred[i]));
            Assert.That(gap, Is.LessThan(0.02 * r0), $"step {rec.Step}");
        }
        Assert.That(run.Records[^1].ResidualNorm, Is.LessThan(0.95 * r0), "the residual must move for the comparison to mean something");
    }

    [Test]
    public void PauliReadout_TrainingDepartsFromFrozenKernel()
    {
        // γ = 1: by s = 50 the frozen kernel predicts ~1e-5 of r0, training is still at ~1/(4cs).
        var x = PaperSetups.Create(3, 256, 1, 1.0, 15);
        var run = PaperSetups.Train(x, 0.25, 50, RecordSchedule.At([200]));
        var first = run.Records[0];
        var frozen = new FrozenKernelPrediction(first.Kernel!, first.Residuals, run.LearningRate);
        Assert.That(run.Records[^1].ResidualNorm / Norm(frozen.Discrete(200)), Is.GreaterThan(100));
    }

    [Test]
    public void Diagnose_SyntheticCurves_Classified()
    {
        var s = Enumerable.Range(0, 200).Select(i => Math.Pow(10, i / 40.0)).ToArray(); // 1 .. 1e5
        var sub = s.Select(t => 2 / t).ToArray();
        var d1 = ConvergenceAnalysis.Diagnose(s, sub);
        Assert.That(d1.Kind, Is.EqualTo(ConvergenceKind.Sublinear));
        Assert.That(d1.LogLogFit!.Value.Slope, Is.EqualTo(-1).Within(1e-10));

        var lin = Enumerable.Range(0, 400).Select(i => 0.5 * i).ToArray();
        var exp = lin.Select(t => 0.8 * Math.Exp(-0.3 * t)).ToArray();
        var d2 = ConvergenceAnalysis.Diagnose(lin, exp);
        Assert.That(d2.Kind, Is.EqualTo(ConvergenceKind.Linear));
        Assert.That(d2.Rate, Is.EqualTo(0.3).Within(1e-10));

        var stalled = s.Select(t => 0.2 + 0.1 / t).ToArray();
        Assert.That(ConvergenceAnalysis.Diagnose(s, stalled).Kind, Is.EqualTo(ConvergenceKind.Stalled));
    }

    [Test]
    public void LinearFit_StandardError_MatchesTextbook()
    {
        double[] x = [0, 1, 2, 3];
        double[] y = [1, 3, 4, 7];
        var f = LinearFit.Fit(x, y);
        Assert.That(f.Slope, Is.EqualTo(1.9).Within(1e-14));
        Assert.That(f.Intercept, Is.EqualTo(0.9).Within(1e-14));
        // RSS = 0.7, σ̂² = 0.35, Sxx = 5 → SE = √0.07.
        Assert.That(f.SlopeStandardError, Is.EqualTo(Math.Sqrt(0.07)).Within(1e-14));
    }

    [Test]
    public void RecordSchedule_ParseAndSteps()
    {
        Assert.That(RecordSchedule.Parse("every:250").Steps(1000), Is.EqualTo(new long[] { 0, 250, 500, 750, 1000 }));
        var log = RecordSchedule.Parse("log:2").Steps(100);
        Assert.That(log, Is.EqualTo(new long[] { 0, 1, 3, 10, 32, 100 }));
        var ex = Assert.Throws<ParseException>(() => RecordSchedule.Parse("sometimes"));
        Assert.That(ex!.Message, Does.Contain("sometimes"));
    }

    [Test]
    public void Train_Cancelled_KeepsRecords()
    {
        var x = PaperSetups.Create(2, 8, 2, 1, 3);
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.Step >= 10) cts.Cancel(); });
        var run = GradientDescent.Train(x.Engine, x.Labels, x.Theta0,
            new TrainingOptions { LearningRate = 0.01, Steps = 100000, Record = RecordSchedule.Every(5) }, progress, cts.Token);
        Assert.That(run.Cancelled, Is.True);
        Assert.That(run.StepsCompleted, Is.InRange(10, 20));
        Assert.That(run.Records.Count, Is.GreaterThanOrEqualTo(3));
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}

[TestFixture]
public class DatasetTests
{
    [Test]
    public void ParseCsv_ReadsColumnsByName()
    {
        var d = Dataset.ParseCsv("# comment\nlabel,b,a\n1,0.5,0.25\n-1, 2 ,3\n", "d.csv", ["a", "b"]);
        Assert.That(d.Count, Is.EqualTo(2));
        Assert.That(d.Inputs![0].Span.ToArray(), Is.EqualTo(new[] { 0.25, 0.5 }));
        Assert.That(d.Inputs![1].Span.ToArray(), Is.EqualTo(new[] { 3.0, 2.0 }));
        Assert.That(d.Labels, Is.EqualTo(new[] { 1.0, -1.0 }));
    }

    [TestCase("a,label\n1,x\n", 2, 3, "not a finite number")]
    [TestCase("a,label\n1\n", 2, 1, "fields")]
    [TestCase("a,c,label\n1,2,3\n", 1, 3, "unknown column")]
    [TestCase("a\n1\n", 1, 1, "label")]
    [TestCase("label\n1\n", 1, 1, "'a'")]
    public void ParseCsv_BadText_ThrowsWithLineAndColumn(string text, int line, int column, string fragment)
    {
        var ex = Assert.Throws<ParseException>(() => Dataset.ParseCsv(text, "d.csv", ["a"]));
        Assert.That(ex!.SourceName, Is.EqualTo("d.csv"));
        Assert.That((ex.Line, ex.Column), Is.EqualTo((line, column)));
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    [Test]
    public void InitialParameters_CsvAndUniform()
    {
        Assert.That(InitialParameters.ParseCsv("name,value\nb,2\na,1.5\n", "p.csv", ["a", "b"]), Is.EqualTo(new[] { 1.5, 2.0 }));
        var ex = Assert.Throws<ParseException>(() => InitialParameters.ParseCsv("a,1\n", "p.csv", ["a", "b"]));
        Assert.That(ex!.Message, Does.Contain("'b'"));
        var u = InitialParameters.Uniform(100, 7);
        Assert.That(u, Is.EqualTo(InitialParameters.Uniform(100, 7)));
        Assert.That(u.All(t => t >= 0 && t < 2 * Math.PI), Is.True);
    }

    [Test]
    public void OrthonormalStates_AreOrthonormalWithHalfLabels()
    {
        var d = Dataset.OrthonormalStates(3, 6, 12);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
                Assert.That(d.States![i].InnerProduct(d.States[j]).Magnitude, Is.EqualTo(i == j ? 1 : 0).Within(1e-13));
        Assert.That(d.Labels, Is.EqualTo(new[] { 1.0, 1, 1, -1, -1, -1 }));
        var pair = Dataset.StatePair(3, 0.3, 4);
        Assert.That(Math.Pow(pair.States![0].InnerProduct(pair.States[1]).Magnitude, 2), Is.EqualTo(0.3).Within(1e-13));
    }
}
