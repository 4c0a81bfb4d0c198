using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace QnnSim.Analysis.Sweeps;

/// <summary>
/// Checks a sweep's command and each point's arguments against the tool that will run them (the command line's own
/// parser), so that a bad option is reported at plan time, before anything runs.
/// </summary>
public interface ISweepPointValidator
{
    /// <summary>Null when <paramref name="command"/> (e.g. ["experiment", "convergence"]) can be swept; else why not, with the allowed commands.</summary>
    string? CheckCommand(IReadOnlyList<string> command);

    /// <summary>Null when the full argument list of a point parses; else the parser's messages.</summary>
    string? CheckPoint(IReadOnlyList<string> arguments);
}

/// <summary>One point of a sweep: its stable index and id, its axis values and the command line it runs.</summary>
/// <param name="Index">Position in the plan (0-based): grid order, first axis slowest, seeds fastest.</param>
/// <param name="Id">A stable id: the first 12 hex digits of SHA-256 of the point's argument list (independent of its position).</param>
/// <param name="Values">The point's value on each axis, in the spec's axis order.</param>
/// <param name="Arguments">The full argument list after <c>qnnsim</c>: command words, positional arguments, fixed options, axis options.</param>
public sealed record SweepPoint(int Index, string Id, IReadOnlyList<KeyValuePair<string, SweepValue>> Values, IReadOnlyList<string> Arguments)
{
    /// <summary>"layers=8 gamma=1 seed=2": the point's axis values.</summary>
    public string Label => Values.Count == 0 ? "(no axes)" : string.Join(' ', Values.Select(v => $"{v.Key}={v.Value.Text}"));

    /// <summary>The arguments as one shell-quoted line (for messages and logs).</summary>
    public string CommandLine => string.Join(' ', Arguments.Select(ShellQuote));

    /// <summary>Quotes a word for a POSIX shell when it needs it.</summary>
    public static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:+,@%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}

/// <summary>
/// The points of a sweep and the hash that ties results to them. Build with <see cref="Create"/>: it expands the
/// axes (grid or zip, seeds crossed), assigns indices and ids, and checks every point with the validator.
/// </summary>
public sealed class SweepPlan
{
    /// <summary>The most points a sweep may have.</summary>
    public const int MaxPoints = 1_000_000;

    private SweepPlan(SweepSpec spec, IReadOnlyList<SweepPoint> points, string hash)
    {
        Spec = spec;
        Points = points;
        Hash = hash;
    }

    /// <summary>The spec.</summary>
    public SweepSpec Spec { get; }

    /// <summary>The points, by index.</summary>
    public IReadOnlyList<SweepPoint> Points { get; }

    /// <summary>
    /// SHA-256 (hex) of the command and every point's argument list in order: it changes exactly when some point
    /// would run something else (or the points move), not when plots or descriptions change.
    /// </summary>
    public string Hash { get; }

    /// <summary>Expands and checks a spec.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="validator">Checks the command and each point's arguments; null skips the checks (tests only).</param>
    /// <exception cref="SweepSpecException">The command cannot be swept, the grid is too large, or points have invalid options (all listed, up to 20).</exception>
    public static SweepPlan Create(SweepSpec spec, ISweepPointValidator? validator)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (validator?.CheckCommand(spec.Command) is { } commandError) throw new SweepSpecException(spec.Source, "command", commandError);

        // In double: a grid of three 100000-value ranges has 1e15 points, which must be reported as such, not wrapped.
        double count = spec.Combine == SweepCombine.Zip
            ? (spec.Axes.Count == 0 ? 1 : spec.Axes[0].Values.Count)
            : spec.Axes.Aggregate(1.0, (n, a) => n * a.Values.Count);
        count *= spec.Seeds?.Values.Count ?? 1;
        if (count > MaxPoints)
            throw new SweepSpecException(spec.Source, "axes", $"the sweep has {count.ToString(count < 1e15 ? "N0" : "G3", CultureInfo.InvariantCulture)} points; allowed: at most {MaxPoints:N0}.");

        var fixedTokens = new List<string>(spec.Command);
        fixedTokens.AddRange(spec.Arguments);
        foreach (var (name, value) in spec.Options) fixedTokens.AddRange(value.Tokens(name));

        var points = new List<SweepPoint>((int)count);
        foreach (var values in Combinations(spec))
        {
            var args = new List<string>(fixedTokens);
            foreach (var (name, value) in values) args.AddRange(value.Tokens(name));
            points.Add(new SweepPoint(points.Count, PointId(args), values, args));
        }

        if (validator is not null)
        {
            var errors = new List<string>();
            int bad = 0;
            foreach (var p in points)
            {
                if (validator.CheckPoint(p.Arguments) is not { } error) continue;
                if (++bad <= 20) errors.Add($"point {p.Index} ({p.Label}): {error}");
            }
            if (bad > 0)
                throw new SweepSpecException(spec.Source, "", $"{bad} of {points.Count} points have invalid options; nothing was run:{Environment.NewLine}  " +
                    string.Join(Environment.NewLine + "  ", errors) + (bad > errors.Count ? $"{Environment.NewLine}  … and {bad - errors.Count} more" : ""));
        }
        return new SweepPlan(spec, points, PlanHash(spec, points));
    }

    /// <summary>The point with the given index.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside 0..N−1.</exception>
    public SweepPoint Point(int index) =>
        index >= 0 && index < Points.Count ? Points[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"point index {index} is out of range for this {Points.Count}-point sweep (0..{Points.Count - 1}).");

    private static IEnumerable<List<KeyValuePair<string, SweepValue>>> Combinations(SweepSpec spec)
    {
        IEnumerable<List<KeyValuePair<string, SweepValue>>> main;
        if (spec.Axes.Count == 0) main = [[]];
        else if (spec.Combine == SweepCombine.Zip)
            main = Enumerable.Range(0, spec.Axes[0].Values.Count).Select(i => spec.Axes.Select(a => new KeyValuePair<string, SweepValue>(a.Name, a.Values[i])).ToList());
        else main = Grid(spec.Axes, 0);
        foreach (var m in main)
        {
            if (spec.Seeds is null) { yield return m; continue; }
            foreach (var s in spec.Seeds.Values) yield return [.. m, new(spec.Seeds.Name, s)];
        }
    }

    private static IEnumerable<List<KeyValuePair<string, SweepValue>>> Grid(IReadOnlyList<SweepAxis> axes, int from)
    {
        if (from == axes.Count) { yield return []; yield break; }
        foreach (var v in axes[from].Values)
            foreach (var rest in Grid(axes, from + 1))
                yield return [new(axes[from].Name, v), .. rest];
    }

    /// <summary>The stable id of an argument list: 12 hex digits of SHA-256 over the NUL-separated arguments.</summary>
    public static string PointId(IReadOnlyList<string> arguments) => Sha256(string.Join('\0', arguments))[..12];

    private static string PlanHash(SweepSpec spec, IReadOnlyList<SweepPoint> points)
    {
        var sb = new StringBuilder("qnnsim.sweep/1\n");
        foreach (var p in points) sb.Append(p.Index.ToString(CultureInfo.InvariantCulture)).Append('\0').Append(string.Join('\0', p.Arguments)).Append('\n');
        return Sha256(sb.ToString());
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
