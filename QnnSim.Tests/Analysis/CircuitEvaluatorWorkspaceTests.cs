using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Tests.Analysis;

/// <summary>
/// The workspace-based <see cref="CircuitModelEvaluator"/> gives bit-identical training runs to the previous
/// implementation (kept here as <see cref="LegacyEvaluator"/>: one dataset Jacobian per call), and its steps allocate
/// nothing proportional to the state.
/// </summary>
[TestFixture]
public class CircuitEvaluatorWorkspaceTests
{
    /// <summary>The evaluator as it was before workspaces: every call runs Differentiator.Jacobian and copies.</summary>
    private sealed class LegacyEvaluator(QnnModel model, Dataset data) : IModelEvaluator
    {
        public int SampleCount => data.Count;

        public int ParameterCount => model.ParameterCount;

        public void Evaluate(ReadOnlySpan<double> parameters, Span<double> outputs, Span<double> jacobian)
        {
            var theta = new ParameterValues(parameters.ToArray());
            var d = model.Differentiator;
            JacobianResult r = data.States is not null
                ? d.Jacobian(model.Circuit, theta, data.States, [model.Readout])
                : d.Jacobian(model.Circuit, theta, data.Inputs!, [model.Readout]);
            r.Values.AsSpan().CopyTo(outputs);
            if (!jacobian.IsEmpty) r.Data.AsSpan().CopyTo(jacobian);
        }
    }

    /// <summary>A data re-uploading circuit on n qubits: inputs x0, x1 and two layers of Ry/Rz with a CX ring.</summary>
    private static Circuit Reuploading(int n, int layers = 2)
    {
        var b = new CircuitBuilder(n);
        var x0 = b.Input("x0");
        var x1 = b.Input("x1");
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < n; q++) b.Ry(q, (q % 2 == 0 ? x0 : x1) * 1.3);
            for (int q = 0; q < n; q++) b.Ry(q, b.Parameter($"a{l}_{q}"));
            for (int q = 0; q < n; q++) b.Rz(q, 2 * b.Parameter($"b{l}_{q}") + 0.1);
            for (int q = 0; q < n; q++) b.CX(q, (q + 1) % n);
        }
        return b.Build();
    }

    private static Dataset Inputs(int m, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var xs = Enumerable.Range(0, m).Select(_ => new[] { rng.NextDouble(-1, 1), rng.NextDouble(-1, 1) }).ToArray();
        var labels = Enumerable.Range(0, m).Select(i => i % 2 == 0 ? 1.0 : -1.0).ToArray();
        return Dataset.FromInputs(xs, labels);
    }

    private static double[] Theta0(int p, ulong seed)
    {
        var rng = new SeededRandom(seed);
        return [.. Enumerable.Range(0, p).Select(_ => rng.NextDouble(0, 2 * Math.PI))];
    }

    private static IEnumerable<TestCaseData> Runs()
    {
        foreach (int m in new[] { 1, 4 })
            foreach (int threads in new[] { 1, 2 })
                foreach (bool kernel in new[] { true, false })
                    foreach (var method in new[] { GradientMethod.Adjoint, GradientMethod.ParameterShift })
                        yield return new TestCaseData(m, threads, kernel, method)
                            .SetArgDisplayNames($"m={m}", $"threads={threads}", kernel ? "kernel" : "no-kernel", method.ToString());
    }

    [TestCaseSource(nameof(Runs))]
    public void Train_WorkspaceEvaluator_RecordsBitIdenticalToLegacyEvaluator(int m, int threads, bool recordKernel, GradientMethod method)
    {
        var circuit = Reuploading(4);
        var model = new QnnModel(circuit, PauliSum.Parse("0.5 * Z0 + 0.5 * Z1 Z2"),
            new GradientOptions { Method = method, MaxDegreeOfParallelism = threads });
        var data = Inputs(m, 5);
        var theta0 = Theta0(circuit.ParameterCount, 9);
        var options = new TrainingOptions { LearningRate = 0.05, Steps = 25, Record = RecordSchedule.Every(4), RecordKernel = recordKernel, RecordParameters = true };
        var labels = data.LabelArray();

        var legacy = GradientDescent.Train(new LegacyEvaluator(model, data), labels, theta0, options);
        var current = GradientDescent.Train(model.Bind(data), labels, theta0, options);

        Assert.That(current.Records, Has.Count.EqualTo(legacy.Records.Count));
        Assert.That(current.FinalParameters, Is.EqualTo(legacy.FinalParameters), "θ_N");
        Assert.That(current.FinalParameters, Is.Not.EqualTo(legacy.InitialParameters), "the run must move θ for the comparison to mean anything");
        for (int r = 0; r < legacy.Records.Count; r++)
        {
            var a = legacy.Records[r];
            var b = current.Records[r];
            Assert.That(b.Step, Is.EqualTo(a.Step));
            Assert.That(b.Loss, Is.EqualTo(a.Loss), $"loss at step {a.Step}");
            Assert.That(b.Outputs, Is.EqualTo(a.Outputs), $"outputs at step {a.Step}");
            Assert.That(b.Residuals, Is.EqualTo(a.Residuals), $"residuals at step {a.Step}");
            Assert.That(b.ParameterDisplacement, Is.EqualTo(a.ParameterDisplacement), $"displacement at step {a.Step}");
            Assert.That(b.Parameters, Is.EqualTo(a.Parameters), $"θ at step {a.Step}");
            if (recordKernel) Assert.That(b.Kernel!.ToArray(), Is.EqualTo(a.Kernel!.ToArray()), $"K at step {a.Step}");
        }
    }

    [Test]
    public void Evaluate_StateDataset_EqualsLegacyEvaluatorExactly()
    {
        var b = new CircuitBuilder(3);
        for (int q = 0; q < 3; q++) b.Ry(q, b.Parameter($"t{q}"));
        b.CX(0, 1).CX(1, 2);
        for (int q = 0; q < 3; q++) b.Rx(q, b.Parameter($"u{q}"));
        var circuit = b.Build();
        var data = Dataset.OrthonormalStates(3, 4, 21);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0 Z1"));
        var theta = Theta0(circuit.ParameterCount, 4);
        int m = data.Count, p = circuit.ParameterCount;
        var legacyOut = new double[m];
        var legacyJ = new double[m * p];
        new LegacyEvaluator(model, data).Evaluate(theta, legacyOut, legacyJ);
        var evaluator = model.Bind(data);
        var outputs = new double[m];
        var j = new double[m * p];
        evaluator.Evaluate(theta, outputs, j);
        Assert.That(outputs, Is.EqualTo(legacyOut));
        Assert.That(j, Is.EqualTo(legacyJ));
        var only = new double[m];
        evaluator.Evaluate(theta, only, default);
        Assert.That(only, Is.EqualTo(legacyOut), "outputs-only call");
        // Jᵀr from the residual-gradient entry point equals the explicit contraction, summed in sample order.
        var labels = data.LabelArray();
        var g = new double[p];
        evaluator.EvaluateResidualGradient(theta, labels, outputs, g);
        for (int l = 0; l < p; l++)
        {
            double expected = 0;
            for (int i = 0; i < m; i++) expected += (legacyOut[i] - labels[i]) * legacyJ[i * p + l];
            Assert.That(g[l], Is.EqualTo(expected), $"g_{l}");
        }
    }

    /// <summary>Heap bytes per training step of a run of <paramref name="steps"/> steps minus one of 10 steps (records cancel out).</summary>
    private static long BytesPerStep(int n, bool recordKernel, int steps = 60)
    {
        var circuit = Reuploading(n, layers: 1);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"),
            new GradientOptions { MaxDegreeOfParallelism = 1, Simulation = SimulationOptions.Default with { MaxThreads = 1 } });
        var data = Inputs(1, 3);
        var evaluator = model.Bind(data);
        var theta0 = Theta0(circuit.ParameterCount, 2);
        var labels = data.LabelArray();
        long Run(long count)
        {
            var options = new TrainingOptions { LearningRate = 0.01, Steps = count, Record = RecordSchedule.At([]), RecordKernel = recordKernel };
            long before = GC.GetAllocatedBytesForCurrentThread();
            GradientDescent.Train(evaluator, labels, theta0, options);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Run(10); // warm-up: workspaces, lowering, fusion plan, JIT
        long shortRun = Run(10);
        long longRun = Run(10 + steps);
        return (longRun - shortRun) / steps;
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Train_CircuitEvaluatorTenQubits_StepAllocatesAFractionOfOneState(bool recordKernel)
    {
        const int n = 10;
        long perStep = BytesPerStep(n, recordKernel);
        long stateBytes = (1L << n) * 16;
        TestContext.Out.WriteLine($"{perStep} bytes per training step at n = {n} (one state: {stateBytes} bytes)");
        // Any remainder is the simulator's fused-block matrices (see GradientWorkspaceTests); measured 0 bytes.
        Assert.That(perStep, Is.LessThan(stateBytes / AnalysisWorkspaceTolerances.TenQubitStateFractionDivisor));
    }

    [Test]
    public void Train_CircuitEvaluator_StepAllocationDoesNotGrowWithTheState()
    {
        long small = BytesPerStep(6, recordKernel: false);
        long large = BytesPerStep(12, recordKernel: false);
        TestContext.Out.WriteLine($"{small} bytes per step at n = 6, {large} at n = 12");
        // The circuit grows with n (one gate per qubit and layer), so compare per gate: 6 → 12 doubles the gate count.
        Assert.That(large, Is.LessThanOrEqualTo(2 * small + AnalysisWorkspaceTolerances.SizeIndependenceSlackBytes));
    }

    [Test]
    public void Train_LegacyEvaluator_AllocatesStatesEveryStep()
    {
        // The contrast that keeps the bounds above meaningful: the old path allocated at least ψ and λ per step.
        const int n = 10;
        var circuit = Reuploading(n, layers: 1);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"), new GradientOptions { MaxDegreeOfParallelism = 1 });
        var data = Inputs(1, 3);
        var legacy = new LegacyEvaluator(model, data);
        var theta = Theta0(circuit.ParameterCount, 2);
        var outputs = new double[1];
        var j = new double[circuit.ParameterCount];
        legacy.Evaluate(theta, outputs, j);
        long before = GC.GetAllocatedBytesForCurrentThread();
        legacy.Evaluate(theta, outputs, j);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.GreaterThanOrEqualTo(2 * (1L << n) * 16));
    }
}
