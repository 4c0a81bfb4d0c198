using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Randomness;
using QnnSim.Tests.Reference;

namespace QnnSim.Tests.Simulation;

/// <summary>Seeded random circuits drawn from the whole <see cref="GateCatalogue"/>, with their dense reference.</summary>
public static class RandomCircuits
{
    /// <summary>
    /// Draws <paramref name="gates"/> random gates on n qubits (each case, position and angle mode at random), a
    /// Haar-random input state, and a thunk computing the reference output (matrices applied one by one).
    /// </summary>
    public static (Circuit Circuit, ParameterValues Theta, InputValues X, Complex[] Psi) Build(int n, ulong seed, int gates,
        out Func<Complex[]> reference)
    {
        var rng = new SeededRandom(seed * 7919 + (ulong)n);
        var usable = GateCatalogue.All.Where(g => g.Arity(n) <= n && (g.DenseQubits >= 0 || n <= g.MaxN)).ToList();
        var b = new CircuitBuilder(n);
        var theta = new List<double>();
        var x = new List<double>();
        var drawn = new List<(GateCase Gate, GateInstance Instance)>();
        for (int i = 0; i < gates; i++)
        {
            var gate = usable[(int)rng.NextInt64(usable.Count)];
            int k = gate.Arity(n);
            var pool = Enumerable.Range(0, n).ToList();
            var qubits = new int[k];
            for (int j = 0; j < k; j++)
            {
                int pick = (int)rng.NextInt64(pool.Count);
                qubits[j] = pool[pick];
                pool.RemoveAt(pick);
            }
            var g = gate.Draw(n, qubits, rng.NextUInt64());
            var mode = (AngleMode)rng.NextInt64(3);
            var (angles, t, xs) = GateCatalogue.MakeAngles(b, g.Angles, mode, $"g{i}_");
            theta.AddRange(t);
            x.AddRange(xs);
            gate.Build(b, g, angles);
            drawn.Add((gate, g));
        }
        var psi = DenseReference.HaarState(n, seed + 1000);
        reference = () =>
        {
            var v = psi;
            foreach (var (gate, g) in drawn) v = DenseReference.Apply(gate.Reference(g), v);
            return v;
        };
        return (b.Build(), ParameterValues.Of([.. theta]), InputValues.Of([.. x]), psi);
    }
}
