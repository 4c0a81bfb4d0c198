namespace QnnSim.Tests.Gradients;

/// <summary>Bounds of the workspace tests.</summary>
internal static class GradientWorkspaceTolerances
{
    /// <summary>vᵀJ by the weighted co-state against the explicit contraction of J's rows (rounding only).</summary>
    public const double Contraction = 1e-12;

    /// <summary>A steady-state workspace call may allocate at most one state's bytes divided by this (2^n·16/8).</summary>
    public const long StateFractionDivisor = 8;

    /// <summary>
    /// At n = 10 the adjoint call may allocate a quarter of one state (4 KiB): about 2.3 KiB are the simulator's
    /// fused-block matrices, which do not grow with n.
    /// </summary>
    public const long TenQubitStateFractionDivisor = 4;

    /// <summary>How many more bytes per call a 13-qubit run may allocate than the same gates on 6 qubits.</summary>
    public const long SizeIndependenceSlackBytes = 64;
}
