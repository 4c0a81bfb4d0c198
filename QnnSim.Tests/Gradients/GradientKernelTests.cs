using System.Numerics;
using QnnSim.Kernels;
using QnnSim.Randomness;
using QnnSim.Simulation;
using static QnnSim.Tests.Gradients.GradientTestCircuits;

namespace QnnSim.Tests.Gradients;

[TestFixture]
public class GradientKernelTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (int n in new[] { 1, 2, 3, 5 })
            for (int t = 0; t < n; t++)
                for (int pauli = 1; pauli <= 3; pauli++)
                    yield return new TestCaseData(n, t, pauli).SetArgDisplayNames($"n{n}", $"t{t}", "XYZ"[pauli - 1].ToString());
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardRotation1Scalar_SplitRanges_MatchSeparateSteps(int n, int target, int pauli)
    {
        var rng = new SeededRandom((ulong)(n * 100 + target * 10 + pauli));
        var psi = RandomState(rng, n).ToArray();
        var lambda = RandomState(rng, n).ToArray();
        double angle = rng.NextDouble(-3, 3);
        ulong bit = 1UL << target;
        ulong x = pauli == 3 ? 0 : bit, z = pauli == 1 ? 0 : bit;
        int y = pauli == 2 ? 1 : 0;

        // Reference: Im⟨λ|P|ψ⟩ by the generic kernel, then the inverse rotation by the executor.
        double expected = GradientKernels.InnerPauli(0, 0, x, z, y, lambda, psi, 0, psi.Length).Imaginary;
        var step = new Primitive { Kind = PrimitiveKind.PauliRotation, XMask = x, ZMask = z, YCount = y };
        var psiRef = (Complex[])psi.Clone();
        var lambdaRef = (Complex[])lambda.Clone();
        var options = SimulationOptions.Default with { MaxThreads = 1, KernelPath = KernelPath.Scalar };
        Executor.Apply(step, angle, psiRef, options, inverse: true);
        Executor.Apply(step, angle, lambdaRef, options, inverse: true);

        // The whole range of pairs, and the same pairs in two parts (the vector paths are in StateOperationsTests).
        long pairs = psi.Length / 2;
        foreach (long split in new[] { pairs, pairs / 2 })
        {
            var p = (Complex[])psi.Clone();
            var l = (Complex[])lambda.Clone();
            double w = GradientKernels.BackwardRotation1Scalar(target, pauli, Math.Cos(angle / 2), Math.Sin(angle / 2), l, p, 0, split)
                + GradientKernels.BackwardRotation1Scalar(target, pauli, Math.Cos(angle / 2), Math.Sin(angle / 2), l, p, split, pairs);
            Assert.That(w, Is.EqualTo(expected).Within(Tolerances.Kernel), $"split={split}");
            for (int k = 0; k < p.Length; k++)
            {
                Assert.That((p[k] - psiRef[k]).Magnitude, Is.LessThan(Tolerances.Kernel), $"ψ[{k}] split={split}");
                Assert.That((l[k] - lambdaRef[k]).Magnitude, Is.LessThan(Tolerances.Kernel), $"λ[{k}] split={split}");
            }
        }
        Assert.That(Math.Abs(expected), Is.GreaterThan(1e-6));
    }

    [Test]
    public void InnerSubspace_MatchesDirectSum()
    {
        var rng = new SeededRandom(5);
        var a = RandomState(rng, 5).ToArray();
        var b = RandomState(rng, 5).ToArray();
        foreach (var (mask, value) in new[] { (0UL, 0UL), (4UL, 4UL), (4UL, 0UL), (1UL, 1UL), (0b10010UL, 0b10000UL) })
        {
            Complex expected = Complex.Zero;
            for (int k = 0; k < a.Length; k++)
                if (((ulong)k & mask) == value) expected += Complex.Conjugate(a[k]) * b[k];
            var free = StateKernels.FreeCount(a.Length, System.Numerics.BitOperations.PopCount(mask));
            var actual = GradientKernels.InnerSubspace(mask, value, a, b, 0, free);
            Assert.That((actual - expected).Magnitude, Is.LessThan(Tolerances.Kernel), $"mask {mask} value {value}");
        }
    }

    [Test]
    public void InnerKernels_SplitRanges_AddUpToWholeRange()
    {
        var rng = new SeededRandom(8);
        var a = RandomState(rng, 7).ToArray();
        var b = RandomState(rng, 7).ToArray();
        foreach (var (mask, value) in new[] { (8UL, 8UL), (1UL, 0UL), (64UL, 64UL), (0b1001UL, 0b0001UL) })
        {
            long free = StateKernels.FreeCount(a.Length, System.Numerics.BitOperations.PopCount(mask));
            var whole = GradientKernels.InnerSubspace(mask, value, a, b, 0, free);
            var parts = Complex.Zero;
            foreach (var (begin, end) in new[] { (0L, 3L), (3L, 17L), (17L, free) })
                parts += GradientKernels.InnerSubspace(mask, value, a, b, begin, end);
            Assert.That((parts - whole).Magnitude, Is.LessThan(Tolerances.Kernel), $"subspace mask {mask}");
        }
        foreach (var (ctrl, cval) in new[] { (0UL, 0UL), (2UL, 2UL), (2UL, 0UL) })
        {
            long free = StateKernels.FreeCount(a.Length, System.Numerics.BitOperations.PopCount(ctrl));
            var whole = GradientKernels.InnerPauli(ctrl, cval, 0b1001, 0b1100, 1, a, b, 0, free);
            var parts = GradientKernels.InnerPauli(ctrl, cval, 0b1001, 0b1100, 1, a, b, 0, 5)
                + GradientKernels.InnerPauli(ctrl, cval, 0b1001, 0b1100, 1, a, b, 5, free);
            Assert.That((parts - whole).Magnitude, Is.LessThan(Tolerances.Kernel), $"pauli ctrl {ctrl}");
            // Against the direct sum Σ_k conj(a_k) (Π_c P b)_k with P = X0 Y3 Z2 (x = 0b1001, z = 0b1100, one Y).
            var direct = Complex.Zero;
            for (int j = 0; j < b.Length; j++)
            {
                if (((ulong)j & ctrl) != cval) continue;
                int k = j ^ 0b1001;
                var pb = Complex.ImaginaryOne * ((System.Numerics.BitOperations.PopCount((uint)(j & 0b1100)) & 1) == 0 ? 1 : -1) * b[j];
                direct += Complex.Conjugate(a[k]) * pb;
            }
            Assert.That((whole - direct).Magnitude, Is.LessThan(Tolerances.Kernel), $"pauli direct ctrl {ctrl}");
        }
    }
}
