using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Tests.Simulation;

/// <summary>
/// Fused runs on several threads (Executor.RunItems): runs of items off the top qubits go to whole blocks of the
/// state per thread, items on the top qubits split their loop. Results must be bit-identical to one thread for 2, 3
/// (8 blocks) and 4 threads, on circuits whose items touch the top qubits between runs, and on states too small for
/// blocks (the per-item split then runs).
/// </summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public sealed class SegmentThreadingTests(KernelPath path)
{
    private SimulationOptions Options(int threads) =>
        new() { KernelPath = path, MaxThreads = threads, ParallelThresholdQubits = 4, Fusion = true };

    private static void AssertBitIdentical(ReadOnlySpan<Complex> expected, ReadOnlySpan<Complex> actual, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length));
        for (int k = 0; k < expected.Length; k++)
            if (BitConverter.DoubleToInt64Bits(expected[k].Real) != BitConverter.DoubleToInt64Bits(actual[k].Real)
                || BitConverter.DoubleToInt64Bits(expected[k].Imaginary) != BitConverter.DoubleToInt64Bits(actual[k].Imaginary))
                Assert.Fail($"{what}: amplitude {k} is {actual[k]} but {expected[k]} on one thread");
    }

    /// <summary>The hardware-efficient ansatz with a layer on the top qubits (H, CX n−1 → 0, Rzz on the top two) between layers.</summary>
    private static (Circuit, ParameterValues) AnsatzWithTopGates(int n, int layers)
    {
        var b = new CircuitBuilder(n);
        int k = 0;
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < n; q++) b.Ry(q, b.Parameter($"t{k++}"));
            for (int q = 0; q < n; q++) b.Rz(q, b.Parameter($"t{k++}"));
            for (int q = 0; q + 1 < n; q++) b.CX(q, q + 1);
            b.H(n - 1).CX(n - 1, 0).Rzz(n - 2, n - 1, 0.7).Rx(n / 2, b.Parameter($"t{k++}"));
        }
        return (b.Build(), ParameterValues.Of([.. Enumerable.Range(0, k).Select(j => 0.3 + 0.7 * Math.Sin(1 + 0.37 * j))]));
    }

    [TestCase(16, 2)]
    [TestCase(16, 3)]
    [TestCase(16, 4)]
    [TestCase(14, 2)]
    [TestCase(13, 4)]
    public void Run_AnsatzOnSeveralThreads_BitIdenticalToOneThread(int n, int threads)
    {
        var (circuit, theta) = AnsatzWithTopGates(n, 3);
        var expected = new Simulator(Options(1)).Run(circuit, theta, InputValues.None);
        var actual = new Simulator(Options(threads)).Run(circuit, theta, InputValues.None);
        AssertBitIdentical(expected.Amplitudes, actual.Amplitudes, $"n={n}, {threads} threads");
    }

    [TestCase(2)]
    [TestCase(3)]
    public void Run_RandomCircuitOnSeveralThreads_BitIdenticalToOneThread(int threads)
    {
        const int n = 15;
        var (circuit, theta, x, psi) = RandomCircuits.Build(n, 41, 80, out _);
        var one = StateVector.FromAmplitudes(psi);
        var many = StateVector.FromAmplitudes(psi);
        new Simulator(Options(1)).Apply(circuit, theta, x, one);
        new Simulator(Options(threads)).Apply(circuit, theta, x, many);
        AssertBitIdentical(one.Amplitudes, many.Amplitudes, $"random circuit, {threads} threads");
    }

    [Test]
    public void Run_AnsatzOnTwoThreads_MatchesUnfusedOneThread()
    {
        // Blocks and segments against the plain step-by-step application (rounding of the fused products only).
        const int n = 16;
        var (circuit, theta) = AnsatzWithTopGates(n, 2);
        var reference = new Simulator(Options(1) with { Fusion = false }).Run(circuit, theta, InputValues.None);
        var two = new Simulator(Options(2)).Run(circuit, theta, InputValues.None);
        for (int k = 0; k < reference.Amplitudes.Length; k++)
            Assert.That(Complex.Abs(two.Amplitudes[k] - reference.Amplitudes[k]), Is.LessThan(Tolerances.Kernel), $"amplitude {k}");
        var z = PauliString.Parse($"Z0 Z{n - 1}");
        var sim = new Simulator(Options(2));
        Assert.That(sim.Expectation(two, z), Is.EqualTo(sim.Expectation(reference, z)).Within(Tolerances.Kernel));
    }
}
