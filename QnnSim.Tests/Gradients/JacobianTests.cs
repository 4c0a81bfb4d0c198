using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.State;
using static QnnSim.Tests.Gradients.GradientTestCircuits;

namespace QnnSim.Tests.Gradients;

[TestFixture]
public class JacobianTests
{
    private static IEnumerable<TestCaseData> Methods() =>
        Enum.GetValues<GradientMethod>().Select(m => new TestCaseData(m).SetArgDisplayNames(m.ToString()));

    private static (Circuit Circuit, ParameterValues Theta, InputValues[] Samples, PauliSum[] Observables) Problem(ulong seed, int m = 5)
    {
        var circuit = RandomCircuit(seed, n: 3, p: 4, q: 2, gates: 12);
        var rng = new SeededRandom(seed + 7);
        var theta = RandomParameters(rng, circuit.ParameterCount);
        var samples = Enumerable.Range(0, m).Select(_ => RandomInputs(rng, circuit.InputCount)).ToArray();
        PauliSum[] observables = [PauliSum.Parse("Z0"), RandomObservable(rng, 3)];
        return (circuit, theta, samples, observables);
    }

    [TestCaseSource(nameof(Methods))]
    public void Jacobian_Rows_EqualSingleSampleGradients(GradientMethod method)
    {
        var (circuit, theta, samples, observables) = Problem(3);
        var d = new Differentiator(new GradientOptions { Method = method, MaxDegreeOfParallelism = 2 });
        var j = d.Jacobian(circuit, theta, samples, observables, new JacobianOptions { IncludeInputs = true });
        Assert.That(j.Rows, Is.EqualTo(samples.Length * observables.Length));
        Assert.That(j.Columns, Is.EqualTo(circuit.ParameterCount));
        Assert.That(j.InputJacobian, Is.Not.Null);
        Assert.That(j.InputJacobian!.Columns, Is.EqualTo(circuit.InputCount));
        var gt = new double[circuit.ParameterCount];
        var gx = new double[circuit.InputCount];
        for (int i = 0; i < samples.Length; i++)
            for (int o = 0; o < observables.Length; o++)
            {
                int row = i * observables.Length + o;
                double v = d.ValueAndGradient(circuit, theta, samples[i], observables[o], gt, gx);
                Assert.That(j.Values[row], Is.EqualTo(v).Within(Tolerances.Circuit));
                for (int c = 0; c < gt.Length; c++)
                {
                    Assert.That(j[row, c], Is.EqualTo(gt[c]).Within(Tolerances.GradientExact), $"row {row} col {c}");
                    Assert.That(j.Row(row)[c], Is.EqualTo(gt[c]).Within(Tolerances.GradientExact));
                }
                for (int c = 0; c < gx.Length; c++)
                    Assert.That(j.InputJacobian[row, c], Is.EqualTo(gx[c]).Within(Tolerances.GradientExact), $"input row {row} col {c}");
            }
    }

    [Test]
    public void Jacobian_OneAndTwoThreads_BitIdentical()
    {
        var (circuit, theta, samples, observables) = Problem(4, m: 9);
        var one = new Differentiator(new GradientOptions { MaxDegreeOfParallelism = 1 });
        var two = new Differentiator(new GradientOptions { MaxDegreeOfParallelism = 2 });
        var a = one.Jacobian(circuit, theta, samples, observables, new JacobianOptions { IncludeInputs = true });
        var b = two.Jacobian(circuit, theta, samples, observables, new JacobianOptions { IncludeInputs = true });
        Assert.That(b.Data, Is.EqualTo(a.Data));
        Assert.That(b.Values, Is.EqualTo(a.Values));
        Assert.That(b.InputJacobian!.Data, Is.EqualTo(a.InputJacobian!.Data));
        Assert.That(a.Data.Max(Math.Abs), Is.GreaterThan(1e-3));
    }

    [Test]
    public void Jacobian_InitialStates_EqualGradientsFromThoseStates()
    {
        var rng = new SeededRandom(21);
        var circuit = RandomCircuit(21, n: 3, p: 4, q: 0, gates: 10);
        var theta = RandomParameters(rng, circuit.ParameterCount);
        var states = Enumerable.Range(0, 4).Select(_ => RandomState(rng, 3)).ToArray();
        PauliSum[] observables = [PauliSum.Parse("X0 Z2 - 0.5*Y1")];
        var d = new Differentiator(new GradientOptions { MaxDegreeOfParallelism = 2 });
        var j = d.Jacobian(circuit, theta, states, observables);
        var both = d.Jacobian(circuit, theta, states.Select(_ => InputValues.None).ToArray(), states, observables);
        Assert.That(both.Data, Is.EqualTo(j.Data));
        var g = new double[circuit.ParameterCount];
        for (int i = 0; i < states.Length; i++)
        {
            double v = d.ValueAndGradient(circuit, theta, InputValues.None, observables[0], g, default, states[i]);
            Assert.That(j.Values[i], Is.EqualTo(v).Within(Tolerances.Circuit));
            for (int c = 0; c < g.Length; c++) Assert.That(j[i, c], Is.EqualTo(g[c]).Within(Tolerances.GradientExact));
        }
    }

    [Test]
    public void Jacobian_Progress_ReportsEverySample()
    {
        var (circuit, theta, samples, observables) = Problem(5, m: 6);
        var reports = new System.Collections.Concurrent.ConcurrentBag<int>();
        var progress = new SynchronousProgress(reports.Add);
        new Differentiator(new GradientOptions { MaxDegreeOfParallelism = 2 }).Jacobian(circuit, theta, samples, observables, progress: progress);
        Assert.That(reports.OrderBy(r => r), Is.EqualTo(Enumerable.Range(1, samples.Length)));
    }

    [Test]
    public void Jacobian_CancelledToken_Throws()
    {
        var (circuit, theta, samples, observables) = Problem(5, m: 6);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        foreach (int threads in new[] { 1, 2 })
            Assert.That(() => new Differentiator(new GradientOptions { MaxDegreeOfParallelism = threads })
                .Jacobian(circuit, theta, samples, observables, cancellationToken: cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [TestCaseSource(nameof(Methods))]
    public void VectorJacobianProduct_EqualsCotangentTimesJacobian(GradientMethod method)
    {
        var (circuit, theta, samples, observables) = Problem(8, m: 7);
        var d = new Differentiator(new GradientOptions { Method = method, MaxDegreeOfParallelism = 2 });
        var j = d.Jacobian(circuit, theta, samples, observables);
        var rng = new SeededRandom(99);
        var v = Enumerable.Range(0, j.Rows).Select(_ => rng.NextDouble(-1, 1)).ToArray();
        var outputs = new double[j.Rows];
        var vjp = d.VectorJacobianProduct(circuit, theta, samples, observables, v, outputs);
        for (int c = 0; c < j.Columns; c++)
        {
            double expected = 0;
            for (int r = 0; r < j.Rows; r++) expected += v[r] * j[r, c];
            Assert.That(vjp[c], Is.EqualTo(expected).Within(Tolerances.GradientExact), $"column {c}");
        }
        for (int r = 0; r < j.Rows; r++) Assert.That(outputs[r], Is.EqualTo(j.Values[r]).Within(Tolerances.Circuit));
    }

    [Test]
    public void VectorJacobianProduct_OneAndTwoThreads_BitIdentical()
    {
        var (circuit, theta, samples, observables) = Problem(9, m: 40);
        var v = Enumerable.Range(0, samples.Length * observables.Length).Select(i => Math.Sin(i)).ToArray();
        var a = new Differentiator(new GradientOptions { MaxDegreeOfParallelism = 1 }).VectorJacobianProduct(circuit, theta, samples, observables, v);
        var b = new Differentiator(new GradientOptions { MaxDegreeOfParallelism = 2 }).VectorJacobianProduct(circuit, theta, samples, observables, v);
        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public void VectorJacobianProduct_InitialStates_EqualsCotangentTimesJacobian()
    {
        var rng = new SeededRandom(31);
        var circuit = RandomCircuit(31, n: 3, p: 3, q: 0, gates: 8);
        var theta = RandomParameters(rng, circuit.ParameterCount);
        var states = Enumerable.Range(0, 3).Select(_ => RandomState(rng, 3)).ToArray();
        PauliSum[] observables = [PauliSum.Parse("Z0"), PauliSum.Parse("X1 X2")];
        var d = new Differentiator();
        var j = d.Jacobian(circuit, theta, states, observables);
        double[] v = [0.3, -1.0, 0.5, 0.25, 2.0, -0.7];
        var vjp = d.VectorJacobianProduct(circuit, theta, states, observables, v);
        var both = d.VectorJacobianProduct(circuit, theta, states.Select(_ => InputValues.None).ToArray(), states, observables, v);
        Assert.That(both, Is.EqualTo(vjp));
        for (int c = 0; c < j.Columns; c++)
            Assert.That(vjp[c], Is.EqualTo(Enumerable.Range(0, j.Rows).Sum(r => v[r] * j[r, c])).Within(Tolerances.GradientExact));
    }

    /// <summary>An IProgress that calls back on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
