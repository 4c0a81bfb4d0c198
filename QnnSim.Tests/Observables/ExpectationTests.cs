using System.Numerics;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Observables;

/// <summary>Exact expectation values against the dense ⟨ψ|O|ψ⟩ on Haar-random states, on every kernel path.</summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector128)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public sealed class ExpectationTests(KernelPath path)
{
    private readonly Simulator _sim = new(new SimulationOptions { KernelPath = path, MaxThreads = 1 });

    [TearDown]
    public void CollectGarbage() => R.CollectIfLarge();

    public static IEnumerable<TestCaseData> Sizes() =>
        Enumerable.Range(1, 10).Select(n => new TestCaseData(n).SetArgDisplayNames($"n={n}"));

    [TestCaseSource(nameof(Sizes))]
    public void Expectation_RandomStringsAndSums_MatchDenseReference(int n)
    {
        var rng = new SeededRandom(100 + (ulong)n);
        var psi = R.HaarState(n, 200 + (ulong)n);
        var state = StateVector.FromAmplitudes(psi);
        int strings = n <= 8 ? 6 : 3;
        var terms = new List<PauliTerm>();
        for (int k = 0; k < strings; k++)
        {
            var p = R.RandomPauliString(n, rng);
            double expected = R.ExpectationValue(R.PauliStringMatrix(n, p), psi).Real;
            Assert.That(_sim.Expectation(state, p), Is.EqualTo(expected).Within(Tolerances.Kernel), p.ToString());
            terms.Add(new PauliTerm(rng.NextDouble(-2, 2), p));
        }
        // Single-letter strings on the highest and lowest qubit: X/Y/Z each, to reach every branch of the kernel.
        foreach (var p in new[] { PauliString.X(0), PauliString.Y(0), PauliString.Z(0), PauliString.X(n - 1), PauliString.Y(n - 1), PauliString.Z(n - 1) })
            Assert.That(_sim.Expectation(state, p), Is.EqualTo(R.ExpectationValue(R.PauliStringMatrix(n, p), psi).Real).Within(Tolerances.Kernel), p.ToString());
        terms.Add(new PauliTerm(0.75, PauliString.Identity));
        var sum = new PauliSum(terms);
        var dense = R.ExpectationValue(R.PauliSumMatrix(n, sum), psi);
        Assert.That(Math.Abs(dense.Imaginary), Is.LessThan(Tolerances.Kernel), "a Pauli sum is Hermitian");
        Assert.That(_sim.Expectation(state, sum), Is.EqualTo(dense.Real).Within(Tolerances.Kernel * Math.Max(1, sum.OneNorm)), sum.ToString());
        Assert.That(_sim.Expectation(state, PauliString.Identity), Is.EqualTo(1).Within(Tolerances.Kernel));
    }

    [Test]
    public void Expectation_ParsedObservableOnKnownState_MatchesClosedForm()
    {
        // |ψ⟩ = Ry(a)|0⟩ ⊗ ... : ⟨Z0⟩ = cos a, ⟨X0⟩ = sin a.
        double a = 0.7;
        var b = new QnnSim.Circuits.CircuitBuilder(2);
        b.Ry(0, a).X(1);
        var psi = _sim.Run(b.Build(), default, default);
        Assert.That(_sim.Expectation(psi, PauliSum.Parse("0.5*Z0 + X0 - 2*Z1 + 3")),
            Is.EqualTo(0.5 * Math.Cos(a) + Math.Sin(a) + 2 + 3).Within(Tolerances.Kernel));
        Assert.That(_sim.Expectation(psi, PauliString.Parse("Y0")), Is.EqualTo(0).Within(Tolerances.Kernel));
    }
}
