using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.Simulation;

/// <summary>
/// Results are bit-identical for one and two threads (the parallel threshold is lowered so that threads really run),
/// and large states, split into parallel chunks, still agree with the reference.
/// </summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector128)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public sealed class ThreadingTests(KernelPath path)
{
    private const int Qubits = 16;

    private SimulationOptions Options(int threads, bool fusion = true) =>
        new() { KernelPath = path, MaxThreads = threads, ParallelThresholdQubits = 4, Fusion = fusion };

    private static bool BitIdentical(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b)
    {
        if (a.Length != b.Length) return false;
        for (int k = 0; k < a.Length; k++)
            if (BitConverter.DoubleToInt64Bits(a[k].Real) != BitConverter.DoubleToInt64Bits(b[k].Real)
                || BitConverter.DoubleToInt64Bits(a[k].Imaginary) != BitConverter.DoubleToInt64Bits(b[k].Imaginary))
                return false;
        return true;
    }

    [TestCase(true)]
    [TestCase(false)]
    public void RunAndExpectation_OneAndTwoThreads_BitIdentical(bool fusion)
    {
        var (c, theta, x, _) = RandomCircuits.Build(Qubits, 99, 40, out _);
        var one = new Simulator(Options(1, fusion));
        var two = new Simulator(Options(2, fusion));
        var a = one.Run(c, theta, x);
        var b = two.Run(c, theta, x);
        Assert.That(BitIdentical(a.Amplitudes, b.Amplitudes), Is.True, "Run amplitudes differ between 1 and 2 threads");

        var rng = new SeededRandom(3);
        var terms = Enumerable.Range(0, 6).Select(k => new PauliTerm(rng.NextDouble(-1, 1), R.RandomPauliString(Qubits, rng))).ToList();
        terms.Add(new PauliTerm(0.5, PauliString.Parse("Z0 Z15")));
        terms.Add(new PauliTerm(0.25, PauliString.Identity));
        var o = new PauliSum(terms);
        double e1 = one.Expectation(a, o), e2 = two.Expectation(a, o);
        Assert.That(BitConverter.DoubleToInt64Bits(e1), Is.EqualTo(BitConverter.DoubleToInt64Bits(e2)), $"{e1:R} vs {e2:R}");
        foreach (var t in terms)
        {
            double p1 = one.Expectation(a, t.Pauli), p2 = two.Expectation(a, t.Pauli);
            Assert.That(BitConverter.DoubleToInt64Bits(p1), Is.EqualTo(BitConverter.DoubleToInt64Bits(p2)), t.Pauli.ToString());
        }
        Assert.That(one.Sample(a, 500, 4), Is.EqualTo(two.Sample(a, 500, 4)));
        Assert.That(one.EstimateExpectation(a, o, 300, 8), Is.EqualTo(two.EstimateExpectation(a, o, 300, 8)));
    }

    [Test]
    public void Expectation_LargeState_MatchesDirectSum()
    {
        // Compare the chunked, threaded reduction with a plain sequential sum over the amplitudes.
        var psi = R.HaarState(Qubits, 17);
        var state = StateVector.FromAmplitudes(psi);
        var two = new Simulator(Options(2));
        var p = PauliString.Parse("X0 Y7 Z15");
        Complex direct = 0;
        for (int k = 0; k < psi.Length; k++)
        {
            // P|k⟩ = i^{#Y} (−1)^{popcount(k ∧ z)} |k ⊕ x⟩ computed letter by letter.
            Complex amp = psi[k];
            int target = k;
            for (int q = 0; q < Qubits; q++)
            {
                int bit = k >> q & 1;
                switch (p[q])
                {
                    case Pauli.X: target ^= 1 << q; break;
                    case Pauli.Y: target ^= 1 << q; amp *= bit == 0 ? Complex.ImaginaryOne : -Complex.ImaginaryOne; break;
                    case Pauli.Z: if (bit == 1) amp = -amp; break;
                }
            }
            direct += Complex.Conjugate(psi[target]) * amp;
        }
        Assert.That(two.Expectation(state, p), Is.EqualTo(direct.Real).Within(Tolerances.Kernel));
        Assert.That(Math.Abs(direct.Imaginary), Is.LessThan(Tolerances.Kernel));
    }

    [TestCase(1)]
    [TestCase(2)]
    public void Apply_GatesOnFourteenQubits_MatchEmbeddedReference(int threads)
    {
        const int n = 14;
        var sim = new Simulator(Options(threads));
        var dense2 = R.HaarUnitary(4, 5);
        var dense3 = R.HaarUnitary(8, 6);
        var gates = new List<(Action<CircuitBuilder> Build, Matrix<Complex> Local, int[] Qubits)>
        {
            (b => b.H(0), R.H, [0]),
            (b => b.H(13), R.H, [13]),
            (b => b.Ry(7, 0.3), R.Ry(0.3), [7]),
            (b => b.CX(13, 0), R.Controlled(2, [1], 0, R.X), [0, 13]),
            (b => b.CX(0, 13), R.Controlled(2, [1], 0, R.X), [13, 0]),
            (b => b.Rzz(3, 12, 1.1), R.Rzz4(1.1), [3, 12]),
            (b => b.Rxx(12, 1, -0.4), R.Rxx4(-0.4), [12, 1]),
            (b => b.CCX(0, 13, 6), R.Controlled(3, [1, 2], 0, R.X), [6, 0, 13]),
            (b => b.Swap(2, 11), R.Swap4, [2, 11]),
            (b => b.Unitary([12, 1], UnitaryMatrix.Create(R.RowMajor(dense2))), dense2, [12, 1]),
            (b => b.Unitary([0, 13, 5], UnitaryMatrix.Create(R.RowMajor(dense3))), dense3, [0, 13, 5]),
            (b => b.PauliRotation(PauliString.Parse("X0 Y6 Z13"), 0.9),
                R.PauliRotation(R.PauliStringMatrix([Pauli.X, Pauli.Y, Pauli.Z]), 0.9), [0, 6, 13]),
        };
        var b = new CircuitBuilder(n);
        foreach (var g in gates) g.Build(b);
        var psi = R.HaarState(n, 44);
        var expected = psi;
        foreach (var g in gates) expected = R.ApplyEmbedded(g.Local, g.Qubits, expected);
        var state = StateVector.FromAmplitudes(psi);
        sim.Apply(b.Build(), default, default, state);
        Assert.That(R.MaxAbsDiff(state.Amplitudes, expected), Is.LessThanOrEqualTo(Tolerances.Circuit));
    }
}
