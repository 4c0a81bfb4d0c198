using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Cli;
using QnnSim.Gradients;
using QnnSim.Interop;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Analysis.Noisy;

/// <summary>--noise, --backend, --trajectories and --shots on train, qntk, jacobian and experiment convergence (issue 11).</summary>
[TestFixture]
public class NoisyCliTests
{
    private const string Circuit = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[2] q;
        input float[64] x;
        input float[64] a;
        input float[64] b;
        input float[64] c;
        ry(x) q[0];
        ry(a) q[0];
        cx q[0], q[1];
        ry(b) q[1];
        rx(x) q[1];
        rz(c) q[0];
        ry(c) q[0];
        """;

    private const string Data = "x,label\n0.1,1\n0.5,-1\n0.9,1\n1.7,-1\n";

    private static Circuit Load(string path) => CircuitFiles.Load(path, new CircuitLoadOptions { InputNames = ["x"] });

    private static Dataset Dataset() => QnnSim.Analysis.Dataset.FromInputs([[0.1], [0.5], [0.9], [1.7]], [1, -1, 1, -1], ["x"]);

    [Test]
    public void Train_NoiseAndShots_SameOnOneAndTwoThreadsAndEqualToTheLibrary()
    {
        using var h = new CliHarness();
        string path = h.Write("k.qasm", Circuit);
        string data = h.Write("d.csv", Data);
        string[] args = ["train", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--lr", "0.2", "--steps", "6",
            "--init", "uniform", "--seed", "5", "--noise", "depolarizing=0.05", "--shots", "64", "--json"];
        var one = CliHarness.Run([.. args, "--threads", "1"]);
        var two = CliHarness.Run([.. args, "--threads", "2"]);
        Assert.That(one.Code, Is.EqualTo(ExitCodes.Success), one.ToString());
        var json = one.Json();
        Assert.That(json.GetProperty("backend").GetString(), Is.EqualTo("density"));
        Assert.That(json.GetProperty("readout").GetString(), Is.EqualTo("shots"));
        Assert.That(json.GetProperty("shots").GetInt32(), Is.EqualTo(64));
        Assert.That(json.GetProperty("noise").GetString(), Does.Contain("depolarizing(0.05)"));
        Assert.That(two.Json().GetProperty("final_parameters").ToString(), Is.EqualTo(json.GetProperty("final_parameters").ToString()), "bit-identical on 1 and 2 threads");

        // The library, with the same θ_0 (--init uniform --seed 5 draws it), noise and shot seed.
        var circuit = Load(path);
        var theta0 = InitialTheta(path, h);
        var model = new QnnModel(circuit, PauliSum.Parse("Z1"), new GradientOptions { MaxDegreeOfParallelism = 2 })
            .WithNoise(new ModelNoise(NoiseModelParser.ParseSpec("depolarizing=0.05"), Seed: 5)).WithReadout(ReadoutMode.Shots(64, 5));
        var run = GradientDescent.Train(model.Bind(Dataset()), [1, -1, 1, -1], theta0, new TrainingOptions { LearningRate = 0.2, Steps = 6 });
        var cli = json.GetProperty("final_parameters").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.That(cli, Is.EqualTo(run.FinalParameters).AsCollection);

        // Another shot seed gives another run.
        var other = CliHarness.Run([.. args.Select(a => a == "5" ? "6" : a)]);
        Assert.That(other.Json().GetProperty("final_parameters").ToString(), Is.Not.EqualTo(json.GetProperty("final_parameters").ToString()));
    }

    /// <summary>θ_0 of --init uniform --seed 5, read back from a zero-step run's saved parameters.</summary>
    private static double[] InitialTheta(string path, CliHarness h)
    {
        string data = h.Write("d0.csv", Data);
        var r = CliHarness.Run("train", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--lr", "0.2", "--steps", "0",
            "--init", "uniform", "--seed", "5", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        return [.. r.Json().GetProperty("final_parameters").EnumerateArray().Select(v => v.GetDouble())];
    }

    [Test]
    public void Train_GeneralModeOnTrajectories_RecordsTrajectoriesAndTrains()
    {
        using var h = new CliHarness();
        string path = h.Write("k.qasm", Circuit);
        string data = h.Write("d.csv", Data);
        var r = CliHarness.Run("train", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--lr", "0.1", "--epochs", "2",
            "--optimizer", "adam", "--batch-size", "2", "--noise", "depolarizing=0.02", "--backend", "trajectories", "--trajectories", "40", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var json = r.Json();
        Assert.That(json.GetProperty("mode").GetString(), Is.EqualTo("fit"));
        Assert.That(json.GetProperty("backend").GetString(), Is.EqualTo("trajectories"));
        Assert.That(json.GetProperty("trajectories").GetInt32(), Is.EqualTo(40));
        Assert.That(json.GetProperty("readout").GetString(), Is.EqualTo("exact"));
        Assert.That(json.GetProperty("steps_completed").GetInt32(), Is.EqualTo(4));
    }

    [TestCase("train")]
    [TestCase("qntk")]
    [TestCase("jacobian")]
    public void ShotsWithTrajectories_RunSeededAndRefuseOneShot(string command)
    {
        using var h = new CliHarness();
        string path = h.Write("k.qasm", Circuit);
        string data = h.Write("d.csv", Data);
        string[] args = command == "train"
            ? ["train", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--lr", "0.1", "--steps", "2"]
            : [command, path, "--data", data, "--input-name", "x", "--observable", "Z1"];
        string[] noisy = [.. args, "--noise", "depolarizing=0.05", "--backend", "trajectories", "--trajectories", "8", "--seed", "3", "--json"];
        var one = CliHarness.Run([.. noisy, "--shots", "40", "--threads", "1"]);
        var two = CliHarness.Run([.. noisy, "--shots", "40", "--threads", "2"]);
        Assert.That(one.Code, Is.EqualTo(ExitCodes.Success), one.ToString());
        Assert.That(one.Json().GetProperty("backend").GetString(), Is.EqualTo("trajectories"));
        Assert.That(one.Json().GetProperty("readout").GetString(), Is.EqualTo("shots"));
        Assert.That(two.Out, Is.EqualTo(one.Out), "bit-identical on 1 and 2 threads");
        var exact = CliHarness.Run([.. noisy]);
        Assert.That(exact.Code, Is.EqualTo(ExitCodes.Success), exact.ToString());
        Assert.That(exact.Out, Is.Not.EqualTo(one.Out), "shots change the estimates");
        var r = CliHarness.Run([.. noisy, "--shots", "1"]);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.UsageError), r.ToString());
        Assert.That(r.Err, Does.Contain("--shots 1 with --backend trajectories: at least 2 shots"));
    }

    [Test]
    public void Grad_NoiseWithShots_EstimatesTheDensityGradientWithinStandardErrors()
    {
        using var h = new CliHarness();
        string path = h.Write("k.qasm", Circuit);
        var r = CliHarness.Run("grad", path, "--input-name", "x", "--bind", "x=0.4", "--bind", "a=0.3", "--bind", "b=-0.6", "--bind", "c=1.1",
            "--observable", "Z1", "--noise", "depolarizing=0.05", "--shots", "4000", "--seed", "2", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var json = r.Json();
        var circuit = Load(path);
        var exact = new NoisyDifferentiator(NoiseModelParser.ParseSpec("depolarizing=0.05"))
            .ValueAndGradient(circuit, ParameterValues.Of(0.3, -0.6, 1.1), InputValues.Of(0.4), PauliSum.Parse("Z1"));
        Assert.That(json.GetProperty("value").GetDouble(), Is.EqualTo(exact.Value).Within(NoisyTolerances.Exact), "the value stays exact");
        string[] names = ["a", "b", "c"];
        for (int j = 0; j < 3; j++)
        {
            double g = json.GetProperty("gradient").GetProperty(names[j]).GetDouble();
            double se = json.GetProperty("standard_error").GetProperty(names[j]).GetDouble();
            Assert.That(se, Is.GreaterThan(0));
            Assert.That(Math.Abs(g - exact.Gradient[j]), Is.LessThanOrEqualTo(NoisyTolerances.Sigmas * se), names[j]);
        }
        // 4000 shots × 1 term × (1 unshifted + 2 per angle that depends on θ: ry(a), ry(b), rz(c), ry(c); ry(x) and
        // rx(x) depend on the data input alone and are not shifted).
        Assert.That(json.GetProperty("total_shots").GetInt64(), Is.EqualTo(4000L * (1 + 2 * 4)));

        // On trajectories the shots are split over the trajectories: the value is an estimate with its standard error.
        var t = CliHarness.Run("grad", path, "--input-name", "x", "--bind", "x=0.4", "--bind", "a=0.3", "--bind", "b=-0.6", "--bind", "c=1.1",
            "--observable", "Z1", "--noise", "depolarizing=0.05", "--backend", "trajectories", "--trajectories", "400", "--shots", "4000", "--seed", "2", "--json");
        Assert.That(t.Code, Is.EqualTo(ExitCodes.Success), t.ToString());
        var tj = t.Json();
        double vse = tj.GetProperty("value_standard_error").GetDouble();
        Assert.That(vse, Is.GreaterThan(0));
        Assert.That(Math.Abs(tj.GetProperty("value").GetDouble() - exact.Value), Is.LessThanOrEqualTo(NoisyTolerances.Sigmas * vse));
        for (int j = 0; j < 3; j++)
        {
            double g = tj.GetProperty("gradient").GetProperty(names[j]).GetDouble();
            double se = tj.GetProperty("standard_error").GetProperty(names[j]).GetDouble();
            Assert.That(Math.Abs(g - exact.Gradient[j]), Is.LessThanOrEqualTo(NoisyTolerances.Sigmas * se), names[j]);
        }
        Assert.That(tj.GetProperty("total_shots").GetInt64(), Is.EqualTo(4000L * (1 + 2 * 4)));
    }

    [Test]
    public void Jacobian_Shots_RecordsReadoutInJsonAndCsvAndIsSeeded()
    {
        using var h = new CliHarness();
        string path = h.Write("k.qasm", Circuit);
        string data = h.Write("d.csv", Data);
        string csv = Path.Combine(h.Folder, "J.csv");
        string[] args = ["jacobian", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--observable", "X0", "--noise", "amplitude-damping=0.1", "--shots", "100", "--seed", "3"];
        var r = CliHarness.Run([.. args, "--json"]);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var json = r.Json();
        Assert.That(json.GetProperty("readout").GetString(), Is.EqualTo("shots"));
        Assert.That(json.GetProperty("shot_seed").GetInt32(), Is.EqualTo(3));
        Assert.That(json.GetProperty("rows").GetInt32(), Is.EqualTo(8));
        Assert.That(CliHarness.Run([.. args, "--json"]).Json().GetProperty("jacobian").ToString(), Is.EqualTo(json.GetProperty("jacobian").ToString()), "seeded");
        Assert.That(CliHarness.Run([.. args.Select(a => a == "3" ? "4" : a), "--json"]).Json().GetProperty("jacobian").ToString(), Is.Not.EqualTo(json.GetProperty("jacobian").ToString()));
        var w = CliHarness.Run([.. args, "--out", csv]);
        Assert.That(w.Code, Is.EqualTo(ExitCodes.Success), w.ToString());
        var lines = File.ReadAllLines(csv);
        Assert.That(lines[0], Does.StartWith("# backend=density; noise=").And.Contain("readout=shots=100; shot_seed=3"));
        Assert.That(lines[1], Does.StartWith("sample,observable,a,b,c"));
        Assert.That(lines, Has.Length.EqualTo(2 + 8));
        // Exact noiseless CSV output is unchanged: no comment line.
        CliHarness.Run("jacobian", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--out", csv);
        Assert.That(File.ReadAllLines(csv)[0], Does.StartWith("sample,"));
    }

    [Test]
    public void Qntk_ShotsOnStateVector_KernelMeanApproachesExactPlusShotVariance()
    {
        // E[Ĵ Ĵᵀ] = J Jᵀ + Cov(Ĵ): with many shots the shot kernel approaches the exact kernel; check it lies within
        // 10% in trace (shot variance per entry ≤ Σ c²/N ≈ 1/(2·4000) per shifted pair: a relative bias below 1e-3 here).
        using var h = new CliHarness();
        string path = h.Write("k.qasm", Circuit);
        string data = h.Write("d.csv", Data);
        string p = h.Write("p.csv", "name,value\na,0.3\nb,-0.6\nc,1.1\n");
        var exact = CliHarness.Run("qntk", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--params", p, "--json").Json();
        var shots = CliHarness.Run("qntk", path, "--data", data, "--input-name", "x", "--observable", "Z1", "--params", p, "--shots", "4000", "--json").Json();
        Assert.That(exact.GetProperty("readout").GetString(), Is.EqualTo("exact"));
        Assert.That(exact.GetProperty("backend").GetString(), Is.EqualTo("statevector"));
        Assert.That(shots.GetProperty("trace").GetDouble(), Is.EqualTo(exact.GetProperty("trace").GetDouble()).Within(10).Percent);
        Assert.That(shots.GetProperty("trace").GetDouble(), Is.Not.EqualTo(exact.GetProperty("trace").GetDouble()));
    }

    [Test]
    public void ExperimentConvergence_ZeroNoiseOnDensityMatrix_EqualsThePureStateEngine()
    {
        // The paper's model through QnnModel on the density matrix (states prepared by Householder reflections, adjoint
        // through the Heisenberg sweep) against the dedicated pure-state engine: the same training, record for record.
        string[] args = ["experiment", "convergence", "--qubits", "2", "--layers", "6", "--samples", "2", "--steps", "30", "--seed", "4", "--json"];
        var pure = CliHarness.Run(args);
        var density = CliHarness.Run([.. args, "--noise", "depolarizing=0"]);
        Assert.That(density.Code, Is.EqualTo(ExitCodes.Success), density.ToString());
        Assert.That(density.Json().GetProperty("backend").GetString(), Is.EqualTo("density"));
        var a = pure.Json().GetProperty("records");
        var b = density.Json().GetProperty("records");
        Assert.That(b.GetArrayLength(), Is.EqualTo(a.GetArrayLength()));
        for (int i = 0; i < a.GetArrayLength(); i++)
        {
            Assert.That(b[i].GetProperty("residual_norm").GetDouble(), Is.EqualTo(a[i].GetProperty("residual_norm").GetDouble()).Within(NoisyTolerances.Exact), $"record {i}");
            Assert.That(b[i].GetProperty("kernel_trace_ratio").GetDouble(), Is.EqualTo(a[i].GetProperty("kernel_trace_ratio").GetDouble()).Within(NoisyTolerances.Exact), $"record {i}");
        }
        // With noise the outputs shrink: the residual at the start is larger than without (labels ±1, outputs pulled to 0).
        var noisy = CliHarness.Run([.. args, "--noise", "depolarizing=0.1"]).Json().GetProperty("records");
        Assert.That(noisy[noisy.GetArrayLength() - 1].GetProperty("residual_norm").GetDouble(),
            Is.GreaterThan(a[a.GetArrayLength() - 1].GetProperty("residual_norm").GetDouble()));
    }
}
