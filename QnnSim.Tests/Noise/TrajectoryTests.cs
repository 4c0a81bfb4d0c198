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
