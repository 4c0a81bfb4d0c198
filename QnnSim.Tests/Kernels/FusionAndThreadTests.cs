using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using static QnnSim.Tests.Kernels.KernelReference;

namespace QnnSim.Tests.Kernels;

/// <summary>Seeded random circuits with every gate family, for the fusion and threading tests.</summary>
internal static class RandomCircuits
{
    public static (Circuit Circuit, ParameterValues Theta) Build(int n, int gates, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var b = new CircuitBuilder(n);
        var theta = new List<double>();
        Angle P()
        {
            theta.Add(rng.NextDouble(-3, 3));
            return b.Parameter($"p{theta.Count - 1}");
        }
        int Q() => (int)rng.NextInt64(n);
        for (int g = 0; g < gates; g++)
        {
            int kind = (int)rng.NextInt64(n >= 2 ? 24 : 11);
            int[] two = n >= 2 ? RandomQubits(n, 2, rng) : [0, 0];
            switch (kind)
            {
                case 0: b.H(Q()); break;
                case 1: b.Ry(Q(), P()); break;
                case 2: b.Rz(Q(), P()); break;
                case 3: b.Rx(Q(), P()); break;
                case 4: b.S(Q()); break;
                case 5: b.T(Q()); break;
                case 6: b.Phase(Q(), P()); break;
                case 7: b.U(Q(), P(), P(), P()); break;
                case 8: b.SX(Q()); break;
                case 9: b.Y(Q()); break;
                case 10: b.Unitary([Q()], UnitaryMatrix.Create(RandomUnitary(2, rng.NextUInt64()))); break;
                case 11: b.CX(two[0], two[1]); break;
                case 12: b.CZ(two[0], two[1]); break;
                case 13: b.CRy(two[0], two[1], P()); break;
                case 14: b.CP(two[0], two[1], P()); break;
                case 15: b.Swap(two[0], two[1]); break;
                case 16: b.Rzz(two[0], two[1], P()); break;
                case 17: b.Rxx(two[0], two[1], P()); break;
                case 18: b.Unitary(two, UnitaryMatrix.Create(RandomUnitary(4, rng.NextUInt64()))); break;
                case 19: b.ISwap(two[0], two[1]); break;
                case 20: b.Controlled(GateKind.Rx, [two[0]], two[1], [P()], [false]); break;
                case 21: b.GlobalPhase(P()); break;
                case 22:
                    if (n >= 3) { var t = RandomQubits(n, 3, rng); b.CCX(t[0], t[1], t[2]); }
                    else b.CY(two[0], two[1]);
                    break;
                default:
                    if (n >= 3) b.Unitary(RandomQubits(n, 3, rng), UnitaryMatrix.Create(RandomUnitary(8, rng.NextUInt64())));
                    else b.CH(two[0], two[1]);
                    break;
            }
        }
        return (b.Build(), ParameterValues.Of([.. theta]));
    }
}

/// <summary>Fused against unfused application, on every SIMD path and for block sizes 1, 2 and 3.</summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector128)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public sealed class FusionTests(KernelPath path)
{
    public static IEnumerable<int> Sizes() => Enumerable.Range(1, 9);

    [TestCaseSource(nameof(Sizes))]
    public void Run_FusedDefaultPlan_MatchesUnfused(int n)
    {
        var options = new SimulationOptions { KernelPath = path, MaxThreads = 1 };
        for (ulong seed = 0; seed < 4; seed++)
        {
            var (circuit, theta) = RandomCircuits.Build(n, 60, seed * 100 + (ulong)n);
            var fused = new Simulator(options with { Fusion = true }).Run(circuit, theta, InputValues.None);
            var plain = new Simulator(options with { Fusion = false }).Run(circuit, theta, InputValues.None);
            Assert.That(MaxDiff(fused.Data, plain.Data), Is.LessThan(KernelTolerances.Fusion), $"seed {seed}");
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void Run_FusedBlocksOfTwoAndThreeQubits_MatchUnfused(int n)
    {
        var options = new SimulationOptions { KernelPath = path, MaxThreads = 1, Fusion = false };
        foreach (int maxQubits in new[] { 1, 2, 3 })
            for (ulong seed = 0; seed < 3; seed++)
            {
                var (circuit, theta) = RandomCircuits.Build(n, 50, seed * 7 + (ulong)(n * 31 + maxQubits));
                var program = new CircuitProgram(circuit);
                double[] angles = Simulator.Bind(program, theta, InputValues.None);
                var expected = RandomState(n, seed);
                var actual = (Complex[])expected.Clone();
                Executor.Run(program, angles, expected, options);
                var plan = Fusion.BuildPlan(program, maxQubits);
                Fusion.Run(program, plan, angles, actual, options);
                Assert.That(MaxDiff(actual, expected), Is.LessThan(KernelTolerances.Fusion), $"maxQubits {maxQubits} seed {seed}");
                if (maxQubits > 1 && circuit.Operations.Length > 0)
                    Assert.That(plan.Items.Length, Is.LessThanOrEqualTo(program.Steps.Length));
            }
    }

    [TestCase(13)]
    [TestCase(14)]
    public void Run_FusedStateWiderThanChunk_MatchesUnfused(int n)
    {
        // Above Fusion.ChunkQubits the low items run slice by slice; mix low and high gates.
        Assert.That(n, Is.GreaterThan(Fusion.ChunkQubits));
        var options = new SimulationOptions { KernelPath = path, MaxThreads = 1 };
        var (circuit, theta) = RandomCircuits.Build(n, 80, (ulong)(900 + n));
        var fused = new Simulator(options with { Fusion = true }).Run(circuit, theta, InputValues.None);
        var plain = new Simulator(options with { Fusion = false }).Run(circuit, theta, InputValues.None);
        Assert.That(MaxDiff(fused.Data, plain.Data), Is.LessThan(KernelTolerances.Fusion));
        var b = new CircuitBuilder(n);
        for (int q = 0; q < n; q++) b.Ry(q, 0.1 + q).Rz(q, 0.3 * q);
        for (int q = 0; q + 1 < n; q++) b.CX(q, q + 1);
        var ladder = b.Build();
        fused = new Simulator(options with { Fusion = true }).Run(ladder, ParameterValues.None, InputValues.None);
        plain = new Simulator(options with { Fusion = false }).Run(ladder, ParameterValues.None, InputValues.None);
        Assert.That(MaxDiff(fused.Data, plain.Data), Is.LessThan(KernelTolerances.Fusion));
    }

    [Test]
    public void BuildPlan_RyRzOnEveryQubitThenCxLadder_FusesEachQubitRunIntoOneBlock()
    {
        var b = new CircuitBuilder(4);
        for (int q = 0; q < 4; q++) b.Ry(q, 0.1 * q);
        for (int q = 0; q < 4; q++) b.Rz(q, 0.2 * q);
        for (int q = 0; q < 3; q++) b.CX(q, q + 1);
        var program = new CircuitProgram(b.Build());
        var plan = Fusion.BuildPlan(program, 1, select: false);
        // Four 2-step 1-qubit blocks and three CX steps.
        Assert.That(plan.Items.Count(i => i.Steps.Length == 2 && i.Qubits.Length == 1), Is.EqualTo(4));
        Assert.That(plan.Items.Count(i => i.Step >= 0), Is.EqualTo(3));
        // With select merging, the blocks on qubits 1, 2, 3 absorb the CX that follows them: 1 + 3 passes.
        var merged = Fusion.BuildPlan(program, 1);
        Assert.That(merged.Items.Length, Is.EqualTo(4));
        Assert.That(merged.Items.Count(i => i.SelectStep >= 0), Is.EqualTo(3));
        Assert.That(merged.Items.Where(i => i.SelectStep >= 0).Select(i => (i.Qubits[0], i.SelectQubit)), Is.EqualTo(new[] { (1, 0), (2, 1), (3, 2) }));
    }

    public static IEnumerable<int> AnsatzSizes() => [2, 3, 5, 8, 10, 13];

    [TestCaseSource(nameof(AnsatzSizes))]
    public void Run_AnsatzWithSelectMerging_MatchesUnfused(int n)
    {
        // Hardware-efficient layers with CX ladders both ways and CZ/CRz/CX-on-control variants, so that 1-qubit runs
        // merge into Select1 passes with the select qubit below and above the target, in and out of a register.
        var options = new SimulationOptions { KernelPath = path, MaxThreads = 1 };
        var b = new CircuitBuilder(n);
        for (int layer = 0; layer < 3; layer++)
        {
            for (int q = 0; q < n; q++) b.Ry(q, 0.3 + 0.7 * Math.Sin(1 + 0.37 * (q + layer * n))).Rz(q, 0.1 * q - 0.2 * layer);
            for (int q = 0; q + 1 < n; q++) b.CX(q, q + 1);
            for (int q = 0; q < n; q++) b.Rx(q, 0.2 + q);
            for (int q = n - 1; q > 0; q--) b.CX(q, q - 1);
            for (int q = 0; q < n; q++) b.H(q);
            for (int q = 0; q + 1 < n; q++) b.CZ(q, q + 1);
            for (int q = 0; q < n; q++) b.T(q);
            for (int q = 0; q + 1 < n; q++) b.CRz(q, q + 1, 0.4 + q);
            b.Ry(0, 0.5);
            b.CX(0, n - 1);
        }
        var circuit = b.Build();
        var program = new CircuitProgram(circuit);
        Assert.That(Fusion.BuildPlan(program).Items.Count(i => i.SelectStep >= 0), Is.GreaterThanOrEqualTo(3 * (n - 1)));
        var fused = new Simulator(options with { Fusion = true }).Run(circuit, ParameterValues.None, InputValues.None);
        var plain = new Simulator(options with { Fusion = false, KernelPath = KernelPath.Scalar }).Run(circuit, ParameterValues.None, InputValues.None);
        Assert.That(MaxDiff(fused.Data, plain.Data), Is.LessThan(KernelTolerances.Fusion));
    }
}

/// <summary>One and two threads give bit-identical states and sums (threading forced down to one qubit).</summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector512)]
public sealed class ThreadingTests(KernelPath path)
{
    public static IEnumerable<int> Sizes() => [1, 2, 3, 5, 8, 11, 14];

    [TestCaseSource(nameof(Sizes))]
    public void Run_OneAndTwoThreads_BitIdentical(int n)
    {
        var one = new SimulationOptions { KernelPath = path, MaxThreads = 1, ParallelThresholdQubits = 1 };
        var two = one with { MaxThreads = 2 };
        foreach (bool fusion in new[] { false, true })
        {
            var (circuit, theta) = RandomCircuits.Build(n, 40, (ulong)(n + 500));
            var a = new Simulator(one with { Fusion = fusion }).Run(circuit, theta, InputValues.None);
            var b = new Simulator(two with { Fusion = fusion }).Run(circuit, theta, InputValues.None);
            Assert.That(b.Data, Is.EqualTo(a.Data), $"fusion {fusion}");
            Assert.That(MaxDiff(a.Data, new Simulator(one with { Fusion = false, KernelPath = KernelPath.Scalar }).Run(circuit, theta, InputValues.None).Data),
                Is.LessThan(KernelTolerances.Fusion));
        }
    }

    [Test]
    public void Expectation_LargeStateOneAndTwoThreads_BitIdentical()
    {
        const int n = 16; // 4 reduction chunks
        var one = new SimulationOptions { KernelPath = path, MaxThreads = 1, ParallelThresholdQubits = 1 };
        var two = one with { MaxThreads = 2 };
        var psi = StateVector.FromAmplitudes(RandomState(n, 9));
        foreach (var text in new[] { "Z0", "X3 Y15", "Z1 Z14 X7", "Y0 Y1" })
        {
            var pauli = PauliString.Parse(text);
            double a = new Simulator(one).Expectation(psi, pauli);
            double b = new Simulator(two).Expectation(psi, pauli);
            Assert.That(BitConverter.DoubleToInt64Bits(b), Is.EqualTo(BitConverter.DoubleToInt64Bits(a)), text);
        }
    }
}
