using QnnSim.Analysis;
using QnnSim.Interop;
using QnnSim.Observables;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Analysis;

/// <summary>qnnsim qntk, train and experiment against the library called directly.</summary>
[TestFixture]
public class AnalysisCliTests
{
    private static string Circuit => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits", "data_reuploading.qasm");

    private const string Data = "x[0],x[1],label\n0.1,0.5,1\n0.9,-0.3,-1\n-0.5,0.2,1\n";

    [Test]
    public void Qntk_Json_MatchesLibraryKernel()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        string kcsv = Path.Combine(h.Folder, "K.csv");
        var o = CliHarness.Run("qntk", Circuit, "--data", data, "--observable", "Z0", "--init", "uniform", "--seed", "3", "--out", kcsv, "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var json = o.Json();
        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.qntk/1"));

        var circuit = CircuitFiles.Load(Circuit);
        var dataset = Dataset.FromInputs([[0.1, 0.5], [0.9, -0.3], [-0.5, 0.2]], [1, -1, 1]);
        var k = new QnnModel(circuit, PauliSum.Parse("Z0")).Kernel(InitialParameters.Uniform(circuit.ParameterCount, 3), dataset);
        var rows = json.GetProperty("kernel").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) Assert.That(rows[i][j], Is.EqualTo(k[i, j]).Within(1e-12));
        Assert.That(json.GetProperty("critical_learning_rate").GetDouble(), Is.EqualTo(2 / k.MaxEigenvalue).Within(1e-12));
        Assert.That(File.ReadAllLines(kcsv), Has.Length.EqualTo(4));
    }

    [Test]
    public void Train_Json_MatchesLibraryRun()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        string runFile = Path.Combine(h.Folder, "run.json");
        var o = CliHarness.Run("train", Circuit, "--data", data, "--observable", "Z0", "--lr", "0.05", "--steps", "20", "--record", "every:5", "--out", runFile, "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var records = o.Json().GetProperty("records").EnumerateArray().ToArray();
        Assert.That(records.Select(r => r.GetProperty("step").GetInt64()), Is.EqualTo(new long[] { 0, 5, 10, 15, 20 }));

        var circuit = CircuitFiles.Load(Circuit);
        var dataset = Dataset.FromInputs([[0.1, 0.5], [0.9, -0.3], [-0.5, 0.2]], [1, -1, 1]);
        var run = GradientDescent.Train(new QnnModel(circuit, PauliSum.Parse("Z0")).Bind(dataset), dataset.LabelArray(), new double[circuit.ParameterCount],
            new TrainingOptions { LearningRate = 0.05, Steps = 20, Record = RecordSchedule.Every(5) });
        for (int i = 0; i < records.Length; i++)
            Assert.That(records[i].GetProperty("loss").GetDouble(), Is.EqualTo(run.Records[i].Loss).Within(1e-12));
        Assert.That(File.Exists(runFile), Is.True);
    }

    [Test]
    public void Train_BadRecordSchedule_IsUsageError()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        var o = CliHarness.Run("train", Circuit, "--data", data, "--observable", "Z0", "--lr", "0.05", "--steps", "20", "--record", "often");
        Assert.That(o.Code, Is.EqualTo(2), o.ToString());
        Assert.That(o.Err, Does.Contain("often"));
    }

    /// <summary>
    /// A huge η0 used to integrate the asymptotic dynamics for ever (η0·steps / 0.25 steps, 10^23 here, uncancellable):
    /// it is refused before training (exit 3), naming η0·steps and the allowed horizon.
    /// </summary>
    [Test]
    public void ExperimentConvergence_HugeEta0_IsRefusedBeforeTraining()
    {
        string[] common = ["experiment", "convergence", "--qubits", "2", "--layers", "4", "--samples", "2", "--gamma", "1", "--seed", "5"];
        var o = CliHarness.Run([.. common, "--eta0", "99999999999999999999", "--steps", "1000"]);
        Assert.That(o.Code, Is.EqualTo(3), o.ToString());
        Assert.That(o.Err, Does.Contain("eta0·steps = 1E+23").And.Contain("allowed: at most 1E+07"));
        Assert.That(o.Err.Trim().Split('\n'), Has.Length.EqualTo(1));
        // γ far outside the theory's regimes (the kernel grows like γ²) is refused by both experiments, before any work.
        foreach (string experiment in new[] { "convergence", "haar-kernel" })
        {
            var g = CliHarness.Run("experiment", experiment, "--gamma", "99999999999999999999");
            Assert.That(g.Code, Is.EqualTo(2), g.ToString());
            Assert.That(g.Err, Does.Contain("--gamma 1E+20 is out of range; allowed: 0 < γ ≤ 1000000"));
        }
    }

    [Test]
    public void ExperimentConvergence_Json_HasDiagnosisPredictionAndWarning()
    {
        var o = CliHarness.Run("experiment", "convergence", "--qubits", "2", "--layers", "16", "--samples", "4", "--gamma", "1", "--eta0", "0.25", "--steps", "400", "--seed", "5", "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var json = o.Json();
        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.experiment.convergence/1"));
        var records = json.GetProperty("records").EnumerateArray().ToArray();
        Assert.That(records[0].GetProperty("frozen_residual_norm").GetDouble(), Is.EqualTo(records[0].GetProperty("residual_norm").GetDouble()).Within(1e-12));
        Assert.That(records[0].GetProperty("asymptotic_residual_norm").GetDouble(), Is.EqualTo(records[0].GetProperty("residual_norm").GetDouble()).Within(1e-12));
        var prediction = json.GetProperty("prediction");
        Assert.That(prediction.GetProperty("kind").GetString(), Is.EqualTo("sublinear"));
        Assert.That(prediction.GetProperty("warnings").EnumerateArray().Any(w => w.GetString()!.Contains("m = 4 > d/2")), Is.True);
        Assert.That(json.GetProperty("diagnosis").GetProperty("kind").GetString(), Is.Not.Null);
    }

    [Test]
    public void ExperimentHaarKernel_Json_FormulaMatchesLibrary()
    {
        var o = CliHarness.Run("experiment", "haar-kernel", "--qubits", "2", "--layers", "4", "--circuits", "40", "--overlap", "0.25", "--gamma", "1.5", "--seed", "9", "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var json = o.Json();
        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.experiment.haar_kernel/1"));
        Assert.That(json.GetProperty("k_ij").GetProperty("predicted").GetDouble(), Is.EqualTo(TheoryFormulas.HaarMeanKernel(4, 4, 1.5, 0.25)).Within(1e-15));
        var e = HaarKernelStatistics.Estimate(2, 4, 40, 0.25, 1.5, 9);
        Assert.That(json.GetProperty("k_ii").GetProperty("mean").GetDouble(), Is.EqualTo(e.Diagonal.Mean).Within(1e-14));
    }
}
