using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Cli.Commands;
using QnnSim.Cli.Common;
using QnnSim.Observables;
using QnnSim.Simulation;

namespace QnnSim.Tests.Cli;

/// <summary>The readout logic of <c>qnnsim run</c> on circuits built in code (no file reader involved).</summary>
[TestFixture]
public class RunExecuteTests
{
    private static RunSettings Settings(int? shots = null, ulong seed = 0, bool state = false, params string[] observables) =>
        new(ObservableOptions.Parse(observables), shots, seed, state, Json: false);

    private static Circuit Ansatz()
    {
        var b = new CircuitBuilder(3);
        b.H(0).Ry(1, b.Parameter("a")).Rx(2, b.Input("x")).CX(0, 2).Rz(1, b.Parameter("b")).CRy(1, 0, 0.4).S(2);
        return b.Build();
    }

    private static readonly ParameterValues Theta = ParameterValues.Of(0.7, -1.3);
    private static readonly InputValues X = InputValues.Of(0.45);

    [Test]
    public void Execute_Observables_ValuesEqualSimulator()
    {
        var r = RunCommand.Execute(Ansatz(), Theta, X, Settings(observables: ["Z0", "X0 Z2 + 0.5*Y1", "2"]));
        var sim = new Simulator();
        var psi = sim.Run(Ansatz(), Theta, X);
        Assert.That(r.Readout, Is.EqualTo("observables"));
        Assert.That(r.Expectations.Select(e => e.Observable), Is.EqualTo(new[] { "Z0", "X0 Z2 + 0.5*Y1", "2" }));
        Assert.That(r.Expectations[0].Value, Is.EqualTo(sim.Expectation(psi, PauliSum.Parse("Z0"))));
        Assert.That(r.Expectations[1].Value, Is.EqualTo(sim.Expectation(psi, PauliSum.Parse("X0 Z2 + 0.5*Y1"))));
        Assert.That(r.Expectations[2].Value, Is.EqualTo(2.0).Within(Tolerances.Circuit));
        Assert.That(r.Counts, Is.Null);
        Assert.That(r.State, Is.Null);
    }

    [Test]
    public void Execute_NoObservableNoMeasurement_DefaultsToZOnEveryQubit()
    {
        var r = RunCommand.Execute(Ansatz(), Theta, X, Settings());
        var sim = new Simulator();
        var psi = sim.Run(Ansatz(), Theta, X);
        Assert.That(r.Readout, Is.EqualTo("default"));
        Assert.That(r.Expectations.Select(e => e.Observable), Is.EqualTo(new[] { "Z0", "Z1", "Z2" }));
        for (int q = 0; q < 3; q++) Assert.That(r.Expectations[q].Value, Is.EqualTo(sim.Expectation(psi, PauliString.Z(q))));
        Assert.That(r.Counts, Is.Null, "no counts without --shots");
    }

    [Test]
    public void Execute_XOnQubit0_StateIndexOneAndCountKey01()
    {
        var c = new CircuitBuilder(2).X(0).Build();
        var r = RunCommand.Execute(c, ParameterValues.None, InputValues.None, Settings(shots: 50, state: true));
        Assert.That(r.State, Has.Length.EqualTo(4));
        Assert.That(r.State![1], Is.EqualTo(Complex.One));
        Assert.That(r.State[0] + r.State[2] + r.State[3], Is.EqualTo(Complex.Zero));
        Assert.That(r.Counts, Is.EqualTo(new[] { new KeyValuePair<string, int>("01", 50) }));
        Assert.That(r.Expectations.Select(e => e.Value), Is.EqualTo(new[] { -1.0, 1.0 }));
    }

    [Test]
    public void Execute_MeasuredQubits_CountsKeyedByClassicalBitsRightmostFirst()
    {
        // X on qubit 2; measure qubit 2 into bit 0 and qubit 0 into bit 1: every shot reads c1 c0 = "01".
        var c = new CircuitBuilder(3).X(2).Measure(2).Measure(0).Build();
        var r = RunCommand.Execute(c, ParameterValues.None, InputValues.None, Settings());
        Assert.That(r.Readout, Is.EqualTo("measurements"));
        Assert.That(r.Expectations, Is.Empty);
        Assert.That(r.CountedQubits, Is.EqualTo(new[] { 2, 0 }));
        Assert.That(r.Counts, Is.EqualTo(new[] { new KeyValuePair<string, int>("01", RunCommand.DefaultMeasurementShots) }));
        Assert.That(r.Shots, Is.EqualTo(RunCommand.DefaultMeasurementShots));

        var swapped = new CircuitBuilder(3).X(0).Measure(2).Measure(0).Build();
        var r2 = RunCommand.Execute(swapped, ParameterValues.None, InputValues.None, Settings(shots: 10));
        Assert.That(r2.Counts, Is.EqualTo(new[] { new KeyValuePair<string, int>("10", 10) }));
    }

    [Test]
    public void Execute_MeasuredWithObservable_ObservablesAreReadoutAndCountsOnlyWithShots()
    {
        var c = new CircuitBuilder(2).H(0).CX(0, 1).Measure(0).Measure(1).Build();
        var r = RunCommand.Execute(c, ParameterValues.None, InputValues.None, Settings(observables: ["Z0 Z1"]));
        Assert.That(r.Readout, Is.EqualTo("observables"));
        Assert.That(r.Expectations.Single().Value, Is.EqualTo(1.0).Within(Tolerances.Circuit));
        Assert.That(r.Counts, Is.Null);
        var withShots = RunCommand.Execute(c, ParameterValues.None, InputValues.None, Settings(shots: 200, observables: ["Z0 Z1"]));
        Assert.That(withShots.Counts!.Select(k => k.Key), Is.SubsetOf(new[] { "00", "11" }));
        Assert.That(withShots.Counts!.Sum(k => k.Value), Is.EqualTo(200));
    }

    [Test]
    public void Execute_ObservableWithShotsWithoutMeasurement_NoCounts()
    {
        var r = RunCommand.Execute(Ansatz(), Theta, X, Settings(shots: 100, observables: ["Z0"]));
        Assert.That(r.Counts, Is.Null);
        Assert.That(r.Expectations[0].Estimate, Is.Not.Null);
    }

    private static IEnumerable<ulong> Seeds() => [1UL, 2UL, 3UL, 12345UL, 987654321UL];

    [TestCaseSource(nameof(Seeds))]
    public void Execute_Shots_EstimatesWithinFourStandardErrors(ulong seed)
    {
        const int shots = 4000;
        string[] observables = ["Z0", "X0 Z2 + 0.5*Y1 - 0.25*Z1 Z2", "Y2"];
        var r = RunCommand.Execute(Ansatz(), Theta, X, Settings(shots: shots, seed: seed, observables: observables));
        for (int k = 0; k < observables.Length; k++)
        {
            var e = r.Expectations[k];
            var s = e.Estimate!.Value;
            Assert.That(s.StandardError, Is.GreaterThan(0));
            Assert.That(Math.Abs(s.Estimate - e.Value), Is.LessThanOrEqualTo(Tolerances.ShotSigmas * s.StandardError), e.Observable);
            int terms = PauliSum.Parse(observables[k]).Terms.Count(t => !t.Pauli.IsIdentity);
            Assert.That(s.TotalShots, Is.EqualTo((long)terms * shots), "every term gets its own shots");
        }
    }

    [Test]
    public void Execute_SameSeed_Reproduces_OtherSeedDiffers()
    {
        string[] observables = ["Z0", "X0 Z2 + 0.5*Y1"];
        var a = RunCommand.Execute(Ansatz(), Theta, X, Settings(shots: 300, seed: 42, observables: observables));
        var b = RunCommand.Execute(Ansatz(), Theta, X, Settings(shots: 300, seed: 42, observables: observables));
        var c = RunCommand.Execute(Ansatz(), Theta, X, Settings(shots: 300, seed: 43, observables: observables));
        Assert.That(b.Expectations.Select(e => e.Estimate), Is.EqualTo(a.Expectations.Select(e => e.Estimate)));
        Assert.That(c.Expectations.Select(e => e.Estimate), Is.Not.EqualTo(a.Expectations.Select(e => e.Estimate)));
    }

    [Test]
    public void Execute_SameObservableTwice_IndependentEstimates()
    {
        var r = RunCommand.Execute(Ansatz(), Theta, X, Settings(shots: 300, seed: 5, observables: ["X0 Z2", "X0 Z2"]));
        Assert.That(r.Expectations[0].Estimate!.Value.Estimate, Is.Not.EqualTo(r.Expectations[1].Estimate!.Value.Estimate));
    }

    [Test]
    public void Execute_StateTooWide_ThrowsInputError()
    {
        var c = new CircuitBuilder(RunCommand.MaxStateQubits + 1).H(0).Build();
        Assert.Throws<QnnSim.Cli.CliInputException>(() => RunCommand.Execute(c, ParameterValues.None, InputValues.None, Settings(state: true)));
    }

    [Test]
    public void Marginal_FullCounts_SumsOverUncountedQubits()
    {
        // Indices on 3 qubits: 0b101 (q0=1, q2=1) ×3, 0b001 ×2, 0b100 ×5; count qubits [0, 1] -> keys q1 q0.
        var counts = new Dictionary<long, int> { [0b101] = 3, [0b001] = 2, [0b100] = 5 };
        var m = RunCommand.Marginal(counts, [0, 1]);
        Assert.That(m, Is.EqualTo(new[] { new KeyValuePair<string, int>("00", 5), new KeyValuePair<string, int>("01", 5) }));
        var m2 = RunCommand.Marginal(counts, [2]);
        Assert.That(m2, Is.EqualTo(new[] { new KeyValuePair<string, int>("0", 2), new KeyValuePair<string, int>("1", 8) }));
    }

    [TestCase(0L, 3, "000")]
    [TestCase(1L, 3, "001")]
    [TestCase(6L, 3, "110")]
    [TestCase(1L, 1, "1")]
    public void Bitstring_Index_QubitZeroRightmost(long index, int qubits, string expected) =>
        Assert.That(RunCommand.Bitstring(index, qubits), Is.EqualTo(expected));

    [Test]
    public void WriteJson_Result_HasSchemaAndDocumentedKeys()
    {
        var c = new CircuitBuilder(2).X(0).Build();
        var r = RunCommand.Execute(c, ParameterValues.None, InputValues.None, Settings(shots: 20, state: true, observables: ["Z0"]));
        var sw = new StringWriter();
        RunCommand.WriteJson(sw, r);
        using var doc = System.Text.Json.JsonDocument.Parse(sw.ToString());
        var root = doc.RootElement;
        Assert.That(root.EnumerateObject().First().Name, Is.EqualTo("schema"));
        Assert.That(root.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.run/1"));
        Assert.That(root.GetProperty("qubits").GetInt32(), Is.EqualTo(2));
        var e = root.GetProperty("expectations")[0];
        Assert.That(e.GetProperty("observable").GetString(), Is.EqualTo("Z0"));
        Assert.That(e.GetProperty("value").GetDouble(), Is.EqualTo(-1.0));
        Assert.That(e.GetProperty("estimate").GetDouble(), Is.EqualTo(-1.0));
        Assert.That(e.GetProperty("stderr").GetDouble(), Is.EqualTo(0.0));
        Assert.That(root.GetProperty("state")[1][0].GetDouble(), Is.EqualTo(1.0));
        Assert.That(root.TryGetProperty("counts", out _), Is.False, "an observable on a non-measuring file gives no counts");
    }
}
