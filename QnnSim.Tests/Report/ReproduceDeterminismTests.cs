using QnnSim.Cli;
using QnnSim.Cli.Report;

namespace QnnSim.Tests.Report;

/// <summary>The same seed gives the same numbers on 1 or 2 threads (the cheap claims, run directly).</summary>
[TestFixture]
public class ReproduceDeterminismTests
{
    private static IEnumerable<TestCaseData> Claims()
    {
        yield return new TestCaseData(2, "claim2_rates.csv").SetName("LinearClaim_OneOrTwoThreads_SameCsv");
        yield return new TestCaseData(6, "claim6_instances.csv").SetName("CriticalRateClaim_OneOrTwoThreads_SameCsv");
    }

    private static IClaim Create(int claim) => claim == 2 ? new QnnSim.Cli.Report.Claims.LinearClaim() : new QnnSim.Cli.Report.Claims.CriticalRateClaim();

    [TestCaseSource(nameof(Claims))]
    public void Claim_OneOrTwoThreads_SameCsv(int claim, string csv)
    {
        var texts = new List<string>();
        foreach (int threads in new[] { 1, 2 })
        {
            var folder = ReportFiles.NewFolder("qnnsim-det-");
            try
            {
                var settings = new ReproduceSettings(ReproduceMode.Quick, 11, threads, folder);
                int code = ReproduceRunner.Run(settings, [Create(claim)], new CliContext(TextWriter.Null, TextWriter.Null, default), interactive: false);
                Assert.That(code, Is.EqualTo(ExitCodes.Success));
                texts.Add(File.ReadAllText(Path.Combine(folder, csv)));
            }
            finally { ReportFiles.Delete(folder); }
        }
        Assert.That(texts[1], Is.EqualTo(texts[0]));
    }
}
