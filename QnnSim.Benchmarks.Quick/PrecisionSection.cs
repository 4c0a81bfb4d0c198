using System.Globalization;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Benchmarks;

/// <summary>
/// Single against double precision (issue 16), in the same time window: the n = 24 single gates (Ry on qubits 0, 12
/// and 23, CX 0 → 23; one kernel call each, as the gate section) and the hardware-efficient ansatz HEA(16, 10) and
/// HEA(20, 10) forward pass plus ⟨Z0⟩ (public API, fusion on), each on 1 and 2 threads. Every pair alternates a
/// double-precision and a single-precision repetition and reports both medians; the single row's name carries the
/// ratio f32 ÷ f64. GB/s counts one read and one write of the state (32 bytes an amplitude in double, 16 in single).
/// Gradients run in double precision only, so there is no single-precision adjoint row. Opt-in
/// (<c>--section precision</c>).
/// </summary>
internal sealed class PrecisionSection : IBenchSection
{
    public string Name => "precision";
    public int Order => 25;

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        int reps = context.Quick ? 7 : 21;
        foreach (int threads in new[] { 1, 2 })
        {
            const int n = 24;
            var options = context.Options with { MaxThreads = threads, Fusion = false };
            var dbl = StateVector.Zero(n);
            var sgl = StateVector.Zero(n, Precision.Single);
            dbl.AmplitudesMutable.Fill(new System.Numerics.Complex(Math.Sqrt(1.0 / dbl.Length), 0));
            sgl.SingleAmplitudesMutable.Fill(new MathNet.Numerics.Complex32((float)Math.Sqrt(1.0 / sgl.Length), 0));
            var gates = new (string Name, Circuit Circuit)[]
            {
                ("Ry q0", new CircuitBuilder(n).Ry(0, 0.3).Build()),
                ("Ry q12", new CircuitBuilder(n).Ry(12, 0.3).Build()),
                ("Ry q23", new CircuitBuilder(n).Ry(23, 0.3).Build()),
                ("CX q0->q23", new CircuitBuilder(n).CX(0, 23).Build()),
            };
            foreach (var (name, circuit) in gates)
            {
                var step = new CircuitProgram(circuit).Steps[0];
                void Double() => Executor.Apply(step, 0.3, dbl.Data, options, inverse: false);
                void Single() => SingleExecutor.Apply(step, 0.3, sgl.Single, options);
                foreach (var row in Pair(context, $"{name}", n, threads, Double, Single, reps, 1L << n)) yield return row;
            }
        }
        foreach (var (n, layers) in new[] { (16, 10), (20, 10) })
        {
            var (circuit, theta) = Workloads.HardwareEfficientAnsatz(n, layers);
            var z0 = PauliString.Z(0);
            foreach (int threads in new[] { 1, 2 })
            {
                var dSim = new Simulator(context.Options with { MaxThreads = threads });
                var sSim = new Simulator(context.Options with { MaxThreads = threads, Precision = Precision.Single });
                var dState = StateVector.Zero(n);
                var sState = StateVector.Zero(n, Precision.Single);
                double sink = 0;
                void Double() { dState.SetZero(); dSim.Apply(circuit, theta, InputValues.None, dState); sink += dSim.Expectation(dState, z0); }
                void Single() { sState.SetZero(); sSim.Apply(circuit, theta, InputValues.None, sState); sink += sSim.Expectation(sState, z0); }
                foreach (var row in Pair(context, $"HEA n={n} L={layers} fused + <Z0>", n, threads, Double, Single, reps, 0)) yield return row;
                GC.KeepAlive(sink);
            }
        }
    }

    /// <summary>A double and a single row from alternated repetitions; <paramref name="passAmplitudes"/> &gt; 0 gives GB/s for one pass.</summary>
    private IEnumerable<BenchRow> Pair(BenchContext context, string name, int n, int threads, Action dbl, Action sgl, int reps, long passAmplitudes)
    {
        int innerD = Timing.InnerFor(dbl, 0.01), innerS = Timing.InnerFor(sgl, 0.01);
        var (td, ts, tsMin) = Timing.Interleaved(dbl, sgl, reps, innerD, innerS);
        double? gbD = passAmplitudes > 0 ? 32.0 * passAmplitudes / td / 1e9 : null;
        double? gbS = passAmplitudes > 0 ? 16.0 * passAmplitudes / ts / 1e9 : null;
        double ratio = ts / td;
        yield return new BenchRow(Name, $"{name} double", n, threads, td, td * 1e9 / (1L << n), gbD, gbD / context.BandwidthGBps);
        yield return new BenchRow(Name, string.Create(CultureInfo.InvariantCulture, $"{name} single (f32/f64 = {ratio:F2})"), n, threads, ts,
            ts * 1e9 / (1L << n), gbS, gbS / context.BandwidthGBps, MinSeconds: tsMin);
    }
}
