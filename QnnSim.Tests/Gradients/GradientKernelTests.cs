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
    public void BackwardRotation1_VectorAndScalar_MatchSeparateSteps(int n, int target, int pauli)
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

        foreach (bool scalar in new[] { true, false })
        {
            var p = (Complex[])psi.Clone();
            var l = (Complex[])lambda.Clone();
            double w = GradientKernels.BackwardRotation1(target, pauli, Math.Cos(angle / 2), Math.Sin(angle / 2), l, p, scalar);
            Assert.That(w, Is.EqualTo(expected).Within(Tolerances.Kernel), $"scalar={scalar}");
            for (int k = 0; k < p.Length; k++)
            {
                Assert.That((p[k] - psiRef[k]).Magnitude, Is.LessThan(Tolerances.Kernel), $"ψ[{k}] scalar={scalar}");
                Assert.That((l[k] - lambdaRef[k]).Magnitude, Is.LessThan(Tolerances.Kernel), $"λ[{k}] scalar={scalar}");
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
}
