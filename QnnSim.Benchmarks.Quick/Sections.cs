using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Benchmarks;

/// <summary>The benchmark workloads of issue 2, shared by the quick runner and the BenchmarkDotNet suites.</summary>
public static class Workloads
{
    /// <summary>Qubit counts of the single-gate rows.</summary>
    public static IReadOnlyList<int> GateSizes { get; } = [10, 14, 18, 22, 24];

    /// <summary>θ_k = 0.3 + 0.7·sin(1 + 0.37k).</summary>
    public static double AnsatzAngle(int k) => 0.3 + 0.7 * Math.Sin(1 + 0.37 * k);

    /// <summary>
    /// The hardware-efficient ansatz: L layers of Ry(θ) on every qubit, Rz(θ) on every qubit, then the CX ladder
    /// i → i+1; parameter k is the k-th rotation in circuit order. Returns the circuit and θ.
    /// </summary>
    public static (Circuit Circuit, ParameterValues Theta) HardwareEfficientAnsatz(int qubits, int layers)
    {
        var b = new CircuitBuilder(qubits);
        int k = 0;
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < qubits; q++) b.Ry(q, b.Parameter($"t{k++}"));
            for (int q = 0; q < qubits; q++) b.Rz(q, b.Parameter($"t{k++}"));
            for (int q = 0; q + 1 < qubits; q++) b.CX(q, q + 1);
        }
        var theta = new double[k];
        for (int j = 0; j < k; j++) theta[j] = AnsatzAngle(j);
        return (b.Build(), ParameterValues.Of(theta));
    }
}

/// <summary>
/// Single gates: Ry on qubit 0, n/2 and n−1, and CX 0 → n−1, for n = 10, 14, 18, 22, 24 (kernel call through
/// Executor.Apply, no per-call validation). GB/s counts one read and one write of the whole state. The n = 24 rows
/// alternate gate passes with bandwidth-reference passes and report the ratio of the two medians.
/// </summary>
internal sealed class GateSection : IBenchSection
{
    public string Name => "gates";
    public int Order => 10;

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        var options = context.Options with { Fusion = false };
        Action? referencePass = null;
        long referenceBytes = 0;
        foreach (int n in Workloads.GateSizes)
        {
            var gates = new (string Name, Circuit Circuit)[]
            {
                ("Ry q0", new CircuitBuilder(n).Ry(0, 0.3).Build()),
                ($"Ry q{n / 2}", new CircuitBuilder(n).Ry(n / 2, 0.3).Build()),
                ($"Ry q{n - 1}", new CircuitBuilder(n).Ry(n - 1, 0.3).Build()),
                ($"CX q0->q{n - 1}", new CircuitBuilder(n).CX(0, n - 1).Build()),
            };
            var state = StateVector.Zero(n);
            Complex[] data = state.Data;
            data.AsSpan().Fill(new Complex(Math.Sqrt(1.0 / data.Length), 0));
            foreach (var (name, circuit) in gates)
            {
                var program = new CircuitProgram(circuit);
                var step = program.Steps[0];
                double angle = 0.3;
                void Once() => Executor.Apply(step, angle, data, options, inverse: false);
                int inner = Timing.InnerFor(Once, context.Quick ? 0.01 : 0.05);
                var (t, tmin) = Timing.Measure(Once, context.Quick ? 5 : 15, inner);
                double gbps = 32.0 * data.Length / t / 1e9;
                double ratio = gbps / context.BandwidthGBps;
                bool big = n == 24;
                if (big)
                {
                    // On a shared machine the bandwidth drifts: alternate reference passes and gate passes and
                    // compare medians of the same time window.
                    var reference = referencePass ??= QuickBench.CreateBandwidthPass(options.MaxThreads, out referenceBytes);
                    (double tr, t, tmin) = Timing.Interleaved(reference, Once, context.Quick ? 7 : 21);
                    gbps = 32.0 * data.Length / t / 1e9;
                    ratio = gbps / (referenceBytes / tr / 1e9);
                }
                yield return new BenchRow(Name, name, n, options.MaxThreads, t, t * 1e9 / data.Length, gbps, ratio,
                    big ? ">= 0.85 of bandwidth" : null, big ? ratio >= 0.85 : null, tmin);
            }
        }
    }
}

/// <summary>
/// The hardware-efficient ansatz forward pass plus ⟨Z0⟩ (public API: Simulator.Apply then Expectation, state reset
/// in place) for (n, L) = (10, 20) and (16, 10), on one thread, fused and unfused.
/// </summary>
internal sealed class AnsatzSection : IBenchSection
{
    public string Name => "ansatz";
    public int Order => 20;

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        foreach (var (n, layers, target) in new (int, int, double?)[] { (10, 20, 110e-6), (16, 10, 5e-3), (20, 10, null) })
        {
            var (circuit, theta) = Workloads.HardwareEfficientAnsatz(n, layers);
            var z0 = PauliString.Parse("Z0");
            foreach (bool fusion in new[] { true, false })
            {
                var sim = new Simulator(context.Options with { MaxThreads = 1, Fusion = fusion });
                var state = StateVector.Zero(n);
                double sink = 0;
                void Once()
                {
                    BenchStates.Reset(state.Data);
                    sim.Apply(circuit, theta, InputValues.None, state);
                    sink += sim.Expectation(state, z0);
                }
                int inner = Timing.InnerFor(Once, context.Quick ? 0.02 : 0.1);
                var (t, tmin) = Timing.Measure(Once, context.Quick ? 7 : 21, inner);
                double cpu = Timing.MedianCpu(Once, context.Quick ? 7 : 21, inner);
                int passes = circuit.Operations.Length;
                string? tt = target is not { } tv ? null : tv >= 1e-3 ? $"<= {tv * 1e3:0.#} ms" : $"<= {tv * 1e6:0} us";
                yield return new BenchRow(Name, $"HEA n={n} L={layers} {(fusion ? "fused" : "unfused")} + <Z0>", n, 1, t,
                    t * 1e9 / passes / (1L << n), null, null, fusion ? tt : null, fusion && target is { } tl ? t <= tl : null, tmin, double.IsNaN(cpu) ? null : cpu);
                GC.KeepAlive(sink);
            }
        }
    }
}
