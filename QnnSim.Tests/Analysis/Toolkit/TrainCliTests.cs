using QnnSim.Analysis;
using QnnSim.Cli;
using QnnSim.Observables;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Analysis.Toolkit;

/// <summary>qnnsim train: the general training options (issue 14), divergence (issue 15 item 6) and Ctrl-C (item 8).</summary>
[TestFixture]
public class TrainCliTests
{
    private const string Data = "x[0],x[1],label\n0.1,0.5,1\n0.9,-0.3,-1\n-0.5,0.2,1\n";

    [Test]
    public void Train_HugeLearningRate_ReportsDivergedWithStepAndReason()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        var o = CliHarness.Run("train", TrainingTests.ReuploadingPath, "--data", data, "--observable", "Z0", "--lr", "1e308", "--steps", "10",
            "--init", "uniform", "--seed", "2", "--record", "every:1", "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var json = o.Json();
        Assert.That(json.GetProperty("diverged").GetBoolean(), Is.True);
        long at = json.GetProperty("diverged_at_step").GetInt64();
        Assert.That(json.GetProperty("divergence_reason").GetString(), Does.Contain($"step {at}"));
        Assert.That(json.GetProperty("records").GetArrayLength(), Is.GreaterThanOrEqualTo(1));
        Assert.That(json.GetProperty("final_parameters").EnumerateArray().All(v => v.ValueKind == System.Text.Json.JsonValueKind.Number), Is.True);

        var human = CliHarness.Run("train", TrainingTests.ReuploadingPath, "--data", data, "--observable", "Z0", "--lr", "1e308", "--steps", "10", "--init", "uniform", "--seed", "2");
        Assert.That(human.Code, Is.EqualTo(0), human.ToString());
        Assert.That(human.Out, Does.Contain($"diverged at step {at}"));
        Assert.That(human.Out, Does.Contain("incomplete"));
    }

    [Test]
    public void Train_Cancelled_PrintsCancelledExits130AndMarksTheTable()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        foreach (var extra in new[] { Array.Empty<string>(), ["--optimizer", "adam"] })
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            string[] args = ["train", TrainingTests.ReuploadingPath, "--data", data, "--observable", "Z0", "--lr", "0.05", "--steps", "50", .. extra];
            int code = CliApp.Run(args, stdout, stderr, cts.Token);
            Assert.That(code, Is.EqualTo(ExitCodes.Cancelled), stderr.ToString());
            Assert.That(stderr.ToString(), Does.Contain("qnnsim: cancelled."));
            Assert.That(stdout.ToString(), Does.Contain("cancelled; the run is incomplete"));
            Assert.That(stdout.ToString(), Does.Not.Contain("diagnosis:"));
        }
    }

    [Test]
    public void Train_GeneralOptions_ReportAccuraciesMatchingTheLibrary()
    {
        using var h = new CliHarness();
        string saved = Path.Combine(h.Folder, "p.json");
        var o = CliHarness.Run("train", TrainingTests.ReuploadingPath, "--toy", "moons:40:0.1", "--observable", "Z0", "--lr", "0.1", "--optimizer", "adam",
            "--batch-size", "8", "--loss", "logistic", "--test-fraction", "0.25", "--epochs", "6", "--init", "uniform", "--seed", "3", "--save-params", saved, "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var json = o.Json();
        Assert.That(json.GetProperty("mode").GetString(), Is.EqualTo("fit"));
        Assert.That(json.GetProperty("test_samples").GetInt32(), Is.EqualTo(10));

        var circuit = TrainingTests.Reuploading;
        var moons = ToyDatasets.TwoMoons(40, 0.1, 3);
        var data = Dataset.FromInputs([.. moons.Inputs!.Select(x => x.Span.ToArray())], moons.Labels, circuit.InputNames);
        var (train, test) = data.Split(0.25, 3);
        var fit = Trainer.Fit(new QnnModel(circuit, PauliSum.Parse("Z0")), train, InitialParameters.Uniform(circuit.ParameterCount, 3),
            new TrainerOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.1 }, Epochs = 6, BatchSize = 8, Loss = LossKind.Logistic, Seed = 3 }, test);
        Assert.That(json.GetProperty("train_accuracy").GetDouble(), Is.EqualTo(fit.Records[^1].TrainAccuracy));
        Assert.That(json.GetProperty("test_accuracy").GetDouble(), Is.EqualTo(fit.Records[^1].TestAccuracy));
        Assert.That(json.GetProperty("test_loss").GetDouble(), Is.EqualTo(fit.Records[^1].TestLoss!.Value).Within(ToolkitTolerances.Exact));

        // Resume to 10 epochs equals a straight 10-epoch run.
        var resumed = CliHarness.Run("train", TrainingTests.ReuploadingPath, "--toy", "moons:40:0.1", "--observable", "Z0", "--lr", "0.1", "--optimizer", "adam",
            "--batch-size", "8", "--loss", "logistic", "--test-fraction", "0.25", "--epochs", "10", "--seed", "3", "--resume", saved, "--json");
        var straight = CliHarness.Run("train", TrainingTests.ReuploadingPath, "--toy", "moons:40:0.1", "--observable", "Z0", "--lr", "0.1", "--optimizer", "adam",
            "--batch-size", "8", "--loss", "logistic", "--test-fraction", "0.25", "--epochs", "10", "--init", "uniform", "--seed", "3", "--json");
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Json().GetProperty("final_parameters").ToString(), Is.EqualTo(straight.Json().GetProperty("final_parameters").ToString()));
    }

    [Test]
    public void Train_KernelOff_OmitsKernelColumns()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        var o = CliHarness.Run("train", TrainingTests.ReuploadingPath, "--data", data, "--observable", "Z0", "--lr", "0.05", "--steps", "5", "--kernel", "off", "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var json = o.Json();
        Assert.That(json.GetProperty("kernel_recorded").GetBoolean(), Is.False);
        Assert.That(json.GetProperty("records")[0].TryGetProperty("kernel_trace_ratio", out _), Is.False);
    }

    [Test]
    public void Train_TwentyThousandSamples_KernelAutoSkipsTheRecordsAndTrains_KernelOnNamesTheMemory()
    {
        // m = 20,000: one 20,000 × 20,000 kernel record is 3.2 GB, above --kernel auto's 1 GiB, so the kernel study trains
        // without it and says so; --kernel on at m = 100,000 is refused before training, naming bytes needed and available.
        var o = CliHarness.Run("train", TrainingTests.ReuploadingPath, "--toy", "moons:20000:0.1", "--observable", "Z0", "--lr", "1e-5", "--steps", "2", "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        Assert.That(o.Err, Does.Contain("not recording the tangent kernel"));
        var json = o.Json();
        Assert.That(json.GetProperty("samples").GetInt32(), Is.EqualTo(20_000));
        Assert.That(json.GetProperty("kernel_recorded").GetBoolean(), Is.False);
        Assert.That(json.GetProperty("steps_completed").GetInt64(), Is.EqualTo(2));
        var records = json.GetProperty("records").EnumerateArray().ToArray();
        Assert.That(records[^1].GetProperty("loss").GetDouble(), Is.LessThan(records[0].GetProperty("loss").GetDouble()), "the loss falls");

        var on = CliHarness.Run("train", TrainingTests.ReuploadingPath, "--toy", "moons:100000:0.1", "--observable", "Z0", "--lr", "1e-5", "--steps", "2", "--kernel", "on");
        Assert.That(on.Code, Is.EqualTo(ExitCodes.InputError), on.ToString());
        Assert.That(on.Err, Does.Contain("--kernel on needs").And.Contain("100000 × 100000").And.Contain("is available"));
    }

    [TestCase("--optimizer", "sgd")]
    [TestCase("--loss", "l1")]
    [TestCase("--test-fraction", "1.5")]
    [TestCase("--kernel", "maybe")]
    [TestCase("--toy", "spirals:10")]
    public void Train_BadOption_IsUsageError(string option, string value)
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        string[] source = option == "--toy" ? [] : ["--data", data];
        var o = CliHarness.Run(["train", TrainingTests.ReuploadingPath, .. source, "--observable", "Z0", "--lr", "0.05", "--steps", "5", option, value]);
        Assert.That(o.Code, Is.EqualTo(ExitCodes.UsageError), o.ToString());
        Assert.That(o.Err, Does.Contain(value));
    }

    [Test]
    public void Train_LabelsThatDoNotFitTheLoss_IsInputError()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", "x[0],x[1],label\n0.1,0.5,1\n0.9,-0.3,0\n");
        var o = CliHarness.Run("train", TrainingTests.ReuploadingPath, "--data", data, "--observable", "Z0", "--lr", "0.05", "--epochs", "2", "--loss", "hinge");
        Assert.That(o.Code, Is.EqualTo(ExitCodes.InputError), o.ToString());
        Assert.That(o.Err, Does.Contain("label 1 is 0"));
    }
}
