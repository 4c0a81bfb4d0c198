using System.Globalization;
using QnnSim.Circuits;
using QnnSim.Cli;
using QnnSim.Interop;
using QnnSim.Observables;
using QnnSim.Simulation;

namespace QnnSim.Tests.Cli;

/// <summary><c>qnnsim info</c> and <c>qnnsim run</c> on every OpenQASM sample in circuits/ (copied next to the test assembly).</summary>
[TestFixture]
public class SampleCircuitTests
{
    private static string CircuitsFolder => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits");

    private static IEnumerable<TestCaseData> Samples()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "circuits");
        if (!Directory.Exists(folder)) yield break;
        foreach (var f in Directory.GetFiles(folder, "*.qasm").OrderBy(f => f, StringComparer.Ordinal))
            yield return new TestCaseData(Path.GetFileName(f)).SetName($"Sample_{Path.GetFileNameWithoutExtension(f)}_InfoAndRunAgreeWithLibrary");
    }

    [Test]
    public void Samples_Exist() => Assert.That(Samples().Count(), Is.GreaterThan(0), $"no .qasm samples in {CircuitsFolder}");

    [TestCaseSource(nameof(Samples))]
    public void Sample(string name)
    {
        string path = Path.Combine(CircuitsFolder, name);
        var circuit = CircuitFiles.Load(path);

        var info = CliHarness.Run("info", path, "--json");
        Assert.That(info.Code, Is.EqualTo(ExitCodes.Success), info.ToString());
        var j = info.Json();
        Assert.That(j.GetProperty("qubits").GetInt32(), Is.EqualTo(circuit.QubitCount));
        Assert.That(j.GetProperty("operations").GetInt32(), Is.EqualTo(circuit.Operations.Length));
        Assert.That(j.GetProperty("depth").GetInt32(), Is.EqualTo(circuit.Depth()));
        Assert.That(j.GetProperty("parameters").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(circuit.ParameterNames));
        Assert.That(j.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(circuit.InputNames));

        var args = new List<string> { "run", path, "--json", "--observable", "Z0", "--observable", $"X{circuit.QubitCount - 1} + 0.5*Z0 Y{circuit.QubitCount - 1}" };
        var theta = new double[circuit.ParameterCount];
        var x = new double[circuit.InputCount];
        for (int k = 0; k < theta.Length; k++) { theta[k] = 0.1 * (k + 1); args.AddRange(["--bind", $"{circuit.ParameterNames[k]}={theta[k].ToString("R", CultureInfo.InvariantCulture)}"]); }
        for (int k = 0; k < x.Length; k++) { x[k] = -0.3 * (k + 1); args.AddRange(["--bind", $"{circuit.InputNames[k]}={x[k].ToString("R", CultureInfo.InvariantCulture)}"]); }
        var run = CliHarness.Run([.. args]);
        Assert.That(run.Code, Is.EqualTo(ExitCodes.Success), run.ToString());

        var sim = new Simulator();
        var psi = sim.Run(circuit, ParameterValues.Of(theta), InputValues.Of(x));
        var e = run.Json().GetProperty("expectations");
        Assert.That(e[0].GetProperty("value").GetDouble(), Is.EqualTo(sim.Expectation(psi, PauliSum.Parse(args[4]))).Within(CliTolerances.JsonRoundTrip));
        Assert.That(e[1].GetProperty("value").GetDouble(), Is.EqualTo(sim.Expectation(psi, PauliSum.Parse(args[6]))).Within(CliTolerances.JsonRoundTrip));
    }
}
