using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using static QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Gradients;

/// <summary>
/// The gradient engine (adjoint, parameter shift, central differences, Jacobians and vector–Jacobian products) on
/// one forced SIMD path, with gate fusion on, against a dense Kronecker-product reference of the same circuit and its
/// central differences, for n = 1..6 qubits (around every register width) on seeded random circuits that hold every
/// generator kind: fused one-qubit rotations on every qubit, controlled and multi-qubit rotations, phases, U gates,
/// controlled global phases, dense blocks and entanglers.
/// </summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector128)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public sealed class GradientPathTests(KernelPath path)
{
    /// <summary>Central differences of the dense reference (h = 1e-5, error O(h²) plus round-off 1e-16/h).</summary>
    private const double ReferenceStep = 1e-5;

    private SimulationOptions _options = SimulationOptions.Default;

    [SetUp]
    public void SetUp()
    {
        _options = new SimulationOptions { KernelPath = path, MaxThreads = 1, Fusion = true };
        Assume.That(_options.EffectiveKernelPath, Is.EqualTo(path), "this processor does not accelerate the path");
    }

    [TearDown]
    public void CollectGarbage() => CollectIfLarge();

    public static IEnumerable<int> Sizes() => Enumerable.Range(1, 6);

    /// <summary>A circuit with its dense reference U(θ, x) as a product of embedded gate matrices.</summary>
    private sealed record Model(Circuit Circuit, List<Func<double[], double[], Matrix<Complex>>> Gates)
    {
        public double Value(double[] theta, double[] x, Matrix<Complex> observable)
        {
            int n = Circuit.QubitCount;
            var psi = new Complex[1 << n];
            psi[0] = Complex.One;
            foreach (var g in Gates) psi = Apply(g(theta, x), psi);
            return ExpectationValue(observable, psi).Real;
        }
    }

    private static Model RandomModel(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var b = new CircuitBuilder(n);
        var t = b.Parameters("t", 4);
        var x = new[] { b.Input("x0"), b.Input("x1") };
        var gates = new List<Func<double[], double[], Matrix<Complex>>>();
        Angle A() => (int)rng.NextInt64(3) switch
        {
            0 => t[rng.NextInt64(4)],
            1 => t[rng.NextInt64(4)] * rng.NextDouble(0.5, 2) + x[rng.NextInt64(2)],
            _ => Angle.Sin(t[rng.NextInt64(4)]) + t[rng.NextInt64(4)],
        };
        static double Ev(Angle a, double[] th, double[] xs) => a.Evaluate(th, xs);
        // Every qubit gets Ry and Rz (fused backward steps on every target), then random kinds.
        for (int q = 0; q < n; q++)
        {
            int qq = q;
            Angle a1 = A(), a2 = A();
            b.Ry(q, a1).Rz(q, a2).H(q);
            gates.Add((th, xs) => OnQubit(n, qq, Ry(Ev(a1, th, xs))));
            gates.Add((th, xs) => OnQubit(n, qq, Rz(Ev(a2, th, xs))));
            gates.Add((_, _) => OnQubit(n, qq, H));
        }
        for (int g = 0; g < 10; g++)
        {
            int q0 = (int)rng.NextInt64(n), q1 = (q0 + 1 + (int)rng.NextInt64(Math.Max(1, n - 1))) % n;
            Angle a = A(), a2 = A(), a3 = A();
            switch ((int)rng.NextInt64(n >= 2 ? 8 : 3))
            {
                case 0: b.Rx(q0, a); gates.Add((th, xs) => OnQubit(n, q0, Rx(Ev(a, th, xs)))); break;
                case 1: b.Phase(q0, a); gates.Add((th, xs) => OnQubit(n, q0, Phase(Ev(a, th, xs)))); break;
                case 2:
                    b.U(q0, a, a2, a3);
                    gates.Add((th, xs) => OnQubit(n, q0, U(Ev(a, th, xs), Ev(a2, th, xs), Ev(a3, th, xs))));
                    break;
                case 3: b.CRy(q0, q1, a); gates.Add((th, xs) => Controlled(n, [q0], q1, Ry(Ev(a, th, xs)))); break;
                case 4: b.Rzz(q0, q1, a); gates.Add((th, xs) => OnQubits(n, [q0, q1], Rzz4(Ev(a, th, xs)))); break;
                case 5:
                {
                    var p = PauliString.FromFactors([(q0, Pauli.Y), (q1, Pauli.X)]);
                    b.PauliRotation(p, a);
                    gates.Add((th, xs) => PauliRotation(PauliStringMatrix(n, p), Ev(a, th, xs)));
                    break;
                }
                case 6:
                    b.Add(new Operation(GateKind.GlobalPhase, [], [a], controls: [q0], controlStates: [true]));
                    gates.Add((th, xs) => Controlled(n, [q0], [true], [], Rows([Cis(Ev(a, th, xs))])));
                    break;
                default:
                {
                    var u = HaarUnitary(4, rng.NextUInt64());
                    b.CX(q0, q1).Unitary([q0, q1], UnitaryMatrix.Create(RowMajor(u)));
                    gates.Add((_, _) => Controlled(n, [q0], q1, X));
                    gates.Add((_, _) => OnQubits(n, [q0, q1], u));
                    break;
                }
            }
        }
        return new Model(b.Build(), gates);
    }

    private static PauliSum RandomObservable(int n, SeededRandom rng)
    {
        var terms = new List<PauliTerm> { new(0.3, PauliString.Identity) };
        for (int k = 0; k < 3; k++)
        {
            var f = new List<(int, Pauli)>();
            for (int q = 0; q < n; q++) if (rng.NextDouble() < 0.6) f.Add((q, (Pauli)(1 + (int)rng.NextInt64(3))));
            if (f.Count == 0) f.Add(((int)rng.NextInt64(n), Pauli.Z));
            terms.Add(new PauliTerm(rng.NextDouble(-1.5, 1.5), PauliString.FromFactors(f)));
        }
        return new PauliSum(terms);
    }

    /// <summary>The reference gradient: central differences of the dense value over θ and x.</summary>
    private static (double Value, double[] Theta, double[] X) Reference(Model m, double[] theta, double[] x, Matrix<Complex> o)
    {
        double Diff(double[] v, int j)
        {
            double keep = v[j];
            v[j] = keep + ReferenceStep;
            double plus = m.Value(theta, x, o);
            v[j] = keep - ReferenceStep;
            double minus = m.Value(theta, x, o);
            v[j] = keep;
            return (plus - minus) / (2 * ReferenceStep);
        }
        return (m.Value(theta, x, o), [.. Enumerable.Range(0, theta.Length).Select(j => Diff(theta, j))],
            [.. Enumerable.Range(0, x.Length).Select(j => Diff(x, j))]);
    }

    [TestCaseSource(nameof(Sizes))]
    public void ValueAndGradient_EveryMethod_MatchesDenseReference(int n)
    {
        var rng = new SeededRandom((ulong)(7000 + n));
        var model = RandomModel(n, (ulong)(77 + n));
        double[] theta = [.. Enumerable.Range(0, 4).Select(_ => rng.NextDouble(-Math.PI, Math.PI))];
        double[] x = [rng.NextDouble(-1, 1), rng.NextDouble(-1, 1)];
        var o = RandomObservable(n, rng);
        var reference = Reference(model, theta, x, PauliSumMatrix(n, o));
        Assert.That(reference.Theta.Max(Math.Abs), Is.GreaterThan(1e-3), "a vanishing gradient would make the comparison vacuous");

        foreach (var method in new[] { GradientMethod.Adjoint, GradientMethod.ParameterShift, GradientMethod.FiniteDifference })
        {
            var d = new Differentiator(new GradientOptions { Method = method, Simulation = _options, MaxDegreeOfParallelism = 1 });
            var gt = new double[4];
            var gx = new double[2];
            double v = d.ValueAndGradient(model.Circuit, ParameterValues.Of(theta), InputValues.Of(x), o, gt, gx);
            Assert.That(v, Is.EqualTo(reference.Value).Within(Tolerances.Circuit), $"{method}: value");
            for (int j = 0; j < 4; j++)
                Assert.That(gt[j], Is.EqualTo(reference.Theta[j]).Within(Tolerances.FiniteDifference), $"{method}: ∂/∂θ_{j}");
            for (int j = 0; j < 2; j++)
                Assert.That(gx[j], Is.EqualTo(reference.X[j]).Within(Tolerances.FiniteDifference), $"{method}: ∂/∂x_{j}");
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void JacobianAndVjp_TwoObservables_MatchDenseReference(int n)
    {
        var rng = new SeededRandom((ulong)(8000 + n));
        var model = RandomModel(n, (ulong)(88 + n));
        double[] theta = [.. Enumerable.Range(0, 4).Select(_ => rng.NextDouble(-Math.PI, Math.PI))];
        var samples = new[] { InputValues.Of(rng.NextDouble(-1, 1), rng.NextDouble(-1, 1)), InputValues.Of(rng.NextDouble(-1, 1), rng.NextDouble(-1, 1)) };
        var observables = new[] { RandomObservable(n, rng), RandomObservable(n, rng) };
        double[] cotangent = [0.7, -1.3, 0.4, 1.1]; // m·k, sample-major
        foreach (var method in new[] { GradientMethod.Adjoint, GradientMethod.ParameterShift })
        {
            var d = new Differentiator(new GradientOptions { Method = method, Simulation = _options, MaxDegreeOfParallelism = 1 });
            var jac = d.Jacobian(model.Circuit, ParameterValues.Of(theta), samples, observables);
            var vjp = d.VectorJacobianProduct(model.Circuit, ParameterValues.Of(theta), samples, observables, cotangent);
            var expectedVjp = new double[4];
            for (int i = 0; i < samples.Length; i++)
                for (int o = 0; o < observables.Length; o++)
                {
                    var reference = Reference(model, theta, samples[i].Span.ToArray(), PauliSumMatrix(n, observables[o]));
                    for (int j = 0; j < 4; j++)
                    {
                        Assert.That(jac[i * 2 + o, j], Is.EqualTo(reference.Theta[j]).Within(Tolerances.FiniteDifference),
                            $"{method}: sample {i}, observable {o}, θ_{j}");
                        expectedVjp[j] += cotangent[i * 2 + o] * reference.Theta[j];
                    }
                }
            for (int j = 0; j < 4; j++)
                Assert.That(vjp[j], Is.EqualTo(expectedVjp[j]).Within(2 * Tolerances.FiniteDifference), $"{method}: vᵀJ θ_{j}");
        }
    }
}
