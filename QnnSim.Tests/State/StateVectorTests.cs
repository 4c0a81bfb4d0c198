using System.Globalization;
using System.Numerics;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;
using R = QnnSim.Tests.Reference.DenseReference;

namespace QnnSim.Tests.State;

[TestFixture]
public class StateVectorTests
{
    [Test]
    public void Zero_IsBasisStateZero()
    {
        for (int n = 1; n <= 5; n++)
        {
            var s = StateVector.Zero(n);
            Assert.That(s.QubitCount, Is.EqualTo(n));
            Assert.That(s.Length, Is.EqualTo(1 << n));
            Assert.That(s[0], Is.EqualTo(Complex.One));
            Assert.That(s.Amplitudes.ToArray().Skip(1).All(a => a == Complex.Zero), Is.True);
        }
    }

    [Test]
    public void BasisState_QubitZeroIsLowestBit()
    {
        var sim = new Simulator();
        var s = StateVector.BasisState(3, 4); // |q2 q1 q0⟩ = |100⟩
        Assert.That(s[4], Is.EqualTo(Complex.One));
        Assert.That(sim.Expectation(s, PauliString.Z(2)), Is.EqualTo(-1.0));
        Assert.That(sim.Expectation(s, PauliString.Z(0)), Is.EqualTo(1.0));
        s.SetBasisState(1);
        Assert.That(sim.Expectation(s, PauliString.Z(0)), Is.EqualTo(-1.0));
        s.SetZero();
        Assert.That(s[0], Is.EqualTo(Complex.One));
        Assert.Throws<ArgumentOutOfRangeException>(() => StateVector.BasisState(3, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => StateVector.BasisState(3, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.SetBasisState(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = s[8]);
    }

    [TestCase(0)]
    [TestCase(31)]
    public void Factories_QubitCountOutOfRange_Throw(int n)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StateVector.Zero(n));
        Assert.That(e!.Message, Does.Contain(n.ToString()).And.Contain("1..30"));
        Assert.Throws<ArgumentOutOfRangeException>(() => StateVector.BasisState(n, 0));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(6)]
    [TestCase(12)]
    public void FromAmplitudes_LengthNotPowerOfTwoAtLeastTwo_Throws(int length)
    {
        var a = new Complex[length];
        if (length > 0) a[0] = 1;
        var e = Assert.Throws<ArgumentException>(() => StateVector.FromAmplitudes(a));
        Assert.That(e!.Message, Does.Contain($"got {length}"));
        Assert.That(e.ParamName, Is.EqualTo("amplitudes"));
    }

    [Test]
    public void FromAmplitudes_NonFinite_Throws()
    {
        foreach (var bad in new[] { new Complex(double.NaN, 0), new Complex(0, double.PositiveInfinity), new Complex(double.NegativeInfinity, 0) })
        {
            var e = Assert.Throws<ArgumentException>(() => StateVector.FromAmplitudes([1, bad, 0, 0]));
            Assert.That(e!.Message, Does.Contain("amplitude 1"));
        }
    }

    [Test]
    public void FromAmplitudes_NormTolerance_AcceptsWithin1e10AndRejectsOff1e9()
    {
        var psi = R.HaarState(3, 1);
        Complex[] Scaled(double normSquared) => [.. psi.Select(a => a * Math.Sqrt(normSquared))];
        Assert.DoesNotThrow(() => StateVector.FromAmplitudes(Scaled(1 + 0.9e-10)));
        Assert.DoesNotThrow(() => StateVector.FromAmplitudes(Scaled(1 - 0.9e-10)));
        var e = Assert.Throws<ArgumentException>(() => StateVector.FromAmplitudes(Scaled(Math.Pow(1 + 1e-9, 2))));
        Assert.That(e!.Message, Does.Contain("1e-10"));
        Assert.Throws<ArgumentException>(() => StateVector.FromAmplitudes(Scaled(Math.Pow(1 - 1e-9, 2))));
        Assert.Throws<ArgumentException>(() => StateVector.FromAmplitudes(new Complex[4]));
        var s = StateVector.FromAmplitudes(psi);
        Assert.That(R.MaxAbsDiff(s.Amplitudes, psi), Is.EqualTo(0));
    }

    [Test]
    public void SetAmplitudes_Invalid_LeavesStateUnchanged()
    {
        var psi = R.HaarState(2, 2);
        var s = StateVector.FromAmplitudes(psi);
        Assert.Throws<ArgumentException>(() => s.SetAmplitudes(new Complex[] { 2, 0, 0, 0 }));
        Assert.Throws<ArgumentException>(() => s.SetAmplitudes(new Complex[] { 1, 0 }));
        Assert.Throws<ArgumentException>(() => s.SetAmplitudes(new Complex[] { double.NaN, 0, 0, 0 }));
        Assert.That(R.MaxAbsDiff(s.Amplitudes, psi), Is.EqualTo(0));
        s.SetAmplitudes(new Complex[] { 0, 0, 0, Complex.ImaginaryOne });
        Assert.That(s[3], Is.EqualTo(Complex.ImaginaryOne));
    }

    [Test]
    public void CloneCopyInnerProductProbabilities_MatchReference()
    {
        var a = StateVector.FromAmplitudes(R.HaarState(4, 3));
        var b = StateVector.FromAmplitudes(R.HaarState(4, 4));
        var clone = a.Clone();
        Assert.That(R.MaxAbsDiff(clone.Amplitudes, a.Amplitudes), Is.EqualTo(0));
        clone.AmplitudesMutable[0] = 0;
        Assert.That(a[0], Is.Not.EqualTo(Complex.Zero), "a clone is a deep copy");

        Complex expected = 0;
        for (int k = 0; k < 16; k++) expected += Complex.Conjugate(a[k]) * b[k];
        Assert.That((a.InnerProduct(b) - expected).Magnitude, Is.LessThanOrEqualTo(Tolerances.Kernel));
        Assert.That(a.NormSquared(), Is.EqualTo(1).Within(Tolerances.Kernel));
        var p = a.Probabilities();
        for (int k = 0; k < 16; k++) Assert.That(p[k], Is.EqualTo(a[k].Magnitude * a[k].Magnitude).Within(1e-15));
        Assert.That(p.Sum(), Is.EqualTo(1).Within(Tolerances.Kernel));

        clone.CopyFrom(b);
        Assert.That(R.MaxAbsDiff(clone.Amplitudes, b.Amplitudes), Is.EqualTo(0));
        var small = StateVector.Zero(3);
        Assert.Throws<QubitCountMismatchException>(() => small.CopyFrom(a));
        Assert.Throws<QubitCountMismatchException>(() => small.InnerProduct(a));
    }

    [Test]
    public void RequiredBytes_IsSixteenTimesTwoToTheN()
    {
        Assert.That(StateVector.RequiredBytes(1), Is.EqualTo(32L));
        Assert.That(StateVector.RequiredBytes(10), Is.EqualTo(16L * 1024));
        Assert.That(StateVector.RequiredBytes(30), Is.EqualTo(17_179_869_184L), "30 qubits need 16 GiB");
        Assert.That(StateVector.AvailableBytes(), Is.GreaterThan(0));
    }

    [Test]
    public void InsufficientMemoryException_MessageGivesBytesNeededAndAvailable()
    {
        var e = new InsufficientMemoryForStateException(30, StateVector.RequiredBytes(30), 8L << 30);
        Assert.That(e.QubitCount, Is.EqualTo(30));
        Assert.That(e.BytesNeeded, Is.EqualTo(17_179_869_184L));
        Assert.That(e.BytesAvailable, Is.EqualTo(8L << 30));
        Assert.That(e.Message, Does.Contain("30-qubit")
            .And.Contain(17_179_869_184L.ToString("N0", CultureInfo.CurrentCulture))
            .And.Contain("16.00 GiB".Replace(".", CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator))
            .And.Contain("8.00 GiB".Replace(".", CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator)));
    }

    [Test]
    public void Zero_ThirtyQubitsWithoutTheMemory_ThrowsBeforeAllocating()
    {
        // The public path: only safe to try when the runtime reports less than 16 GiB available (with margin), since
        // otherwise it would really allocate 16 GiB.
        long need = StateVector.RequiredBytes(30);
        long available = StateVector.AvailableBytes();
        if (available >= need / 2)
            Assert.Ignore($"{available:N0} bytes available: a 30-qubit state might fit, so the failure path cannot be provoked safely.");
        var e = Assert.Throws<InsufficientMemoryForStateException>(() => StateVector.Zero(30));
        Assert.That(e!.BytesNeeded, Is.EqualTo(need));
        Assert.That(e.BytesAvailable, Is.LessThan(need));
        var sim = new Simulator();
        var c = new QnnSim.Circuits.CircuitBuilder(30).H(29).Build();
        Assert.Throws<InsufficientMemoryForStateException>(() => sim.Run(c, default, default));
    }
}
