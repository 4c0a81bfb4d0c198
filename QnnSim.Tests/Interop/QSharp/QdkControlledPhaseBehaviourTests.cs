using QnnSim.Circuits;
using QnnSim.Simulation;
using QirFormat = QnnSim.Interop.Qir;

namespace QnnSim.Tests.Interop.QSharp;

/// <summary>
/// Observed behaviour of the QDK (docs/interop.md): Controlled R1 with three controls simulates correctly, but the
/// base-profile QIR the QDK generates for it drops a relative phase on the controls. This is why QSharp.Write writes
/// multi-controlled phases as phase polynomials. If this test starts failing, the QDK has changed: update the docs.
/// </summary>
[TestFixture]
public class QdkControlledPhaseBehaviourTests
{
    private const string Source = """
        namespace Probe {
            @EntryPoint()
            operation Main() : Unit {
                use qs = Qubit[4];
                for q in qs { H(q); }
                Controlled R1([qs[0], qs[1], qs[2]], (0.8, qs[3]));
                Std.Diagnostics.DumpMachine();
                ResetAll(qs);
            }
        }
        """;

    [Test]
    public void QdkQir_TriplyControlledR1_DropsRelativePhaseThatSimulatorKeeps()
    {
        var qdk = QdkTestSupport.Compiler();
        var b = new CircuitBuilder(4);
        for (int q = 0; q < 4; q++) b.H(q);
        b.Controlled(GateKind.Phase, [0, 1, 2], 3, [Angle.Constant(0.8)]);
        var expected = new Simulator().Run(b.Build(), ParameterValues.None, InputValues.None);

        // The QDK's simulator agrees with QnnSim.
        QdkTestSupport.AssertEqualUpToGlobalPhase(expected, qdk.Run(Source, null, "probe.qs").States.Single(), InteropTolerances.CrossValidation, "QDK simulator");

        // The QDK's QIR does not: restricted to the four qubits (its auxiliary qubits end in |0⟩), the overlap is below 1.
        var fromQir = new Simulator().Run(QirFormat.Parse(qdk.GetQir(Source, null, "probe.qs"), "probe.ll"), ParameterValues.None, InputValues.None);
        System.Numerics.Complex inner = 0;
        double norm = 0;
        for (int k = 0; k < 16; k++)
        {
            inner += System.Numerics.Complex.Conjugate(expected[k]) * fromQir[k];
            norm += fromQir[k].Magnitude * fromQir[k].Magnitude;
        }
        Assert.That(norm, Is.EqualTo(1).Within(InteropTolerances.CrossValidation), "auxiliary qubits back in |0⟩");
        double overlap = inner.Magnitude;
        Assert.That(overlap, Is.LessThan(1 - 1e-4), "the QDK's QIR now keeps the phase of Controlled R1: update docs/interop.md and QSharp.Write");
    }
}
