using QnnSim.Analysis;
using QnnSim.Observables;

namespace QnnSim.Tests.Analysis.Toolkit;

/// <summary>
/// Liu et al.'s λ = μ/K against depth as a library result (<see cref="DqntkRatio.Scan"/>, <see cref="DqntkRatioTrend"/>)
/// and the regime prediction against real gradient descent (issue 14).
/// </summary>
[TestFixture]
public sealed class DqntkRatioScanTests
{
    /// <summary>The inputs of the documented command (docs/analysis.md): --bind 'x[0]=0.5' --bind 'x[1]=-0.25'.</summary>
    private static readonly Dataset Sample = Dataset.FromInputs([new[] { 0.5, -0.25 }], [0.0]);

    private static readonly Func<int, int, QnnSim.Circuits.Circuit> Reuploading = (n, l) => CircuitFamilies.DataReuploading(n, l);

    /// <summary>
    /// χ²_red above which the form r_∞ + a/p is rejected for the five depths (3 degrees of freedom): P(χ²₃ &gt; 18) ≈ 4e-4
    /// when the form holds and the standard errors are right.
    /// </summary>
    private const double MaxReducedChiSquared = 6.0;

    private static double Combined(double a, double b) => Math.Sqrt(a * a + b * b);

    /// <summary>
    /// The series' shape for the 3-qubit re-uploading family, L = 2, 4, 8 (400 draws, cheap at p ≤ 48) and 16, 32 (60
    /// draws), seed 2: K and |λ| grow with p while ⟨|λ|⟩/⟨K⟩ falls and levels off at a positive r_∞. Each comparison is a
    /// one-sided test at <see cref="ToolkitTolerances.Sigmas"/> standard errors (false-failure rate about 3e-5 each if the
    /// true difference were 0), the level-off a two-sided one (6e-5), the fit's χ² as above.
    /// </summary>
    [Test]
    public void Scan_ThreeQubitReuploading_RatioFallsWithDepthAndLevelsOffAboveZero()
    {
        var shallow = DqntkRatio.Scan(Reuploading, 3, [2, 4, 8], PauliSum.Parse("Z0"), Sample, 400, seed: 2);
        var deep = DqntkRatio.Scan(Reuploading, 3, [16, 32], PauliSum.Parse("Z0"), Sample, 60, seed: 2);
        var points = shallow.Points.Concat(deep.Points).ToArray();
        Assert.That(points.Select(p => p.Parameters), Is.EqualTo(new[] { 12, 24, 48, 96, 192 }));
        var trend = DqntkRatioTrend.Fit(points)!;
        foreach (var p in points)
            TestContext.Out.WriteLine($"L = {p.Layers}, p = {p.Parameters}: ⟨K⟩ {p.Kernel.Mean:F3}, ⟨|λ|⟩ {p.AbsoluteLambda.Mean:F3}, ⟨|λ|⟩/⟨K⟩ {p.RelativeLambda:F3} ± {p.RelativeLambdaStandardError:F3}");
        TestContext.Out.WriteLine($"r∞ = {trend.Plateau:F3} ± {trend.PlateauStandardError:F3}, a = {trend.Slope:F2} ± {trend.SlopeStandardError:F2}, χ²/dof = {trend.ReducedChiSquared:F2}");

        DqntkRatioPoint l2 = points[0], l16 = points[3], l32 = points[4];
        Assert.That(l32.Kernel.Mean - l2.Kernel.Mean, Is.GreaterThan(ToolkitTolerances.Sigmas * Combined(l32.Kernel.MeanStandardError, l2.Kernel.MeanStandardError)), "K grows with p");
        Assert.That(l32.AbsoluteLambda.Mean - l2.AbsoluteLambda.Mean,
            Is.GreaterThan(ToolkitTolerances.Sigmas * Combined(l32.AbsoluteLambda.MeanStandardError, l2.AbsoluteLambda.MeanStandardError)), "|λ| grows with p");
        Assert.That(l2.RelativeLambda - l16.RelativeLambda,
            Is.GreaterThan(ToolkitTolerances.Sigmas * Combined(l2.RelativeLambdaStandardError, l16.RelativeLambdaStandardError)), "⟨|λ|⟩/⟨K⟩ falls with p");
        Assert.That(Math.Abs(l32.RelativeLambda - l16.RelativeLambda),
            Is.LessThan(ToolkitTolerances.Sigmas * Combined(l32.RelativeLambdaStandardError, l16.RelativeLambdaStandardError)), "and levels off: L = 32 is L = 16 within the errors");
        Assert.That(trend.Slope, Is.GreaterThan(ToolkitTolerances.Sigmas * trend.SlopeStandardError), "the fitted a/p term is positive");
        Assert.That(trend.Plateau, Is.GreaterThan(ToolkitTolerances.Sigmas * trend.PlateauStandardError), "r∞ > 0: depth alone does not freeze the kernel at n = 3");
        Assert.That(trend.ReducedChiSquared, Is.LessThan(MaxReducedChiSquared), "r∞ + a/p describes the five depths");
        Assert.That(shallow.Trend, Is.Not.Null);
    }

    [Test]
    public void Trend_TwoPoints_PassesThroughBoth()
    {
        // With two depths the weighted line in 1/p is exact whatever the weights: r∞ + a/p_i = r_i.
        var scan = DqntkRatio.Scan(Reuploading, 2, [1, 3], PauliSum.Parse("Z0"), Sample, 8, seed: 3);
        var t = scan.Trend!;
        foreach (var p in scan.Points)
            Assert.That(t.Evaluate(p.Parameters), Is.EqualTo(p.RelativeLambda).Within(ToolkitTolerances.Exact));
        double expectedSlope = (scan.Points[0].RelativeLambda - scan.Points[1].RelativeLambda) / (1.0 / scan.Points[0].Parameters - 1.0 / scan.Points[1].Parameters);
        Assert.That(t.Slope, Is.EqualTo(expectedSlope).Within(ToolkitTolerances.Exact));
        Assert.That(double.IsNaN(t.ReducedChiSquared), Is.True, "no degrees of freedom left");
        Assert.That(DqntkRatioTrend.Fit(scan.Points.Take(1)), Is.Null, "one depth has no trend");
        Assert.That(scan.Points, Is.EqualTo(DqntkRatio.Ensemble(Reuploading, 2, [1, 3], PauliSum.Parse("Z0"), Sample, 8, seed: 3)));
    }

    [Test]
    public void Scan_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DqntkRatio.Scan(Reuploading, 2, [1], PauliSum.Parse("Z0"), Sample, 1, seed: 1));
        Assert.Throws<ArgumentException>(() => DqntkRatio.Scan(Reuploading, 2, [], PauliSum.Parse("Z0"), Sample, 4, seed: 1));
        var model = new QnnModel(CircuitFamilies.DataReuploading(2, 1), [PauliSum.Parse("Z0"), PauliSum.Parse("Z1")]);
        Assert.Throws<ArgumentException>(() => DqntkRatio.Predict(model, new double[4], Sample));
    }

    /// <summary>
    /// The regime prediction against gradient descent run to convergence (3-qubit re-uploading, L = 8, p = 48, one
    /// sample): K_∞ = K₀ − 2λε₀ is first order in ε₀, so its error against the kernel training ends at shrinks as ε₀²
    /// (halving ε₀ quarters it; asserted between 2.5× and 6×); at ε₀ = 0.02 the model is predicted frozen and training
    /// moves the kernel by under 5%, matching the predicted change to 0.1% of K₀; at ε₀ = 0.3 both say not frozen.
    /// </summary>
    [Test]
    public void Predict_AgainstTraining_KernelChangeAgreesToFirstOrderInTheResidual()
    {
        var circuit = CircuitFamilies.DataReuploading(3, 8);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        var theta = InitializationRule.Uniform().Draw(circuit.ParameterCount, 5, 0);
        double f0 = model.Predict(theta, Sample)[0];
        double k0 = model.Kernel(theta, Sample)[0, 0];
        (KernelRegimePrediction Predicted, double Measured) Run(double residual)
        {
            var data = Dataset.FromInputs([new[] { 0.5, -0.25 }], [f0 - residual]);
            var prediction = DqntkRatio.Predict(model, theta, data);
            var run = GradientDescent.Train(model.Bind(data), data.LabelArray(), theta,
                new TrainingOptions { LearningRate = 0.2 / k0, Steps = 1500, Record = RecordSchedule.At([1500]) });
            Assert.That(Math.Abs(run.Records[^1].Residuals[0]), Is.LessThan(1e-10), "training converged");
            return (prediction, run.Records[^1].Kernel![0, 0]);
        }
        var errors = new List<double>();
        foreach (double e0 in new[] { 0.08, 0.04, 0.02 })
        {
            var (predicted, measured) = Run(e0);
            errors.Add(Math.Abs(predicted.KernelLimit - measured));
            TestContext.Out.WriteLine($"ε₀ = {e0}: λ = {predicted.Lambda:F4}, K∞/K₀ predicted {predicted.KernelLimit / k0:F5}, measured {measured / k0:F5}");
        }
        Assert.That(errors[0] / errors[1], Is.InRange(2.5, 6.0), "error ∝ ε₀²");
        Assert.That(errors[1] / errors[2], Is.InRange(2.5, 6.0), "error ∝ ε₀²");

        var (small, kSmall) = Run(0.02);
        Assert.That(small.Regime, Is.EqualTo(KernelRegime.Frozen));
        Assert.That(Math.Abs(kSmall - k0) / k0, Is.LessThan(0.05), "training keeps the kernel frozen");
        Assert.That((small.KernelLimit - kSmall) / k0, Is.EqualTo(0).Within(1e-3), "the predicted change matches to first order");

        var (large, kLarge) = Run(0.3);
        Assert.That(large.Regime, Is.Not.EqualTo(KernelRegime.Frozen));
        Assert.That(Math.Abs(kLarge - k0) / k0, Is.GreaterThan(0.05), "training moves the kernel");
    }
}
