namespace QnnSim.Tests.Analysis.Toolkit;

/// <summary>Tolerances of the analysis-toolkit tests (issue 14).</summary>
internal static class ToolkitTolerances
{
    /// <summary>Closed-form and hand-computed values (a few ulps of accumulated round-off).</summary>
    public const double Exact = 1e-12;

    /// <summary>Analytic derivatives against central differences with step 1e-5 (truncation ~1e-10, round-off ~1e-11).</summary>
    public const double FiniteDifference = 1e-7;

    /// <summary>The circuit's Jacobian through two paths (adjoint sweeps over different batches) and state derivatives against dense finite differences.</summary>
    public const double Circuit = 1e-9;

    /// <summary>Monte-Carlo comparisons: the number of standard errors allowed (two-sided false-failure rate about 6e-5 for a normal estimate).</summary>
    public const double Sigmas = 4.0;
}
