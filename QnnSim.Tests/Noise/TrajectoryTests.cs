using QnnSim.Circuits;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using QnnSim.Tests.Gradients;
using static QnnSim.Tests.Noise.NoiseTestSupport;

namespace QnnSim.Tests.Noise;

/// <summary>Trajectories against the exact density matrix, and their reproducibility.</summary>
public sealed class TrajectoryTests
{
    [TestCase(21UL)]
    [TestCase(22UL)]
    public void Estimate_EveryChannelFamily_ConvergesToDensityMatrixWithinFiveStandardErrors(ulong seed)
    {
        const int n = 3;
        var circuit = GradientTestCircuits.RandomCircuit(seed, n, p: 4, q: 1, gates: 8);
        var noise = EveryChannelModel(seed);
        var rng = new SeededRandom(seed + 3);
        var theta = GradientTestCircuits.RandomParameters(rng, 4);
        var x = GradientTestCircuits.RandomInputs(rng, 1);
        PauliSum[] observables = [PauliSum.Parse("Z0"), PauliSum.Parse("X1 Z2"), GradientTestCircuits.RandomObservable(rng, n)];
        var dm = new DensityMatrixSimulator();
        var rho = dm.Run(circuit, theta, x, noise);
        var est = new TrajectorySimulator().Estimate(circuit, theta, x, observables, noise, 4000, seed);
        for (int o = 0; o < observables.Length; o++)
        {
            double exact = dm.Expectation(rho, observables[o]);
            Assert.That(est.StandardErrors[o], Is.GreaterThan(0).And.LessThan(0.05));
            Assert.That(est.Values[o], Is.EqualTo(exact).Within(TrajectorySigmas * est.StandardErrors[o]), $"observable {o}");
        }
    }

    [Test]
    public void Estimate_IsBitIdenticalForAnyThreadCount()
    {
        var circuit = GradientTestCircuits.RandomCircuit(31, 4, p: 3, q: 0, gates: 6);
        var noise = EveryChannelModel(31);
        var theta = GradientTestCircuits.RandomParameters(new SeededRandom(1), 3);
        PauliSum[] obs = [PauliSum.Parse("Z0 Z1"), PauliSum.Parse("Y3")];
        TrajectoryEstimate Run(int threads, int threshold) =>
            new TrajectorySimulator(SimulationOptions.Default with { MaxThreads = threads, ParallelThresholdQubits = threshold })
                .Estimate(circuit, theta, InputValues.Of(), obs, noise, 300, 77);
        var reference = Run(1, 14);
        foreach (var (threads, threshold) in new[] { (2, 14), (3, 14), (4, 14), (2, 2), (4, 2) })
        {
            var other = Run(threads, threshold);
            Assert.That(other.Values, Is.EqualTo(reference.Values), $"{threads} threads, threshold {threshold}");
            Assert.That(other.StandardErrors, Is.EqualTo(reference.StandardErrors));
        }
    }

    /// <summary>
    /// Shot estimates on trajectories: within 5 standard errors of the density matrix's readout-distorted value
    /// (false failure 5.7e-7 per comparison), bit-identical for any thread count; without channels every trajectory is
    /// the same pure state, so the batch-means standard error must equal the binomial √((1 − m²)/N) (to 10 %: with
    /// 2000 trajectories a sample standard deviation is off by 1.6 % per σ, so 10 % is 6σ); and N &lt; T uses N
    /// trajectories of one shot each.
    /// </summary>
    [Test]
    public void EstimateExpectation_Shots_MatchTheDensityMatrix_AndCarryCalibratedErrors()
    {
        var circuit = GradientTestCircuits.RandomCircuit(24, 3, p: 3, q: 1, gates: 8);
        var noise = NoiseModelParser.ParseSpec("depolarizing=0.04;amplitude-damping=0.03;readout=0.02,0.05");
        var theta = GradientTestCircuits.RandomParameters(new SeededRandom(4), 3);
        var x = InputValues.Of(0.4);
        var o = PauliSum.Parse("0.7*Z0 + Y1 X2 + 0.2");
        var dm = new DensityMatrixSimulator();
        // The density matrix's own shot estimator converges to the readout-distorted value; many shots pin it down.
        var reference = dm.EstimateExpectation(dm.Run(circuit, theta, x, noise), o, 4_000_000, 1, noise);
        ShotEstimate Run(int threads) => new TrajectorySimulator(SimulationOptions.Default with { MaxThreads = threads })
            .EstimateExpectation(circuit, theta, x, o, noise, shotsPerTerm: 20_000, trajectories: 1000, seed: 8);
        var est = Run(2);
        double combined = Math.Sqrt(est.StandardError * est.StandardError + reference.StandardError * reference.StandardError);
        Assert.That(est.Estimate, Is.EqualTo(reference.Estimate).Within(TrajectorySigmas * combined));
        Assert.That(est.TotalShots, Is.EqualTo(40_000));
        var one = Run(1);
        Assert.That(one.Estimate, Is.EqualTo(est.Estimate));
        Assert.That(one.StandardError, Is.EqualTo(est.StandardError));

        // No channels: the standard error is the binomial one.
        var ideal = GradientTestCircuits.RandomCircuit(25, 3, p: 2, q: 0, gates: 6);
        var thetaIdeal = ParameterValues.Of(0.8, -0.5);
        var z = PauliSum.Parse("Z0 Z1");
        double m = new Simulator().Expectation(new Simulator().Run(ideal, thetaIdeal, InputValues.Of()), z);
        var pure = new TrajectorySimulator().EstimateExpectation(ideal, thetaIdeal, InputValues.Of(), z, null, 20_000, 2000, 3);
        double binomial = Math.Sqrt((1 - m * m) / 20_000);
        Assert.That(pure.StandardError, Is.EqualTo(binomial).Within(0.10 * binomial));
        Assert.That(pure.Estimate, Is.EqualTo(m).Within(TrajectorySigmas * binomial));

        // Fewer shots than trajectories: one shot each, so every per-trajectory value is ±1 and the mean a multiple of 1/N.
        var few = new TrajectorySimulator().EstimateExpectation(circuit, theta, x, PauliSum.Parse("Z0"), noise, 7, 1000, 5);
        Assert.That(few.Estimate * 7, Is.EqualTo(Math.Round(few.Estimate * 7)).Within(1e-12));
        Assert.That(() => new TrajectorySimulator().EstimateExpectation(circuit, theta, x, o, noise, 1, 10, 5),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("shots"));
        Assert.That(() => new TrajectorySimulator().EstimateExpectation(circuit, theta, x, o, noise, 100, 1, 5),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("trajectories"));
        Assert.That(() => new TrajectorySimulator(SimulationOptions.Default with { Precision = Precision.Single }),
            Throws.InstanceOf<NotSupportedException>().With.Message.Contains("double precision only"));
    }

    [Test]
    public void RunTrajectory_WithoutNoise_IsTheIdealState()
    {
        var circuit = GradientTestCircuits.RandomCircuit(41, 3, p: 2, q: 0, gates: 6);
        var theta = ParameterValues.Of(0.3, 0.9);
        var psi = new Simulator().Run(circuit, theta, InputValues.Of());
        var traj = new TrajectorySimulator().RunTrajectory(circuit, theta, InputValues.Of(), null, 5, 0);
        Assert.That(Reference.DenseReference.MaxAbsDiff(traj.Amplitudes, psi.Amplitudes), Is.LessThan(Exact));
    }

    [Test]
    public void RunTrajectory_AmplitudeDamping_KeepsTheNorm()
    {
        var b = new CircuitBuilder(2).H(0).CX(0, 1);
        for (int i = 0; i < 20; i++) b.AmplitudeDamping(i % 2, 0.3).Ry(i % 2, 0.2);
        var c = b.Build();
        for (long t = 0; t < 20; t++)
        {
            var s = new TrajectorySimulator().RunTrajectory(c, ParameterValues.Of(), InputValues.Of(), null, 9, t);
            Assert.That(s.NormSquared(), Is.EqualTo(1).Within(1e-12));
        }
    }

    [Test]
    public void Estimate_TwentyQubits_RunsWithPerGateNoise()
    {
        // Trajectories reach statevector sizes: 20 qubits, where a density matrix would need 16 TiB.
        const int n = 20;
        var b = new CircuitBuilder(n);
        for (int q = 0; q < n; q++) b.H(q);
        for (int q = 0; q + 1 < n; q++) b.CX(q, q + 1);
        var noise = NoiseModelParser.ParseSpec("depolarizing=0.001");
        var est = new TrajectorySimulator().Estimate(b.Build(), ParameterValues.Of(), InputValues.Of(), [PauliSum.Parse("Z0 Z1")], noise, 4, 1);
        Assert.That(est.Values[0], Is.InRange(-1.0, 1.0));
        Assert.That(() => DensityMatrix.Zero(n), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("trajectories"));
    }

    [Test]
    public void Estimate_BadArguments_Throw()
    {
        var c = new CircuitBuilder(2).H(0).Build();
        var ts = new TrajectorySimulator();
        Assert.That(() => ts.Estimate(c, ParameterValues.Of(), InputValues.Of(), [PauliSum.Parse("Z0")], null, 1, 0),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("trajectories"));
        Assert.That(() => ts.Estimate(c, ParameterValues.Of(), InputValues.Of(), [PauliSum.Parse("Z5")], null, 10, 0),
            Throws.InstanceOf<QubitCountMismatchException>());
    }
}
