using QnnSim.Kernels;
using QnnSim.Randomness;

namespace QnnSim.Tests.Kernels;

/// <summary>The batched half-angle sine and cosine of the fused forward pass, against Math.SinCos.</summary>
public class TrigBatchTests
{
    /// <summary>Largest absolute difference from Math.SinCos accepted: two units in the last place of 1.</summary>
    private const double AbsoluteTolerance = 2.0 / (1L << 52);

    private static IEnumerable<TestCaseData> Ranges()
    {
        yield return new TestCaseData(0.0, 2 * Math.PI).SetArgDisplayNames("[0, 2π)");
        yield return new TestCaseData(-20.0, 20.0).SetArgDisplayNames("[−20, 20]");
        yield return new TestCaseData(-1000.0, 1000.0).SetArgDisplayNames("[−1000, 1000]");
        yield return new TestCaseData(-1e6, 1e6).SetArgDisplayNames("[−1e6, 1e6] (reduction limit inside)");
        yield return new TestCaseData(-1e9, 1e9).SetArgDisplayNames("[−1e9, 1e9] (Math.SinCos beyond the limit)");
    }

    [TestCaseSource(nameof(Ranges))]
    public void SinCosHalf_RandomAngles_MatchMathSinCos(double low, double high)
    {
        var rng = new SeededRandom(23);
        var x = new double[4099]; // not a multiple of 4: the scalar tail runs too
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble(low, high);
        AssertMatches(x);
    }

    [Test]
    public void SinCosHalf_NearMultiplesOfPiOverTwo_MatchMathSinCos()
    {
        // Half-angles next to k·π/2, where the reduced argument is tiny and the quadrant changes.
        var x = new List<double>();
        for (int k = -64; k <= 64; k++)
            foreach (double eps in new[] { 0.0, 1e-300, 1e-17, -1e-17, 1e-12, -1e-12, 1e-6, -1e-6 })
            {
                double h = k * (Math.PI / 2) + eps;
                x.Add(2 * h);
                x.Add(Math.BitIncrement(2 * h));
                x.Add(Math.BitDecrement(2 * h));
            }
        x.AddRange([0.0, -0.0, Math.PI, -Math.PI, 2 * Math.PI, 1e-320, 2 * 524288.0, -2 * 524288.0, Math.BitDecrement(2 * 524288.0)]);
        AssertMatches([.. x]);
    }

    [Test]
    public void SinCosHalf_VectorAndScalarPaths_AreBitIdentical()
    {
        var rng = new SeededRandom(29);
        var x = new double[1024];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble(-200, 200);
        var s = new double[x.Length];
        var c = new double[x.Length];
        TrigBatch.SinCosHalf(x, s, c);
        for (int i = 0; i < x.Length; i++)
        {
            TrigBatch.Scalar(0.5 * x[i], out double ss, out double cc);
            Assert.That(BitConverter.DoubleToInt64Bits(s[i]), Is.EqualTo(BitConverter.DoubleToInt64Bits(ss)), $"sin at x = {x[i]:R}");
            Assert.That(BitConverter.DoubleToInt64Bits(c[i]), Is.EqualTo(BitConverter.DoubleToInt64Bits(cc)), $"cos at x = {x[i]:R}");
        }
    }

    private static void AssertMatches(double[] x)
    {
        var s = new double[x.Length];
        var c = new double[x.Length];
        TrigBatch.SinCosHalf(x, s, c);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            var (ms, mc) = Math.SinCos(0.5 * x[i]);
            worst = Math.Max(worst, Math.Max(Math.Abs(s[i] - ms), Math.Abs(c[i] - mc)));
            Assert.That(Math.Abs(s[i] - ms), Is.LessThanOrEqualTo(AbsoluteTolerance), $"sin(x/2) at x = {x[i]:R}: {s[i]:R} against {ms:R}");
            Assert.That(Math.Abs(c[i] - mc), Is.LessThanOrEqualTo(AbsoluteTolerance), $"cos(x/2) at x = {x[i]:R}: {c[i]:R} against {mc:R}");
        }
        TestContext.Out.WriteLine($"largest difference from Math.SinCos: {worst:E2} over {x.Length} angles");
    }
}
