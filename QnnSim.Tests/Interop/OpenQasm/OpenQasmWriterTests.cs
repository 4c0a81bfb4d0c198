using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Randomness;
using Qasm = QnnSim.Interop.OpenQasm;

namespace QnnSim.Tests.Interop.OpenQasm;

/// <summary>export → import on seeded random circuits covering every <see cref="GateKind"/>.</summary>
[TestFixture]
public class OpenQasmWriterTests
{
    private const int Qubits = 4;

    private static Angle RandomAngle(SeededRandom rng, Angle[] theta, Angle a, Angle[] x, Angle s)
    {
        Angle Var()
        {
            long k = rng.NextInt64(4);
            return k switch { 0 => theta[rng.NextInt64(theta.Length)], 1 => a, 2 => x[rng.NextInt64(x.Length)], _ => s };
        }
        double c = rng.NextDouble(-2, 2);
        var v = Var();
        return rng.NextInt64(9) switch
        {
            0 => Angle.Constant(c),
            1 => Var(),
            2 => c * Var() + rng.NextDouble(-1, 1),
            3 => -Var() - 0.25,
            4 => Var() * Var() + c,
            5 => Angle.Sin(Var()) * (Var() - 1.5),
            6 => Angle.Pow(v * v + 1, 0.5) / (2 + Angle.Cos(Var())),
            7 => Angle.Pow(Var() + c, 2) - Angle.Exp(0.1 * Var()),
            _ => Angle.Arctan(Var()) - Angle.Constant(-1e-7) * Var(),
        };
    }

    private static UnitaryMatrix RandomUnitary1(SeededRandom rng)
    {
        double t = rng.NextDouble(0, Math.PI), p = rng.NextDouble(-Math.PI, Math.PI), l = rng.NextDouble(-Math.PI, Math.PI), g = rng.NextDouble(-Math.PI, Math.PI);
        var u = Dense.Scale(Complex.Exp(Dense.I * g), Dense.U(t, p, l));
        return UnitaryMatrix.Create(u);
    }

    /// <summary>Every gate kind (noise channels are not gates: writers refuse them, NoiseModelTests).</summary>
    private static readonly GateKind[] Gates = [.. Enum.GetValues<GateKind>().Where(k => k != GateKind.Channel)];

    /// <summary>A random circuit with every gate kind at least once, random controls and negative controls.</summary>
    public static Circuit RandomCircuit(ulong seed)
    {
        var rng = new SeededRandom(seed);
        var b = new CircuitBuilder(Qubits);
        var theta = b.Parameters("theta", 3);
        var a = b.Parameter("a");
        var x = b.Inputs("x", 2);
        var s = b.Input("s");
        var kinds = Gates;
        var order = kinds.Concat(Enumerable.Range(0, 25).Select(_ => kinds[rng.NextInt64(kinds.Length)])).ToArray();
        foreach (var kind in order)
        {
            int targetCount = kind switch
            {
                GateKind.Swap or GateKind.ISwap or GateKind.ISwapDg or GateKind.Rxx or GateKind.Ryy or GateKind.Rzz => 2,
                GateKind.PauliRotation => 1 + (int)rng.NextInt64(3),
                GateKind.GlobalPhase => 0,
                _ => 1,
            };
            var perm = Enumerable.Range(0, Qubits).OrderBy(_ => rng.NextUInt64()).ToArray();
            var targets = perm[..targetCount];
            int controlCount = (int)rng.NextInt64(Math.Min(3, Qubits - targetCount) + 1);
            var controls = perm[targetCount..(targetCount + controlCount)];
            var states = controls.Select(_ => rng.NextInt64(3) != 0).ToArray();
            int angleCount = kind switch
            {
                GateKind.U => 3,
                GateKind.Phase or GateKind.Rx or GateKind.Ry or GateKind.Rz or GateKind.PauliRotation or GateKind.Rxx
                    or GateKind.Ryy or GateKind.Rzz or GateKind.GlobalPhase => 1,
                _ => 0,
            };
            var angles = Enumerable.Range(0, angleCount).Select(_ => RandomAngle(rng, theta, a, x, s)).ToArray();
            var factors = kind == GateKind.PauliRotation
                ? targets.Select(_ => (Pauli)(1 + rng.NextInt64(3))).ToArray()
                : null;
            b.Add(new Operation(kind, [.. targets], [.. angles], [.. controls], [.. states],
                factors is null ? default : [.. factors], kind == GateKind.Unitary ? RandomUnitary1(rng) : null));
        }
        b.Measure(2).Measure(0);
        return b.Build();
    }

    public static IEnumerable<ulong> Seeds() => Enumerable.Range(1, 12).Select(i => (ulong)i * 7919);

    [TestCaseSource(nameof(Seeds))]
    public void WriteThenParse_RandomCircuit_KeepsNamesRolesAndAction(ulong seed)
    {
        var c = RandomCircuit(seed);
        string text = Qasm.Write(c);
        var back = Qasm.Parse(text, "roundtrip.qasm");
        Assert.Multiple(() =>
        {
            Assert.That(back.ParameterNames, Is.EqualTo(c.ParameterNames), text);
            Assert.That(back.InputNames, Is.EqualTo(c.InputNames));
            Assert.That(back.MeasuredQubits, Is.EqualTo(c.MeasuredQubits));
        });
        var rng = new SeededRandom(seed + 1);
        for (int trial = 0; trial < 3; trial++)
        {
            var theta = ParameterValues.Of(OpenQasmTestSupport.RandomValues(c.ParameterCount, rng));
            var x = InputValues.Of(OpenQasmTestSupport.RandomValues(c.InputCount, rng));
            double diff = OpenQasmTestSupport.MaxStateDifference(c, theta, x, back, theta, x, seed + 2 + (ulong)trial);
            Assert.That(diff, Is.LessThan(OpenQasmTolerances.State), text);
        }
    }

    [Test]
    public void Write_RandomCircuit_CoversEveryGateKind()
    {
        var kinds = Seeds().SelectMany(s => RandomCircuit(s).Operations.Select(o => o.Kind)).ToHashSet();
        Assert.That(kinds, Is.EquivalentTo(Gates));
    }

    [Test]
    public void Write_Inputs_DeclaredWithPragmaAndRolesSurvive()
    {
        var b = new CircuitBuilder(2);
        var t = b.Parameters("theta", 2);
        var x = b.Inputs("x", 2);
        var s = b.Input("s");
        var w = b.Parameter("w");
        b.Ry(0, t[0] * x[0]).Ry(1, t[1] + x[1] * s).Rz(0, 2 * w + 0.5).CX(0, 1);
        string text = Qasm.Write(b.Build());
        Assert.That(text, Does.Contain("#pragma qnnsim inputs x s\n"));
        Assert.That(text, Does.Contain("input array[float[64], 2] theta;\n"));
        Assert.That(text, Does.Contain("input array[float[64], 2] x;\n"));
        Assert.That(text, Does.Contain("input float[64] s;\n"));
        Assert.That(text, Does.Contain("input float[64] w;\n"));
        var back = Qasm.Parse(text);
        Assert.That(back.ParameterNames, Is.EqualTo(new[] { "theta[0]", "theta[1]", "w" }));
        Assert.That(back.InputNames, Is.EqualTo(new[] { "x[0]", "x[1]", "s" }));
        // The affine angle stays affine after the round trip.
        Assert.That(back.Operations[2].Angles[0].TryGetAffine(out var kind, out int index, out double scale, out double offset), Is.True);
        Assert.That((kind, index, scale, offset), Is.EqualTo((VariableKind.Parameter, 2, 2.0, 0.5)));
    }

    [Test]
    public void Write_ArrayWithMixedRoles_ListsElementInputsInPragma()
    {
        var b = new CircuitBuilder(1);
        var p0 = b.Parameter("v[0]");
        var i1 = b.Input("v[1]");
        b.Rx(0, p0 + i1);
        string text = Qasm.Write(b.Build());
        Assert.That(text, Does.Contain("#pragma qnnsim inputs v[1]\n"));
        var back = Qasm.Parse(text);
        Assert.That(back.ParameterNames, Is.EqualTo(new[] { "v[0]" }));
        Assert.That(back.InputNames, Is.EqualTo(new[] { "v[1]" }));
    }

    [Test]
    public void Write_PowerOfNegativeAndAffineOperands_Parenthesised()
    {
        var b = new CircuitBuilder(1);
        var t = b.Parameter("t");
        var u = b.Parameter("u");
        // Angle.Pow(-2 + 0*t, ...) folds to constants, so use variables: (2t + 0.1)·u and (−t)^2.
        b.Rx(0, (2 * t + 0.1) * u).Ry(0, Angle.Pow(-t, 2)).Rz(0, Angle.Pow(2 * t + 1, u) - (t - u));
        var c = b.Build();
        var back = Qasm.Parse(Qasm.Write(c));
        var rng = new SeededRandom(3);
        var values = ParameterValues.Of(0.7, -1.3);
        for (int i = 0; i < 3; i++)
            Assert.That(back.Operations[i].Angles[0].Evaluate(values.Span, []),
                Is.EqualTo(c.Operations[i].Angles[0].Evaluate(values.Span, [])).Within(1e-15), Qasm.Write(c));
        _ = rng;
    }

    /// <summary>A Haar-like random unitary: Gram–Schmidt on a complex Gaussian matrix (seeded).</summary>
    private static UnitaryMatrix RandomUnitary(int qubits, SeededRandom rng)
    {
        int d = 1 << qubits;
        var cols = new Complex[d][];
        for (int c = 0; c < d; c++)
        {
            var v = Enumerable.Range(0, d).Select(_ => new Complex(rng.NextGaussian(), rng.NextGaussian())).ToArray();
            for (int p = 0; p < c; p++)
            {
                Complex dot = 0;
                for (int i = 0; i < d; i++) dot += Complex.Conjugate(cols[p][i]) * v[i];
                for (int i = 0; i < d; i++) v[i] -= dot * cols[p][i];
            }
            double norm = Math.Sqrt(v.Sum(z => z.Magnitude * z.Magnitude));
            cols[c] = [.. v.Select(z => z / norm)];
        }
        var m = new Complex[d, d];
        for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) m[r, c] = cols[c][r];
        return UnitaryMatrix.Create(m);
    }

    [TestCase(2, 0)]
    [TestCase(2, 1)]
    [TestCase(3, 0)]
    [TestCase(3, 2)]
    [TestCase(4, 1)]
    public void WriteThenParse_DenseUnitary_DecomposedExactly(int qubits, int controls)
    {
        var rng = new SeededRandom((ulong)(100 * qubits + controls));
        int n = qubits + controls + 1;
        var perm = Enumerable.Range(0, n).OrderBy(_ => rng.NextUInt64()).ToArray();
        var b = new CircuitBuilder(n);
        b.H(perm[0]);
        b.Add(new Operation(GateKind.Unitary, [.. perm[..qubits]], controls: [.. perm[qubits..(qubits + controls)]],
            controlStates: [.. Enumerable.Range(0, controls).Select(i => i % 2 == 0)], matrix: RandomUnitary(qubits, rng)));
        var c = b.Build();
        var back = Qasm.Parse(Qasm.Write(c));
        var u1 = OpenQasmTestSupport.UnitaryOf(c, ParameterValues.None, InputValues.None);
        var u2 = OpenQasmTestSupport.UnitaryOf(back, ParameterValues.None, InputValues.None);
        Assert.That(OpenQasmTestSupport.MaxDifference(u1, u2), Is.LessThan(OpenQasmTolerances.Matrix));
    }

    [Test]
    public void Write_NameThatIsNoIdentifier_ThrowsNotSupported()
    {
        var b = new CircuitBuilder(1);
        b.Rx(0, b.Parameter("my angle"));
        Assert.Throws<NotSupportedException>(() => Qasm.Write(b.Build()));
    }

    [Test]
    public void Write_StandardControlledGates_UseStdgatesNames()
    {
        var b = new CircuitBuilder(3);
        b.CX(0, 1).CZ(1, 2).CRy(2, 0, 0.5).CCX(0, 1, 2).CSwap(2, 0, 1);
        b.Controlled(GateKind.X, [0], 1, controlStates: [false]);
        string text = Qasm.Write(b.Build());
        Assert.That(text, Does.Contain("\ncx q[0], q[1];\ncz q[1], q[2];\ncry(0.5) q[2], q[0];\nccx q[0], q[1], q[2];\ncswap q[2], q[0], q[1];\nnegctrl @ x q[0], q[1];\n"));
    }

    [Test]
    public void Write_NullCircuit_ThrowsArgumentNull() => Assert.Throws<ArgumentNullException>(() => Qasm.Write(null!));

    [TestCase(0.0, 0.0, 0.0, 0.0)]
    [TestCase(Math.PI, 0.0, 0.0, 0.3)]
    [TestCase(Math.PI, 1.0, -2.0, -0.3)]
    [TestCase(1e-9, 0.4, 0.5, 1.0)]
    [TestCase(Math.PI - 1e-9, -0.4, 2.5, 2.0)]
    [TestCase(0.7, 3.0, -3.0, -3.1)]
    public void Write_OneQubitUnitary_DecomposedExactlyIncludingPhase(double t, double p, double l, double g)
    {
        var m = UnitaryMatrix.Create(Dense.Scale(Complex.Exp(Dense.I * g), Dense.U(t, p, l)));
        var b = new CircuitBuilder(2);
        b.Unitary([1], m, [0]);
        var c = b.Build();
        var back = Qasm.Parse(Qasm.Write(c));
        var u1 = OpenQasmTestSupport.UnitaryOf(c, ParameterValues.None, InputValues.None);
        var u2 = OpenQasmTestSupport.UnitaryOf(back, ParameterValues.None, InputValues.None);
        Assert.That(OpenQasmTestSupport.MaxDifference(u1, u2), Is.LessThan(OpenQasmTolerances.Matrix));
    }
}
