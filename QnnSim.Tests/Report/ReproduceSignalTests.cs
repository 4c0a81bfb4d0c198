using System.Diagnostics;
using System.Text.Json;
using QnnSim.Cli;

namespace QnnSim.Tests.Report;

/// <summary>
/// <c>qnnsim reproduce --seeds</c> as a real process stopped by a signal (issue 13): it writes seeds.csv as runs finish,
/// and SIGTERM (kill, Slurm's scancel) or SIGINT cancels it cleanly: the finished seeds are kept, one line on stderr,
/// exit 143 or 130. A cheap claim (2-d4, about 0.1 s per seed) over a range far longer than the test waits.
/// </summary>
[TestFixture]
[NonParallelizable]
public class ReproduceSignalTests
{
    /// <summary>How long the process may take to reach its second finished seed (start-up and JIT included, under load).</summary>
    private static readonly TimeSpan FirstSeedsWait = TimeSpan.FromSeconds(90);

    /// <summary>How long the process may take to stop after the signal (the running claim finishes or observes the token).</summary>
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(25);

    [TestCase("TERM", ExitCodes.Terminated)]
    [TestCase("INT", ExitCodes.Cancelled)]
    public void ReproduceSeeds_Signal_KeepsFinishedSeedsAndExitsWithOneLine(string signal, int expectedCode)
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("POSIX signals sent with kill(1)");
        var folder = ReportFiles.NewFolder("qnnsim-signal-");
        Process? process = null;
        try
        {
            string cli = Path.Combine(TestContext.CurrentContext.TestDirectory, "QnnSim.Cli.dll");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var a in new[] { cli, "reproduce", "--quick", "--seeds", "1..5000", "--claim", "2-d4", "--threads", "1", "--out", folder }) info.ArgumentList.Add(a);
            process = Process.Start(info)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();

            // seeds.json appears after the first finished seed and is replaced after each one.
            string json = Path.Combine(folder, "seeds.json");
            var clock = Stopwatch.StartNew();
            while (SeedsFinished(json) < 2 && !process.HasExited && clock.Elapsed < FirstSeedsWait) Thread.Sleep(50);
            Assert.That(process.HasExited, Is.False, "the run ended before the signal");
            Assert.That(SeedsFinished(json), Is.GreaterThanOrEqualTo(2), $"two seeds did not finish within {FirstSeedsWait.TotalSeconds} s");
            var rowsBefore = File.ReadAllLines(Path.Combine(folder, "seeds.csv")).Length - 1;
            Assert.That(rowsBefore, Is.GreaterThanOrEqualTo(2), "seeds.csv holds the finished seeds while the run goes on");

            var kill = Docs.RepositoryTools.Run("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], folder, TimeSpan.FromSeconds(10));
            Assert.That(kill.ExitCode, Is.Zero, kill.ToString());
            Assert.That(process.WaitForExit(StopWait), Is.True, $"still running {StopWait.TotalSeconds} s after SIG{signal}");
            process.WaitForExit();

            string err = stderr.Result.Trim();
            Assert.That(process.ExitCode, Is.EqualTo(expectedCode), $"stdout:\n{stdout.Result}\nstderr:\n{err}");
            Assert.That(err.Split('\n'), Has.Length.EqualTo(1), err);
            Assert.That(err, Does.StartWith("qnnsim: cancelled after "));

            // Every finished seed is in seeds.csv, once, in order; seeds.json says how many and that the run was cut short.
            var csv = ReportFiles.Csv(Path.Combine(folder, "seeds.csv"), numericOnly: false);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            long finished = doc.RootElement.GetProperty("seeds_finished").GetInt64();
            Assert.That(finished, Is.GreaterThanOrEqualTo(2).And.LessThan(5000));
            Assert.That(csv["seed"].Distinct(), Is.EqualTo(Enumerable.Range(1, (int)finished).Select(i => (double)i)));
            Assert.That(csv["gate_pass"].Distinct(), Is.EqualTo(new[] { 1.0 }), "claim 2-d4 passes on these seeds");
            Assert.That(doc.RootElement.GetProperty("cancelled").GetBoolean(), Is.True);
            Assert.That(doc.RootElement.GetProperty("complete").GetBoolean(), Is.False);
            Assert.That(doc.RootElement.GetProperty("claims")[0].GetProperty("runs").GetInt64(), Is.EqualTo(finished));
            Assert.That(err, Does.Contain($"after {finished} of 5000 seed(s)"));
            Assert.That(File.ReadAllText(Path.Combine(folder, "seeds.md")), Does.Contain("CANCELLED"));
            Assert.That(QnnSim.Tests.Docs.JsonSchemas.AssertFolderValid(folder), Is.EqualTo(1), "seeds.json against qnnsim.reproduce-seeds/1");
        }
        finally
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
            process?.Dispose();
            ReportFiles.Delete(folder);
        }
    }

    /// <summary>seeds.json's seeds_finished, or 0 while it does not exist yet.</summary>
    private static long SeedsFinished(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            return doc.RootElement.GetProperty("seeds_finished").GetInt64();
        }
        catch (IOException) { return 0; }
        catch (JsonException) { return 0; }
    }
}
