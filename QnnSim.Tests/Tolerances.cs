namespace QnnSim.Tests;

/// <summary>Every tolerance the tests use, named once.</summary>
internal static class Tolerances
{
    /// <summary>Agreement of a kernel with the dense Kronecker reference (complex128 round-off over a few gates).</summary>
    public const double Kernel = 1e-12;

    /// <summary>Agreement of whole circuits with the dense reference.</summary>
    public const double Circuit = 1e-10;

    /// <summary>Adjoint gradient against parameter shift (THEORY.md §5.1).</summary>
    public const double GradientExact = 1e-10;

    /// <summary>Exact gradients against central finite differences (THEORY.md §5.1).</summary>
    public const double FiniteDifference = 1e-6;

    /// <summary>Largest amplitude error of a complex64 state after a few dozen random gates (unit roundoff 6e-8 a
    /// rounding, a few roundings an amplitude a gate).</summary>
    public const double SingleState = 2e-5;

    /// <summary>Single-precision expectations against double precision (the criterion at n = 20).</summary>
    public const double SingleExpectation = 1e-5;

    /// <summary>Number of standard errors a shot estimate may sit from the exact value.</summary>
    public const double ShotSigmas = 4.0;
}
