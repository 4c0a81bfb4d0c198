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

    /// <summary>
    /// What a Python user does: numpy.load the .npy files and numpy.loadtxt the CSV files of the same commands. The
    /// dtype and shape are NumPy's own reading, the CSV index columns (sample, observable; sample; index) count rows as
    /// documented, and the CSV values equal the .npy values bit for bit (both are written in round-trip precision).
    /// Needs a python3 with NumPy: Debian's python3-numpy, installed with apt-get when missing and running as root.
    /// </summary>
    [Test]
    public void NumpyLoad_CliOutputs_ShapesDtypesAndCsvIndexColumnsAsDocumented()
    {
        string python = NumpyPython.Ensure();
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data), bell = h.Write("bell.qasm", TestCircuits.BellRy);
        string F(string name) => Path.Combine(h.Folder, name);
        foreach (var ext in new[] { "npy", "csv" })
        {
            Assert.That(CliHarness.Run("jacobian", Circuit, "--data", data, "--observable", "Z0", "--observable", "X1", "--init", "uniform", "--seed", "5", "--out", F("J." + ext)).Code, Is.EqualTo(0));
            Assert.That(CliHarness.Run("qntk", Circuit, "--data", data, "--observable", "Z0", "--init", "uniform", "--seed", "3", "--out", F("K." + ext), "--spectrum-out", F("E." + ext)).Code, Is.EqualTo(0));
            Assert.That(CliHarness.Run("run", bell, "--bind", "t=0.3", "--state", "--out", F("psi." + ext)).Code, Is.EqualTo(0));
        }
        Assert.That(CliHarness.Run("train", Circuit, "--data", data, "--observable", "Z0", "--lr", "0.05", "--steps", "20", "--record", "every:5", "--out", F("run.npy")).Code, Is.EqualTo(0));
        const string script = """
            import numpy as np, sys, os
            d = sys.argv[1]
            load = lambda n: np.load(os.path.join(d, n))
            csv = lambda n: np.loadtxt(os.path.join(d, n), delimiter=',', skiprows=1, ndmin=2)
            J, K, E, psi, run = load('J.npy'), load('K.npy'), load('E.npy'), load('psi.npy'), load('run.npy')
            for name, a in [('J', J), ('K', K), ('E', E), ('psi', psi), ('run', run)]:
                print(name, a.dtype.str, a.shape, a.flags['C_CONTIGUOUS'])
            Jc, Kc, Ec, Pc = csv('J.csv'), csv('K.csv'), csv('E.csv'), csv('psi.csv')
            m, k = 3, 2
            print('J_index', np.array_equal(Jc[:, 0], np.repeat(np.arange(m), k)), np.array_equal(Jc[:, 1], np.tile(np.arange(k), m)))
            print('J_values', np.array_equal(Jc[:, 2:], J))
            print('K_index', np.array_equal(Kc[:, 0], np.arange(m)), 'K_values', np.array_equal(Kc[:, 1:], K), 'K_symmetric', np.array_equal(K, K.T))
            print('E_values', np.array_equal(Ec[:, 0], np.arange(m)) and np.array_equal(Ec[:, 1], E), 'E_eigh', np.allclose(np.linalg.eigvalsh(K), E, rtol=0, atol=1e-12))
            print('psi_values', np.array_equal(Pc[:, 0], np.arange(4)) and np.array_equal(Pc[:, 1] + 1j * Pc[:, 2], psi), 'psi_norm', abs(np.vdot(psi, psi) - 1) < 1e-14)
            print('run_steps', [int(s) for s in run[:, 0]])
            """;
        var lines = NumpyPython.Run(python, script, h.Folder).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToArray();
        TestContext.Out.WriteLine(string.Join("\n", lines));
        var circuit = CircuitFiles.Load(Circuit);
        Assert.That(lines, Is.EqualTo(new[]
        {
            $"J <f8 (6, {circuit.ParameterCount}) True",
            "K <f8 (3, 3) True",
            "E <f8 (3,) True",
            "psi <c16 (4,) True",
            "run <f8 (5, 12) True",
            "J_index True True",
            "J_values True",
            "K_index True K_values True K_symmetric True",
            "E_values True E_eigh True",
            "psi_values True psi_norm True",
            "run_steps [0, 5, 10, 15, 20]",
        }));
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
