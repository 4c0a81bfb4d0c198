using QnnSim.Circuits;
using QnnSim.Cli;
using QnnSim.Interop;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Simulation;

namespace QnnSim.Tests.Cli;

/// <summary><c>qnnsim run</c> and <c>info</c> with --noise, --backend and --trajectories.</summary>
[TestFixture]
public sealed class NoiseCliTests
{
    private CliHarness _h = null!;

    [SetUp]
    public void SetUp() => _h = new CliHarness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Run_NoiseSpec_DefaultsToExactDensityMatrix()
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        var r = CliHarness.Run("run", path, "--bind", "a=0.7", "--bind", "b=-0.4", "--observable", "Z0", "--observable", "X0 X1",
            "--noise", "depolarizing=0.02;amplitude-damping=0.01", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var json = r.Json();
        Assert.That(json.GetProperty("backend").GetString(), Is.EqualTo("density"));
        Assert.That(json.GetProperty("noise").GetString(), Does.Contain("depolarizing(0.02)"));
        var circuit = CircuitFiles.Load(path);
        var noise = NoiseModelParser.ParseSpec("depolarizing=0.02;amplitude-damping=0.01");
        var dm = new DensityMatrixSimulator();
        var (theta, x) = circuit.ParameterCount == 2
            ? (ParameterValues.Of(0.7, -0.4), InputValues.Of())
            : (ParameterValues.Of(), InputValues.Of(0.7, -0.4));
        var rho = dm.Run(circuit, theta, x, noise);
        var e = json.GetProperty("expectations");
        Assert.That(e[0].GetProperty("observable").GetString(), Is.EqualTo("Z0"));
        Assert.That(e[0].GetProperty("value").GetDouble(), Is.EqualTo(dm.Expectation(rho, PauliSum.Parse("Z0"))).Within(CliTolerances.JsonRoundTrip));
        Assert.That(e[1].GetProperty("value").GetDouble(), Is.EqualTo(dm.Expectation(rho, PauliSum.Parse("X0 X1"))).Within(CliTolerances.JsonRoundTrip));
        Assert.That(e[0].TryGetProperty("standard_error", out _), Is.False, "density-matrix values are exact");
    }

    [Test]
    public void Run_Trajectories_ReportStandardErrorsAndAgreeWithDensity()
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        string[] common = ["run", path, "--bind", "a=0.7", "--bind", "b=-0.4", "--observable", "Z0", "--noise", "pauli=0.01,0.02,0.03", "--json"];
        var exact = CliHarness.Run(common).Json().GetProperty("expectations")[0].GetProperty("value").GetDouble();
        var r = CliHarness.Run([.. common, "--backend", "trajectories", "--trajectories", "2000", "--seed", "4"]);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var e = r.Json().GetProperty("expectations")[0];
        double se = e.GetProperty("standard_error").GetDouble();
        Assert.That(se, Is.GreaterThan(0));
        // 5 standard errors: false-failure probability 5.7e-7.
        Assert.That(e.GetProperty("value").GetDouble(), Is.EqualTo(exact).Within(5 * se));
        Assert.That(r.Json().GetProperty("trajectories").GetInt32(), Is.EqualTo(2000));
        // Same seed, same output byte for byte.
        Assert.That(CliHarness.Run([.. common, "--backend", "trajectories", "--trajectories", "2000", "--seed", "4"]).Out, Is.EqualTo(r.Out));
    }

    [Test]
    public void Run_NoiseJsonFile_IsRead()
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        string model = _h.Write("noise.json", """{"gate_noise": [{"channel": {"type": "bit_flip", "p": 0.1}}]}""");
        var r = CliHarness.Run("run", path, "--bind", "a=0", "--bind", "b=0", "--observable", "Z0", "--noise", model, "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(r.Json().GetProperty("noise").GetString(), Does.Contain("bit-flip(0.1)"));
    }

    [TestCase(new[] { "--noise", "depolarizing=2" }, ExitCodes.InputError, "out of range")]
    [TestCase(new[] { "--noise", "nonsense=1" }, ExitCodes.InputError, "unknown noise")]
    [TestCase(new[] { "--noise", "missing.json" }, ExitCodes.InputError, "does not exist")]
    [TestCase(new[] { "--noise", "depolarizing=0.1", "--backend", "statevector" }, ExitCodes.UsageError, "cannot apply --noise")]
    [TestCase(new[] { "--trajectories", "10" }, ExitCodes.UsageError, "only with --backend trajectories")]
    [TestCase(new[] { "--backend", "trajectories", "--trajectories", "1" }, ExitCodes.UsageError, "at least 2")]
    [TestCase(new[] { "--backend", "trajectories", "--trajectories", "0" }, ExitCodes.UsageError, "at least 1")]
    [TestCase(new[] { "--backend", "gpu" }, ExitCodes.UsageError, "gpu")]
    [TestCase(new[] { "--noise", "depolarizing=0.1", "--state" }, ExitCodes.UsageError, "mixed")]
    public void Run_BadNoiseArguments_ExitWithOneLineMessage(string[] extra, int code, string fragment)
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        var r = CliHarness.Run(["run", path, "--bind", "a=0", "--bind", "b=0", .. extra]);
        Assert.That(r.Code, Is.EqualTo(code), r.ToString());
        Assert.That(r.Err, Does.Contain(fragment));
        Assert.That(r.Err, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void Info_Noise_ShowsModelAndChannelCounts()
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        var r = CliHarness.Run("info", path, "--noise", "qdk-pauli=0.01,0.005,0.02", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var json = r.Json();
        var circuit = CircuitFiles.Load(path);
        var noisy = NoiseModelParser.ParseSpec("qdk-pauli=0.01,0.005,0.02").ApplyTo(circuit);
        Assert.That(json.GetProperty("noise_channels").GetInt32(), Is.EqualTo(noisy.ChannelCount));
        Assert.That(noisy.ChannelCount, Is.GreaterThan(0));
    }
}
