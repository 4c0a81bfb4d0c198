using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using QnnSim.Tests.Gradients;
using QnnSim.Tests.Reference;
using static QnnSim.Tests.Noise.NoiseTestSupport;

namespace QnnSim.Tests.Noise;

/// <summary>Density-matrix simulation against closed forms, the statevector and a dense Kraus reference, on every SIMD path.</summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector128)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public sealed class DensityMatrixTests(KernelPath path)
{
    private SimulationOptions Options => SimulationOptions.Default with { KernelPath = path, MaxThreads = 1 };

    [SetUp]
    public void RequirePath()
    {
        if (KernelDispatch.Resolve(path) != path) Assert.Ignore($"{path} is not supported on this processor.");
    }

    [TestCase(1UL, 3)]
    [TestCase(2UL, 4)]
    [TestCase(3UL, 5)]
    public void Run_PureCircuit_EqualsOuterProductOfStatevector(ulong seed, int n)
    {
        var circuit = GradientTestCircuits.RandomCircuit(seed, n, p: 5, q: 2, gates: 20);
        var rng = new SeededRandom(seed + 100);
        var theta = GradientTestCircuits.RandomParameters(rng, 5);
        var x = GradientTestCircuits.RandomInputs(rng, 2);
        var psi = new Simulator(Options).Run(circuit, theta, x);
        var rho = new DensityMatrixSimulator(Options).Run(circuit, theta, x);
        int d = 1 << n;
        double worst = 0;
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) worst = Math.Max(worst, (rho[r, c] - psi[r] * Complex.Conjugate(psi[c])).Magnitude);
        Assert.That(worst, Is.LessThan(Exact));
        Assert.That(rho.Purity(), Is.EqualTo(1).Within(Exact));
        Assert.That(rho.Fidelity(psi), Is.EqualTo(1).Within(Exact));
    }

    [TestCase(11UL, 3)]
    [TestCase(12UL, 3)]
    [TestCase(13UL, 4)]
    public void Run_EveryChannelFamily_MatchesDenseKrausReference(ulong seed, int n)
    {
        var circuit = GradientTestCircuits.RandomCircuit(seed, n, p: 4, q: 1, gates: 10);
        var noise = EveryChannelModel(seed);
        var rng = new SeededRandom(seed + 7);
        var theta = GradientTestCircuits.RandomParameters(rng, 4);
        var x = GradientTestCircuits.RandomInputs(rng, 1);
        var rho = new DensityMatrixSimulator(Options).Run(circuit, theta, x, noise);
        var dense = DenseRho(noise.ApplyTo(circuit), theta, x);
        Assert.That(MaxDiff(rho, dense), Is.LessThan(CircuitTolerance));
        Assert.That(rho.Trace(), Is.EqualTo(1).Within(CircuitTolerance));
        Assert.That(rho.Purity(), Is.LessThan(0.999), "noise must mix the state");
        var o = GradientTestCircuits.RandomObservable(rng, n);
        var exact = (DenseReference.PauliSumMatrix(n, o) * dense).Trace().Real;
        Assert.That(new DensityMatrixSimulator(Options).Expectation(rho, o), Is.EqualTo(exact).Within(CircuitTolerance));
    }

    [Test]
    public void Run_TwoAndThreeQubitKrausChannels_MatchDenseReference()
    {
        var b = new CircuitBuilder(4);
        var t = b.Parameters("t", 2);
        b.H(0).H(1).H(2).Ry(3, t[0]).CX(0, 3);
        b.Channel(RandomKraus(2, 4, 5), 3, 1);
        b.Rx(2, t[1]).CZ(1, 2);
        b.Channel(RandomKraus(3, 2, 6), 0, 2, 3);
        var circuit = b.Build();
        var theta = ParameterValues.Of(0.4, -1.1);
        var rho = new DensityMatrixSimulator(Options).Run(circuit, theta, InputValues.Of());
        Assert.That(MaxDiff(rho, DenseRho(circuit, theta, InputValues.Of())), Is.LessThan(CircuitTolerance));
    }

    [TestCase(0.2, 1)]
    [TestCase(0.2, 5)]
    [TestCase(0.7, 3)]
    public void AmplitudeDamping_OfOne_LeavesOneMinusGammaToTheK(double gamma, int k)
    {
        var b = new CircuitBuilder(2).X(1);
        for (int i = 0; i < k; i++) b.AmplitudeDamping(1, gamma);
        var rho = new DensityMatrixSimulator(Options).Run(b.Build(), ParameterValues.Of(), InputValues.Of());
        var p = rho.Probabilities();
        Assert.That(p[2], Is.EqualTo(Math.Pow(1 - gamma, k)).Within(Exact));
        Assert.That(p[0], Is.EqualTo(1 - Math.Pow(1 - gamma, k)).Within(Exact));
    }

    [TestCase(0.0)]
    [TestCase(0.1)]
    [TestCase(0.75)]
    public void Depolarizing_ShrinksBlochVectorByOneMinusFourPThirds(double p)
    {
        // |ψ⟩ = Ry(0.7) Rz(0.3)|+⟩-like state with all three Bloch components non-zero.
        var b = new CircuitBuilder(1).H(0).Rz(0, 0.3).Ry(0, 0.7);
        var ideal = new DensityMatrixSimulator(Options).Run(b.Build(), ParameterValues.Of(), InputValues.Of());
        b.Depolarizing(0, p);
        var noisy = new DensityMatrixSimulator(Options).Run(b.Build(), ParameterValues.Of(), InputValues.Of());
        var dm = new DensityMatrixSimulator(Options);
        foreach (var axis in new[] { "X0", "Y0", "Z0" })
            Assert.That(dm.Expectation(noisy, PauliSum.Parse(axis)),
                Is.EqualTo((1 - 4 * p / 3) * dm.Expectation(ideal, PauliSum.Parse(axis))).Within(Exact), axis);
    }

    [TestCase(50.0, 70.0, 10.0)]
    [TestCase(20.0, 40.0, 5.0)]
    public void ThermalRelaxation_PopulationsAndCoherencesDecayWithT1AndT2(double t1, double t2, double time)
    {
        var excited = new CircuitBuilder(1).X(0).Channel(NoiseChannel.ThermalRelaxation(t1, t2, time), 0).Build();
        var plus = new CircuitBuilder(1).H(0).Channel(NoiseChannel.ThermalRelaxation(t1, t2, time), 0).Build();
        var dm = new DensityMatrixSimulator(Options);
        var r1 = dm.Run(excited, ParameterValues.Of(), InputValues.Of());
        Assert.That(r1.Probabilities()[1], Is.EqualTo(Math.Exp(-time / t1)).Within(Exact));
        var r2 = dm.Run(plus, ParameterValues.Of(), InputValues.Of());
        Assert.That(dm.Expectation(r2, PauliSum.Parse("X0")), Is.EqualTo(Math.Exp(-time / t2)).Within(Exact));
    }

    [TestCase(0.3)]
    public void PhaseDamping_ShrinksCoherenceBySqrtOneMinusLambda(double lambda)
    {
        var c = new CircuitBuilder(1).H(0).Channel(NoiseChannel.PhaseDamping(lambda), 0).Build();
        var dm = new DensityMatrixSimulator(Options);
        var rho = dm.Run(c, ParameterValues.Of(), InputValues.Of());
        Assert.That(dm.Expectation(rho, PauliSum.Parse("X0")), Is.EqualTo(Math.Sqrt(1 - lambda)).Within(Exact));
        Assert.That(rho.Probabilities()[0], Is.EqualTo(0.5).Within(Exact));
    }

    [TestCase(1, 0.05)]
    [TestCase(4, 0.02)]
    [TestCase(10, 0.1)]
    public void GlobalDepolarizingAfterEveryLayer_ScalesTracelessExpectationByOneMinusPToTheL(int layers, double p)
    {
        const int n = 3;
        var ideal = new CircuitBuilder(n);
        var t = ideal.Parameters("t", n * layers);
        var noisy = new CircuitBuilder(n);
        noisy.Parameters("t", n * layers);
        for (int l = 0; l < layers; l++)
        {
            foreach (var b in new[] { ideal, noisy })
            {
                for (int q = 0; q < n; q++) b.Ry(q, t[l * n + q]);
                b.CX(0, 1).CX(1, 2);
            }
            noisy.Channel(NoiseChannel.GlobalDepolarizing(p, n), 0, 1, 2);
        }
        var rng = new SeededRandom(99);
        var theta = GradientTestCircuits.RandomParameters(rng, n * layers);
        var dm = new DensityMatrixSimulator(Options);
        var o = PauliSum.Parse("Z0 + 0.5*X1 Y2 - 0.25*Z0 Z1 Z2");
        double e0 = dm.Expectation(dm.Run(ideal.Build(), theta, InputValues.Of()), o);
        double e1 = dm.Expectation(dm.Run(noisy.Build(), theta, InputValues.Of()), o);
        Assert.That(e1, Is.EqualTo(Math.Pow(1 - p, layers) * e0).Within(Exact));
    }

    [Test]
    public void PartialTrace_OfProductState_IsTheFactor()
    {
        var c = new CircuitBuilder(3).Ry(0, 0.4).H(1).Rx(2, 1.3).CX(1, 2).Build();
        var dm = new DensityMatrixSimulator(Options);
        var rho = dm.Run(c, ParameterValues.Of(), InputValues.Of());
        var q0 = rho.PartialTrace(0);
        var single = dm.Run(new CircuitBuilder(1).Ry(0, 0.4).Build(), ParameterValues.Of(), InputValues.Of());
        Assert.That(MaxDiff(q0, MathNet.Numerics.LinearAlgebra.Matrix<Complex>.Build.DenseOfArray(single.ToMatrix())), Is.LessThan(Exact));
        // Qubits 1 and 2 form a Bell-like pure pair; alone, qubit 2 is maximally mixed.
        Assert.That(rho.PartialTrace(2, 1).Purity(), Is.EqualTo(1).Within(Exact));
        Assert.That(rho.PartialTrace(2).Purity(), Is.EqualTo(0.5).Within(Exact));
        // Reordered keep list: qubit j of the result is keep[j].
        var swapped = rho.PartialTrace(2, 0);
        var kept = rho.PartialTrace(0, 2);
        Assert.That(swapped[1, 1].Real, Is.EqualTo(kept[2, 2].Real).Within(Exact));
    }

    [Test]
    public void Probabilities_WithReadoutError_ApplyTheConfusionMatrix()
    {
        var c = new CircuitBuilder(2).Ry(0, 1.0).X(1).Build();
        var dm = new DensityMatrixSimulator(Options);
        var rho = dm.Run(c, ParameterValues.Of(), InputValues.Of());
        double p1 = Math.Pow(Math.Sin(0.5), 2);
        var model = NoiseModel.Ideal.WithReadoutError(new ReadoutError(0.02, 0.05));
        var p = dm.Probabilities(rho, model);
        // Qubit 0 reports 1 with (1 − p1)·0.02 + p1·(1 − 0.05); qubit 1 (in |1⟩) reports 1 with 0.95.
        double q0 = (1 - p1) * 0.02 + p1 * 0.95;
        Assert.That(p[3], Is.EqualTo(q0 * 0.95).Within(Exact));
        Assert.That(p[0], Is.EqualTo((1 - q0) * 0.05).Within(Exact));
        Assert.That(p.Sum(), Is.EqualTo(1).Within(Exact));
    }

    [Test]
    public void Sample_CountsFollowProbabilities_WithinFiveStandardErrors()
    {
        var c = new CircuitBuilder(2).Ry(0, 1.0).H(1).Depolarizing(1, 0.2).Build();
        var dm = new DensityMatrixSimulator(Options);
        var rho = dm.Run(c, ParameterValues.Of(), InputValues.Of());
        const long shots = 200_000;
        var counts = dm.Sample(rho, shots, 5);
        var p = rho.Probabilities();
        for (int k = 0; k < 4; k++)
        {
            double se = Math.Sqrt(p[k] * (1 - p[k]) / shots);
            double f = (counts.TryGetValue(k, out long v) ? v : 0) / (double)shots;
            Assert.That(f, Is.EqualTo(p[k]).Within(TrajectorySigmas * se + 1e-12), $"outcome {k}");
        }
        Assert.That(counts.Values.Sum(), Is.EqualTo(shots));
    }
}
