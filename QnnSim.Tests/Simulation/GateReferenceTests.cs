using System.Collections.Concurrent;
using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Tests.Reference;

namespace QnnSim.Tests.Simulation;

[TestFixture(KernelPath.Scalar, false)]
[TestFixture(KernelPath.Scalar, true)]
[TestFixture(KernelPath.Vector128, false)]
[TestFixture(KernelPath.Vector128, true)]
[TestFixture(KernelPath.Vector256, false)]
[TestFixture(KernelPath.Vector256, true)]
[TestFixture(KernelPath.Vector512, false)]
[TestFixture(KernelPath.Vector512, true)]
public sealed class GateReferenceTests(KernelPath path, bool fusion) : KernelPathFixture(path, fusion)
{
    /// <summary>Reference outputs shared by the eight fixtures (they do not depend on the path).</summary>
    private static readonly ConcurrentDictionary<string, Complex[]> Expected = new();

    /// <summary>Drawn instances shared by the fixtures (drawing a Haar unitary on 8 qubits takes a while).</summary>
    private static readonly ConcurrentDictionary<string, GateInstance> Instances = new();

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var gate in GateCatalogue.All)
            for (int n = 1; n <= gate.MaxN; n++)
                if (gate.Arity(n) <= n)
                    yield return new TestCaseData(gate, n).SetArgDisplayNames(gate.Name, $"n={n}");
    }

    [TestCaseSource(nameof(Cases))]
    public void Apply_EveryGateAndPosition_MatchesDenseReference(GateCase gate, int n)
    {
        var tuples = GateCatalogue.Tuples(gate, n);
        Assert.That(tuples, Is.Not.Empty);
        int index = 0;
        foreach (var qubits in tuples)
        {
            ulong seed = GateCase.StableHash(gate.Name, n, index++);
            string key = $"{gate.Name}|{n}|{string.Join(",", qubits)}|{seed}";
            var g = Instances.GetOrAdd(key, _ => gate.Draw(n, qubits, seed));
            var psi = DenseReference.HaarState(n, seed ^ 0x5A5A);
            var expected = Expected.GetOrAdd(key, _ => DenseReference.Apply(gate.Reference(g), psi));
            var modes = gate.AngleCount == 0 ? [AngleMode.Constant]
                : new[] { AngleMode.Constant, index % 2 == 0 ? AngleMode.Parameter : AngleMode.Input };
            foreach (var mode in modes)
            {
                var (c, theta, x) = GateCatalogue.BuildCircuit(gate, g, mode);
                var actual = Simulate(c, theta, x, psi);
                double diff = DenseReference.MaxAbsDiff(actual, expected);
                if (!(diff <= Tolerances.Kernel))
                    Assert.Fail($"{gate.Name} on qubits [{string.Join(", ", qubits)}] of {n}, angles {mode} " +
                        $"[{string.Join(", ", g.Angles)}]: max |Δ| = {diff:E3} > {Tolerances.Kernel:E0}");
            }
        }
    }

    public static IEnumerable<TestCaseData> RandomCircuitCases()
    {
        foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 9 })
            foreach (ulong seed in new ulong[] { 1, 2 })
                yield return new TestCaseData(n, seed).SetArgDisplayNames($"n={n}", $"seed={seed}");
    }

    /// <summary>
    /// Random sequences of every gate case (angles as constants, parameters and inputs mixed) against the product
    /// of reference matrices: this is where gate fusion has something to fuse.
    /// </summary>
    [TestCaseSource(nameof(RandomCircuitCases))]
    public void Apply_RandomCircuit_MatchesDenseReference(int n, ulong seed)
    {
        string key = $"circuit|{n}|{seed}";
        var (c, theta, x, psi) = RandomCircuits.Build(n, seed, 40, out var reference);
        var expected = Expected.GetOrAdd(key, _ => reference());
        var actual = Simulate(c, theta, x, psi);
        Assert.That(DenseReference.MaxAbsDiff(actual, expected), Is.LessThanOrEqualTo(Tolerances.Circuit),
            $"{c.Operations.Length} operations: {string.Join("; ", c.Operations)}");
    }
}
