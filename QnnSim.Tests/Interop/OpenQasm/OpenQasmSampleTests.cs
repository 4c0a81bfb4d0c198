using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Randomness;
using Qasm = QnnSim.Interop.OpenQasm;

namespace QnnSim.Tests.Interop.OpenQasm;

/// <summary>Each sample file in circuits/ against the same circuit built with <see cref="CircuitBuilder"/>.</summary>
[TestFixture]
public class OpenQasmSampleTests
{
    private static Circuit Load(string name) => Qasm.Load(OpenQasmTestSupport.SamplePath(name));

    private static void AssertSameAction(Circuit parsed, Circuit reference, ulong seed)
    {
        Assert.That(parsed.ParameterNames, Is.EqualTo(reference.ParameterNames));
        Assert.That(parsed.InputNames, Is.EqualTo(reference.InputNames));
        var rng = new SeededRandom(seed);
        for (int trial = 0; trial < 3; trial++)
        {
            var theta = ParameterValues.Of(OpenQasmTestSupport.RandomValues(reference.ParameterCount, rng));
            var x = InputValues.Of(OpenQasmTestSupport.RandomValues(reference.InputCount, rng));
            double diff = OpenQasmTestSupport.MaxStateDifference(parsed, theta, x, reference, theta, x, seed + (ulong)trial);
            Assert.That(diff, Is.LessThan(OpenQasmTolerances.State));
        }
    }

    private static double HeaAngle(int k) => 0.3 + 0.7 * Math.Sin(1 + 0.37 * k);

    private static CircuitBuilder HeaReference(Func<int, Angle> angle, CircuitBuilder? builder = null)
    {
        var b = builder ?? new CircuitBuilder(4);
        int k = 0;
        for (int layer = 0; layer < 2; layer++)
        {
            for (int i = 0; i < 4; i++) b.Ry(i, angle(k++));
            for (int i = 0; i < 4; i++) b.Rz(i, angle(k++));
            for (int i = 0; i < 3; i++) b.CX(i, i + 1);
        }
        return b;
    }

    [Test]
    public void Load_HardwareEfficient_MatchesBuilderCircuit()
    {
        var c = Load("hardware_efficient.qasm");
        Assert.That(c.QubitCount, Is.EqualTo(4));
        Assert.That(c.ParameterCount + c.InputCount, Is.Zero);
        AssertSameAction(c, HeaReference(k => HeaAngle(k)).Build(), 11);
    }

    [Test]
    public void Load_HeaTrainable_MatchesBuilderCircuitAndFixedFile()
    {
        var c = Load("hea_trainable.qasm");
        var b = new CircuitBuilder(4);
        var theta = b.Parameters("theta", 16);
        var reference = HeaReference(k => theta[k], b);
        AssertSameAction(c, reference.Build(), 12);

        // With θ_k = 0.3 + 0.7 sin(1 + 0.37k) it is the fixed hardware_efficient.qasm.
        var values = ParameterValues.Of([.. Enumerable.Range(0, 16).Select(HeaAngle)]);
        double diff = OpenQasmTestSupport.MaxStateDifference(c, values, InputValues.None,
            Load("hardware_efficient.qasm"), ParameterValues.None, InputValues.None, 13);
        Assert.That(diff, Is.LessThan(OpenQasmTolerances.State));
    }

    [Test]
    public void Load_DataReuploading_PragmaMakesXDataInputs()
    {
        var c = Load("data_reuploading.qasm");
        var b = new CircuitBuilder(2);
        var x = b.Inputs("x", 2);
        var w = b.Parameters("w", 6);
        var p = b.Parameters("b", 12);
        void Rot(int q, Angle a, Angle be, Angle g) => b.Rz(q, a).Ry(q, be).Rz(q, g);
        b.Ry(0, w[0] * x[0]).Ry(1, w[1] * x[1]);
        Rot(0, p[0], p[1], p[2]);
        Rot(1, p[3], p[4], p[5]);
        b.CZ(0, 1);
        b.Ry(0, w[2] * x[0]).Ry(1, w[3] * x[1]);
        Rot(0, p[6], p[7], p[8]);
        Rot(1, p[9], p[10], p[11]);
        b.CZ(0, 1);
        b.Ry(0, w[4] * x[0] + Math.PI / 4).Ry(1, w[5] * x[1] - Math.PI / 4);
        Assert.That(c.InputNames, Is.EqualTo(new[] { "x[0]", "x[1]" }));
        AssertSameAction(c, b.Build(), 14);
    }

    [Test]
    public void Load_Qasm2Legacy_MatchesBuilderCircuitAndMeasuresAll()
    {
        var c = Load("qasm2_legacy.qasm");
        var b = new CircuitBuilder(3);
        b.GlobalPhase(-(0.2 + 0.1) / 2).U(0, 0.3, 0.2, 0.1);
        b.GlobalPhase(-(Math.PI / 4 - Math.PI / 2) / 2).U(1, Math.PI / 2, Math.PI / 4, -Math.PI / 2);
        b.Phase(2, 0.15);
        b.H(0).H(1).H(2);
        b.CX(0, 1);
        b.CP(1, 2, Math.PI / 8);
        b.Add(new Operation(GateKind.U, [0], [0.4, 0.5, 0.6], [2]));
        b.U(1, 0.1, 0.2, 0.3);
        b.CX(1, 2);
        Assert.That(c.MeasuredQubits, Is.EqualTo(new[] { 0, 1, 2 }));
        AssertSameAction(c, b.Build(), 15);
    }

    [Test]
    public void Load_GatesShowcase_MatchesBuilderCircuit()
    {
        var c = Load("gates_showcase.qasm");
        var b = new CircuitBuilder(4);
        var t0 = b.Parameter("t0");
        var t1 = b.Parameter("t1");
        const int anc = 3;
        b.U(0, 0.1, 0.2, 0.3).U(1, 0.3, 0.2, 0.1).Phase(2, 0.4);
        b.GlobalPhase(-1.1 / 2).U(0, Math.PI / 2, 0.5, 0.6);
        b.GlobalPhase(-1.7 / 2).U(1, 0.7, 0.8, 0.9);
        b.Phase(2, 0.25).Phase(0, -0.25).I(1);
        b.X(0).Y(1).Z(2).H(0).H(1).H(2);
        b.S(0).Sdg(1).T(2).Tdg(0).SX(1).SXdg(2);
        b.Rx(0, t0).Ry(1, 2 * t1 + 0.5).Rz(2, Math.PI / 3).GlobalPhase(2 * Math.PI / 8);
        b.CX(0, 1).CX(1, 2).CY(2, 0).CZ(0, anc).CH(1, anc).CP(0, 2, 0.3).CP(2, 1, 0.35);
        b.CRx(0, 1, t0).CRy(1, 2, -t1).CRz(2, 0, Angle.Sin(t0) * t1);
        b.Phase(0, 0.4).Add(new Operation(GateKind.U, [anc], [0.1, 0.2, 0.3], [0]));
        b.Swap(0, 2).ISwap(1, anc).Rxx(0, 1, 0.6).Ryy(1, 2, 0.7).Rzz(2, anc, 0.8).CCX(0, 1, 2).CSwap(anc, 0, 1);
        b.CRy(0, 1, 0.9);
        b.Controlled(GateKind.X, [1], 2, controlStates: [false]);
        b.Controlled(GateKind.H, [0, 1], anc);
        b.Sdg(0).T(1).T(1).SXdg(2).SXdg(2).SXdg(2);
        b.Controlled(GateKind.Rz, [0, 1], 2, [-t0], [true, false]);
        b.Add(new Operation(GateKind.GlobalPhase, [], [0.2], [anc]));
        // entangle(t1) q[0], q[2]
        b.H(0).CRz(0, 2, t1).GlobalPhase(-t1 / 4);
        // inv @ entangle(0.7) q[1], anc
        b.GlobalPhase(0.7 / 4).CRz(1, anc, -0.7).H(1);
        // ctrl @ entangle(e) anc, q[0], q[1]
        b.CH(anc, 0).Controlled(GateKind.Rz, [anc, 0], 1, [Math.E]).Add(new Operation(GateKind.GlobalPhase, [], [-Math.E / 4], [anc]));
        // pow(2) @ entangle(1e-1) q[2], q[0]
        for (int r = 0; r < 2; r++) b.H(2).CRz(2, 0, 0.1).GlobalPhase(-0.1 / 4);
        AssertSameAction(c, b.Build(), 16);
    }

    [Test]
    public void Load_WithMeasurements_MeasuredQubitsInBitOrder()
    {
        var c = Load("with_measurements.qasm");
        var b = new CircuitBuilder(3);
        var phi = b.Parameter("phi");
        b.H(0).CX(0, 1).CX(1, 2).Rz(1, phi).H(1);
        Assert.That(c.MeasuredQubits, Is.EqualTo(new[] { 2, 0, 1 }));
        AssertSameAction(c, b.Build(), 17);
    }

    [TestCase("hardware_efficient.qasm")]
    [TestCase("hea_trainable.qasm")]
    [TestCase("data_reuploading.qasm")]
    [TestCase("qasm2_legacy.qasm")]
    [TestCase("gates_showcase.qasm")]
    [TestCase("with_measurements.qasm")]
    public void WriteThenParse_Sample_KeepsNamesRolesAndAction(string name)
    {
        var c = Load(name);
        var back = Qasm.Parse(Qasm.Write(c), "written-" + name);
        Assert.That(back.ParameterNames, Is.EqualTo(c.ParameterNames));
        Assert.That(back.InputNames, Is.EqualTo(c.InputNames));
        Assert.That(back.MeasuredQubits, Is.EqualTo(c.MeasuredQubits));
        AssertSameAction(back, c, 18);
    }

    [Test]
    public void CircuitFilesLoad_QasmExtension_RoutesToOpenQasmReader()
    {
        var c = CircuitFiles.Load(OpenQasmTestSupport.SamplePath("data_reuploading.qasm"), new CircuitLoadOptions { InputNames = ["b"] });
        Assert.That(c.InputNames, Is.EqualTo(new[] { "x[0]", "x[1]" }.Concat(Enumerable.Range(0, 12).Select(i => $"b[{i}]"))));
        Assert.That(c.ParameterNames, Is.EqualTo(Enumerable.Range(0, 6).Select(i => $"w[{i}]")));
    }
}
