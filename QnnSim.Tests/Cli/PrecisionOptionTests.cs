using System.Text.Json;
using QnnSim.Cli;

namespace QnnSim.Tests.Cli;

/// <summary>run --precision: single precision agrees with double to the accuracy single precision promises, and
/// every other value is a usage error naming the allowed ones.</summary>
[TestFixture]
public class PrecisionOptionTests
{
    private const string Circuit = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[4] q;
        input float[64] a;
        ry(a) q[0];
        cx q[0], q[1];
        rx(0.7) q[2];
        cx q[1], q[2];
        h q[3];
        rzz(0.4) q[2], q[3];
        """;

    private static double[] Values(CliOutcome r) =>
        [.. JsonDocument.Parse(r.Out).RootElement.GetProperty("expectations").EnumerateArray().Select(e => e.GetProperty("value").GetDouble())];

    [Test]
    public void Run_Single_AgreesWithDoubleToSinglePrecision()
    {
        using var h = new CliHarness();
        string c = h.Write("c.qasm", Circuit);
        string[] args = ["run", c, "--bind", "a=0.3", "--observable", "Z0", "--observable", "X2 Z3", "--observable", "0.5*Z1 Z2 + Y3", "--json"];
        var dbl = CliHarness.Run(args);
        var sgl = CliHarness.Run([.. args, "--precision", "single"]);
        Assert.That(dbl.Code, Is.EqualTo(ExitCodes.Success), dbl.ToString());
        Assert.That(sgl.Code, Is.EqualTo(ExitCodes.Success), sgl.ToString());
        var d = Values(dbl);
        var s = Values(sgl);
        Assert.That(s, Has.Length.EqualTo(3));
        for (int k = 0; k < d.Length; k++) Assert.That(s[k], Is.EqualTo(d[k]).Within(Tolerances.SingleExpectation), $"observable {k}");
        Assert.That(s, Is.Not.EqualTo(d), "single precision rounds: the values differ from double in the last digits");
        Assert.That(CliHarness.Run([.. args, "--precision", "double"]).Out, Is.EqualTo(dbl.Out));
    }

    [TestCase("half")]
    [TestCase("f16")]
    [TestCase("")]
    public void Run_UnknownPrecision_IsAUsageErrorNamingTheValues(string value)
    {
        using var h = new CliHarness();
        var r = CliHarness.Run("run", h.Write("c.qasm", Circuit), "--bind", "a=0.3", "--precision", value);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.UsageError), r.ToString());
        Assert.That(r.Err, Does.Contain("expected double or single"));
    }

    [Test]
    public void Run_SingleWithNoise_IsAUsageError()
    {
        using var h = new CliHarness();
        var r = CliHarness.Run("run", h.Write("c.qasm", Circuit), "--bind", "a=0.3", "--precision", "single", "--noise", "depolarizing=0.01");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.UsageError), r.ToString());
        Assert.That(r.Err, Does.Contain("double precision"));
    }
}
