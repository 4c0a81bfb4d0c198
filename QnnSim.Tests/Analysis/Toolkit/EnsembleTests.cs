using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Tests.Analysis.Toolkit;

/// <summary>Gradient and kernel ensembles, the Haar value, the decay fits and the λ ratio (issue 14).</summary>
[TestFixture]
public class EnsembleTests
{
    [Test]
    public void HaarGradientVariance_MatchesTheoryKernelDiagonal()
    {
        // THEORY.md §4: E[K_ii] = 2pγ²d²/((d + 1)²(d − 1)) for e^{−iθH} layers (generator H, not H/2): 4p times ours.
        for (int n = 1; n <= 5; n++)
        {
            double d = 1 << n;
            Assert.That(4 * GradientEnsemble.HaarGradientVariance(n, PauliSum.Parse("Z0")),
                Is.EqualTo(TheoryFormulas.HaarMeanKernelDiagonal((int)d, 1, 1.0)).Within(1e-12));
        }
        // Only the traceless part counts; orthogonal Pauli terms add.
        Assert.That(GradientEnsemble.HaarGradientVariance(3, PauliSum.Parse("2 + 0.6*Z0 + 0.8*X1 Y2")),
            Is.EqualTo(GradientEnsemble.HaarGradientVariance(3, PauliSum.Parse("Z0"))).Within(1e-15));
    }

    [Test]
    public void GradientVariance_DeepCircuit_MatchesHaarValue()
    {
        // n = 3, L = 40 hardware-efficient layers: the gates before and after a middle parameter are deep enough to be
        // close to 2-designs. Var[∂_l⟨Z0⟩] averaged over the 24 middle parameters (layers 18..21), against the Haar value
        // 0.0564 with the standard error of that average; 4σ (false failure ≈ 6e-5 if the estimate is normal).
        const int n = 3, layers = 40, k = 400;
        var circuit = CircuitFamilies.HardwareEfficient(n, layers);
        var stats = GradientEnsemble.Run(circuit, PauliSum.Parse("Z0"), k, InitializationRule.Uniform(), seed: 17);
        int p = circuit.ParameterCount, per = 2 * n;
        var middle = Enumerable.Range(18 * per, 4 * per).ToArray();
        double mean = middle.Average(l => stats.Components[l].Variance);
        // The components share draws, so the error of their average is at most the mean of their errors.
        double se = middle.Average(l => stats.Components[l].VarianceStandardError);
        Assert.That(Math.Abs(mean - stats.HaarVariance), Is.LessThan(ToolkitTolerances.Sigmas * se), $"mean {mean}, Haar {stats.HaarVariance}, se {se}");
        Assert.That(stats.HaarVariance, Is.EqualTo(64.0 / (2 * 7 * 81)).Within(1e-15));
        Assert.That(Math.Abs(stats.Components[p / 2].Mean), Is.LessThan(ToolkitTolerances.Sigmas * stats.Components[p / 2].MeanStandardError));
    }

    [Test]
    public void GradientEnsemble_IsIndependentOfThreadCount()
    {
        var circuit = CircuitFamilies.HardwareEfficient(3, 3);
        var one = GradientEnsemble.Run(circuit, PauliSum.Parse("Z0 Z1"), 24, InitializationRule.Gaussian(0.3), 5, maxThreads: 1);
        var two = GradientEnsemble.Run(circuit, PauliSum.Parse("Z0 Z1"), 24, InitializationRule.Gaussian(0.3), 5, maxThreads: 2);
        Assert.That(two.Components.Select(c => c.Variance), Is.EqualTo(one.Components.Select(c => c.Variance)));
        Assert.That(two.Value, Is.EqualTo(one.Value));
    }

    [Test]
    public void ExponentialDecayFit_RecoversRateOfExactData()
    {
        double[] x = [2, 3, 4, 5];
        double[] y = [.. x.Select(v => 3 * Math.Exp(-0.7 * v))];
        var fit = ExponentialDecayFit.Fit(x, y, [.. y.Select(v => 0.01 * v)]);
        Assert.That(fit.Rate, Is.EqualTo(0.7).Within(1e-12));
        Assert.That(fit.Intercept, Is.EqualTo(Math.Log(3)).Within(1e-12));
        // Equal relative errors: σ_b = σ_rel/√Σ(x − x̄)² = 0.01/√5.
        Assert.That(fit.RateStandardError, Is.EqualTo(0.01 / Math.Sqrt(5)).Within(1e-12));
    }

    [Test]
    public void BarrenPlateauScan_GlobalObservable_DecaysLikeTheHaarValue()
    {
        // Global Z…Z at 2-design depth: Var ≈ Haar value ∝ 2^{−n}. The fitted rate is compared with the rate of the
        // Haar values themselves, within 4 fitted standard errors.
        int[] qubits = [2, 3, 4];
        var result = BarrenPlateauScan.Run(CircuitFamilies.HardwareEfficient, qubits, [20], BarrenPlateauScan.GlobalObservable, 200, InitializationRule.Uniform(), seed: 3);
        var haar = ExponentialDecayFit.Fit([.. qubits.Select(n => (double)n)], [.. qubits.Select(n => GradientEnsemble.HaarGradientVariance(n, BarrenPlateauScan.GlobalObservable(n)))],
            [1e-6, 1e-6, 1e-6]);
        Assert.That(result.QubitFit, Is.Not.Null);
        Assert.That(Math.Abs(result.QubitFit!.Rate - haar.Rate), Is.LessThan(ToolkitTolerances.Sigmas * result.QubitFit.RateStandardError),
            $"fitted {result.QubitFit.Rate} ± {result.QubitFit.RateStandardError}, Haar {haar.Rate}");
        Assert.That(result.QubitFit.Rate, Is.GreaterThan(0.5), "exponential decay, about ln 2 per qubit");
        Assert.That(result.LayerFit, Is.Null);
    }

    [Test]
    public void BarrenPlateauScan_LocalAgainstGlobalAtOneLayer_MatchesClosedForms()
    {
        // One HEA layer: CZ commutes with Z, so ⟨Z0⟩ = cos θ_0 and ⟨Z0…Z_{n−1}⟩ = Π_j cos θ_{2j} (the Ry angles). Over
        // uniform θ, E[sin²] = E[cos²] = 1/2, so the mean component variance over p = 2n parameters is 1/(4n) for the local
        // observable (polynomial in n) and n·2^{−n}/(2n) = 2^{−(n+1)} for the global one (rate ln 2 per qubit): Cerezo et
        // al. 2021's contrast, in closed form. Each point within 4 standard errors; the global fit's rate within 4 of its
        // standard errors of ln 2, the local one's below ln 2 by more than that.
        int[] qubits = [2, 3, 4, 5];
        var local = BarrenPlateauScan.Run(CircuitFamilies.HardwareEfficient, qubits, [1], BarrenPlateauScan.LocalObservable, 400, InitializationRule.Uniform(), seed: 8);
        var global = BarrenPlateauScan.Run(CircuitFamilies.HardwareEfficient, qubits, [1], BarrenPlateauScan.GlobalObservable, 400, InitializationRule.Uniform(), seed: 8);
        for (int i = 0; i < qubits.Length; i++)
        {
            int n = qubits[i];
            Assert.That(Math.Abs(local.Points[i].Variance - 1.0 / (4 * n)), Is.LessThan(ToolkitTolerances.Sigmas * local.Points[i].VarianceStandardError), $"local, n = {n}");
            Assert.That(Math.Abs(global.Points[i].Variance - Math.Pow(2, -(n + 1))), Is.LessThan(ToolkitTolerances.Sigmas * global.Points[i].VarianceStandardError), $"global, n = {n}");
        }
        Assert.That(Math.Abs(global.QubitFit!.Rate - Math.Log(2)), Is.LessThan(ToolkitTolerances.Sigmas * global.QubitFit.RateStandardError));
        Assert.That(Math.Log(2) - local.QubitFit!.Rate, Is.GreaterThan(ToolkitTolerances.Sigmas * local.QubitFit.RateStandardError), "the local observable decays more slowly");
    }

    [Test]
    public void InitializationRules_DrawAsDocumented()
    {
        // Gaussian(σ): 4000 values with mean 0 and standard deviation σ, each within 4 standard errors
        // (SE of the mean σ/√N, of the standard deviation ≈ σ/√(2N)).
        var g = InitializationRule.Gaussian(0.2).Draw(4000, 3, 0);
        double mean = g.Average(), sd = Math.Sqrt(g.Sum(v => (v - mean) * (v - mean)) / (g.Length - 1));
        Assert.That(Math.Abs(mean), Is.LessThan(ToolkitTolerances.Sigmas * 0.2 / Math.Sqrt(4000)));
        Assert.That(Math.Abs(sd - 0.2), Is.LessThan(ToolkitTolerances.Sigmas * 0.2 / Math.Sqrt(2 * 4000)));
        var u = InitializationRule.Uniform(-1, 0.5).Draw(1000, 3, 1);
        Assert.That(u.Min(), Is.GreaterThanOrEqualTo(-1.0));
        Assert.That(u.Max(), Is.LessThan(0.5));
        Assert.That(InitializationRule.Uniform().Draw(5, 3, 2), Is.EqualTo(InitializationRule.Uniform().Draw(5, 3, 2)), "draw k of seed S is reproducible");
        Assert.That(InitializationRule.Uniform().Draw(5, 3, 2), Is.Not.EqualTo(InitializationRule.Uniform().Draw(5, 3, 3)));

        // A user rule is what the ensemble draws: θ = (0.7, …) for every draw gives zero variance and the exact mean.
        var constant = InitializationRule.Custom("constant", (p, _) => [.. Enumerable.Repeat(0.7, p)]);
        var b = new CircuitBuilder(1);
        b.Ry(0, b.Parameter("t"));
        var stats = GradientEnsemble.Run(b.Build(), PauliSum.Parse("Z0"), 5, constant, seed: 1);
        Assert.That(stats.Components[0].Mean, Is.EqualTo(-Math.Sin(0.7)).Within(ToolkitTolerances.Circuit));
        Assert.That(stats.Components[0].Variance, Is.EqualTo(0).Within(ToolkitTolerances.Exact));
        Assert.Throws<InvalidOperationException>(() => InitializationRule.Custom("short", (_, _) => [1.0]).Draw(3, 1, 0));

        Assert.That(InitializationRule.Parse("gaussian:0.5").Name, Is.EqualTo("gaussian(0.5)"));
        Assert.That(InitializationRule.Parse("uniform:-1:1").Draw(50, 2, 0).All(v => v >= -1 && v < 1), Is.True);
        foreach (var bad in new[] { "gaussian:-1", "uniform:1:1", "normal", "gaussian:x" })
            Assert.Throws<ArgumentException>(() => InitializationRule.Parse(bad), bad);
    }

    [Test]
    public void KernelEnsemble_SpectrumStatistics_MatchAPerDrawDenseRecomputation()
    {
        // Each statistic recomputed draw by draw from the model's kernel with MathNet's own symmetric eigensolver.
        var circuit = CircuitFamilies.DataReuploading(2, 2);
        var data = ToyDatasets.TwoMoons(5, 0.1, seed: 2);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        var rule = InitializationRule.Gaussian(1.0);
        const int k = 12;
        var result = KernelEnsemble.Run(model, data, k, rule, seed: 6);
        int m = data.Count;
        var max = new double[k]; var min = new double[k]; var rank = new double[k]; var off = new double[k]; var k01 = new double[k];
        for (int d = 0; d < k; d++)
        {
            var kernel = model.Kernel(rule.Draw(circuit.ParameterCount, 6, d), data);
            var dense = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(m, m, (i, j) => kernel[i, j]);
            var eig = dense.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
            max[d] = eig.Max(); min[d] = eig.Min();
            rank[d] = Math.Pow(eig.Sum(), 2) / eig.Sum(v => v * v);
            off[d] = Enumerable.Range(0, m).SelectMany(i => Enumerable.Range(0, m).Where(j => j != i).Select(j => Math.Abs(kernel[i, j]))).Average()
                / Enumerable.Range(0, m).Average(i => kernel[i, i]);
            k01[d] = kernel[0, 1];
        }
        const double tol = 1e-10;
        Assert.That(result.MaxEigenvalue.Mean, Is.EqualTo(max.Average()).Within(tol));
        Assert.That(result.MinEigenvalue.Mean, Is.EqualTo(min.Average()).Within(tol));
        Assert.That(result.EffectiveRank.Mean, Is.EqualTo(rank.Average()).Within(tol));
        Assert.That(result.RelativeOffDiagonal.Mean, Is.EqualTo(off.Average()).Within(tol));
        Assert.That(result.Entries[0, 1].Mean, Is.EqualTo(k01.Average()).Within(tol));
        Assert.That(result.Entries[0, 1].Variance, Is.EqualTo(EnsembleMoment.Of(k01).Variance).Within(tol));
        Assert.That(result.LogConditionNumber.Mean, Is.EqualTo(Enumerable.Range(0, k).Average(d => Math.Log10(max[d] / Math.Max(min[d], 1e-300 * max[d])))).Within(1e-6));
    }

    [Test]
    public void KernelEnsemble_DiagonalEqualsGradientNormsOfTheSameDraws()
    {
        var circuit = CircuitFamilies.DataReuploading(2, 3);
        var data = ToyDatasets.TwoMoons(4, 0.1, seed: 1);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        var rule = InitializationRule.Uniform();
        var kernels = KernelEnsemble.Run(model, data, 30, rule, seed: 9);
        double trace = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var g = GradientEnsemble.Run(circuit, PauliSum.Parse("Z0"), 30, rule, 9, data.Inputs![i].Span);
            // K_ii = ‖∇f(x_i)‖² = p · (‖∇f‖²/p) draw by draw.
            Assert.That(kernels.Entries[i, i].Mean, Is.EqualTo(circuit.ParameterCount * g.MeanComponentVariance.Mean).Within(1e-12 * kernels.Entries[i, i].Mean));
            trace += kernels.Entries[i, i].Mean;
        }
        Assert.That(kernels.Trace.Mean, Is.EqualTo(trace).Within(1e-12 * trace));
        Assert.That(kernels.EffectiveRank.Mean, Is.InRange(1.0, data.Count));
        Assert.That(kernels.HaarMeanDiagonal, Is.EqualTo(circuit.ParameterCount * GradientEnsemble.HaarGradientVariance(2, PauliSum.Parse("Z0"))));
    }

    [Test]
    public void DqntkRatio_SingleQubit_IsMinusCosTheta()
    {
        // f = cos θ (Ry(θ) on |0⟩, readout Z): K = sin²θ, μ = f''·f'² = −cos θ sin²θ, λ = −cos θ.
        var b = new CircuitBuilder(1);
        b.Ry(0, b.Parameter("t"));
        var model = new QnnModel(b.Build(), PauliSum.Parse("Z0"));
        var data = Dataset.FromInputs([Array.Empty<double>()], [0.2]);
        foreach (double theta in new[] { 0.4, 1.3, 2.5 })
            Assert.That(DqntkRatio.Compute(model, [theta], data)[0], Is.EqualTo(-Math.Cos(theta)).Within(ToolkitTolerances.Circuit));

        // Unreachable target y = 3: K(ε) = K₀ + 2λ(ε − ε₀) reaches 0, so training stalls; y = 0.2 is reached.
        double t0 = 1.0, k0 = Math.Sin(t0) * Math.Sin(t0);
        var stalled = DqntkRatio.Predict(-Math.Cos(t0), k0, Math.Cos(t0) - 3);
        Assert.That(stalled.Regime, Is.EqualTo(KernelRegime.Stalled));
        var run = GradientDescent.Train(model.Bind(Dataset.FromInputs([Array.Empty<double>()], [3.0])), [3.0], [t0],
            new TrainingOptions { LearningRate = 0.2, Steps = 400, RecordKernel = false });
        Assert.That(Math.Abs(run.Records[^1].Residuals[0]), Is.GreaterThan(1.5), "the residual stalls (at cos θ → 1: ε → −2)");
        var reached = DqntkRatio.Predict(-Math.Cos(t0), k0, Math.Cos(t0) - 0.2);
        Assert.That(reached.Regime, Is.Not.EqualTo(KernelRegime.Stalled));
        var run2 = GradientDescent.Train(model.Bind(data), [0.2], [t0], new TrainingOptions { LearningRate = 0.2, Steps = 400, RecordKernel = false });
        Assert.That(Math.Abs(run2.Records[^1].Residuals[0]), Is.LessThan(1e-6));
    }

    [Test]
    public void Tiled_BrickWall_EqualsTheHandBuiltCircuit()
    {
        // Block: Ry(a) Ry(b) on its qubits 0, 1, then CX(0, 1). n = 5, L = 3: layer 0 on (0,1), (2,3); layer 1 on (1,2),
        // (3,4); layer 2 on (0,1), (2,3): 6 copies, 12 parameters named a@l.c, b@l.c.
        var bb = new CircuitBuilder(2);
        bb.Ry(0, bb.Parameter("a")).Ry(1, bb.Parameter("b")).CX(0, 1);
        var tiled = CircuitFamilies.Tiled(bb.Build())(5, 3);
        Assert.That(tiled.ParameterCount, Is.EqualTo(12));
        Assert.That(tiled.ParameterNames.Take(4), Is.EqualTo(new[] { "a@0.0", "b@0.0", "a@0.1", "b@0.1" }));
        Assert.That(tiled.ParameterNames[4], Is.EqualTo("a@1.0"));
        var hand = new CircuitBuilder(5);
        var t = hand.Parameters("t", 12);
        int k = 0;
        foreach (var starts in new[] { new[] { 0, 2 }, new[] { 1, 3 }, new[] { 0, 2 } })
            foreach (int s0 in starts)
            {
                hand.Ry(s0, t[k]).Ry(s0 + 1, t[k + 1]).CX(s0, s0 + 1);
                k += 2;
            }
        var theta = InitializationRule.Uniform().Draw(12, 5, 0);
        var sim = new QnnSim.Simulation.Simulator();
        var a = sim.Run(tiled, ParameterValues.Of(theta), InputValues.None);
        var b = sim.Run(hand.Build(), ParameterValues.Of(theta), InputValues.None);
        Assert.That(a.InnerProduct(b).Real, Is.EqualTo(1.0).Within(ToolkitTolerances.Exact));
        Assert.Throws<ArgumentOutOfRangeException>(() => CircuitFamilies.Tiled(bb.Build())(1, 1));
    }

    [Test]
    public void DqntkRatioEnsemble_UnderNoise_MatchesTheNoisyModelDrawByDraw()
    {
        // The ensemble under noise is the noisy model's λ at the same draws (rule stream k of the seed).
        var data = ToyDatasets.TwoMoons(2, 0.1, seed: 1);
        var noise = new ModelNoise(QnnSim.Noise.NoiseModelParser.ParseSpec("depolarizing=0.05"));
        var point = DqntkRatio.Ensemble((n, l) => CircuitFamilies.DataReuploading(n, l), 2, [1], PauliSum.Parse("Z0"), data, 3, seed: 4, noise: noise)[0];
        var model = new QnnModel(CircuitFamilies.DataReuploading(2, 1), PauliSum.Parse("Z0")).WithNoise(noise);
        var lambdas = Enumerable.Range(0, 3).Select(k => DqntkRatio.Compute(model, InitializationRule.Uniform().Draw(4, 4, k), data.Subset([0]))[0]).ToArray();
        Assert.That(point.Lambda.Mean, Is.EqualTo(lambdas.Average()).Within(ToolkitTolerances.Exact));
        var pure = DqntkRatio.Ensemble((n, l) => CircuitFamilies.DataReuploading(n, l), 2, [1], PauliSum.Parse("Z0"), data, 3, seed: 4)[0];
        Assert.That(point.Kernel.Mean, Is.LessThan(pure.Kernel.Mean), "depolarizing noise shrinks the kernel");
    }

    [Test]
    public void OverparameterizationScan_FindsSaturationAndDla()
    {
        var data = Dataset.FromInputs([Array.Empty<double>()], [1.0]);
        var result = OverparameterizationScan.Run(CircuitFamilies.HardwareEfficient, 2, [1, 2, 3], PauliSum.Parse("Z0"), data, draws: 2, seed: 1);
        Assert.That(result.Points.Select(p => p.QfimRank), Is.EqualTo(new[] { 4.0, 6.0, 6.0 }));
        Assert.That(result.QfimSaturation, Is.EqualTo(8));
        Assert.That(result.DlaDimension, Is.EqualTo(15));
        Assert.That(result.OrbitDimension, Is.EqualTo(6));
        Assert.That(result.Points.All(p => p.JacobianRank == 1), Is.True, "one sample, one readout: J is 1 × p");
    }
}
