using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Simulation;
using QnnSim.Tests.Interop.QSharp;
using QnnSim.Tests.Reference;
using QirFormat = QnnSim.Interop.Qir;

namespace QnnSim.Tests.Interop.Qir;

/// <summary>
/// The QIR writer's exact decompositions of multi-controlled gates (Barenco et al. 1995, Lemma 7.5), controlled
/// two-qubit rotations and dense unitaries (two-level decomposition): written, re-read by <see cref="QirFormat.Parse"/>,
/// simulated, and compared with QnnSim's state of the original circuit up to a global phase.
/// </summary>
[TestFixture]
public class QirDecompositionTests
{
    private static readonly Simulator Sim = new();

    public static IEnumerable<TestCaseData> RandomCircuits()
    {
        foreach (var (qubits, seed) in new[] { (6, 201UL), (6, 202UL), (7, 203UL) })
            yield return new TestCaseData(qubits, seed).SetName($"Write_ControlledAndDense{qubits}q_seed{seed}_RereadsToSameState");
    }

    [TestCaseSource(nameof(RandomCircuits))]
    public void Write_ControlledAndDense_RereadsToSameState(int qubits, ulong seed)
    {
        var circuit = ControlledCircuits.Random(qubits, 27, seed);
        string text = QirFormat.Write(circuit);
        var reread = QirFormat.Parse(text, "written.ll");
        QdkTestSupport.AssertEqualUpToGlobalPhase(
            Sim.Run(circuit, ParameterValues.None, InputValues.None),
            Sim.Run(reread, ParameterValues.None, InputValues.None), InteropTolerances.RoundTrip, "QIR re-read");
    }

    public static IEnumerable<TestCaseData> SingleGates()
    {
        yield return new TestCaseData(new Operation(GateKind.Ry, [4], [Angle.Constant(0.3)], [0, 1, 2, 3], [true, false, true, false])).SetName("Write_C4Ry_MixedControls_Exact");
        yield return new TestCaseData(new Operation(GateKind.X, [3], [], [0, 1, 2], [true, true, true])).SetName("Write_C3X_Exact");
        yield return new TestCaseData(new Operation(GateKind.Z, [0], [], [4, 3, 2, 1], [false, false, false, false])).SetName("Write_C4Z_NegativeControls_Exact");
        yield return new TestCaseData(new Operation(GateKind.Rzz, [1, 2], [Angle.Constant(-1.1)], [0], [true])).SetName("Write_ControlledRzz_Exact");
        yield return new TestCaseData(new Operation(GateKind.Rxx, [3, 0], [Angle.Constant(2.4)], [1, 4], [false, true])).SetName("Write_DoublyControlledRxx_Exact");
        yield return new TestCaseData(new Operation(GateKind.Ryy, [2, 4], [Angle.Constant(0.9)], [0, 1, 3], [true, true, false])).SetName("Write_TriplyControlledRyy_Exact");
        yield return new TestCaseData(new Operation(GateKind.GlobalPhase, [], [Angle.Constant(1.3)], [0, 2, 4], [true, false, true])).SetName("Write_TriplyControlledGlobalPhase_Exact");
        yield return new TestCaseData(new Operation(GateKind.Unitary, [1, 3], matrix: ControlledCircuits.Haar(2, 7))).SetName("Write_Haar2Qubit_Exact");
        yield return new TestCaseData(new Operation(GateKind.Unitary, [4, 0, 2], matrix: ControlledCircuits.Haar(3, 8))).SetName("Write_Haar3Qubit_Exact");
        yield return new TestCaseData(new Operation(GateKind.Unitary, [2, 0], controls: [3, 1], controlStates: [false, true], matrix: ControlledCircuits.Haar(2, 9))).SetName("Write_ControlledHaar2Qubit_Exact");
    }

    /// <summary>One gate on a generic 5-qubit state: checked on 6 random entangled inputs.</summary>
    [TestCaseSource(nameof(SingleGates))]
    public void Write_SingleGate_Exact(Operation op)
    {
        for (ulong seed = 0; seed < 6; seed++)
        {
            var rng = new Randomness.SeededRandom(300 + seed);
            var b = new CircuitBuilder(5);
            for (int q = 0; q < 5; q++) b.U(q, rng.NextDouble(-3, 3), rng.NextDouble(-3, 3), rng.NextDouble(-3, 3));
            for (int q = 0; q + 1 < 5; q++) b.CX(q, q + 1);
            for (int q = 0; q < 5; q++) b.U(q, rng.NextDouble(-3, 3), rng.NextDouble(-3, 3), rng.NextDouble(-3, 3));
            b.Add(op);
            var circuit = b.Build();
            var reread = QirFormat.Parse(QirFormat.Write(circuit), "gate.ll");
            QdkTestSupport.AssertEqualUpToGlobalPhase(Sim.Run(circuit, ParameterValues.None, InputValues.None),
                Sim.Run(reread, ParameterValues.None, InputValues.None), InteropTolerances.RoundTrip, $"input {seed}");
        }
    }

    public static IEnumerable<TestCaseData> RootCases()
    {
        Complex i = Complex.ImaginaryOne;
        yield return new TestCaseData(new Complex[] { 1, 0, 0, 1 }).SetName("SquareRoot_Identity_SquaresBack");
        yield return new TestCaseData(new Complex[] { -1, 0, 0, -1 }).SetName("SquareRoot_MinusIdentity_SquaresBack");
        yield return new TestCaseData(new Complex[] { 0, 1, 1, 0 }).SetName("SquareRoot_PauliX_SquaresBack");
        yield return new TestCaseData(new Complex[] { 1, 0, 0, -1 }).SetName("SquareRoot_PauliZ_SquaresBack");
        yield return new TestCaseData(new Complex[] { 0, -i, i, 0 }).SetName("SquareRoot_PauliY_SquaresBack");
        yield return new TestCaseData(new Complex[] { i, 0, 0, -i }).SetName("SquareRoot_iZ_SquaresBack");
        for (ulong s = 1; s <= 4; s++)
        {
            var h = DenseReference.HaarUnitary(2, 40 + s);
            yield return new TestCaseData(new[] { h[0, 0], h[0, 1], h[1, 0], h[1, 1] }).SetName($"SquareRoot_Haar_seed{40 + s}_SquaresBack");
        }
    }

    [TestCaseSource(nameof(RootCases))]
    public void SquareRoot_Unitary_SquaresBack(Complex[] u)
    {
        var v = UnitaryDecomposition.SquareRoot(u);
        Complex[] v2 = [v[0] * v[0] + v[1] * v[2], v[0] * v[1] + v[1] * v[3], v[2] * v[0] + v[3] * v[2], v[2] * v[1] + v[3] * v[3]];
        for (int k = 0; k < 4; k++)
            Assert.That((v2[k] - u[k]).Magnitude, Is.LessThan(1e-14), $"element {k}: V² = {v2[k]}, U = {u[k]}");
        // V is unitary.
        Complex n0 = v[0] * Complex.Conjugate(v[0]) + v[2] * Complex.Conjugate(v[2]);
        Complex o = Complex.Conjugate(v[0]) * v[1] + Complex.Conjugate(v[2]) * v[3];
        Assert.That((n0 - 1).Magnitude + o.Magnitude, Is.LessThan(1e-14));
    }
}
