using System.Globalization;
using System.Text;
using System.Text.Json;

namespace QnnSim.Cli.Report;

/// <summary>
/// <c>qnnsim reproduce --seeds A..B</c>: runs the claims once per seed (verdicts only, no per-seed artefacts) and writes
/// the pass rate per claim (seeds.md, seeds.json), every gated figure per seed (seeds.csv) and, per claim, a plot of its
/// first gated figure against the seed with the band it must lie in (seeds_claim{Id}.png/.svg). seeds.csv grows by the
/// rows of each run as it finishes and seeds.json is replaced after each finished seed, so an interrupted sweep keeps
/// everything it measured; on cancellation (Ctrl-C, SIGTERM) the summary and plots of the finished runs are written.
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

    /// <summary>The files of a seed sweep, removed at the start so that an interrupted run never leaves an older sweep's beside its own.</summary>
    private static readonly string[] SweepFiles = ["seeds.csv", "seeds.json", "seeds.md"];

    public static int Run(ReproduceSettings settings, IReadOnlyList<IClaim> claims, ulong from, ulong to, CliContext context)
    {
        var dir = settings.OutputDirectory;
        Directory.CreateDirectory(dir);
        ClearPreviousSweep(dir);
        var output = context.Out;
        output.WriteLine($"qnnsim reproduce --seeds {from}..{to}: mode {settings.ModeName}, {claims.Count} claim(s), threads {settings.Threads}, writing to {dir}");
        var rows = new List<(ulong Seed, ClaimResult Result)>();
        bool cancelled = false;
        ulong seedsFinished = 0;
        var total = System.Diagnostics.Stopwatch.StartNew();
        string csvPath = Path.Combine(dir, "seeds.csv"), jsonPath = Path.Combine(dir, "seeds.json");
        File.WriteAllText(csvPath, CsvHeader);
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
                // Every finished run's figures go to disk at once: an interrupted sweep (SIGTERM, SIGKILL, a power cut) keeps them.
                File.AppendAllText(csvPath, CsvRows(seed, result));
                line.Append($" {claim.Id} {ClaimResult.VerdictText(result.Verdict)} ({result.Seconds:F1} s);");
            }
            if (!cancelled)
            {
                seedsFinished++;
                // The pass rates so far, replaced whole (written beside, then moved) so a reader never sees half a file.
                WriteJsonAtomically(jsonPath, settings, from, to, complete: false, cancelled: false, seedsFinished, total.Elapsed.TotalSeconds, Statistics(claims, rows));
            }
            output.WriteLine(line.ToString().TrimEnd(';'));
            if (seed == ulong.MaxValue) break;
        }
        var stats = Statistics(claims, rows);
        WriteJsonAtomically(jsonPath, settings, from, to, complete: !cancelled, cancelled, seedsFinished, total.Elapsed.TotalSeconds, stats);
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
            context.Error.WriteLine($"qnnsim: cancelled after {seedsFinished} of {to - from + 1} seed(s); seeds.csv holds every run that finished, the pass rates cover them.");
            return ExitCodes.Cancelled;
        }
        return stats.All(s => s.Passes == s.Runs.Length) ? ExitCodes.Success : ExitCodes.CheckFailed;
    }

    /// <summary>Per claim: its runs, passes, failing seeds and false-failure estimate.</summary>
    private static ClaimStats[] Statistics(IReadOnlyList<IClaim> claims, List<(ulong Seed, ClaimResult Result)> rows) =>
        claims.Select(c =>
        {
            var runs = rows.Where(r => r.Result.Id == c.Id).ToArray();
            int passes = runs.Count(r => r.Result.Verdict == Verdict.Pass);
            return new ClaimStats(c, runs, passes, runs.Where(r => r.Result.Verdict != Verdict.Pass).Select(r => r.Seed).ToArray(),
                FalseFailureEstimate(runs.Select(r => r.Result).ToArray()));
        }).ToArray();

    private sealed record ClaimStats(IClaim Claim, (ulong Seed, ClaimResult Result)[] Runs, int Passes, ulong[] Failing, FalseFailure Estimate);

    private static void ClearPreviousSweep(string dir)
    {
        foreach (var path in SweepFiles.Select(f => Path.Combine(dir, f)).Concat(Directory.EnumerateFiles(dir, "seeds_claim*.png")).Concat(Directory.EnumerateFiles(dir, "seeds_claim*.svg")).ToArray())
        {
            try { if (File.Exists(path)) File.Delete(path); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// One gated figure over the seeds: its mean, standard deviation, the nearer counted band edge in standard deviations,
    /// P(outside) and which edges were counted ("low", "high", "low and high" or "none").
    /// </summary>
    internal sealed record GateSpread(string Name, double Mean, double StandardDeviation, double EdgeSigmas, double Probability, string Edges = "none");

    /// <summary>A claim's estimated false-failure probability per seed (the sum over its gates) and the per-gate figures.</summary>
    internal sealed record FalseFailure(double Total, IReadOnlyList<GateSpread> Gates);

    /// <summary>
    /// Estimates the probability that a new seed fails the claim, from the spread of each gated figure over the seeds run.
    /// The figure is taken as normal with the seeds' mean m and standard deviation σ; an edge counts only when the figure
    /// can cross it (<see cref="Gate.LowEdgeCrossable"/>, <see cref="Gate.HighEdgeCrossable"/>): an infinite edge, or an
    /// edge at the bound of the figure's range by construction (0 for an absolute error, a count or a ratio of
    /// non-negative quantities), contributes nothing, because the normal model's mass beyond it is an artefact of the
    /// model, not a way to fail. P(outside) = Σ over the counted edges of Φ(−z), z = |m − edge|/σ signed so that a mean
    /// outside the band gives z &lt; 0; the claim's estimate is the sum over its gates (a union bound, capped at 1).
    /// A figure constant over the seeds gives 0 inside its band and 1 outside. NaN with fewer than 3 runs or a
    /// non-finite figure.
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
            var first = found[0]!;
            bool countLow = first.LowEdgeCrossable, countHigh = first.HighEdgeCrossable;
            string edges = countLow && countHigh ? "low and high" : countLow ? "low" : countHigh ? "high" : "none";
            if (runs.Count < 3 || values.Any(v => !double.IsFinite(v)))
            {
                gates.Add(new GateSpread(name, values.Average(), double.NaN, double.NaN, double.NaN, edges));
                total = double.NaN;
                continue;
            }
            double mean = values.Average();
            double sd = Stats.StandardDeviation(values);
            double zLow = countLow ? (mean - first.Low) / sd : double.PositiveInfinity;
            double zHigh = countHigh ? (first.High - mean) / sd : double.PositiveInfinity;
            double p;
            if (sd == 0) p = values.All(v => v >= first.Low && v <= first.High) ? 0 : 1;
            else p = Math.Min(1, Tail(zLow) + Tail(zHigh));
            double z = sd == 0 ? double.PositiveInfinity : Math.Min(zLow, zHigh);
            gates.Add(new GateSpread(name, mean, sd, z, p, edges));
            total += p;
        }
        return new FalseFailure(Math.Min(total, 1), gates);
    }

    /// <summary>Φ(−z), the standard normal upper tail beyond z (0 for z = +∞).</summary>
    private static double Tail(double z) => double.IsPositiveInfinity(z) ? 0 : 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(z / Math.Sqrt(2));

    private static string FormatProbability(double p) => !double.IsFinite(p) ? "n/a" : p == 0 ? "0" : p < 1e-12 ? "< 1e-12" : p.ToString("G2", CultureInfo.InvariantCulture);

    private const string CsvHeader = "seed,claim,verdict,gate,value,low,high,gate_pass\n";

    /// <summary>The rows of one finished run: one per gated figure.</summary>
    private static string CsvRows(ulong seed, ClaimResult r)
    {
        var sb = new StringBuilder();
        foreach (var g in r.Gates)
            sb.Append(string.Join(",", seed.ToString(CultureInfo.InvariantCulture), r.Id, ClaimResult.VerdictKey(r.Verdict), g.Name,
                g.Value.ToString("R", CultureInfo.InvariantCulture), g.Low.ToString("R", CultureInfo.InvariantCulture), g.High.ToString("R", CultureInfo.InvariantCulture), g.Pass ? "1" : "0")).Append('\n');
        return sb.ToString();
    }

    private static void WriteJsonAtomically(string path, ReproduceSettings settings, ulong from, ulong to, bool complete, bool cancelled, ulong seedsFinished, double seconds, ClaimStats[] stats)
    {
        string temporary = path + ".tmp";
        WriteJson(temporary, settings, from, to, complete, cancelled, seedsFinished, seconds, stats.Select(s => (s.Claim, s.Runs.Length, s.Passes, s.Failing, s.Estimate)).ToArray());
        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteJson(string path, ReproduceSettings settings, ulong from, ulong to, bool complete, bool cancelled, ulong seedsFinished, double seconds, (IClaim Claim, int Runs, int Passes, ulong[] Failing, FalseFailure Estimate)[] stats)
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
            w.WriteBoolean("complete", complete);
            w.WriteNumber("seeds_finished", seedsFinished);
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
                    w.WriteString("edges_counted", g.Edges);
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
        sb.AppendLine($"mode {settings.ModeName}, seeds {from}..{to}" + (cancelled ? ", CANCELLED (the rates cover the runs that finished; seeds.csv lists them)" : ""));
        sb.AppendLine();
        sb.AppendLine("| claim | title | passes | failing seeds | estimated false-failure probability per seed | gated figures and their meaning |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in stats)
        {
            string gates = s.First is null ? "" : string.Join("; ", s.First.Gates.Select(g => $"{g.Name} in [{g.Low:G4}, {g.High:G4}]: {g.Meaning}"));
            sb.AppendLine($"| {s.Claim.Id} | {s.Claim.Title} | {s.Passes}/{s.Runs} | {(s.Failing.Length == 0 ? "none" : string.Join(", ", s.Failing))} | {FormatProbability(s.Estimate.Total)} | {gates} |");
        }
        sb.AppendLine();
        sb.AppendLine("**How the false-failure probability is estimated.** Each gated figure is treated as normal across seeds, with");
        sb.AppendLine("the mean m and standard deviation σ of these seeds. Only the band edges the figure can cross count: an infinite");
        sb.AppendLine("edge, or an edge at the bound of the figure's range by construction (0 for an absolute error, a maximum of absolute");
        sb.AppendLine("values, a count or a ratio of non-negative quantities), is left out, because the normal model's mass beyond it is an");
        sb.AppendLine("artefact of the model and no seed can fail there. For each counted edge z = (m − low)/σ or (high − m)/σ, and the");
        sb.AppendLine("probability that a new seed falls outside is the sum of Φ(−z) over the counted edges. A claim's figure is the sum");
        sb.AppendLine("over its gates (a union bound: the gates of one run are correlated, so this over-states the rate). A figure that did");
        sb.AppendLine("not vary over the seeds contributes 0 inside its band and 1 outside. With N seeds σ is itself uncertain by about");
        sb.AppendLine("1/√(2N) (16 % at N = 20), and the normal tail far beyond the seeds seen is a model, not a measurement, so read the");
        sb.AppendLine("estimate as an order of magnitude.");
        sb.AppendLine();
        sb.AppendLine("| claim | gated figure | mean over seeds | s.d. over seeds | edges counted | nearer counted edge (s.d.) | P(outside) |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var s in stats)
            foreach (var g in s.Estimate.Gates)
                sb.AppendLine($"| {s.Claim.Id} | {g.Name} | {g.Mean:G4} | {g.StandardDeviation:G3} | {g.Edges} | {(double.IsFinite(g.EdgeSigmas) ? g.EdgeSigmas.ToString("F1", CultureInfo.InvariantCulture) : "∞")} | {FormatProbability(g.Probability)} |");
        sb.AppendLine();
        foreach (var p in plots) sb.AppendLine($"![{p}]({p})");
        sb.AppendLine();
        sb.AppendLine("Data: [seeds.csv](seeds.csv) (every gated figure per seed), [seeds.json](seeds.json).");
        return sb.ToString();
    }
}
