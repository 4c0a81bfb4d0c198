using System.Runtime.CompilerServices;
using QnnSim.Analysis;
using QnnSim.Observables;

namespace QnnSim.Tests.Report;

/// <summary>
/// The code of docs/tutorial.md, part two (keep the two in sync: each block below is a snippet of the tutorial), with
/// assertions on what the tutorial says the reader will see.
/// </summary>
[TestFixture]
public class TutorialPartTwoTests
{
    [Test]
    public void TutorialPartTwo_TwoMoonsClassifier_TrainsAndAnalyses()
    {
        // --- snippet 7: the classifier and the data
        var circuit = CircuitFamilies.DataReuploading(qubits: 2, layers: 3);      // Ry(x) encoding, Ry·Rz, CZ; p = 12
        var moons = ToyDatasets.TwoMoons(120, noise: 0.1, seed: 1);              // labels ±1, inputs (x0, x1)
        var (train, test) = moons.Split(testFraction: 0.25, seed: 2);            // 90 training, 30 test samples
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        double[] theta0 = InitialParameters.Uniform(circuit.ParameterCount, seed: 3);

        // --- snippet 8: training
        var options = new TrainerOptions
        {
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.1 },
            Loss = LossKind.Logistic, LogitScale = 3, Epochs = 30, BatchSize = 16, Seed = 4, RecordEvery = 5, RecordParameters = true,
        };
        FitResult fit = Trainer.Fit(model, train, theta0, options, test);
        var last = fit.Records[^1];
        Console.WriteLine($"epoch {last.Epoch}: train accuracy {last.TrainAccuracy:F3}, test accuracy {last.TestAccuracy:F3}, test loss {last.TestLoss:F3}");
        string saved = ParameterFile.ToJson(circuit.ParameterNames, fit.FinalParameters, fit.Checkpoint);   // or ParameterFile.Save(path, …)

        // --- snippet 9: the linearised model and the path kernel
        var gaps = LinearizedTraining.Compare(model, train, theta0, options, test);
        Console.WriteLine($"linearised model: test accuracy {gaps[^1].Linearized.TestAccuracy:F3}, output gap {gaps[^1].TrainGap:F3} (rms)");
        var trajectory = fit.Records.Select(r => r.Parameters!).ToList();
        var path = PathKernel.FromTrajectory(model.BindBatches(train), trajectory, model.BindBatches(test));
        double[] scores = path.Predict(train.Labels, ridge: 1e-2);
        double pathAccuracy = scores.Zip(test.Labels, (s, y) => Math.Sign(s) == y ? 1.0 : 0.0).Average();
        Console.WriteLine($"path kernel over {path.TrajectoryLength} points: test accuracy {pathAccuracy:F3}");

        // --- snippet 10: barren plateaus
        var scan = BarrenPlateauScan.Run(CircuitFamilies.HardwareEfficient, qubits: [2, 3, 4], layers: [10],
            BarrenPlateauScan.GlobalObservable, samples: 100, InitializationRule.Uniform(), seed: 5);
        foreach (var p in scan.Points) Console.WriteLine($"n = {p.Qubits}: Var = {p.Variance:E2} ± {p.VarianceStandardError:E1} (Haar {p.Statistics.HaarVariance:E2})");
        Console.WriteLine($"decay rate b = {scan.QubitFit!.Rate:F2} ± {scan.QubitFit.RateStandardError:F2} per qubit");

        // --- snippet 11: overparameterisation
        var over = OverparameterizationScan.Run(CircuitFamilies.HardwareEfficient, qubits: 2, layers: [1, 2, 3, 4], PauliSum.Parse("Z0"),
            Dataset.FromInputs([[]], [1.0]), draws: 2, seed: 6);
        Console.WriteLine($"QFIM ranks {string.Join(", ", over.Points.Select(p => $"{p.QfimRank} (p = {p.Parameters})"))}");
        Console.WriteLine($"saturated from p = {over.QfimSaturation}; orbit dimension {over.OrbitDimension}, DLA dimension {over.DlaDimension}");

        // Assertions on what the tutorial promises.
        Assert.That(train.Count, Is.EqualTo(90));
        Assert.That(circuit.ParameterCount, Is.EqualTo(12));
        Assert.That(last.TestAccuracy, Is.GreaterThanOrEqualTo(0.8));
        Assert.That(last.TrainLoss, Is.LessThan(fit.Records[0].TrainLoss));
        Assert.That(ParameterFile.Parse(saved, "p.json", circuit.ParameterNames).Parameters, Is.EqualTo(fit.FinalParameters));
        Assert.That(gaps[0].TrainGap, Is.EqualTo(0).Within(1e-12));
        Assert.That(gaps[^1].TrainGap, Is.GreaterThan(0));
        Assert.That(pathAccuracy, Is.GreaterThanOrEqualTo(0.7));
        Assert.That(scan.QubitFit.Rate, Is.GreaterThan(0.4));
        Assert.That(over.Points.Select(p => p.QfimRank), Is.EqualTo(new[] { 4.0, 6.0, 6.0, 6.0 }));
        Assert.That(over.QfimSaturation, Is.EqualTo(8));
        Assert.That(over.OrbitDimension, Is.EqualTo(6));
        Assert.That(over.DlaDimension, Is.EqualTo(15));
    }

    /// <summary>Every line of the C# snippets of part two is a line of this file (so the tutorial runs as written).</summary>
    [Test]
    public void Snippets_AreTheTestsCode()
    {
        string source = ThisFile();
        string docs = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "docs", "tutorial.md"));
        string text = File.ReadAllText(docs);
        string partTwo = text[text.IndexOf("# Part two", StringComparison.Ordinal)..];
        var code = File.ReadAllLines(source).Select(l => l.Trim()).ToHashSet();
        var snippets = partTwo.Split("```csharp").Skip(1).Select(b => b[..b.IndexOf("```", StringComparison.Ordinal)]).ToArray();
        Assert.That(snippets, Has.Length.GreaterThanOrEqualTo(6));
        foreach (var line in snippets.SelectMany(b => b.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal)))
            Assert.That(code, Does.Contain(line), "a tutorial line that the test does not run");
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
