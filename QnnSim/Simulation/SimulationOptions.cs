using QnnSim.Kernels;

namespace QnnSim.Simulation;

/// <summary>
/// Per-call settings of the simulator: thread count, kernel path, gate fusion, precision and the random seed. Immutable; pass a
/// modified copy (<c>options with { MaxThreads = 1 }</c>). Nothing in QnnSim reads static mutable switches, so tests
/// and callers may run in parallel with different options.
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>The defaults: all cores, automatic kernel path, fusion on, seed 0.</summary>
    public static SimulationOptions Default { get; } = new();

    /// <summary>
    /// Most threads one state update may use (≥ 1). Default: <see cref="Environment.ProcessorCount"/>. States below
    /// <see cref="ParallelThresholdQubits"/> qubits always run on the calling thread. Results, sums included, are
    /// bit-identical for any thread count: reductions use fixed chunks added in a fixed order.
    /// </summary>
    public int MaxThreads
    {
        get => _maxThreads;
        init
        {
            if (value < 1) ThrowHelper.ArgumentOutOfRange(nameof(MaxThreads), value, "at least 1");
            _maxThreads = value;
        }
    }

    private readonly int _maxThreads = Environment.ProcessorCount;

    /// <summary>The instruction-set path of the kernels (default <see cref="KernelPath.Auto"/>).</summary>
    public KernelPath KernelPath { get; init; } = KernelPath.Auto;

    /// <summary>Fuse runs of gates into small dense blocks before applying them (default on). Results agree with
    /// unfused application to rounding (about 1e-15 per gate).</summary>
    public bool Fusion { get; init; } = true;

    /// <summary>
    /// States with at least this many qubits are updated by several threads (default 14; range 1..30).
    /// </summary>
    public int ParallelThresholdQubits
    {
        get => _parallelThreshold;
        init
        {
            if (value < 1 || value > 30) ThrowHelper.ArgumentOutOfRange(nameof(ParallelThresholdQubits), value, "1..30");
            _parallelThreshold = value;
        }
    }

    private readonly int _parallelThreshold = 14;

    /// <summary>
    /// Precision of the states this simulator creates (<see cref="Simulator.Run"/>): <see cref="Simulation.Precision.Double"/>
    /// (complex128, the default) or <see cref="Simulation.Precision.Single"/> (complex64: half the memory and bytes
    /// moved, expectations to about 1e-6; see <see cref="Simulation.Precision"/> for the accuracy statement and what
    /// runs in single precision).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="Simulation.Precision"/> value.</exception>
    public Precision Precision
    {
        get => _precision;
        init
        {
            if (value is not (Precision.Double or Precision.Single))
                ThrowHelper.ArgumentOutOfRange(nameof(Precision), (int)value, "Precision.Double or Precision.Single");
            _precision = value;
        }
    }

    private readonly Precision _precision = Precision.Double;

    /// <summary>Seed of shot sampling (streams are derived per work item, so results do not depend on threads).</summary>
    public ulong Seed { get; init; }

    /// <summary>The path that actually runs on this processor for the requested <see cref="KernelPath"/>.</summary>
    public KernelPath EffectiveKernelPath => KernelDispatch.Resolve(KernelPath);
}
