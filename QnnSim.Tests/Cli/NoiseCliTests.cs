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

    /// <summary>
    /// --shots with --observable on trajectories: each term's shots split over the trajectories; the estimate lies within
    /// 5 standard errors (false failure 5.7e-7) of the density matrix's readout-distorted value (1 − 2e)·Tr(Z0 ρ), and the
    /// undistorted Tr(Z0 ρ) lies far outside.
    /// </summary>
    [Test]
    public void Run_TrajectoriesWithShots_EstimateTheReadoutDistortedValue()
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        string[] common = ["run", path, "--bind", "a=0.7", "--bind", "b=-0.4", "--observable", "Z0", "--noise", "pauli=0.01,0.02,0.03;readout=0.1,0.1", "--json"];
        var exact = CliHarness.Run(common).Json().GetProperty("expectations")[0].GetProperty("value").GetDouble();
        var r = CliHarness.Run([.. common, "--backend", "trajectories", "--trajectories", "500", "--shots", "50000", "--seed", "4"]);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var e = r.Json().GetProperty("expectations")[0];
        double se = e.GetProperty("standard_error").GetDouble();
        Assert.That(se, Is.GreaterThan(0).And.LessThan(0.02));
        Assert.That(e.GetProperty("value").GetDouble(), Is.EqualTo(0.8 * exact).Within(5 * se));
        Assert.That(Math.Abs(e.GetProperty("value").GetDouble() - exact), Is.GreaterThan(5 * se));
        var one = CliHarness.Run([.. common, "--backend", "trajectories", "--trajectories", "500", "--shots", "1", "--seed", "4"]);
        Assert.That(one.Code, Is.EqualTo(ExitCodes.UsageError), one.ToString());
        Assert.That(one.Err, Does.Contain("at least 2 shots"));
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
    [TestCase(new[] { "--backend", "99" }, ExitCodes.UsageError, "--backend '99' is not allowed; expected one of statevector, density, trajectories")]
    [TestCase(new[] { "--backend", "1" }, ExitCodes.UsageError, "expected one of statevector, density, trajectories")]
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

/// <summary><c>qnnsim grad</c> under noise.</summary>
[TestFixture]
public sealed class NoisyGradCliTests
{
    private CliHarness _h = null!;

    [SetUp]
    public void SetUp() => _h = new CliHarness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Grad_AdjointOnDensityMatrix_EqualsTheLibraryAndTheShiftRule()
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        string[] common = ["grad", path, "--bind", "a=0.7", "--bind", "b=-0.4", "--observable", "Z0 + X1", "--noise", "depolarizing=0.02;amplitude-damping=0.05", "--json"];
        var adjoint = CliHarness.Run([.. common, "--method", "adjoint", "--backend", "density"]);
        var shift = CliHarness.Run([.. common, "--method", "shift"]);
        Assert.That(adjoint.Code, Is.EqualTo(ExitCodes.Success), adjoint.ToString());
        Assert.That(shift.Code, Is.EqualTo(ExitCodes.Success), shift.ToString());
        var a = adjoint.Json();
        Assert.That(a.GetProperty("backend").GetString(), Is.EqualTo("density"));
        var circuit = CircuitFiles.Load(path);
        if (circuit.ParameterCount == 0) Assert.Ignore("the sample's variables are inputs");
        var lib = new QnnSim.Gradients.NoisyDifferentiator(NoiseModelParser.ParseSpec("depolarizing=0.02;amplitude-damping=0.05"))
            .ValueAndGradient(circuit, ParameterValues.Of(0.7, -0.4), InputValues.Of(), PauliSum.Parse("Z0 + X1"));
        foreach (var (name, j) in circuit.ParameterNames.Select((n, j) => (n, j)))
        {
            double g = a.GetProperty("gradient").GetProperty(name).GetDouble();
            Assert.That(g, Is.EqualTo(lib.Gradient[j]).Within(CliTolerances.JsonRoundTrip));
            Assert.That(shift.Json().GetProperty("gradient").GetProperty(name).GetDouble(), Is.EqualTo(g).Within(1e-10));
        }
    }

    [Test]
    public void Grad_AdjointWithTrajectories_IsAUsageError()
    {
        string path = _h.Write("two.qasm", TestCircuits.TwoParameters);
        var r = CliHarness.Run("grad", path, "--bind", "a=0.7", "--bind", "b=-0.4", "--observable", "Z0", "--noise", "depolarizing=0.02",
            "--backend", "trajectories", "--method", "adjoint");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.UsageError), r.ToString());
        Assert.That(r.Err, Does.Contain("--method shift"));
    }
}

/// <summary><c>qnnsim jacobian</c> and <c>qntk</c> under noise: the noisy tangent kernel.</summary>
[TestFixture]
public sealed class NoisyKernelCliTests
{
    private const string Circuit = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[2] q;
        input float[64] x;
        input float[64] a;
        input float[64] b;
        ry(x) q[0];
        ry(a) q[0];
        cx q[0], q[1];
        ry(b) q[1];
        rx(x) q[1];
        """;

    [Test]
    public void Qntk_Noise_IsTheKernelOfTheNoisyJacobian()
    {
        using var h = new CliHarness();
        string path = h.Write("k.qasm", Circuit);
        string data = h.Write("d.csv", "x,label\n0.1,1\n0.5,-1\n0.9,1\n");
        string p = h.Write("p.csv", "name,value\na,0.3\nb,-0.6\n");
        var r = CliHarness.Run("qntk", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--params", p, "--noise", "depolarizing=0.05", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var json = r.Json();
        Assert.That(json.GetProperty("backend").GetString(), Is.EqualTo("density"));
        var circuit = CircuitFiles.Load(path, new CircuitLoadOptions { InputNames = ["x"] });
        var j = new QnnSim.Gradients.NoisyDifferentiator(NoiseModelParser.ParseSpec("depolarizing=0.05"))
            .Jacobian(circuit, ParameterValues.Of(0.3, -0.6), [InputValues.Of(0.1), InputValues.Of(0.5), InputValues.Of(0.9)], [PauliSum.Parse("Z1")]);
        var k = QnnSim.Analysis.TangentKernel.FromJacobian(Enumerable.Range(0, j.Rows).SelectMany(i => j.Row(i).ToArray()).ToArray(), 3, 2);
        var kernel = json.GetProperty("kernel");
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                Assert.That(kernel[a][b].GetDouble(), Is.EqualTo(k[a, b]).Within(1e-12));
        var ideal = CliHarness.Run("qntk", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--params", p, "--json").Json();
        Assert.That(json.GetProperty("trace").GetDouble(), Is.LessThan(ideal.GetProperty("trace").GetDouble()), "noise shrinks the kernel");
    }

    [Test]
    public void Jacobian_Noise_RecordsTheModel()
    {
        using var h = new CliHarness();
        string path = h.Write("k.qasm", Circuit);
        string data = h.Write("d.csv", "x\n0.1\n0.5\n");
        var r = CliHarness.Run("jacobian", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--noise", "amplitude-damping=0.1", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(r.Json().GetProperty("noise").GetString(), Does.Contain("amplitude-damping(0.1)"));
        Assert.That(r.Json().GetProperty("rows").GetInt32(), Is.EqualTo(2));
    }
}
