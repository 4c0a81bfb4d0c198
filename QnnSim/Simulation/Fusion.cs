using System.Numerics;

namespace QnnSim.Simulation;

/// <summary>
/// Gate fusion: turns a run of bound steps into fewer steps by multiplying gates on few qubits into small dense
/// blocks (qsim's "basic fuser" idea). Every step on at most <c>maxQubits</c> qubits (targets and controls) opens or
/// joins a block; a block is the last thing that happened to each of its qubits, so later gates on those qubits are
/// left-multiplied into it while the union of qubits stays within the limit. Blocks on disjoint qubits commute, so a
/// block is emitted only when a later gate needs one of its qubits and cannot join it, or at the end. A block holding
/// a single gate is emitted as that gate, so its specialised kernel (Pauli exchange, diagonal, rotation) still runs.
/// Results agree with unfused application to rounding (a few 1e-16 per multiplied gate).
/// </summary>
internal static class Fusion
{
    /// <summary>Default largest block: single-qubit runs fuse (Ry·Rz → one 2×2), entangling gates keep their
    /// specialised kernels; measured fastest on AVX-512 for the hardware-efficient ansatz (docs/performance.md).</summary>
    public const int DefaultMaxQubits = 1;

    /// <summary>
    /// What one emitted item of a fusion plan does: run step <see cref="Step"/> as it is, or multiply the steps
    /// <see cref="Steps"/> (in time order) into a dense block on <see cref="Qubits"/>.
    /// </summary>
    internal sealed class Item
    {
        public int Step = -1;
        public int[] Qubits = [];
        public int[] Steps = [];
        /// <summary>Every qubit the item touches (targets and controls).</summary>
        public ulong Support;
        /// <summary>
        /// When ≥ 0: the 1-qubit product of <see cref="Steps"/> on Qubits[0] is followed by this constant step, a
        /// gate block-diagonal in <see cref="SelectQubit"/> (CX, CZ, controlled 1-qubit gates with that target), and
        /// the item runs as one <see cref="PrimitiveKind.Select1"/> pass: B_h·M where bit SelectQubit is h.
        /// </summary>
        public int SelectStep = -1;
        /// <summary>The other qubit of <see cref="SelectStep"/>.</summary>
        public int SelectQubit = -1;
        /// <summary>The 2×2 blocks B_0, B_1 of <see cref="SelectStep"/> on Qubits[0] (row-major, 8 entries).</summary>
        public Complex[] SelectBlocks = [];
        /// <summary>The blocks are I and X (a CX): B_1·M is M with its rows exchanged, no products needed.</summary>
        public bool SelectIsCx;
    }

    /// <summary>A fusion plan: depends only on which qubits each step touches, so it is built once per program.</summary>
    internal sealed class Plan(Item[] items, int maxQubits)
    {
        public Item[] Items { get; } = items;
        public int MaxQubits { get; } = maxQubits;
    }

    private sealed class Block
    {
        public int[] Qubits = [];          // ascending; matrix index bit j is Qubits[j]
        public List<int> Steps = [];
    }

    /// <summary>
    /// Builds the fusion plan of <paramref name="program"/> for blocks of at most <paramref name="maxQubits"/> qubits;
    /// with <paramref name="select"/>, a 1-qubit item directly followed by a constant 2-qubit step that is
    /// block-diagonal in its other qubit (CX with that target) becomes one <see cref="PrimitiveKind.Select1"/> item.
    /// </summary>
    public static Plan BuildPlan(CircuitProgram program, int maxQubits = DefaultMaxQubits, bool select = true)
    {
        var plan = BuildBlocks(program, maxQubits);
        return select ? new Plan(MergeSelect(program, plan.Items), maxQubits) : plan;
    }

    /// <summary>Merges each 1-qubit item with a directly following constant step block-diagonal in its other qubit.</summary>
    private static Item[] MergeSelect(CircuitProgram program, Item[] items)
    {
        var steps = program.Steps;
        var result = new List<Item>(items.Length);
        for (int i = 0; i < items.Length; i++)
        {
            var it = items[i];
            if (i + 1 < items.Length && BitOperations.PopCount(it.Support) == 1 && items[i + 1].Step >= 0)
            {
                var next = steps[items[i + 1].Step];
                int t = BitOperations.TrailingZeroCount(it.Support);
                ulong ns = next.TargetMask | next.CtrlMask;
                bool oneQubitItem = it.Step >= 0 ? steps[it.Step].CtrlMask == 0 : it.Qubits.Length == 1;
                if (oneQubitItem && next.AngleSlot < 0 && BitOperations.PopCount(ns) == 2 && (ns >> t & 1) != 0
                    && BlocksOf(next, t, BitOperations.TrailingZeroCount(ns & ~(1UL << t))) is { } blocks)
                {
                    result.Add(new Item
                    {
                        Qubits = [t], Steps = it.Step >= 0 ? [it.Step] : it.Steps, Support = ns,
                        SelectStep = items[i + 1].Step, SelectQubit = BitOperations.TrailingZeroCount(ns & ~(1UL << t)), SelectBlocks = blocks,
                        SelectIsCx = blocks.AsSpan().SequenceEqual([Complex.One, Complex.Zero, Complex.Zero, Complex.One, Complex.Zero, Complex.One, Complex.One, Complex.Zero]),
                    });
                    i++;
                    continue;
                }
            }
            result.Add(it);
        }
        return [.. result];
    }

    /// <summary>The blocks B_0, B_1 of a constant step on (t, c) when it is block-diagonal in c, else null.</summary>
    private static Complex[]? BlocksOf(Primitive step, int t, int c)
    {
        int[] support = t < c ? [t, c] : [c, t];
        var m = DenseOf(step, 0.0, support);
        int it = t < c ? 0 : 1, ic = 1 - it;
        var blocks = new Complex[8];
        for (int r = 0; r < 4; r++)
            for (int col = 0; col < 4; col++)
            {
                int rt = r >> it & 1, rc = r >> ic & 1, ct = col >> it & 1, cc = col >> ic & 1;
                Complex e = m[r * 4 + col];
                if (rc != cc) { if (e != Complex.Zero) return null; continue; }
                blocks[4 * rc + 2 * rt + ct] = e;
            }
        return blocks;
    }

    private static Plan BuildBlocks(CircuitProgram program, int maxQubits)
    {
        var steps = program.Steps;
        var items = new List<Item>(steps.Length);
        var owner = new Block?[Math.Max(program.Circuit.QubitCount, 64)];
        Span<int> sup = stackalloc int[64];
        var touching = new List<Block>(4);
        for (int si = 0; si < steps.Length; si++)
        {
            var step = steps[si];
            ulong support = step.TargetMask | step.CtrlMask;
            int k = Kernels.BitIndex.SortedBits(support, sup);
            touching.Clear();
            for (int i = 0; i < k; i++)
            {
                var b = owner[sup[i]];
                if (b is not null && !touching.Contains(b)) touching.Add(b);
            }
            bool fusable = k >= 1 && k <= maxQubits;
            if (!fusable)
            {
                // Blocks off the step's targets first, so a 1-qubit block on the target ends up directly before
                // the step (where MergeSelect can fold the two into one pass).
                foreach (var b in touching) if ((Mask(b.Qubits) & step.TargetMask) == 0) Emit(b, owner, items);
                foreach (var b in touching) if ((Mask(b.Qubits) & step.TargetMask) != 0) Emit(b, owner, items);
                items.Add(new Item { Step = si, Support = support });
                continue;
            }
            ulong union = support;
            foreach (var b in touching) union |= Mask(b.Qubits);
            if (BitOperations.PopCount(union) > maxQubits)
            {
                // Keep the 1-qubit runs that still fit, emit the rest.
                union = support;
                for (int i = touching.Count - 1; i >= 0; i--)
                {
                    ulong bm = Mask(touching[i].Qubits);
                    if (BitOperations.PopCount(union | bm) <= maxQubits && touching[i].Qubits.Length == 1) union |= bm;
                    else { Emit(touching[i], owner, items); touching.RemoveAt(i); }
                }
            }
            var merged = new Block { Qubits = Bits(union) };
            foreach (var b in touching)
            {
                merged.Steps.AddRange(b.Steps);
                foreach (int q in b.Qubits) owner[q] = null;
            }
            merged.Steps.Add(si);
            Own(merged, owner);
        }
        var seen = new HashSet<Block>();
        foreach (var b in owner) if (b is not null && seen.Add(b)) Emit(b, owner, items);
        return new Plan([.. items], maxQubits);
    }

    private static void Emit(Block b, Block?[] owner, List<Item> items)
    {
        foreach (int q in b.Qubits) if (owner[q] == b) owner[q] = null;
        ulong support = Mask(b.Qubits);
        items.Add(b.Steps.Count == 1 ? new Item { Step = b.Steps[0], Support = support } : new Item { Qubits = b.Qubits, Steps = [.. b.Steps], Support = support });
    }

    /// <summary>
    /// Items touching only qubits below this run chunk by chunk: each 2^ChunkQubits-amplitude slice (64 KiB, cache
    /// resident) gets every consecutive such item before the next slice is loaded, so a run of low gates costs one
    /// pass over memory instead of one per gate (cache blocking, as in qsim's and Qulacs' fused layers).
    /// </summary>
    internal const int ChunkQubits = 12;

    [ThreadStatic] private static List<Primitive>? _pool;
    [ThreadStatic] private static List<(Primitive Step, double Angle)>? _resolved;
    [ThreadStatic] private static double[]? _halfSin, _halfCos;

    /// <summary>
    /// Runs <paramref name="program"/> with its bound angles through its fusion plan: single steps as they are,
    /// 1-qubit blocks as one 2×2 (diagonal when the product is) computed in closed form into pooled steps (no
    /// allocation per gate), wider blocks as dense Matrix2/MatrixK steps; consecutive items below
    /// <see cref="ChunkQubits"/> run slice by slice, and several threads take whole runs of items on blocks of the
    /// state (<see cref="Executor.RunItems"/>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(CircuitProgram program, Plan plan, ReadOnlySpan<double> angles, Span<Complex> state, SimulationOptions options) =>
        Executor.RunItems(plan.Items, ResolveAll(program, plan, angles), state, options);

    /// <summary>
    /// The steps every item of <paramref name="plan"/> runs as, with their angles: a thread-static list (and pool of
    /// fused primitives) reused by the next call on the same thread, so the caller consumes it before resolving again.
    /// </summary>
    internal static List<(Primitive Step, double Angle)> ResolveAll(CircuitProgram program, Plan plan, ReadOnlySpan<double> angles)
    {
        var pool = _pool ??= [];
        var resolved = _resolved ??= [];
        resolved.Clear();
        int used = 0;
        // sin and cos of every half-angle at once (vectorised), for the closed-form rotation products.
        if (_halfSin is null || _halfSin.Length < angles.Length)
        {
            _halfSin = new double[Math.Max(angles.Length, 16)];
            _halfCos = new double[_halfSin.Length];
        }
        var trig = new HalfAngles(_halfSin, _halfCos!);
        Kernels.TrigBatch.SinCosHalf(angles, trig.Sin, trig.Cos);
        foreach (var item in plan.Items) resolved.Add(Resolve(program, item, angles, trig, pool, ref used));
        return resolved;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (Primitive, double) Resolve(CircuitProgram program, Item item, ReadOnlySpan<double> angles, HalfAngles trig, List<Primitive> pool, ref int used)
    {
        var steps = program.Steps;
        if (item.SelectStep >= 0)
        {
            if (used == pool.Count) pool.Add(new Primitive { Matrix = new Complex[8] });
            var p = pool[used++];
            Product1(steps, item.Steps, angles, trig, out var a, out var b, out var c, out var d);
            var bl = item.SelectBlocks;
            if (item.SelectIsCx)
            {
                var m = p.Matrix;
                (m[0], m[1], m[2], m[3]) = (a, b, c, d);
                (m[4], m[5], m[6], m[7]) = (c, d, a, b);
            }
            else
            {
                for (int h = 0; h < 8; h += 4)
                {
                    p.Matrix[h] = bl[h] * a + bl[h + 1] * c; p.Matrix[h + 1] = bl[h] * b + bl[h + 1] * d;
                    p.Matrix[h + 2] = bl[h + 2] * a + bl[h + 3] * c; p.Matrix[h + 3] = bl[h + 2] * b + bl[h + 3] * d;
                }
            }
            p.Kind = PrimitiveKind.Select1;
            p.Target0 = item.Qubits[0];
            p.Target1 = item.SelectQubit;
            return (p, 0.0);
        }
        if (item.Step >= 0)
        {
            var s = steps[item.Step];
            return (s, s.AngleSlot >= 0 ? angles[s.AngleSlot] : 0.0);
        }
        if (item.Qubits.Length == 1)
        {
            if (used == pool.Count) pool.Add(new Primitive { Matrix = new Complex[8] });
            var p = pool[used++];
            Product1(steps, item.Steps, angles, trig, out var a, out var b, out var c, out var d);
            p.Target0 = item.Qubits[0];
            p.Kind = b == Complex.Zero && c == Complex.Zero ? PrimitiveKind.Diagonal1 : PrimitiveKind.Matrix1;
            if (p.Kind == PrimitiveKind.Diagonal1) { p.Matrix[0] = a; p.Matrix[1] = d; }
            else { p.Matrix[0] = a; p.Matrix[1] = b; p.Matrix[2] = c; p.Matrix[3] = d; }
            return (p, 0.0);
        }
        int dim = 1 << item.Qubits.Length;
        Complex[] acc = Identity(dim);
        foreach (int si in item.Steps)
        {
            var s = steps[si];
            var sq = Bits(s.TargetMask | s.CtrlMask);
            acc = Multiply(Expand(DenseOf(s, s.AngleSlot >= 0 ? angles[s.AngleSlot] : 0.0, sq), sq, item.Qubits), acc, dim);
        }
        return (ToPrimitive(item.Qubits, acc), 0.0);
    }

    /// <summary>
    /// The product [[a, b], [c, d]] of 1-qubit steps (in time order), in closed form. The first step's matrix is taken
    /// as it is, and the rotations about Z (diagonal) and Y (real) are multiplied in with their structure: 4 and 8
    /// real-by-complex products instead of a general 2×2 product, which matters because this runs for every fused
    /// item of every call (the n = 10 ansatz spends about a tenth of its time here).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Product1(System.Collections.Immutable.ImmutableArray<Primitive> steps, int[] items, ReadOnlySpan<double> angles, HalfAngles trig,
        out Complex a, out Complex b, out Complex c, out Complex d)
    {
        (a, b, c, d) = (Complex.One, Complex.Zero, Complex.Zero, Complex.One);
        bool first = true;
        foreach (int si in items)
        {
            var s = steps[si];
            if (s.Kind == PrimitiveKind.PauliRotation && s.XMask == 0)
            {
                // Rz(φ) = diag(e^{−iφ/2}, e^{iφ/2}).
                var (sn, cs) = trig.Of(s.AngleSlot);
                Complex z0 = new(cs, -sn), z1 = new(cs, sn);
                if (first) (a, b, c, d) = (z0, Complex.Zero, Complex.Zero, z1);
                else (a, b, c, d) = (z0 * a, z0 * b, z1 * c, z1 * d);
            }
            else if (s.Kind == PrimitiveKind.PauliRotation && s.ZMask != 0)
            {
                // Ry(φ) = [[cos φ/2, −sin φ/2], [sin φ/2, cos φ/2]] (X and Z on the qubit: Y).
                var (sn, cs) = trig.Of(s.AngleSlot);
                if (first) (a, b, c, d) = (cs, -sn, sn, cs);
                else (a, b, c, d) = (a * cs - c * sn, b * cs - d * sn, a * sn + c * cs, b * sn + d * cs);
            }
            else
            {
                OneQubit(s, s.AngleSlot >= 0 ? angles[s.AngleSlot] : 0.0, trig, out var u00, out var u01, out var u10, out var u11);
                if (first) (a, b, c, d) = (u00, u01, u10, u11);
                else (a, b, c, d) = (u00 * a + u01 * c, u00 * b + u01 * d, u10 * a + u11 * c, u10 * b + u11 * d);
            }
            first = false;
        }
    }

    /// <summary>sin(φ/2) and cos(φ/2) of every bound angle slot, computed once per run (<see cref="Kernels.TrigBatch"/>).</summary>
    private readonly struct HalfAngles(double[] sin, double[] cos)
    {
        public readonly double[] Sin = sin, Cos = cos;

        /// <summary>(sin φ/2, cos φ/2) of the slot's angle; a step without a slot has angle 0.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public (double Sin, double Cos) Of(int slot) => slot >= 0 ? (Sin[slot], Cos[slot]) : (0.0, 1.0);
    }

    /// <summary>The 2×2 matrix of an uncontrolled one-qubit step, in closed form (rotations take sin and cos of their half-angle from <paramref name="trig"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void OneQubit(Primitive s, double angle, HalfAngles trig, out Complex u00, out Complex u01, out Complex u10, out Complex u11)
    {
        switch (s.Kind)
        {
            case PrimitiveKind.Matrix1:
                (u00, u01, u10, u11) = (s.Matrix[0], s.Matrix[1], s.Matrix[2], s.Matrix[3]);
                return;
            case PrimitiveKind.Diagonal1:
                (u00, u01, u10, u11) = (s.Matrix[0], 0, 0, s.Matrix[1]);
                return;
            case PrimitiveKind.PhaseShift:
                (u00, u01, u10, u11) = (1, 0, 0, Complex.FromPolarCoordinates(1, angle));
                return;
            case PrimitiveKind.Pauli:
            case PrimitiveKind.PauliRotation:
            {
                // P = X, Y or Z on one qubit; exp(−iφP/2) = cos(φ/2) I − i sin(φ/2) P.
                bool x = s.XMask != 0, z = s.ZMask != 0;
                Complex p00 = x ? 0 : 1, p11 = x ? 0 : -1;
                Complex p01 = x ? (z ? -Complex.ImaginaryOne : 1) : 0, p10 = x ? (z ? Complex.ImaginaryOne : 1) : 0;
                if (s.Kind == PrimitiveKind.Pauli) { (u00, u01, u10, u11) = (p00, p01, p10, p11); return; }
                var (sn, cs) = trig.Of(s.AngleSlot);
                Complex mi = new(0, -sn);
                (u00, u01, u10, u11) = (cs + mi * p00, mi * p01, mi * p10, cs + mi * p11);
                return;
            }
            default:
            {
                var m = DenseOf(s, angle, Bits(s.TargetMask | s.CtrlMask));
                (u00, u01, u10, u11) = (m[0], m[1], m[2], m[3]);
                return;
            }
        }
    }

    private static ulong Mask(int[] qubits) { ulong m = 0; foreach (int q in qubits) m |= 1UL << q; return m; }

    private static int[] Bits(ulong mask)
    {
        var r = new int[BitOperations.PopCount(mask)];
        for (int i = 0; mask != 0; i++) { r[i] = BitOperations.TrailingZeroCount(mask); mask &= mask - 1; }
        return r;
    }

    private static void Own(Block b, Block?[] owner) { foreach (int q in b.Qubits) owner[q] = b; }

    /// <summary>The lowered step of a fused block: Diagonal1/Matrix1 for one qubit, Matrix2, or MatrixK.</summary>
    private static Primitive ToPrimitive(int[] qubits, Complex[] m)
    {
        var p = new Primitive();
        switch (qubits.Length)
        {
            case 1:
                p.Target0 = qubits[0];
                if (m[1] == Complex.Zero && m[2] == Complex.Zero) { p.Kind = PrimitiveKind.Diagonal1; p.Matrix = [m[0], m[3]]; }
                else { p.Kind = PrimitiveKind.Matrix1; p.Matrix = m; }
                break;
            case 2:
                p.Kind = PrimitiveKind.Matrix2;
                (p.Target0, p.Target1) = (qubits[0], qubits[1]);
                p.Matrix = m;
                break;
            default:
                p.Kind = PrimitiveKind.MatrixK;
                p.Targets = qubits;
                p.Offsets = CircuitProgram.MatrixOffsets(qubits);
                p.Matrix = m;
                break;
        }
        return p;
    }

    private static Complex[] Identity(int d)
    {
        var m = new Complex[d * d];
        for (int i = 0; i < d; i++) m[i * d + i] = Complex.One;
        return m;
    }

    /// <summary>a · b for d × d row-major matrices.</summary>
    private static Complex[] Multiply(Complex[] a, Complex[] b, int d)
    {
        var r = new Complex[d * d];
        for (int i = 0; i < d; i++)
            for (int k = 0; k < d; k++)
            {
                Complex aik = a[i * d + k];
                if (aik == Complex.Zero) continue;
                for (int j = 0; j < d; j++) r[i * d + j] += aik * b[k * d + j];
            }
        return r;
    }

    /// <summary>Embeds a matrix on <paramref name="q"/> (⊆ <paramref name="u"/>, both ascending) into the qubits u.</summary>
    private static Complex[] Expand(Complex[] m, int[] q, int[] u)
    {
        int du = 1 << u.Length, dq = 1 << q.Length;
        if (q.Length == u.Length) return m;
        Span<int> pos = stackalloc int[q.Length];
        ulong inQ = 0;
        for (int i = 0; i < q.Length; i++) { pos[i] = Array.IndexOf(u, q[i]); inQ |= 1UL << pos[i]; }
        var e = new Complex[du * du];
        for (int r = 0; r < du; r++)
            for (int c = 0; c < du; c++)
            {
                if (((ulong)(r ^ c) & ~inQ) != 0) continue;
                int rq = 0, cq = 0;
                for (int i = 0; i < q.Length; i++) { rq |= (r >> pos[i] & 1) << i; cq |= (c >> pos[i] & 1) << i; }
                e[r * du + c] = m[rq * dq + cq];
            }
        return e;
    }

    /// <summary>
    /// The dense matrix of one step on its support (ascending; matrix bit j is support[j]), built by applying the
    /// step's scalar kernel, remapped to qubits 0..k−1, to every basis vector.
    /// </summary>
    internal static Complex[] DenseOf(Primitive p, double angle, int[] support)
    {
        ulong Remap(ulong mask)
        {
            ulong r = 0;
            for (int i = 0; i < support.Length; i++) if ((mask >> support[i] & 1) != 0) r |= 1UL << i;
            return r;
        }
        int Index(int q) => Array.IndexOf(support, q);
        var mini = new Primitive
        {
            Kind = p.Kind, CtrlMask = Remap(p.CtrlMask), CtrlValue = Remap(p.CtrlValue),
            Target0 = p.Target0 >= 0 ? Math.Max(Index(p.Target0), 0) : 0, Target1 = p.Target1 >= 0 ? Math.Max(Index(p.Target1), 0) : 0,
            XMask = Remap(p.XMask), ZMask = Remap(p.ZMask), YCount = p.YCount, Matrix = p.Matrix, AngleSlot = p.AngleSlot,
        };
        if (p.Kind == PrimitiveKind.MatrixK)
        {
            mini.Targets = [.. p.Targets.Select(Index)];
            mini.Offsets = CircuitProgram.MatrixOffsets(mini.Targets);
        }
        int d = 1 << support.Length;
        var m = new Complex[d * d];
        var col = new Complex[d];
        for (int c = 0; c < d; c++)
        {
            Array.Clear(col);
            col[c] = Complex.One;
            Executor.ApplyScalarFull(mini, angle, col);
            for (int r = 0; r < d; r++) m[r * d + c] = col[r];
        }
        return m;
    }
}
