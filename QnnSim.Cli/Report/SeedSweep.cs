using System.Globalization;
using System.Text;
using System.Text.Json;

namespace QnnSim.Cli.Report;

/// <summary>
/// <c>qnnsim reproduce --seeds A..B</c>: runs the claims once per seed (verdicts only, no per-seed artefacts) and writes
/// the pass rate per claim (seeds.md, seeds.json), every gated figure per seed (seeds.csv) and, per claim, a plot of its
/// first gated figure against the seed with the band it must lie in (seeds_claim{Id}.png/.svg).
/// </summary>
internal static class SeedSweep
{
    /// <summary>The schema tag of seeds.json.</summary>
    public const string Schema = "qnnsim.reproduce-seeds/1";

    /// <summary>Parses "A..B" (inclusive, A ≤ B, at most 10,000 seeds) or a single seed "A".</summary>
    /// <exception cref="CliUsageException">Malformed or reversed range.</exception>
    public static (ulong From, ulong To) ParseRange(string text)
    {
        string t = text.Trim();
        int dots = t.IndexOf("..", StringComparison.Ordinal);
        string a = dots < 0 ? t : t[..dots], b = dots < 0 ? t : t[(dots + 2)..];
        if (!ulong.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var from) || !ulong.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var to))
            throw new CliUsageException($"--seeds '{text}' is not a seed range; expected A..B with whole numbers 0 ≤ A ≤ B (for example 1..20).");
        if (to < from) throw new CliUsageException($"--seeds '{text}' is reversed; expected A..B with A ≤ B.");
        if (to - from >= 10_000) throw new CliUsageException($"--seeds '{text}' spans {to - from + 1} seeds; allowed: at most 10000.");
        return (from, to);
    }

    public static int Run(ReproduceSettings settings, IReadOnlyList<IClaim> claims, ulong from, ulong to, CliContext context)
    {
        var dir = settings.OutputDirectory;
        Directory.CreateDirectory(dir);
        var output = context.Out;
        output.WriteLine($"qnnsim reproduce --seeds {from}..{to}: mode {settings.ModeName}, {claims.Count} claim(s), threads {settings.Threads}, writing to {dir}");
        var rows = new List<(ulong Seed, ClaimResult Result)>();
        bool cancelled = false;
        var total = System.Diagnostics.Stopwatch.StartNew();
        for (ulong seed = from; seed <= to && !cancelled; seed++)
        {
            var seedSettings = settings with { Seed = seed, WriteArtifacts = false };
            var writer = new ArtifactWriter(dir, enabled: false);
            var line = new StringBuilder($"seed {seed}:");
            foreach (var claim in claims)
            {
                if (context.CancellationToken.IsCancellationRequested) { cancelled = true; break; }
                var result = new ClaimResult { Id = claim.Id, Title = claim.Title };
                if (!ReproduceRunner.Execute(claim, result, new ClaimContext(seedSettings, writer, _ => { }, context.CancellationToken), context.Error)) { cancelled = true; break; }
                rows.Add((seed, result));
                line.Append($" {claim.Id} {ClaimResult.VerdictText(result.Verdict)} ({result.Seconds:F1} s);");
            }
            output.WriteLine(line.ToString().TrimEnd(';'));
            if (seed == ulong.MaxValue) break;
        }
        var stats = claims.Select(c =>
        {
            var runs = rows.Where(r => r.Result.Id == c.Id).ToArray();
            int passes = runs.Count(r => r.Result.Verdict == Verdict.Pass);
            return (Claim: c, Runs: runs, Passes: passes, Failing: runs.Where(r => r.Result.Verdict != Verdict.Pass).Select(r => r.Seed).ToArray(),
                Estimate: FalseFailureEstimate(runs.Select(r => r.Result).ToArray()));
        }).ToArray();
        WriteCsv(Path.Combine(dir, "seeds.csv"), rows);
        WriteJson(Path.Combine(dir, "seeds.json"), settings, from, to, cancelled, total.Elapsed.TotalSeconds, stats.Select(s => (s.Claim, s.Runs.Length, s.Passes, s.Failing, s.Estimate)).ToArray());
        var plots = new List<string>();
        foreach (var s in stats)
        {
            if (s.Runs.Length == 0 || s.Runs[0].Result.Gates.Count == 0) continue;
            var gate = s.Runs[0].Result.Gates[0];
            var xs = s.Runs.Select(r => (double)r.Seed).ToArray();
            var values = s.Runs.Select(r => r.Result.Gates.FirstOrDefault(g => g.Name == gate.Name)?.Value ?? double.NaN).ToArray();
            var passing = s.Runs.Select(r => r.Result.Verdict == Verdict.Pass).ToArray();
            var name = $"seeds_claim{s.Claim.Id}";
            var series = new List<Series>
            {
                new($"{gate.Name}, claim passes", xs.Where((_, i) => passing[i]).ToArray(), values.Where((_, i) => passing[i]).ToArray(), SeriesStyle.Markers) { Colour = 0 },
                new($"{gate.Name}, claim fails", xs.Where((_, i) => !passing[i]).ToArray(), values.Where((_, i) => !passing[i]).ToArray(), SeriesStyle.Markers) { Colour = 1 },
            };
            double lo = xs.Min() - 0.5, hi = xs.Max() + 0.5;
            if (double.IsFinite(gate.Low)) series.Add(new Series($"band low {gate.Low:G4}", [lo, hi], [gate.Low, gate.Low], SeriesStyle.Dashed) { Colour = 2 });
            if (double.IsFinite(gate.High)) series.Add(new Series($"band high {gate.High:G4}", [lo, hi], [gate.High, gate.High], SeriesStyle.Dashed) { Colour = 2 });
            Plotting.Save(new PlotSpec(name, $"Claim {s.Claim.Id}: {gate.Name} against the seed ({s.Passes}/{s.Runs.Length} pass)", "seed", gate.Name, false, false, series), Path.Combine(dir, name));
            plots.Add(name + ".png");
        }
        File.WriteAllText(Path.Combine(dir, "seeds.md"), Markdown(settings, from, to, cancelled, stats.Select(s => (s.Claim, s.Runs.Length, s.Passes, s.Failing, s.Runs.Length > 0 ? (ClaimResult?)s.Runs[0].Result : null, s.Estimate)).ToArray(), plots));

        output.WriteLine();
        output.WriteLine("  claim      pass rate  est. false-failure/seed  failing seeds");
        foreach (var s in stats)
            output.WriteLine($"  {s.Claim.Id,-10} {s.Passes,4}/{s.Runs.Length,-4}  {FormatProbability(s.Estimate.Total),-23}  {(s.Failing.Length == 0 ? "none" : string.Join(", ", s.Failing))}");
        output.WriteLine($"Pass rates: {Path.Combine(dir, "seeds.md")} ({total.Elapsed.TotalSeconds:F1} s)");
        if (cancelled)
        {
            context.Error.WriteLine("qnnsim: cancelled; the pass rates cover the seeds that finished.");
            return ExitCodes.Cancelled;
        }
        return stats.All(s => s.Passes == s.Runs.Length) ? ExitCodes.Success : ExitCodes.CheckFailed;
    }

    /// <summary>One gated figure over the seeds: its mean, standard deviation, the nearer band edge in standard deviations and P(outside).</summary>
    internal sealed record GateSpread(string Name, double Mean, double StandardDeviation, double EdgeSigmas, double Probability);

    /// <summary>A claim's estimated false-failure probability per seed (the sum over its gates) and the per-gate figures.</summary>
    internal sealed record FalseFailure(double Total, IReadOnlyList<GateSpread> Gates);

    /// <summary>
    /// Estimates the probability that a new seed fails the claim, from the spread of each gated figure over the seeds run:
    /// the figure is taken as normal with the seeds' mean and standard deviation, P(outside) = Φ(−z_low) + Φ(−z_high), and
    /// the claim's estimate is the sum over its gates (a union bound). NaN with fewer than 3 runs or a non-finite figure.
    /// </summary>
    internal static FalseFailure FalseFailureEstimate(IReadOnlyList<ClaimResult> runs)
    {
        var gates = new List<GateSpread>();
        if (runs.Count == 0) return new FalseFailure(double.NaN, gates);
        double total = 0;
        foreach (var name in runs[0].Gates.Select(g => g.Name))
        {
            var found = runs.Select(r => r.Gates.FirstOrDefault(g => g.Name == name)).ToArray();
            if (found.Any(g => g is null)) { gates.Add(new GateSpread(name, double.NaN, double.NaN, double.NaN, double.NaN)); total = double.NaN; continue; }
            var values = found.Select(g => g!.Value).ToArray();
            double low = found[0]!.Low, high = found[0]!.High;
            if (runs.Count < 3 || values.Any(v => !double.IsFinite(v)))
            {
                gates.Add(new GateSpread(name, values.Average(), double.NaN, double.NaN, double.NaN));
                total = double.NaN;
                continue;
            }
            var (mean, _) = Stats.MeanAndError(values);
            double sd = Stats.StandardDeviation(values);
            double zLow = double.IsFinite(low) ? (mean - low) / sd : double.PositiveInfinity;
            double zHigh = double.IsFinite(high) ? (high - mean) / sd : double.PositiveInfinity;
            double p;
            if (sd == 0) p = values.All(v => v >= low && v <= high) ? 0 : 1;
            else p = Tail(zLow) + Tail(zHigh);
            double z = sd == 0 ? double.PositiveInfinity : Math.Min(zLow, zHigh);
            gates.Add(new GateSpread(name, mean, sd, z, p));
            total += p;
        }
        return new FalseFailure(Math.Min(total, 1), gates);
    }

    /// <summary>Φ(−z), the standard normal upper tail beyond z (0 for z = +∞).</summary>
    private static double Tail(double z) => double.IsPositiveInfinity(z) ? 0 : 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(z / Math.Sqrt(2));

    private static string FormatProbability(double p) => !double.IsFinite(p) ? "n/a" : p == 0 ? "0" : p < 1e-12 ? "< 1e-12" : p.ToString("G2", CultureInfo.InvariantCulture);

    private static void WriteCsv(string path, List<(ulong Seed, ClaimResult Result)> rows)
    {
        var sb = new StringBuilder("seed,claim,verdict,gate,value,low,high,gate_pass\n");
        foreach (var (seed, r) in rows)
            foreach (var g in r.Gates)
                sb.AppendLine(string.Join(",", seed.ToString(CultureInfo.InvariantCulture), r.Id, ClaimResult.VerdictKey(r.Verdict), g.Name,
                    g.Value.ToString("R", CultureInfo.InvariantCulture), g.Low.ToString("R", CultureInfo.InvariantCulture), g.High.ToString("R", CultureInfo.InvariantCulture), g.Pass ? "1" : "0"));
        File.WriteAllText(path, sb.ToString());
    }

    private static void WriteJson(string path, ReproduceSettings settings, ulong from, ulong to, bool cancelled, double seconds, (IClaim Claim, int Runs, int Passes, ulong[] Failing, FalseFailure Estimate)[] stats)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("schema", Schema);
            w.WriteString("mode", settings.ModeName);
            w.WriteNumber("seed_from", from);
            w.WriteNumber("seed_to", to);
            w.WriteBoolean("cancelled", cancelled);
            w.WriteNumber("seconds", Math.Round(seconds, 1));
            w.WriteStartArray("claims");
            foreach (var s in stats)
            {
                w.WriteStartObject();
                w.WriteString("id", s.Claim.Id);
                w.WriteString("title", s.Claim.Title);
                w.WriteNumber("runs", s.Runs);
                w.WriteNumber("passes", s.Passes);
                if (s.Runs > 0) w.WriteNumber("pass_rate", (double)s.Passes / s.Runs); else w.WriteNull("pass_rate");
                w.WriteStartArray("failing_seeds"); foreach (var f in s.Failing) w.WriteNumberValue(f); w.WriteEndArray();
                if (double.IsFinite(s.Estimate.Total)) w.WriteNumber("false_failure_estimate", s.Estimate.Total); else w.WriteNull("false_failure_estimate");
                w.WriteStartArray("gates");
                foreach (var g in s.Estimate.Gates)
                {
                    w.WriteStartObject();
                    w.WriteString("name", g.Name);
                    if (double.IsFinite(g.Mean)) w.WriteNumber("mean", g.Mean); else w.WriteNull("mean");
                    if (double.IsFinite(g.StandardDeviation)) w.WriteNumber("sd", g.StandardDeviation); else w.WriteNull("sd");
                    if (double.IsFinite(g.EdgeSigmas)) w.WriteNumber("edge_sigmas", g.EdgeSigmas); else w.WriteNull("edge_sigmas");
                    if (double.IsFinite(g.Probability)) w.WriteNumber("false_failure", g.Probability); else w.WriteNull("false_failure");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        File.WriteAllBytes(path, stream.ToArray());
    }

    private static string Markdown(ReproduceSettings settings, ulong from, ulong to, bool cancelled, (IClaim Claim, int Runs, int Passes, ulong[] Failing, ClaimResult? First, FalseFailure Estimate)[] stats, List<string> plots)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# QnnSim reproduction: pass rates over seeds");
        sb.AppendLine();
        sb.AppendLine($"mode {settings.ModeName}, seeds {from}..{to}" + (cancelled ? ", CANCELLED (the rates cover the seeds that finished)" : ""));
        sb.AppendLine();
        sb.AppendLine("| claim | title | passes | failing seeds | estimated false-failure probability per seed | gated figures and their meaning |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in stats)
        {
            string gates = s.First is null ? "" : string.Join("; ", s.First.Gates.Select(g => $"{g.Name} in [{g.Low:G4}, {g.High:G4}]: {g.Meaning}"));
            sb.AppendLine($"| {s.Claim.Id} | {s.Claim.Title} | {s.Passes}/{s.Runs} | {(s.Failing.Length == 0 ? "none" : string.Join(", ", s.Failing))} | {FormatProbability(s.Estimate.Total)} | {gates} |");
        }
        sb.AppendLine();
        sb.AppendLine("**How the false-failure probability is estimated.** Each gated figure is treated as normal across seeds: its mean and");
        sb.AppendLine("standard deviation over these seeds give the distance from the mean to each edge of its band in standard deviations");
        sb.AppendLine("(z), and the probability that a new seed falls outside is Φ(−z_low) + Φ(−z_high). A claim's figure is the sum over its");
        sb.AppendLine("gates (a union bound). A figure that did not vary over the seeds (a count of bound violations, say) contributes 0. With");
        sb.AppendLine("N seeds the standard deviation is itself uncertain by about 1/√(2N) (16 % at N = 20), so read the estimate as an order");
        sb.AppendLine("of magnitude.");
        sb.AppendLine();
        sb.AppendLine("| claim | gated figure | mean over seeds | s.d. over seeds | nearer edge (s.d.) | P(outside) |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in stats)
            foreach (var g in s.Estimate.Gates)
                sb.AppendLine($"| {s.Claim.Id} | {g.Name} | {g.Mean:G4} | {g.StandardDeviation:G3} | {(double.IsFinite(g.EdgeSigmas) ? g.EdgeSigmas.ToString("F1", CultureInfo.InvariantCulture) : "∞")} | {FormatProbability(g.Probability)} |");
        sb.AppendLine();
        foreach (var p in plots) sb.AppendLine($"![{p}]({p})");
        sb.AppendLine();
        sb.AppendLine("Data: [seeds.csv](seeds.csv) (every gated figure per seed), [seeds.json](seeds.json).");
        return sb.ToString();
    }
}
