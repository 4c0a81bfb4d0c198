using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;

namespace QnnSim.Tests.Gradients;

/// <summary>Progress and cancellation of the long-running gradient calls that are not Jacobians.</summary>
[TestFixture]
public class LongRunningCallTests
{
    private static Circuit Circuit3()
    {
        var b = new CircuitBuilder(3);
        var t = b.Parameters("t", 4);
        b.H(0).Ry(1, t[0]).CRx(0, 2, t[1]).Phase(1, t[2]).CX(1, 2).Ry(0, t[3]);
        return b.Build();
    }

    private static readonly ParameterValues Theta = ParameterValues.Of(0.4, 1.3, -0.8, 2.2);

    /// <summary>Collects reports synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Recorder : IProgress<int>
    {
        public readonly List<int> Values = [];
        public void Report(int value) { lock (Values) Values.Add(value); }
    }

    [Test]
    public void Hessian_Progress_ReportsEveryParameterisedStep()
    {
        var recorder = new Recorder();
        var h = new Differentiator().Hessian(Circuit3(), Theta, InputValues.None, PauliSum.Parse("Z2"), progress: recorder);
        Assert.That(recorder.Values, Is.EqualTo(new[] { 1, 2, 3, 4 }));
        var plain = new Differentiator().Hessian(Circuit3(), Theta, InputValues.None, PauliSum.Parse("Z2"));
        Assert.That(h, Is.EqualTo(plain), "progress reporting must not change the result");
    }

    [Test]
    public void Hessian_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.That(() => new Differentiator().Hessian(Circuit3(), Theta, InputValues.None, PauliSum.Parse("Z2"), cancellationToken: cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void ParameterShiftWithShots_Progress_ReportsEveryStepOnce()
    {
        var recorder = new Recorder();
        var a = new Differentiator().ParameterShiftWithShots(Circuit3(), Theta, InputValues.None, PauliSum.Parse("Z2"), 100, 7, progress: recorder);
        Assert.That(recorder.Values.Order(), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        var b = new Differentiator().ParameterShiftWithShots(Circuit3(), Theta, InputValues.None, PauliSum.Parse("Z2"), 100, 7);
        Assert.That(a.Gradient, Is.EqualTo(b.Gradient), "progress reporting must not change the seeded estimate");
    }

    [Test]
    public void ParameterShiftWithShots_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.That(() => new Differentiator().ParameterShiftWithShots(Circuit3(), Theta, InputValues.None, PauliSum.Parse("Z2"), 100, 7,
                cancellationToken: cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }
}
