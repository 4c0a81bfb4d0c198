using System.Numerics;
using QnnSim.Kernels;
using QnnSim.Randomness;
using QnnSim.Simulation;
using static QnnSim.Tests.Kernels.KernelReference;

namespace QnnSim.Tests.Kernels;

/// <summary>
/// The fused "1-qubit gate then CX" kernel (<see cref="PrimitiveKind.Select1"/>: M_0 on the target where the select
/// bit is 0, M_1 where it is 1) on every SIMD path against the dense Kronecker reference of the block-diagonal 4×4,
/// for every (target, select) pair for n ≤ 6 and a seeded sample for n = 7..9, forward and inverse.
/// </summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector128)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public sealed class Select1KernelTests(KernelPath path)
{
    public static IEnumerable<int> Sizes() => Enumerable.Range(2, 8);

    [TestCaseSource(nameof(Sizes))]
    public void Apply_Select1_MatchesBlockDiagonalReference(int n)
    {
        var options = new SimulationOptions { KernelPath = path, MaxThreads = 1, Fusion = false };
        Assume.That(options.EffectiveKernelPath, Is.EqualTo(path), "this processor does not accelerate the path");
        var pairs = (from t in Enumerable.Range(0, n) from c in Enumerable.Range(0, n) where t != c select (t, c)).ToList();
        if (n > 6)
        {
            var rng = new SeededRandom((ulong)(70 + n));
            pairs = [.. Enumerable.Range(0, 10).Select(_ => pairs[(int)rng.NextInt64(pairs.Count)])];
        }
        ulong seed = 1000;
        foreach (var (t, c) in pairs)
        {
            Complex[] m0 = RandomUnitary(2, seed++), m1 = RandomUnitary(2, seed++);
            var p = new Primitive { Kind = PrimitiveKind.Select1, Target0 = t, Target1 = c, Matrix = [.. m0, .. m1] };
            // Matrix index bit 0 = t, bit 1 = c.
            var u = new Complex[16];
            for (int r = 0; r < 4; r++)
                for (int col = 0; col < 4; col++)
                    if (r >> 1 == col >> 1) u[r * 4 + col] = (r >> 1 == 0 ? m0 : m1)[(r & 1) * 2 + (col & 1)];
            var reference = Embed(n, [t, c], u);
            foreach (bool inverse in new[] { false, true })
            {
                var psi = RandomState(n, seed++);
                var expected = Apply(inverse ? reference.ConjugateTranspose() : reference, psi);
                Executor.Apply(p, 0.0, psi, options, inverse);
                Assert.That(MaxDiff(psi, expected), Is.LessThan(KernelTolerances.Kernel), $"n={n} target={t} select={c} inverse={inverse}");
            }
        }
    }

    [Test]
    public void Apply_Select1TwoThreads_BitIdenticalToOne()
    {
        const int n = 9;
        var one = new SimulationOptions { KernelPath = path, MaxThreads = 1, ParallelThresholdQubits = 1, Fusion = false };
        Assume.That(one.EffectiveKernelPath, Is.EqualTo(path), "this processor does not accelerate the path");
        var two = one with { MaxThreads = 2 };
        foreach (var (t, c) in new[] { (0, 1), (1, 0), (5, 0), (0, 7), (3, 8), (8, 2) })
        {
            var p = new Primitive { Kind = PrimitiveKind.Select1, Target0 = t, Target1 = c, Matrix = [.. RandomUnitary(2, 5), .. RandomUnitary(2, 6)] };
            var a = RandomState(n, 77);
            var b = (Complex[])a.Clone();
            Executor.Apply(p, 0.0, a, one, inverse: false);
            Executor.Apply(p, 0.0, b, two, inverse: false);
            Assert.That(b, Is.EqualTo(a), $"target={t} select={c}");
        }
    }
}
