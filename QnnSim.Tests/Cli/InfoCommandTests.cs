using QnnSim.Cli;

namespace QnnSim.Tests.Cli;

[TestFixture]
public class InfoCommandTests
{
    private CliHarness _h = null!;

    [SetUp]
    public void SetUp() => _h = new CliHarness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Info_Json_DescribesCircuit()
    {
        string path = _h.Write("m.qasm", TestCircuits.Measured);
        var r = CliHarness.Run("info", path, "--input-name", "x", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var json = r.Json();
        Assert.That(json.EnumerateObject().First().Name, Is.EqualTo("schema"));
        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.info/1"));
        Assert.That(json.GetProperty("qubits").GetInt32(), Is.EqualTo(3));
        Assert.That(json.GetProperty("operations").GetInt32(), Is.EqualTo(5));
        // h q0 | ry q1 | rx q2, then cx q0,q2 at level 2, rz q1 at level 2.
        Assert.That(json.GetProperty("depth").GetInt32(), Is.EqualTo(2));
        var counts = json.GetProperty("gate_counts").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32()));
        Assert.That(counts, Is.EqualTo(new[] { ("h", 1), ("ry", 1), ("rx", 1), ("cx", 1), ("rz", 1) }));
        Assert.That(json.GetProperty("parameters").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(json.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "x" }));
        Assert.That(json.GetProperty("measured_qubits").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 2, 0 }));
        Assert.That(json.GetProperty("parameter_usage").GetProperty("b").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 4 }));
    }

    [Test]
    public void Info_Human_ListsCountsAndNames()
    {
        string path = _h.Write("bell.qasm", TestCircuits.BellRy);
        var r = CliHarness.Run("info", path);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(r.Out, Does.Contain("qubits").And.Contain("1: t").And.Contain("cx").And.Contain("ry"));
    }

    [Test]
    public void Info_MalformedQasm_ExitsThreeWithLocation()
    {
        string path = _h.Write("bad.qasm", TestCircuits.Malformed);
        var r = CliHarness.Run("info", path);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Match(@"bad\.qasm:5:\d+: "));
    }
}
