using System.Globalization;
using System.Text.Json;
using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Interop;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Simulation;

namespace QnnSim.Tests.Docs;

/// <summary>
/// Runs every notebook in docs/notebooks/ headlessly with the dotnet-repl tool (restored as a local tool from the
/// repository's .config/dotnet-tools.json by the set-up) and checks its outputs against the library: each notebook
/// prints <c>CHECK name = value</c> lines, which are compared with the same quantities computed here; no cell may fail,
/// and every plot and diagram must have been displayed inline as SVG.
/// </summary>
/// <remarks>A notebook takes about 5 s warm and 10 s cold on two cores. To add a notebook, add its file and a
/// [TestCase] below whose method checks its CHECK values (docs/notebooks/README.md).</remarks>
[TestFixture]
[NonParallelizable]
public sealed class NotebookTests
{
    /// <summary>Values printed with "R" against the same computation here: equal up to the last bit, allowing for
    /// a different summation order in a separately compiled script.</summary>
    private const double Agreement = 1e-12;

    private static readonly TimeSpan NotebookTimeout = TimeSpan.FromMinutes(5);

    private string _root = "", _output = "";

    [OneTimeSetUp]
    public void RestoreTool()
    {
        _root = RepositoryTools.Root;
        Assert.That(File.Exists(Path.Combine(_root, "QnnSim.Cli", "bin", "Release", "net10.0", "QnnSim.dll")), Is.True,
            "the notebooks reference QnnSim.Cli/bin/Release/net10.0: build with -c Release first");
        var restore = RepositoryTools.Run("dotnet", ["tool", "restore"], _root, TimeSpan.FromMinutes(5));
        Assert.That(restore.ExitCode, Is.Zero, "dotnet tool restore (dotnet-repl): " + restore);
        _output = Path.Combine(Path.GetTempPath(), "qnnsim-notebooks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_output);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        try { Directory.Delete(_output, true); } catch (IOException) { }
    }

    /// <summary>What a notebook run printed: the CHECK values, all stream text, the HTML displays and the cell errors.</summary>
    private sealed record NotebookRun(Dictionary<string, string> Checks, string Text, List<string> Html, List<string> Errors);

    private NotebookRun Execute(string name)
    {
        string folder = Path.Combine(_root, "docs", "notebooks");
        string output = Path.Combine(_output, name);
        var outcome = RepositoryTools.Run("dotnet",
            ["tool", "run", "dotnet-repl", "--", "--run", name, "--exit-after-run", "--output-format", "ipynb", "--output-path", output],
            folder, NotebookTimeout);
        Assert.That(File.Exists(output), Is.True, "dotnet-repl wrote no output notebook: " + outcome);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var checks = new Dictionary<string, string>();
        var text = new System.Text.StringBuilder();
        var html = new List<string>();
        var errors = new List<string>();
        foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (!cell.TryGetProperty("outputs", out var outputs)) continue;
            foreach (var o in outputs.EnumerateArray())
            {
                string type = o.GetProperty("output_type").GetString()!;
                if (type == "stream") text.Append(Join(o.GetProperty("text")));
                else if (type == "error") errors.Add(o.GetProperty("evalue").GetString() ?? "?");
                else if (o.TryGetProperty("data", out var data) && data.TryGetProperty("text/html", out var h)) html.Add(Join(h));
            }
        }
        foreach (var line in text.ToString().Split('\n'))
            if (line.StartsWith("CHECK ", StringComparison.Ordinal) && line.IndexOf(" = ", StringComparison.Ordinal) is int eq and > 0)
                checks[line[6..eq].Trim()] = line[(eq + 3)..].Trim();
        Assert.That(errors, Is.Empty, $"{name}: cells failed");
        Assert.That(outcome.ExitCode, Is.Zero, $"{name}: " + outcome);
        return new NotebookRun(checks, text.ToString(), html, errors);
    }

    private static string Join(JsonElement e) => e.ValueKind == JsonValueKind.Array ? string.Concat(e.EnumerateArray().Select(s => s.GetString())) : e.GetString() ?? "";

    private static double Value(NotebookRun run, string key)
    {
        Assert.That(run.Checks, Does.ContainKey(key), $"the notebook printed no CHECK {key}:\n{run.Text}");
        return double.Parse(run.Checks[key], CultureInfo.InvariantCulture);
    }

    [Test]
    public void QuickStart_ValuesMatchLibrary()
    {
        var run = Execute("01-quickstart.ipynb");
        var b = new CircuitBuilder(2);
        var x = b.Input("x");
        var theta = b.Parameters("theta", 2);
        b.Ry(0, x).Ry(1, x).CX(0, 1).Ry(0, theta[0]).Ry(1, theta[1]);
        var circuit = b.Build();
        var observable = PauliSum.Parse("Z0 + 0.5*X0 X1");
        var sim = new Simulator();
        double expected = sim.Expectation(sim.Run(circuit, ParameterValues.Of(0.1, 0.2), InputValues.Of(0.5)), observable);
        var gradient = new double[2];
        new Differentiator().ValueAndGradient(circuit, ParameterValues.Of(0.1, 0.2), InputValues.Of(0.5), observable, gradient);

        Assert.That(Value(run, "expectation"), Is.EqualTo(expected).Within(Agreement));
        Assert.That(Value(run, "gradient_0"), Is.EqualTo(gradient[0]).Within(Agreement));
        Assert.That(Value(run, "gradient_1"), Is.EqualTo(gradient[1]).Within(Agreement));
        Assert.That(Value(run, "shift_gradient_0"), Is.EqualTo(gradient[0]).Within(1e-10), "parameter shift = adjoint");
        Assert.That(Math.Abs(gradient[0]), Is.GreaterThan(1e-3));
        Assert.That(run.Text, Does.Contain("RY(theta[0])"), "the text diagram");
        Assert.That(run.Html.Count(h => h.Contains("<svg", StringComparison.Ordinal)), Is.EqualTo(2), "the circuit and the plot displayed as SVG");
    }

    [Test]
    public void TangentKernel_ValuesMatchLibrary()
    {
        var run = Execute("02-tangent-kernel.ipynb");
        var circuit = CircuitFiles.Load(Path.Combine(_root, "circuits", "data_reuploading.qasm"));
        var data = Dataset.FromInputs([[0.1, 0.5], [0.9, -0.3], [-0.5, 0.2], [1.3, 0.8]], [1, -1, 1, -1], circuit.InputNames);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        double[] theta0 = InitialParameters.Uniform(circuit.ParameterCount, seed: 3);
        var k0 = model.Kernel(theta0, data);
        var training = GradientDescent.Train(model.Bind(data), data.LabelArray(), theta0,
            new TrainingOptions { LearningRate = 0.05, Steps = 200, Record = RecordSchedule.Every(10) });

        Assert.That(Value(run, "trace"), Is.EqualTo(k0.Trace).Within(Agreement * k0.Trace));
        Assert.That(Value(run, "lambda_max"), Is.EqualTo(k0.MaxEigenvalue).Within(Agreement * k0.Trace));
        Assert.That(Value(run, "critical_learning_rate"), Is.EqualTo(2 / k0.MaxEigenvalue).Within(1e-10));
        Assert.That(Value(run, "final_loss"), Is.EqualTo(training.Records[^1].Loss).Within(1e-10));
        Assert.That(Value(run, "final_loss"), Is.LessThan(training.Records[0].Loss), "training lowers the loss");
        Assert.That(Value(run, "kernel_relative_change"), Is.EqualTo(training.KernelDeviations()[^1].RelativeChange).Within(1e-10));
        Assert.That(run.Html.Count(h => h.Contains("<svg", StringComparison.Ordinal)), Is.EqualTo(2));
    }

    [Test]
    public void Reproduction_ShowsSublinearConvergenceAsTheLibrary()
    {
        var run = Execute("03-reproduction.ipynb");
        const int qubits = 3, layers = 64;
        var model = PaperModel.CreateRandom(qubits, layers, seed: 1, gamma: 1.0);
        var data = Dataset.OrthonormalStates(qubits, count: 2, seed: 2);
        double[] theta0 = InitialParameters.Uniform(layers, seed: 3);
        var engine = model.CreateEngine(data.States!);
        var training = GradientDescent.Train(engine, data.LabelArray(), theta0,
            TrainingOptions.Rescaled(eta0: 0.25, parameters: layers, steps: 4000) with { Record = RecordSchedule.Logarithmic(20) });

        Assert.That(Value(run, "final_residual_norm"), Is.EqualTo(training.Records[^1].ResidualNorm).Within(1e-10));
        Assert.That(run.Checks["diagnosis"], Is.EqualTo("Sublinear"));
        Assert.That(Value(run, "loglog_slope"), Is.InRange(-1.1, -0.8), "‖r‖ ~ 1/s");
        double ratio = Value(run, "asymptotic_residual_norm") / Value(run, "final_residual_norm");
        Assert.That(ratio, Is.InRange(0.4, 1.6), "the asymptotic dynamics follows training at p = 64");
        Assert.That(run.Html.Count(h => h.Contains("<svg", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public void Noise_ValuesMatchLibraryAndClosedForms()
    {
        var run = Execute("04-noise.ipynb");
        const int layers = 3;
        static Circuit Model(double globalDepolarizing = 0)
        {
            var b = new CircuitBuilder(2);
            var x = b.Input("x");
            var theta = b.Parameters("theta", 2 * layers);
            for (int l = 0; l < layers; l++)
            {
                b.Ry(0, x).Ry(0, theta[2 * l]).Ry(1, theta[2 * l + 1]).CZ(0, 1).Rx(1, 0.5 * x);
                if (globalDepolarizing > 0) b.Channel(NoiseChannel.GlobalDepolarizing(globalDepolarizing, 2), 0, 1);
            }
            return b.Build();
        }
        var circuit = Model();
        var parameters = ParameterValues.Of(0.3, -0.7, 1.1, 0.4, -1.3, 0.9);
        var input = InputValues.Of(0.6);
        var observable = PauliSum.Parse("Z0 + 0.5*Z1");
        var noise = NoiseModel.Ideal.WithGateNoise(NoiseChannel.Depolarizing(0.02));
        var sim = new Simulator();
        var dm = new DensityMatrixSimulator();
        double ideal = sim.Expectation(sim.Run(circuit, parameters, input), observable);
        var rho = dm.Run(circuit, parameters, input, noise);
        double noisy = dm.Expectation(rho, observable);

        Assert.That(Value(run, "ideal_value"), Is.EqualTo(ideal).Within(Agreement));
        Assert.That(Value(run, "noisy_value"), Is.EqualTo(noisy).Within(Agreement));
        Assert.That(Math.Abs(noisy), Is.LessThan(Math.Abs(ideal)), "depolarizing noise pulls the readout towards 0");
        Assert.That(Value(run, "purity"), Is.EqualTo(rho.Purity()).Within(Agreement).And.InRange(0.25, 1 - 1e-3));

        // Trajectories: the same seed gives the same estimate; the estimate lies within 5 standard errors of the exact value
        // (seeded, so deterministic; for a fresh seed a 5σ miss has probability 6e-7).
        var estimate = new TrajectorySimulator().Estimate(circuit, parameters, input, [observable], noise, 4000, 7);
        Assert.That(Value(run, "trajectory_value"), Is.EqualTo(estimate.Values[0]).Within(Agreement));
        Assert.That(Value(run, "trajectory_standard_error"), Is.EqualTo(estimate.StandardErrors[0]).Within(Agreement));
        Assert.That(Math.Abs(Value(run, "trajectory_value") - noisy), Is.LessThan(5 * Value(run, "trajectory_standard_error")));

        // The closed form, independent of the simulator: global depolarizing after every layer scales by (1 − p)^L.
        Assert.That(Value(run, "global_ratio"), Is.EqualTo(Math.Pow(1 - 0.05, layers)).Within(1e-12));

        var adjoint = new NoisyDifferentiator(noise).ValueAndGradient(circuit, parameters, input, observable);
        for (int j = 0; j < circuit.ParameterCount; j++)
        {
            Assert.That(Value(run, $"noisy_gradient_{j}"), Is.EqualTo(adjoint.Gradient[j]).Within(Agreement), $"∂/∂θ{j}");
            Assert.That(Value(run, $"shift_gradient_{j}"), Is.EqualTo(adjoint.Gradient[j]).Within(1e-10), $"parameter shift = adjoint, θ{j}");
        }
        Assert.That(adjoint.Gradient.Max(Math.Abs), Is.GreaterThan(0.1));

        InputValues[] samples = [.. Enumerable.Range(0, 6).Select(i => InputValues.Of(-1.5 + 0.6 * i))];
        TangentKernel KernelOf(JacobianResult j) => TangentKernel.FromJacobian(j.Data, samples.Length, circuit.ParameterCount);
        var k0 = KernelOf(new Differentiator().Jacobian(circuit, parameters, samples, [observable]));
        var local = KernelOf(new NoisyDifferentiator(noise).Jacobian(circuit, parameters, samples, [observable]));
        Assert.That(Value(run, "kernel_trace_ideal"), Is.EqualTo(k0.Trace).Within(Agreement * k0.Trace));
        Assert.That(Value(run, "kernel_trace_ratio_local_0.02"), Is.EqualTo(local.Trace / k0.Trace).Within(1e-12).And.LessThan(1));
        Assert.That(Value(run, "critical_learning_rate_local_0.02"), Is.EqualTo(local.CriticalLearningRate).Within(1e-10));
        Assert.That(Value(run, "kernel_trace_ratio_global_0.02"), Is.EqualTo(Math.Pow(1 - 0.02, 2 * layers)).Within(1e-10), "K × (1 − p)^{2L}");
        Assert.That(run.Text, Does.Contain("┤ D(0.02) ├"), "the noisy circuit's text diagram shows its channels");
        Assert.That(run.Html.Count(h => h.Contains("<svg", StringComparison.Ordinal)), Is.EqualTo(2), "the circuit and the kernel plot");
    }

    [Test]
    public void EveryNotebook_HasATest()
    {
        var notebooks = Directory.GetFiles(Path.Combine(_root, "docs", "notebooks"), "*.ipynb").Select(Path.GetFileName).Order().ToArray();
        Assert.That(notebooks, Is.EqualTo(new[] { "01-quickstart.ipynb", "02-tangent-kernel.ipynb", "03-reproduction.ipynb", "04-noise.ipynb" }),
            "a new notebook needs a test in NotebookTests that checks its values");
    }
}
