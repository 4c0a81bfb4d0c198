using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;
using static QnnSim.Tests.Noise.NoiseTestSupport;

namespace QnnSim.Tests.Noise;

/// <summary>Channels, noise models, their parsers and every bad input.</summary>
public sealed class NoiseModelTests
{
    private static IEnumerable<NoiseChannel> AllChannels()
    {
        yield return NoiseChannel.Pauli(0.1, 0.2, 0.3);
        yield return NoiseChannel.Depolarizing(0.4);
        yield return NoiseChannel.TwoQubitDepolarizing(0.3);
        yield return NoiseChannel.GlobalDepolarizing(0.5, 2);
        yield return NoiseChannel.BitFlip(0.1);
        yield return NoiseChannel.PhaseFlip(0.2);
        yield return NoiseChannel.AmplitudeDamping(0.3);
        yield return NoiseChannel.PhaseDamping(0.4);
        yield return NoiseChannel.ThermalRelaxation(30, 45, 7);
        yield return RandomKraus(2, 3, 4);
    }

    [TestCaseSource(nameof(AllChannels))]
    public void Channel_KrausOperators_AreTracePreserving(NoiseChannel channel)
    {
        var kraus = channel.KrausOperators().Select(m =>
        {
            int d = m.GetLength(0);
            var row = new Complex[d * d];
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++) row[r * d + c] = m[r, c];
            return row;
        }).ToArray();
        Assert.That(NoiseChannel.CompletenessDeviation(kraus, 1 << channel.QubitCount), Is.LessThan(Exact));
    }

    [Test]
    public void GlobalDepolarizing_OnOneQubit_EqualsDepolarizingOfThreeQuarters()
    {
        var a = new CircuitBuilder(1).H(0).Ry(0, 0.3).Channel(NoiseChannel.GlobalDepolarizing(0.4), 0).Build();
        var b = new CircuitBuilder(1).H(0).Ry(0, 0.3).Depolarizing(0, 0.3).Build();
        var dm = new DensityMatrixSimulator();
        Assert.That(MaxDiff(dm.Run(a, ParameterValues.Of(), InputValues.Of()),
            MathNet.Numerics.LinearAlgebra.Matrix<Complex>.Build.DenseOfArray(dm.Run(b, ParameterValues.Of(), InputValues.Of()).ToMatrix())), Is.LessThan(Exact));
    }

    [TestCase(-0.1)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void Factories_ProbabilityOutOfRange_ThrowNamingTheValue(double p)
    {
        Assert.That(() => NoiseChannel.Depolarizing(p), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("[0, 1]"));
        Assert.That(() => NoiseChannel.AmplitudeDamping(p), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new ReadoutError(p, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Pauli_ProbabilitiesSummingAboveOne_Throw()
    {
        Assert.That(() => NoiseChannel.Pauli(0.5, 0.4, 0.3), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("1.2"));
        Assert.That(() => NoiseChannel.ThermalRelaxation(10, 25, 1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("2·t1"));
    }

    [Test]
    public void Kraus_NotTracePreserving_ThrowsNamingTheDeviation()
    {
        var k = new Complex[,] { { 1, 0 }, { 0, 0.9 } };
        Assert.That(() => NoiseChannel.Kraus([k]), Throws.ArgumentException.With.Message.Contains("0.19"));
        Assert.That(() => NoiseChannel.Kraus([new Complex[3, 3]]), Throws.ArgumentException.With.Message.Contains("2^k"));
        Assert.That(() => NoiseChannel.Kraus([new Complex[,] { { double.NaN, 0 }, { 0, 1 } }]), Throws.ArgumentException.With.Message.Contains("not finite"));
    }

    [Test]
    public void Channel_OnQubitOutOfRange_ThrowsBeforeBuilding()
    {
        var b = new CircuitBuilder(2);
        Assert.That(() => b.Depolarizing(2, 0.1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("2"));
        Assert.That(() => b.Channel(NoiseChannel.TwoQubitDepolarizing(0.1), 0), Throws.ArgumentException);
        var model = NoiseModel.Ideal.WithGateNoise(NoiseChannel.Depolarizing(0.1), [], [5]);
        Assert.That(() => model.ApplyTo(new CircuitBuilder(3).H(0).Build()), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("qubit 5"));
    }

    [Test]
    public void DensityMatrix_TooLarge_ThrowsNamingBytesAndSuggestingTrajectories()
    {
        var e = Assert.Throws<InsufficientMemoryForStateException>(() => DensityMatrix.EnsureFits(14, 1L << 30))!;
        Assert.That(e.Message, Does.Contain("14-qubit density matrix").And.Contain("4,294,967,296").And.Contain("1,073,741,824").And.Contain("trajectories"));
        Assert.That(DensityMatrix.RequiredBytes(12), Is.EqualTo(16L << 24));
    }

    [Test]
    public void Simulator_NoisyCircuit_RefusesWithAdvice()
    {
        var c = new CircuitBuilder(2).H(0).Depolarizing(0, 0.1).Build();
        Assert.That(() => new Simulator().Run(c, ParameterValues.Of(), InputValues.Of()),
            Throws.ArgumentException.With.Message.Contains("DensityMatrixSimulator"));
    }

    [Test]
    public void Writers_NoisyCircuit_RefuseInsteadOfDroppingNoise()
    {
        var c = new CircuitBuilder(2).H(0).CX(0, 1).Depolarizing(1, 0.1).Build();
        Assert.That(() => OpenQasm.Write(c), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("depolarizing"));
        Assert.That(() => QSharp.Write(c), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("noise"));
        Assert.That(() => Qir.Write(c), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("noise"));
    }

    [Test]
    public void ApplyTo_GateNoise_FollowsEveryGateOnEachQubitAndMeasurementNoiseEndsTheCircuit()
    {
        var c = new CircuitBuilder(3).H(0).CX(0, 1).GlobalPhase(0.3).Rz(2, 0.1).Build();
        var model = NoiseModelParser.ParseSpec("depolarizing=0.01; depolarizing2=0.02").WithMeasurementNoise(NoiseChannel.BitFlip(0.05));
        var noisy = model.ApplyTo(c);
        string[] expected =
        [
            "h", "depolarizing", "cx", "depolarizing", "depolarizing", "depolarizing2", "gphase", "rz", "depolarizing",
            "bit-flip", "bit-flip", "bit-flip",
        ];
        Assert.That(noisy.Operations.Select(o => o.Name), Is.EqualTo(expected));
        Assert.That(noisy.Operations[5].Targets, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(c.HasNoise, Is.False, "the user's circuit is not rewritten");
        Assert.That(noisy.ChannelCount, Is.EqualTo(8));
    }

    [Test]
    public void ApplyTo_RuleByGateNameAndQubits_MatchesOnlyThoseGates()
    {
        var c = new CircuitBuilder(3).CX(0, 1).CX(1, 2).H(0).Build();
        var model = NoiseModel.Ideal.WithGateNoise(NoiseChannel.TwoQubitDepolarizing(0.1), ["cx"], [1, 0]);
        var noisy = model.ApplyTo(c);
        Assert.That(noisy.Operations.Select(o => o.Name), Is.EqualTo(new[] { "cx", "depolarizing2", "cx", "h" }));
    }

    [Test]
    public void QdkPauli_AttachesPauliAfterGatesAndBeforeMeasurement()
    {
        var c = new CircuitBuilder(2).H(0).CX(0, 1).Measure(0).Build();
        var noisy = NoiseModelParser.ParseSpec("qdk-pauli=0.01,0.005,0.02").ApplyTo(c);
        Assert.That(noisy.Operations.Select(o => o.ToString()), Is.EqualTo(new[]
        {
            "h q[0]", "pauli(0.01,0.005,0.02) q[0]", "cx q[0], q[1]", "pauli(0.01,0.005,0.02) q[0]", "pauli(0.01,0.005,0.02) q[1]",
            "pauli(0.01,0.005,0.02) q[0]",
        }));
    }

    [TestCase("depolarizing=0.01", "after every gate: depolarizing(0.01) on each qubit")]
    [TestCase("pauli=0.01,0.005,0.02", "after every gate: pauli(0.01,0.005,0.02) on each qubit")]
    [TestCase("amplitude-damping=0.02;readout=0.02,0.05", "after every gate: amplitude-damping(0.02) on each qubit; readout(0.02,0.05) on every qubit")]
    [TestCase("thermal-relaxation=50,70,1", "after every gate: thermal-relaxation(50,70,1) on each qubit")]
    public void ParseSpec_KnownForms_Describe(string spec, string description) =>
        Assert.That(NoiseModelParser.ParseSpec(spec).ToString(), Is.EqualTo(description));

    [TestCase("", "empty")]
    [TestCase("depolarising=0.1", "unknown noise 'depolarising'")]
    [TestCase("depolarizing=0.1,0.2", "takes 1 value")]
    [TestCase("depolarizing=abc", "'abc'")]
    [TestCase("depolarizing=1.5", "1.5")]
    [TestCase("pauli=0.5,0.5,0.5", "exceeds 1")]
    [TestCase("readout=NaN,0", "NaN")]
    [TestCase("depolarizing", "name=values")]
    public void ParseSpec_BadSpecs_ThrowParseException(string spec, string fragment) =>
        Assert.That(() => NoiseModelParser.ParseSpec(spec), Throws.InstanceOf<ParseException>().With.Message.Contains(fragment));

    [Test]
    public void ParseJson_FullSchema_BuildsTheModel()
    {
        const string json = """
        {
          "gate_noise": [
            {"channel": {"type": "depolarizing", "p": 0.01}},
            {"channel": {"type": "depolarizing2", "p": 0.02}, "gates": ["cx"]},
            {"channel": {"type": "thermal_relaxation", "t1": 50, "t2": 70, "time": 1}, "qubits": [0]},
            {"channel": {"type": "kraus", "operators": [[[1, 0], [0, 0.6]], [[0, 0.8], [0, 0]]]}, "gates": ["h"]}
          ],
          "measurement_noise": [{"channel": {"type": "bit_flip", "p": 0.03}, "qubits": [1]}],
          "readout": [{"p1_given_0": 0.02, "p0_given_1": 0.05}, {"p1_given_0": 0.1, "p0_given_1": 0.1, "qubits": [2]}]
        }
        """;
        var model = NoiseModelParser.ParseJson(json);
        Assert.That(model.GateRules, Has.Length.EqualTo(4));
        Assert.That(model.GateRules[3].Channel.Kind, Is.EqualTo(NoiseChannelKind.Kraus));
        Assert.That(model.MeasurementRules[0].Qubits, Is.EqualTo(new[] { 1 }));
        Assert.That(model.ReadoutErrorOf(2)!.Probability1Given0, Is.EqualTo(0.1));
        Assert.That(model.ReadoutErrorOf(0)!.Probability0Given1, Is.EqualTo(0.05));
    }

    [TestCase("[1]", "top level must be an object")]
    [TestCase("{\"gate_noise\": 3}", "$.gate_noise: must be an array")]
    [TestCase("{\"gate_nose\": []}", "unknown key 'gate_nose'")]
    [TestCase("{\"gate_noise\": [{\"channel\": {\"type\": \"depolarizing\", \"p\": 2}}]}", "$.gate_noise[0].channel")]
    [TestCase("{\"gate_noise\": [{\"channel\": {\"type\": \"kraus\", \"operators\": [[[1, 0], [0, 0.5]]]}}]}", "not trace preserving")]
    [TestCase("{\"gate_noise\": [{\"channel\": {\"type\": \"depolarizing\"}}]}", "'p' is missing")]
    [TestCase("{\"gate_noise\": [{\"channel\": {\"type\": \"depolarizing\", \"p\": 0.1}, \"qubits\": [-1]}]}", "not a qubit index")]
    [TestCase("{\"readout\": [{\"p1_given_0\": \"x\", \"p0_given_1\": 0}]}", "finite number")]
    [TestCase("{\"gate_noise\": [", "malformed JSON")]
    public void ParseJson_BadInput_ThrowsParseExceptionNamingTheKey(string json, string fragment) =>
        Assert.That(() => NoiseModelParser.ParseJson(json, "model.json"), Throws.InstanceOf<ParseException>().With.Message.Contains(fragment).And.Message.StartsWith("model.json:"));

    [Test]
    public void ParseJson_DeepNesting_IsRefusedWithTheLimit()
    {
        string json = "{\"gate_noise\": " + new string('[', 5000) + new string(']', 5000) + "}";
        Assert.That(() => NoiseModelParser.ParseJson(json), Throws.InstanceOf<ParseException>().With.Message.Contains($"{NoiseModelParser.MaxJsonDepth} levels"));
    }
}
