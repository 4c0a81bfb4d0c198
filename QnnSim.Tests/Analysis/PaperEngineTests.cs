using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;

namespace QnnSim.Tests.Analysis;

[TestFixture]
public class PaperEngineTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        // n = 1 (scalar path), 2 (generic SIMD), 3 (d = 8 path), 4 (generic SIMD, d = 16); diagonal and non-diagonal generators.
        yield return new TestCaseData(1, 4, "Y0", "Z0", 1.0).SetName("Engine_n1_Y0_Z0");
        yield return new TestCaseData(2, 6, "X0 X1", "Z1", 1.5).SetName("Engine_n2_X0X1_Z1");
        yield return new TestCaseData(3, 7, "Z0", "Z0", 1.0).SetName("Engine_n3_Z0_Z0");
        yield return new TestCaseData(3, 5, "X1 Y2", "Z0 X1", 2.0).SetName("Engine_n3_X1Y2_Z0X1");
        yield return new TestCaseData(4, 3, "Y0 Z3", "X2", 1.2).SetName("Engine_n4_Y0Z3_X2");
    }

    [TestCaseSource(nameof(Cases))]
    public void Evaluate_MatchesDifferentiatorOnCircuit_To1e10(int n, int p, string h, string pr, double gamma)
    {
        var x = PaperSetups.Create(n, p, Math.Min(3, 1 << n), gamma, 11, PauliString.Parse(h), PauliString.Parse(pr));
        int m = x.Data.Count;
        var outputs = new double[m];
        var jac = new double[m * p];
        x.Engine.Evaluate(x.Theta0, outputs, jac);

        var general = new QnnModel(x.Model.ToCircuit(), x.Model.Observable, new GradientOptions { Method = GradientMethod.Adjoint });
        var gj = general.Jacobian(x.Theta0, x.Data, out var gout);
        for (int i = 0; i < m; i++) Assert.That(outputs[i], Is.EqualTo(gout[i]).Within(AnalysisTolerances.Exact), $"output {i}");
        for (int k = 0; k < m * p; k++) Assert.That(jac[k], Is.EqualTo(gj[k]).Within(AnalysisTolerances.Exact), $"Jacobian entry {k}");
    }

    [Test]
    public void ToCircuit_UsesAngleTwoTheta_GateConvention()
    {
        var model = PaperModel.CreateRandom(2, 3, 5, generator: PauliString.Parse("X0 Z1"));
        var c = model.ToCircuit();
        var rotations = c.Operations.Where(o => o.Kind == GateKind.PauliRotation).ToList();
        Assert.That(rotations, Has.Count.EqualTo(3));
        Assert.That(rotations[1].Angles[0].TryGetAffine(out var kind, out int idx, out double scale, out double offset), Is.True);
        Assert.That((kind, idx, scale, offset), Is.EqualTo((VariableKind.Parameter, 1, 2.0, 0.0)));
        Assert.That(c.Operations.Count(o => o.Kind == GateKind.Unitary), Is.EqualTo(4));
    }

    [Test]
    public void HeisenbergReadout_ReproducesOutputsAndSpectrum()
    {
        var x = PaperSetups.Create(3, 9, 4, 1.5, 3, PauliString.Parse("Y1"));
        var outputs = new double[4];
        x.Engine.Evaluate(x.Theta0, outputs, default);
        var m = x.Engine.HeisenbergReadout(x.Theta0);
        for (int i = 0; i < 4; i++)
        {
            var psi = x.Data.States![i].Amplitudes;
            System.Numerics.Complex e = 0;
            for (int a = 0; a < 8; a++)
                for (int b = 0; b < 8; b++) e += System.Numerics.Complex.Conjugate(psi[a]) * m[a * 8 + b] * psi[b];
            Assert.That(e.Real, Is.EqualTo(outputs[i]).Within(1e-12));
        }
        // M² = γ² I for M0 = γP.
        for (int a = 0; a < 8; a++)
            for (int b = 0; b < 8; b++)
            {
                System.Numerics.Complex s = 0;
                for (int k = 0; k < 8; k++) s += m[a * 8 + k] * m[k * 8 + b];
                Assert.That((s - (a == b ? 2.25 : 0)).Magnitude, Is.LessThan(1e-12));
            }
    }

    [Test]
    public void Evaluate_WrongLengths_Throw()
    {
        var x = PaperSetups.Create(2, 3, 2, 1, 1);
        Assert.Throws<ArgumentException>(() => x.Engine.Evaluate(new double[2], new double[2], default));
        Assert.Throws<ArgumentException>(() => x.Engine.Evaluate(new double[3], new double[1], default));
        Assert.Throws<ArgumentException>(() => x.Engine.Evaluate(new double[3], new double[2], new double[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Engine.Evaluate([0, double.NaN, 0], new double[2], default));
    }

    [Test]
    public void CreateRandom_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PaperModel.CreateRandom(0, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaperModel.CreateRandom(2, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaperModel.CreateRandom(2, 3, 1, gamma: 0));
        Assert.Throws<ArgumentException>(() => PaperModel.CreateRandom(2, 3, 1, generator: PauliString.Z(2)));
        Assert.Throws<ArgumentException>(() => PaperModel.CreateRandom(2, 3, 1, readout: PauliString.Identity));
    }

    [Test]
    public void Haar_UnitaryIsUnitaryAndSeeded()
    {
        var a = HaarRandom.UnitaryElements(8, new QnnSim.Randomness.SeededRandom(4));
        var b = HaarRandom.UnitaryElements(8, new QnnSim.Randomness.SeededRandom(4));
        Assert.That(a, Is.EqualTo(b));
        Assert.DoesNotThrow(() => UnitaryMatrix.Create(a, 1e-12));
    }
}
