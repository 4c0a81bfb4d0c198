using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Tests.Interop.OpenQasm;

/// <summary>Tolerances of the OpenQASM tests.</summary>
internal static class OpenQasmTolerances
{
    /// <summary>A parsed circuit against its reference on the same state (a few dozen gates of complex128 round-off).</summary>
    public const double State = 1e-12;

    /// <summary>A parsed gate's matrix against its textbook matrix.</summary>
    public const double Matrix = 1e-12;
}

/// <summary>Shared helpers: sample paths, seeded random states and values, dense references.</summary>
internal static class OpenQasmTestSupport
{
    public static string SamplePath(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits", name);

    public static StateVector RandomState(int qubits, SeededRandom rng)
    {
        var a = new Complex[1 << qubits];
        double norm = 0;
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = new Complex(rng.NextGaussian(), rng.NextGaussian());
            norm += a[i].Real * a[i].Real + a[i].Imaginary * a[i].Imaginary;
        }
        for (int i = 0; i < a.Length; i++) a[i] /= Math.Sqrt(norm);
        return StateVector.FromAmplitudes(a);
    }

    public static double[] RandomValues(int count, SeededRandom rng) =>
        [.. Enumerable.Range(0, count).Select(_ => rng.NextDouble(-Math.PI, Math.PI))];

    /// <summary>Largest |ψ_a − ψ_b| after applying both circuits to the same random states.</summary>
    public static double MaxStateDifference(Circuit a, ParameterValues pa, InputValues xa, Circuit b, ParameterValues pb, InputValues xb,
        ulong seed, int states = 3)
    {
        Assert.That(a.QubitCount, Is.EqualTo(b.QubitCount), "qubit counts differ");
        var sim = new Simulator();
        var rng = new SeededRandom(seed);
        double worst = 0;
        for (int s = 0; s < states; s++)
        {
            var psi = RandomState(a.QubitCount, rng);
            var phi = psi.Clone();
            sim.Apply(a, pa, xa, psi);
            sim.Apply(b, pb, xb, phi);
            for (int i = 0; i < psi.Length; i++) worst = Math.Max(worst, (psi[i] - phi[i]).Magnitude);
        }
        return worst;
    }

    /// <summary>Same-named variables bound to the same values: values for <paramref name="names"/> taken from a name→value map.</summary>
    public static double[] ByName(IEnumerable<string> names, IReadOnlyDictionary<string, double> values) =>
        [.. names.Select(n => values[n])];

    /// <summary>The circuit's unitary in QnnSim order (column k = U|k⟩, qubit 0 the least significant bit).</summary>
    public static Complex[,] UnitaryOf(Circuit c, ParameterValues p, InputValues x)
    {
        int d = 1 << c.QubitCount;
        var u = new Complex[d, d];
        var sim = new Simulator();
        for (int k = 0; k < d; k++)
        {
            var psi = StateVector.BasisState(c.QubitCount, k);
            sim.Apply(c, p, x, psi);
            for (int r = 0; r < d; r++) u[r, k] = psi[r];
        }
        return u;
    }

    /// <summary>
    /// Converts a textbook matrix (first operand the most significant bit) to QnnSim order (first operand = qubit 0,
    /// the least significant bit) by reversing the bits of row and column indices.
    /// </summary>
    public static Complex[,] FromTextbookOrder(Complex[,] m)
    {
        int d = m.GetLength(0);
        int k = System.Numerics.BitOperations.Log2((uint)d);
        int Rev(int i)
        {
            int r = 0;
            for (int b = 0; b < k; b++) if ((i >> b & 1) != 0) r |= 1 << (k - 1 - b);
            return r;
        }
        var r = new Complex[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                r[Rev(i), Rev(j)] = m[i, j];
        return r;
    }

    public static double MaxDifference(Complex[,] a, Complex[,] b)
    {
        Assert.That(a.GetLength(0), Is.EqualTo(b.GetLength(0)), "matrix sizes differ");
        double worst = 0;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                worst = Math.Max(worst, (a[i, j] - b[i, j]).Magnitude);
        return worst;
    }
}

/// <summary>Small dense complex matrices for textbook references (first operand = most significant bit).</summary>
internal static class Dense
{
    public static readonly Complex I = Complex.ImaginaryOne;

    public static Complex[,] M(int d, params Complex[] rowMajor)
    {
        var m = new Complex[d, d];
        for (int i = 0; i < d * d; i++) m[i / d, i % d] = rowMajor[i];
        return m;
    }

    public static Complex[,] Identity(int d)
    {
        var m = new Complex[d, d];
        for (int i = 0; i < d; i++) m[i, i] = 1;
        return m;
    }

    public static Complex[,] Mul(Complex[,] a, Complex[,] b)
    {
        int d = a.GetLength(0);
        var r = new Complex[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                Complex s = 0;
                for (int k = 0; k < d; k++) s += a[i, k] * b[k, j];
                r[i, j] = s;
            }
        return r;
    }

    public static Complex[,] Scale(Complex s, Complex[,] a)
    {
        int d = a.GetLength(0);
        var r = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) r[i, j] = s * a[i, j];
        return r;
    }

    public static Complex[,] Adjoint(Complex[,] a)
    {
        int d = a.GetLength(0);
        var r = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) r[j, i] = Complex.Conjugate(a[i, j]);
        return r;
    }

    public static Complex[,] Power(Complex[,] a, int k)
    {
        var r = Identity(a.GetLength(0));
        var b = k < 0 ? Adjoint(a) : a;
        for (int i = 0; i < Math.Abs(k); i++) r = Mul(r, b);
        return r;
    }

    public static Complex[,] Kron(Complex[,] a, Complex[,] b)
    {
        int da = a.GetLength(0), db = b.GetLength(0);
        var r = new Complex[da * db, da * db];
        for (int i = 0; i < da; i++) for (int j = 0; j < da; j++)
            for (int k = 0; k < db; k++) for (int l = 0; l < db; l++)
                r[i * db + k, j * db + l] = a[i, j] * b[k, l];
        return r;
    }

    /// <summary>|1⟩⟨1| ⊗ M + |0⟩⟨0| ⊗ I (control = the new most significant operand); negative: roles of |0⟩ and |1⟩ swapped.</summary>
    public static Complex[,] Controlled(Complex[,] m, bool positive = true)
    {
        int d = m.GetLength(0);
        var r = new Complex[2 * d, 2 * d];
        int active = positive ? d : 0, idle = positive ? 0 : d;
        for (int i = 0; i < d; i++)
        {
            r[idle + i, idle + i] = 1;
            for (int j = 0; j < d; j++) r[active + i, active + j] = m[i, j];
        }
        return r;
    }

    public static Complex[,] U(double t, double p, double l) => M(2,
        Math.Cos(t / 2), -Complex.Exp(I * l) * Math.Sin(t / 2),
        Complex.Exp(I * p) * Math.Sin(t / 2), Complex.Exp(I * (p + l)) * Math.Cos(t / 2));

    public static Complex[,] Rx(double a) => M(2, Math.Cos(a / 2), -I * Math.Sin(a / 2), -I * Math.Sin(a / 2), Math.Cos(a / 2));
    public static Complex[,] Ry(double a) => M(2, Math.Cos(a / 2), -Math.Sin(a / 2), Math.Sin(a / 2), Math.Cos(a / 2));
    public static Complex[,] Rz(double a) => M(2, Complex.Exp(-I * a / 2), 0, 0, Complex.Exp(I * a / 2));
    public static Complex[,] P(double a) => M(2, 1, 0, 0, Complex.Exp(I * a));
    public static readonly Complex[,] X = M(2, 0, 1, 1, 0);
    public static readonly Complex[,] Y = M(2, 0, -I, I, 0);
    public static readonly Complex[,] Z = M(2, 1, 0, 0, -1);
    public static readonly Complex[,] H = Scale(1 / Math.Sqrt(2), M(2, 1, 1, 1, -1));
    public static readonly Complex[,] S = M(2, 1, 0, 0, I);
    public static readonly Complex[,] T = M(2, 1, 0, 0, Complex.Exp(I * Math.PI / 4));
    public static readonly Complex[,] SX = Scale(0.5, M(2, 1 + I, 1 - I, 1 - I, 1 + I));
    public static readonly Complex[,] Swap = M(4, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1);
    public static readonly Complex[,] ISwap = M(4, 1, 0, 0, 0, 0, 0, I, 0, 0, I, 0, 0, 0, 0, 0, 1);

    /// <summary>exp(−iφ P⊗P/2) = cos(φ/2) I − i sin(φ/2) P⊗P.</summary>
    public static Complex[,] TwoQubitRotation(Complex[,] pauli, double phi)
    {
        var pp = Kron(pauli, pauli);
        var r = new Complex[4, 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                r[i, j] = (i == j ? Math.Cos(phi / 2) : 0) - I * Math.Sin(phi / 2) * pp[i, j];
        return r;
    }
}
