namespace QnnSim.Tests.Cli;

/// <summary>
/// Issue 15, item 3: a data file the circuit would silently ignore is an error that says what to do, for every
/// command that reads one (jacobian, qntk, train).
/// </summary>
[TestFixture]
public class DataInputsTests
{
    // x is declared as an input but not marked as data (no pragma, no --input-name): it is a trainable parameter.
    private const string Circuit = """
        OPENQASM 3.0;
        include "stdgates.inc";
        input array[float[64], 2] x;
        input float[64] w;
        qubit[2] q;
        ry(x[0]) q[0];
        ry(x[1]) q[1];
        cx q[0], q[1];
        rx(w) q[1];
        """;

    private const string NoInputs = """
        OPENQASM 3.0;
        include "stdgates.inc";
        input float[64] w;
        qubit[2] q;
        ry(w) q[0];
        cx q[0], q[1];
        """;

    private const string Data = "x[0],x[1],label\n0.1,0.2,1\n0.5,-0.3,-1\n1.2,0.7,1\n";

    public static IEnumerable<TestCaseData> Commands()
    {
        yield return new TestCaseData((Func<string, string, string[]>)((c, d) => ["jacobian", c, "--data", d, "--observable", "Z1"])).SetArgDisplayNames("jacobian");
        yield return new TestCaseData((Func<string, string, string[]>)((c, d) => ["qntk", c, "--data", d, "--observable", "Z1"])).SetArgDisplayNames("qntk");
        yield return new TestCaseData((Func<string, string, string[]>)((c, d) => ["train", c, "--data", d, "--observable", "Z1", "--steps", "2", "--lr", "0.1"])).SetArgDisplayNames("train");
    }

    [TestCaseSource(nameof(Commands))]
    public void DataColumnsNamedLikeTrainableParameters_Exit3SayingUseInputName(Func<string, string, string[]> args)
    {
        using var h = new CliHarness();
        var outcome = CliHarness.Run(args(h.Write("c.qasm", Circuit), h.Write("d.csv", Data)));
        Assert.That(outcome.Code, Is.EqualTo(3), outcome.ToString());
        Assert.That(outcome.Err, Does.Contain("columns 'x[0]', 'x[1]' name trainable parameters").And.Contain("--input-name x"), outcome.ToString());
        Assert.That(outcome.Err.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
    }

    [TestCaseSource(nameof(Commands))]
    public void DataForACircuitWithoutInputs_Exit3SayingSo(Func<string, string, string[]> args)
    {
        using var h = new CliHarness();
        var outcome = CliHarness.Run(args(h.Write("c.qasm", NoInputs), h.Write("d.csv", "a,b,label\n0.1,0.2,1\n0.3,0.4,-1\n")));
        Assert.That(outcome.Code, Is.EqualTo(3), outcome.ToString());
        Assert.That(outcome.Err, Does.Contain("the circuit has no data inputs").And.Contain("columns (a, b) would be ignored"), outcome.ToString());
    }

    [Test]
    public void Jacobian_WithInputName_ReadsTheColumnsAndRowsDiffer()
    {
        using var h = new CliHarness();
        var outcome = CliHarness.Run("jacobian", h.Write("c.qasm", Circuit), "--data", h.Write("d.csv", Data), "--observable", "Z1",
            "--input-name", "x", "--init", "uniform", "--seed", "3", "--json");
        Assert.That(outcome.Code, Is.EqualTo(0), outcome.ToString());
        var rows = outcome.Json().GetProperty("jacobian").EnumerateArray().Select(r => r[0].GetDouble()).ToArray();
        Assert.That(rows.Distinct().Count(), Is.EqualTo(3), "each sample gives its own row");
    }
}
