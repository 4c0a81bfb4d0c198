using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Tests.Reference;

namespace QnnSim.Tests.Interop.QSharp;

/// <summary>
/// Seeded random circuits for the multi-controlled and dense exports: gates with 3–4 controls (positive and negative),
/// controlled two-qubit rotations, iSWAP, SWAP, Pauli rotations and global phases, and Haar-random dense unitaries on
/// 2 and 3 qubits (with and without extra controls).
/// </summary>
internal static class ControlledCircuits
{
    private static readonly GateKind[] OneQubitKinds =
    [
        GateKind.X, GateKind.Y, GateKind.Z, GateKind.H, GateKind.S, GateKind.Sdg, GateKind.T, GateKind.Tdg, GateKind.SX,
        GateKind.SXdg, GateKind.Rx, GateKind.Ry, GateKind.Rz, GateKind.Phase, GateKind.U,
    ];

    /// <summary>A Haar-random k-qubit UnitaryMatrix (Mezzadri 2007, through DenseReference).</summary>
    public static UnitaryMatrix Haar(int qubits, ulong seed) => UnitaryMatrix.Create(DenseReference.HaarUnitary(1 << qubits, seed).ToArray());

    /// <summary>Distinct random qubits.</summary>
    private static int[] Distinct(SeededRandom rng, int qubits, int count)
    {
        var pool = Enumerable.Range(0, qubits).ToList();
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            int k = (int)rng.NextInt64(pool.Count);
            result[i] = pool[k];
            pool.RemoveAt(k);
        }
        return result;
    }

    /// <summary>
    /// A random circuit on <paramref name="qubits"/> (≥ 6) qubits: generic one-qubit states first, then
    /// <paramref name="gates"/> gates cycling through the families below, each with random control states.
    /// </summary>
    public static Circuit Random(int qubits, int gates, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var b = new CircuitBuilder(qubits);
        double A() => rng.NextDouble(-Math.PI, Math.PI);
        bool[] States(int n) => [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.6)];
        for (int q = 0; q < qubits; q++) b.U(q, A(), A(), A());
        for (int g = 0; g < gates; g++)
        {
            int family = g % 9;
            switch (family)
            {
                case 0:
                case 1:
                    {
                        // A one-qubit gate with 3 or 4 controls.
                        int n = 3 + (int)rng.NextInt64(2);
                        var q = Distinct(rng, qubits, n + 1);
                        var kind = OneQubitKinds[rng.NextInt64(OneQubitKinds.Length)];
                        int angles = Operation.AngleCount(kind);
                        b.Add(new Operation(kind, [q[n]], [.. Enumerable.Range(0, angles).Select(_ => Angle.Constant(A()))],
                            [.. q[..n]], [.. States(n)]));
                        break;
                    }
                case 2:
                    {
                        // Controlled Rxx / Ryy / Rzz with 1–3 controls.
                        int n = 1 + (int)rng.NextInt64(3);
                        var q = Distinct(rng, qubits, n + 2);
                        var kind = new[] { GateKind.Rxx, GateKind.Ryy, GateKind.Rzz }[rng.NextInt64(3)];
                        b.Add(new Operation(kind, [q[n], q[n + 1]], [Angle.Constant(A())], [.. q[..n]], [.. States(n)]));
                        break;
                    }
                case 3:
                    {
                        // A dense Haar unitary on 2 qubits, sometimes with one or two extra controls.
                        int n = (int)rng.NextInt64(3);
                        var q = Distinct(rng, qubits, n + 2);
                        b.Add(new Operation(GateKind.Unitary, [q[n], q[n + 1]], controls: [.. q[..n]], controlStates: [.. States(n)],
                            matrix: Haar(2, rng.NextUInt64())));
                        break;
                    }
                case 4:
                    {
                        // A dense Haar unitary on 3 qubits, sometimes with one extra control.
                        int n = (int)rng.NextInt64(2);
                        var q = Distinct(rng, qubits, n + 3);
                        b.Add(new Operation(GateKind.Unitary, [q[n], q[n + 1], q[n + 2]], controls: [.. q[..n]], controlStates: [.. States(n)],
                            matrix: Haar(3, rng.NextUInt64())));
                        break;
                    }
                case 5:
                    {
                        // A controlled global phase with 1–4 controls.
                        int n = 1 + (int)rng.NextInt64(4);
                        var q = Distinct(rng, qubits, n);
                        b.Add(new Operation(GateKind.GlobalPhase, [], [Angle.Constant(A())], [.. q], [.. States(n)]));
                        break;
                    }
                case 6:
                    {
                        // Controlled SWAP, iSWAP or iSWAP† with 2–3 controls.
                        int n = 2 + (int)rng.NextInt64(2);
                        var q = Distinct(rng, qubits, n + 2);
                        var kind = new[] { GateKind.Swap, GateKind.ISwap, GateKind.ISwapDg }[rng.NextInt64(3)];
                        b.Add(new Operation(kind, [q[n], q[n + 1]], controls: [.. q[..n]], controlStates: [.. States(n)]));
                        break;
                    }
                case 7:
                    {
                        // A controlled three-qubit Pauli rotation with 1–2 controls.
                        int n = 1 + (int)rng.NextInt64(2);
                        var q = Distinct(rng, qubits, n + 3);
                        var paulis = new[] { Pauli.X, Pauli.Y, Pauli.Z };
                        b.Add(new Operation(GateKind.PauliRotation, [.. q[n..]], [Angle.Constant(A())], [.. q[..n]], [.. States(n)],
                            [.. Enumerable.Range(0, 3).Select(_ => paulis[rng.NextInt64(3)])]));
                        break;
                    }
                case 8:
                    {
                        // A dense one-qubit unitary with 3–4 controls.
                        int n = 3 + (int)rng.NextInt64(2);
                        var q = Distinct(rng, qubits, n + 1);
                        b.Add(new Operation(GateKind.Unitary, [q[n]], controls: [.. q[..n]], controlStates: [.. States(n)], matrix: Haar(1, rng.NextUInt64())));
                        break;
                    }
            }
        }
        return b.Build();
    }
}
