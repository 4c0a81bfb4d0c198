using QnnSim.Circuits;
using QnnSim.Simulation;
using QirFormat = QnnSim.Interop.Qir;
using QSharpFormat = QnnSim.Interop.QSharp;
using QnnSim.Interop;

namespace QnnSim.Tests.Interop.QSharp;

/// <summary>
/// Seeded random circuits with 3–4 (positive and negative) controls, controlled Rxx/Ryy/Rzz, controlled SWAP/iSWAP,
/// controlled Pauli rotations and global phases, and Haar-random dense unitaries on 2 and 3 qubits, exported as Q#:
/// the QDK's simulator, the QDK's QIR read back by QnnSim, and QnnSim's own QIR writer all give QnnSim's state up to a
/// global phase.
/// </summary>
[TestFixture]
public class QSharpControlledExportTests
{
    private static readonly Simulator Sim = new();

    public static IEnumerable<TestCaseData> RandomCircuits()
    {
        foreach (var (qubits, seed) in new[] { (6, 211UL), (7, 212UL) })
            yield return new TestCaseData(qubits, seed).SetName($"ExportToQSharp_ControlledAndDense{qubits}q_seed{seed}_QdkAgrees");
    }

    [TestCaseSource(nameof(RandomCircuits))]
    public void ExportToQSharp_ControlledAndDense_QdkAgrees(int qubits, ulong seed)
    {
        var qdk = QdkTestSupport.Compiler();
        var circuit = ControlledCircuits.Random(qubits, 18, seed);
        var expected = Sim.Run(circuit, ParameterValues.None, InputValues.None);

        // 1. The QDK's simulator on the exported Q#.
        string source = QSharpFormat.Write(circuit, new QSharpWriteOptions { DumpMachine = true });
        var run = qdk.Run(source, null, "controlled.qs");
        QdkTestSupport.AssertEqualUpToGlobalPhase(expected, run.States.Single(), InteropTolerances.CrossValidation, "QDK simulator");

        // 2. The QDK's base-profile QIR for the same program, read back by QnnSim.
        var fromQdk = QirFormat.Parse(qdk.GetQir(source, null, "controlled.qs"), "qdk.ll");
        var qdkState = Sim.Run(fromQdk, ParameterValues.None, InputValues.None);
        QdkTestSupport.AssertEqualUpToGlobalPhase(expected, Restrict(qdkState, qubits), InteropTolerances.CrossValidation, "QIR from the QDK");

        // 3. QnnSim's own QIR for the circuit, read back: the same state as the QDK's QIR.
        var fromWriter = QirFormat.Parse(QirFormat.Write(circuit), "qnnsim.ll");
        QdkTestSupport.AssertEqualUpToGlobalPhase(Restrict(qdkState, qubits),
            Sim.Run(fromWriter, ParameterValues.None, InputValues.None), InteropTolerances.CrossValidation, "QnnSim's QIR vs the QDK's");
    }

    /// <summary>
    /// The state of the first <paramref name="qubits"/> qubits when the QDK's QIR uses extra (auxiliary) qubits that it
    /// returns to |0⟩; asserts that they are back in |0⟩.
    /// </summary>
    internal static QnnSim.State.StateVector Restrict(QnnSim.State.StateVector state, int qubits)
    {
        if (state.QubitCount == qubits) return state;
        var amplitudes = new System.Numerics.Complex[1 << qubits];
        double rest = 0;
        for (int k = 0; k < state.Length; k++)
        {
            if (k < amplitudes.Length) amplitudes[k] = state[k];
            else rest += state[k].Magnitude * state[k].Magnitude;
        }
        Assert.That(rest, Is.LessThan(InteropTolerances.CrossValidation), "the QDK's auxiliary qubits are not returned to |0⟩");
        return QnnSim.State.StateVector.FromAmplitudes(amplitudes);
    }
}
