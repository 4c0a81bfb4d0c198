using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using static QnnSim.Tests.Kernels.KernelReference;

namespace QnnSim.Tests.Gradients;

/// <summary>
/// The Simulation-layer operations of the adjoint method (λ ← Oψ, ⟨a|b⟩, ‖ψ‖², ⟨ψ|O|ψ⟩, the step derivative and the
/// fused backward rotation) on one forced SIMD path against dense Kronecker-product references, for n = 1..7 (around
/// every register width: 1, 2 and 4 amplitudes) and every target and Pauli.
/// </summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector128)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public sealed class StateOperationsTests(KernelPath path)
{
    private SimulationOptions _options = SimulationOptions.Default;

    [SetUp]
    public void SetUp()
    {
        _options = new SimulationOptions { KernelPath = path, MaxThreads = 1, Fusion = false };
        Assume.That(_options.EffectiveKernelPath, Is.EqualTo(path), "this processor does not accelerate the path");
    }

    public static IEnumerable<int> Sizes() => Enumerable.Range(1, 7);

    private static Complex Dot(Complex[] a, Complex[] b)
    {
        Complex s = Complex.Zero;
        for (int k = 0; k < a.Length; k++) s += Complex.Conjugate(a[k]) * b[k];
        return s;
    }

    /// <summary>A random Pauli sum on n qubits with an identity term and strings of every kind (X, Y, Z, mixed).</summary>
    private static PauliSum RandomSum(int n, SeededRandom rng)
    {
        var terms = new List<PauliTerm> { new(rng.NextDouble(-1, 1), PauliString.Identity) };
        for (int t = 0; t < 5; t++)
        {
            var factors = new List<(int, Pauli)>();
            for (int q = 0; q < n; q++)
            {
                int f = (int)rng.NextInt64(4);
                if (f > 0) factors.Add((q, (Pauli)f));
            }
            if (factors.Count == 0) factors.Add(((int)rng.NextInt64(n), (Pauli)(1 + (int)rng.NextInt64(3))));
            terms.Add(new PauliTerm(rng.NextDouble(-2, 2), PauliString.FromFactors(factors)));
        }
        return new PauliSum(terms);
    }

    private static Matrix<Complex> Dense(int n, PauliSum o)
    {
        var m = Matrix<Complex>.Build.Sparse(1 << n, 1 << n);
        foreach (var t in o.Terms) m += t.Coefficient * Pauli(n, t.Pauli.XMask, t.Pauli.ZMask);
        return m;
    }

    [TestCaseSource(nameof(Sizes))]
    public void ApplyObservableAndExpectation_RandomSums_MatchDense(int n)
    {
        var rng = new SeededRandom((ulong)(40 + n));
        for (int trial = 0; trial < 4; trial++)
        {
            var o = RandomSum(n, rng);
            var psi = RandomState(n, (ulong)(n * 10 + trial));
            var dense = Dense(n, o);
            var expected = Apply(dense, psi);
            var terms = PauliTerms.From(o);
            var lambda = new Complex[psi.Length];
            lambda.AsSpan().Fill(new Complex(9, 9)); // overwritten, not added to
            StateOperations.ApplyObservable(terms, psi, lambda, _options);
            Assert.That(MaxDiff(lambda, expected), Is.LessThan(Tolerances.Kernel), $"λ = Oψ, O = {o}");

            double value = StateOperations.Expectation(terms, psi, _options);
            Assert.That(value, Is.EqualTo(Dot(psi, expected).Real).Within(Tolerances.Kernel), $"⟨O⟩, O = {o}");
            // The same numbers as the public simulator with the same options.
            var sim = new Simulator(_options);
            Assert.That(value, Is.EqualTo(sim.Expectation(StateVector.FromAmplitudes(psi), o)), "bit-identical to Simulator.Expectation");
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void InnerProductAndNorm_RandomStates_MatchDirectSums(int n)
    {
        var a = RandomState(n, (ulong)(70 + n));
        var b = RandomState(n, (ulong)(170 + n));
        for (int k = 0; k < a.Length; k++) a[k] *= 1.5;
        var inner = StateOperations.InnerProduct(a, b, _options);
        Assert.That((inner - Dot(a, b)).Magnitude, Is.LessThan(Tolerances.Kernel));
        Assert.That(StateOperations.NormSquared(a, _options), Is.EqualTo(Dot(a, a).Real).Within(Tolerances.Kernel));
    }

    /// <summary>Parameterised steps of every generator kind on n qubits, with the dense generator G.</summary>
    private static IEnumerable<(Primitive Step, Matrix<Complex> G)> ParameterisedSteps(int n, SeededRandom rng)
    {
        for (int t = 0; t < n; t++)
            for (int pauli = 1; pauli <= 3; pauli++)
            {
                ulong bit = 1UL << t, x = pauli == 3 ? 0 : bit, z = pauli == 1 ? 0 : bit;
                yield return (new Primitive { Kind = PrimitiveKind.PauliRotation, XMask = x, ZMask = z, YCount = pauli == 2 ? 1 : 0 }, 0.5 * Pauli(n, x, z));
            }
        for (int i = 0; i < 4; i++)
        {
            // Multi-qubit strings, uncontrolled and controlled.
            ulong x = (ulong)rng.NextInt64(1L << n), z = (ulong)rng.NextInt64(1L << n);
            if ((x | z) == 0) z = 1;
            var g = 0.5 * Pauli(n, x, z);
            yield return (new Primitive { Kind = PrimitiveKind.PauliRotation, XMask = x, ZMask = z, YCount = BitOperations.PopCount(x & z) }, g);
            ulong free = ((1UL << n) - 1) & ~(x | z);
            if (free != 0)
            {
                ulong c = 1UL << BitOperations.TrailingZeroCount(free), v = (i & 1) == 0 ? c : 0;
                // Π_c G = (Π_c G + I − Π_c) − (I − Π_c).
                var zero = Matrix<Complex>.Build.Sparse(1 << n, 1 << n);
                yield return (new Primitive { Kind = PrimitiveKind.PauliRotation, XMask = x, ZMask = z, YCount = BitOperations.PopCount(x & z), CtrlMask = c, CtrlValue = v },
                    Controlled(n, g, c, v) - Controlled(n, zero, c, v));
            }
        }
        for (int t = 0; t < n; t++)
        {
            // Phase shift: G = −|1⟩⟨1|_t; controlled global phase: G = −Π_c.
            var one = Embed(n, [t], [0, 0, 0, 1]);
            yield return (new Primitive { Kind = PrimitiveKind.PhaseShift, Target0 = t }, -one);
            yield return (new Primitive { Kind = PrimitiveKind.GlobalPhase, CtrlMask = 1UL << t, CtrlValue = 1UL << t }, -one);
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void StepDerivative_EveryGeneratorKind_MatchesDense(int n)
    {
        var rng = new SeededRandom((ulong)(90 + n));
        var psi = RandomState(n, (ulong)(190 + n));
        var lambda = RandomState(n, (ulong)(290 + n));
        foreach (var (step, g) in ParameterisedSteps(n, rng))
        {
            double expected = 2 * Dot(lambda, Apply(g, psi)).Imaginary;
            double actual = StateOperations.StepDerivative(step, lambda, psi, _options);
            Assert.That(actual, Is.EqualTo(expected).Within(Tolerances.Kernel),
                $"{step.Kind} x={step.XMask} z={step.ZMask} ctrl={step.CtrlMask}/{step.CtrlValue} t={step.Target0}");
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void BackwardRotation_EveryTargetAndPauli_MatchesSeparateSteps(int n)
    {
        var rng = new SeededRandom((ulong)(500 + n));
        for (int t = 0; t < n; t++)
            for (int pauli = 1; pauli <= 3; pauli++)
            {
                ulong bit = 1UL << t, x = pauli == 3 ? 0 : bit, z = pauli == 1 ? 0 : bit;
                var step = new Primitive { Kind = PrimitiveKind.PauliRotation, XMask = x, ZMask = z, YCount = pauli == 2 ? 1 : 0 };
                Assert.That(StateOperations.FusesBackward(step), Is.True);
                double angle = rng.NextDouble(-3, 3);
                var psi = RandomState(n, rng.NextUInt64());
                var lambda = RandomState(n, rng.NextUInt64());
                var p = Pauli(n, x, z);
                double expected = Dot(lambda, Apply(p, psi)).Imaginary;
                // R(φ)† = exp(+iφP/2) = cos(φ/2) I + i sin(φ/2) P.
                var inverse = Math.Cos(angle / 2) * Matrix<Complex>.Build.SparseIdentity(1 << n) + new Complex(0, Math.Sin(angle / 2)) * p;
                var psiRef = Apply(inverse, psi);
                var lambdaRef = Apply(inverse, lambda);
                double w = StateOperations.BackwardRotation(step, angle, lambda, psi, _options);
                string what = $"n={n} t={t} P={"XYZ"[pauli - 1]}";
                Assert.That(w, Is.EqualTo(expected).Within(Tolerances.Kernel), what);
                Assert.That(MaxDiff(psi, psiRef), Is.LessThan(Tolerances.Kernel), "ψ " + what);
                Assert.That(MaxDiff(lambda, lambdaRef), Is.LessThan(Tolerances.Kernel), "λ " + what);
            }
    }
}
