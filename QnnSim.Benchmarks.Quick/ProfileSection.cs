using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Benchmarks;

/// <summary>
/// Where the time of the n = 10 ansatz goes (one thread): binding, the fused run alone, the expectation, and the
/// kernels alone. Runs only when asked for (<c>--section profile</c>).
/// </summary>
internal sealed class ProfileSection : IBenchSection
{
    public string Name => "profile";
    public int Order => 40;

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        foreach (var (n, layers) in new[] { (10, 20), (16, 10) })
        {
            var (circuit, theta) = Workloads.HardwareEfficientAnsatz(n, layers);
            var options = context.Options with { MaxThreads = 1 };
            var sim = new Simulator(options);
            var state = StateVector.Zero(n);
            var program = sim.Program(circuit);
            double[] angles = Simulator.Bind(program, theta, InputValues.None);
            var plan = program.FusionPlan ??= Fusion.BuildPlan(program);
            var z0 = PauliString.Parse("Z0");
            var parts = new (string, Action)[]
            {
                ("bind", () => Simulator.Bind(program, theta, InputValues.None)),
                ("fused run", () => Fusion.Run(program, plan, angles, state.Data, options)),
                ("unfused run", () => Executor.Run(program, angles, state.Data, options with { Fusion = false })),
                ("expectation Z0", () => sim.Expectation(state, z0)),
                ("reset", () => BenchStates.Reset(state.Data)),
            };
            foreach (var (name, action) in parts)
            {
                int inner = Timing.InnerFor(action, 0.01);
                double cpu = Timing.MinCpu(action, 15, inner);
                var (med, min) = Timing.Measure(action, 7, inner);
                yield return new BenchRow(Name, $"n={n} L={layers} {name} ({plan.Items.Length} items)", n, 1, med, med * 1e9 / (1L << n), null, null,
                    MinSeconds: min, CpuSeconds: cpu);
            }
        }
    }
}
