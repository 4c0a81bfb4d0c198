using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using static QnnSim.Tests.Gradients.GradientTestCircuits;

namespace QnnSim.Tests.Gradients;

/// <summary>Backward fusion of the adjoint sweep: which runs it fuses, and that it changes results only by rounding.</summary>
[TestFixture]
public class BackwardPlanTests
{
    /// <summary>Fused against step-by-step backward sweeps (block products round differently, ~1e-16 per gate).</summary>
    private const double FusedAgreement = 1e-12;

    private static Circuit LayeredCircuit()
    {
        var b = new CircuitBuilder(4);
        var t = b.Parameters("t", 8);
        for (int l = 0; l < 2; l++)
        {
            for (int q = 0; q < 4; q++) b.Ry(q, t[4 * l + q]);
            for (int q = 0; q < 3; q++) b.CX(q, q + 1);   // a CX chain alone: not fused
            b.Rz(0, t[4 * l]);
            for (int q = 0; q < 4; q++) b.H(q).T(q);      // one-qubit runs: fused
            b.CX(3, 0);
        }
        return b.Build();
    }

    [Test]
    public void For_RunsOfConstantGates_FusesOnlyRunsThePlanShortens()
    {
        var program = new CircuitProgram(LayeredCircuit());
        var plan = BackwardPlan.For(program);
        var fused = new List<(int Start, int End)>();
        for (int s = 0; s < program.Steps.Length; s++)
            if (plan.TryGetRun(s, out int start, out _)) fused.Add((start, s));
        // Per layer: the CX chain (3 steps) stays step by step; H,T on four qubits and the CX (9 steps) are fused.
        Assert.That(fused, Has.Count.EqualTo(2));
        foreach (var (start, end) in fused)
        {
            Assert.That(end - start + 1, Is.EqualTo(9));
            for (int s = start; s <= end; s++) Assert.That(program.Steps[s].AngleSlot, Is.EqualTo(-1));
        }
        Assert.That(BackwardPlan.For(program), Is.SameAs(plan), "built once per program");
    }

    [TestCase(1UL)]
    [TestCase(2UL)]
    [TestCase(3UL)]
    public void Adjoint_FusedBackward_EqualsStepByStep(ulong seed)
    {
        var circuit = seed == 1 ? LayeredCircuit() : RandomCircuit(seed, n: 5);
        var rng = new SeededRandom(seed);
        var theta = RandomParameters(rng, circuit.ParameterCount);
        var x = RandomInputs(rng, circuit.InputCount);
        var observables = new[] { PauliTerms.From(RandomObservable(rng, circuit.QubitCount)), PauliTerms.From(RandomObservable(rng, circuit.QubitCount)) };
        var program = new CircuitProgram(circuit);
        var angles = new double[program.AngleCount];
        program.BindAngles(theta.Span, x.Span, angles);
        var options = new SimulationOptions { MaxThreads = 1 };
        foreach (int k in new[] { 1, 2 })
        {
            var terms = observables[..k];
            double[] Run(bool fuse, out double[] values, out double[] gx)
            {
                var g = new double[k * circuit.ParameterCount];
                gx = new double[k * circuit.InputCount];
                values = new double[k];
                GradientEngine.Adjoint(program, angles, theta.Span, x.Span, default, terms, values, g, gx,
                    new GradientWorkspace(circuit.QubitCount, k), options, CancellationToken.None, fuseBackward: fuse);
                return g;
            }
            var fused = Run(true, out var v1, out var x1);
            var plain = Run(false, out var v2, out var x2);
            Assert.That(v1, Is.EqualTo(v2), "values come from the forward pass only");
            Assert.That(fused, Is.EqualTo(plain).Within(FusedAgreement), $"θ-gradient, k={k}");
            Assert.That(x1, Is.EqualTo(x2).Within(FusedAgreement), $"x-gradient, k={k}");
            Assert.That(plain.Max(Math.Abs), Is.GreaterThan(1e-3));
        }
    }
}
