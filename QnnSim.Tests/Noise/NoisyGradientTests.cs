using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.Tests.Gradients;
using static QnnSim.Tests.Noise.NoiseTestSupport;

namespace QnnSim.Tests.Noise;

/// <summary>Gradients under noise: adjoint = parameter shift = finite differences on density matrices; trajectories within their errors.</summary>
public sealed class NoisyGradientTests
{
    /// <summary>Adjoint against exact parameter shift on density matrices.</summary>
    private const double AdjointVsShift = 1e-10;

    /// <summary>Exact gradients against central differences with h = 1e-5 (truncation h² ≈ 1e-10, rounding ε/h ≈ 1e-11).</summary>
    private const double FiniteDifference = 1e-7;

    [TestCase(51UL, 3, true)]
    [TestCase(52UL, 3, false)]
    [TestCase(53UL, 4, true)]
    public void Density_AdjointEqualsShiftEqualsFiniteDifferences(ulong seed, int n, bool nonAffine)
    {
        // Every parameterised gate kind (controlled ones included), repeated parameters, affine and non-affine angles and data inputs.
        var circuit = GradientTestCircuits.RandomCircuit(seed, n, p: 4, q: 2, gates: 19, allowNonAffine: nonAffine);
        var noise = EveryChannelModel(seed);
        var rng = new SeededRandom(seed + 11);
        var theta = GradientTestCircuits.RandomParameters(rng, 4);
        var x = GradientTestCircuits.RandomInputs(rng, 2);
        var o = GradientTestCircuits.RandomObservable(rng, n);
        var d = new NoisyDifferentiator(noise);
        var adjoint = d.ValueAndGradient(circuit, theta, x, o, GradientMethod.Adjoint);
        var shift = d.ValueAndGradient(circuit, theta, x, o, GradientMethod.ParameterShift);
        var fd = d.ValueAndGradient(circuit, theta, x, o, GradientMethod.FiniteDifference);
        Assert.That(adjoint.Value, Is.EqualTo(shift.Value).Within(Exact));
        Assert.That(adjoint.Gradient.Any(g => Math.Abs(g) > 1e-3), "a non-trivial gradient");
        for (int j = 0; j < 4; j++)
        {
            Assert.That(adjoint.Gradient[j], Is.EqualTo(shift.Gradient[j]).Within(AdjointVsShift), $"θ{j}: adjoint vs shift");
            Assert.That(adjoint.Gradient[j], Is.EqualTo(fd.Gradient[j]).Within(FiniteDifference), $"θ{j}: adjoint vs differences");
        }
    }

    [Test]
    public void Density_TwoQubitAndKrausChannelsBetweenGates_AdjointEqualsShift()
    {
        var b = new CircuitBuilder(3);
        var t = b.Parameters("t", 3);
        b.Ry(0, t[0]).CX(0, 1).Channel(RandomKraus(2, 3, 8), 0, 1).Rzz(1, 2, 2 * t[1] + 0.3).Channel(NoiseChannel.TwoQubitDepolarizing(0.1), 2, 1)
            .CRx(2, 0, t[0] * t[2]).AmplitudeDamping(0, 0.2).Ry(1, t[2]);
        var theta = ParameterValues.Of(0.4, -0.7, 1.3);
        var o = PauliSum.Parse("Z0 + 0.5*X1 Y2");
        var d = new NoisyDifferentiator();
        var a = d.ValueAndGradient(b.Build(), theta, InputValues.Of(), o, GradientMethod.Adjoint);
        var s = d.ValueAndGradient(b.Build(), theta, InputValues.Of(), o, GradientMethod.ParameterShift);
        Assert.That(a.Gradient, Is.EqualTo(s.Gradient).Within(AdjointVsShift));
    }

    [TestCase(3, 0.05)]
    [TestCase(6, 0.1)]
    public void GlobalDepolarizingAfterEveryLayer_ScalesTheGradientByOneMinusPToTheL(int layers, double p)
    {
        const int n = 3;
        var ideal = new CircuitBuilder(n);
        var noisy = new CircuitBuilder(n);
        var t = ideal.Parameters("t", n * layers);
        noisy.Parameters("t", n * layers);
        for (int l = 0; l < layers; l++)
        {
            foreach (var b in new[] { ideal, noisy })
            {
                for (int q = 0; q < n; q++) b.Ry(q, t[l * n + q]).Rz(q, 0.5 * t[l * n + q]);
                b.CX(0, 1).CX(1, 2);
            }
            noisy.Channel(NoiseChannel.GlobalDepolarizing(p, n), 0, 1, 2);
        }
        var theta = GradientTestCircuits.RandomParameters(new SeededRandom(3), n * layers);
        var o = PauliSum.Parse("Z0 Z1 + X2");
        var pure = new double[n * layers];
        double v0 = new Differentiator().ValueAndGradient(ideal.Build(), theta, InputValues.Of(), o, pure);
        var g = new NoisyDifferentiator().ValueAndGradient(noisy.Build(), theta, InputValues.Of(), o);
        double scale = Math.Pow(1 - p, layers);
        Assert.That(g.Value, Is.EqualTo(scale * v0).Within(Exact));
        for (int j = 0; j < pure.Length; j++) Assert.That(g.Gradient[j], Is.EqualTo(scale * pure[j]).Within(Exact));
    }

    [Test]
    public void Trajectories_ShiftGradient_WithinFiveStandardErrorsOfTheDensityMatrix()
    {
        var circuit = GradientTestCircuits.RandomCircuit(61, 3, p: 3, q: 0, gates: 6, allowNonAffine: false);
        var noise = NoiseModelParser.ParseSpec("depolarizing=0.05;amplitude-damping=0.05");
        var theta = GradientTestCircuits.RandomParameters(new SeededRandom(5), 3);
        var o = PauliSum.Parse("Z0 + X1 Z2");
        var exact = new NoisyDifferentiator(noise).ValueAndGradient(circuit, theta, InputValues.Of(), o);
        var est = new NoisyDifferentiator(noise, NoisyBackend.Trajectories, trajectories: 1500, seed: 9)
            .ValueAndGradient(circuit, theta, InputValues.Of(), o, GradientMethod.ParameterShift);
        Assert.That(est.Value, Is.EqualTo(exact.Value).Within(TrajectorySigmas * est.ValueStandardError));
        for (int j = 0; j < 3; j++)
        {
            Assert.That(est.GradientStandardErrors[j], Is.GreaterThan(0).And.LessThan(0.1));
            Assert.That(est.Gradient[j], Is.EqualTo(exact.Gradient[j]).Within(TrajectorySigmas * est.GradientStandardErrors[j]), $"θ{j}");
        }
        Assert.That(() => new NoisyDifferentiator(noise, NoisyBackend.Trajectories).ValueAndGradient(circuit, theta, InputValues.Of(), o),
            Throws.InstanceOf<NotSupportedException>().With.Message.Contains("ParameterShift"));
    }

    /// <summary>The shot tests' circuit: a controlled gate (four-term rule), a repeated parameter, affine angles with a
    /// data input.</summary>
    private static Circuit ShotCircuit()
    {
        var b = new CircuitBuilder(3);
        var t = b.Parameters("t", 3);
        var x = b.Inputs("x", 1);
        b.Ry(0, t[0] + x[0]).CX(0, 1).CRx(1, 2, t[1]).Ry(2, 2 * t[2] - x[0]).Ry(1, t[0]);
        return b.Build();
    }

    private static readonly ParameterValues ShotTheta = ParameterValues.Of(0.7, 1.1, -0.4);
    private static readonly InputValues ShotInputs = InputValues.Of(0.3);

    /// <summary>
    /// Finite shots on the density matrix: every estimate (value and each gradient component, controlled gates with
    /// the four-term rule and data inputs included) lies within 5 of its own standard errors of the exact adjoint
    /// values (each comparison fails falsely with probability 5.7e-7, these 5 together below 3e-6), and the reported
    /// standard error of the value is the binomial one, √(Σ_k c_k²(1 − ⟨P_k⟩²)/N), to 5 % (N = 20 000 per term).
    /// </summary>
    [Test]
    public void Shots_ValueAndGradient_WithinFiveStandardErrorsOfTheExactValues()
    {
        const int shots = 20_000;
        var circuit = ShotCircuit();
        var noise = NoiseModelParser.ParseSpec("depolarizing=0.03;amplitude-damping=0.02");
        var (theta, inputs) = (ShotTheta, ShotInputs);
        var o = PauliSum.Parse("Z0 + 0.5*Z1 Z2 + 0.3*X2");
        var d = new NoisyDifferentiator(noise);
        var exact = d.ValueAndGradient(circuit, theta, inputs, o);
        var est = d.ValueAndGradientWithShots(circuit, theta, inputs, o, shots, seed: 17);
        Assert.That(exact.Gradient.Count(g => Math.Abs(g) > 0.05), Is.EqualTo(3), "every component non-trivial: " + string.Join(", ", exact.Gradient));
        Assert.That(est.Value, Is.EqualTo(exact.Value).Within(TrajectorySigmas * est.ValueStandardError));
        for (int j = 0; j < 3; j++)
        {
            Assert.That(est.GradientStandardErrors[j], Is.GreaterThan(1e-3).And.LessThan(0.05), $"θ{j}");
            Assert.That(est.Gradient[j], Is.EqualTo(exact.Gradient[j]).Within(TrajectorySigmas * est.GradientStandardErrors[j]), $"θ{j}");
        }
        var density = new DensityMatrixSimulator();
        var rho = density.Run(density.WithNoise(circuit, noise), theta, inputs);
        double z0 = density.Expectation(rho, PauliSum.Parse("Z0")), z1z2 = density.Expectation(rho, PauliSum.Parse("Z1 Z2")),
            x2 = density.Expectation(rho, PauliSum.Parse("X2"));
        double binomial = Math.Sqrt(((1 - z0 * z0) + 0.25 * (1 - z1z2 * z1z2) + 0.09 * (1 - x2 * x2)) / shots);
        Assert.That(est.ValueStandardError, Is.EqualTo(binomial).Within(0.05 * binomial));
        // The same seed gives the same estimate; another seed another one.
        Assert.That(d.ValueAndGradientWithShots(circuit, theta, inputs, o, shots, seed: 17).Gradient, Is.EqualTo(est.Gradient));
        Assert.That(d.ValueAndGradientWithShots(circuit, theta, inputs, o, shots, seed: 18).Gradient, Is.Not.EqualTo(est.Gradient));
    }

    /// <summary>
    /// With symmetric readout error e the shot estimates converge to the distorted value (1 − 2e)⟨Z0⟩, not to ⟨Z0⟩:
    /// within 5 standard errors (false failure 5.7e-7) at N = 40 000, and the undistorted value lies far outside.
    /// </summary>
    [Test]
    public void Shots_WithReadoutError_EstimateTheDistortedValue()
    {
        var b = new CircuitBuilder(2);
        var t = b.Parameters("t", 1);
        b.Ry(0, t[0]).CX(0, 1);
        var noise = NoiseModelParser.ParseSpec("readout=0.1,0.1");
        var d = new NoisyDifferentiator(noise);
        var theta = ParameterValues.Of(0.5);
        var est = d.ValueAndGradientWithShots(b.Build(), theta, InputValues.Of(), PauliSum.Parse("Z0"), 40_000, seed: 3);
        Assert.That(est.Value, Is.EqualTo(0.8 * Math.Cos(0.5)).Within(TrajectorySigmas * est.ValueStandardError));
        Assert.That(est.Gradient[0], Is.EqualTo(-0.8 * Math.Sin(0.5)).Within(TrajectorySigmas * est.GradientStandardErrors[0]));
        Assert.That(Math.Abs(est.Value - Math.Cos(0.5)), Is.GreaterThan(20 * est.ValueStandardError));
    }

    [Test]
    public void Shots_Jacobian_RowsAreSeededPerSample_AndDoNotDependOnThreads()
    {
        var circuit = GradientTestCircuits.RandomCircuit(73, 3, p: 3, q: 2, gates: 8);
        var noise = NoiseModelParser.ParseSpec("depolarizing=0.02");
        var theta = GradientTestCircuits.RandomParameters(new SeededRandom(1), 3);
        var rng = new SeededRandom(2);
        var samples = Enumerable.Range(0, 5).Select(_ => GradientTestCircuits.RandomInputs(rng, 2)).ToArray();
        PauliSum[] o = [PauliSum.Parse("Z1"), PauliSum.Parse("X0 + Z2")];
        JacobianResult Run(int threads) => new NoisyDifferentiator(noise, options: SimulationOptions.Default with { MaxThreads = threads })
            .JacobianWithShots(circuit, theta, samples, o, 500, seed: 99);
        var one = Run(1);
        var two = Run(2);
        Assert.That(two.Values.ToArray(), Is.EqualTo(one.Values.ToArray()));
        Assert.That(two.Data.ToArray(), Is.EqualTo(one.Data.ToArray()));
        // Row 3·2 + 1 (sample 3, observable 1) is the single estimate with the seed of stream 7.
        var row = new NoisyDifferentiator(noise).ValueAndGradientWithShots(circuit, theta, samples[3], o[1], 500,
            SeededRandom.ForStream(99, 7).NextUInt64());
        Assert.That(one.Data.ToArray().Skip(7 * 3).Take(3), Is.EqualTo(row.Gradient));
        Assert.That(() => new NoisyDifferentiator(noise).JacobianWithShots(circuit, theta, samples, o, 0, 1),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("at least 1 shot"));
        // On trajectories a shot estimate needs two shot groups.
        Assert.That(() => new NoisyDifferentiator(noise, NoisyBackend.Trajectories).ValueAndGradientWithShots(circuit, theta, samples[0], o[0], 1, 1),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("2..2147483647 shots on trajectories"));
    }

    /// <summary>
    /// Finite shots on trajectories, with readout error: value and every gradient component (controlled gate, repeated
    /// parameter, data input, an X term measured in a rotated basis) lie within 5 of their own standard errors of the
    /// exact readout-distorted values Σ_k c_k (1 − 2e)^{w_k} ⟨P_k⟩ and their gradients (each comparison fails falsely
    /// with probability 5.7e-7, these 4 together below 3e-6). The per-trajectory standard errors are larger than the pure
    /// shot-noise ones (noise realisations add variance) but of the same order, results do not depend on threads, and
    /// the dataset Jacobian's rows are those single estimates.
    /// </summary>
    [Test]
    public void TrajectoryShots_ValueAndGradient_WithinFiveStandardErrorsOfTheDistortedExactValues()
    {
        const int shots = 20_000, trajectories = 800;
        const double e = 0.04;
        var circuit = ShotCircuit();
        var noise = NoiseModelParser.ParseSpec($"depolarizing=0.03;amplitude-damping=0.02;readout={e},{e}");
        var (theta, inputs) = (ShotTheta, ShotInputs);
        var exactDm = new NoisyDifferentiator(noise);
        // The distorted reference, term by term: a Pauli of weight w is scaled by (1 − 2e)^w.
        (string Pauli, double C, int W)[] terms = [("Z0", 1, 1), ("Z1 Z2", 0.5, 2), ("X2", 0.3, 1)];
        double value = 0;
        var gradient = new double[3];
        foreach (var (pauli, c, w) in terms)
        {
            var g = exactDm.ValueAndGradient(circuit, theta, inputs, PauliSum.Parse(pauli));
            double f = c * Math.Pow(1 - 2 * e, w);
            value += f * g.Value;
            for (int j = 0; j < 3; j++) gradient[j] += f * g.Gradient[j];
        }
        var o = PauliSum.Parse("Z0 + 0.5*Z1 Z2 + 0.3*X2");
        NoisyGradient Run(int threads) => new NoisyDifferentiator(noise, NoisyBackend.Trajectories, SimulationOptions.Default with { MaxThreads = threads },
            trajectories: trajectories, seed: 21).ValueAndGradientWithShots(circuit, theta, inputs, o, shots, seed: 17);
        var est = Run(2);
        Assert.That(gradient.Count(g => Math.Abs(g) > 0.05), Is.EqualTo(3), "every component non-trivial: " + string.Join(", ", gradient));
        Assert.That(est.Value, Is.EqualTo(value).Within(TrajectorySigmas * est.ValueStandardError));
        for (int j = 0; j < 3; j++)
        {
            Assert.That(est.GradientStandardErrors[j], Is.GreaterThan(1e-3).And.LessThan(0.05), $"θ{j}");
            Assert.That(est.Gradient[j], Is.EqualTo(gradient[j]).Within(TrajectorySigmas * est.GradientStandardErrors[j]), $"θ{j}");
        }
        Assert.That(est.ValueStandardError, Is.GreaterThan(0.5 / Math.Sqrt(shots)).And.LessThan(5 / Math.Sqrt(shots)));
        var one = Run(1);
        Assert.That(one.Value, Is.EqualTo(est.Value));
        Assert.That(one.Gradient, Is.EqualTo(est.Gradient));
        Assert.That(one.GradientStandardErrors, Is.EqualTo(est.GradientStandardErrors));
        var jac = new NoisyDifferentiator(noise, NoisyBackend.Trajectories, trajectories: 50, seed: 21)
            .JacobianWithShots(circuit, theta, [InputValues.Of(-0.2), inputs], [o], 400, seed: 5);
        var row = new NoisyDifferentiator(noise, NoisyBackend.Trajectories, trajectories: 50, seed: 21)
            .ValueAndGradientWithShots(circuit, theta, inputs, o, 400, SeededRandom.ForStream(5, 1).NextUInt64());
        Assert.That(jac.Data.ToArray().Skip(3).Take(3), Is.EqualTo(row.Gradient));
        Assert.That(jac.Values.ToArray()[1], Is.EqualTo(row.Value));
    }

    [Test]
    public void Jacobian_RowsEqualPerSampleGradients_AndDoNotDependOnThreads()
    {
        var circuit = GradientTestCircuits.RandomCircuit(71, 3, p: 3, q: 2, gates: 8);
        var noise = NoiseModelParser.ParseSpec("pauli=0.01,0.02,0.03");
        var theta = GradientTestCircuits.RandomParameters(new SeededRandom(1), 3);
        var rng = new SeededRandom(2);
        var samples = Enumerable.Range(0, 6).Select(_ => GradientTestCircuits.RandomInputs(rng, 2)).ToArray();
        var o = PauliSum.Parse("Z1");
        double[] Run(int threads, out double[] values)
        {
            values = new double[samples.Length];
            var j = new double[samples.Length * 3];
            new NoisyDifferentiator(noise, options: SimulationOptions.Default with { MaxThreads = threads }).Jacobian(circuit, theta, samples, o, values, j);
            return j;
        }
        var j1 = Run(1, out var v1);
        var j3 = Run(3, out var v3);
        Assert.That(j3, Is.EqualTo(j1));
        Assert.That(v3, Is.EqualTo(v1));
        var row = new NoisyDifferentiator(noise).ValueAndGradient(circuit, theta, samples[4], o);
        Assert.That(j1.Skip(12).Take(3), Is.EqualTo(row.Gradient).Within(1e-14));
    }

    [TestCase(2, 0.1)]
    [TestCase(5, 0.03)]
    public void GlobalDepolarizingAfterEveryLayer_ScalesTheTangentKernelByOneMinusPToTheTwoL(int layers, double p)
    {
        // THEORY (issue 11, check 1): outputs scale by (1 − p)^L, so every Jacobian row does too and K = J Jᵀ by (1 − p)^{2L}.
        const int n = 2;
        var ideal = new CircuitBuilder(n);
        var noisy = new CircuitBuilder(n);
        var x = ideal.Input("x");
        noisy.Input("x");
        var t = ideal.Parameters("t", 2 * layers);
        noisy.Parameters("t", 2 * layers);
        for (int l = 0; l < layers; l++)
        {
            foreach (var b in new[] { ideal, noisy })
                b.Ry(0, x).Ry(0, t[2 * l]).Ry(1, t[2 * l + 1]).CZ(0, 1).Rx(1, 0.5 * x);
            noisy.Channel(NoiseChannel.GlobalDepolarizing(p, n), 0, 1);
        }
        var theta = GradientTestCircuits.RandomParameters(new SeededRandom(8), 2 * layers);
        InputValues[] samples = [InputValues.Of(-0.8), InputValues.Of(0.1), InputValues.Of(0.9), InputValues.Of(1.7)];
        var o = PauliSum.Parse("Z0");
        var j0 = new Differentiator().Jacobian(ideal.Build(), theta, samples, [o]);
        var j1 = new NoisyDifferentiator().Jacobian(noisy.Build(), theta, samples, [o]);
        var k0 = QnnSim.Analysis.TangentKernel.FromJacobian(Enumerable.Range(0, j0.Rows).SelectMany(r => j0.Row(r).ToArray()).ToArray(), samples.Length, 2 * layers);
        var k1 = QnnSim.Analysis.TangentKernel.FromJacobian(Enumerable.Range(0, j1.Rows).SelectMany(r => j1.Row(r).ToArray()).ToArray(), samples.Length, 2 * layers);
        double scale = Math.Pow(1 - p, 2 * layers);
        for (int a = 0; a < samples.Length; a++)
            for (int b = 0; b < samples.Length; b++)
                Assert.That(k1[a, b], Is.EqualTo(scale * k0[a, b]).Within(1e-10), $"K[{a},{b}]");
    }
}
