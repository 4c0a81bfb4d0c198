using QnnSim.Cli;
using QnnSim.Cli.Report;

namespace QnnSim.Tests.Report;

/// <summary>
/// The same seed gives the same report on 1 or 2 threads (the cheap claims, run directly): every file but
/// provenance.json (threads and timing) is byte-identical, summary.json, report.md, report.html and each claim's CSV,
/// PNG and SVG included.
/// </summary>
[TestFixture]
public class ReproduceDeterminismTests
{
    private static IEnumerable<TestCaseData> Claims()
    {
        yield return new TestCaseData(2, "claim2_rates.csv").SetName("LinearClaim_OneOrTwoThreads_SameFiles");
        yield return new TestCaseData(6, "claim6_instances.csv").SetName("CriticalRateClaim_OneOrTwoThreads_SameFiles");
    }

    private static IClaim Create(int claim) => claim == 2 ? new QnnSim.Cli.Report.Claims.LinearClaim() : new QnnSim.Cli.Report.Claims.CriticalRateClaim();

    [TestCaseSource(nameof(Claims))]
    public void Claim_OneOrTwoThreads_SameFiles(int claim, string csv)
    {
        var reports = new List<SortedDictionary<string, byte[]>>();
        var provenance = new List<string>();
        foreach (int threads in new[] { 1, 2 })
        {
            var folder = ReportFiles.NewFolder("qnnsim-det-");
            try
            {
                var settings = new ReproduceSettings(ReproduceMode.Quick, 11, threads, folder);
                int code = ReproduceRunner.Run(settings, [Create(claim)], new CliContext(TextWriter.Null, TextWriter.Null, default), interactive: false);
                Assert.That(code, Is.EqualTo(ExitCodes.Success));
                var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var path in Directory.EnumerateFiles(folder))
                    if (Path.GetFileName(path) != ReportWriter.ProvenanceFile) files[Path.GetFileName(path)] = File.ReadAllBytes(path);
                reports.Add(files);
                provenance.Add(File.ReadAllText(Path.Combine(folder, ReportWriter.ProvenanceFile)));
            }
            finally { ReportFiles.Delete(folder); }
        }
        Assert.That(reports[0].Keys, Does.Contain("summary.json").And.Contain("report.md").And.Contain("report.html").And.Contain(csv));
        Assert.That(reports[1].Keys, Is.EqualTo(reports[0].Keys));
        foreach (var (name, bytes) in reports[0])
            Assert.That(reports[1][name], Is.EqualTo(bytes), $"{name} differs between 1 and 2 threads");
        Assert.That(provenance[0], Does.Contain("\"threads\": 1"));
        Assert.That(provenance[1], Does.Contain("\"threads\": 2"));
    }
}
