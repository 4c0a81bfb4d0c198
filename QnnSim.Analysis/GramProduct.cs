using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using QnnSim.Kernels;

namespace QnnSim.Analysis;

/// <summary>
/// Dense Gram products of row-major matrices: C = A Aᵀ (a symmetric rank-k update: only the lower triangle is
/// computed, then mirrored) and C = A Bᵀ. Every entry is a dot product of two contiguous rows, so no packing is needed.
/// </summary>
/// <remarks>
/// Assumptions (not checked beyond Debug.Assert): spans hold rows·k doubles, the destination holds rowsA·rowsB doubles,
/// nothing overlaps. Allocation-free on one thread; several threads cost one Parallel.For.
///
/// Why it is fast: a 4 × 4 tile of C keeps 16 vector accumulators in registers; one step over k loads 4 + 4 vectors
/// and issues 16 fused multiply-adds. The four rows of A (4·DepthBlock doubles, 16 KiB) stay in L1 while the rows of B
/// stream from L2; blocks of DepthBlock columns keep that true for any k, and panels of PanelRows rows of B stay in L2.
///
/// Why results do not depend on threads: every entry C_ij is computed by the same arithmetic whatever tile, block or
/// thread produces it: lane l of its accumulator sums a_k·b_k (one FMA each) for k ≡ l (mod W) in increasing k within
/// each DepthBlock block, the lanes are summed in a fixed order, the block's tail k (fewer than W) are added by scalar FMAs in
/// increasing k, and the block sums are added in increasing block order. Tiles at the matrix edge repeat the last
/// row instead of branching, which changes no other entry. Threads only decide who computes which rows. Because an
/// FMA is exactly rounded and a·b = b·a, dot(a, b) = dot(b, a) bit for bit, so C = A Aᵀ is exactly symmetric. The
/// summation order does depend on the vector width W (the <see cref="KernelPath"/>), so results differ between paths
/// by rounding (≈ k·ε·Σ|a_k b_k|).
/// </remarks>
internal static class GramProduct
{
    /// <summary>Columns (k) per cache block: 4 rows of A and 4 of B at 4 KiB each fit in a 48 KiB L1 with room to spare.</summary>
    internal const int DepthBlock = 512;

    /// <summary>Rows of B per panel kept in L2 (128 · 4 KiB = 512 KiB; a multiple of the tile width).</summary>
    internal const int PanelRows = 128;

    /// <summary>Rows of C per work item of a thread (a multiple of the tile height).</summary>
    internal const int RowBlock = 16;

    /// <summary>Below this many multiply-adds a call stays on the calling thread (thread start-up costs ~10 µs).</summary>
    internal const long ParallelThreshold = 1L << 18;

    private const int Tile = 4;

    /// <summary>C = A Aᵀ, row-major rows × rows, from row-major A (rows × k). Exactly symmetric.</summary>
    public static void Symmetric(ReadOnlySpan<double> a, int rows, int k, Span<double> c, int maxThreads,
        KernelPath path = KernelPath.Auto, long parallelThreshold = ParallelThreshold)
    {
        Debug.Assert(a.Length >= (long)rows * k && c.Length >= (long)rows * rows && maxThreads >= 1);
        Run(a, a, rows, rows, k, c, symmetric: true, maxThreads, path, parallelThreshold);
    }

    /// <summary>C = A Bᵀ, row-major rowsA × rowsB, from row-major A (rowsA × k) and B (rowsB × k).</summary>
    public static void General(ReadOnlySpan<double> a, int rowsA, ReadOnlySpan<double> b, int rowsB, int k, Span<double> c,
        int maxThreads, KernelPath path = KernelPath.Auto, long parallelThreshold = ParallelThreshold)
    {
        Debug.Assert(a.Length >= (long)rowsA * k && b.Length >= (long)rowsB * k && c.Length >= (long)rowsA * rowsB && maxThreads >= 1);
        Run(a, b, rowsA, rowsB, k, c, symmetric: false, maxThreads, path, parallelThreshold);
    }

    /// <summary>The path that runs for <paramref name="requested"/> on this processor (the widest not above it).</summary>
    public static KernelPath Resolve(KernelPath requested)
    {
        KernelPath widest = Vector512.IsHardwareAccelerated ? KernelPath.Vector512
            : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
            : Vector128.IsHardwareAccelerated ? KernelPath.Vector128 : KernelPath.Scalar;
        return requested == KernelPath.Auto || requested > widest ? widest : requested;
    }

    private static unsafe void Run(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int rowsA, int rowsB, int k, Span<double> c,
        bool symmetric, int maxThreads, KernelPath path, long parallelThreshold)
    {
        if (rowsA == 0 || rowsB == 0) return;
        if (k == 0)
        {
            c[..(rowsA * rowsB)].Clear();
            return;
        }
        KernelPath resolved = Resolve(path);
        int blocks = (rowsA + RowBlock - 1) / RowBlock;
        long work = (long)rowsA * rowsB * k / (symmetric ? 2 : 1);
        int threads = work < parallelThreshold ? 1 : Math.Min(maxThreads, blocks);
        fixed (double* pa = a, pb = b, pc = c)
        {
            var job = new Job(pa, pb, pc, rowsA, rowsB, k, symmetric, resolved);
            if (threads == 1)
            {
                for (int block = 0; block < blocks; block++) job.RowBlockOf(block);
            }
            else RunParallel(job, blocks, threads, symmetric);
        }
    }

    /// <summary>Shares the row blocks among threads (its own method: the closure is allocated only here).</summary>
    private static void RunParallel(Job job, int blocks, int threads, bool symmetric)
    {
        // Blocks of the lower triangle grow with the row index: hand out the largest first, so the last ones to finish
        // are the cheapest (the split never changes a result, only who computes it).
        int next = -1;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            int taken;
            while ((taken = Interlocked.Increment(ref next)) < blocks)
                job.RowBlockOf(symmetric ? blocks - 1 - taken : taken);
        });
    }

    /// <summary>One product: raw pointers so that threads can share the spans the caller pinned.</summary>
    private readonly unsafe struct Job(double* a, double* b, double* c, int rowsA, int rowsB, int k, bool symmetric, KernelPath path)
    {
        /// <summary>Rows [block·RowBlock, …) of C (lower triangle and its mirror when symmetric).</summary>
        public void RowBlockOf(int block)
        {
            int i0 = block * RowBlock, i1 = Math.Min(rowsA, i0 + RowBlock);
            int jEnd = symmetric ? i1 : rowsB;
            for (int k0 = 0; k0 < k; k0 += DepthBlock)
            {
                int k1 = Math.Min(k, k0 + DepthBlock);
                bool first = k0 == 0;
                switch (path)
                {
                    case KernelPath.Vector512: Rows<Lanes512, Vector512<double>>(i0, i1, jEnd, k0, k1, first); break;
                    case KernelPath.Vector256: Rows<Lanes256, Vector256<double>>(i0, i1, jEnd, k0, k1, first); break;
                    case KernelPath.Vector128: Rows<Lanes128, Vector128<double>>(i0, i1, jEnd, k0, k1, first); break;
                    default: Rows<LanesScalar, double>(i0, i1, jEnd, k0, k1, first); break;
                }
            }
            if (!symmetric) return;
            // Mirror the finished rows into their columns. Rows [i0, i1) are final; the upper entries C_ji (j < i) are
            // written by no other block, so threads never share an entry.
            for (int i = i0; i < i1; i++)
                for (int j = 0; j < i; j++) c[(nint)j * rowsA + i] = c[(nint)i * rowsA + j];
        }

        private void Rows<TLanes, TVec>(int i0, int i1, int jEnd, int k0, int k1, bool first)
            where TLanes : struct, ILanes<TVec> where TVec : struct
        {
            // A panel of B rows (PanelRows · DepthBlock doubles, 512 KiB) stays in L2 while every row tile of the block
            // passes over it.
            for (int jb = 0; jb < jEnd; jb += PanelRows)
                for (int i = i0; i < i1; i += Tile)
                {
                    int jStop = Math.Min(jb + PanelRows, symmetric ? Math.Min(jEnd, i + Tile) : jEnd);
                    for (int j = jb; j < jStop; j += Tile)
                        TileOf<TLanes, TVec>(i, Math.Min(Tile, i1 - i), j, Math.Min(Tile, jStop - j), k0, k1, first);
                }
        }

        /// <summary>
        /// C[i..i+ni, j..j+nj] (+)= Σ_{k0 ≤ l &lt; k1} A[i+r, l]·B[j+s, l]; ni, nj ≤ 4. Missing rows repeat the last valid
        /// one (computed, never stored), so one register tile serves every edge. In symmetric mode only j ≤ i is stored.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TileOf<TLanes, TVec>(int i, int ni, int j, int nj, int k0, int k1, bool first)
            where TLanes : struct, ILanes<TVec> where TVec : struct
        {
            double* a0 = a + (nint)i * k, a1 = a0 + (ni > 1 ? k : 0), a2 = a0 + (nint)(ni > 2 ? 2 : ni - 1) * k, a3 = a0 + (nint)(ni - 1) * k;
            double* b0 = b + (nint)j * k, b1 = b0 + (nj > 1 ? k : 0), b2 = b0 + (nint)(nj > 2 ? 2 : nj - 1) * k, b3 = b0 + (nint)(nj - 1) * k;
            TVec s00 = TLanes.Zero, s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            TVec s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00;
            int w = TLanes.Width, l = k0;
            for (; l <= k1 - w; l += w)
            {
                TVec x0 = TLanes.Load(a0 + l), x1 = TLanes.Load(a1 + l), x2 = TLanes.Load(a2 + l), x3 = TLanes.Load(a3 + l);
                TVec y = TLanes.Load(b0 + l);
                s00 = TLanes.MultiplyAdd(x0, y, s00); s10 = TLanes.MultiplyAdd(x1, y, s10);
                s20 = TLanes.MultiplyAdd(x2, y, s20); s30 = TLanes.MultiplyAdd(x3, y, s30);
                y = TLanes.Load(b1 + l);
                s01 = TLanes.MultiplyAdd(x0, y, s01); s11 = TLanes.MultiplyAdd(x1, y, s11);
                s21 = TLanes.MultiplyAdd(x2, y, s21); s31 = TLanes.MultiplyAdd(x3, y, s31);
                y = TLanes.Load(b2 + l);
                s02 = TLanes.MultiplyAdd(x0, y, s02); s12 = TLanes.MultiplyAdd(x1, y, s12);
                s22 = TLanes.MultiplyAdd(x2, y, s22); s32 = TLanes.MultiplyAdd(x3, y, s32);
                y = TLanes.Load(b3 + l);
                s03 = TLanes.MultiplyAdd(x0, y, s03); s13 = TLanes.MultiplyAdd(x1, y, s13);
                s23 = TLanes.MultiplyAdd(x2, y, s23); s33 = TLanes.MultiplyAdd(x3, y, s33);
            }
            // One entry at a time from here: the tail and the store are cheap next to the loop above.
            Store(i, j, 0, 0, ni, nj, TLanes.Sum(s00), a0, b0, l, k1, first); Store(i, j, 0, 1, ni, nj, TLanes.Sum(s01), a0, b1, l, k1, first);
            Store(i, j, 0, 2, ni, nj, TLanes.Sum(s02), a0, b2, l, k1, first); Store(i, j, 0, 3, ni, nj, TLanes.Sum(s03), a0, b3, l, k1, first);
            Store(i, j, 1, 0, ni, nj, TLanes.Sum(s10), a1, b0, l, k1, first); Store(i, j, 1, 1, ni, nj, TLanes.Sum(s11), a1, b1, l, k1, first);
            Store(i, j, 1, 2, ni, nj, TLanes.Sum(s12), a1, b2, l, k1, first); Store(i, j, 1, 3, ni, nj, TLanes.Sum(s13), a1, b3, l, k1, first);
            Store(i, j, 2, 0, ni, nj, TLanes.Sum(s20), a2, b0, l, k1, first); Store(i, j, 2, 1, ni, nj, TLanes.Sum(s21), a2, b1, l, k1, first);
            Store(i, j, 2, 2, ni, nj, TLanes.Sum(s22), a2, b2, l, k1, first); Store(i, j, 2, 3, ni, nj, TLanes.Sum(s23), a2, b3, l, k1, first);
            Store(i, j, 3, 0, ni, nj, TLanes.Sum(s30), a3, b0, l, k1, first); Store(i, j, 3, 1, ni, nj, TLanes.Sum(s31), a3, b1, l, k1, first);
            Store(i, j, 3, 2, ni, nj, TLanes.Sum(s32), a3, b2, l, k1, first); Store(i, j, 3, 3, ni, nj, TLanes.Sum(s33), a3, b3, l, k1, first);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Store(int i, int j, int r, int s, int ni, int nj, double sum, double* x, double* y, int l, int k1, bool first)
        {
            if (r >= ni || s >= nj || (symmetric && j + s > i + r)) return;
            for (; l < k1; l++) sum = Math.FusedMultiplyAdd(x[l], y[l], sum);
            double* target = c + (nint)(i + r) * rowsB + j + s;
            *target = first ? sum : *target + sum;
        }
    }

    /// <summary>The vector operations one path needs (TensorPrimitives' struct-operator pattern).</summary>
    private unsafe interface ILanes<TVec> where TVec : struct
    {
        static abstract int Width { get; }
        static abstract TVec Zero { get; }
        static abstract TVec Load(double* source);
        static abstract TVec MultiplyAdd(TVec x, TVec y, TVec addend);
        /// <summary>Σ lanes in a fixed order.</summary>
        static abstract double Sum(TVec v);
    }

    private readonly unsafe struct Lanes512 : ILanes<Vector512<double>>
    {
        public static int Width => Vector512<double>.Count;
        public static Vector512<double> Zero => Vector512<double>.Zero;
        public static Vector512<double> Load(double* source) => Vector512.Load(source);
        public static Vector512<double> MultiplyAdd(Vector512<double> x, Vector512<double> y, Vector512<double> addend) => Vector512.FusedMultiplyAdd(x, y, addend);
        public static double Sum(Vector512<double> v) => Lanes256.Sum(v.GetLower() + v.GetUpper());
    }

    private readonly unsafe struct Lanes256 : ILanes<Vector256<double>>
    {
        public static int Width => Vector256<double>.Count;
        public static Vector256<double> Zero => Vector256<double>.Zero;
        public static Vector256<double> Load(double* source) => Vector256.Load(source);
        public static Vector256<double> MultiplyAdd(Vector256<double> x, Vector256<double> y, Vector256<double> addend) => Vector256.FusedMultiplyAdd(x, y, addend);
        public static double Sum(Vector256<double> v) => Lanes128.Sum(v.GetLower() + v.GetUpper());
    }

    private readonly unsafe struct Lanes128 : ILanes<Vector128<double>>
    {
        public static int Width => Vector128<double>.Count;
        public static Vector128<double> Zero => Vector128<double>.Zero;
        public static Vector128<double> Load(double* source) => Vector128.Load(source);
        public static Vector128<double> MultiplyAdd(Vector128<double> x, Vector128<double> y, Vector128<double> addend) => Vector128.FusedMultiplyAdd(x, y, addend);
        public static double Sum(Vector128<double> v) => v.GetElement(0) + v.GetElement(1);
    }

    private readonly unsafe struct LanesScalar : ILanes<double>
    {
        public static int Width => 1;
        public static double Zero => 0;
        public static double Load(double* source) => *source;
        public static double MultiplyAdd(double x, double y, double addend) => Math.FusedMultiplyAdd(x, y, addend);
        public static double Sum(double v) => v;
    }
}
