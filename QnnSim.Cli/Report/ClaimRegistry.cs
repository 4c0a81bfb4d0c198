namespace QnnSim.Cli.Report;

/// <summary>
/// Every claim of <c>qnnsim reproduce</c>, in report order. To add a claim, implement <see cref="IClaim"/> (an Id that is
/// unique and safe in a file name, artefacts named <c>claim{Id}_…</c>, gated figures through <see cref="ClaimResult.Check"/>)
/// and append it here; <c>--claim ID</c>, <c>--seeds A..B</c>, the report and summary.json pick it up.
/// </summary>
internal static class ClaimRegistry
{
    /// <summary>The claims in report order.</summary>
    public static IReadOnlyList<IClaim> All { get; } =
    [
        new Claims.SublinearClaim(3), new Claims.LinearClaim(3), new Claims.KernelMotionClaim(),
        new Claims.AsymptoticClaim(), new Claims.HaarClaim(), new Claims.CriticalRateClaim(),
        new Claims.SublinearClaim(2), new Claims.LinearClaim(2),
        new Claims.LinearClaim(3, [1.1, 1.5, 2.0, 2.5, 3.0], "2-gamma"), new Claims.LateRateClaim(), new Claims.SublinearClaim(4), new Claims.LinearClaim(4),
        new Claims.HaarGeneralClaim(),
        new Claims.NoiseGlobalScalingClaim(), new Claims.NoiseLocalKernelClaim(), new Claims.NoiseRangeClaim(),
    ];

    /// <summary>The claims a mode runs (some run only in <c>--full</c>).</summary>
    public static IReadOnlyList<IClaim> For(ReproduceSettings settings) => All.Where(c => c.RunsIn(settings)).ToArray();

    /// <summary>
    /// The claims named in <paramref name="ids"/> (comma-separated list, each an Id of <see cref="All"/>), in report order.
    /// </summary>
    /// <exception cref="CliUsageException">An unknown Id (the message lists the valid ones).</exception>
    public static IReadOnlyList<IClaim> Select(string ids)
    {
        var wanted = ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (wanted.Length == 0) throw new CliUsageException($"--claim '{ids}' names no claim; allowed: {string.Join(", ", All.Select(c => c.Id))}.");
        foreach (var id in wanted)
            if (All.All(c => c.Id != id))
                throw new CliUsageException($"--claim '{id}' is not a claim; allowed: {string.Join(", ", All.Select(c => c.Id))}.");
        return All.Where(c => wanted.Contains(c.Id)).ToArray();
    }
}
