using System.Text.Json;
using QnnSim.Analysis;
using QnnSim.Cli;
using QnnSim.Cli.Report;

namespace QnnSim.Tests.Report;

/// <summary>The report machinery with synthetic claims: exit codes, cancellation, plots, CSV and JSON.</summary>
[TestFixture]
public class ReportMachineryTests
{
    private string _folder = "";

    [SetUp]
    public void SetUp() => _folder = ReportFiles.NewFolder("qnnsim-report-unit-");

    [TearDown]
    public void TearDown() => ReportFiles.Delete(_folder);

    /// <summary>A claim with synthetic data: y = 3/x, fitted slope on log–log axes, verdict chosen by the test.</summary>
    private sealed class SyntheticClaim(string id, bool pass, Action<ClaimContext>? during = null) : IClaim
    {
        public string Id => id;
        public string Title => $"synthetic claim {id}";
        public long WorkUnits(ReproduceSettings settings) => 10;
        public bool Ran { get; private set; }

        public void Run(ClaimContext context, ClaimResult result)
        {
            Ran = true;
            during?.Invoke(context);
            context.Token.ThrowIfCancellationRequested();
            var xs = Enumerable.Range(1, 50).Select(i => (double)i).ToArray();
            var ys = xs.Select(x => 3 / x).ToArray();
            var table = new DataTable($"synthetic{id}", "x", "y");
            for (int i = 0; i < xs.Length; i++) table.Add(xs[i], ys[i]);
            context.Writer.Write(table, result);
            context.Writer.Write(new PlotSpec($"synthetic{id}", "synthetic", "x", "y", true, true, [new Series("y = 3/x", xs, ys)]), result);
            context.Advance(10);
            result.Measured["slope"] = ConvergenceAnalysis.LogLogSlope(xs, ys, 1, 50).Slope;
            result.Predicted["slope"] = -1.0;
            result.Tolerance = "exact";
            result.Verdict = pass ? Verdict.Pass : Verdict.Fail;
        }
    }

    private (int Code, string Out, string Err) Run(IReadOnlyList<IClaim> claims, CancellationToken token = default)
    {
        var stdout = new StringWriter(); var stderr = new StringWriter();
        var settings = new ReproduceSettings(ReproduceMode.Quick, 5, 1, _folder);
        int code = ReproduceRunner.Run(settings, claims, new CliContext(stdout, stderr, token), interactive: false);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private JsonElement Summary() => ReportFiles.Summary(_folder);

    [Test]
    public void Run_AllClaimsPass_ReturnsSuccessAndWritesEverything()
    {
        var result = Run([new SyntheticClaim("1", true), new SyntheticClaim("2", true)]);
        Assert.That(result.Code, Is.EqualTo(ExitCodes.Success), result.Err);
        foreach (var f in new[] { "summary.json", "provenance.json", "report.html", "report.md", "synthetic1.csv", "synthetic1.png", "synthetic1.svg", "synthetic2.png" })
            Assert.That(File.Exists(Path.Combine(_folder, f)), f);
        var claim = ReportFiles.Claim(Summary(), "1");
        Assert.That(claim.GetProperty("verdict").GetString(), Is.EqualTo("pass"));
        Assert.That(ReportFiles.Measured(claim, "slope"), Is.EqualTo(-1.0).Within(1e-12));
        Assert.That(result.Out, Does.Contain("pass"));
    }

    [Test]
    public void Run_OneClaimFails_ReturnsCheckFailed()
    {
        var result = Run([new SyntheticClaim("1", true), new SyntheticClaim("2", false)]);
        Assert.That(result.Code, Is.EqualTo(ExitCodes.CheckFailed));
        Assert.That(ReportFiles.Claim(Summary(), "2").GetProperty("verdict").GetString(), Is.EqualTo("fail"));
        Assert.That(File.ReadAllText(Path.Combine(_folder, "report.md")), Does.Contain("fail"));
    }

    [Test]
    public void Run_ClaimThrows_MarksItFailedAndContinues()
    {
        var third = new SyntheticClaim("3", true);
        var result = Run([new SyntheticClaim("1", true), new SyntheticClaim("2", true, _ => throw new InvalidOperationException("boom")), third]);
        Assert.That(result.Code, Is.EqualTo(ExitCodes.CheckFailed));
        Assert.That(third.Ran, Is.True);
        var claim = ReportFiles.Claim(Summary(), "2");
        Assert.That(claim.GetProperty("verdict").GetString(), Is.EqualTo("fail"));
        Assert.That(claim.GetProperty("notes")[0].GetString(), Does.Contain("boom"));
    }

    [Test]
    public void Run_CancelledDuringSecondClaim_Returns130AndKeepsTheFirst()
    {
        using var cts = new CancellationTokenSource();
        var third = new SyntheticClaim("3", true);
        var result = Run([new SyntheticClaim("1", true), new SyntheticClaim("2", true, _ => cts.Cancel()), third], cts.Token);
        Assert.That(result.Code, Is.EqualTo(ExitCodes.Cancelled));
        Assert.That(third.Ran, Is.False);
        var summary = Summary();
        Assert.That(summary.GetProperty("cancelled").GetBoolean(), Is.True);
        Assert.That(ReportFiles.Claim(summary, "1").GetProperty("verdict").GetString(), Is.EqualTo("pass"));
        Assert.That(ReportFiles.Claim(summary, "2").GetProperty("verdict").GetString(), Is.EqualTo("not_run"));
        Assert.That(ReportFiles.Claim(summary, "3").GetProperty("verdict").GetString(), Is.EqualTo("not_run"));
        Assert.That(File.Exists(Path.Combine(_folder, "synthetic1.png")), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(_folder, "report.html")), Does.Contain("not run"));
    }

    [Test]
    public void Run_CancelledIntoAnOldReportFolder_LeavesNoOldClaimFileBesideTheNewSummary()
    {
        // An earlier complete run leaves claim files and a summary listing them (issue 15, item 8).
        Assert.That(Run([new SyntheticClaim("1", true), new SyntheticClaim("2", true)]).Code, Is.EqualTo(ExitCodes.Success));
        File.WriteAllText(Path.Combine(_folder, "claim2_old.csv"), "x\n1\n");
        File.WriteAllText(Path.Combine(_folder, "notes.txt"), "mine");
        Assert.That(File.Exists(Path.Combine(_folder, "synthetic2.csv")), Is.True);
        using var cts = new CancellationTokenSource();
        var result = Run([new SyntheticClaim("1", true, _ => cts.Cancel()), new SyntheticClaim("2", true)], cts.Token);
        Assert.That(result.Code, Is.EqualTo(ExitCodes.Cancelled));
        var summary = Summary();
        Assert.That(ReportFiles.Claim(summary, "2").GetProperty("verdict").GetString(), Is.EqualTo("not_run"));
        foreach (var stale in new[] { "synthetic1.csv", "synthetic1.png", "synthetic1.svg", "synthetic2.csv", "synthetic2.png", "synthetic2.svg", "claim2_old.csv" })
            Assert.That(File.Exists(Path.Combine(_folder, stale)), Is.False, stale);
        Assert.That(File.ReadAllText(Path.Combine(_folder, "notes.txt")), Is.EqualTo("mine"));
    }

    [Test]
    public void Run_ClaimRecordsGates_VerdictFromGatesAndSummaryListsThem()
    {
        var claim = new GatedClaim(0.5);
        Assert.That(Run([claim]).Code, Is.EqualTo(ExitCodes.Success));
        var gates = ReportFiles.Claim(Summary(), "g").GetProperty("gates");
        Assert.That(gates.GetArrayLength(), Is.EqualTo(1));
        Assert.That(gates[0].GetProperty("value").GetDouble(), Is.EqualTo(0.5));
        Assert.That(gates[0].GetProperty("pass").GetBoolean(), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(_folder, "report.md")), Does.Contain("| x | 0.5 | [0, 1] | yes | a unit band |"));
        Assert.That(Run([new GatedClaim(1.5)]).Code, Is.EqualTo(ExitCodes.CheckFailed));
        Assert.That(Run([new GatedClaim(double.NaN)]).Code, Is.EqualTo(ExitCodes.CheckFailed));
    }

    private sealed class GatedClaim(double value) : IClaim
    {
        public string Id => "g";
        public string Title => "gated";
        public long WorkUnits(ReproduceSettings settings) => 1;
        public void Run(ClaimContext context, ClaimResult result)
        {
            result.Check("x", value, 0, 1, "a unit band");
            result.VerdictFromGates();
        }
    }

    [Test]
    public void SeedSweep_ThreeSeeds_WritesPassRatesCsvAndPlot()
    {
        var stdout = new StringWriter(); var stderr = new StringWriter();
        var settings = new ReproduceSettings(ReproduceMode.Quick, 0, 1, _folder);
        int code = SeedSweep.Run(settings, [new SeedDependentClaim()], 10, 12, new CliContext(stdout, stderr, default));
        Assert.That(code, Is.EqualTo(ExitCodes.CheckFailed), stdout.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "seeds.json")));
        var claim = doc.RootElement.GetProperty("claims")[0];
        Assert.That(claim.GetProperty("runs").GetInt32(), Is.EqualTo(3));
        Assert.That(claim.GetProperty("passes").GetInt32(), Is.EqualTo(2));
        Assert.That(claim.GetProperty("failing_seeds")[0].GetUInt64(), Is.EqualTo(11UL));
        var csv = ReportFiles.Csv(Path.Combine(_folder, "seeds.csv"), numericOnly: false);
        Assert.That(csv["value"], Is.EqualTo(new[] { 10.0, 11.0, 12.0 }));
        Assert.That(ReportFiles.PngSize(Path.Combine(_folder, "seeds_claims.png")), Is.EqualTo((ReportTolerances.PlotWidth, ReportTolerances.PlotHeight)));
        Assert.That(File.ReadAllText(Path.Combine(_folder, "seeds.md")), Does.Contain("| s | seed-dependent | 2/3 | 11 |"));
        // The seed is 10, 11, 12 against [0, 100]: mean 11, s.d. 1, so a new seed falls outside with probability Φ(−11) ≈ 2e-28.
        Assert.That(claim.GetProperty("false_failure_estimate").GetDouble(), Is.LessThan(1e-27).And.GreaterThan(0));
    }

    /// <summary>Gated figure = the seed; odd seeds fail.</summary>
    private sealed class SeedDependentClaim : IClaim
    {
        public string Id => "s";
        public string Title => "seed-dependent";
        public long WorkUnits(ReproduceSettings settings) => 1;
        public void Run(ClaimContext context, ClaimResult result)
        {
            result.Check("seed", context.Settings.Seed, 0, 100, "even seeds pass");
            result.Verdict = context.Settings.Seed % 2 == 0 ? Verdict.Pass : Verdict.Fail;
        }
    }

    [Test]
    public void FalseFailureEstimate_NormalSpread_IsTwoSidedTailSummedOverGates()
    {
        // Figure a: −1, 0, 1 in [−2, 2] (mean 0, s.d. 1): 2Φ(−2) = 0.0455. Figure b: constant 0 in [0, 0]: 0.
        // Figure c: 1, 2, 3 above 0 only (mean 2, s.d. 1): Φ(−2) = 0.02275.
        var runs = new[] { -1.0, 0, 1 }.Select(v =>
        {
            var r = new ClaimResult { Id = "x", Title = "x" };
            r.Check("a", v, -2, 2, "");
            r.Check("b", 0, 0, 0, "");
            r.Check("c", v + 2, 0, double.PositiveInfinity, "");
            return r;
        }).ToArray();
        var e = SeedSweep.FalseFailureEstimate(runs);
        Assert.That(e.Gates.Select(g => g.Probability), Is.EqualTo(new[] { 0.045500263896358, 0, 0.022750131948179 }).Within(1e-12));
        Assert.That(e.Gates[0].EdgeSigmas, Is.EqualTo(2).Within(1e-12));
        Assert.That(e.Total, Is.EqualTo(0.068250395844537).Within(1e-12));
        Assert.That(SeedSweep.FalseFailureEstimate(runs.Take(2).ToArray()).Total, Is.NaN); // too few seeds to say
    }

    [Test]
    public void FalseFailureEstimate_EdgesTheFigureCannotCross_AreNotCounted()
    {
        // a: an absolute error 1e-6, 2e-6, 3e-6 in [0, 1e-2] (mean 2e-6, s.d. 1e-6). It cannot fall below 0, so only the
        //    upper edge counts, 9998 s.d. away: 0. Counting the edge at 0 (the old estimator) gave Φ(−2) = 0.0228.
        // b: a count of violations, always 0, in [0, 0]: 0.
        // c: a fraction ≤ 1 by construction, 0.95, 0.97, 0.99 in [0.9, 1] (mean 0.97, s.d. 0.02): only the lower edge,
        //    3.5 s.d. away: Φ(−3.5) = 2.3263e-4.
        // d: 1.5, 2, 2.5 at most 1 (mean 2, s.d. 0.5): the mean is outside, z = −2: Φ(2) = 0.97725.
        var runs = new[] { 0, 1, 2 }.Select(i =>
        {
            var r = new ClaimResult { Id = "x", Title = "x" };
            r.Check("a", 1e-6 * (i + 1), 0, 1e-2, "", domainLow: 0);
            r.Check("b", 0, 0, 0, "", domainLow: 0);
            r.Check("c", 0.95 + 0.02 * i, 0.9, 1, "", domainHigh: 1);
            r.Check("d", 1.5 + 0.5 * i, double.NegativeInfinity, 1, "");
            return r;
        }).ToArray();
        var e = SeedSweep.FalseFailureEstimate(runs);
        Assert.That(e.Gates.Select(g => g.Edges), Is.EqualTo(new[] { "high", "high", "low", "high" }));
        Assert.That(e.Gates.Select(g => g.Probability), Is.EqualTo(new[] { 0.0, 0, 2.3262907903552504e-4, 0.977249868051821 }).Within(1e-12));
        Assert.That(e.Gates[0].EdgeSigmas, Is.EqualTo((1e-2 - 2e-6) / 1e-6).Within(1e-6));
        Assert.That(e.Gates[2].EdgeSigmas, Is.EqualTo(3.5).Within(1e-9));
        Assert.That(e.Gates[3].EdgeSigmas, Is.EqualTo(-2).Within(1e-12));
        Assert.That(e.Total, Is.EqualTo(2.3262907903552504e-4 + 0.977249868051821).Within(1e-12));

        // The same figure a without its range: the edge at 0 counts, Φ(−2) + Φ(−9998) = 0.02275.
        var unbounded = new[] { 0, 1, 2 }.Select(i =>
        {
            var r = new ClaimResult { Id = "x", Title = "x" };
            r.Check("a", 1e-6 * (i + 1), 0, 1e-2, "");
            return r;
        }).ToArray();
        var u = SeedSweep.FalseFailureEstimate(unbounded);
        Assert.That(u.Gates[0].Edges, Is.EqualTo("low and high"));
        Assert.That(u.Total, Is.EqualTo(0.022750131948179).Within(1e-12));
    }

    [Test]
    public void SeedSweep_WritesEachFinishedRunAtOnce_AndACancelledSweepKeepsThem()
    {
        var stdout = new CancellingWriter("seed 12:"); var stderr = new StringWriter();
        var probe = new FileProbeClaim(Path.Combine(_folder, "seeds.csv"), Path.Combine(_folder, "seeds.json"));
        var settings = new ReproduceSettings(ReproduceMode.Quick, 0, 1, _folder);
        int code = SeedSweep.Run(settings, [new SeedDependentClaim(), probe], 10, 19, new CliContext(stdout, stderr, stdout.Token));

        // While seed N ran, seeds.csv already held every earlier run (the seed-dependent claim of seed N too) and
        // seeds.json the pass rates of the earlier seeds.
        Assert.That(probe.SeenCsvSeeds.Keys, Is.EqualTo(new ulong[] { 10, 11, 12 }));
        Assert.That(probe.SeenCsvSeeds[10], Is.EqualTo(new[] { "10:s" }));
        Assert.That(probe.SeenCsvSeeds[12], Is.EqualTo(new[] { "10:s", "10:probe", "11:s", "11:probe", "12:s" }));
        Assert.That(probe.SeenJsonSeedsFinished, Is.EqualTo(new long?[] { null, 1, 2 }));

        // Cancelled after seed 12 printed its line: exit 130, one line on stderr, the three seeds' rows kept.
        Assert.That(code, Is.EqualTo(ExitCodes.Cancelled), stdout.ToString());
        Assert.That(stderr.ToString().TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr.ToString());
        Assert.That(stderr.ToString(), Does.StartWith("qnnsim: cancelled after 3 of 10 seed(s)"));
        var csv = ReportFiles.Csv(Path.Combine(_folder, "seeds.csv"), numericOnly: false);
        Assert.That(csv["seed"], Is.EqualTo(new[] { 10.0, 10, 11, 11, 12, 12 }));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "seeds.json")));
        Assert.That(doc.RootElement.GetProperty("cancelled").GetBoolean(), Is.True);
        Assert.That(doc.RootElement.GetProperty("complete").GetBoolean(), Is.False);
        Assert.That(doc.RootElement.GetProperty("seeds_finished").GetInt64(), Is.EqualTo(3));
        Assert.That(doc.RootElement.GetProperty("claims")[0].GetProperty("runs").GetInt32(), Is.EqualTo(3));
        Assert.That(File.ReadAllText(Path.Combine(_folder, "seeds.md")), Does.Contain("CANCELLED"));
        Assert.That(File.Exists(Path.Combine(_folder, "seeds.json.tmp")), Is.False);
    }

    /// <summary>Stdout that cancels its token once a line starting with <paramref name="trigger"/> is written.</summary>
    private sealed class CancellingWriter(string trigger) : StringWriter
    {
        private readonly CancellationTokenSource _cts = new();
        public CancellationToken Token => _cts.Token;
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith(trigger, StringComparison.Ordinal)) _cts.Cancel();
        }
        protected override void Dispose(bool disposing) { if (disposing) _cts.Dispose(); base.Dispose(disposing); }
    }

    /// <summary>A claim that records, when it runs, which (seed, claim) rows seeds.csv holds and seeds.json's seeds_finished.</summary>
    private sealed class FileProbeClaim(string csv, string json) : IClaim
    {
        public SortedDictionary<ulong, string[]> SeenCsvSeeds { get; } = new();
        public List<long?> SeenJsonSeedsFinished { get; } = new();
        public string Id => "probe";
        public string Title => "file probe";
        public long WorkUnits(ReproduceSettings settings) => 1;
        public void Run(ClaimContext context, ClaimResult result)
        {
            SeenCsvSeeds[context.Settings.Seed] = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')).Select(f => $"{f[0]}:{f[1]}").ToArray();
            if (!File.Exists(json)) SeenJsonSeedsFinished.Add(null);
            else
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(json));
                SeenJsonSeedsFinished.Add(doc.RootElement.GetProperty("seeds_finished").GetInt64());
            }
            result.Check("one", 1, 0, 2, "a constant");
            result.VerdictFromGates();
        }
    }

    [TestCase("1..20", 1UL, 20UL)]
    [TestCase("7", 7UL, 7UL)]
    [TestCase(" 3..3 ", 3UL, 3UL)]
    public void SeedRange_Valid_Parses(string text, ulong from, ulong to) =>
        Assert.That(SeedSweep.ParseRange(text), Is.EqualTo((from, to)));

    [TestCase("5..1")]
    [TestCase("a..b")]
    [TestCase("1..")]
    [TestCase("-1..3")]
    [TestCase("0..10000")]
    public void SeedRange_Invalid_ThrowsUsageNamingTheText(string text) =>
        Assert.That(() => SeedSweep.ParseRange(text), Throws.TypeOf<CliUsageException>().With.Message.Contain(text));

    [Test]
    public void ClaimRegistry_SelectKnownAndUnknown()
    {
        Assert.That(ClaimRegistry.Select("4,1").Select(c => c.Id), Is.EqualTo(new[] { "1", "4" }));
        Assert.That(() => ClaimRegistry.Select("99"), Throws.TypeOf<CliUsageException>().With.Message.Contain("'99'").And.Message.Contain("1-d4"));
        Assert.That(ClaimRegistry.All.Select(c => c.Id).Distinct().Count(), Is.EqualTo(ClaimRegistry.All.Count));
        var quick = new ReproduceSettings(ReproduceMode.Quick, 1, 1, _folder);
        var full = quick with { Mode = ReproduceMode.Full };
        Assert.That(ClaimRegistry.For(quick).Select(c => c.Id), Is.EqualTo(ReproduceQuickTests.ExpectedQuickClaims));
        Assert.That(ClaimRegistry.For(full).Count, Is.GreaterThan(ClaimRegistry.For(quick).Count));
    }

    [Test]
    public void Plotting_LogAxesWithNonPositivePoints_WritesPngAndSvgOfPlotSize()
    {
        double[] xs = [0, 1, 10, 100, 1000];
        double[] ys = [1, 1, -1, 1e-2, 1e-3];
        var spec = new PlotSpec("log", "log axes", "x", "y", true, true,
            [new Series("data", xs, ys, SeriesStyle.LineMarkers), new Series("ref", xs, ys, SeriesStyle.Dashed), new Series("bars", [1, 2], [1, 2], SeriesStyle.ErrorBars, [0.1, 0.2])]);
        var basePath = Path.Combine(_folder, "log");
        Plotting.Save(spec, basePath);
        Assert.That(ReportFiles.PngSize(basePath + ".png"), Is.EqualTo((ReportTolerances.PlotWidth, ReportTolerances.PlotHeight)));
        Assert.That(File.ReadAllText(basePath + ".svg"), Does.Contain("<svg"));
    }

    [Test]
    public void SummaryJson_NonFiniteAndArrays_WritesNullAndSnakeCaseKeys()
    {
        var result = new ClaimResult { Id = "1", Title = "t", Verdict = Verdict.Pass };
        result.Measured["not_a_number"] = double.NaN;
        result.Measured["values"] = new[] { 1.0, 2.0 };
        result.Measured["layers"] = new[] { 64, 256 };
        var settings = new ReproduceSettings(ReproduceMode.Full, 9, 2, _folder);
        using var doc = JsonDocument.Parse(ReportWriter.SummaryJson(settings, [result], false));
        var root = doc.RootElement;
        Assert.That(root.GetProperty("mode").GetString(), Is.EqualTo("full"));
        Assert.That(root.GetProperty("seed").GetUInt64(), Is.EqualTo(9UL));
        var measured = root.GetProperty("claims")[0].GetProperty("measured");
        Assert.That(measured.GetProperty("not_a_number").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(measured.GetProperty("values")[1].GetDouble(), Is.EqualTo(2.0));
        Assert.That(measured.GetProperty("layers")[1].GetInt32(), Is.EqualTo(256));
        Assert.That(root.TryGetProperty("threads", out _) || root.TryGetProperty("seconds", out _), Is.False, "timing and threads are in provenance.json");
        Assert.That(root.GetProperty("claims")[0].TryGetProperty("seconds", out _), Is.False);
    }

    [Test]
    public void ProvenanceJson_CarriesThreadsAndTiming()
    {
        var result = new ClaimResult { Id = "1", Title = "t", Verdict = Verdict.Pass, Seconds = 2.5 };
        var settings = new ReproduceSettings(ReproduceMode.Quick, 9, 3, _folder);
        using var doc = JsonDocument.Parse(ReportWriter.ProvenanceJson(settings, [result], false, 7.25));
        var root = doc.RootElement;
        Assert.That(root.GetProperty("schema").GetString(), Is.EqualTo(ReportWriter.ProvenanceSchema));
        Assert.That(root.GetProperty("threads").GetInt32(), Is.EqualTo(3));
        Assert.That(root.GetProperty("seconds").GetDouble(), Is.EqualTo(7.25));
        Assert.That(root.GetProperty("claims")[0].GetProperty("seconds").GetDouble(), Is.EqualTo(2.5));
    }

    private static IEnumerable<TestCaseData> Slopes()
    {
        yield return new TestCaseData(-1.0, 3.0).SetName("LogLogSlope_PowerMinusOne_RecoversExponent");
        yield return new TestCaseData(-0.5, 0.1).SetName("LogLogSlope_PowerMinusHalf_RecoversExponent");
        yield return new TestCaseData(2.0, 1.0).SetName("LogLogSlope_PowerTwo_RecoversExponent");
    }

    [TestCaseSource(nameof(Slopes))]
    public void LogLogSlope_PowerLaw_RecoversExponent(double exponent, double prefactor)
    {
        var xs = Enumerable.Range(1, 30).Select(i => Math.Pow(10, i / 10.0)).ToArray();
        var ys = xs.Select(x => prefactor * Math.Pow(x, exponent)).ToArray();
        var fit = ConvergenceAnalysis.LogLogSlope(xs, ys, 1, 1e3);
        Assert.That(fit.Slope, Is.EqualTo(exponent).Within(1e-12));
        Assert.That(fit.Points, Is.EqualTo(30));
    }

    [Test]
    public void Fits_GeometricMean_OfPowersOfTen_IsMiddlePower() =>
        Assert.That(Fits.GeometricMean([1e-3, 1e-2, 1e-1]), Is.EqualTo(1e-2).Within(1e-15));

    [TestCase("--quick", "--full")]
    [TestCase("--threads", "0")]
    public void ReproduceCommand_BadOptions_ReturnsUsageError(string a, string b)
    {
        var stdout = new StringWriter(); var stderr = new StringWriter();
        int code = CliApp.Run(["reproduce", a, b, "--out", _folder], stdout, stderr);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError), stderr.ToString());
        Assert.That(File.Exists(Path.Combine(_folder, "summary.json")), Is.False);
    }
}
