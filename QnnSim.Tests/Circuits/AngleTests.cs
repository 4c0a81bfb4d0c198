using QnnSim.Circuits;
using QnnSim.Randomness;

namespace QnnSim.Tests.Circuits;

[TestFixture]
public class AngleTests
{
    private const int Parameters = 3, Inputs = 2;

    /// <summary>An angle expression paired with an independent evaluator written as a plain C# lambda.</summary>
    private sealed record Node(Angle Angle, Func<double[], double[], double> F, string Text);

    /// <summary>
    /// Random expression trees over θ_0..θ_2, x_0..x_1 and constants, using every function and operator. Arguments
    /// are wrapped so every value stays in the function's domain (ln(2 + cos a), arcsin(0.5·sin a), ...).
    /// </summary>
    private static Node RandomTree(SeededRandom rng, int depth)
    {
        if (depth == 0 || rng.NextDouble() < 0.2)
        {
            switch (rng.NextInt64(3))
            {
                case 0:
                {
                    int j = (int)rng.NextInt64(Parameters);
                    return new(Angle.Parameter(j), (t, _) => t[j], $"t{j}");
                }
                case 1:
                {
                    int j = (int)rng.NextInt64(Inputs);
                    return new(Angle.Input(j), (_, x) => x[j], $"x{j}");
                }
                default:
                {
                    double c = Math.Round(rng.NextDouble(-2, 2), 3);
                    return new(c, (_, _) => c, c.ToString("R"));
                }
            }
        }
        var a = RandomTree(rng, depth - 1);
        switch (rng.NextInt64(15))
        {
            case 0: { var b = RandomTree(rng, depth - 1); return new(a.Angle + b.Angle, (t, x) => a.F(t, x) + b.F(t, x), $"({a.Text} + {b.Text})"); }
            case 1: { var b = RandomTree(rng, depth - 1); return new(a.Angle - b.Angle, (t, x) => a.F(t, x) - b.F(t, x), $"({a.Text} - {b.Text})"); }
            case 2: { var b = RandomTree(rng, depth - 1); return new(a.Angle * b.Angle, (t, x) => a.F(t, x) * b.F(t, x), $"({a.Text} * {b.Text})"); }
            case 3:
            {
                var b = RandomTree(rng, depth - 1);
                return new(a.Angle / (2.0 + Angle.Sin(b.Angle)), (t, x) => a.F(t, x) / (2 + Math.Sin(b.F(t, x))), $"({a.Text} / (2 + sin {b.Text}))");
            }
            case 4:
            {
                var b = RandomTree(rng, depth - 1);
                return new(Angle.Pow(1.5 + Angle.Sin(a.Angle), Angle.Cos(b.Angle)),
                    (t, x) => Math.Pow(1.5 + Math.Sin(a.F(t, x)), Math.Cos(b.F(t, x))), $"pow(1.5 + sin {a.Text}, cos {b.Text})");
            }
            case 5: return new(Angle.Sin(a.Angle), (t, x) => Math.Sin(a.F(t, x)), $"sin {a.Text}");
            case 6: return new(Angle.Cos(a.Angle), (t, x) => Math.Cos(a.F(t, x)), $"cos {a.Text}");
            case 7: return new(Angle.Arctan(a.Angle), (t, x) => Math.Atan(a.F(t, x)), $"arctan {a.Text}");
            case 8: return new(Angle.Exp(Angle.Sin(a.Angle)), (t, x) => Math.Exp(Math.Sin(a.F(t, x))), $"exp sin {a.Text}");
            case 9: return new(Angle.Ln(2.0 + Angle.Cos(a.Angle)), (t, x) => Math.Log(2 + Math.Cos(a.F(t, x))), $"ln(2 + cos {a.Text})");
            case 10: return new(Angle.Sqrt(2.0 + Angle.Sin(a.Angle)), (t, x) => Math.Sqrt(2 + Math.Sin(a.F(t, x))), $"sqrt(2 + sin {a.Text})");
            case 11: return new(Angle.Arcsin(0.5 * Angle.Sin(a.Angle)), (t, x) => Math.Asin(0.5 * Math.Sin(a.F(t, x))), $"arcsin(0.5 sin {a.Text})");
            case 12: return new(Angle.Arccos(0.5 * Angle.Cos(a.Angle)), (t, x) => Math.Acos(0.5 * Math.Cos(a.F(t, x))), $"arccos(0.5 cos {a.Text})");
            case 13: return new(Angle.Tan(0.5 * Angle.Sin(a.Angle)), (t, x) => Math.Tan(0.5 * Math.Sin(a.F(t, x))), $"tan(0.5 sin {a.Text})");
            default: return new(-a.Angle, (t, x) => -a.F(t, x), $"-{a.Text}");
        }
    }

    public static IEnumerable<TestCaseData> TreeSeeds() =>
        Enumerable.Range(1, 40).Select(s => new TestCaseData((ulong)s).SetArgDisplayNames($"seed={s}"));

    [TestCaseSource(nameof(TreeSeeds))]
    public void Evaluate_RandomTree_MatchesIndependentEvaluator(ulong seed)
    {
        var rng = new SeededRandom(seed);
        var tree = RandomTree(rng, 4);
        for (int k = 0; k < 5; k++)
        {
            double[] t = [.. Enumerable.Range(0, Parameters).Select(_ => rng.NextDouble(-1.5, 1.5))];
            double[] x = [.. Enumerable.Range(0, Inputs).Select(_ => rng.NextDouble(-1.5, 1.5))];
            double expected = tree.F(t, x);
            Assert.That(tree.Angle.Evaluate(t, x), Is.EqualTo(expected).Within(1e-12 * Math.Max(1, Math.Abs(expected))), tree.Text);
        }
    }

    [TestCaseSource(nameof(TreeSeeds))]
    public void AccumulateGradient_RandomTree_MatchesCentralDifferences(ulong seed)
    {
        var rng = new SeededRandom(seed + 1000);
        var tree = RandomTree(rng, 4);
        double[] t = [.. Enumerable.Range(0, Parameters).Select(_ => rng.NextDouble(-1.5, 1.5))];
        double[] x = [.. Enumerable.Range(0, Inputs).Select(_ => rng.NextDouble(-1.5, 1.5))];
        const double weight = 0.7, prior = 1.25, h = 1e-6;
        var gt = Enumerable.Repeat(prior, Parameters).ToArray();
        var gx = Enumerable.Repeat(prior, Inputs).ToArray();
        tree.Angle.AccumulateGradient(t, x, weight, gt, gx);
        for (int j = 0; j < Parameters + Inputs; j++)
        {
            double[] v = j < Parameters ? t : x;
            int i = j < Parameters ? j : j - Parameters;
            double saved = v[i];
            v[i] = saved + h;
            double up = tree.F(t, x);
            v[i] = saved - h;
            double down = tree.F(t, x);
            v[i] = saved;
            double fd = weight * (up - down) / (2 * h);
            double got = (j < Parameters ? gt[i] : gx[i]) - prior;
            Assert.That(got, Is.EqualTo(fd).Within(Tolerances.FiniteDifference * Math.Max(1, Math.Abs(fd))),
                $"∂/∂{(j < Parameters ? "t" : "x")}{i} of {tree.Text}");
        }
    }

    [Test]
    public void AccumulateGradient_EmptyInputSpan_SkipsInputsOnly()
    {
        var e = Angle.Parameter(0) * Angle.Input(0) + Angle.Sin(Angle.Input(0));
        var gt = new double[1];
        e.AccumulateGradient([2.0], [0.5], 1.0, gt, Span<double>.Empty);
        Assert.That(gt[0], Is.EqualTo(0.5).Within(1e-15));
    }

    [Test]
    public void Pow_GradientAtZeroBase_IsFinite()
    {
        var e = Angle.Pow(Angle.Parameter(0), 2.0);
        var g = new double[1];
        e.AccumulateGradient([0.0], [], 1.0, g, []);
        Assert.That(g[0], Is.EqualTo(0.0));
        e.AccumulateGradient([3.0], [], 1.0, g, []);
        Assert.That(g[0], Is.EqualTo(6.0).Within(1e-12));
    }

    [Test]
    public void AffineArithmetic_StaysAffine()
    {
        var t = Angle.Parameter(2);
        var x = Angle.Input(1);
        void Check(Angle a, VariableKind kind, int index, double scale, double offset, string what)
        {
            Assert.That(a.IsAffine, Is.True, what);
            Assert.That(a.TryGetAffine(out var k, out int i, out double s, out double o), Is.True, what);
            Assert.That((k, i), Is.EqualTo((kind, index)), what);
            Assert.That(s, Is.EqualTo(scale).Within(1e-15), what);
            Assert.That(o, Is.EqualTo(offset).Within(1e-15), what);
        }
        Check(2 * t + 1, VariableKind.Parameter, 2, 2, 1, "2t + 1");
        Check(t * 2 - 1, VariableKind.Parameter, 2, 2, -1, "2t − 1");
        Check((t + 1) * 3, VariableKind.Parameter, 2, 3, 3, "(t + 1)·3");
        Check(-t, VariableKind.Parameter, 2, -1, 0, "−t");
        Check(t / 4, VariableKind.Parameter, 2, 0.25, 0, "t/4");
        Check(1 - t, VariableKind.Parameter, 2, -1, 1, "1 − t");
        Check(t + t, VariableKind.Parameter, 2, 2, 0, "t + t");
        Check(3 * t - t, VariableKind.Parameter, 2, 2, 0, "3t − t");
        Check(0.5 * x + 0.25, VariableKind.Input, 1, 0.5, 0.25, "x/2 + 1/4");
        Check(Angle.Affine(VariableKind.Input, 0, -3, 2), VariableKind.Input, 0, -3, 2, "Affine(...)");
        Assert.That((t - t).IsConstant, Is.True, "t − t folds to a constant");
        Assert.That((t - t).ConstantValue, Is.EqualTo(0.0));
        Assert.That((0 * t + 4).ConstantValue, Is.EqualTo(4.0));
    }

    [Test]
    public void NonAffineExpressions_AreNotAffine()
    {
        var t = Angle.Parameter(0);
        foreach (var a in new[] { t * t, Angle.Sin(t), t + Angle.Input(0), t + Angle.Parameter(1), 1 / t, Angle.Pow(t, 2) })
        {
            Assert.That(a.IsAffine, Is.False, a.ToString());
            Assert.That(a.TryGetAffine(out _, out int index, out _, out _), Is.False, a.ToString());
            Assert.That(index, Is.EqualTo(-1));
            Assert.That(a.IsConstant, Is.False);
            Assert.Throws<InvalidOperationException>(() => _ = a.ConstantValue);
        }
    }

    [Test]
    public void ConstantExpressions_FoldAndRejectNonFinite()
    {
        Assert.That(Angle.Sin(0.5).ConstantValue, Is.EqualTo(Math.Sin(0.5)));
        Assert.That((Angle.Constant(3) * 2 + 1).ConstantValue, Is.EqualTo(7.0));
        Assert.That(Angle.Pow(2.0, 10.0).ConstantValue, Is.EqualTo(1024.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = Angle.Constant(1) / Angle.Constant(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Angle.Ln(-1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Angle.Sqrt(-4.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Angle.Arcsin(2.0));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Angle.Constant(double.NaN));
        Assert.That(ex!.Message, Does.Contain("NaN"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Angle.Constant(double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => Angle.Parameter(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Angle.Parameter(0, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Angle.Input(0, 1, double.NegativeInfinity));
    }

    [Test]
    public void Extents_RemapAndVisit_ReportVariables()
    {
        var e = Angle.Sin(Angle.Parameter(4)) * Angle.Input(2) + Angle.Parameter(1);
        Assert.That(e.ParameterExtent(), Is.EqualTo(5));
        Assert.That(e.InputExtent(), Is.EqualTo(3));
        var seen = new List<(VariableKind, int)>();
        e.VisitVariables((k, i) => seen.Add((k, i)));
        Assert.That(seen, Is.EquivalentTo(new[] { (VariableKind.Parameter, 4), (VariableKind.Input, 2), (VariableKind.Parameter, 1) }));
        var remapped = e.RemapVariables((k, i) => k == VariableKind.Parameter ? i + 10 : 0);
        Assert.That(remapped.ParameterExtent(), Is.EqualTo(15));
        var t = new double[15];
        t[14] = 0.3;
        t[11] = 0.2;
        Assert.That(remapped.Evaluate(t, [1.5]), Is.EqualTo(Math.Sin(0.3) * 1.5 + 0.2).Within(1e-15));
    }
}
