using System.Numerics;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Observables;

/// <summary>Shot sampling and shot-estimated expectations: distributions within 4σ, reproducible for a seed.</summary>
[TestFixture]
public class SamplingTests
{
    private static readonly Simulator Sim = new(new SimulationOptions { MaxThreads = 1 });

    [TestCase(1UL)]
    [TestCase(2UL)]
    [TestCase(3UL)]
    public void Sample_Frequencies_WithinFourSigmaOfBornProbabilities(ulong seed)
    {
        const int shots = 20000;
        var psi = R.HaarState(3, seed);
        var state = StateVector.FromAmplitudes(psi);
        var counts = Sim.Sample(state, shots, seed * 31);
        Assert.That(counts.Values.Sum(), Is.EqualTo(shots));
        Assert.That(counts.Keys.All(k => k >= 0 && k < 8), Is.True);
        for (int k = 0; k < 8; k++)
        {
            double p = psi[k].Magnitude * psi[k].Magnitude;
            double f = counts.TryGetValue(k, out int c) ? c / (double)shots : 0;
            double sigma = Math.Sqrt(p * (1 - p) / shots);
            Assert.That(Math.Abs(f - p), Is.LessThanOrEqualTo(Tolerances.ShotSigmas * sigma + 1e-12), $"outcome {k}: p = {p}, f = {f}");
        }
    }

    [Test]
    public void Sample_SameSeedReproduces_DifferentSeedsDiffer()
    {
        var state = StateVector.FromAmplitudes(R.HaarState(4, 9));
        var a = Sim.Sample(state, 1000, 5);
        var b = Sim.Sample(state, 1000, 5);
        var c = Sim.Sample(state, 1000, 6);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        // Sampling does not change the state.
        Assert.That(R.MaxAbsDiff(state.Amplitudes, R.HaarState(4, 9)), Is.EqualTo(0));
    }

    [Test]
    public void Sample_BasisState_GivesOneOutcome()
    {
        var counts = Sim.Sample(StateVector.BasisState(5, 19), 300, 1);
        Assert.That(counts, Is.EqualTo(new SortedDictionary<long, int> { [19] = 300 }));
        var last = Sim.Sample(StateVector.BasisState(3, 7), 50, 2);
        Assert.That(last, Is.EqualTo(new SortedDictionary<long, int> { [7] = 50 }), "the top outcome is reachable");
    }

    public static IEnumerable<TestCaseData> Observables()
    {
        yield return new TestCaseData("Z0").SetArgDisplayNames("Z0");
        yield return new TestCaseData("X1").SetArgDisplayNames("X1");
        yield return new TestCaseData("Y2").SetArgDisplayNames("Y2");
        yield return new TestCaseData("X0 Y1 Z3").SetArgDisplayNames("X0 Y1 Z3");
        yield return new TestCaseData("0.5*Z0 + X1 Y2 - 1.2 * Z0 Z1 + 0.3").SetArgDisplayNames("mixed sum");
        yield return new TestCaseData("Y0 Y1 Y2 Y3 - 0.7*X2 X3 + 2*Z1").SetArgDisplayNames("Y-heavy sum");
    }

    [TestCaseSource(nameof(Observables))]
    public void EstimateExpectation_SeveralSeeds_WithinFourStandardErrors(string text)
    {
        const int shots = 4000;
        var o = PauliSum.Parse(text);
        int nonIdentity = o.Terms.Count(t => !t.Pauli.IsIdentity);
        for (ulong seed = 1; seed <= 5; seed++)
        {
            var psi = R.HaarState(4, 50 + seed);
            var state = StateVector.FromAmplitudes(psi);
            double exact = R.ExpectationValue(R.PauliSumMatrix(4, o), psi).Real;
            Assert.That(Sim.Expectation(state, o), Is.EqualTo(exact).Within(Tolerances.Kernel));
            // The true standard error from the exact term means: √(Σ c_k² (1 − ⟨P_k⟩²) / N).
            double variance = 0;
            foreach (var t in o.Terms)
            {
                if (t.Pauli.IsIdentity) continue;
                double m = R.ExpectationValue(R.PauliStringMatrix(4, t.Pauli), psi).Real;
                variance += t.Coefficient * t.Coefficient * (1 - m * m) / shots;
            }
            double sigma = Math.Sqrt(variance);
            var est = Sim.EstimateExpectation(state, o, shots, seed);
            Assert.That(est.TotalShots, Is.EqualTo((long)nonIdentity * shots));
            Assert.That(Math.Abs(est.Estimate - exact), Is.LessThanOrEqualTo(Tolerances.ShotSigmas * sigma), $"seed {seed}: {est.Estimate} vs {exact} (σ = {sigma})");
            Assert.That(est.StandardError, Is.EqualTo(sigma).Within(0.1 * sigma), "the reported standard error estimates the true one");
            Assert.That(Sim.EstimateExpectation(state, o, shots, seed), Is.EqualTo(est), "reproducible for a seed");
            Assert.That(R.MaxAbsDiff(state.Amplitudes, psi), Is.EqualTo(0), "estimation leaves the state unchanged");
        }
    }

    [Test]
    public void EstimateExpectation_DifferentSeeds_Differ()
    {
        var state = StateVector.FromAmplitudes(R.HaarState(3, 1));
        var o = PauliSum.Parse("X0 + Y1 Z2");
        Assert.That(Sim.EstimateExpectation(state, o, 500, 1).Estimate, Is.Not.EqualTo(Sim.EstimateExpectation(state, o, 500, 2).Estimate));
    }

    [Test]
    public void EstimateExpectation_EigenstateAndIdentity_AreExact()
    {
        // |+⟩ ⊗ |1⟩ is an eigenstate of X0 (+1) and Z1 (−1): every shot agrees, the standard error is 0.
        var b = new QnnSim.Circuits.CircuitBuilder(2);
        b.H(0).X(1);
        var state = Sim.Run(b.Build(), default, default);
        var est = Sim.EstimateExpectation(state, PauliSum.Parse("2*X0 + 0.5*Z1 + 4"), 200, 3);
        Assert.That(est.Estimate, Is.EqualTo(2 - 0.5 + 4).Within(1e-12));
        Assert.That(est.StandardError, Is.EqualTo(0));
        Assert.That(est.TotalShots, Is.EqualTo(400));
        // Y eigenstate: S H |0⟩ = |+i⟩ has ⟨Y⟩ = +1.
        var y = new QnnSim.Circuits.CircuitBuilder(1);
        y.H(0).S(0);
        var plusI = Sim.Run(y.Build(), default, default);
        Assert.That(Sim.EstimateExpectation(plusI, PauliSum.Parse("Y0"), 100, 1).Estimate, Is.EqualTo(1.0));
    }
}
