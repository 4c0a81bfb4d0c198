using System.Text.Json;
using QnnSim.Cli;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Sweeps;

/// <summary>
/// <c>qnnsim sweep</c> with the local executor: plan-time validation by the commands' own parsers, the results
/// folder's guards, failures, reruns, cancellation and bit-identical results whatever the thread count.
/// </summary>
[TestFixture]
public class SweepCliTests
{
    /// <summary>Two quick points of the example's experiment, one of which fails when it runs (--qubits 9 passes the parser, the command refuses it).</summary>
    private const string OneFailing = """
        { "command": "experiment convergence", "options": { "samples": 1, "steps": 50, "layers": 4 },
          "axes": { "qubits": [2, 9] }, "seeds": [1] }
        """;

    private const string Tiny = """
        { "command": "experiment convergence", "options": { "qubits": 1, "samples": 1, "steps": 20, "layers": 2 }, "seeds": [1, 2] }
        """;

    [Test]
    public void Plan_Example_ListsTwelvePointsAllMissing()
    {
        using var f = new SweepFolder(SweepFiles.ExampleSpecText);
        var r = f.Sweep("plan", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        var j = r.Json();
        Assert.That(j.GetProperty("points").GetInt32(), Is.EqualTo(12));
        Assert.That(j.GetProperty("missing").GetInt32(), Is.EqualTo(12));
        Assert.That(j.GetProperty("point_list")[11].GetProperty("arguments").EnumerateArray().Select(a => a.GetString()),
            Is.EqualTo(new[] { "experiment", "convergence", "--qubits", "2", "--samples", "2", "--steps", "300", "--eta0", "0.25", "--layers", "16", "--gamma", "2", "--seed", "2" }));
        Assert.That(Directory.Exists(f.ResultsFolder), Is.False, "plan must not create the results folder");
    }

    [Test]
    public void Plan_UnknownCommand_ListsAllowedCommands()
    {
        using var f = new SweepFolder("""{ "command": "experiment nonsense", "axes": { "layers": [1] } }""");
        var r = f.Sweep("plan");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("\"command\": 'experiment nonsense' is not a command a sweep can run; allowed: "));
        Assert.That(r.Err, Does.Contain("experiment convergence").And.Contain("experiment haar-kernel").And.Contain("train").And.Contain("qntk").And.Contain("jacobian"));
    }

    [Test]
    public void Plan_UnknownOption_ReportedForEveryPointBeforeAnythingRuns()
    {
        using var f = new SweepFolder("""{ "command": "experiment convergence", "axes": { "layer": [4, 8] } }""");
        var r = f.Sweep("run");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("2 of 2 points have invalid options; nothing was run"));
        Assert.That(r.Err, Does.Contain("point 0 (layer=4): ").And.Contain("'--layer'"));
        Assert.That(Directory.Exists(f.ResultsFolder), Is.False);
    }

    [Test]
    public void Plan_InvalidValueInOnePoint_NamesThatPoint()
    {
        using var f = new SweepFolder("""{ "command": "experiment convergence", "axes": { "layers": [4, 0, 8] } }""");
        var r = f.Sweep("plan");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("1 of 3 points have invalid options"));
        Assert.That(r.Err, Does.Contain("point 1 (layers=0): --layers '0' is not allowed"));
    }

    [Test]
    public void Plan_MalformedSpec_NamesFileAndKey()
    {
        using var f = new SweepFolder("""{ "command": "train", "axes": { "lr": [] } }""");
        var r = f.Sweep("plan");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain($"{f.Spec}: \"axes.lr\": the axis is empty"));
    }

    [Test]
    public void Run_ResultsFolderOfAnotherSpec_RefusedUnlessRestart()
    {
        using var a = new SweepFolder(Tiny, "a.json");
        Assert.That(a.Sweep("run", "--jobs", "2").Code, Is.EqualTo(ExitCodes.Success));
        // Another spec whose results folder is a copy of a's.
        string other = Path.Combine(a.Folder, "b.json");
        File.WriteAllText(other, Tiny.Replace("\"steps\": 20", "\"steps\": 21"));
        CopyFolder(a.ResultsFolder, Path.Combine(a.Folder, "b.results"));
        var r = CliHarness.Run("sweep", "run", other);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("holds the results of another spec (a.json").And.Contain("--restart"));

        // The same spec, changed after results exist: refused, nothing deleted; --restart starts over.
        File.WriteAllText(a.Spec, Tiny.Replace("\"steps\": 20", "\"steps\": 30"));
        r = a.Sweep("run");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("the spec a.json changed after results were written"));
        Assert.That(Directory.GetFiles(Path.Combine(a.ResultsFolder, "points"), "*.json"), Has.Length.EqualTo(2));
        r = a.Sweep("run", "--restart");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(a.ResultsFolder, "points", "00000.json")));
        Assert.That(doc.RootElement.GetProperty("result").GetProperty("steps_completed").GetInt32(), Is.EqualTo(30));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Test]
    public void Run_FailingPoint_ReportedWithMessageOthersFinish()
    {
        using var f = new SweepFolder(OneFailing);
        var r = f.Sweep("run", "--jobs", "2");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.CheckFailed), r.ToString());
        var status = f.Sweep("status", "--json").Json();
        Assert.That(status.GetProperty("done").GetInt32(), Is.EqualTo(1));
        Assert.That(status.GetProperty("failed").GetInt32(), Is.EqualTo(1));
        var failed = status.GetProperty("point_list")[1];
        Assert.That(failed.GetProperty("state").GetString(), Is.EqualTo("failed"));
        Assert.That(failed.GetProperty("detail").GetString(), Does.Contain("exit code 2").And.Contain("--qubits 9 is out of range; allowed: 1..8"));
        var human = f.Sweep("status");
        Assert.That(human.Out, Does.Contain("point 1 (qubits=9 seed=1) failed: exit code 2: qnnsim: --qubits 9 is out of range"));
        var merge = f.Sweep("merge");
        Assert.That(merge.Code, Is.EqualTo(ExitCodes.CheckFailed), merge.ToString());
        Assert.That(merge.Out, Does.Contain("1 of 2 points are not done"));
    }

    [Test]
    public void Run_Example_MergedTableHasAxesAndResultsButNoProvenance()
    {
        var local = SweepFiles.Local;
        string[] lines = System.Text.Encoding.UTF8.GetString(local.Csv).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(13));
        string[] header = lines[0].Split(',');
        Assert.That(header[..6], Is.EqualTo(new[] { "index", "id", "status", "layers", "gamma", "seed" }));
        Assert.That(header, Does.Contain("diagnosis.loglog_slope").And.Contain("prediction.kind").And.Contain("critical_eta0"));
        foreach (var provenance in new[] { "host", "threads", "executor", "seconds", "started", "pid", "slurm_job" })
            Assert.That(header.Any(h => h.Contains(provenance, StringComparison.OrdinalIgnoreCase)), Is.False, $"provenance column {provenance}");
        Assert.That(lines.Skip(1).All(l => l.Split(',')[2] == "done"));
    }

    [Test]
    public void Run_Example_SummaryMeansOverSeedsMatchTheTable()
    {
        using var f = new SweepFolder(SweepFiles.ExampleSpecText, "example.json");
        // Results copied from the reference: merge needs only the point files.
        var plan = f.Sweep("plan", "--json").Json();
        Directory.CreateDirectory(Path.Combine(f.ResultsFolder, "points"));
        foreach (var (name, bytes) in SweepFiles.Local.Points) File.WriteAllBytes(Path.Combine(f.ResultsFolder, "points", name), bytes);
        File.WriteAllText(Path.Combine(f.ResultsFolder, "sweep.json"),
            $$"""{ "schema": "qnnsim.sweep.results/1", "spec": "example.json", "spec_hash": "{{plan.GetProperty("spec_hash").GetString()}}", "command": "experiment convergence", "points": 12 }""");
        var merge = f.Sweep("merge");
        Assert.That(merge.Code, Is.EqualTo(ExitCodes.Success), merge.ToString());
        Assert.That(File.ReadAllBytes(f.MergedCsv), Is.EqualTo(SweepFiles.Local.Csv));
        using var doc = JsonDocument.Parse(File.ReadAllText(f.MergedJson));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        var summary = doc.RootElement.GetProperty("summary").EnumerateArray().ToArray();
        Assert.That(summary, Has.Length.EqualTo(6));
        // Group layers=8, gamma=2: rows 6 and 7 (seeds 1 and 2).
        double a = rows[6].GetProperty("diagnosis.loglog_slope").GetDouble(), b = rows[7].GetProperty("diagnosis.loglog_slope").GetDouble();
        var g = summary[3];
        Assert.That(g.GetProperty("layers").GetDouble(), Is.EqualTo(8));
        Assert.That(g.GetProperty("gamma").GetDouble(), Is.EqualTo(2));
        Assert.That(g.GetProperty("diagnosis.loglog_slope.mean").GetDouble(), Is.EqualTo((a + b) / 2).Within(1e-15 * Math.Abs(a + b)));
        Assert.That(g.GetProperty("diagnosis.loglog_slope.se").GetDouble(), Is.EqualTo(Math.Abs(a - b) / 2).Within(1e-14 * Math.Abs(a - b)));
        string kinds = g.GetProperty("diagnosis.kind.counts").GetString()!;
        Assert.That(kinds, Does.Match(@"^\w+: 2$|^\w+: 1, \w+: 1$"));
        Assert.That(File.Exists(f.Stem + ".diagnosis_loglog_slope-vs-layers.png"));
        Assert.That(File.Exists(f.Stem + ".diagnosis_loglog_slope-vs-layers.svg"));
    }

    [Test]
    public void Run_Rerun_SkipsFinishedPointsAndRunsOnlyMissingOnes()
    {
        using var f = new SweepFolder(SweepFiles.ExampleSpecText, "example.json");
        var hash = f.Sweep("plan", "--json").Json().GetProperty("spec_hash").GetString();
        Directory.CreateDirectory(Path.Combine(f.ResultsFolder, "points"));
        foreach (var (name, bytes) in SweepFiles.Local.Points.Where(p => p.Key != "00005.json" && p.Key != "00010.json"))
            File.WriteAllBytes(Path.Combine(f.ResultsFolder, "points", name), bytes);
        File.WriteAllText(Path.Combine(f.ResultsFolder, "sweep.json"),
            $$"""{ "schema": "qnnsim.sweep.results/1", "spec": "example.json", "spec_hash": "{{hash}}", "command": "experiment convergence", "points": 12 }""");
        Assert.That(f.Sweep("plan", "--json").Json().GetProperty("missing").GetInt32(), Is.EqualTo(2));
        var r = f.Sweep("run", "--jobs", "2");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(r.Out, Does.Contain("running 2 points on this machine"));
        Assert.That(Directory.GetFiles(f.ResultsFolder, "*.provenance.jsonl", SearchOption.AllDirectories).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "00005.provenance.jsonl", "00010.provenance.jsonl" }), "only the missing points ran");
        Assert.That(f.Sweep("merge").Code, Is.EqualTo(ExitCodes.Success));
        SweepFiles.AssertSameAsLocal(f);
        r = f.Sweep("run");
        Assert.That(r.Out, Does.Contain("nothing to run: every point is done."));
    }

    [Test]
    public void Run_Cancelled_KeepsFinishedPointsAndRerunCompletesIdentically()
    {
        using var f = new SweepFolder(SweepFiles.ExampleSpecText, "example.json");
        using var cts = new CancellationTokenSource();
        string points = Path.Combine(f.ResultsFolder, "points");
        var watcher = Task.Run(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(SweepLimits.SweepSeconds))
            {
                if (Directory.Exists(points) && Directory.GetFiles(points, "?????.json").Length >= 2) break;
                Thread.Sleep(20);
            }
            cts.Cancel();
        });
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(["sweep", "run", f.Spec, "--jobs", "2", "--threads", "1"], stdout, stderr, cts.Token);
        watcher.Wait(TimeSpan.FromSeconds(SweepLimits.SweepSeconds + 10));
        Assert.That(code, Is.EqualTo(ExitCodes.Cancelled), stdout + "\n" + stderr);
        var status = f.Sweep("status", "--json").Json();
        int done = status.GetProperty("done").GetInt32();
        Assert.That(done, Is.InRange(2, 11), "cancelled after two points: they stay, the rest is missing");
        Assert.That(status.GetProperty("running").GetInt32() + status.GetProperty("failed").GetInt32(), Is.EqualTo(0));
        Assert.That(Directory.GetFiles(points, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(points, ".*")), Is.Empty, "no half-written files");
        Assert.That(Directory.GetFiles(points, "*.running"), Is.Empty);
        var again = f.Sweep("run", "--jobs", "2", "--threads", "1");
        Assert.That(again.Code, Is.EqualTo(ExitCodes.Success), again.ToString());
        Assert.That(again.Out, Does.Contain($"running {12 - done} points"));
        Assert.That(f.Sweep("merge").Code, Is.EqualTo(ExitCodes.Success));
        SweepFiles.AssertSameAsLocal(f);
    }

    [Test]
    public void Run_ThreadCount_DoesNotChangeResults()
    {
        const string haar = """
            { "command": "experiment haar-kernel", "options": { "qubits": 2, "layers": 3, "circuits": 400 }, "axes": { "overlap": [0, 0.5] }, "seeds": [1] }
            """;
        using var one = new SweepFolder(haar);
        using var two = new SweepFolder(haar);
        Assert.That(one.Sweep("run", "--jobs", "1", "--threads", "1").Code, Is.EqualTo(ExitCodes.Success));
        Assert.That(two.Sweep("run", "--jobs", "1", "--threads", "2").Code, Is.EqualTo(ExitCodes.Success));
        Assert.That(one.Sweep("merge").Code, Is.EqualTo(ExitCodes.Success));
        Assert.That(two.Sweep("merge").Code, Is.EqualTo(ExitCodes.Success));
        Assert.That(File.ReadAllBytes(two.MergedCsv), Is.EqualTo(File.ReadAllBytes(one.MergedCsv)));
        Assert.That(SweepFiles.PointFiles(two), Is.EqualTo(SweepFiles.PointFiles(one)));
        // The provenance records the threads; the results do not.
        Assert.That(File.ReadAllText(Path.Combine(two.ResultsFolder, "logs", "00000.provenance.jsonl")), Does.Contain("\"threads\":2"));
    }

    [Test]
    public void Run_ReproduceClaim_GathersVerdictsWithoutProvenance()
    {
        const string claims = """{ "command": "reproduce", "options": { "quick": true, "claim": "6" }, "seeds": [2023, 7] }""";
        using var one = new SweepFolder(claims);
        using var two = new SweepFolder(claims);
        var r = one.Sweep("run", "--jobs", "2", "--threads", "1");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(two.Sweep("run", "--jobs", "1", "--threads", "2").Code, Is.EqualTo(ExitCodes.Success));
        Assert.That(SweepFiles.PointFiles(two), Is.EqualTo(SweepFiles.PointFiles(one)), "a claim's result must not depend on the threads (its seconds and threads are left out)");
        Assert.That(one.Sweep("merge").Code, Is.EqualTo(ExitCodes.Success));
        string[] lines = File.ReadAllLines(one.MergedCsv);
        string[] header = lines[0].Split(',');
        int verdict = Array.IndexOf(header, "claims.6.verdict");
        Assert.That(verdict, Is.GreaterThan(0), lines[0]);
        Assert.That(header, Does.Contain("claims.6.measured.critical_learning_rate"));
        Assert.That(header.Any(h => h.Contains("seconds") || h.Contains("threads")), Is.False);
        // The report of each point (plots, CSV, report.md) stays beside its result.
        Assert.That(File.Exists(Path.Combine(one.ResultsFolder, "points", "00000.report", "summary.json")));
    }

    [Test]
    public void Run_NoisyRunOverNoiseLevels_CircuitRelativeToSpecAndValuesShrinkWithNoise()
    {
        // The noisy options are the run command's own: the sweep accepts them through its parser. The circuit file is
        // named relative to the spec's folder (tasks start there). Z on a qubit rotated by ry(0.3): ⟨Z⟩ = cos 0.3 without
        // noise, and depolarizing noise after the gate shrinks it.
        using var f = new SweepFolder("""
            { "command": "run", "arguments": ["c.qasm"], "options": { "observable": "Z0", "backend": "density" },
              "axes": { "noise": ["depolarizing=0", "depolarizing=0.05", "depolarizing=0.2"] } }
            """);
        File.WriteAllText(Path.Combine(f.Folder, "c.qasm"), "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[1] q;\nry(0.3) q[0];\n");
        var r = f.Sweep("run", "--jobs", "2");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(f.Sweep("merge").Code, Is.EqualTo(ExitCodes.Success));
        using var doc = JsonDocument.Parse(File.ReadAllText(f.MergedJson));
        var values = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(row => JsonDocument.Parse(File.ReadAllText(Path.Combine(f.ResultsFolder, "points", $"{row.GetProperty("index").GetInt32():D5}.json")))
                .RootElement.GetProperty("result").GetProperty("expectations")[0].GetProperty("value").GetDouble()).ToArray();
        Assert.That(values[0], Is.EqualTo(Math.Cos(0.3)).Within(1e-12));
        Assert.That(values[1], Is.LessThan(values[0]));
        Assert.That(values[2], Is.LessThan(values[1]));
    }

    [Test]
    public void Plan_ReproduceWithOut_Refused()
    {
        using var f = new SweepFolder("""{ "command": "reproduce", "options": { "out": "x" }, "axes": { "claim": ["6"] } }""");
        var r = f.Sweep("plan");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain("--out is set by the sweep for 'reproduce'"));
    }

    [Test]
    public void Run_SlurmDryRun_PrintsScriptWithOptionsAndSubmitsNothing()
    {
        using var f = new SweepFolder(SweepFiles.ExampleSpecText, "example.json");
        var r = f.Sweep("run", "--executor", "slurm", "--dry-run", "--max-running", "3", "--partition", "short", "--time", "00:10:00",
            "--mem", "1G", "--cpus-per-task", "2", "--account", "qnn", "--sbatch", "--qos=low", "--sbatch", "#SBATCH --constraint=avx2");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        foreach (var line in new[] { "#!/bin/bash", "#SBATCH --array=0-11%3", "#SBATCH --partition=short", "#SBATCH --time=00:10:00", "#SBATCH --mem=1G",
                     "#SBATCH --cpus-per-task=2", "#SBATCH --account=qnn", "#SBATCH --qos=low", "#SBATCH --constraint=avx2", $"#SBATCH --chdir={f.Folder}",
                     "POINTS=(0 1 2 3 4 5 6 7 8 9 10 11)" })
            Assert.That(r.Out, Does.Contain(line + "\n"));
        Assert.That(r.Out, Does.Match($@"exec /\S+ (/\S+QnnSim\.Cli\.dll )?sweep task {System.Text.RegularExpressions.Regex.Escape(f.Spec)} --index ""\$\{{POINTS\[\$SLURM_ARRAY_TASK_ID\]\}}""\n"));
        Assert.That(Directory.Exists(f.ResultsFolder), Is.False, "a dry run writes nothing");
    }

    [Test]
    public void Run_SlurmOptionWithLocalExecutor_IsAUsageError()
    {
        using var f = new SweepFolder(Tiny);
        var r = f.Sweep("run", "--partition", "x");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.UsageError), r.ToString());
        Assert.That(r.Err, Does.Contain("--partition is a Slurm option; it needs --executor slurm."));
    }

    [Test]
    public void Task_IndexOutOfRange_NamesRange()
    {
        using var f = new SweepFolder(Tiny);
        var r = f.Sweep("task", "--index", "2");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.UsageError), r.ToString());
        Assert.That(r.Err, Does.Contain("--index 2 is out of range for this 2-point sweep; allowed: 0..1."));
    }
}
