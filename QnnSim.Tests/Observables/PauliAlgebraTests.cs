using System.Numerics;
using QnnSim.Observables;
using QnnSim.Randomness;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Observables;

/// <summary>Products and commutation of Pauli strings against dense matrices.</summary>
[TestFixture]
public class PauliAlgebraTests
{
    private static readonly Pauli[] Letters = [Pauli.I, Pauli.X, Pauli.Y, Pauli.Z];

    public static IEnumerable<TestCaseData> SingleQubitPairs() =>
        from a in Letters from b in Letters select new TestCaseData(a, b).SetArgDisplayNames($"{a}", $"{b}");

    [TestCaseSource(nameof(SingleQubitPairs))]
    public void Multiply_SingleQubitPair_MatchesDenseProduct(Pauli a, Pauli b)
    {
        var p = PauliString.FromFactors([(0, a)]);
        var q = PauliString.FromFactors([(0, b)]);
        var (phase, product) = p.Multiply(q);
        var expected = R.PauliMatrix(a) * R.PauliMatrix(b);
        Assert.That(R.MaxAbsDiff(phase * R.PauliStringMatrix(1, product), expected), Is.EqualTo(0), $"{a}·{b} = {phase}·{product}");
        bool commute = R.MaxAbsDiff(expected, R.PauliMatrix(b) * R.PauliMatrix(a)) == 0;
        Assert.That(p.CommutesWith(q), Is.EqualTo(commute));
        Assert.That(p.QubitWiseCommutesWith(q), Is.EqualTo(commute));
    }

    [Test]
    public void MultiplyAndCommutation_RandomStrings_MatchDenseMatrices()
    {
        const int n = 5;
        var rng = new SeededRandom(3);
        int commuting = 0, qubitWise = 0;
        for (int trial = 0; trial < 150; trial++)
        {
            var p = R.RandomPauliString(n, rng);
            var q = rng.NextDouble() < 0.2 ? p : R.RandomPauliString(n, rng);
            var pm = R.PauliStringMatrix(n, p);
            var qm = R.PauliStringMatrix(n, q);
            var (phase, product) = p.Multiply(q);
            Assert.That(R.MaxAbsDiff(phase * R.PauliStringMatrix(n, product), pm * qm), Is.EqualTo(0), $"{p} · {q}");
            Assert.That(phase == Complex.One || phase == -Complex.One || phase == Complex.ImaginaryOne || phase == -Complex.ImaginaryOne, Is.True);

            bool commute = R.MaxAbsDiff(pm * qm, qm * pm) == 0;
            Assert.That(p.CommutesWith(q), Is.EqualTo(commute), $"[{p}, {q}]");
            bool wise = true;
            for (int k = 0; k < n; k++)
            {
                var a = R.PauliMatrix(p[k]);
                var b = R.PauliMatrix(q[k]);
                if (R.MaxAbsDiff(a * b, b * a) != 0) wise = false;
            }
            Assert.That(p.QubitWiseCommutesWith(q), Is.EqualTo(wise), $"qubit-wise [{p}, {q}]");
            if (commute) commuting++;
            if (wise) qubitWise++;
        }
        Assert.That(commuting, Is.GreaterThan(20).And.LessThan(130), "both outcomes are exercised");
        Assert.That(qubitWise, Is.GreaterThan(5).And.LessThan(commuting), "qubit-wise commuting is strictly rarer");
    }

    [Test]
    public void Equality_FollowsMasks()
    {
        Assert.That(PauliString.Parse("X0 Z2"), Is.EqualTo(PauliString.Parse("Z2 X0")));
        Assert.That(PauliString.Parse("X0 Z2").GetHashCode(), Is.EqualTo(PauliString.Parse("Z2X0").GetHashCode()));
        Assert.That(PauliString.Parse("X0"), Is.Not.EqualTo(PauliString.Parse("Y0")));
        Assert.That(PauliString.Parse("Y1"), Is.EqualTo(PauliString.FromMasks(2, 2)));
    }
}
