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
        "qnnsim.experiment.convergence/1", "qnnsim.experiment.haar_kernel/1", "qnnsim.bench/1", "qnnsim.reproduce/1", "qnnsim.params/1",
    ];

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
