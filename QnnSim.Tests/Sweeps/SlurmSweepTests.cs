using System.Text.Json;
using QnnSim.Cli;

namespace QnnSim.Tests.Sweeps;

/// <summary>
/// <c>qnnsim sweep run --executor slurm</c> against the real one-node cluster of scripts/slurm-dev-cluster.sh:
/// job arrays, bit-identical results to the local executor, scancel and resubmission, failing points.
/// Skipped (with the reason) only where no cluster can be started; never skipped in CI.
/// </summary>
[TestFixture]
[NonParallelizable]
public class SlurmSweepTests
{
    [SetUp]
    public void RequireSlurm() => SlurmCluster.Require();

    private static string SubmittedJob(string output)
    {
        var m = System.Text.RegularExpressions.Regex.Match(output, @"submitted Slurm job (\d+): array 0-(\d+)");
        Assert.That(m.Success, output);
        return m.Groups[1].Value;
    }

    [Test]
    public void Slurm_ExampleAsJobArray_BitIdenticalToLocal()
    {
        using var f = new SweepFolder(SweepFiles.ExampleSpecText, "example.json");
        var r = f.Sweep("run", "--executor", "slurm", "--wait", "--timeout", SweepLimits.SweepSeconds.ToString());
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(r.Out, Does.Contain("array 0-11 over 12 points"));
        Assert.That(r.Out, Does.Contain("ended: done 12, failed 0, running 0, missing 0"));
        Assert.That(f.Sweep("merge").Code, Is.EqualTo(ExitCodes.Success));
        SweepFiles.AssertSameAsLocal(f);
        // Every JSON file (spec, manifest, points and their results, slurm/submissions.json, merged) against its schema.
        Assert.That(File.Exists(Path.Combine(f.ResultsFolder, "slurm", "submissions.json")), Is.True);
        Assert.That(QnnSim.Tests.Docs.JsonSchemas.AssertFolderValid(f.Folder), Is.GreaterThanOrEqualTo(2 * 12 + 4));
        // Each task wrote its own log and Slurm's output file; the provenance says Slurm ran it.
        Assert.That(Directory.GetFiles(Path.Combine(f.ResultsFolder, "slurm"), "job-*_*.out"), Has.Length.EqualTo(12));
        Assert.That(File.ReadAllText(Path.Combine(f.ResultsFolder, "logs", "00007.provenance.jsonl")), Does.Contain("\"executor\":\"slurm\"").And.Contain("\"slurm_job\":\""));
        Assert.That(File.ReadAllText(Path.Combine(f.ResultsFolder, "provenance.csv")), Does.Contain(",slurm,"));
    }

    [Test]
    public void Slurm_CancelledTask_ReportedThenOnlyMissingPointsResubmitted()
    {
        using var f = new SweepFolder(SweepFiles.ExampleSpecText, "example.json");
        // One task at a time, so that the array is midway when a task is cancelled.
        var r = f.Sweep("run", "--executor", "slurm", "--max-running", "1");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        string job = SubmittedJob(r.Out);
        string task = $"{job}_3";
        SlurmCluster.WaitForState(task, "RUNNING", SweepLimits.StateWait);
        var cancel = SlurmCluster.Shell("scancel", [task], TimeSpan.FromSeconds(30));
        Assert.That(cancel.Code, Is.EqualTo(0), cancel.Output);
        SlurmCluster.WaitForState(task, "CANCELLED", SweepLimits.StateWait);

        var status = f.Sweep("status", "--json").Json();
        var point3 = status.GetProperty("point_list")[3];
        Assert.That(point3.GetProperty("state").GetString(), Is.EqualTo("missing"), status.ToString());
        Assert.That(point3.GetProperty("detail").GetString(), Does.Contain($"Slurm task {task}").And.Contain("CANCELLED"));
        var human = f.Sweep("status");
        Assert.That(human.Out, Does.Contain($"point 3 (layers=4 gamma=2 seed=2) missing: Slurm task {task}"));

        // Resubmitting while the first array still runs submits only the missing point 3 (the others are queued or done).
        var again = f.Sweep("run", "--executor", "slurm", "--wait", "--timeout", SweepLimits.SweepSeconds.ToString());
        Assert.That(again.Code, Is.EqualTo(ExitCodes.Success), again.ToString());
        Assert.That(again.Out, Does.Contain("array 0-0 over 1 points"));
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(f.ResultsFolder, "slurm", "submissions.json"))))
        {
            var jobs = doc.RootElement.GetProperty("jobs").EnumerateArray().ToArray();
            Assert.That(jobs, Has.Length.EqualTo(2));
            Assert.That(jobs[1].GetProperty("points").EnumerateArray().Select(p => p.GetInt32()), Is.EqualTo(new[] { 3 }));
        }
        // --wait returned when the resubmitted task ended; wait for the first array too.
        var wait = f.Sweep("run", "--executor", "slurm", "--wait", "--timeout", SweepLimits.SweepSeconds.ToString());
        Assert.That(wait.Code, Is.EqualTo(ExitCodes.Success), wait.ToString());
        Assert.That(f.Sweep("merge").Code, Is.EqualTo(ExitCodes.Success));
        SweepFiles.AssertSameAsLocal(f);
    }

    [Test]
    public void Slurm_FailingPoint_ReportedWithMessageOthersFinish()
    {
        using var f = new SweepFolder("""
            { "command": "experiment convergence", "options": { "samples": 1, "steps": 50, "layers": 4 },
              "axes": { "qubits": [2, 9, 3] }, "seeds": [1] }
            """);
        var r = f.Sweep("run", "--executor", "slurm", "--wait", "--timeout", SweepLimits.SweepSeconds.ToString());
        Assert.That(r.Code, Is.EqualTo(ExitCodes.CheckFailed), r.ToString());
        Assert.That(r.Out, Does.Contain("ended: done 2, failed 1, running 0, missing 0"));
        Assert.That(r.Out, Does.Contain("point 1 (qubits=9 seed=1) failed: exit code 2: qnnsim: --qubits 9 is out of range; allowed: 1..8."));
        string job = SubmittedJob(r.Out);
        var state = SlurmCluster.Shell("squeue", ["-h", "-r", "-t", "all", "-j", job, "-o", "%i %T"], TimeSpan.FromSeconds(30));
        Assert.That(state.Output, Does.Contain($"{job}_1 FAILED").And.Contain($"{job}_0 COMPLETED").And.Contain($"{job}_2 COMPLETED"));
    }
}
