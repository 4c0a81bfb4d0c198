using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Kernels;
using QnnSim.Randomness;
using QnnSim.Simulation;
using static QnnSim.Tests.Kernels.KernelReference;

namespace QnnSim.Tests.Kernels;

/// <summary>Tolerances of the kernel tests.</summary>
internal static class KernelTolerances
{
    /// <summary>One kernel against the dense Kronecker reference.</summary>
    public const double Kernel = Tolerances.Kernel;

    /// <summary>Fused against unfused application of a whole random circuit (round-off of the block products).</summary>
    public const double Fusion = 1e-13;

    /// <summary>A reduction against the dense reference.</summary>
    public const double Reduction = 1e-12;
}

/// <summary>
/// Every kernel on one forced SIMD path against the dense Kronecker-product reference, for every target and control
/// position for n = 1..7 and sampled positions for n = 8..10, on seeded random states.
/// </summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector128)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public sealed class KernelPathTests(KernelPath path)
{
    private SimulationOptions _options = SimulationOptions.Default;

    [SetUp]
    public void SetUp()
    {
        _options = new SimulationOptions { KernelPath = path, MaxThreads = 1, Fusion = false };
        Assume.That(_options.EffectiveKernelPath, Is.EqualTo(path), "this processor does not accelerate the path");
    }

    public static IEnumerable<int> Sizes() => Enumerable.Range(1, 10);

    /// <summary>Positions to test: all for n ≤ 7, a seeded sample for larger n.</summary>
    private static IEnumerable<T> Sample<T>(int n, IEnumerable<T> all, ulong seed)
    {
        if (n <= 7) return all;
        var list = all.ToList();
        var rng = new SeededRandom(seed);
        var picked = new List<T>();
        for (int i = 0; i < Math.Min(8, list.Count); i++) picked.Add(list[(int)rng.NextInt64(list.Count)]);
        return picked;
    }

    /// <summary>(control mask, control value) choices for a gate on <paramref name="used"/>: none, one positive
    /// and one negative control on every other qubit, and one two-control choice.</summary>
    private static IEnumerable<(ulong Mask, ulong Value)> Controls(int n, ulong used)
    {
        yield return (0, 0);
        var free = Enumerable.Range(0, n).Where(q => (used >> q & 1) == 0).ToArray();
        foreach (int c in free)
        {
            yield return (1UL << c, 1UL << c);
            yield return (1UL << c, 0);
        }
        if (free.Length >= 2) yield return ((1UL << free[0]) | (1UL << free[^1]), 1UL << free[^1]);
    }

    private void Check(int n, Primitive p, double angle, Matrix<Complex> reference, ulong seed, bool inverse = false)
    {
        var psi = RandomState(n, seed);
        var expected = Apply(reference, psi);
        Executor.Apply(p, angle, psi, _options, inverse);
        Assert.That(MaxDiff(psi, expected), Is.LessThan(KernelTolerances.Kernel),
            $"{p.Kind} n={n} targets=({p.Target0},{p.Target1},[{string.Join(",", p.Targets)}]) x={p.XMask} z={p.ZMask} ctrl={p.CtrlMask}/{p.CtrlValue} inverse={inverse}");
    }

    private static Complex[] Adjoint(Complex[] u, int d)
    {
        var a = new Complex[d * d];
        for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) a[r * d + c] = Complex.Conjugate(u[c * d + r]);
        return a;
    }

    [TestCaseSource(nameof(Sizes))]
    public void Matrix1_EveryTargetAndControl_MatchesDense(int n)
    {
        var u = RandomUnitary(2, (ulong)n);
        var cases = from t in Enumerable.Range(0, n) from c in Controls(n, 1UL << t) select (t, c);
        foreach (var (t, c) in Sample(n, cases, 11))
            foreach (bool inverse in new[] { false, true })
            {
                var p = new Primitive { Kind = PrimitiveKind.Matrix1, Target0 = t, CtrlMask = c.Mask, CtrlValue = c.Value, Matrix = u };
                Check(n, p, 0, Embed(n, [t], inverse ? Adjoint(u, 2) : u, c.Mask, c.Value), (ulong)(t * 131 + n), inverse);
            }
    }

    [TestCaseSource(nameof(Sizes))]
    public void Diagonal1AndPhaseShift_EveryTargetAndControl_MatchDense(int n)
    {
        Complex d0 = Complex.FromPolarCoordinates(1, 0.3), d1 = Complex.FromPolarCoordinates(1, -1.1);
        const double lambda = 0.77;
        var cases = from t in Enumerable.Range(0, n) from c in Controls(n, 1UL << t) select (t, c);
        foreach (var (t, c) in Sample(n, cases, 12))
        {
            var diag = new Primitive { Kind = PrimitiveKind.Diagonal1, Target0 = t, CtrlMask = c.Mask, CtrlValue = c.Value, Matrix = [d0, d1] };
            Check(n, diag, 0, Embed(n, [t], [d0, 0, 0, d1], c.Mask, c.Value), (ulong)(t + 7 * n));
            Check(n, diag, 0, Embed(n, [t], [Complex.Conjugate(d0), 0, 0, Complex.Conjugate(d1)], c.Mask, c.Value), (ulong)(t + 7 * n), inverse: true);
            var phase = new Primitive { Kind = PrimitiveKind.PhaseShift, Target0 = t, CtrlMask = c.Mask, CtrlValue = c.Value };
            Check(n, phase, lambda, Embed(n, [t], [1, 0, 0, Complex.FromPolarCoordinates(1, lambda)], c.Mask, c.Value), (ulong)(t + 9 * n));
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void GlobalPhase_ControlledAndNot_MatchesDense(int n)
    {
        const double alpha = -0.4;
        foreach (var c in Sample(n, Controls(n, 0), 13))
        {
            var p = new Primitive { Kind = PrimitiveKind.GlobalPhase, CtrlMask = c.Mask, CtrlValue = c.Value };
            var full = Matrix<Complex>.Build.SparseIdentity(1 << n) * Complex.FromPolarCoordinates(1, alpha);
            Check(n, p, alpha, KernelReference.Controlled(n, full, c.Mask, c.Value), (ulong)n);
        }
    }

    /// <summary>Pauli masks: every single-qubit X, Y, Z and seeded random strings (including all-Z and all-X).</summary>
    private static IEnumerable<(ulong X, ulong Z)> PauliMasks(int n)
    {
        for (int q = 0; q < n; q++)
        {
            ulong b = 1UL << q;
            yield return (b, 0);
            yield return (b, b);
            yield return (0, b);
        }
        ulong all = (1UL << n) - 1;
        yield return (all, 0);
        yield return (0, all);
        var rng = new SeededRandom((ulong)(1000 + n));
        for (int i = 0; i < 12; i++)
        {
            ulong x = rng.NextUInt64() & all, z = rng.NextUInt64() & all;
            if ((x | z) != 0) yield return (x, z);
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void PauliAndPauliRotation_EveryStringAndControl_MatchDense(int n)
    {
        const double phi = 0.9;
        var cases = from m in PauliMasks(n) from c in Controls(n, m.X | m.Z).Take(3) select (m, c);
        foreach (var (m, c) in Sample(n, cases, 14))
        {
            int y = BitOperations.PopCount(m.X & m.Z);
            var pauli = Pauli(n, m.X, m.Z);
            var ps = new Primitive { Kind = PrimitiveKind.Pauli, XMask = m.X, ZMask = m.Z, YCount = y, CtrlMask = c.Mask, CtrlValue = c.Value };
            Check(n, ps, 0, KernelReference.Controlled(n, pauli, c.Mask, c.Value), m.X * 31 + m.Z);
            var rot = new Primitive { Kind = PrimitiveKind.PauliRotation, XMask = m.X, ZMask = m.Z, YCount = y, CtrlMask = c.Mask, CtrlValue = c.Value };
            var id = Matrix<Complex>.Build.SparseIdentity(1 << n);
            var r = id * Math.Cos(phi / 2) - pauli * new Complex(0, Math.Sin(phi / 2));
            Check(n, rot, phi, KernelReference.Controlled(n, r, c.Mask, c.Value), m.X * 17 + m.Z);
            var rInv = id * Math.Cos(phi / 2) + pauli * new Complex(0, Math.Sin(phi / 2));
            Check(n, rot, phi, KernelReference.Controlled(n, rInv, c.Mask, c.Value), m.X * 17 + m.Z, inverse: true);
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void Matrix2AndSwap_EveryOrderedPairAndControl_MatchDense(int n)
    {
        if (n < 2) return;
        var u = RandomUnitary(4, (ulong)(50 + n));
        Complex[] swap = [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1];
        var pairs = from a in Enumerable.Range(0, n) from b in Enumerable.Range(0, n) where a != b
                    from c in Controls(n, (1UL << a) | (1UL << b)).Take(3) select (a, b, c);
        foreach (var (a, b, c) in Sample(n, pairs, 15))
        {
            var p = new Primitive { Kind = PrimitiveKind.Matrix2, Target0 = a, Target1 = b, CtrlMask = c.Mask, CtrlValue = c.Value, Matrix = u };
            Check(n, p, 0, Embed(n, [a, b], u, c.Mask, c.Value), (ulong)(a * 10 + b));
            Check(n, p, 0, Embed(n, [a, b], Adjoint(u, 4), c.Mask, c.Value), (ulong)(a * 10 + b), inverse: true);
            var s = new Primitive { Kind = PrimitiveKind.Swap, Target0 = a, Target1 = b, CtrlMask = c.Mask, CtrlValue = c.Value };
            Check(n, s, 0, Embed(n, [a, b], swap, c.Mask, c.Value), (ulong)(a * 10 + b + 1));
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void MatrixK_SampledTargetsAndAllQubits_MatchDense(int n)
    {
        var rng = new SeededRandom((ulong)(77 + n));
        var targetSets = new List<int[]>();
        if (n >= 3) for (int i = 0; i < (n <= 7 ? 12 : 4); i++) targetSets.Add(RandomQubits(n, 3, rng));
        if (n >= 4) targetSets.Add(RandomQubits(n, 4, rng));
        if (n <= 6)
        {
            targetSets.Add(Enumerable.Range(0, n).ToArray());            // k = n in order: the plain mat-vec
            targetSets.Add(Enumerable.Range(0, n).Reverse().ToArray());  // k = n reversed
        }
        if (n >= 4) targetSets.Add([0, 1, 2]);                            // lowest qubits in order, controls above
        foreach (var t in targetSets)
        {
            int d = 1 << t.Length;
            var u = RandomUnitary(d, (ulong)(d * 100 + t.Sum()));
            ulong used = t.Aggregate(0UL, (m, q) => m | (1UL << q));
            foreach (var c in Controls(n, used).Take(3))
            {
                var p = new Primitive { Kind = PrimitiveKind.MatrixK, Targets = t, Offsets = CircuitProgram.MatrixOffsets(t), CtrlMask = c.Mask, CtrlValue = c.Value, Matrix = u };
                Check(n, p, 0, Embed(n, t, u, c.Mask, c.Value), (ulong)(t.Length + 3 * n));
                Check(n, p, 0, Embed(n, t, Adjoint(u, d), c.Mask, c.Value), (ulong)(t.Length + 3 * n), inverse: true);
            }
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void Reductions_RandomStatesAndStrings_MatchDense(int n)
    {
        var psi = RandomState(n, (ulong)(300 + n));
        var phi = RandomState(n, (ulong)(400 + n));
        var vpsi = MathNet.Numerics.LinearAlgebra.Vector<Complex>.Build.DenseOfArray(psi);
        var vphi = MathNet.Numerics.LinearAlgebra.Vector<Complex>.Build.DenseOfArray(phi);
        KernelPath p = Executor.PathFor(_options, psi.Length);
        Assert.That(Executor.NormSquared(p, psi, 0, psi.Length), Is.EqualTo(1.0).Within(KernelTolerances.Reduction));
        Complex ip = Executor.InnerProduct(p, psi, phi, 0, psi.Length);
        Complex ipRef = vpsi.ConjugateDotProduct(vphi);
        Assert.That((ip - ipRef).Magnitude, Is.LessThan(KernelTolerances.Reduction));
        foreach (var (x, z) in PauliMasks(n))
        {
            double expected = vpsi.ConjugateDotProduct(Pauli(n, x, z) * vpsi).Real;
            double got = Executor.ExpectationPauli(p, x, z, BitOperations.PopCount(x & z), psi, 0, psi.Length);
            Assert.That(got, Is.EqualTo(expected).Within(KernelTolerances.Reduction), $"x={x} z={z}");
        }
    }
}
