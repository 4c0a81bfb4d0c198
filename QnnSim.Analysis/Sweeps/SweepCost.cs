namespace QnnSim.Analysis.Sweeps;

/// <summary>
/// A sweep's estimated cost. Each point gets a relative work weight, the product of its size options that are
/// given explicitly: 2^qubits (a state vector's length) × layers × steps × samples × circuits × trajectories (an
/// option left at the command's default counts as 1, so weights compare points of one sweep, not sweeps). Once some
/// points have run, their measured seconds per unit of weight turn the weights into seconds.
/// </summary>
public static class SweepCost
{
    /// <summary>The options whose value multiplies the work, and how.</summary>
    public static readonly IReadOnlyList<string> SizeOptions = ["qubits", "layers", "steps", "samples", "circuits", "trajectories"];

    /// <summary>The relative work of a point (≥ 1).</summary>
    public static double Weight(SweepSpec spec, SweepPoint point)
    {
        double w = 1;
        foreach (var (name, value) in spec.Options.Concat(point.Values))
        {
            if (!SizeOptions.Contains(name) || !value.TryGetNumber(out double v) || !(v >= 1)) continue;
            w *= name == "qubits" ? Math.Pow(2, Math.Min(v, 60)) : v;
        }
        return w;
    }

    /// <summary>
    /// Seconds per unit of weight measured on the points that have run successfully (their last run's duration),
    /// or null when none has.
    /// </summary>
    public static double? SecondsPerWeight(SweepResults results)
    {
        double seconds = 0, weight = 0;
        foreach (var p in results.Plan.Points)
        {
            var runs = results.ReadProvenance(p.Index);
            if (runs.Count == 0 || runs[^1].ExitCode != 0) continue;
            seconds += runs[^1].Seconds;
            weight += Weight(results.Plan.Spec, p);
        }
        return weight > 0 ? seconds / weight : null;
    }
}
