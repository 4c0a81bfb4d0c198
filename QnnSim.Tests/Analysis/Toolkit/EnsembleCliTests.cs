using QnnSim.Analysis;
using QnnSim.Cli;
using QnnSim.Observables;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Analysis.Toolkit;

/// <summary>qnnsim ensemble against the library (issue 14).</summary>
[TestFixture]
public class EnsembleCliTests
{
    [Test]
    public void EnsembleFile_Json_MatchesLibrary()
    {
        var o = CliHarness.Run("ensemble", TrainingTests.ReuploadingPath, "--observable", "Z0", "--samples", "20", "--seed", "4", "--bind", "x[0]=0.3", "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var json = o.Json();
        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.ensemble/1"));
        var stats = GradientEnsemble.Run(TrainingTests.Reuploading, PauliSum.Parse("Z0"), 20, InitializationRule.Uniform(), 4, [0.3, 0]);
        var gradient = json.GetProperty("gradient").EnumerateArray().ToArray();
        Assert.That(gradient, Has.Length.EqualTo(stats.Components.Count));
        for (int l = 0; l < gradient.Length; l++)
            Assert.That(gradient[l].GetProperty("variance").GetDouble(), Is.EqualTo(stats.Components[l].Variance));
        Assert.That(json.GetProperty("haar_variance").GetDouble(), Is.EqualTo(stats.HaarVariance));
    }

    [Test]
    public void EnsembleFamily_Json_HasPointsFitAndPlot()
    {
        using var h = new CliHarness();
        string plot = Path.Combine(h.Folder, "bp");
        var o = CliHarness.Run("ensemble", "--family", "hea", "--qubits", "2..3", "--layers", "2", "--observable", "global", "--samples", "12", "--plot", plot, "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var json = o.Json();
        Assert.That(json.GetProperty("points").GetArrayLength(), Is.EqualTo(2));
        Assert.That(json.GetProperty("qubit_fit").GetProperty("rate").GetDouble(), Is.GreaterThan(0));
        Assert.That(File.Exists(plot + ".png") && File.Exists(plot + ".svg"), Is.True);
    }

    [Test]
    public void EnsembleDqntk_Json_MatchesTheLibraryScanWithTrendAndPlot()
    {
        using var h = new CliHarness();
        string plot = Path.Combine(h.Folder, "dq");
        var o = CliHarness.Run("ensemble", "--family", "reuploading", "--qubits", "2,3", "--layers", "1,2,3", "--observable", "Z0", "--samples", "6", "--seed", "2",
            "--dqntk", "--bind", "x[0]=0.5", "--plot", plot, "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var json = o.Json();
        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.ensemble.dqntk/1"));
        Assert.That(json.GetProperty("inputs").GetProperty("x[1]").GetDouble(), Is.EqualTo(0.0), "unbound inputs are 0");
        var scans = json.GetProperty("scans").EnumerateArray().ToArray();
        Assert.That(scans.Select(s => s.GetProperty("qubits").GetInt32()), Is.EqualTo(new[] { 2, 3 }));
        var sample = Dataset.FromInputs([new[] { 0.5, 0.0 }], [0.0]);
        for (int i = 0; i < 2; i++)
        {
            var library = DqntkRatio.Scan((n, l) => CircuitFamilies.DataReuploading(n, l), 2 + i, [1, 2, 3], PauliSum.Parse("Z0"), sample, 6, seed: 2);
            var points = scans[i].GetProperty("points").EnumerateArray().ToArray();
            for (int j = 0; j < 3; j++)
            {
                Assert.That(points[j].GetProperty("relative_lambda").GetDouble(), Is.EqualTo(library.Points[j].RelativeLambda));
                Assert.That(points[j].GetProperty("lambda").GetProperty("mean").GetDouble(), Is.EqualTo(library.Points[j].Lambda.Mean));
            }
            Assert.That(scans[i].GetProperty("trend").GetProperty("plateau").GetDouble(), Is.EqualTo(library.Trend!.Plateau));
        }
        Assert.That(File.Exists(plot + ".png") && File.Exists(plot + ".svg"), Is.True);

        var human = CliHarness.Run("ensemble", "--family", "reuploading", "--qubits", "2", "--layers", "1,2", "--observable", "Z0", "--samples", "4", "--dqntk");
        Assert.That(human.Code, Is.EqualTo(0), human.ToString());
        Assert.That(human.Out, Does.Contain("r∞ = ").And.Contain("⟨|λ|⟩/⟨K⟩"));
    }

    [TestCase(new[] { "ensemble", "{circuit}", "--observable", "Z0", "--samples", "4", "--dqntk" }, "--dqntk goes with a scan")]
    [TestCase(new[] { "ensemble", "--family", "hea", "--qubits", "2", "--layers", "1", "--observable", "Z0", "--samples", "4", "--bind", "x=1" }, "--bind goes with")]
    [TestCase(new[] { "ensemble", "--family", "reuploading", "--qubits", "2", "--layers", "1", "--observable", "Z0", "--samples", "4", "--dqntk", "--bind", "y=1" }, "allowed names: x[0], x[1]")]
    public void EnsembleDqntk_Misuse_IsAClearError(string[] args, string message)
    {
        var o = CliHarness.Run([.. args.Select(a => a == "{circuit}" ? TrainingTests.ReuploadingPath : a)]);
        Assert.That(o.Code, Is.AnyOf(ExitCodes.UsageError, ExitCodes.InputError), o.ToString());
        Assert.That(o.Err, Does.Contain(message));
    }

    [Test]
    public void EnsembleFileLayers_ScansTheDepthOfAnyCircuit()
    {
        var o = CliHarness.Run("ensemble", TrainingTests.ReuploadingPath, "--layers", "1..2", "--observable", "Z0", "--samples", "8", "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var points = o.Json().GetProperty("points").EnumerateArray().ToArray();
        int p = TrainingTests.Reuploading.ParameterCount;
        Assert.That(points.Select(x => x.GetProperty("parameters").GetInt32()), Is.EqualTo(new[] { p, 2 * p }));
        var deep = CircuitFamilies.Repeated(TrainingTests.Reuploading)(2, 2);
        Assert.That(deep.ParameterNames[p], Is.EqualTo(TrainingTests.Reuploading.ParameterNames[0] + "@1"));
    }

    [Test]
    public void EnsembleFileQubits_ScansTheQubitCountOfAnyCircuitAndMatchesTheLibrary()
    {
        // A 2-qubit block tiled in a brick wall: n = 2, 3, 4 with L = 2 gives 1, 2, 3 copies of its 2 parameters.
        using var h = new CliHarness();
        string block = h.Write("block.qasm", """
            OPENQASM 3.0;
            include "stdgates.inc";
            qubit[2] q;
            input float[64] a;
            input float[64] b;
            ry(a) q[0];
            ry(b) q[1];
            cz q[0], q[1];
            """);
        var o = CliHarness.Run("ensemble", block, "--qubits", "2..4", "--layers", "2", "--observable", "local", "--samples", "16", "--seed", "3", "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var points = o.Json().GetProperty("points").EnumerateArray().ToArray();
        Assert.That(points.Select(x => x.GetProperty("qubits").GetInt32()), Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(points.Select(x => x.GetProperty("parameters").GetInt32()), Is.EqualTo(new[] { 2, 4, 6 }));
        var library = BarrenPlateauScan.Run(CircuitFamilies.Tiled(QnnSim.Interop.CircuitFiles.Load(block)), [2, 3, 4], [2], BarrenPlateauScan.LocalObservable,
            16, InitializationRule.Uniform(), 3);
        for (int i = 0; i < 3; i++)
            Assert.That(points[i].GetProperty("variance").GetDouble(), Is.EqualTo(library.Points[i].Variance).Within(ToolkitTolerances.Exact));
        var tooFew = CliHarness.Run("ensemble", block, "--qubits", "1..3", "--observable", "local", "--samples", "4");
        Assert.That(tooFew.Code, Is.EqualTo(ExitCodes.UsageError), tooFew.ToString());
        Assert.That(tooFew.Err, Does.Contain("allowed: 2..20"));
    }

    [TestCase("--samples", "1")]
    [TestCase("--init", "normal")]
    [TestCase("--qubits", "5..2")]
    public void Ensemble_BadOption_IsUsageError(string option, string value)
    {
        string[] args = ["ensemble", "--family", "hea", "--qubits", "2", "--layers", "1", "--observable", "local", "--samples", "4"];
        int at = Array.IndexOf(args, option);
        if (at >= 0) args[at + 1] = value; else args = [.. args, option, value];
        var o = CliHarness.Run(args);
        Assert.That(o.Code, Is.EqualTo(ExitCodes.UsageError), o.ToString());
        Assert.That(o.Err, Does.Contain(value));
    }
}
