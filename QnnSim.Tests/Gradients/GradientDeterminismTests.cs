using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using static QnnSim.Tests.Gradients.GradientTestCircuits;

namespace QnnSim.Tests.Gradients;

/// <summary>
/// Issue 15 item 5: every gradient output (values, gradients, input gradients, Jacobians, vector–Jacobian products,
/// Hessians) is bit-identical for 1, 2, 3 and 4 threads, for every method, at n = 14..18 where the reductions span
/// 1 to 16 chunks and the state updates are split between threads. The parallel threshold is lowered to 1 so every
/// operation takes its threaded branch whenever more than one thread is allowed.
/// </summary>
[TestFixture]
public class GradientDeterminismTests
{
    private static readonly int[] ThreadCounts = [1, 2, 3, 4];

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (int n in new[] { 14, 15, 16, 17, 18 })
            foreach (var method in new[] { GradientMethod.Adjoint, GradientMethod.ParameterShift, GradientMethod.FiniteDifference })
                yield return new TestCaseData(n, method).SetArgDisplayNames($"n{n}", method.ToString());
    }

    /// <summary>Everything a differentiator computes for one circuit, flattened in a fixed order.</summary>
    private static List<double> Outputs(int n, GradientMethod method, int threads)
    {
        // Eight parameterised gates of mixed kinds (fused one-qubit rotations, controlled and multi-qubit rotations,
        // phases, U, global phases) with dense and entangling blocks between them.
        var circuit = RandomCircuit((ulong)(n * 31), n, p: 3, q: 2, gates: 8);
        var rng = new SeededRandom((ulong)n);
        var theta = RandomParameters(rng, circuit.ParameterCount);
        var x = RandomInputs(rng, circuit.InputCount);
        var observables = new[] { RandomObservable(rng, n), RandomObservable(rng, n) };
        var simulation = new SimulationOptions { MaxThreads = threads, ParallelThresholdQubits = 1 };
        var d = new Differentiator(new GradientOptions { Method = method, Simulation = simulation, MaxDegreeOfParallelism = threads });

        var result = new List<double>();
        var g = new double[circuit.ParameterCount];
        var gx = new double[circuit.InputCount];
        result.Add(d.ValueAndGradient(circuit, theta, x, observables[0], g, gx));
        result.AddRange(g);
        result.AddRange(gx);
        // One sample keeps the simulation's threads; two samples spread over threads.
        foreach (var samples in new[] { new[] { x }, new[] { x, RandomInputs(rng, circuit.InputCount) } })
        {
            var jac = d.Jacobian(circuit, theta, samples, observables, new JacobianOptions { IncludeInputs = true });
            result.AddRange(jac.Values);
            result.AddRange(jac.Data);
            result.AddRange(jac.InputJacobian!.Data);
            result.AddRange(d.VectorJacobianProduct(circuit, theta, samples, observables, [.. Enumerable.Range(0, 2 * samples.Length).Select(i => 0.5 - i)]));
        }
        if (method == GradientMethod.Adjoint && n == 14)
        {
            var h = d.Hessian(circuit, theta, x, observables[1]);
            foreach (double v in h) result.Add(v);
        }
        return result;
    }

    [TestCaseSource(nameof(Cases))]
    public void Outputs_OneToFourThreads_BitIdentical(int n, GradientMethod method)
    {
        var reference = Outputs(n, method, 1);
        Assert.That(reference.Any(v => Math.Abs(v) > 1e-6), Is.True, "outputs that are all zero would make the comparison vacuous");
        foreach (int threads in ThreadCounts.Skip(1))
        {
            var actual = Outputs(n, method, threads);
            Assert.That(actual, Has.Count.EqualTo(reference.Count));
            for (int i = 0; i < reference.Count; i++)
                Assert.That(BitConverter.DoubleToInt64Bits(actual[i]), Is.EqualTo(BitConverter.DoubleToInt64Bits(reference[i])),
                    $"output {i} with {threads} threads: {actual[i]:R} vs {reference[i]:R} with 1 thread");
        }
    }
}
