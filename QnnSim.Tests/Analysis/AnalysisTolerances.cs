namespace QnnSim.Tests.Analysis;

/// <summary>Tolerances of the analysis tests (docs/theory.md §5 states most of them).</summary>
internal static class AnalysisTolerances
{
    /// <summary>Dedicated engine against the general Differentiator path, and adjoint against parameter shift kernels (§5.2).</summary>
    public const double Exact = 1e-10;

    /// <summary>Smallest eigenvalue a PSD kernel may show (§5.2).</summary>
    public const double PsdFloor = -1e-12;

    /// <summary>Round-off allowance in inequality checks (bounds of §3a).</summary>
    public const double BoundSlack = 1e-10;

    /// <summary>Haar mean of K_ii: relative distance from the formula (§5.3).</summary>
    public const double HaarDiagonalRelative = 0.03;

    /// <summary>Haar mean of K_ij (i ≠ j): standard errors from the formula (§5.3).</summary>
    public const double HaarOffDiagonalSigmas = 4.0;

    /// <summary>Log–log slope window for sublinear decay (§5.5).</summary>
    public const double SlopeLow = -1.05, SlopeHigh = -0.95;

    /// <summary>s‖r‖ against √m/(4c): 30% at p = 256, 10% at p = 1024 (§5.5).</summary>
    public const double LimitAt256 = 0.30, LimitAt1024 = 0.10;

    /// <summary>Late-time rate against −ln(1 − η0κ)/η0, averaged over seeds (§5.7).</summary>
    public const double RateRelative = 0.10;

    /// <summary>K(end)/K(0) against (γ² − 1)/(γ² − ŷ0²) (§5.7).</summary>
    public const double KernelRatioRelative = 0.05;

    /// <summary>Drift of tr M², tr M⁴ along the asymptotic flow with RK4 step 0.25 (§5.8).</summary>
    public const double SpectrumDrift = 1e-5;

    /// <summary>
    /// Two evaluations of a k-term dot product in different orders differ by at most 2γ_k Σ|a_l b_l| ≈ k·2u Σ|a_l b_l|,
    /// u = 2⁻⁵³ (Higham, Accuracy and Stability of Numerical Algorithms, §3.1): this is 2u, per term.
    /// </summary>
    public const double DotRoundingPerTerm = 2.3e-16;
}
