using QnnSim.Observables;
using QnnSim.Randomness;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Observables;

[TestFixture]
public class PauliParsingTests
{
    private static PauliString P(params (int Qubit, Pauli Factor)[] f) => PauliString.FromFactors(f);

    public static IEnumerable<TestCaseData> ValidSums()
    {
        TestCaseData Case(string text, params (double, PauliString)[] terms) =>
            new TestCaseData(text, terms).SetArgDisplayNames($"\"{text.Replace("\n", "\\n").Replace("\t", "\\t")}\"");
        yield return Case("X0 Z3 Y7", (1, P((0, Pauli.X), (3, Pauli.Z), (7, Pauli.Y))));
        yield return Case("Z0Z1", (1, P((0, Pauli.Z), (1, Pauli.Z))));
        yield return Case("0.5*Z0 + X1 Y2 - 1.2 * Z0 Z1", (0.5, PauliString.Z(0)), (1, P((1, Pauli.X), (2, Pauli.Y))), (-1.2, P((0, Pauli.Z), (1, Pauli.Z))));
        yield return Case("0.5*Z0+X1Y2-1.2*Z0Z1", (0.5, PauliString.Z(0)), (1, P((1, Pauli.X), (2, Pauli.Y))), (-1.2, P((0, Pauli.Z), (1, Pauli.Z))));
        yield return Case("  0.5 *  Z0  +  X1   Y2 -1.2*Z0 *Z1  ", (0.5, PauliString.Z(0)), (1, P((1, Pauli.X), (2, Pauli.Y))), (-1.2, P((0, Pauli.Z), (1, Pauli.Z))));
        yield return Case("\tZ0\n+\tX1\r\n", (1, PauliString.Z(0)), (1, PauliString.X(1)));
        yield return Case("-X3", (-1, PauliString.X(3)));
        yield return Case("+Z0", (1, PauliString.Z(0)));
        yield return Case("2 + Z0", (2, PauliString.Identity), (1, PauliString.Z(0)));
        yield return Case("3", (3, PauliString.Identity));
        yield return Case("I", (1, PauliString.Identity));
        yield return Case("1e-3*Z0", (1e-3, PauliString.Z(0)));
        yield return Case("2.5E+2 X0 - 4e-1 Y1", (250, PauliString.X(0)), (-0.4, PauliString.Y(1)));
        yield return Case(".5*Z2", (0.5, PauliString.Z(2)));
        yield return Case("0.5 Z0", (0.5, PauliString.Z(0)));
        yield return Case("x0 y1 z2", (1, P((0, Pauli.X), (1, Pauli.Y), (2, Pauli.Z))));
        yield return Case("X0*Z3", (1, P((0, Pauli.X), (3, Pauli.Z))));
        yield return Case("Z0 + Z0", (2, PauliString.Z(0)));
        yield return Case("Z0 - Z0", (0, PauliString.Z(0)));
        yield return Case("Z63", (1, PauliString.Z(63)));
        yield return Case("I0 X1", (1, PauliString.X(1)));
    }

    [TestCaseSource(nameof(ValidSums))]
    public void PauliSumParse_ValidText_GivesTerms(string text, (double Coefficient, PauliString Pauli)[] expected)
    {
        var sum = PauliSum.Parse(text);
        Assert.That(sum.Terms.Length, Is.EqualTo(expected.Length));
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.That(sum.Terms[k].Pauli, Is.EqualTo(expected[k].Pauli), $"term {k}");
            Assert.That(sum.Terms[k].Coefficient, Is.EqualTo(expected[k].Coefficient).Within(1e-15), $"term {k}");
        }
        var again = PauliSum.Parse(sum.ToString());
        Assert.That(again.Terms, Is.EqualTo(sum.Terms), $"round trip of \"{sum}\"");
    }

    [TestCase("X0 Z3 Y7", "X0 Z3 Y7")]
    [TestCase("Z0Z1", "Z0 Z1")]
    [TestCase("Y7 x0", "X0 Y7")]
    [TestCase("X0*Z3", "X0 Z3")]
    [TestCase(" I ", "I")]
    [TestCase("z63", "Z63")]
    public void PauliStringParse_ValidText_IsCanonical(string text, string canonical)
    {
        var p = PauliString.Parse(text);
        Assert.That(p.ToString(), Is.EqualTo(canonical));
        Assert.That(PauliString.Parse(p.ToString()), Is.EqualTo(p));
        Assert.That(PauliString.TryParse(text, out var q) && p.Equals(q), Is.True);
    }

    public static IEnumerable<TestCaseData> MalformedSums()
    {
        TestCaseData Case(string text, int column, string fragment) =>
            new TestCaseData(text, column, fragment).SetArgDisplayNames($"\"{text}\"");
        yield return Case("", 1, "expected an observable");
        yield return Case("   ", 4, "expected an observable");
        yield return Case("A0", 1, "unexpected 'A'");
        yield return Case("Z0 +", 5, "expected a term");
        yield return Case("Z0 Z1 +", 8, "expected a term");
        yield return Case("Z0 + + Z1", 6, "unexpected '+'");
        yield return Case("Z0 Z0", 4, "qubit 0 appears twice");
        yield return Case("Z0 2", 4, "unexpected '2'");
        yield return Case("X", 2, "qubit index after 'X'");
        yield return Case("Z0 Y1 X", 8, "qubit index after 'X'");
        yield return Case("Z-1", 2, "qubit index after 'Z'");
        yield return Case("X64", 2, "out of range (0..63)");
        yield return Case("Z99999999999", 2, "out of range");
        yield return Case("0.5.3*Z0", 1, "'0.5.3' is not a number");
        yield return Case("1e999*Z0", 1, "not a finite number");
        yield return Case("0.5*", 5, "expected a Pauli factor after '*'");
        yield return Case("0.5 * + Z0", 7, "after '*'");
        yield return Case("Z0 * ", 4, "unexpected '*'");
        yield return Case("Z0 & X1", 4, "unexpected '&'");
    }

    [TestCaseSource(nameof(MalformedSums))]
    public void PauliSumParse_Malformed_ThrowsParseExceptionAtColumn(string text, int column, string fragment)
    {
        var e = Assert.Throws<ParseException>(() => PauliSum.Parse(text));
        Assert.That(e!.Column, Is.EqualTo(column), e.Message);
        Assert.That(e.Line, Is.EqualTo(1));
        Assert.That(e.SourceName, Is.EqualTo("observable"));
        Assert.That(e.Detail, Does.Contain(fragment));
        Assert.That(e.Message, Does.StartWith($"observable:1:{column}: "));
    }

    [TestCase("", 1)]
    [TestCase("Z0 +", 4)]
    [TestCase("0.5*Z0", 1)]
    [TestCase("X0 X0", 4)]
    [TestCase("X0 Q1", 4)]
    [TestCase("Y", 2)]
    public void PauliStringParse_Malformed_ThrowsParseExceptionAtColumn(string text, int column)
    {
        var e = Assert.Throws<ParseException>(() => PauliString.Parse(text));
        Assert.That(e!.Column, Is.EqualTo(column), e.Message);
        Assert.That(e.SourceName, Is.EqualTo("pauli string"));
        Assert.That(PauliString.TryParse(text, out var p), Is.False);
        Assert.That(p, Is.Null);
    }

    [Test]
    public void ToStringParse_RandomSums_RoundTripExactly()
    {
        var rng = new SeededRandom(12);
        double[] special = [1, -1, 1e-3, -2.5e-7, 1.5e20, 0, 0.1, 1.0 / 3];
        for (int trial = 0; trial < 200; trial++)
        {
            int terms = 1 + (int)rng.NextInt64(6);
            var list = new List<PauliTerm>();
            for (int k = 0; k < terms; k++)
            {
                double c = rng.NextDouble() < 0.5 ? special[rng.NextInt64(special.Length)] : rng.NextDouble(-5, 5);
                var p = rng.NextDouble() < 0.1 ? PauliString.Identity : PauliString.FromMasks(rng.NextUInt64(), rng.NextUInt64());
                list.Add(new PauliTerm(c, p));
            }
            var sum = new PauliSum(list);
            var text = sum.ToString();
            var parsed = PauliSum.Parse(text);
            Assert.That(parsed.Terms.Length, Is.EqualTo(sum.Terms.Length), text);
            for (int k = 0; k < sum.Terms.Length; k++)
            {
                Assert.That(parsed.Terms[k].Pauli, Is.EqualTo(sum.Terms[k].Pauli), text);
                Assert.That(BitConverter.DoubleToInt64Bits(Math.Abs(parsed.Terms[k].Coefficient)),
                    Is.EqualTo(BitConverter.DoubleToInt64Bits(Math.Abs(sum.Terms[k].Coefficient))), text);
                if (sum.Terms[k].Coefficient != 0)
                    Assert.That(Math.Sign(parsed.Terms[k].Coefficient), Is.EqualTo(Math.Sign(sum.Terms[k].Coefficient)), text);
            }
            var ps = PauliString.FromMasks(rng.NextUInt64(), rng.NextUInt64());
            Assert.That(PauliString.Parse(ps.ToString()), Is.EqualTo(ps));
        }
    }

    [Test]
    public void PauliSum_Construction_MergesAndValidates()
    {
        var s = new PauliSum([new(0.5, PauliString.Z(0)), new(1, PauliString.X(1)), new(0.25, PauliString.Z(0))]);
        Assert.That(s.Terms.Select(t => (t.Coefficient, t.Pauli.ToString())), Is.EqualTo(new[] { (0.75, "Z0"), (1.0, "X1") }));
        Assert.That(s.RequiredQubits, Is.EqualTo(2));
        Assert.That(s.OneNorm, Is.EqualTo(1.75));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PauliSum([new(double.NaN, PauliString.Z(0))]));
        Assert.That(e!.Message, Does.Contain("NaN").And.Contain("Z0"));
        Assert.That(new PauliSum([]).ToString(), Is.EqualTo("0"));
        PauliSum implicitSum = PauliString.Y(4);
        Assert.That(implicitSum.Terms.Single(), Is.EqualTo(new PauliTerm(1, PauliString.Y(4))));
    }

    [Test]
    public void PauliString_FactoriesAndProperties()
    {
        var p = PauliString.Parse("X0 Y3 Z5");
        Assert.That(p.Weight, Is.EqualTo(3));
        Assert.That(p.YCount, Is.EqualTo(1));
        Assert.That(p.RequiredQubits, Is.EqualTo(6));
        Assert.That(p.Qubits, Is.EqualTo(new[] { 0, 3, 5 }));
        Assert.That(p[3], Is.EqualTo(Pauli.Y));
        Assert.That(p[4], Is.EqualTo(Pauli.I));
        Assert.That(p.IsDiagonal, Is.False);
        Assert.That(PauliString.Parse("Z1 Z4").IsDiagonal, Is.True);
        Assert.That(PauliString.Identity.RequiredQubits, Is.EqualTo(0));
        Assert.That(PauliString.Identity.ToString(), Is.EqualTo("I"));
        Assert.Throws<ArgumentOutOfRangeException>(() => PauliString.Z(64));
        Assert.Throws<ArgumentOutOfRangeException>(() => PauliString.Z(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = p[64]);
        Assert.Throws<ArgumentException>(() => PauliString.FromFactors([(1, Pauli.X), (1, Pauli.Z)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PauliString.FromFactors([(1, (Pauli)7)]));
        Assert.That(PauliString.FromFactors([(2, Pauli.I)]), Is.EqualTo(PauliString.Identity));
        var dense = R.PauliStringMatrix(6, p);
        Assert.That(R.MaxAbsDiff(dense * dense, R.Identity(6)), Is.EqualTo(0), "P² = I");
    }
}
