using QnnSim.Cli;
using QnnSim.Cli.Report;
using QnnSim.Cli.Report.Claims;

namespace QnnSim.Tests.Report;

/// <summary>
/// The noise claims N1–N3 of <c>qnnsim reproduce</c> (docs/theory.md §7): the same seed gives the same CSV on 1 or 2
/// threads, and the figures of summary.json are those of the CSV. (ReproduceQuickTests checks that they pass and write
/// their files in the whole --quick run.)
/// </summary>
[TestFixture]
[NonParallelizable]
public class NoiseClaimsTests
{
    private static IEnumerable<TestCaseData> Cheap()
    {
        yield return new TestCaseData("N1", "claimN1_global_scaling.csv").SetName("NoiseGlobalScalingClaim_OneOrTwoThreads_SameCsv");
        yield return new TestCaseData("N3", "claimN3_instances.csv").SetName("NoiseRangeClaim_OneOrTwoThreads_SameCsv");
    }

    private static IClaim Create(string id) => id switch
    {
        "N1" => new NoiseGlobalScalingClaim(),
        "N2" => new NoiseLocalKernelClaim(),
        _ => new NoiseRangeClaim(),
    };

    private static int Run(string id, int threads, string folder) =>
        ReproduceRunner.Run(new ReproduceSettings(ReproduceMode.Quick, 17, threads, folder), [Create(id)], new CliContext(TextWriter.Null, TextWriter.Null, default), interactive: false);

    [TestCaseSource(nameof(Cheap))]
    public void Claim_OneOrTwoThreads_SameCsv(string id, string csv)
    {
        var texts = new List<string>();
        foreach (int threads in new[] { 1, 2 })
        {
            var folder = ReportFiles.NewFolder("qnnsim-noise-");
            try
            {
                Assert.That(Run(id, threads, folder), Is.EqualTo(ExitCodes.Success));
                texts.Add(File.ReadAllText(Path.Combine(folder, csv)));
            }
            finally { ReportFiles.Delete(folder); }
        }
        Assert.That(texts[1], Is.EqualTo(texts[0]));
    }

    [Test]
    public void LocalKernelClaim_SummaryFiguresAreTheCsvs()
    {
        var folder = ReportFiles.NewFolder("qnnsim-noise-");
        try
        {
            Assert.That(Run("N2", 2, folder), Is.EqualTo(ExitCodes.Success));
            var claim = ReportFiles.Claim(ReportFiles.Summary(folder), "N2");
            var csv = ReportFiles.Csv(Path.Combine(folder, "claimN2_mean_kernel.csv"));
            int rows = 0;
            for (int i = 0; i < csv["d"].Length; i++)
            {
                if (csv["series"][i] != 0) continue;
                string key = $"mean_kernel_d{csv["d"][i]}_q{csv["q"][i].ToString("G", System.Globalization.CultureInfo.InvariantCulture).Replace('.', '_')}";
                Assert.That(csv["mean_K_ii"][i], Is.EqualTo(ReportFiles.Measured(claim, key)).Within(ReportTolerances.Recomputed), key);
                Assert.That(Math.Abs(csv["sigmas"][i]), Is.LessThanOrEqualTo(4.0), key);
                Assert.That(csv["predicted"][i], Is.LessThan(csv["noiseless_predicted"][i]), key);
                rows++;
            }
            Assert.That(rows, Is.EqualTo(6), "d = 4, 8, 16 × q = 0.02, 0.05");
            Assert.That(File.Exists(Path.Combine(folder, "claimN2_depth_decay.png")));
            Assert.That(claim.GetProperty("title").GetString(), Does.Contain("noise"));
        }
        finally { ReportFiles.Delete(folder); }
    }
}
