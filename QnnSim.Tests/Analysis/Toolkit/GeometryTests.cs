using System.Numerics;
using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Tests.Analysis.Toolkit;

/// <summary>State derivatives, QFIM, ranks, DLA dimension, orbit dimension and effective dimension against independent references.</summary>
[TestFixture]
public class GeometryTests
{
    /// <summary>A circuit that reaches every derivative path: Pauli rotations (exact shift), a controlled rotation, a
    /// controlled phase, a U gate with a variable angle, a shared parameter and an affine angle with a data input.</summary>
    private static Circuit Mixed()
    {
        var b = new CircuitBuilder(3);
        var t = b.Parameters("t", 5);
        var x = b.Input("x");
        b.H(0).Ry(1, t[0]).Rx(2, x * 0.7 + t[1]).CX(0, 1).CRy(1, 2, t[2]).CP(2, 0, t[3] * 2.0).U(1, t[0], 0.3, t[4]).Rzz(0, 2, t[3]).CZ(1, 2);
        return b.Build();
    }

    /// <summary>∂ψ/∂θ_j by central differences of the simulated state (step h; error O(h²) ≈ 1e-10).</summary>
    private static Complex[][] FiniteDifferenceDerivatives(Circuit circuit, double[] theta, double[] x)
    {
        const double h = 1e-5;
        var sim = new Simulator();
        var result = new Complex[theta.Length][];
        for (int j = 0; j < theta.Length; j++)
        {
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[j] += h;
            minus[j] -= h;
            var a = sim.Run(circuit, new ParameterValues(plus), new InputValues(x)).ToArray();
            var b = sim.Run(circuit, new ParameterValues(minus), new InputValues(x)).ToArray();
            result[j] = [.. a.Zip(b, (u, v) => (u - v) / (2 * h))];
        }
        return result;
    }

    [Test]
    public void StateDerivatives_MatchDenseFiniteDifferences()
    {
        var circuit = Mixed();
        double[] theta = [0.3, -1.1, 0.8, 0.45, 2.0];
        double[] x = [0.6];
        var (psi, d) = StateDerivatives.Compute(circuit, theta, x);
        var reference = new Simulator().Run(circuit, new ParameterValues(theta), new InputValues(x)).ToArray();
        for (int k = 0; k < psi.Length; k++) Assert.That(Complex.Abs(psi[k] - reference[k]), Is.LessThan(ToolkitTolerances.Circuit));
        var fd = FiniteDifferenceDerivatives(circuit, theta, x);
        for (int j = 0; j < theta.Length; j++)
            for (int k = 0; k < psi.Length; k++)
                Assert.That(Complex.Abs(d[j][k] - fd[j][k]), Is.LessThan(ToolkitTolerances.FiniteDifference), $"∂ψ/∂θ_{j}, amplitude {k}");
    }

    [Test]
    public void Qfim_MatchesFiniteDifferenceStatesAndClosedForm()
    {
        var circuit = Mixed();
        double[] theta = [0.3, -1.1, 0.8, 0.45, 2.0];
        double[] x = [0.6];
        var f = QuantumGeometry.QuantumFisherInformation(circuit, theta, x);
        var psi = new Simulator().Run(circuit, new ParameterValues(theta), new InputValues(x)).ToArray();
        var fd = FiniteDifferenceDerivatives(circuit, theta, x);
        Complex Inner(Complex[] a, Complex[] b) => a.Zip(b, (u, v) => Complex.Conjugate(u) * v).Aggregate(Complex.Zero, (s, v) => s + v);
        for (int i = 0; i < theta.Length; i++)
            for (int j = 0; j < theta.Length; j++)
            {
                double reference = 4 * (Inner(fd[i], fd[j]) - Inner(fd[i], psi) * Inner(psi, fd[j])).Real;
                Assert.That(f[i, j], Is.EqualTo(reference).Within(ToolkitTolerances.FiniteDifference), $"F[{i},{j}]");
            }

        // One Ry(θ) on |0⟩: F = 4 Var(Y/2) = 1 for every θ; Ry then Rz: F = diag(1, sin²θ0).
        var b = new CircuitBuilder(1);
        b.Ry(0, b.Parameter("a")).Rz(0, b.Parameter("b"));
        var f2 = QuantumGeometry.QuantumFisherInformation(b.Build(), [0.7, 1.9]);
        Assert.That(f2[0, 0], Is.EqualTo(1).Within(ToolkitTolerances.Exact));
        Assert.That(f2[1, 1], Is.EqualTo(Math.Sin(0.7) * Math.Sin(0.7)).Within(ToolkitTolerances.Exact));
        Assert.That(f2[0, 1], Is.EqualTo(0).Within(ToolkitTolerances.Exact));
    }

    [Test]
    public void QfimAndJacobianRank_SaturateAtOrbitDimensionBelowDla()
    {
        // Two qubits: the HEA's generators move to su(4) (dim 15); a pure state's orbit under SU(4) has dim 2d − 2 = 6.
        const int n = 2;
        var ranks = new List<int>();
        foreach (int layers in new[] { 1, 2, 4, 6 })
        {
            var circuit = CircuitFamilies.HardwareEfficient(n, layers);
            var theta = InitialParameters.Uniform(circuit.ParameterCount, (ulong)layers);
            ranks.Add(QuantumGeometry.Rank(QuantumGeometry.QuantumFisherInformation(circuit, theta)));
        }
        // L = 1 (p = 4) prepares product states (2 real dimensions per qubit, the CZ after them is fixed): rank 4; from
        // L = 2 (p = 8) the rank is saturated at 2d − 2 = 6, however many parameters follow.
        Assert.That(ranks, Is.EqualTo(new[] { 4, 6, 6, 6 }));
        var deep = CircuitFamilies.HardwareEfficient(n, 6);
        var dla = DynamicalLieAlgebra.FromGenerators(DynamicalLieAlgebra.CircuitGenerators(deep));
        Assert.That(dla.Dimension, Is.EqualTo(15));
        Assert.That(QuantumGeometry.OrbitDimension(dla, StateVector.Zero(n)), Is.EqualTo(6));

        // The dataset Jacobian's rank: adjoint and central differences agree.
        var model = new QnnModel(CircuitFamilies.DataReuploading(2, 2), PauliSum.Parse("Z0"));
        var data = ToyDatasets.TwoMoons(12, 0.1, seed: 1);
        var theta0 = InitialParameters.Uniform(model.ParameterCount, 3);
        var j = model.Jacobian(theta0, data, out _);
        var fdJ = new double[j.Length];
        int p = model.ParameterCount;
        for (int l = 0; l < p; l++)
        {
            var plus = (double[])theta0.Clone();
            var minus = (double[])theta0.Clone();
            plus[l] += 1e-5;
            minus[l] -= 1e-5;
            var fp = model.Predict(plus, data);
            var fm = model.Predict(minus, data);
            for (int i = 0; i < data.Count; i++) fdJ[i * p + l] = (fp[i] - fm[i]) / 2e-5;
        }
        Assert.That(QuantumGeometry.Rank(j, data.Count, p, 1e-6), Is.EqualTo(QuantumGeometry.Rank(fdJ, data.Count, p, 1e-6)));
    }

    private static IEnumerable<TestCaseData> DlaCases()
    {
        PauliSum P(string s) => PauliSum.Parse(s);
        yield return new TestCaseData(new[] { P("Z0 Z1"), P("Z1 Z2"), P("X0"), P("X1"), P("X2") }, 15).SetName("Dla_TransverseIsingOpen3_IsSo6");
        yield return new TestCaseData(new[] { P("Z0 Z1"), P("Z1 Z2"), P("Z2 Z3"), P("X0"), P("X1"), P("X2"), P("X3") }, 28).SetName("Dla_TransverseIsingOpen4_IsSo8");
        yield return new TestCaseData(new[] { P("X0"), P("Z0"), P("X1"), P("Z1"), P("X2"), P("Z2") }, 9).SetName("Dla_SingleQubit3_IsThreeSu2");
        yield return new TestCaseData(new[] { P("X0"), P("Y0"), P("X1"), P("Y1"), P("X2"), P("Y2"), P("Z0 Z1"), P("Z1 Z2") }, 63).SetName("Dla_Universal3_IsSu8");
        yield return new TestCaseData(new[] { P("Z0 Z1 + Z1 Z2"), P("X0 + X1 + X2") }, 0).SetName("Dla_UniformIsing3_MatchesDenseClosure");
    }

    [TestCaseSource(nameof(DlaCases))]
    public void Dla_KnownCases(PauliSum[] generators, int expected)
    {
        var dla = DynamicalLieAlgebra.FromGenerators(generators);
        int reference = DenseClosureDimension(generators, 3 + (generators.Length == 7 ? 1 : 0));
        Assert.That(dla.Dimension, Is.EqualTo(reference), "Pauli-basis closure against the dense-matrix closure");
        if (expected > 0) Assert.That(dla.Dimension, Is.EqualTo(expected));
    }

    /// <summary>The obvious reference: dense matrices iG, all commutators with the generators, Gram–Schmidt on the
    /// flattened real and imaginary parts.</summary>
    private static int DenseClosureDimension(PauliSum[] generators, int n)
    {
        int d = 1 << n;
        var sim = new Simulator();
        Complex[,] Dense(PauliSum g)
        {
            var m = new Complex[d, d];
            for (int c = 0; c < d; c++)
            {
                var col = new Complex[d];
                foreach (var t in g.Terms)
                {
                    var s = StateVector.BasisState(n, c);
                    sim.ApplyPauli(t.Pauli, s);
                    for (int r = 0; r < d; r++) col[r] += t.Coefficient * s[r];
                }
                for (int r = 0; r < d; r++) m[r, c] = Complex.ImaginaryOne * col[r];
            }
            return m;
        }
        Complex[,] Commutator(Complex[,] a, Complex[,] b)
        {
            var c = new Complex[d, d];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                    for (int k = 0; k < d; k++) c[i, j] += a[i, k] * b[k, j] - b[i, k] * a[k, j];
            return c;
        }
        var basis = new List<double[]>();
        var elements = new List<Complex[,]>();
        bool Add(Complex[,] m)
        {
            var v = new double[2 * d * d];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) { v[2 * (i * d + j)] = m[i, j].Real; v[2 * (i * d + j) + 1] = m[i, j].Imaginary; }
            double norm0 = Math.Sqrt(v.Sum(x => x * x));
            if (norm0 < 1e-12) return false;
            foreach (var b in basis)
            {
                double dot = v.Zip(b, (x, y) => x * y).Sum();
                for (int k = 0; k < v.Length; k++) v[k] -= dot * b[k];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            if (norm < 1e-9 * norm0) return false;
            basis.Add([.. v.Select(x => x / norm)]);
            elements.Add(m);
            return true;
        }
        var gens = generators.Select(Dense).ToArray();
        foreach (var g in gens) Add(g);
        for (int next = 0; next < elements.Count; next++)
            foreach (var g in gens) Add(Commutator(g, elements[next]));
        return basis.Count;
    }

    [Test]
    public void EffectiveDimension_MatchesDeterminantFormulaAndBounds()
    {
        var model = new QnnModel(CircuitFamilies.DataReuploading(2, 1), PauliSum.Parse("Z0"));
        var data = ToyDatasets.TwoMoons(10, 0.1, seed: 2);
        var evaluator = model.BindBatches(data);
        var fishers = Enumerable.Range(0, 6).Select(s => QuantumGeometry.ClassifierFisherInformation(evaluator, InitialParameters.Uniform(model.ParameterCount, (ulong)s + 10))).ToList();
        const long n = 1000;
        double deff = QuantumGeometry.EffectiveDimension(fishers, n);
        // Reference: determinants by LU (MathNet), plain means.
        int p = model.ParameterCount;
        double meanTrace = fishers.Average(f => Enumerable.Range(0, p).Sum(i => f[i, i]));
        double kappa = n / (2 * Math.PI * Math.Log(n));
        double mean = fishers.Average(f =>
        {
            var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(f) * (kappa * p / meanTrace)
                + MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(p);
            return Math.Sqrt(m.Determinant());
        });
        Assert.That(deff, Is.EqualTo(2 * Math.Log(mean) / Math.Log(kappa)).Within(1e-9));
        Assert.That(deff, Is.InRange(0.0, p));
    }
}
