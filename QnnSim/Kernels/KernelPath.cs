namespace QnnSim.Kernels;

/// <summary>
/// Which instruction set the state-vector kernels use. <see cref="Auto"/> picks the widest path the processor
/// accelerates; the others force a path (a forced path the processor lacks falls back to the next narrower one it
/// has, and <see cref="Simulation.SimulationOptions.EffectiveKernelPath"/> reports what ran). Tests force every path.
/// </summary>
public enum KernelPath
{
    /// <summary>The widest accelerated path (Vector512 on AVX-512 machines).</summary>
    Auto,
    /// <summary>Plain scalar code, the reference fallback.</summary>
    Scalar,
    /// <summary>128-bit vectors (one complex number per register).</summary>
    Vector128,
    /// <summary>256-bit vectors (two complex numbers per register).</summary>
    Vector256,
    /// <summary>512-bit vectors (four complex numbers per register).</summary>
    Vector512,
}
