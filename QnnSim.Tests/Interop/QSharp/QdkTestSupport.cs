using System.Diagnostics;
using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Tests.Interop.QSharp;

/// <summary>Tolerances of the Q# and QIR interop tests.</summary>
internal static class InteropTolerances
{
    /// <summary>QDK DumpMachine state against QnnSim's, up to a global phase (issue 6).</summary>
    public const double CrossValidation = 1e-10;

    /// <summary>QnnSim against itself through a text format (QIR or Q# decompositions, double literals that round-trip).</summary>
    public const double RoundTrip = 1e-10;

    /// <summary>Recovered affine coefficients of a probe-imported ansatz.</summary>
    public const double AffineFit = 1e-9;
}

/// <summary>
/// One shared QDK worker for every test (each compilation costs 0.1–0.6 s; starting Node costs about 1 s). When Node.js
/// is absent the Q# tests are ignored with the reason; when it is present they must run, so a failure to start the
/// worker is a test failure.
/// </summary>
internal static class QdkTestSupport
{
    private static readonly Lazy<(QSharpCompiler? Compiler, string? Reason)> Shared = new(Start);

    private static (QSharpCompiler?, string?) Start()
    {
        var compiler = new QSharpCompiler();
        try
        {
            _ = compiler.Worker;
            return (compiler, null);
        }
        catch (QdkUnavailableException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>True when `node --version` runs.</summary>
    public static bool NodeOnPath()
    {
        try
        {
            var psi = new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The shared compiler; ignores the test without Node.js and fails it when Node.js is there but the QDK cannot start.</summary>
    public static QSharpCompiler Compiler()
    {
        var (compiler, reason) = Shared.Value;
        if (compiler is not null) return compiler;
        if (NodeOnPath()) Assert.Fail($"Node.js is on PATH but the QDK worker did not start: {reason}");
        Assert.Ignore($"Node.js is not installed, so the QDK cross-validation cannot run: {reason}");
        throw new UnreachableException();
    }

    /// <summary>Path of a sample in circuits/ (copied next to the tests).</summary>
    public static string Sample(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits", name);

    /// <summary>Asserts ψ_actual = e^{iγ} ψ_expected for some γ, amplitude by amplitude to <paramref name="tolerance"/>.</summary>
    public static void AssertEqualUpToGlobalPhase(StateVector expected, StateVector actual, double tolerance, string what = "")
    {
        Assert.That(actual.QubitCount, Is.EqualTo(expected.QubitCount), $"{what}: qubit count");
        Complex overlap = expected.InnerProduct(actual);
        Assert.That(overlap.Magnitude, Is.GreaterThan(0.5), $"{what}: the states are far apart (|⟨e|a⟩| = {overlap.Magnitude})");
        Complex phase = overlap / overlap.Magnitude;
        double worst = 0;
        int worstIndex = 0;
        for (int k = 0; k < expected.Length; k++)
        {
            double d = (actual[k] - phase * expected[k]).Magnitude;
            if (d > worst) (worst, worstIndex) = (d, k);
        }
        Assert.That(worst, Is.LessThanOrEqualTo(tolerance),
            $"{what}: amplitude {worstIndex} differs by {worst:E2} after removing the global phase (expected {phase * expected[worstIndex]}, got {actual[worstIndex]})");
    }

    /// <summary>
    /// A seeded random circuit over QnnSim's gate set: every one-qubit kind, rotations, U, phases, two-qubit rotations,
    /// SWAP, iSWAP, Pauli rotations, singly controlled one-qubit gates, negative controls, CCX, CSWAP and global phases.
    /// </summary>
    public static Circuit RandomCircuit(int qubits, int gates, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var b = new CircuitBuilder(qubits);
        double A() => rng.NextDouble(-Math.PI, Math.PI);
        int Q() => (int)rng.NextInt64(qubits);
        (int, int) Pair()
        {
            int a = Q(), c;
            do c = Q(); while (c == a);
            return (a, c);
        }
        // Every qubit starts in a generic state so that phases matter.
        for (int q = 0; q < qubits; q++) b.U(q, A(), A(), A());
        for (int g = 0; g < gates; g++)
        {
            int choice = g < 31 ? g : (int)rng.NextInt64(31);
            int t = Q();
            switch (choice)
            {
                case 0: b.H(t); break;
                case 1: b.X(t); break;
                case 2: b.Y(t); break;
                case 3: b.Z(t); break;
                case 4: b.S(t); break;
                case 5: b.Sdg(t); break;
                case 6: b.T(t); break;
                case 7: b.Tdg(t); break;
                case 8: b.SX(t); break;
                case 9: b.SXdg(t); break;
                case 10: b.Rx(t, A()); break;
                case 11: b.Ry(t, A()); break;
                case 12: b.Rz(t, A()); break;
                case 13: b.Phase(t, A()); break;
                case 14: b.U(t, A(), A(), A()); break;
                case 15: { var (p, r) = Pair(); b.Rxx(p, r, A()); break; }
                case 16: { var (p, r) = Pair(); b.Ryy(p, r, A()); break; }
                case 17: { var (p, r) = Pair(); b.Rzz(p, r, A()); break; }
                case 18: { var (p, r) = Pair(); b.CX(p, r); break; }
                case 19: { var (p, r) = Pair(); b.CY(p, r); break; }
                case 20: { var (p, r) = Pair(); b.CZ(p, r); break; }
                case 21: { var (p, r) = Pair(); b.Swap(p, r); break; }
                case 22: { var (p, r) = Pair(); b.CRz(p, r, A()); break; }
                case 23: { var (p, r) = Pair(); b.CP(p, r, A()); break; }
                case 24: { var (p, r) = Pair(); b.CRy(p, r, -Math.Abs(A())); break; }
                case 25: { var (p, r) = Pair(); b.ISwap(p, r); break; }
                case 26: { var (p, r) = Pair(); b.Controlled(GateKind.H, [p], r, controlStates: [false]); break; }
                case 27:
                    if (qubits >= 3)
                    {
                        var (p, r) = Pair();
                        int s;
                        do s = Q(); while (s == p || s == r);
                        if (rng.NextDouble() < 0.5) b.CCX(p, r, s); else b.CSwap(p, r, s);
                    }
                    else b.Controlled(GateKind.U, [1 - t], t, [A(), A(), A()]);
                    break;
                case 28:
                    {
                        var (p, r) = Pair();
                        var paulis = new[] { Pauli.X, Pauli.Y, Pauli.Z };
                        b.PauliRotation(PauliString.FromFactors([(p, paulis[rng.NextInt64(3)]), (r, paulis[rng.NextInt64(3)])]), A());
                        break;
                    }
                case 29: b.Add(new Operation(GateKind.GlobalPhase, [], [A()], [t])); break;
                case 30:
                    {
                        var u = new Operation(GateKind.U, [t], [A(), A(), A()]);
                        b.Unitary([t], UnitaryMatrix.Create(QnnSim.Interop.QirGateWriter.OneQubitMatrix(u, [.. u.Angles.Select(a => a.ConstantValue)])));
                        break;
                    }
            }
        }
        return b.Build();
    }
}
