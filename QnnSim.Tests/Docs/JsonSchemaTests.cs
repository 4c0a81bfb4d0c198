using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using QnnSim.Benchmarks;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Docs;

/// <summary>Validation of QnnSim's JSON outputs against the JSON Schema files in docs/schemas/ (JsonSchema.Net).</summary>
internal static class JsonSchemas
{
    private static readonly Dictionary<string, JsonSchema> Cache = [];

    /// <summary>The folder the schema files are copied to beside the test assembly.</summary>
    public static string Folder => Path.Combine(TestContext.CurrentContext.TestDirectory, "schemas");

    /// <summary>The file of a schema tag: qnnsim.run/1 → qnnsim.run.1.schema.json.</summary>
    public static string FileOf(string tag) => Path.Combine(Folder, tag.Replace('/', '.') + ".schema.json");

    /// <summary>The schema of a tag, parsed once.</summary>
    public static JsonSchema Load(string tag)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(tag, out var schema))
                Cache[tag] = schema = JsonSchema.FromText(File.ReadAllText(FileOf(tag)));
            return schema;
        }
    }

    /// <summary>The validation errors of a JSON text against the schema its "schema" key names (empty when valid).</summary>
    public static IReadOnlyList<string> Errors(string json)
    {
        var node = JsonNode.Parse(json);
        string? tag = node?["schema"]?.GetValue<string>();
        if (tag is null) return ["no \"schema\" key"];
        if (!File.Exists(FileOf(tag))) return [$"no schema file for {tag} in docs/schemas/"];
        var result = Load(tag).Evaluate(node, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        return [.. result.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))];
    }

    /// <summary>
    /// Validates every JSON file under <paramref name="folder"/> (recursively) that carries a "schema" tag, and a sweep
    /// point's "result" against the result's own tag; returns how many objects were validated. A tag without a schema
    /// file fails here: files are outputs too.
    /// </summary>
    public static int AssertFolderValid(string folder)
    {
        int validated = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories))
        {
            var node = JsonNode.Parse(File.ReadAllText(file));
            if (node?["schema"]?.GetValue<string>() is not string tag) continue;
            Assert.That(File.Exists(FileOf(tag)), Is.True, $"{file}: no schema file for {tag} in docs/schemas/");
            var errors = Errors(node.ToJsonString());
            Assert.That(errors, Is.Empty, $"{file} does not match {tag}:\n" + string.Join("\n", errors));
            validated++;
            if (node["result"]?["schema"] is not null)
            {
                var inner = node["result"]!.ToJsonString();
                Assert.That(Errors(inner), Is.Empty, $"{file}: its result does not match its schema");
                validated++;
            }
        }
        return validated;
    }

    /// <summary>
    /// Fails the test when the JSON text does not match its schema. An output whose tag has no schema file yet is not
    /// checked here (JsonSchemaTests.Tags lists the outputs that must have one).
    /// </summary>
    public static void AssertValid(string json)
    {
        string? tag = JsonNode.Parse(json)?["schema"]?.GetValue<string>();
        if (tag is not null && !File.Exists(FileOf(tag))) return;
        var errors = Errors(json);
        Assert.That(errors, Is.Empty, "JSON output does not match its schema in docs/schemas/:\n" + string.Join("\n", errors) + "\n" + json);
    }
}

/// <summary>Every JSON output against its schema, and the schemas themselves.</summary>
public sealed class JsonSchemaTests
{
    /// <summary>Every schema tag QnnSim writes (docs/schemas/README.md lists them too).</summary>
    public static readonly string[] Tags =
    [
        "qnnsim.run/1", "qnnsim.info/1", "qnnsim.grad/1", "qnnsim.jacobian/1", "qnnsim.qntk/1", "qnnsim.train/1",
        "qnnsim.experiment.convergence/1", "qnnsim.experiment.haar_kernel/1", "qnnsim.bench/1", "qnnsim.reproduce/2", "qnnsim.reproduce.provenance/1", "qnnsim.params/1",
        "qnnsim.ensemble/1", "qnnsim.ensemble.scan/1", "qnnsim.ensemble.dqntk/1", "qnnsim.reproduce-seeds/1", "qnnsim.sweep/1", "qnnsim.sweep.plan/1",
        "qnnsim.sweep.status/1", "qnnsim.sweep.results/1", "qnnsim.sweep.point/1", "qnnsim.sweep.merged/1", "qnnsim.sweep.slurm/1",
    ];

    [Test]
    public void Tags_CoverEverySchemaTagTheSourcesWrite()
    {
        // Every "qnnsim.x/1" literal and every JsonOutput.Write(…, "x") command name in the sources.
        string root = RepositoryTools.Root;
        var written = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dir in new[] { "QnnSim", "QnnSim.Analysis", "QnnSim.Cli", "QnnSim.Benchmarks.Quick" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, dir), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
                string text = File.ReadAllText(file);
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "\"(qnnsim\\.[a-z_.-]+/\\d+)\""))
                    written.Add(m.Groups[1].Value);
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "JsonOutput\\.Write(?:File)?\\([^,]+,\\s*\"([a-z_.-]+)\""))
                    written.Add($"qnnsim.{m.Groups[1].Value}/1");
            }
        Assert.That(written, Has.Count.GreaterThan(15), "the scan finds the tags");
        Assert.That(written.Except(Tags), Is.Empty, "tags written without a schema file in docs/schemas/ and a line in Tags");
        foreach (var tag in Tags) Assert.That(File.Exists(JsonSchemas.FileOf(tag)), Is.True, tag);
    }

    private static string Circuit => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits", "data_reuploading.qasm");

    private const string Data = "x[0],x[1],label\n0.1,0.5,1\n0.9,-0.3,-1\n";

    [TestCaseSource(nameof(Tags))]
    public void SchemaFile_IsAValidSchemaWithItsTag(string tag)
    {
        var schema = JsonSchemas.Load(tag);
        var root = JsonNode.Parse(File.ReadAllText(JsonSchemas.FileOf(tag)))!;
        Assert.That(root["$schema"]!.GetValue<string>(), Does.Contain("2020-12"));
        Assert.That(root["properties"]!["schema"]!["const"]!.GetValue<string>(), Is.EqualTo(tag));
        Assert.That(schema.Evaluate(JsonNode.Parse("{}")).IsValid, Is.False, "an empty object must not validate");
    }

    [Test]
    public void Validate_WrongTypeOrMissingKey_Fails()
    {
        Assert.That(JsonSchemas.Errors("""{"schema":"qnnsim.info/1","file":"a","qubits":"two","operations":1,"depth":1,"gate_counts":{},"parameters":[],"inputs":[],"measured_qubits":[],"parameter_usage":{}}"""), Is.Not.Empty);
        Assert.That(JsonSchemas.Errors("""{"schema":"qnnsim.info/1","file":"a","qubits":2}"""), Is.Not.Empty);
        Assert.That(JsonSchemas.Errors("""{"schema":"qnnsim.unknown/1"}"""), Has.One.Contains("no schema file"));
    }

    private static IEnumerable<TestCaseData> Commands()
    {
        yield return new TestCaseData("qnnsim.run/1", (string[])["run", "{bell}", "--bind", "t=0.3", "--shots", "50", "--state", "--json"]).SetName("Run");
        yield return new TestCaseData("qnnsim.info/1", (string[])["info", "{circuit}", "--json"]).SetName("Info");
        yield return new TestCaseData("qnnsim.grad/1", (string[])["grad", "{bell}", "--bind", "t=0.3", "--observable", "Z0", "--shots", "100", "--json"]).SetName("Grad");
        yield return new TestCaseData("qnnsim.jacobian/1", (string[])["jacobian", "{circuit}", "--data", "{data}", "--observable", "Z0", "--json"]).SetName("Jacobian");
        yield return new TestCaseData("qnnsim.qntk/1", (string[])["qntk", "{circuit}", "--data", "{data}", "--observable", "Z0", "--init", "uniform", "--json"]).SetName("Qntk");
        yield return new TestCaseData("qnnsim.train/1", (string[])["train", "{circuit}", "--data", "{data}", "--observable", "Z0", "--lr", "0.1", "--steps", "5", "--json"]).SetName("Train");
        yield return new TestCaseData("qnnsim.experiment.convergence/1", (string[])["experiment", "convergence", "--qubits", "2", "--layers", "4", "--samples", "2", "--steps", "50", "--json"]).SetName("ExperimentConvergence");
        yield return new TestCaseData("qnnsim.experiment.haar_kernel/1", (string[])["experiment", "haar-kernel", "--qubits", "2", "--layers", "2", "--circuits", "20", "--json"]).SetName("ExperimentHaarKernel");
        yield return new TestCaseData("qnnsim.ensemble/1", (string[])["ensemble", "{circuit}", "--observable", "Z0", "--samples", "4", "--data", "{data}", "--json"]).SetName("Ensemble");
        yield return new TestCaseData("qnnsim.ensemble.scan/1", (string[])["ensemble", "--family", "hea", "--qubits", "2..3", "--layers", "2", "--observable", "local", "--samples", "4", "--json"]).SetName("EnsembleScan");
        yield return new TestCaseData("qnnsim.ensemble.dqntk/1", (string[])["ensemble", "--family", "reuploading", "--qubits", "2", "--layers", "1,2", "--observable", "Z0", "--samples", "4", "--dqntk", "--json"]).SetName("EnsembleDqntk");
    }

    [TestCaseSource(nameof(Commands))]
    public void CommandJson_MatchesSchema(string tag, string[] args)
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        string bell = h.Write("bell.qasm", TestCircuits.BellRy);
        string[] resolved = [.. args.Select(a => a == "{circuit}" ? Circuit : a == "{data}" ? data : a == "{bell}" ? bell : a)];
        var o = CliHarness.Run(resolved);
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        using var doc = JsonDocument.Parse(o.Out);
        Assert.That(doc.RootElement.GetProperty("schema").GetString(), Is.EqualTo(tag));
        JsonSchemas.AssertValid(o.Out);
    }

    [Test]
    public void TrainOutFile_MatchesSchema()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data), run = Path.Combine(h.Folder, "run.json");
        Assert.That(CliHarness.Run("train", Circuit, "--data", data, "--observable", "Z0", "--lr", "0.1", "--steps", "3", "--out", run).Code, Is.EqualTo(0));
        JsonSchemas.AssertValid(File.ReadAllText(run));
    }

    [Test]
    public void ParameterFile_WithCheckpoint_MatchesSchema()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data), saved = Path.Combine(h.Folder, "p.json");
        var o = CliHarness.Run("train", Circuit, "--data", data, "--observable", "Z0", "--lr", "0.1", "--epochs", "2", "--optimizer", "adam", "--save-params", saved);
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        string text = File.ReadAllText(saved);
        Assert.That(text, Does.Contain("\"training\""));
        JsonSchemas.AssertValid(text);
    }

    [Test]
    public void SweepFiles_SpecPlanStatusPointsFailuresManifestAndMerged_MatchSchemas()
    {
        // Two points: one done, one failed (a qubit outside the circuit), so both kinds of point file are written.
        using var f = new QnnSim.Tests.Sweeps.SweepFolder("""
            { "schema": "qnnsim.sweep/1", "command": "grad", "arguments": ["bell.qasm"],
              "options": { "bind": "t=0.3" }, "axes": { "observable": ["Z0", "Z7"] }, "seeds": [1] }
            """);
        File.WriteAllText(Path.Combine(f.Folder, "bell.qasm"), TestCircuits.BellRy);
        var spec = JsonNode.Parse(File.ReadAllText(f.Spec))!.ToJsonString();
        Assert.That(JsonSchemas.Errors(spec), Is.Empty, "the spec against qnnsim.sweep/1");
        f.Sweep("plan", "--json").Json();
        var run = f.Sweep("run", "--jobs", "1", "--threads", "1");
        Assert.That(run.Code, Is.Not.EqualTo(0), "one point fails: " + run);
        var status = f.Sweep("status", "--json");
        status.Json();
        Assert.That(status.Out, Does.Contain("\"failed\": 1").Or.Contain("\"failed\":1"), status.ToString());
        var merge = f.Sweep("merge");
        Assert.That(Directory.GetFiles(Path.Combine(f.ResultsFolder, "points"), "*.failed.json"), Has.Length.EqualTo(1));
        int validated = JsonSchemas.AssertFolderValid(f.Folder);
        // The spec, the manifest, the done point and its result, the failed point, and merged.json if merge wrote one
        // with a point still failed.
        Assert.That(validated, Is.EqualTo(File.Exists(f.MergedJson) ? 6 : 5), merge.ToString());
    }

    [Test]
    public void BenchJson_MatchesSchema()
    {
        var report = new BenchReport("test machine", true, 12.5,
        [
            new BenchRow("gates", "Ry q0", 24, 1, 0.02, 1.2, 13.4, 1.07, ">= 0.85 of bandwidth", true, 0.019, null),
            new BenchRow("ansatz", "n=10", 10, 1, 8e-5, 0.08, null, null),
        ]);
        JsonSchemas.AssertValid(BenchFormat.Json(report));
    }
}
