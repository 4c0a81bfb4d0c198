using System.Text.Json;
using QnnSim.Cli;

namespace QnnSim.Tests.Report;

/// <summary>
/// Runs <c>qnnsim reproduce --quick</c> once in process (CliApp.Run) into a temporary folder and checks the files,
/// the PNGs, summary.json and that the CSV data agree with the figures summary.json reports.
/// </summary>
[TestFixture]
[NonParallelizable]
public class ReproduceQuickTests
{
    private string _folder = "";
    private int _code;
    private string _stdout = "", _stderr = "";
    private JsonElement _summary;

    [OneTimeSetUp]
    public void RunQuick()
    {
        _folder = ReportFiles.NewFolder("qnnsim-reproduce-");
        var stdout = new StringWriter(); var stderr = new StringWriter();
        _code = CliApp.Run(["reproduce", "--quick", "--out", _folder, "--seed", "2023"], stdout, stderr);
        _stdout = stdout.ToString(); _stderr = stderr.ToString();
        _summary = ReportFiles.Summary(_folder);
    }

    [OneTimeTearDown]
    public void Cleanup() => ReportFiles.Delete(_folder);

    /// <summary>The claims --quick runs, in report order.</summary>
    internal static readonly string[] ExpectedQuickClaims = ["1", "2", "3", "4", "5", "6", "1-d4", "2-d4", "2-gamma", "2-late", "5-general", "N1", "N2", "N3"];

    private string Path_(string name) => Path.Combine(_folder, name);
    private JsonElement Claim(string id) => ReportFiles.Claim(_summary, id);
    private Dictionary<string, double[]> Csv(string name) => ReportFiles.Csv(Path_(name));

    [Test]
    public void Reproduce_Quick_ExitsZeroAndPrintsVerdictTable()
    {
        Assert.That(_code, Is.EqualTo(ExitCodes.Success), _stdout + _stderr);
        Assert.That(_stdout, Does.Contain("verdict"));
        Assert.That(_stdout, Does.Contain("report.html"));
    }

    [Test]
    public void Reproduce_Quick_SummaryHasSchemaSeedModeAndPassingClaims()
    {
        Assert.That(_summary.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.reproduce/2"));
        Assert.That(_summary.GetProperty("seed").GetUInt64(), Is.EqualTo(2023UL));
        Assert.That(_summary.GetProperty("mode").GetString(), Is.EqualTo("quick"));
        Assert.That(_summary.GetProperty("cancelled").GetBoolean(), Is.False);
        var claims = _summary.GetProperty("claims").EnumerateArray().ToArray();
        Assert.That(claims.Select(c => c.GetProperty("id").GetString()), Is.EqualTo(ExpectedQuickClaims));
        foreach (var c in claims)
        {
            Assert.That(c.GetProperty("verdict").GetString(), Is.EqualTo("pass"), c.ToString());
            Assert.That(c.GetProperty("measured").EnumerateObject().Count(), Is.GreaterThan(0));
            Assert.That(c.GetProperty("predicted").EnumerateObject().Count(), Is.GreaterThan(0));
            Assert.That(c.GetProperty("tolerance").GetString(), Is.Not.Empty);
            Assert.That(c.GetProperty("csv").GetArrayLength(), Is.GreaterThan(0));
            Assert.That(c.GetProperty("plots").GetArrayLength(), Is.GreaterThan(0));
        }
    }

    [Test]
    public void Reproduce_Quick_WritesEveryListedFileAndTheReports()
    {
        foreach (var name in new[] { "summary.json", "report.html", "report.md" })
            Assert.That(new FileInfo(Path_(name)).Length, Is.GreaterThan(100), name);
        foreach (var c in _summary.GetProperty("claims").EnumerateArray())
        {
            foreach (var csv in c.GetProperty("csv").EnumerateArray())
                Assert.That(File.ReadAllLines(Path_(csv.GetString()!)).Length, Is.GreaterThan(1), csv.GetString());
            foreach (var png in c.GetProperty("plots").EnumerateArray())
            {
                Assert.That(File.Exists(Path_(png.GetString()!)), png.GetString());
                var svg = Path_(Path.ChangeExtension(png.GetString()!, ".svg"));
                Assert.That(File.ReadAllText(svg), Does.Contain("<svg"), svg);
            }
        }
    }

    [Test]
    public void Reproduce_Quick_EveryPngDecodesToThePlotSize()
    {
        var pngs = _summary.GetProperty("claims").EnumerateArray().SelectMany(c => c.GetProperty("plots").EnumerateArray()).Select(p => p.GetString()!).ToArray();
        Assert.That(pngs, Has.Length.GreaterThanOrEqualTo(6));
        foreach (var png in pngs)
        {
            Assert.That(ReportFiles.PngSize(Path_(png)), Is.EqualTo((ReportTolerances.PlotWidth, ReportTolerances.PlotHeight)), png);
            using var bitmap = SkiaSharp.SKBitmap.Decode(Path_(png));
            Assert.That(bitmap, Is.Not.Null, png);
            Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((ReportTolerances.PlotWidth, ReportTolerances.PlotHeight)), png);
        }
    }

    [Test]
    public void Reproduce_Quick_HtmlEmbedsEveryPlotAndMarkdownLinksThem()
    {
        var html = File.ReadAllText(Path_("report.html"));
        var md = File.ReadAllText(Path_("report.md"));
        var pngs = _summary.GetProperty("claims").EnumerateArray().SelectMany(c => c.GetProperty("plots").EnumerateArray()).Select(p => p.GetString()!).ToArray();
        int embedded = html.Split("src=\"data:image/png;base64,").Length - 1;
        Assert.That(embedded, Is.EqualTo(pngs.Length));
        Assert.That(html, Does.Not.Contain("src=\"claim"));
        foreach (var png in pngs) Assert.That(md, Does.Contain($"]({png})"));
    }

    [Test]
    public void Claim1_SlopesRecomputedFromCsv_EqualSummary()
    {
        var claim = Claim("1");
        var csv = Csv("claim1_residual.csv");
        var window = claim.GetProperty("measured").GetProperty("fit_window").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var idx = Enumerable.Range(0, csv["s"].Length).Where(i => csv["s"][i] >= window[0] && csv["s"][i] <= window[1]).ToArray();
        Assert.That(idx, Has.Length.GreaterThan(10));
        double slope = ReportFiles.Slope(idx.Select(i => Math.Log(csv["s"][i])).ToArray(), idx.Select(i => Math.Log(csv["r_norm"][i])).ToArray());
        var seeds = Csv("claim1_seeds.csv");
        Assert.That(slope, Is.EqualTo(seeds["slope"][0]).Within(ReportTolerances.Recomputed));
        Assert.That(seeds["slope"].Average(), Is.EqualTo(ReportFiles.Measured(claim, "slope_mean")).Within(ReportTolerances.Recomputed));
        Assert.That(seeds["slope"].Average(), Is.InRange(-1.05, -0.95));
        // √m/(4c) with m = 2, c = d/(d² − 1) = 8/63: √2 · 63/32.
        double limit = Math.Sqrt(2) * 63 / 32;
        Assert.That(claim.GetProperty("predicted").GetProperty("s_times_r_norm_limit").GetDouble(), Is.EqualTo(limit).Within(1e-12));
        Assert.That(csv["s_times_r_norm"][^1] / limit, Is.EqualTo(seeds["s_times_r_over_limit"][0]).Within(ReportTolerances.Recomputed));
        Assert.That(seeds["s_times_r_over_limit"].Average(), Is.EqualTo(ReportFiles.Measured(claim, "s_times_r_over_limit_mean")).Within(ReportTolerances.Recomputed));
        // docs/theory.md §3a: never below the 1/t lower bound.
        for (int i = 0; i < csv["s"].Length; i++) Assert.That(csv["r_norm"][i], Is.GreaterThanOrEqualTo(csv["r_lower_bound"][i] * (1 - 1e-9)));
    }

    [Test]
    public void Reproduce_Quick_EveryClaimRecordsGatesThatDecideItsVerdict()
    {
        foreach (var c in _summary.GetProperty("claims").EnumerateArray())
        {
            var gates = c.GetProperty("gates").EnumerateArray().ToArray();
            Assert.That(gates, Is.Not.Empty, c.GetProperty("id").GetString());
            foreach (var g in gates)
            {
                double v = g.GetProperty("value").GetDouble();
                double lo = g.GetProperty("low").ValueKind == JsonValueKind.Number ? g.GetProperty("low").GetDouble() : double.NegativeInfinity;
                double hi = g.GetProperty("high").ValueKind == JsonValueKind.Number ? g.GetProperty("high").GetDouble() : double.PositiveInfinity;
                Assert.That(g.GetProperty("pass").GetBoolean(), Is.EqualTo(v >= lo && v <= hi), g.ToString());
                Assert.That(g.GetProperty("meaning").GetString(), Is.Not.Empty);
            }
            Assert.That(c.GetProperty("verdict").GetString() == "pass", Is.EqualTo(gates.All(g => g.GetProperty("pass").GetBoolean())), c.GetProperty("id").GetString());
        }
    }

    [Test]
    public void Claim2_RatesRecomputedFromResidualCsv_EqualSummary()
    {
        var claim = Claim("2");
        var csv = Csv("claim2_residuals.csv");
        Assert.That(claim.GetProperty("gates").GetArrayLength(), Is.EqualTo(4));
        var c = 8.0 / 63.0;
        foreach (var (gamma, key) in new[] { (1.5, "gamma_1_5"), (2.0, "gamma_2") })
        {
            var rates = new List<double>();
            foreach (var seed in csv["seed"].Distinct())
            {
                var idx = Enumerable.Range(0, csv["s"].Length)
                    .Where(i => csv["gamma"][i] == gamma && csv["seed"][i] == seed && csv["abs_r"][i] > 1e-10 && csv["abs_r"][i] < 1e-3).ToArray();
                rates.Add(-ReportFiles.Slope(idx.Select(i => csv["s"][i]).ToArray(), idx.Select(i => Math.Log(csv["abs_r"][i])).ToArray()));
            }
            Assert.That(rates.Average(), Is.EqualTo(ReportFiles.Measured(claim, "rate_" + key)).Within(ReportTolerances.Recomputed), key);
            double predicted = -Math.Log(1 - 0.25 * 2 * c * (gamma * gamma - 1)) / 0.25;
            Assert.That(claim.GetProperty("predicted").GetProperty("rate_" + key).GetDouble(), Is.EqualTo(predicted).Within(1e-12), key);
        }
    }

    [Test]
    public void Claim3_KernelRatiosInCsv_EqualSummary()
    {
        var claim = Claim("3");
        var csv = Csv("claim3_kernel.csv");
        var layers = claim.GetProperty("measured").GetProperty("layers").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var trace = claim.GetProperty("measured").GetProperty("trace_ratio_at_s1000").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var dev = claim.GetProperty("measured").GetProperty("relative_deviation_at_s1000").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.That(csv["s"][^1], Is.EqualTo(1000).Within(1e-9));
        for (int j = 0; j < layers.Length; j++)
        {
            Assert.That(csv[$"trace_ratio_p{layers[j]}"][^1], Is.EqualTo(trace[j]).Within(ReportTolerances.Recomputed));
            Assert.That(csv[$"relative_deviation_p{layers[j]}"][^1], Is.EqualTo(dev[j]).Within(ReportTolerances.Recomputed));
            Assert.That(csv[$"trace_ratio_p{layers[j]}"][0], Is.EqualTo(1.0).Within(1e-12));
        }
        var ratios = Csv("claim3_frozen_ratio.csv")["r_over_r_frozen_at_s100"].Order().ToArray();
        double median = 0.5 * (ratios[(ratios.Length - 1) / 2] + ratios[ratios.Length / 2]);
        Assert.That(median, Is.EqualTo(ReportFiles.Measured(claim, "median_r_over_r_frozen_at_s100")).Within(ReportTolerances.Recomputed * median));
    }

    [Test]
    public void Claim4_SlopesRecomputedFromCsv_EqualSummary()
    {
        var claim = Claim("4");
        var csv = Csv("claim4_max_error.csv");
        foreach (var (k, key) in new[] { (0.0, "gamma_1_5_m1"), (1.0, "gamma_1_m2") })
        {
            var idx = Enumerable.Range(0, csv["p"].Length).Where(i => csv["case"][i] == k).ToArray();
            double slope = ReportFiles.Slope(idx.Select(i => Math.Log(csv["p"][i])).ToArray(), idx.Select(i => Math.Log(csv["max_r_qnn_minus_r_discrete"][i])).ToArray());
            Assert.That(slope, Is.EqualTo(ReportFiles.Measured(claim, "slope_" + key)).Within(ReportTolerances.Recomputed), key);
            Assert.That(slope, Is.InRange(-0.75, -0.25), key);
        }
    }

    [Test]
    public void Claim5_MeansInCsv_EqualSummaryAndFormula()
    {
        var claim = Claim("5");
        var csv = Csv("claim5_haar.csv");
        for (int i = 0; i < csv["d"].Length; i++)
        {
            int d = (int)csv["d"][i]; double f = csv["overlap"][i];
            // docs/theory.md §4 written out independently: E[K_ij] = pγ² · 2d²(dF − 1)/(d² − 1)², p = 16, γ = 1.
            double formula = 16 * 2.0 * d * d * (d * f - 1) / Math.Pow(d * d - 1.0, 2);
            Assert.That(csv["formula"][i], Is.EqualTo(formula).Within(1e-12 * Math.Abs(formula)));
            string key = f == 1 ? "diagonal" : f == 0 ? "orthogonal_pair" : "overlap_half_pair";
            Assert.That(csv["mean"][i], Is.EqualTo(ReportFiles.Measured(claim, $"d{d}_{key}")).Within(ReportTolerances.Recomputed));
        }
    }

    [Test]
    public void Claim6_ThresholdAndFactorsFromCsv_EqualSummary()
    {
        var claim = Claim("6");
        var csv = Csv("claim6_instances.csv");
        var ratio = claim.GetProperty("measured").GetProperty("eta_star_over_critical").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.That(csv["eta_star_over_critical"], Is.EqualTo(ratio).Within(ReportTolerances.Recomputed));
        for (int i = 0; i < ratio.Length; i++)
        {
            Assert.That(csv["eta_star"][i] / csv["critical_rate"][i], Is.EqualTo(ratio[i]).Within(ReportTolerances.Recomputed));
            Assert.That(ratio[i], Is.GreaterThanOrEqualTo(1.0));
            // The linearised prediction |1 − ηλ_max| = 1.1·2 − 1 = 1.2 above η_c (reported; on a ±1 task it fails).
            Assert.That(csv["top_factor_above_predicted"][i], Is.EqualTo(1.2).Within(1e-12));
        }
    }

}
