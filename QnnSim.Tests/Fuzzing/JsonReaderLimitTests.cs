using QnnSim.Analysis.Sweeps;
using QnnSim.Noise;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Fuzzing;

/// <summary>
/// The limits of the two JSON readers (noise models and sweep specs; docs/design.md, "Limits"): past each, a
/// <see cref="ParseException"/> that names the limit, and CLI exit 3 with one line; at the limit, the text is read.
/// </summary>
[TestFixture]
public class JsonReaderLimitTests
{
    private static readonly CliHarness Files = new();

    [OneTimeTearDown]
    public void TearDown() => Files.Dispose();

    private const string Circuit = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n";

    /// <summary>A noise model whose "gates" list is nested <paramref name="depth"/> levels deep in all.</summary>
    private static string NoiseNested(int depth) =>
        "{\"gate_noise\": [{\"channel\": {\"type\": \"depolarizing\", \"p\": 0.01}, \"gates\": " + new string('[', depth - 3) + new string(']', depth - 3) + "}]}";

    [Test]
    public void NoiseJson_NestedPastTheLimit_ThrowsNamingTheLimit()
    {
        // At the limit the nesting is accepted by the JSON layer (the schema then refuses the inner array: not a string).
        var atLimit = Assert.Throws<ParseException>(() => NoiseModelParser.ParseJson(NoiseNested(NoiseModelParser.MaxJsonDepth)));
        Assert.That(atLimit!.Detail, Does.Not.Contain("nesting"));
        var past = Assert.Throws<ParseException>(() => NoiseModelParser.ParseJson(NoiseNested(NoiseModelParser.MaxJsonDepth + 1)));
        Assert.That(past!.Detail, Does.Contain($"nesting is limited to {NoiseModelParser.MaxJsonDepth} levels"));
        // A hostile depth (10^5) is refused the same way, not by exhausting the stack.
        var deep = "{\"gate_noise\": " + new string('[', 100_000) + new string(']', 100_000) + "}";
        Assert.That(Assert.Throws<ParseException>(() => NoiseModelParser.ParseJson(deep))!.Detail, Does.Contain("nesting is limited"));
    }

    [Test]
    public void NoiseJson_LongerThanTheLimit_ThrowsNamingTheLimit()
    {
        string padded = "{\"gate_noise\": []" + new string(' ', NoiseModelParser.MaxJsonLength) + "}";
        var e = Assert.Throws<ParseException>(() => NoiseModelParser.ParseJson(padded));
        Assert.That(e!.Detail, Does.Contain($"at most {NoiseModelParser.MaxJsonLength:N0} are read"));
    }

    [Test]
    public void NoiseJson_MoreRulesThanTheLimit_ThrowsNamingTheLimit()
    {
        string Rules(int n) => "{\"gate_noise\": [" + string.Join(", ", Enumerable.Repeat("{\"channel\": {\"type\": \"bit_flip\", \"p\": 0.01}}", n)) + "]}";
        Assert.That(NoiseModelParser.ParseJson(Rules(NoiseModelParser.MaxRules)).GateRules, Has.Length.EqualTo(NoiseModelParser.MaxRules));
        var e = Assert.Throws<ParseException>(() => NoiseModelParser.ParseJson(Rules(NoiseModelParser.MaxRules + 1)));
        Assert.That(e!.Detail, Is.EqualTo($"$.gate_noise: has {NoiseModelParser.MaxRules + 1} rules; a list has at most {NoiseModelParser.MaxRules}."));
    }

    [Test]
    public void SweepSpec_NestedPastTheLimit_ThrowsNamingTheLimit()
    {
        string Spec(int listDepth) =>
            "{\"command\": \"experiment convergence\", \"axes\": {\"layers\": " + new string('[', listDepth) + "4" + new string(']', listDepth) + "}}";
        // Root object, "axes" object, then the lists: depth = 2 + listDepth.
        var atLimit = Assert.Throws<SweepSpecException>(() => SweepSpec.Parse(Spec(SweepSpec.MaxJsonDepth - 2), "s.json"));
        Assert.That(atLimit!.Detail, Does.Not.Contain("nesting"));
        var past = Assert.Throws<SweepSpecException>(() => SweepSpec.Parse(Spec(SweepSpec.MaxJsonDepth - 1), "s.json"));
        Assert.That(past!.Detail, Does.Contain($"nesting is limited to {SweepSpec.MaxJsonDepth} levels"));
        Assert.That(past.Message, Does.Not.Contain("LineNumber"), "the JSON layer's own location text is not repeated");
        Assert.That(past, Is.InstanceOf<ParseException>(), "the sweep reader's error is a ParseException like every reader's");
        Assert.That(past.Line, Is.EqualTo(1));
        Assert.That(past.Column, Is.GreaterThan(SweepSpec.MaxJsonDepth), "the column of the bracket past the limit");
    }

    [Test]
    public void SweepSpec_LongerThanTheLimit_ThrowsNamingTheLimit()
    {
        string padded = "{\"command\": \"experiment convergence\"" + new string(' ', SweepSpec.MaxSpecLength) + "}";
        var e = Assert.Throws<SweepSpecException>(() => SweepSpec.Parse(padded, "s.json"));
        Assert.That(e!.Detail, Does.Contain($"at most {SweepSpec.MaxSpecLength:N0} are read"));
    }

    [Test]
    public void SweepPlan_GridOfOver10To15Points_ReportsTheTrueCount()
    {
        // Three 10^5-value ranges: 10^15 points. The count once saturated at 9223372036854 and was printed as if measured.
        const string json = """
            {"command": "experiment convergence", "axes": {
              "layers": {"from": 1, "to": 100000, "step": 1}, "samples": {"from": 1, "to": 100000, "step": 1}, "qubits": {"from": 1, "to": 100000, "step": 1}}}
            """;
        var e = Assert.Throws<SweepSpecException>(() => SweepPlan.Create(SweepSpec.Parse(json, "s.json"), null));
        Assert.That(e!.Detail, Is.EqualTo($"the sweep has 1E+15 points; allowed: at most {SweepPlan.MaxPoints:N0}."));
    }

    [Test]
    public void Cli_JsonInputsPastTheirLimits_ExitThreeWithOneLineNamingTheLimit()
    {
        string circuit = Files.Write("c.qasm", Circuit);
        string noise = Files.Write("deep-noise.json", NoiseNested(NoiseModelParser.MaxJsonDepth + 1));
        var o = CliHarness.Run("run", circuit, "--noise", noise);
        Assert.That(o.Code, Is.EqualTo(3), o.ToString());
        Assert.That(o.Err.Trim().Split('\n'), Has.Length.EqualTo(1), o.ToString());
        Assert.That(o.Err, Does.Contain($"nesting is limited to {NoiseModelParser.MaxJsonDepth} levels"));

        string spec = Files.Write("deep-sweep.json", "{\"command\": \"experiment convergence\", \"axes\": {\"layers\": " + new string('[', 5000) + new string(']', 5000) + "}}");
        o = CliHarness.Run("sweep", "plan", spec);
        Assert.That(o.Code, Is.EqualTo(3), o.ToString());
        Assert.That(o.Err.Trim().Split('\n'), Has.Length.EqualTo(1), o.ToString());
        Assert.That(o.Err, Does.Contain($"nesting is limited to {SweepSpec.MaxJsonDepth} levels"));

        string big = Files.Write("big-sweep.json", "{\"command\": \"experiment convergence\"" + new string(' ', 4 * SweepSpec.MaxSpecLength) + "}");
        o = CliHarness.Run("sweep", "plan", big);
        Assert.That(o.Code, Is.EqualTo(3), o.ToString());
        Assert.That(o.Err, Does.Contain($"a spec has at most {SweepSpec.MaxSpecLength:N0} characters"));
    }
}
