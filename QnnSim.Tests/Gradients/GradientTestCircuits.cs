using System.Collections.Immutable;
using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Tests.Gradients;

/// <summary>Seeded random circuits, states and observables for the gradient tests.</summary>
internal static class GradientTestCircuits
{
    /// <summary>Every parameterised gate kind the gradient code must handle, as a name and an adder.</summary>
    public static readonly string[] GateKinds =
    [
        "Rx", "Ry", "Rz", "P", "U", "PauliRotation", "Rxx", "Ryy", "Rzz", "CRx", "CRy", "CRz", "CP", "CU",
        "ControlledGlobalPhase", "NegativeControlRy", "DoublyControlledRz", "ControlledPauliRotation", "GlobalPhase",
    ];

    /// <summary>A random angle expression over θ (p parameters) and x (q inputs): plain, affine, sin, product, mixed.</summary>
    public static Angle RandomAngle(SeededRandom rng, int p, int q, bool allowNonAffine = true)
    {
        int choice = (int)rng.NextInt64(allowNonAffine ? 7 : 3);
        Angle Th() => Angle.Parameter((int)rng.NextInt64(p));
        Angle X() => q > 0 ? Angle.Input((int)rng.NextInt64(q)) : Th();
        return choice switch
        {
            0 => Th(),
            1 => Angle.Parameter((int)rng.NextInt64(p), rng.NextDouble(-2, 2), rng.NextDouble(-1, 1)),
            2 => q > 0 ? Angle.Input((int)rng.NextInt64(q), rng.NextDouble(0.5, 2), rng.NextDouble(-1, 1)) : Th(),
            3 => Angle.Sin(Th()) * 2.0,
            4 => Th() * Th(),
            5 => Th() + X() * 0.7,
            _ => Angle.Cos(X()) * Th() + 0.3,
        };
    }

    /// <summary>A Haar-ish random k-qubit unitary (Gram–Schmidt of a complex Gaussian matrix).</summary>
    public static UnitaryMatrix RandomUnitary(SeededRandom rng, int qubits)
    {
        int d = 1 << qubits;
        var cols = new Complex[d][];
        for (int c = 0; c < d; c++)
        {
            var v = new Complex[d];
            for (int r = 0; r < d; r++) v[r] = new Complex(rng.NextGaussian(), rng.NextGaussian());
            for (int prev = 0; prev < c; prev++)
            {
                Complex dot = Complex.Zero;
                for (int r = 0; r < d; r++) dot += Complex.Conjugate(cols[prev][r]) * v[r];
                for (int r = 0; r < d; r++) v[r] -= dot * cols[prev][r];
            }
            double norm = Math.Sqrt(v.Sum(a => a.Magnitude * a.Magnitude));
            for (int r = 0; r < d; r++) v[r] /= norm;
            cols[c] = v;
        }
        var m = new Complex[d * d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) m[r * d + c] = cols[c][r];
        return UnitaryMatrix.Create(m);
    }

    /// <summary>A random normalised state.</summary>
    public static StateVector RandomState(SeededRandom rng, int qubits)
    {
        var a = new Complex[1 << qubits];
        double norm = 0;
        for (int k = 0; k < a.Length; k++)
        {
            a[k] = new Complex(rng.NextGaussian(), rng.NextGaussian());
            norm += a[k].Magnitude * a[k].Magnitude;
        }
        for (int k = 0; k < a.Length; k++) a[k] /= Math.Sqrt(norm);
        return StateVector.FromAmplitudes(a);
    }

    /// <summary>Three distinct random qubits.</summary>
    private static int[] Distinct(SeededRandom rng, int n, int count)
    {
        var all = Enumerable.Range(0, n).ToList();
        var pick = new int[count];
        for (int i = 0; i < count; i++)
        {
            int j = (int)rng.NextInt64(all.Count);
            pick[i] = all[j];
            all.RemoveAt(j);
        }
        return pick;
    }

    /// <summary>Adds one gate of the named kind on random qubits with random angle expressions.</summary>
    public static void AddGate(CircuitBuilder b, string kind, SeededRandom rng, int p, int q, bool allowNonAffine = true)
    {
        int n = b.QubitCount;
        var qs = Distinct(rng, n, Math.Min(n, 3));
        Angle A() => RandomAngle(rng, p, q, allowNonAffine);
        switch (kind)
        {
            case "Rx": b.Rx(qs[0], A()); break;
            case "Ry": b.Ry(qs[0], A()); break;
            case "Rz": b.Rz(qs[0], A()); break;
            case "P": b.Phase(qs[0], A()); break;
            case "U": b.U(qs[0], A(), A(), A()); break;
            case "PauliRotation":
            {
                var factors = qs.Take(Math.Min(n, 3)).Select(t => (t, (Pauli)(1 + (int)rng.NextInt64(3))));
                b.PauliRotation(PauliString.FromFactors(factors), A());
                break;
            }
            case "Rxx": b.Rxx(qs[0], qs[1], A()); break;
            case "Ryy": b.Ryy(qs[0], qs[1], A()); break;
            case "Rzz": b.Rzz(qs[0], qs[1], A()); break;
            case "CRx": b.CRx(qs[0], qs[1], A()); break;
            case "CRy": b.CRy(qs[0], qs[1], A()); break;
            case "CRz": b.CRz(qs[0], qs[1], A()); break;
            case "CP": b.CP(qs[0], qs[1], A()); break;
            case "CU": b.Controlled(GateKind.U, [qs[0]], qs[1], [A(), A(), A()]); break;
            case "ControlledGlobalPhase":
                b.Add(new Operation(GateKind.GlobalPhase, [], [A()], controls: [qs[0]], controlStates: [rng.NextDouble() < 0.5]));
                break;
            case "NegativeControlRy": b.Controlled(GateKind.Ry, [qs[0]], qs[1], [A()], [false]); break;
            case "DoublyControlledRz": b.Controlled(GateKind.Rz, [qs[0], qs[2]], qs[1], [A()], [true, false]); break;
            case "ControlledPauliRotation":
                b.Add(new Operation(GateKind.PauliRotation, [qs[1], qs[2]], [A()], controls: [qs[0]],
                    pauliFactors: [(Pauli)(1 + (int)rng.NextInt64(3)), (Pauli)(1 + (int)rng.NextInt64(3))]));
                break;
            case "GlobalPhase": b.GlobalPhase(A()); break;
            default: throw new ArgumentException(kind);
        }
    }

    /// <summary>Fixed entangling and dense blocks between rotations.</summary>
    public static void AddFixed(CircuitBuilder b, SeededRandom rng)
    {
        int n = b.QubitCount;
        var qs = Distinct(rng, n, Math.Min(n, 3));
        switch ((int)rng.NextInt64(6))
        {
            case 0: b.CX(qs[0], qs[1]); break;
            case 1: b.H(qs[0]).S(qs[1]); break;
            case 2: b.Unitary([qs[0], qs[1]], RandomUnitary(rng, 2)); break;
            case 3: b.Unitary([qs[0]], RandomUnitary(rng, 1)); break;
            case 4: b.Unitary([qs[0], qs[1], qs[2]], RandomUnitary(rng, 3)); break;
            default: b.CZ(qs[0], qs[1]).T(qs[2]); break;
        }
    }

    /// <summary>
    /// A random circuit on n qubits with p parameters and q inputs: a Hadamard layer, then <paramref name="gates"/>
    /// random parameterised gates of every kind, each followed by a fixed or dense block.
    /// </summary>
    public static Circuit RandomCircuit(ulong seed, int n = 4, int p = 5, int q = 2, int gates = 24, bool allowNonAffine = true)
    {
        var rng = new SeededRandom(seed);
        var b = new CircuitBuilder(n);
        for (int j = 0; j < p; j++) b.Parameter($"t{j}");
        for (int j = 0; j < q; j++) b.Input($"x{j}");
        for (int i = 0; i < n; i++) b.H(i);
        for (int g = 0; g < gates; g++)
        {
            string kind = g < GateKinds.Length ? GateKinds[(g + (int)seed) % GateKinds.Length] : GateKinds[rng.NextInt64(GateKinds.Length)];
            AddGate(b, kind, rng, p, q, allowNonAffine);
            AddFixed(b, rng);
        }
        return b.Build();
    }

    /// <summary>A circuit: random fixed background, then one gate of <paramref name="kind"/>, then more background.</summary>
    public static Circuit SingleKindCircuit(string kind, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var b = new CircuitBuilder(3);
        for (int j = 0; j < 3; j++) b.Parameter($"t{j}");
        b.Input("x0");
        b.Unitary([0, 1, 2], RandomUnitary(rng, 3));
        AddGate(b, kind, rng, 3, 1);
        AddFixed(b, rng);
        AddGate(b, kind, rng, 3, 1);
        b.Unitary([0, 1, 2], RandomUnitary(rng, 3));
        return b.Build();
    }

    /// <summary>Random θ in [−π, π).</summary>
    public static ParameterValues RandomParameters(SeededRandom rng, int p) =>
        ParameterValues.Of([.. Enumerable.Range(0, p).Select(_ => rng.NextDouble(-Math.PI, Math.PI))]);

    /// <summary>Random x in [−1, 1).</summary>
    public static InputValues RandomInputs(SeededRandom rng, int q) =>
        InputValues.Of([.. Enumerable.Range(0, q).Select(_ => rng.NextDouble(-1, 1))]);

    /// <summary>A random Pauli sum with a few terms (including an identity term) on n qubits.</summary>
    public static PauliSum RandomObservable(SeededRandom rng, int n, int terms = 3)
    {
        var list = new List<PauliTerm> { new(rng.NextDouble(-1, 1), PauliString.Identity) };
        for (int t = 0; t < terms; t++)
        {
            var factors = new List<(int, Pauli)>();
            for (int qb = 0; qb < n; qb++)
            {
                int f = (int)rng.NextInt64(4);
                if (f > 0) factors.Add((qb, (Pauli)f));
            }
            if (factors.Count == 0) factors.Add((0, Pauli.Z));
            list.Add(new PauliTerm(rng.NextDouble(-2, 2), PauliString.FromFactors(factors)));
        }
        return new PauliSum(list);
    }
}
