using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Tests.Analysis.Noisy;

/// <summary>
/// The analysis under noise and finite shots (issue 11, "Analysis under noise"): <see cref="NoisyModelEvaluator"/>
/// through <see cref="QnnModel.WithNoise(ModelNoise?)"/> and <see cref="QnnModel.WithReadout"/>, against independent
/// references — density-matrix values from <see cref="DensityMatrixSimulator"/>, central differences of them,
/// Monte-Carlo means with their standard errors — and reproducibility on 1 and 2 threads.
/// </summary>
[TestFixture]
public class NoisyModelTests
{
    private static readonly NoiseModel Noise = NoiseModelParser.ParseSpec("depolarizing=0.03;amplitude-damping=0.05");
    private static readonly PauliSum ZZ = PauliSum.Parse("Z0 Z1");
    private static readonly PauliSum Mixed = PauliSum.Parse("0.7*Z0 - 0.4*X1");

    /// <summary>2 qubits, inputs x0, x1; θ = (a, b, c) with a repeated, an affine angle 0.5·b + 0.3, a controlled rotation.</summary>
    private static Circuit Affine()
    {
        var b = new CircuitBuilder(2);
        var x = b.Inputs("x", 2);
        var t = b.Parameters("t", 3);
        b.Ry(0, x[0]).Ry(1, x[1]).Ry(0, t[0]).Rz(1, 0.5 * t[1] + 0.3).CX(0, 1).Rx(0, t[2]).CRy(1, 0, t[0]).Ry(1, x[0] * 0.5);
        return b.Build();
    }

    /// <summary>2 qubits, inputs x0, x1; each of the 4 parameters drives exactly one uncontrolled rotation.</summary>
    private static Circuit Simple()
    {
        var b = new CircuitBuilder(2);
        var x = b.Inputs("x", 2);
        var t = b.Parameters("t", 4);
        b.Ry(0, x[0]).Ry(1, x[1]).Ry(0, t[0]).Rx(1, t[1]).CX(0, 1).Rz(0, -t[2] + 0.2).Ry(1, t[3]).CZ(0, 1).Rx(0, x[1]);
        return b.Build();
    }

    private static Dataset Data(int m, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var inputs = Enumerable.Range(0, m).Select(_ => new[] { 2 * Math.PI * rng.NextDouble(), 2 * Math.PI * rng.NextDouble() }).ToArray();
        return Dataset.FromInputs(inputs, [.. Enumerable.Range(0, m).Select(i => i % 2 == 0 ? 1.0 : -1.0)], ["x0", "x1"]);
    }

    private static double[] Theta(int p, ulong seed)
    {
        var rng = new SeededRandom(seed);
        return [.. Enumerable.Range(0, p).Select(_ => 2 * Math.PI * rng.NextDouble())];
    }

    private static GradientOptions Threads(int t) => new() { MaxDegreeOfParallelism = t, Simulation = SimulationOptions.Default with { MaxThreads = t } };

    /// <summary>The reference: Tr(O ρ) from the density-matrix simulator with the noise model.</summary>
    private static double Reference(Circuit c, double[] theta, InputValues x, PauliSum o, NoiseModel? noise = null)
    {
        var sim = new DensityMatrixSimulator();
        return sim.Expectation(sim.Run(c, ParameterValues.Of(theta), x, noise ?? Noise), o);
    }

    [Test]
    public void Jacobian_DensityMatrix_MatchesDensityValuesAndCentralDifferences()
    {
        var circuit = Affine();
        var data = Data(4, 11);
        var theta = Theta(circuit.ParameterCount, 12);
        var model = new QnnModel(circuit, Mixed).WithNoise(Noise);
        var j = model.Jacobian(theta, data, out var outputs);
        const double h = 1e-5;
        for (int i = 0; i < data.Count; i++)
        {
            Assert.That(outputs[i], Is.EqualTo(Reference(circuit, theta, data.Inputs![i], Mixed)).Within(NoisyTolerances.Exact), $"value {i}");
            for (int l = 0; l < theta.Length; l++)
            {
                var tp = (double[])theta.Clone();
                var tm = (double[])theta.Clone();
                tp[l] += h;
                tm[l] -= h;
                double fd = (Reference(circuit, tp, data.Inputs[i], Mixed) - Reference(circuit, tm, data.Inputs[i], Mixed)) / (2 * h);
                Assert.That(j[i * theta.Length + l], Is.EqualTo(fd).Within(NoisyTolerances.FiniteDifference), $"J[{i},{l}]");
            }
        }
        // The noise shrinks the kernel here: the noisy kernel differs from the pure one by far more than round-off.
        var pure = new QnnModel(circuit, Mixed).Kernel(theta, data);
        var noisy = model.Kernel(theta, data);
        Assert.That(noisy.Trace, Is.LessThan(pure.Trace));
    }

    [Test]
    public void Kernel_IdealNoiseModel_EqualsPureStateKernel()
    {
        var circuit = Affine();
        var data = Data(5, 21);
        var theta = Theta(circuit.ParameterCount, 22);
        var pure = new QnnModel(circuit, ZZ).Kernel(theta, data);
        var ideal = new QnnModel(circuit, ZZ).WithNoise(NoiseModel.Ideal).Kernel(theta, data);
        for (int a = 0; a < data.Count; a++)
            for (int b = 0; b < data.Count; b++)
                Assert.That(ideal[a, b], Is.EqualTo(pure[a, b]).Within(NoisyTolerances.Exact));
    }

    [Test]
    public void BindBatches_MultipleReadouts_MatchDensityValuesPerReadout()
    {
        var circuit = Simple();
        var data = Data(3, 31);
        var theta = Theta(circuit.ParameterCount, 32);
        var model = new QnnModel(circuit, [ZZ, Mixed]).WithNoise(Noise);
        var predictions = model.Predict(theta, data);
        for (int i = 0; i < data.Count; i++)
        {
            Assert.That(predictions[2 * i], Is.EqualTo(Reference(circuit, theta, data.Inputs![i], ZZ)).Within(NoisyTolerances.Exact));
            Assert.That(predictions[2 * i + 1], Is.EqualTo(Reference(circuit, theta, data.Inputs[i], Mixed)).Within(NoisyTolerances.Exact));
        }
    }

    [Test]
    public void StateDataset_UnderNoise_PreparesEachStateNoiselessly()
    {
        // Reference: ρ_in = |ψ⟩⟨ψ| exactly, then the noisy circuit on it.
        var b = new CircuitBuilder(2);
        var t = b.Parameters("t", 2);
        b.Ry(0, t[0]).CX(0, 1).Rx(1, t[1]);
        var circuit = b.Build();
        var data = Dataset.OrthonormalStates(2, 3, 41);
        var theta = Theta(2, 42);
        var model = new QnnModel(circuit, Mixed).WithNoise(Noise);
        var j = model.Jacobian(theta, data, out var outputs);
        var sim = new DensityMatrixSimulator();
        for (int i = 0; i < data.Count; i++)
        {
            var rho = DensityMatrix.FromPureState(data.States![i]);
            sim.Apply(circuit, ParameterValues.Of(theta), InputValues.None, rho, Noise);
            Assert.That(outputs[i], Is.EqualTo(sim.Expectation(rho, Mixed)).Within(NoisyTolerances.Exact), $"sample {i}");
        }
        // Without noise the noisy backend (ideal model) and the pure-state path agree on the Jacobian too.
        var pure = new QnnModel(circuit, Mixed).Jacobian(theta, data, out _);
        var ideal = new QnnModel(circuit, Mixed).WithNoise(NoiseModel.Ideal).Jacobian(theta, data, out _);
        for (int e = 0; e < pure.Length; e++) Assert.That(ideal[e], Is.EqualTo(pure[e]).Within(NoisyTolerances.Exact));
        Assert.That(j.Any(v => v != 0));
    }

    [Test]
    public void Preparation_MapsZeroStateToTheInputState()
    {
        foreach (var state in Dataset.OrthonormalStates(3, 8, 51).States!.Append(StateVector.BasisState(3, 0)).Append(StateVector.BasisState(3, 5)))
        {
            var prepared = new Simulator().Run(NoisyModelEvaluator.Preparation(state), ParameterValues.None, InputValues.None);
            Assert.That(prepared.InnerProduct(state).Magnitude, Is.EqualTo(1.0).Within(NoisyTolerances.Exact));
        }
    }

    [Test]
    public void Dqntk_DensityMatrix_SimpleShiftsMatchSecondDifferencesOfDensityValues()
    {
        var circuit = Simple();
        var data = Data(2, 61);
        var theta = Theta(circuit.ParameterCount, 62);
        var model = new QnnModel(circuit, Mixed).WithNoise(Noise);
        Assert.That(model.HasSimpleShifts, Is.True);
        Assert.That(new QnnModel(Affine(), Mixed).HasSimpleShifts, Is.False);
        var hessians = model.Hessians(theta, data);
        const double h = 1e-3;
        int p = theta.Length;
        for (int i = 0; i < data.Count; i++)
            for (int l = 0; l < p; l++)
                for (int l2 = 0; l2 < p; l2++)
                {
                    double F(double dl, double dl2)
                    {
                        var t = (double[])theta.Clone();
                        t[l] += dl;
                        t[l2] += dl2;
                        return Reference(circuit, t, data.Inputs![i], Mixed);
                    }
                    double second = (F(h, h) - F(h, -h) - F(-h, h) + F(-h, -h)) / (4 * h * h);
                    Assert.That(hessians[i][l, l2], Is.EqualTo(second).Within(NoisyTolerances.SecondDifference), $"H[{i}][{l},{l2}]");
                }
        // The dQNTK of the noisy model is built from these Hessians and the noisy Jacobian: μ_abc = Σ H_a[l,l2] J_b[l] J_c[l2].
        var mu = model.Dqntk(theta, data);
        var j = model.Jacobian(theta, data, out _);
        double expected = 0;
        for (int l = 0; l < p; l++)
            for (int l2 = 0; l2 < p; l2++) expected += hessians[1][l, l2] * j[l] * j[p + l2];
        Assert.That(mu[1, 0, 1], Is.EqualTo(expected).Within(NoisyTolerances.Exact));
    }

    [Test]
    public void Hessians_DensityMatrixAffineCircuit_UseCentralDifferencesOfExactGradients()
    {
        var circuit = Affine();
        var data = Data(1, 71);
        var theta = Theta(circuit.ParameterCount, 72);
        var h = new QnnModel(circuit, ZZ).WithNoise(Noise).Hessians(theta, data)[0];
        const double step = 1e-3;
        for (int l = 0; l < theta.Length; l++)
        {
            var tp = (double[])theta.Clone();
            var tm = (double[])theta.Clone();
            tp[l] += step;
            tm[l] -= step;
            double second = (Reference(circuit, tp, data.Inputs![0], ZZ) - 2 * Reference(circuit, theta, data.Inputs[0], ZZ) + Reference(circuit, tm, data.Inputs[0], ZZ)) / (step * step);
            Assert.That(h[l, l], Is.EqualTo(second).Within(NoisyTolerances.SecondDifference), $"H[{l},{l}]");
        }
        Assert.Throws<NotSupportedException>(() => new QnnModel(circuit, ZZ).WithNoise(Noise).WithReadout(ReadoutMode.Shots(100, 1)).Hessians(theta, data));
    }

    [Test]
    public void ShotReadout_DensityMatrix_MeansMatchExactValuesAndGradientsWithinStandardErrors()
    {
        // R independent calls (call index c changes the streams); the mean of each output and Jacobian entry must lie
        // within NoisyTolerances.Sigmas standard errors (sample standard deviation / √R) of the exact density value.
        var circuit = Simple();
        var data = Data(2, 81);
        var theta = Theta(circuit.ParameterCount, 82);
        int m = data.Count, p = theta.Length;
        const int calls = 60, shots = 200;
        var exact = new QnnModel(circuit, Mixed).WithNoise(Noise);
        var j0 = exact.Jacobian(theta, data, out var f0);
        var e = exact.WithReadout(ReadoutMode.Shots(shots, 7)).Bind(data);
        var sum = new double[m * (p + 1)];
        var sum2 = new double[m * (p + 1)];
        var outputs = new double[m];
        var jacobian = new double[m * p];
        for (int c = 0; c < calls; c++)
        {
            e.Evaluate(theta, outputs, jacobian);
            for (int i = 0; i < m; i++)
            {
                Add(i * (p + 1), outputs[i]);
                for (int l = 0; l < p; l++) Add(i * (p + 1) + 1 + l, jacobian[i * p + l]);
            }
        }
        void Add(int slot, double v) { sum[slot] += v; sum2[slot] += v * v; }
        for (int i = 0; i < m; i++)
            for (int s = 0; s <= p; s++)
            {
                int slot = i * (p + 1) + s;
                double mean = sum[slot] / calls;
                double se = Math.Sqrt((sum2[slot] / calls - mean * mean) * calls / (calls - 1) / calls);
                double target = s == 0 ? f0[i] : j0[i * p + s - 1];
                Assert.That(se, Is.GreaterThan(0), "shot estimates vary");
                Assert.That(Math.Abs(mean - target), Is.LessThanOrEqualTo(NoisyTolerances.Sigmas * se), $"sample {i}, slot {s}: mean {mean} ± {se}, exact {target}");
            }
    }

    [Test]
    public void ShotReadout_PureState_MeansMatchExactGradientsWithinStandardErrors()
    {
        var circuit = Affine();
        var data = Data(1, 91);
        var theta = Theta(circuit.ParameterCount, 92);
        int p = theta.Length;
        const int calls = 60;
        var exactJ = new QnnModel(circuit, Mixed).Jacobian(theta, data, out _);
        var e = new QnnModel(circuit, Mixed).WithReadout(ReadoutMode.Shots(300, 3)).Bind(data);
        var samples = new double[calls][];
        var outputs = new double[1];
        for (int c = 0; c < calls; c++)
        {
            samples[c] = new double[p];
            e.Evaluate(theta, outputs, samples[c]);
        }
        for (int l = 0; l < p; l++)
        {
            double mean = samples.Average(s => s[l]);
            double se = Math.Sqrt(samples.Sum(s => (s[l] - mean) * (s[l] - mean)) / (calls - 1) / calls);
            Assert.That(Math.Abs(mean - exactJ[l]), Is.LessThanOrEqualTo(NoisyTolerances.Sigmas * se), $"θ_{l}: {mean} ± {se}, exact {exactJ[l]}");
        }
    }

    [Test]
    public void Trajectories_JacobianMeans_MatchDensityMatrixWithinStandardErrors()
    {
        var circuit = Simple();
        var data = Data(1, 101);
        var theta = Theta(circuit.ParameterCount, 102);
        int p = theta.Length;
        const int calls = 20;
        var exactJ = new QnnModel(circuit, ZZ).WithNoise(Noise).Jacobian(theta, data, out var f0);
        var e = new QnnModel(circuit, ZZ).WithNoise(new ModelNoise(Noise, NoisyBackend.Trajectories, Trajectories: 100, Seed: 5)).Bind(data);
        var rows = new double[calls][];
        var values = new double[calls];
        var outputs = new double[1];
        for (int c = 0; c < calls; c++)
        {
            rows[c] = new double[p];
            e.Evaluate(theta, outputs, rows[c]);
            values[c] = outputs[0];
        }
        double vm = values.Average(), vse = Math.Sqrt(values.Sum(v => (v - vm) * (v - vm)) / (calls - 1) / calls);
        Assert.That(Math.Abs(vm - f0[0]), Is.LessThanOrEqualTo(NoisyTolerances.Sigmas * vse));
        for (int l = 0; l < p; l++)
        {
            double mean = rows.Average(r => r[l]);
            double se = Math.Sqrt(rows.Sum(r => (r[l] - mean) * (r[l] - mean)) / (calls - 1) / calls);
            Assert.That(Math.Abs(mean - exactJ[l]), Is.LessThanOrEqualTo(NoisyTolerances.Sigmas * se), $"θ_{l}: {mean} ± {se}, exact {exactJ[l]}");
        }
    }

    /// <summary>
    /// Trajectories with finite shots: over 20 calls (fresh trajectory and outcome streams each), the mean output and
    /// Jacobian lie within <see cref="NoisyTolerances.Sigmas"/> standard errors of the exact density-matrix values
    /// (no readout errors, so the shot estimates are unbiased for Tr(Oρ)); the value drawn alone equals the value drawn
    /// with the Jacobian, and the results do not depend on the thread count.
    /// </summary>
    [Test]
    public void TrajectoriesWithShots_JacobianMeans_MatchDensityMatrixWithinStandardErrors()
    {
        var circuit = Simple();
        var data = Data(2, 131);
        var theta = Theta(circuit.ParameterCount, 132);
        int p = theta.Length;
        const int calls = 20;
        var exactJ = new QnnModel(circuit, ZZ).WithNoise(Noise).Jacobian(theta, data, out var f0);
        QnnModel Model(int threads) => new QnnModel(circuit, ZZ, Threads(threads))
            .WithNoise(new ModelNoise(Noise, NoisyBackend.Trajectories, Trajectories: 30, Seed: 5)).WithReadout(ReadoutMode.Shots(300, 8));
        var e = Model(2).Bind(data);
        var rows = new double[calls][];
        var values = new double[calls][];
        for (int c = 0; c < calls; c++)
        {
            rows[c] = new double[2 * p];
            values[c] = new double[2];
            e.Evaluate(theta, values[c], rows[c]);
        }
        for (int i = 0; i < 2; i++)
        {
            double vm = values.Average(v => v[i]), vse = Math.Sqrt(values.Sum(v => (v[i] - vm) * (v[i] - vm)) / (calls - 1) / calls);
            Assert.That(Math.Abs(vm - f0[i]), Is.LessThanOrEqualTo(NoisyTolerances.Sigmas * vse), $"f(x_{i})");
            for (int l = 0; l < p; l++)
            {
                double mean = rows.Average(r => r[i * p + l]);
                double se = Math.Sqrt(rows.Sum(r => (r[i * p + l] - mean) * (r[i * p + l] - mean)) / (calls - 1) / calls);
                Assert.That(Math.Abs(mean - exactJ[i * p + l]), Is.LessThanOrEqualTo(NoisyTolerances.Sigmas * se), $"J[{i},{l}]: {mean} ± {se}, exact {exactJ[i * p + l]}");
            }
        }
        // Call 0 again on fresh evaluators: value alone = value with the Jacobian; 1 thread = 2 threads.
        var alone = new double[2];
        Model(1).Bind(data).Evaluate(theta, alone, []);
        Assert.That(alone, Is.EqualTo(values[0]).AsCollection);
        var one = new double[2 * p];
        Model(1).Bind(data).Evaluate(theta, new double[2], one);
        Assert.That(one, Is.EqualTo(rows[0]).AsCollection);
    }

    [Test]
    public void Trainer_ShotNoiseSgd_IsBitIdenticalOnOneAndTwoThreadsAndSeeded()
    {
        var circuit = Simple();
        var data = Data(6, 111);
        var theta = Theta(circuit.ParameterCount, 112);
        var options = new TrainerOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.05 }, Epochs = 3, BatchSize = 3, Seed = 9 };
        FitResult Fit(int threads, ulong shotSeed) =>
            Trainer.Fit(new QnnModel(circuit, ZZ, Threads(threads)).WithNoise(Noise).WithReadout(ReadoutMode.Shots(64, shotSeed)), data, theta, options);
        var one = Fit(1, 4);
        var two = Fit(2, 4);
        Assert.That(two.FinalParameters, Is.EqualTo(one.FinalParameters).AsCollection, "bit-identical on 1 and 2 threads");
        Assert.That(two.Records.Select(r => r.TrainLoss), Is.EqualTo(one.Records.Select(r => r.TrainLoss)).AsCollection);
        var other = Fit(1, 5);
        Assert.That(other.FinalParameters, Is.Not.EqualTo(one.FinalParameters).AsCollection, "another shot seed gives another run");
        // Exact readout under the same noise is deterministic and differs from the shot-driven run.
        var exact = Trainer.Fit(new QnnModel(circuit, ZZ, Threads(2)).WithNoise(Noise), data, theta, options);
        Assert.That(exact.FinalParameters, Is.Not.EqualTo(one.FinalParameters).AsCollection);
    }

    [Test]
    public void GradientDescent_NoisyKernelRecords_MatchKernelOfTheNoisyModelAndFrozenPrediction()
    {
        var circuit = Simple();
        var data = Data(4, 121);
        var theta = Theta(circuit.ParameterCount, 122);
        var model = new QnnModel(circuit, ZZ, Threads(2)).WithNoise(Noise);
        var run = GradientDescent.Train(model.Bind(data), data.LabelArray(), theta, new TrainingOptions { LearningRate = 0.1, Steps = 20 });
        var k0 = model.Kernel(theta, data);
        for (int a = 0; a < data.Count; a++)
            for (int b = 0; b < data.Count; b++)
                Assert.That(run.Records[0].Kernel![a, b], Is.EqualTo(k0[a, b]).Within(NoisyTolerances.Exact));
        var frozen = new FrozenKernelPrediction(run.Records[0].Kernel!, run.Records[0].Residuals, run.LearningRate);
        Assert.That(frozen.Discrete(0), Is.EqualTo(run.Records[0].Residuals).AsCollection.Within(NoisyTolerances.Exact));
        // Early steps follow the frozen-kernel prediction to first order in η: after one step the residual differs by O(η²).
        var r1 = run.Records.First(r => r.Step == 1).Residuals;
        var predicted = frozen.Discrete(1);
        for (int i = 0; i < data.Count; i++) Assert.That(r1[i], Is.EqualTo(predicted[i]).Within(0.1 * 0.1 * 4));
        Assert.That(run.KernelDeviations()[^1].RelativeChange, Is.GreaterThan(0));
        // 1 and 2 threads: bit-identical.
        var one = GradientDescent.Train(new QnnModel(circuit, ZZ, Threads(1)).WithNoise(Noise).Bind(data), data.LabelArray(), theta, new TrainingOptions { LearningRate = 0.1, Steps = 20 });
        Assert.That(one.FinalParameters, Is.EqualTo(run.FinalParameters).AsCollection);
    }

    [Test]
    public void WithNoise_BadSettings_ThrowBeforeEvaluating()
    {
        var model = new QnnModel(Simple(), ZZ);
        // Shots on trajectories are split over the trajectories: one shot cannot give a standard error.
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => model.WithNoise(new ModelNoise(Noise, NoisyBackend.Trajectories)).WithReadout(ReadoutMode.Shots(1)))!.Message,
            Does.Contain("1 shots per term on the trajectory backend"));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.WithReadout(ReadoutMode.Shots(1)).WithNoise(new ModelNoise(Noise, NoisyBackend.Trajectories)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.WithNoise(new ModelNoise(Noise, NoisyBackend.Trajectories, Trajectories: 1)))!;
        Assert.That(e.Message, Does.Contain("at least 2"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadoutMode.Shots(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.WithNoise(NoiseModel.Ideal.WithGateNoise(NoiseChannel.Depolarizing(0.1), [], [5])));
        var wide = new CircuitBuilder(16);
        wide.Ry(0, wide.Parameter("a"));
        Assert.Throws<ArgumentException>(() => new QnnModel(wide.Build(), ZZ).WithNoise(Noise));
        Assert.That(model.WithNoise(Noise).WithReadout(ReadoutMode.Shots(10, 3)).EvaluationDescription, Does.Contain("10 shots per term"));
    }
}
