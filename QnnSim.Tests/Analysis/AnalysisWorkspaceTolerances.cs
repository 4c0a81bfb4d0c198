namespace QnnSim.Tests.Analysis;

/// <summary>Allocation bounds of the workspace-based circuit evaluator.</summary>
internal static class AnalysisWorkspaceTolerances
{
    /// <summary>
    /// A 10-qubit training step may allocate a quarter of one state (4 KiB); what it does allocate is the simulator's
    /// fused-block matrices, which do not depend on n.
    /// </summary>
    public const long TenQubitStateFractionDivisor = 4;

    /// <summary>Slack in bytes for the size-independence comparison.</summary>
    public const long SizeIndependenceSlackBytes = 128;
}
