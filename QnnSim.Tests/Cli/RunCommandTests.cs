using System.Text.Json;
using QnnSim.Circuits;
using QnnSim.Cli;
using QnnSim.Cli.Commands;
using QnnSim.Interop;
using QnnSim.Observables;
using QnnSim.Simulation;

namespace QnnSim.Tests.Cli;

/// <summary><c>qnnsim run</c> end to end: OpenQASM files written to a temporary folder, output parsed as JSON.</summary>
[TestFixture]
public class RunCommandTests
{
    private CliHarness _h = null!;

    [SetUp]
    public void SetUp() => _h = new CliHarness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    private static CliOutcome Ok(params string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        return r;
    }

    [Test]
    public void Run_Json_ExpectationsEqualSimulatorOnLoadedCircuit()
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        string[] observables = ["Z0", "X0 X1", "0.5*Z0 Z1 - 1.2*Y1 + 0.3"];
        var args = new List<string> { "run", path, "--bind", "a=0.7", "--bind", "b=-pi/4", "--json" };
        foreach (var o in observables) { args.Add("--observable"); args.Add(o); }
        var json = Ok([.. args]).Json();

        var circuit = CircuitFiles.Load(path);
        var sim = new Simulator();
        var theta = new double[2];
        theta[circuit.IndexOfParameter("a")] = 0.7;
        theta[circuit.IndexOfParameter("b")] = -Math.PI / 4;
        var psi = sim.Run(circuit, ParameterValues.Of(theta), InputValues.None);

        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.run/1"));
        Assert.That(json.GetProperty("qubits").GetInt32(), Is.EqualTo(2));
        var e = json.GetProperty("expectations");
        Assert.That(e.GetArrayLength(), Is.EqualTo(observables.Length));
        for (int k = 0; k < observables.Length; k++)
        {
            Assert.That(e[k].GetProperty("observable").GetString(), Is.EqualTo(observables[k]));
            Assert.That(e[k].GetProperty("value").GetDouble(), Is.EqualTo(sim.Expectation(psi, PauliSum.Parse(observables[k]))).Within(CliTolerances.JsonRoundTrip));
            Assert.That(e[k].TryGetProperty("estimate", out _), Is.False);
        }
        Assert.That(json.TryGetProperty("state", out _), Is.False);
        Assert.That(json.TryGetProperty("counts", out _), Is.False);
        Assert.That(json.GetProperty("parameters").GetProperty("b").GetDouble(), Is.EqualTo(-Math.PI / 4));
    }

    [Test]
    public void Run_BellRy_ClosedFormValues()
    {
        string path = _h.Write("bell.qasm", TestCircuits.BellRy);
        var json = Ok("run", path, "--bind", "t=pi/3", "--observable", "Z0", "--observable", "Z0 Z1", "--observable", "X0 X1", "--json").Json();
        var e = json.GetProperty("expectations");
        Assert.That(e[0].GetProperty("value").GetDouble(), Is.EqualTo(0.5).Within(Tolerances.Circuit));
        Assert.That(e[1].GetProperty("value").GetDouble(), Is.EqualTo(1.0).Within(Tolerances.Circuit));
        Assert.That(e[2].GetProperty("value").GetDouble(), Is.EqualTo(Math.Sqrt(3) / 2).Within(Tolerances.Circuit));
    }

    [Test]
    public void Run_XOnQubit0_StateIndexOneAndCountKey01()
    {
        string path = _h.Write("x0.qasm", TestCircuits.XOnQubit0);
        var json = Ok("run", path, "--state", "--shots", "64", "--json").Json();
        var state = json.GetProperty("state");
        Assert.That(state.GetArrayLength(), Is.EqualTo(4));
        for (int i = 0; i < 4; i++)
        {
            Assert.That(state[i][0].GetDouble(), Is.EqualTo(i == 1 ? 1.0 : 0.0), $"re of amplitude {i}");
            Assert.That(state[i][1].GetDouble(), Is.EqualTo(0.0), $"im of amplitude {i}");
        }
        var counts = json.GetProperty("counts").EnumerateObject().ToList();
        Assert.That(counts.Select(c => (c.Name, c.Value.GetInt32())), Is.EqualTo(new[] { ("01", 64) }));
        Assert.That(json.GetProperty("readout").GetString(), Is.EqualTo("default"));
    }

    private static IEnumerable<ulong> Seeds() => [7UL, 8UL, 9UL];

    [TestCaseSource(nameof(Seeds))]
    public void Run_Shots_EstimatesWithinFourStandardErrorsAndReproducible(ulong seed)
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        string[] args = ["run", path, "--bind", "a=0.7", "--bind", "b=1.9", "--observable", "X0 X1 + 0.5*Z1", "--observable", "Y0",
            "--shots", "3000", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"];
        var first = Ok(args);
        var again = Ok(args);
        Assert.That(again.Out, Is.EqualTo(first.Out), "same seed, same output");
        var json = first.Json();
        Assert.That(json.GetProperty("shots").GetInt32(), Is.EqualTo(3000));
        foreach (var e in json.GetProperty("expectations").EnumerateArray())
        {
            double value = e.GetProperty("value").GetDouble(), estimate = e.GetProperty("estimate").GetDouble(), stderr = e.GetProperty("stderr").GetDouble();
            Assert.That(stderr, Is.GreaterThan(0));
            Assert.That(Math.Abs(estimate - value), Is.LessThanOrEqualTo(Tolerances.ShotSigmas * stderr));
        }
        var other = Ok([.. args[..^2], (seed + 100).ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"]);
        Assert.That(other.Out, Is.Not.EqualTo(first.Out), "another seed, other estimates");
    }

    [Test]
    public void Run_MeasuredFileWithoutObservable_CountsOfMeasuredQubits()
    {
        string path = _h.Write("m.qasm", TestCircuits.Measured);
        var json = Ok("run", path, "--bind", "a=0.4", "--bind", "b=0.1", "--bind", "x=2.2", "--seed", "3", "--json").Json();
        Assert.That(json.GetProperty("readout").GetString(), Is.EqualTo("measurements"));
        Assert.That(json.GetProperty("expectations").GetArrayLength(), Is.EqualTo(0));
        Assert.That(json.GetProperty("counted_qubits").EnumerateArray().Select(q => q.GetInt32()), Is.EqualTo(new[] { 2, 0 }));
        var counts = json.GetProperty("counts").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetInt32());
        Assert.That(counts.Values.Sum(), Is.EqualTo(RunCommand.DefaultMeasurementShots));
        Assert.That(counts.Keys, Has.All.Length.EqualTo(2));

        // The frequency of each key (c1 c0 = q0 q2) is within 4σ of the exact marginal probability.
        var circuit = CircuitFiles.Load(path);
        var theta = new double[circuit.ParameterCount];
        theta[circuit.IndexOfParameter("a")] = 0.4;
        theta[circuit.IndexOfParameter("b")] = 0.1;
        theta[circuit.IndexOfParameter("x")] = 2.2;
        var p = new Simulator().Run(circuit, ParameterValues.Of(theta), InputValues.None).Probabilities();
        foreach (var key in new[] { "00", "01", "10", "11" })
        {
            int q0 = key[0] - '0', q2 = key[1] - '0';
            double exact = Enumerable.Range(0, 8).Where(i => (i & 1) == q0 && ((i >> 2) & 1) == q2).Sum(i => p[i]);
            double freq = counts.GetValueOrDefault(key) / (double)RunCommand.DefaultMeasurementShots;
            double sigma = Math.Sqrt(Math.Max(exact * (1 - exact), 1e-12) / RunCommand.DefaultMeasurementShots);
            Assert.That(Math.Abs(freq - exact), Is.LessThanOrEqualTo(Tolerances.ShotSigmas * sigma + 1e-12), key);
        }
    }

    [Test]
    public void Run_InputName_MakesDataInput()
    {
        string path = _h.Write("m.qasm", TestCircuits.Measured);
        var json = Ok("run", path, "--input-name", "x", "--bind", "a=0.4", "--bind", "b=0.1", "--bind", "x=2.2", "--observable", "Z2", "--json").Json();
        Assert.That(json.GetProperty("inputs").GetProperty("x").GetDouble(), Is.EqualTo(2.2));
        Assert.That(json.GetProperty("parameters").TryGetProperty("x", out _), Is.False);
        // rx(2.2) then CX from a |+> control: <Z2> = cos(2.2)·<Z> averaged over the control = 0.
        Assert.That(json.GetProperty("expectations")[0].GetProperty("value").GetDouble(), Is.EqualTo(0.0).Within(Tolerances.Circuit));
    }

    [Test]
    public void Run_Human_PrintsTableWithValues()
    {
        string path = _h.Write("bell.qasm", TestCircuits.BellRy);
        var r = Ok("run", path, "--bind", "t=pi/3", "--observable", "Z0 Z1", "--state");
        Assert.That(r.Out, Does.Contain("Z0 Z1").And.Contain("0.8660254038").And.Contain("11"));
        Assert.That(r.Out.Contains('\u001b', StringComparison.Ordinal), Is.False, "no ANSI escapes when not a terminal");
    }

    [Test]
    public void Run_MalformedQasm_ExitsThreeWithFileLineColumn()
    {
        string path = _h.Write("bad.qasm", TestCircuits.Malformed);
        var r = CliHarness.Run("run", path);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Match(@"bad\.qasm:5:\d+: "));
    }

    [Test]
    public void Run_UnknownBindName_ExitsThreeListingAllowedNames()
    {
        string path = _h.Write("bell.qasm", TestCircuits.BellRy);
        var r = CliHarness.Run("run", path, "--bind", "t=1", "--bind", "s=1");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("'s'").And.Contain("allowed names: t"));
    }

    [Test]
    public void Run_UnboundParameter_ExitsThreeListingIt()
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        var r = CliHarness.Run("run", path, "--bind", "b=1");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("unbound").And.Contain("parameter a"));
    }

    [Test]
    public void Run_ObservableBeyondCircuit_ExitsThree()
    {
        string path = _h.Write("bell.qasm", TestCircuits.BellRy);
        var r = CliHarness.Run("run", path, "--bind", "t=1", "--observable", "Z5");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("qubit 5").And.Contain("0..1"));
    }

    [Test]
    public void Run_MalformedObservableOnValidFile_ExitsThreeWithColumn()
    {
        string path = _h.Write("bell.qasm", TestCircuits.BellRy);
        var r = CliHarness.Run("run", path, "--bind", "t=1", "--observable", "Z0 * * X1");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Match(@"^observable:1:\d+: "));
    }

    [Test]
    public void Run_StateOfWideCircuit_ExitsThree()
    {
        string path = _h.Write("wide.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[21] q;\nh q[0];\n");
        var r = CliHarness.Run("run", path, "--state");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("at most 20"));
    }
}
