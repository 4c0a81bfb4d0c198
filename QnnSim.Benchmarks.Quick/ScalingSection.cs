using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Benchmarks;

/// <summary>
/// Two-thread scaling (issue 16), every figure a ratio of medians measured alternately in the same time window: the
/// bandwidth reference on 1 and 2 threads (how much more memory traffic the machine gives a second thread), single
/// gates at n = 24 (Ry q0 / q12 / q23, CX q0→q23; each also against the reference of its thread count), the
/// hardware-efficient ansatz HEA(20, 10) forward + ⟨Z0⟩ through <see cref="Simulator.Apply(Circuit, ParameterValues, InputValues, StateVector)"/>
/// (fusion on), and the Jacobian of 256 samples × 400 parameters (threads over samples). Goal: HEA(20, 10) and the
/// Jacobian ≥ 1.6× on two threads. Not part of the default run (`--section scaling`).
/// </summary>
internal sealed class ScalingSection : IBenchSection
{
    public string Name => "scaling";
    public int Order => 15;

    /// <summary>Median wall time and median process CPU time (all threads) per call of both actions, measured alternately.</summary>
    private readonly record struct Pair(double T1, double T2, double Min2, double Cpu1, double Cpu2)
    {
        public string Text(string unit = "ms", double scale = 1e3) =>
            $"{T1 / T2:F2}x of 1 thread ({T1 * scale:F2} -> {T2 * scale:F2} {unit}); process cpu {Cpu1 * scale:F2} -> {Cpu2 * scale:F2} {unit} ({Cpu2 / Cpu1:F2}x)";
    }

    private static (double Wall, double Cpu) Once(Action action, int inner)
    {
        double c0 = Timing.ProcessCpuSeconds();
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < inner; i++) action();
        double wall = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds / inner;
        return (wall, (Timing.ProcessCpuSeconds() - c0) / inner);
    }

    /// <summary>Alternates repetitions of the one- and two-thread actions (which goes first alternates too).</summary>
    private static Pair Alternate(Action one, Action two, int repetitions, int inner1, int inner2)
    {
        var a = new double[repetitions];
        var b = new double[repetitions];
        var ca = new double[repetitions];
        var cb = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            if (r % 2 == 0) { (a[r], ca[r]) = Once(one, inner1); (b[r], cb[r]) = Once(two, inner2); }
            else { (b[r], cb[r]) = Once(two, inner2); (a[r], ca[r]) = Once(one, inner1); }
        }
        Array.Sort(a); Array.Sort(b); Array.Sort(ca); Array.Sort(cb);
        int m = repetitions / 2;
        return new Pair(a[m], b[m], b[0], ca[m], cb[m]);
    }

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        int reps = context.Quick ? 9 : 21;
        var o1 = context.Options with { MaxThreads = 1 };
        var o2 = context.Options with { MaxThreads = 2 };

        // The bandwidth reference on 1 and 2 threads.
        var ref1 = QuickBench.CreateBandwidthPass(1, out long refBytes);
        var ref2 = QuickBench.CreateBandwidthPass(2, out _);
        ref1(); ref2();
        var rp = Alternate(ref1, ref2, reps, 1, 1);
        yield return new BenchRow(Name, $"bandwidth reference 2^24 ({refBytes / rp.T1 / 1e9:F1} -> {refBytes / rp.T2 / 1e9:F1} GB/s): 2 threads {rp.Text()}",
            24, 2, rp.T2, rp.T2 * 1e9 / (1 << 24), refBytes / rp.T2 / 1e9, null, null, null, rp.Min2);

        // Single gates at n = 24, unfused, through the executor (as the gates section), each against the reference
        // of its own thread count in the same window.
        {
            const int n = 24;
            var state = StateVector.Zero(n);
            Complex[] data = state.Data;
            data.AsSpan().Fill(new Complex(Math.Sqrt(1.0 / data.Length), 0));
            var gates = new (string Name, Circuit Circuit)[]
            {
                ("Ry q0", new CircuitBuilder(n).Ry(0, 0.3).Build()),
                ("Ry q12", new CircuitBuilder(n).Ry(12, 0.3).Build()),
                ("Ry q23", new CircuitBuilder(n).Ry(23, 0.3).Build()),
                ("CX q0->q23", new CircuitBuilder(n).CX(0, 23).Build()),
            };
            var u1 = o1 with { Fusion = false };
            var u2 = o2 with { Fusion = false };
            foreach (var (name, circuit) in gates)
            {
                var step = new CircuitProgram(circuit).Steps[0];
                void One() => Executor.Apply(step, 0.3, data, u1, inverse: false);
                void Two() => Executor.Apply(step, 0.3, data, u2, inverse: false);
                Timing.WarmUp(One, 0.2);
                Timing.WarmUp(Two, 0.2);
                var g = new double[6][];
                for (int k = 0; k < g.Length; k++) g[k] = new double[reps];
                for (int r = 0; r < reps; r++)
                {
                    g[0][r] = Timing.Measure(ref1, 1, 1).Median;
                    (g[1][r], g[4][r]) = Once(One, 1);
                    g[2][r] = Timing.Measure(ref2, 1, 1).Median;
                    (g[3][r], g[5][r]) = Once(Two, 1);
                }
                foreach (var x in g) Array.Sort(x);
                double m0 = g[0][reps / 2], m1 = g[1][reps / 2], m2 = g[2][reps / 2], m3 = g[3][reps / 2];
                double c1 = g[4][reps / 2], c2 = g[5][reps / 2];
                double bytes = 32.0 * data.Length;
                yield return new BenchRow(Name, $"{name} n=24: 2 threads {m1 / m3:F2}x of 1 thread ({m1 * 1e3:F2} -> {m3 * 1e3:F2} ms, process cpu {c1 * 1e3:F2} -> {c2 * 1e3:F2} ms); " +
                    $"of the reference: {(bytes / m1) / (refBytes / m0):F2} (1 thread), {(bytes / m3) / (refBytes / m2):F2} (2 threads)",
                    n, 2, m3, m3 * 1e9 / data.Length, bytes / m3 / 1e9, (bytes / m3) / (refBytes / m2), null, null, g[3][0]);
            }
        }

        // HEA(20, 10) forward + ⟨Z0⟩, public API, fusion on.
        {
            var (circuit, theta) = Workloads.HardwareEfficientAnsatz(20, 10);
            var z0 = PauliString.Parse("Z0");
            var s1 = new Simulator(o1);
            var s2 = new Simulator(o2);
            var state = StateVector.Zero(20);
            double sink = 0;
            void One() { BenchStates.Reset(state.Data); s1.Apply(circuit, theta, InputValues.None, state); sink += s1.Expectation(state, z0); }
            void Two() { BenchStates.Reset(state.Data); s2.Apply(circuit, theta, InputValues.None, state); sink += s2.Expectation(state, z0); }
            int i1 = Timing.InnerFor(One, 0.03);
            int i2 = Timing.InnerFor(Two, 0.03);
            var h = Alternate(One, Two, reps, i1, i2);
            yield return new BenchRow(Name, $"HEA n=20 L=10 fused + <Z0>: 2 threads {h.Text()}",
                20, 2, h.T2, double.NaN, null, null, ">= 1.6x", h.T1 / h.T2 >= 1.6, h.Min2);
            GC.KeepAlive(sink);
        }

        // Jacobian 256 × 400 (n = 10, L = 20, Ry(x) encoding), as the peer driver calls it.
        {
            var circuit = GradientSection.EncodedAnsatz(10, 20);
            var (_, theta) = Workloads.HardwareEfficientAnsatz(10, 20);
            var samples = GradientSection.Samples(256, 10);
            var z0 = PauliSum.FromString(PauliString.Z(0));
            var d1 = new Differentiator(new GradientOptions { Simulation = o1, MaxDegreeOfParallelism = 1 });
            var d2 = new Differentiator(new GradientOptions { Simulation = o2, MaxDegreeOfParallelism = 2 });
            void One() => d1.Jacobian(circuit, theta, samples, [z0]);
            void Two() => d2.Jacobian(circuit, theta, samples, [z0]);
            Timing.WarmUp(One, 0.3);
            Timing.WarmUp(Two, 0.3);
            var j = Alternate(One, Two, context.Quick ? 5 : 11, 1, 1);
            long a0 = GC.GetTotalAllocatedBytes(precise: true);
            int gc0 = GC.CollectionCount(0);
            Two();
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - a0;
            int collections = GC.CollectionCount(0) - gc0;
            yield return new BenchRow(Name, $"Jacobian 256 x 400: 2 threads {j.Text()}; {allocated / 1024.0:F0} KiB allocated, {collections} gen0 GCs per call",
                10, 2, j.T2, double.NaN, null, null, ">= 1.6x", j.T1 / j.T2 >= 1.6, j.Min2);
        }
    }
}
