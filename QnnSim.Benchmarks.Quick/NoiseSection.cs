using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Noise;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Benchmarks;

/// <summary>
/// Noisy simulation (docs/noise.md): a density-matrix gate at n = 12 (vec(ρ) on 24 qubits: U on the ket qubit and
/// conj(U) on the bra qubit, two passes) against the in-run bandwidth reference, interleaved; the noisy HEA(8, 10) on
/// the density matrix with a depolarizing channel after every gate against the ideal statevector HEA(16, 10) (the same
/// number of amplitudes) in the same run; trajectories per second of HEA(16, 10) with per-gate depolarizing noise.
/// Runs only when asked for (<c>--section noise</c>).
/// </summary>
internal sealed class NoiseSection : IBenchSection
{
    public string Name => "noise";
    public int Order => 60;

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        const int n = 12;
        int reps = context.Quick ? 7 : 21;
        foreach (int threads in new[] { 1, Math.Max(2, context.Options.MaxThreads) }.Distinct())
        {
            var options = context.Options with { MaxThreads = threads, Fusion = false };
            var dm = new DensityMatrixSimulator(options);
            var rho = DensityMatrix.Zero(n);
            var reference = QuickBench.CreateBandwidthPass(threads, out long referenceBytes);
            foreach (var (name, circuit) in new (string, Circuit)[]
            {
                ("DM Ry q0", new CircuitBuilder(n).Ry(0, 0.3).Build()),
                ($"DM Ry q{n - 1}", new CircuitBuilder(n).Ry(n - 1, 0.3).Build()),
                ($"DM CX q0->q{n - 1}", new CircuitBuilder(n).CX(0, n - 1).Build()),
            })
            {
                void Once() => dm.Apply(circuit, ParameterValues.None, InputValues.None, rho);
                Timing.WarmUp(Once, 0.25);
                var tr = new double[reps];
                var tg = new double[reps];
                for (int r = 0; r < reps; r++)
                {
                    tr[r] = Timing.Measure(reference, 1, 1).Median;
                    tg[r] = Timing.Measure(Once, 1, 1).Median;
                }
                Array.Sort(tr);
                Array.Sort(tg);
                double t = tg[reps / 2];
                long amplitudes = 1L << (2 * n);
                double gbps = 2 * 32.0 * amplitudes / t / 1e9; // two passes (ket and bra), read + write
                double ratio = gbps / (referenceBytes / tr[reps / 2] / 1e9);
                yield return new BenchRow(Name, $"{name} (n=12, vec on 24 qubits)", 2 * n, threads, t, t * 1e9 / (2 * amplitudes), gbps, ratio,
                    ">= 0.85 of bandwidth", ratio >= 0.85, tg[0]);
            }
        }

        // Noisy HEA(8, 10) on the density matrix against the ideal HEA(16, 10) statevector: both 2^16 amplitudes.
        {
            var single = context.Options with { MaxThreads = 1 };
            var (noisyCircuit, theta8) = Workloads.HardwareEfficientAnsatz(8, 10);
            var noise = NoiseModelParser.ParseSpec("depolarizing=0.01");
            var dm = new DensityMatrixSimulator(single);
            var rho = DensityMatrix.Zero(8);
            var z0 = PauliSum.Parse("Z0");
            double sink = 0;
            void Noisy()
            {
                rho.SetZero();
                dm.Apply(noisyCircuit, theta8, InputValues.None, rho, noise);
                sink += dm.Expectation(rho, z0);
            }
            var (ideal16, theta16) = Workloads.HardwareEfficientAnsatz(16, 10);
            var sim = new Simulator(single);
            var psi = StateVector.Zero(16);
            void Ideal()
            {
                psi.SetZero();
                sim.Apply(ideal16, theta16, InputValues.None, psi);
                sink += sim.Expectation(psi, z0.Terms[0].Pauli);
            }
            int innerN = Timing.InnerFor(Noisy, context.Quick ? 0.05 : 0.2);
            int innerI = Timing.InnerFor(Ideal, context.Quick ? 0.05 : 0.2);
            var tn = new double[reps];
            var ti = new double[reps];
            for (int r = 0; r < reps; r++)
            {
                tn[r] = Timing.Measure(Noisy, 1, innerN).Median;
                ti[r] = Timing.Measure(Ideal, 1, innerI).Median;
            }
            Array.Sort(tn);
            Array.Sort(ti);
            double ratio = tn[reps / 2] / ti[reps / 2];
            yield return new BenchRow(Name, "noisy HEA(8,10) DM depol/gate + <Z0>", 16, 1, tn[reps / 2], tn[reps / 2] * 1e9 / (1L << 16), null, null,
                $"(a figure) {ratio:0.00}x the ideal HEA(16,10) SV", null, tn[0]);
            yield return new BenchRow(Name, "ideal HEA(16,10) SV + <Z0> (reference)", 16, 1, ti[reps / 2], ti[reps / 2] * 1e9 / (1L << 16), null, null, null, null, ti[0]);
            GC.KeepAlive(sink);
        }

        // Noisy Jacobian: 64 samples × HEA(6, 10) with depolarizing noise after every gate, density matrix, adjoint
        // against exact parameter shift, 1 and 2 threads (one sample's row per thread).
        {
            var (hea, theta) = Workloads.HardwareEfficientAnsatz(6, 10);
            var b = new CircuitBuilder(6);
            var x = b.Input("x");
            for (int q = 0; q < 6; q++) b.Ry(q, x);
            var encoded = b.Build().Append(hea);
            var noise = NoiseModelParser.ParseSpec("depolarizing=0.01");
            int samples = context.Quick ? 16 : 64;
            var data = Enumerable.Range(0, samples).Select(i => InputValues.Of(-1 + 2.0 * i / samples)).ToArray();
            PauliSum[] z0 = [PauliSum.Parse("Z0")];
            foreach (int threads in new[] { 1, Math.Max(2, context.Options.MaxThreads) }.Distinct())
            {
                var d = new NoisyDifferentiator(noise, options: context.Options with { MaxThreads = threads });
                double Time(GradientMethod m)
                {
                    void Once() => d.Jacobian(encoded, theta, data, z0, m);
                    Once();
                    return Timing.Measure(Once, context.Quick ? 1 : 3, 1).Median;
                }
                double ta = Time(GradientMethod.Adjoint);
                double ts = Time(GradientMethod.ParameterShift);
                yield return new BenchRow(Name, $"noisy Jacobian {samples}x HEA(6,10) DM adjoint", 12, threads, ta, ta * 1e9 / samples / (1L << 12), null, null,
                    $"(a figure) shift/adjoint = {ts / ta:0.0}x", null);
                yield return new BenchRow(Name, $"noisy Jacobian {samples}x HEA(6,10) DM shift", 12, threads, ts, ts * 1e9 / samples / (1L << 12), null, null);
            }
        }

        // Trajectories per second: HEA(16, 10) with a depolarizing channel after every gate.
        {
            var (circuit, theta) = Workloads.HardwareEfficientAnsatz(16, 10);
            var noise = NoiseModelParser.ParseSpec("depolarizing=0.001");
            PauliSum[] obs = [PauliSum.Parse("Z0")];
            int trajectories = context.Quick ? 16 : 64;
            foreach (int threads in new[] { 1, Math.Max(2, context.Options.MaxThreads) }.Distinct())
            {
                // One trajectory at a time with threaded kernels (16 ≥ ParallelThresholdQubits) against trajectories in
                // parallel (threshold raised): both are bit-identical; the faster is what a user gets by default below 14.
                foreach (int threshold in new[] { 14, 30 })
                {
                    if (threads == 1 && threshold == 30) continue;
                    var ts = new TrajectorySimulator(context.Options with { MaxThreads = threads, ParallelThresholdQubits = threshold });
                    void Once() => ts.Estimate(circuit, theta, InputValues.None, obs, noise, trajectories, 1);
                    Once();
                    var (t, tmin) = Timing.Measure(Once, context.Quick ? 3 : 7, 1);
                    double perSecond = trajectories / t;
                    string mode = threads == 1 ? "" : threshold == 14 ? " threaded kernels" : " parallel trajectories";
                    yield return new BenchRow(Name, $"trajectories HEA(16,10) depol/gate{mode}", 16, threads, t / trajectories,
                        t / trajectories * 1e9 / (1L << 16), null, null, $"(a figure) {perSecond:0.0} trajectories/s", null, tmin / trajectories);
                }
            }
        }
    }
}
