using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Interop;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.Tests.Interop;

namespace QnnSim.Tests.Cli;

/// <summary>--out X.npy on jacobian, qntk (with --spectrum-out), train and run --state, against the library called directly.</summary>
public sealed class NpyOutputTests
{
    private static string Circuit => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits", "data_reuploading.qasm");

    private const string Data = "x[0],x[1],label\n0.1,0.5,1\n0.9,-0.3,-1\n-0.5,0.2,1\n";

    private static readonly Dataset Samples = Dataset.FromInputs([[0.1, 0.5], [0.9, -0.3], [-0.5, 0.2]], [1, -1, 1]);

    [Test]
    public void Jacobian_OutNpy_IsRowMajorSampleTimesObservable()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        string path = Path.Combine(h.Folder, "J.npy");
        var o = CliHarness.Run("jacobian", Circuit, "--data", data, "--observable", "Z0", "--observable", "X1", "--init", "uniform", "--seed", "5", "--out", path);
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());

        var circuit = CircuitFiles.Load(Circuit);
        var theta = InitialParameters.Uniform(circuit.ParameterCount, 5);
        var expected = new Differentiator().Jacobian(circuit, ParameterValues.Of(theta), [.. Samples.Inputs!],
            [PauliSum.Parse("Z0"), PauliSum.Parse("X1")]);
        var (descr, shape, values) = NpyTestReader.Read(path);
        Assert.That(descr, Is.EqualTo("<f8"));
        Assert.That(shape, Is.EqualTo(new[] { 6, circuit.ParameterCount }));
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < circuit.ParameterCount; c++)
                Assert.That(values[r * circuit.ParameterCount + c], Is.EqualTo(expected[r, c]), $"[{r},{c}]");
        Assert.That(values.Max(Math.Abs), Is.GreaterThan(1e-3));
    }

    [Test]
    public void Qntk_OutNpyAndSpectrum_EqualLibraryKernel()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        string k = Path.Combine(h.Folder, "K.npy"), e = Path.Combine(h.Folder, "E.npy"), ecsv = Path.Combine(h.Folder, "E.csv");
        Assert.That(CliHarness.Run("qntk", Circuit, "--data", data, "--observable", "Z0", "--init", "uniform", "--seed", "3", "--out", k, "--spectrum-out", e).Code, Is.EqualTo(0));
        Assert.That(CliHarness.Run("qntk", Circuit, "--data", data, "--observable", "Z0", "--init", "uniform", "--seed", "3", "--spectrum-out", ecsv).Code, Is.EqualTo(0));

        var circuit = CircuitFiles.Load(Circuit);
        var kernel = new QnnModel(circuit, PauliSum.Parse("Z0")).Kernel(InitialParameters.Uniform(circuit.ParameterCount, 3), Samples);
        var (descr, shape, values) = NpyTestReader.Read(k);
        Assert.That((descr, shape), Is.EqualTo(("<f8", new[] { 3, 3 })));
        Assert.That(values, Is.EqualTo(kernel.ToArray().Cast<double>()).Within(1e-12), "row-major K");
        var spectrum = NpyTestReader.Read(e);
        Assert.That(spectrum.Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(spectrum.Values, Is.EqualTo(kernel.Eigenvalues).Within(1e-12));
        Assert.That(spectrum.Values, Is.Ordered.Ascending);
        Assert.That(File.ReadAllLines(ecsv), Is.EqualTo(new[] { "index,eigenvalue" }.Concat(spectrum.Values.Select((v, i) => $"{i},{v:R}"))));
    }

    [Test]
    public void Train_OutNpy_HoldsRecordsAndOutputs()
    {
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        string path = Path.Combine(h.Folder, "run.npy");
        var o = CliHarness.Run("train", Circuit, "--data", data, "--observable", "Z0", "--lr", "0.05", "--steps", "20", "--record", "every:5", "--out", path, "--json");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var records = o.Json().GetProperty("records").EnumerateArray().ToArray();
        var (descr, shape, values) = NpyTestReader.Read(path);
        int width = 9 + 3;
        Assert.That((descr, shape), Is.EqualTo(("<f8", new[] { 5, width })));
        string[] keys = ["step", "s", "loss", "residual_norm", "frozen_residual_norm", "kernel_trace_ratio", "kernel_relative_change", "kernel_alignment", "parameter_displacement"];
        for (int i = 0; i < records.Length; i++)
        {
            for (int c = 0; c < keys.Length; c++)
                Assert.That(values[i * width + c], Is.EqualTo(records[i].GetProperty(keys[c]).GetDouble()), $"record {i} {keys[c]}");
            var outputs = records[i].GetProperty("outputs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.That(values.AsSpan(i * width + keys.Length, 3).ToArray(), Is.EqualTo(outputs), $"record {i} outputs");
        }
        Assert.That(values[4 * width], Is.EqualTo(20), "the last record is step 20");
    }

    [Test]
    public void Run_StateOutNpy_IsComplexQubit0LeastSignificant()
    {
        using var h = new CliHarness();
        string file = h.Write("x.qasm", TestCircuits.XOnQubit0);
        string path = Path.Combine(h.Folder, "psi.npy");
        var o = CliHarness.Run("run", file, "--state", "--out", path);
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        var (descr, shape, values) = NpyTestReader.Read(path);
        Assert.That((descr, shape), Is.EqualTo(("<c16", new[] { 4 })));
        Assert.That(values, Is.EqualTo(new double[] { 0, 0, 1, 0, 0, 0, 0, 0 }), "X on qubit 0 gives basis index 1");
    }

    [Test]
    public void Run_OutWithoutState_IsUsageError()
    {
        using var h = new CliHarness();
        string file = h.Write("x.qasm", TestCircuits.XOnQubit0);
        var o = CliHarness.Run("run", file, "--out", Path.Combine(h.Folder, "psi.npy"));
        Assert.That(o.Code, Is.EqualTo(QnnSim.Cli.ExitCodes.UsageError), o.ToString());
        Assert.That(o.Err, Does.Contain("--state"));
    }
}
