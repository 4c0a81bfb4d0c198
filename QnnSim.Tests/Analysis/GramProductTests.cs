using System.Runtime.InteropServices;
using QnnSim.Analysis;
using QnnSim.Benchmarks;
using QnnSim.Kernels;

namespace QnnSim.Tests.Analysis;

/// <summary>
/// The blocked, vectorised Gram products behind <see cref="TangentKernel.FromJacobian(ReadOnlySpan{double}, int, int)"/>
/// and <see cref="TangentKernel.Cross"/>, on every SIMD path, against the plain triple loop they replaced (<see cref="TangentKernelWorkload.TripleLoop"/>, and
/// inline where the rounding bound needs Σ|a b| too). Sizes reach
/// every edge: tails of every vector width (1, 7, 8, 9), the 4 × 4 register tile, the 16-row thread block, the 128-row
/// L2 panel (129, 257 rows) and the 512-column depth block (513, 1025 columns).
/// </summary>
[TestFixture(KernelPath.Scalar)]
[TestFixture(KernelPath.Vector128)]
[TestFixture(KernelPath.Vector256)]
[TestFixture(KernelPath.Vector512)]
public class GramProductTests(KernelPath path)
{
    private static readonly int[] Sizes = [0, 1, 7, 8, 9, 63, 64, 65, 257];

    private static IEnumerable<TestCaseData> Shapes()
    {
        foreach (int rows in Sizes)
            foreach (int columns in Sizes) yield return new TestCaseData(rows, columns);
        foreach (int rows in new[] { 9, 65, 129 })
            foreach (int columns in new[] { 511, 512, 513, 1025 }) yield return new TestCaseData(rows, columns);
    }

    [SetUp]
    public void RequirePath()
    {
        if (GramProduct.Resolve(path) != path) Assert.Ignore($"{path} is not accelerated on this processor.");
    }

    /// <summary>Seeded entries in [−1, 1).</summary>
    private static double[] Random(int count, int seed)
    {
        var r = new Random(seed);
        var a = new double[count];
        for (int i = 0; i < a.Length; i++) a[i] = 2 * r.NextDouble() - 1;
        return a;
    }

    /// <summary>|C − C_ref| ≤ 2γ_k Σ_l |a_il b_jl| (two evaluations of one dot product in different orders).</summary>
    private static void AssertNearReference(double[] c, double[] a, int rowsA, double[] b, int rowsB, int k)
    {
        for (int i = 0; i < rowsA; i++)
            for (int j = 0; j < rowsB; j++)
            {
                double s = 0, magnitude = 0;
                for (int l = 0; l < k; l++)
                {
                    s += a[i * k + l] * b[j * k + l];
                    magnitude += Math.Abs(a[i * k + l] * b[j * k + l]);
                }
                double bound = AnalysisTolerances.DotRoundingPerTerm * k * magnitude;
                // One assertion per failure only: NUnit's constraint per entry would dominate the run time.
                if (!(Math.Abs(c[i * rowsB + j] - s) <= bound))
                    Assert.That(c[i * rowsB + j], Is.EqualTo(s).Within(bound), $"C[{i},{j}] of {rowsA}×{rowsB}, k = {k}");
            }
    }

    private static bool BitIdentical(double[] x, double[] y) =>
        MemoryMarshal.Cast<double, long>(x).SequenceEqual(MemoryMarshal.Cast<double, long>(y));

    [TestCaseSource(nameof(Shapes))]
    public void Symmetric_AgreesWithTripleLoop_AndIsExactlySymmetric(int rows, int columns)
    {
        var a = Random(rows * columns, 1000 * rows + columns);
        var c = new double[rows * rows];
        c.AsSpan().Fill(double.NaN); // every entry must be written
        GramProduct.Symmetric(a, rows, columns, c, 1, path);
        AssertNearReference(c, a, rows, a, rows, columns);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < i; j++)
                if (BitConverter.DoubleToInt64Bits(c[j * rows + i]) != BitConverter.DoubleToInt64Bits(c[i * rows + j]))
                    Assert.Fail($"K[{j},{i}] = {c[j * rows + i]:R} ≠ K[{i},{j}] = {c[i * rows + j]:R}");
    }

    [TestCaseSource(nameof(Shapes))]
    public void General_AgreesWithTripleLoop(int rows, int columns)
    {
        int other = rows == 0 ? 3 : rows + 3; // a non-square product with a different tile remainder
        var a = Random(rows * columns, 2000 * rows + columns);
        var b = Random(other * columns, 3000 * rows + columns);
        var c = new double[rows * other];
        c.AsSpan().Fill(double.NaN);
        GramProduct.General(a, rows, b, other, columns, c, 1, path);
        AssertNearReference(c, a, rows, b, other, columns);
    }

    [TestCase(257, 400)]
    [TestCase(65, 9)]
    [TestCase(7, 1)]
    [TestCase(64, 1025)]
    public void Symmetric_AnyThreadCount_BitIdentical(int rows, int columns)
    {
        var a = Random(rows * columns, 7);
        var one = new double[rows * rows];
        GramProduct.Symmetric(a, rows, columns, one, 1, path, parallelThreshold: 0);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            var many = new double[rows * rows];
            GramProduct.Symmetric(a, rows, columns, many, threads, path, parallelThreshold: 0);
            Assert.That(BitIdentical(one, many), $"{threads} threads differ from one thread");
        }
    }

    [TestCase(257, 63, 400)]
    [TestCase(9, 65, 513)]
    public void General_AnyThreadCount_BitIdentical(int rowsA, int rowsB, int columns)
    {
        var a = Random(rowsA * columns, 8);
        var b = Random(rowsB * columns, 9);
        var one = new double[rowsA * rowsB];
        GramProduct.General(a, rowsA, b, rowsB, columns, one, 1, path, parallelThreshold: 0);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            var many = new double[rowsA * rowsB];
            GramProduct.General(a, rowsA, b, rowsB, columns, many, threads, path, parallelThreshold: 0);
            Assert.That(BitIdentical(one, many), $"{threads} threads differ from one thread");
        }
    }

    [Test]
    public void Symmetric_SmallIntegers_Exact()
    {
        // Integer products and sums below 2^53 are exact in every order, so each path must give the exact Gram matrix.
        const int rows = 13, columns = 37;
        var a = new double[rows * columns];
        for (int i = 0; i < a.Length; i++) a[i] = (i * 7919 % 23) - 11;
        var c = new double[rows * rows];
        GramProduct.Symmetric(a, rows, columns, c, 1, path);
        Assert.That(c, Is.EqualTo(TangentKernelWorkload.TripleLoop(a, rows, a, rows, columns)).AsCollection);
    }
}

/// <summary>The public face of the Gram products: validation, the caller-supplied buffer, thread counts.</summary>
[TestFixture]
public class TangentKernelComputeTests
{
    private static double[] Jacobian(int m, int p, int seed)
    {
        var r = new Random(seed);
        return [.. Enumerable.Range(0, m * p).Select(_ => r.NextDouble() - 0.5)];
    }

    [Test]
    public void FromJacobian_AgreesWithTripleLoop_ForEveryThreadCount()
    {
        const int m = 256, p = 400;
        var j = Jacobian(m, p, 11);
        var reference = TangentKernelWorkload.TripleLoop(j, m, j, m, p);
        var one = TangentKernel.FromJacobian(j, m, p, maxThreads: 1).ToArray();
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
                Assert.That(one[a, b], Is.EqualTo(reference[a * m + b]).Within(AnalysisTolerances.DotRoundingPerTerm * p * (p * 0.25))); // |J_il| ≤ 0.5
        foreach (int threads in new[] { 2, 3, 4 })
            Assert.That(TangentKernel.FromJacobian(j, m, p, threads).ToArray(), Is.EqualTo(one).AsCollection, $"{threads} threads");
        Assert.That(TangentKernel.FromJacobian(j, m, p).ToArray(), Is.EqualTo(one).AsCollection, "default threads");
    }

    [Test]
    public void FromJacobian_ArrayOverload_EqualsSpanOverload()
    {
        const int m = 5, p = 11;
        var flat = Jacobian(m, p, 12);
        var array = new double[m, p];
        for (int i = 0; i < m; i++)
            for (int l = 0; l < p; l++) array[i, l] = flat[i * p + l];
        Assert.That(TangentKernel.FromJacobian(array).ToArray(), Is.EqualTo(TangentKernel.FromJacobian(flat, m, p).ToArray()).AsCollection);
    }

    [Test]
    public void Compute_CallerBuffer_MatchesFromJacobian_AndAllocatesNothingOnOneThread()
    {
        const int m = 64, p = 100;
        var j = Jacobian(m, p, 13);
        var k = new double[m * m + 3];
        k[^1] = 42;
        TangentKernel.Compute(j, m, p, k, maxThreads: 1);
        var expected = TangentKernel.FromJacobian(j, m, p, 1);
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) Assert.That(k[a * m + b], Is.EqualTo(expected[a, b]));
        Assert.That(k[^1], Is.EqualTo(42), "nothing written past m²");
        // The smallest of three batches (a one-off runtime allocation while compiling would show in one batch only).
        long allocated = long.MaxValue;
        for (int batch = 0; batch < 3; batch++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int r = 0; r < 20; r++) TangentKernel.Compute(j, m, p, k, maxThreads: 1);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void Compute_EmptySizes_WriteNothingOrZeros()
    {
        var k = new[] { 5.0, 5, 5, 5 };
        TangentKernel.Compute([], 0, 7, k, 1);
        Assert.That(k, Is.EqualTo(new[] { 5.0, 5, 5, 5 }).AsCollection);
        TangentKernel.Compute([], 2, 0, k, 1);
        Assert.That(k, Is.EqualTo(new[] { 0.0, 0, 0, 0 }).AsCollection);
    }

    [Test]
    public void Compute_BadInput_ThrowsNamingTheValue()
    {
        var j = Jacobian(3, 4, 14);
        var k = new double[9];
        var e = Assert.Throws<ArgumentException>(() => TangentKernel.Compute(j, 3, 5, k, 1))!;
        Assert.That(e.Message, Does.Contain("length 12").And.Contain("3·5 = 15"));
        e = Assert.Throws<ArgumentException>(() => TangentKernel.Compute(j, 3, 4, new double[8], 1))!;
        Assert.That(e.ParamName, Is.EqualTo("destination"));
        Assert.That(e.Message, Does.Contain("length 8").And.Contain("m² = 9"));
        var t = Assert.Throws<ArgumentOutOfRangeException>(() => TangentKernel.Compute(j, 3, 4, k, 0))!;
        Assert.That(t.Message, Does.Contain("maxThreads = 0"));
        Assert.Throws<ArgumentException>(() => TangentKernel.Compute(j, -1, -12, k, 1));
        j[6] = double.NaN;
        k.AsSpan().Fill(7);
        e = Assert.Throws<ArgumentException>(() => TangentKernel.Compute(j, 3, 4, k, 1))!;
        Assert.That(e.Message, Does.Contain("NaN").And.Contain("row 1, column 2"));
        Assert.That(k, Is.All.EqualTo(7), "nothing written before the error");
        j[6] = double.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => TangentKernel.FromJacobian(j, 3, 4));
        Assert.Throws<ArgumentException>(() => TangentKernel.Cross(j, Jacobian(2, 4, 15), 4));
        Assert.Throws<ArgumentException>(() => TangentKernel.FromJacobian([], 0, 4));
    }
}
