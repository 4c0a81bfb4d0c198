using QnnSim.Analysis.Sweeps;

namespace QnnSim.Tests.Sweeps;

/// <summary>The spec model: parsing, expansion into points, ids and the plan hash (QnnSim.Analysis.Sweeps).</summary>
[TestFixture]
public class SweepSpecTests
{
    private const string Grid = """
        {
          "command": "experiment convergence",
          "options": { "qubits": 2, "steps": 10 },
          "axes": { "layers": [4, 8, 16], "gamma": [1, 2] },
          "seeds": [7, 9]
        }
        """;

    private static SweepPlan PlanOf(string json) => SweepPlan.Create(SweepSpec.Parse(json, "t.json"), validator: null);

    [Test]
    public void Create_Grid_FirstAxisSlowestSeedsFastest()
    {
        var plan = PlanOf(Grid);
        Assert.That(plan.Points, Has.Count.EqualTo(3 * 2 * 2));
        string[] labels = [.. plan.Points.Select(p => p.Label)];
        Assert.That(labels[0], Is.EqualTo("layers=4 gamma=1 seed=7"));
        Assert.That(labels[1], Is.EqualTo("layers=4 gamma=1 seed=9"));
        Assert.That(labels[2], Is.EqualTo("layers=4 gamma=2 seed=7"));
        Assert.That(labels[11], Is.EqualTo("layers=16 gamma=2 seed=9"));
        Assert.That(plan.Points.Select(p => p.Index), Is.EqualTo(Enumerable.Range(0, 12)));
        Assert.That(plan.Points[5].Arguments, Is.EqualTo(new[]
            { "experiment", "convergence", "--qubits", "2", "--steps", "10", "--layers", "8", "--gamma", "1", "--seed", "9" }));
    }

    [Test]
    public void Create_Zip_PairsValuesAndCrossesSeeds()
    {
        var plan = PlanOf("""{ "command": "train", "axes": { "lr": [0.1, 0.2, 0.3], "steps": [10, 20, 30] }, "combine": "zip", "seeds": [1, 2] }""");
        Assert.That(plan.Points.Select(p => p.Label), Is.EqualTo(new[]
        {
            "lr=0.1 steps=10 seed=1", "lr=0.1 steps=10 seed=2", "lr=0.2 steps=20 seed=1",
            "lr=0.2 steps=20 seed=2", "lr=0.3 steps=30 seed=1", "lr=0.3 steps=30 seed=2",
        }));
    }

    [Test]
    public void Parse_Ranges_ExpandExactly()
    {
        var spec = SweepSpec.Parse("""
            { "command": "train",
              "axes": { "a": { "from": 1, "to": 4 }, "b": { "from": 0, "to": 1, "step": 0.25 },
                        "c": { "from": 1, "to": 100, "count": 3, "scale": "log" }, "d": { "from": 0, "to": 1, "count": 3 } } }
            """, "t.json");
        Assert.That(spec.Axes[0].Values.Select(v => v.Text), Is.EqualTo(new[] { "1", "2", "3", "4" }));
        Assert.That(spec.Axes[1].Values.Select(v => v.Text), Is.EqualTo(new[] { "0", "0.25", "0.5", "0.75", "1" }));
        Assert.That(spec.Axes[2].Values.Select(v => double.Parse(v.Text, System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(new[] { 1.0, 10.0, 100.0 }).Within(1e-12));
        Assert.That(spec.Axes[3].Values.Select(v => v.Text), Is.EqualTo(new[] { "0", "0.5", "1" }));
    }

    [Test]
    public void Parse_ValueKinds_BecomeTokens()
    {
        var plan = PlanOf("""{ "command": "jacobian", "arguments": ["c.qasm"], "options": { "--observable": ["Z0", "X1"], "flag": true, "off": false, "init": "uniform" } }""");
        Assert.That(plan.Points.Single().Arguments, Is.EqualTo(new[]
            { "jacobian", "c.qasm", "--observable", "Z0", "--observable", "X1", "--flag", "--init", "uniform" }));
    }

    [Test]
    public void PointId_DependsOnArgumentsNotPosition()
    {
        var a = PlanOf(Grid);
        var b = PlanOf(Grid.Replace("[4, 8, 16]", "[16, 4, 8]"));
        Assert.That(b.Points.Single(p => p.Label == "layers=8 gamma=2 seed=9").Id, Is.EqualTo(a.Points.Single(p => p.Label == "layers=8 gamma=2 seed=9").Id));
        Assert.That(a.Points.Select(p => p.Id).Distinct().Count(), Is.EqualTo(12));
        Assert.That(b.Hash, Is.Not.EqualTo(a.Hash), "reordering an axis moves the points, so the hash changes");
    }

    [Test]
    public void Hash_SameForReformattedSpec_DifferentForChangedPoint()
    {
        var a = PlanOf(Grid);
        var reformatted = PlanOf(Grid.Replace("\n", " ").Replace("  ", " ") .Replace("\"command\"", "\"description\": \"text\", \"command\""));
        Assert.That(reformatted.Hash, Is.EqualTo(a.Hash));
        Assert.That(PlanOf(Grid.Replace("\"steps\": 10", "\"steps\": 11")).Hash, Is.Not.EqualTo(a.Hash));
        Assert.That(a.Hash, Has.Length.EqualTo(64));
    }

    private static IEnumerable<TestCaseData> BadSpecs()
    {
        yield return new TestCaseData("""{ "command": "train", "axis": {} }""", "\"axis\": unknown key; allowed keys: schema, description, command").SetName("Parse_UnknownKey_NamesKeyAndAllowed");
        yield return new TestCaseData("""{ "axes": {} }""", "\"command\": missing").SetName("Parse_NoCommand_Throws");
        yield return new TestCaseData("""{ "command": "train", "axes": { "layers": [] } }""", "\"axes.layers\": the axis is empty; allowed: at least one value").SetName("Parse_EmptyAxis_Throws");
        yield return new TestCaseData("""{ "command": "train", "axes": { "a": [1, 2], "b": [1] }, "combine": "zip" }""", "zipped axes must have the same length; lengths: a 2, b 1").SetName("Parse_ZipLengthsDiffer_Throws");
        yield return new TestCaseData("""{ "command": "train", "combine": "cross" }""", "\"combine\": 'cross' is not allowed; allowed: \"grid\"").SetName("Parse_UnknownCombine_Throws");
        yield return new TestCaseData("""{ "command": "train", "options": { "threads": 4 } }""", "--threads is set by the sweep itself").SetName("Parse_ThreadsInSpec_Refused");
        yield return new TestCaseData("""{ "command": "train", "options": { "layers": 4 }, "axes": { "layers": [1] } }""", "option 'layers' is already fixed").SetName("Parse_OptionTwice_Throws");
        yield return new TestCaseData("""{ "command": "train", "seeds": [1, 1] }""", "a seed is repeated").SetName("Parse_RepeatedSeed_Throws");
        yield return new TestCaseData("""{ "command": "train", "seeds": [-1] }""", "'-1' is not a seed").SetName("Parse_NegativeSeed_Throws");
        yield return new TestCaseData("""{ "command": "train", "axes": { "a": { "from": 0, "to": 1.5 } } }""", "give \"step\" or \"count\"").SetName("Parse_RangeWithoutStep_Throws");
        yield return new TestCaseData("""{ "command": "train", "axes": { "a": { "from": 0, "to": 1, "step": 0 } } }""", "\"axes.a.step\": 0 is out of range; allowed: a number > 0").SetName("Parse_ZeroStep_Throws");
        yield return new TestCaseData("""{ "command": "train", "axes": { "a": [1] }, "plots": [ { "x": "b", "y": "loss" } ] }""", "\"plots[0].x\": 'b' is not an axis of this sweep; allowed: a").SetName("Parse_PlotUnknownAxis_Throws");
        yield return new TestCaseData("""[1, 2]""", "the spec must be a JSON object, not an array").SetName("Parse_NotAnObject_Throws");
        yield return new TestCaseData("""{ "command": "train", """, "not valid JSON").SetName("Parse_MalformedJson_Throws");
    }

    [TestCaseSource(nameof(BadSpecs))]
    public void Parse_BadSpec_ThrowsNamingKey(string json, string expected)
    {
        var e = Assert.Throws<SweepSpecException>(() => SweepSpec.Parse(json, "bad.json"));
        Assert.That(e!.Message, Does.StartWith("bad.json: "));
        Assert.That(e.Message, Does.Contain(expected));
    }

    [Test]
    public void Point_OutOfRange_Throws()
    {
        var plan = PlanOf(Grid);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => plan.Point(12));
        Assert.That(e!.Message, Does.Contain("point index 12 is out of range for this 12-point sweep (0..11)"));
    }

    [Test]
    public void MeanAndStandardError_MatchesHandComputation()
    {
        // values 1, 2, 6: mean 3, sample variance ((4 + 1 + 9) / 2) = 7, standard error √(7/3).
        var (mean, se) = SweepSummary.MeanAndStandardError([1.0, 2.0, 6.0]);
        Assert.That(mean, Is.EqualTo(3.0));
        Assert.That(se, Is.EqualTo(Math.Sqrt(7.0 / 3.0)).Within(1e-15));
        Assert.That(double.IsNaN(SweepSummary.MeanAndStandardError([5.0]).StandardError));
    }

    [Test]
    public void WriteAtomic_ReplacesFileAndLeavesNoTemporary()
    {
        string folder = Path.Combine(Path.GetTempPath(), "qnnsim-atomic-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(folder, "a.json");
            SweepResults.WriteAtomic(path, "old");
            SweepResults.WriteAtomic(path, "new");
            Assert.That(File.ReadAllText(path), Is.EqualTo("new"));
            Assert.That(Directory.GetFiles(folder), Is.EqualTo(new[] { path }));
        }
        finally { Directory.Delete(folder, true); }
    }
}
