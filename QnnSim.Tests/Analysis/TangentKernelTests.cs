using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;

namespace QnnSim.Tests.Analysis;

[TestFixture]
public class TangentKernelTests
{
    /// <summary>A small data-encoding QNN: Ry(x) encoding, two layers of Ry/Rz with CX, readout Z0 + 0.5 X1.</summary>
    private static (QnnModel Adjoint, QnnModel Shift, Dataset Data, double[] Theta) EncodingModel()
    {
        var b = new CircuitBuilder(2);
        var x0 = b.Input("x0");
        var x1 = b.Input("x1");
        var t = b.Parameters("t", 6);
        b.Ry(0, x0).Ry(1, x1);
        b.Ry(0, t[0]).Rz(1, t[1]).CX(0, 1).Ry(0, t[2]).Ry(1, 2 * t[3] + 0.3).CX(1, 0).Rx(0, t[4]).Rz(1, t[5]);
        var c = b.Build();
        var o = PauliSum.Parse("Z0 + 0.5*X1");
        var data = Dataset.FromInputs([[0.1, 0.7], [1.2, -0.4], [2.0, 0.3], [-0.8, 1.5], [0.5, 0.5]], [1, -1, 1, -1, 1]);
        return (new QnnModel(c, o, new GradientOptions { Method = GradientMethod.Adjoint }),
            new QnnModel(c, o, new GradientOptions { Method = GradientMethod.ParameterShift }), data, InitialParameters.Uniform(6, 42));
    }

    [Test]
    public void Kernel_AdjointEqualsParameterShift_SymmetricPsd_DiagonalIsGradientNorm()
    {
        var (adj, ps, data, theta) = EncodingModel();
        var jac = adj.Jacobian(theta, data, out _);
        var ka = TangentKernel.FromJacobian(jac, data.Count, 6);
        var kp = ps.Kernel(theta, data);
        for (int i = 0; i < data.Count; i++)
        {
            double norm2 = 0;
            for (int l = 0; l < 6; l++) norm2 += jac[i * 6 + l] * jac[i * 6 + l];
            Assert.That(ka[i, i], Is.EqualTo(norm2).Within(1e-14));
            for (int j = 0; j < data.Count; j++)
            {
                Assert.That(ka[i, j], Is.EqualTo(ka[j, i]));
                Assert.That(ka[i, j], Is.EqualTo(kp[i, j]).Within(AnalysisTolerances.Exact));
            }
        }
        Assert.That(ka.MinEigenvalue, Is.GreaterThanOrEqualTo(AnalysisTolerances.PsdFloor));
    }

    [Test]
    public void Kernel_PaperModel_AdjointEqualsParameterShiftAndEngine()
    {
        var x = PaperSetups.Create(3, 12, 4, 1, 21, PauliString.Parse("X0 Y1"));
        var out0 = new double[4];
        var jac = new double[4 * 12];
        x.Engine.Evaluate(x.Theta0, out0, jac);
        var ke = TangentKernel.FromJacobian(jac, 4, 12);
        var kps = new QnnModel(x.Model.ToCircuit(), x.Model.Observable, new GradientOptions { Method = GradientMethod.ParameterShift }).Kernel(x.Theta0, x.Data);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) Assert.That(ke[i, j], Is.EqualTo(kps[i, j]).Within(AnalysisTolerances.Exact));
        Assert.That(ke.MinEigenvalue, Is.GreaterThanOrEqualTo(AnalysisTolerances.PsdFloor));
    }

    [Test]
    public void Diagnostics_MatchClosedForms()
    {
        var k = new TangentKernel(new double[,] { { 2, 1 }, { 1, 2 } }); // eigenvalues 1, 3
        Assert.That(k.Eigenvalues[0], Is.EqualTo(1).Within(1e-14));
        Assert.That(k.Eigenvalues[1], Is.EqualTo(3).Within(1e-14));
        Assert.That(k.Trace, Is.EqualTo(4));
        Assert.That(k.ConditionNumber, Is.EqualTo(3).Within(1e-13));
        Assert.That(k.CriticalLearningRate, Is.EqualTo(2.0 / 3).Within(1e-14));
        var tau = k.DecayTimes(0.1);
        Assert.That(tau[0], Is.EqualTo(-1 / Math.Log(0.9)).Within(1e-12));
        Assert.That(tau[1], Is.EqualTo(-1 / Math.Log(0.7)).Within(1e-12));
        // y = (1, 1) is the top eigenvector: yᵀKy/(‖K‖_F ‖y‖²) = 6/(√10 · 2).
        Assert.That(k.TargetAlignment([1, 1]), Is.EqualTo(6 / (Math.Sqrt(10) * 2)).Within(1e-14));
        Assert.That(TangentKernel.Alignment(k, k), Is.EqualTo(1).Within(1e-14));
        Assert.Throws<ArgumentException>(() => new TangentKernel(new double[,] { { 1, 2 }, { 0, 1 } }));
    }

    [Test]
    public void CriticalLearningRate_LinearisedModelDivergesJustAboveIt()
    {
        var x = PaperSetups.Create(3, 16, 4, 1, 8);
        var o = new double[4];
        var j = new double[64];
        x.Engine.Evaluate(x.Theta0, o, j);
        var k0 = TangentKernel.FromJacobian(j, 4, 16);
        var r0 = o.Select((v, i) => v - x.Labels[i]).ToArray();
        double eta = k0.CriticalLearningRate;
        double Norm(double[] v) => Math.Sqrt(v.Sum(a => a * a));
        double below = Norm(new FrozenKernelPrediction(k0, r0, 0.95 * eta).Discrete(400));
        double above = Norm(new FrozenKernelPrediction(k0, r0, 1.05 * eta).Discrete(400));
        Assert.That(below, Is.LessThan(Norm(r0)));
        Assert.That(above, Is.GreaterThan(1e3 * Norm(r0)));
    }

    [Test]
    public void KernelDeviation_OfIdenticalKernels_IsZero()
    {
        var k = new TangentKernel(new double[,] { { 3, 1 }, { 1, 2 } });
        var d = KernelDeviation.Between(k, k);
        Assert.That(d.RelativeChange, Is.EqualTo(0));
        Assert.That(d.TraceRatio, Is.EqualTo(1));
        Assert.That(d.EigenvalueDrift, Is.EqualTo(0));
        Assert.That(d.Alignment, Is.EqualTo(1).Within(1e-15));
        var half = new TangentKernel(new double[,] { { 1.5, 0.5 }, { 0.5, 1 } });
        var e = KernelDeviation.Between(k, half);
        Assert.That(e.RelativeChange, Is.EqualTo(0.5).Within(1e-15));
        Assert.That(e.TraceRatio, Is.EqualTo(0.5).Within(1e-15));
        Assert.That(e.Alignment, Is.EqualTo(1).Within(1e-15));
    }

    [Test]
    public void Dqntk_EngineShiftHessiansMatchDifferentiatorHessians()
    {
        var x = PaperSetups.Create(2, 4, 3, 1.3, 5, PauliString.Parse("Y0 X1"));
        var viaEngine = Dqntk.FromEvaluator(x.Engine, x.Theta0);
        var viaCircuit = new QnnModel(x.Model.ToCircuit(), x.Model.Observable).Dqntk(x.Theta0, x.Data);
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 3; c++) Assert.That(viaEngine[a, b, c], Is.EqualTo(viaCircuit[a, b, c]).Within(1e-9));
    }

    [Test]
    public void Dqntk_PredictsOneStepKernelChange()
    {
        var x = PaperSetups.Create(2, 6, 2, 1.0, 9);
        int m = 2, p = 6;
        var o = new double[m];
        var j = new double[m * p];
        x.Engine.Evaluate(x.Theta0, o, j);
        var r = o.Select((v, i) => v - x.Labels[i]).ToArray();
        var k0 = TangentKernel.FromJacobian(j, m, p);
        double eta = 1e-4;
        var theta1 = (double[])x.Theta0.Clone();
        for (int l = 0; l < p; l++) theta1[l] -= eta * (r[0] * j[l] + r[1] * j[p + l]);
        x.Engine.Evaluate(theta1, o, j);
        var k1 = TangentKernel.FromJacobian(j, m, p);
        var dk = Dqntk.FromEvaluator(x.Engine, x.Theta0).KernelChange(r, eta);
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
                Assert.That(k1[a, b] - k0[a, b], Is.EqualTo(dk[a, b]).Within(1e-3 * Math.Abs(dk[a, b]) + 1e-12));
    }
}
