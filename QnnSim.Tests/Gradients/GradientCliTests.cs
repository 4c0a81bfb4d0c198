using System.Globalization;
using System.Text.Json;
using QnnSim.Circuits;
using QnnSim.Cli;
using QnnSim.Gradients;
using QnnSim.Interop;
using QnnSim.Observables;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Gradients;

[TestFixture]
public class GradientCliTests
{
    /// <summary>Two parameters a, b and one data input x; a controlled rotation and a product angle.</summary>
    private const string Model = """
        OPENQASM 3.0;
        include "stdgates.inc";
        #pragma qnnsim inputs x
        qubit[2] q;
        input float[64] a;
        input float[64] b;
        input float[64] x;
        ry(x) q[0];
        rx(a) q[0];
        cx q[0], q[1];
        crz(b) q[0], q[1];
        ry(a*b) q[1];
        h q[1];
        """;

    private const string SingleRy = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[1] q;
        input float[64] t;
        ry(t) q[0];
        """;

    private const string NoParameters = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[1] q;
        h q[0];
        """;

    [Test]
    public void Grad_Json_MatchesClosedForm()
    {
        using var h = new CliHarness();
        string file = h.Write("ry.qasm", SingleRy);
        var outcome = CliHarness.Run("grad", file, "--bind", "t=0.7", "--observable", "Z0", "--json");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.Success), outcome.ToString());
        var json = outcome.Json();
        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.grad/1"));
        Assert.That(json.GetProperty("value").GetDouble(), Is.EqualTo(Math.Cos(0.7)).Within(Tolerances.Kernel));
        Assert.That(json.GetProperty("gradient").GetProperty("t").GetDouble(), Is.EqualTo(-Math.Sin(0.7)).Within(Tolerances.Kernel));
    }

    private static IEnumerable<TestCaseData> MethodNames() => new[] { "adjoint", "shift", "fd" }.Select(m => new TestCaseData(m).SetArgDisplayNames(m));

    [TestCaseSource(nameof(MethodNames))]
    public void Grad_EveryMethod_EqualsDifferentiator(string method)
    {
        using var h = new CliHarness();
        string file = h.Write("model.qasm", Model);
        var outcome = CliHarness.Run("grad", file, "--bind", "a=0.3", "--bind", "b=-1.1", "--bind", "x=0.8", "--observable", "Z1 + 0.5*X0", "--method", method, "--json");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.Success), outcome.ToString());
        var json = outcome.Json();
        var circuit = CircuitFiles.Load(file);
        var g = new double[2];
        var gx = new double[1];
        double v = new Differentiator().ValueAndGradient(circuit, ParameterValues.Of(0.3, -1.1), InputValues.Of(0.8), PauliSum.Parse("Z1 + 0.5*X0"), g, gx);
        Assert.That(json.GetProperty("value").GetDouble(), Is.EqualTo(v).Within(Tolerances.Circuit));
        Assert.That(json.GetProperty("gradient").GetProperty("a").GetDouble(), Is.EqualTo(g[0]).Within(Tolerances.FiniteDifference));
        Assert.That(json.GetProperty("gradient").GetProperty("b").GetDouble(), Is.EqualTo(g[1]).Within(Tolerances.FiniteDifference));
        Assert.That(json.GetProperty("input_gradient").GetProperty("x").GetDouble(), Is.EqualTo(gx[0]).Within(Tolerances.FiniteDifference));
        Assert.That(Math.Abs(g[0]) + Math.Abs(g[1]), Is.GreaterThan(1e-3));
    }

    [Test]
    public void Grad_Shots_WithinFourStandardErrors()
    {
        using var h = new CliHarness();
        string file = h.Write("model.qasm", Model);
        var outcome = CliHarness.Run("grad", file, "--bind", "a=0.3", "--bind", "b=-1.1", "--bind", "x=0.8", "--observable", "Z1", "--shots", "4000", "--seed", "5", "--json");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.Success), outcome.ToString());
        var json = outcome.Json();
        var circuit = CircuitFiles.Load(file);
        var g = new double[2];
        new Differentiator().ValueAndGradient(circuit, ParameterValues.Of(0.3, -1.1), InputValues.Of(0.8), PauliString.Z(1), g);
        foreach (var (name, j) in new[] { ("a", 0), ("b", 1) })
        {
            double estimate = json.GetProperty("gradient").GetProperty(name).GetDouble();
            double error = json.GetProperty("standard_error").GetProperty(name).GetDouble();
            Assert.That(error, Is.GreaterThan(0));
            Assert.That(Math.Abs(estimate - g[j]), Is.LessThanOrEqualTo(Tolerances.ShotSigmas * error), name);
        }
        Assert.That(json.GetProperty("shots").GetInt32(), Is.EqualTo(4000));
        // Shifted: rx(a) and ry(a*b) (two terms each), crz(b) (four terms); ry(x) depends on the data input only and
        // spends nothing (issue 15 item 7). One observable term.
        Assert.That(json.GetProperty("total_shots").GetInt64(), Is.EqualTo((2 + 4 + 2) * 4000L));
    }

    [Test]
    public void Grad_ShotsWithAdjoint_IsUsageError()
    {
        using var h = new CliHarness();
        string file = h.Write("ry.qasm", SingleRy);
        var outcome = CliHarness.Run("grad", file, "--bind", "t=0.7", "--observable", "Z0", "--shots", "10", "--method", "adjoint");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.UsageError), outcome.ToString());
        Assert.That(outcome.Err, Does.Contain("--shots"));
    }

    [Test]
    public void Grad_ZeroShots_IsUsageError()
    {
        using var h = new CliHarness();
        string file = h.Write("ry.qasm", SingleRy);
        var outcome = CliHarness.Run("grad", file, "--bind", "t=0.7", "--observable", "Z0", "--shots", "0");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.UsageError), outcome.ToString());
        Assert.That(outcome.Err, Does.Contain("'0'"));
    }

    [Test]
    public void Grad_UnknownBindName_IsInputErrorNamingIt()
    {
        using var h = new CliHarness();
        string file = h.Write("ry.qasm", SingleRy);
        var outcome = CliHarness.Run("grad", file, "--bind", "t=0.7", "--bind", "zz=1", "--observable", "Z0");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.InputError), outcome.ToString());
        Assert.That(outcome.Err, Does.Contain("zz"));
    }

    [Test]
    public void Grad_NoTrainableParameters_IsInputError()
    {
        using var h = new CliHarness();
        string file = h.Write("h.qasm", NoParameters);
        var outcome = CliHarness.Run("grad", file, "--observable", "Z0");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.InputError), outcome.ToString());
        Assert.That(outcome.Err, Does.Contain("no trainable parameters"));
    }

    [Test]
    public void Jacobian_OutCsvAndJson_EqualDifferentiator()
    {
        using var h = new CliHarness();
        string file = h.Write("model.qasm", Model);
        string data = h.Write("data.csv", "label,x\n1,0.1\n-1,0.5\n1,1.2\n");
        string parameters = h.Write("p.csv", "name,value\nb,-1.1\na,0.3\n");
        string outPath = Path.Combine(h.Folder, "j.csv");
        var outcome = CliHarness.Run("jacobian", file, "--data", data, "--observable", "Z1", "--observable", "X0 Z1", "--params", parameters, "--out", outPath, "--json");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.Success), outcome.ToString());

        var circuit = CircuitFiles.Load(file);
        var expected = new Differentiator().Jacobian(circuit, ParameterValues.Of(0.3, -1.1),
            [InputValues.Of(0.1), InputValues.Of(0.5), InputValues.Of(1.2)], [PauliSum.Parse("Z1"), PauliSum.Parse("X0 Z1")]);
        var json = outcome.Json();
        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.jacobian/1"));
        Assert.That(json.GetProperty("rows").GetInt32(), Is.EqualTo(6));
        var rows = json.GetProperty("jacobian").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        var lines = File.ReadAllLines(outPath);
        Assert.That(lines[0], Is.EqualTo("sample,observable,a,b"));
        Assert.That(lines, Has.Length.EqualTo(7));
        for (int r = 0; r < 6; r++)
        {
            var csv = lines[r + 1].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.That(csv[..2], Is.EqualTo(new double[] { r / 2, r % 2 }), "sample and observable index columns");
            for (int c = 0; c < 2; c++)
            {
                Assert.That(rows[r][c], Is.EqualTo(expected[r, c]).Within(1e-15), $"json [{r},{c}]");
                Assert.That(csv[c + 2], Is.EqualTo(expected[r, c]).Within(1e-15), $"csv [{r},{c}]");
            }
        }
        Assert.That(expected.Data.Max(Math.Abs), Is.GreaterThan(1e-3));
    }

    [Test]
    public void Jacobian_InitUniform_ReproducibleAndInRange()
    {
        using var h = new CliHarness();
        string file = h.Write("model.qasm", Model);
        string data = h.Write("data.csv", "x\n0.1\n0.5\n");
        var a = CliHarness.Run("jacobian", file, "--data", data, "--observable", "Z1", "--init", "uniform", "--seed", "9", "--json");
        var b = CliHarness.Run("jacobian", file, "--data", data, "--observable", "Z1", "--init", "uniform", "--seed", "9", "--json");
        Assert.That(a.Code, Is.EqualTo(ExitCodes.Success), a.ToString());
        Assert.That(b.Out, Is.EqualTo(a.Out));
        var theta = a.Json().GetProperty("theta").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.That(theta, Has.All.InRange(0.0, 2 * Math.PI));
        var rng = new QnnSim.Randomness.SeededRandom(9);
        Assert.That(theta[0], Is.EqualTo(rng.NextDouble(0, 2 * Math.PI)));
    }

    [Test]
    public void Jacobian_ParamsAndInit_IsUsageError()
    {
        using var h = new CliHarness();
        string file = h.Write("model.qasm", Model);
        string data = h.Write("data.csv", "x\n0.1\n");
        string parameters = h.Write("p.csv", "a,0.3\nb,0.1\n");
        var outcome = CliHarness.Run("jacobian", file, "--data", data, "--observable", "Z1", "--params", parameters, "--init", "uniform");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.UsageError), outcome.ToString());
    }

    [Test]
    public void Jacobian_DataWithoutInputColumn_IsInputErrorNamingIt()
    {
        using var h = new CliHarness();
        string file = h.Write("model.qasm", Model);
        string data = h.Write("data.csv", "y,label\n0.1,1\n");
        var outcome = CliHarness.Run("jacobian", file, "--data", data, "--observable", "Z1");
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.InputError), outcome.ToString());
        Assert.That(outcome.Err, Does.Contain("'x'"));
    }

    [Test]
    public void Jacobian_UnknownParameterInParams_IsInputErrorNamingIt()
    {
        using var h = new CliHarness();
        string file = h.Write("model.qasm", Model);
        string data = h.Write("data.csv", "x\n0.1\n");
        string parameters = h.Write("p.csv", "a,0.3\nbogus,0.1\n");
        var outcome = CliHarness.Run("jacobian", file, "--data", data, "--observable", "Z1", "--params", parameters);
        Assert.That(outcome.Code, Is.EqualTo(ExitCodes.InputError), outcome.ToString());
        Assert.That(outcome.Err, Does.Contain("bogus"));
    }
}
