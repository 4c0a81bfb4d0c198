namespace QnnSim.Tests.Analysis.Noisy;

/// <summary>Tolerances of the noisy-analysis tests (issue 11).</summary>
internal static class NoisyTolerances
{
    /// <summary>Two exact density-matrix paths (adjoint sweep against forward runs): accumulated round-off.</summary>
    public const double Exact = 1e-10;

    /// <summary>Exact derivatives against central differences with step 1e-5 (truncation ~1e-10, round-off ~1e-11).</summary>
    public const double FiniteDifference = 1e-7;

    /// <summary>Second derivatives against second differences with step 1e-3 (truncation ~1e-7, round-off ~1e-10).</summary>
    public const double SecondDifference = 1e-5;

    /// <summary>Monte-Carlo means against exact values, in standard errors (two-sided false-failure rate about 6e-7 per
    /// comparison for a normal mean, about 2e-5 over a fixture's ~40 comparisons; a t-distributed mean of 20 draws at 5σ: 1e-4).</summary>
    public const double Sigmas = 5.0;
}
