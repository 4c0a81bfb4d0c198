using System.Diagnostics;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Sweeps;

/// <summary>Bounds of the sweep tests: every wait has one, so a broken cluster fails a test instead of hanging the run.</summary>
internal static class SweepLimits
{
    /// <summary>How long a whole sweep (local or Slurm, 12 small points) may take on a loaded 2-core machine.</summary>
    public const int SweepSeconds = 300;

    /// <summary>How long to wait for one Slurm task to reach a state.</summary>
    public static readonly TimeSpan StateWait = TimeSpan.FromSeconds(120);
}

/// <summary>A temporary folder holding a copy of a spec (the results go beside it).</summary>
internal sealed class SweepFolder : IDisposable
{
    public SweepFolder(string specText, string name = "sweep.json")
    {
        Folder = Path.Combine(Path.GetTempPath(), "qnnsim-sweep-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Spec = Path.Combine(Folder, name);
        File.WriteAllText(Spec, specText);
    }

    public string Folder { get; }

    public string Spec { get; }

    public string Stem => Path.Combine(Folder, Path.GetFileNameWithoutExtension(Spec));

    public string MergedCsv => Stem + ".merged.csv";

    public string MergedJson => Stem + ".merged.json";

    public string ResultsFolder => Stem + ".results";

    public CliOutcome Sweep(params string[] args) => CliHarness.Run(["sweep", args[0], Spec, .. args[1..]]);

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The repository's files and the example sweep merged once by the local executor (the reference of the Slurm tests).</summary>
internal static class SweepFiles
{
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "QnnSim.sln"))) return d.FullName;
        throw new InvalidOperationException("cannot find QnnSim.sln above " + TestContext.CurrentContext.TestDirectory);
    }

    public static string ExampleSpecText => File.ReadAllText(Path.Combine(RepoRoot(), "examples", "sweeps", "example.json"));

    private static readonly Lazy<(byte[] Csv, byte[] Json, Dictionary<string, byte[]> Points)> LocalReference = new(() =>
    {
        using var f = new SweepFolder(ExampleSpecText, "example.json");
        var run = f.Sweep("run", "--jobs", "2", "--threads", "1");
        Assert.That(run.Code, Is.EqualTo(0), run.ToString());
        var merge = f.Sweep("merge");
        Assert.That(merge.Code, Is.EqualTo(0), merge.ToString());
        return (File.ReadAllBytes(f.MergedCsv), File.ReadAllBytes(f.MergedJson), PointFiles(f));
    });

    /// <summary>The example's merged CSV and JSON and its point files, run once by the local executor.</summary>
    public static (byte[] Csv, byte[] Json, Dictionary<string, byte[]> Points) Local => LocalReference.Value;

    /// <summary>The result files of a sweep by file name (failure files, markers and temporaries excluded).</summary>
    public static Dictionary<string, byte[]> PointFiles(SweepFolder f) =>
        Directory.GetFiles(Path.Combine(f.ResultsFolder, "points"), "?????.json").ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    /// <summary>Asserts that a sweep's merged files and point files are byte-identical to the local reference.</summary>
    public static void AssertSameAsLocal(SweepFolder f)
    {
        var local = Local;
        Assert.That(File.ReadAllBytes(f.MergedCsv), Is.EqualTo(local.Csv), "merged CSV differs from the local executor's");
        Assert.That(File.ReadAllBytes(f.MergedJson), Is.EqualTo(local.Json), "merged JSON differs from the local executor's");
        var points = PointFiles(f);
        Assert.That(points.Keys.Order(), Is.EqualTo(local.Points.Keys.Order()));
        foreach (var (name, bytes) in points) Assert.That(bytes, Is.EqualTo(local.Points[name]), $"point file {name} differs");
    }
}

/// <summary>
/// The one-node Slurm cluster of scripts/slurm-dev-cluster.sh for the Slurm tests. Uses a running cluster (CI starts
/// it before the tests), else starts one when this process is root (and stops it afterwards). Where neither is
/// possible the tests are skipped with the reason; under CI (CI=true) they fail instead, since CI must run them.
/// </summary>
internal static class SlurmCluster
{
    private static readonly object Gate = new();
    private static string? _skipReason;
    private static bool _ready, _startedHere;

    private static string Script => Path.Combine(SweepFiles.RepoRoot(), "scripts", "slurm-dev-cluster.sh");

    /// <summary>Makes sure the cluster is up and SLURM_CONF is set in this process; skips (or, in CI, fails) otherwise.</summary>
    public static void Require()
    {
        lock (Gate)
        {
            if (!_ready && _skipReason is null) _skipReason = Start();
            if (_skipReason is null) return;
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"Slurm is required in CI but: {_skipReason}");
            Assert.Ignore($"Slurm tests skipped: {_skipReason}");
        }
    }

    private static string? Start()
    {
        if (!File.Exists(Script)) return $"{Script} is missing";
        var env = Shell(Script, ["env"], TimeSpan.FromSeconds(30));
        if (env.Code != 0) return $"'{Script} env' failed: {env.Output}";
        string conf = env.Output.Trim().Split('=', 2)[1];
        Environment.SetEnvironmentVariable("SLURM_CONF", conf);
        if (Shell(Script, ["status"], TimeSpan.FromSeconds(60)).Code != 0)
        {
            if (Environment.UserName != "root" && Shell("id", ["-u"], TimeSpan.FromSeconds(10)).Output.Trim() != "0")
                return $"no Slurm cluster is running and this process is not root, so it cannot start one (run 'sudo {Script} start' first)";
            var start = Shell(Script, ["start"], TimeSpan.FromMinutes(12));
            if (start.Code != 0) return $"'{Script} start' failed (exit {start.Code}): {start.Output}";
            _startedHere = true;
        }
        var sinfo = Shell("sinfo", ["-h", "-o", "%T"], TimeSpan.FromSeconds(30));
        if (sinfo.Code != 0 || !sinfo.Output.Contains("idle") && !sinfo.Output.Contains("mix") && !sinfo.Output.Contains("alloc"))
            return $"the cluster does not answer: sinfo exit {sinfo.Code}: {sinfo.Output}";
        _ready = true;
        return null;
    }

    /// <summary>Stops the cluster if these tests started it (a cluster started by CI or a developer is left running).</summary>
    public static void StopIfStartedHere()
    {
        lock (Gate)
        {
            if (_startedHere) Shell(Script, ["stop"], TimeSpan.FromSeconds(60));
            _startedHere = false;
        }
    }

    /// <summary>Runs a program with a timeout (killed when it runs over); returns its exit code and merged output.</summary>
    public static (int Code, string Output) Shell(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"{program} {string.Join(' ', args)} timed out after {timeout.TotalSeconds} s");
        }
        p.WaitForExit();
        return (p.ExitCode, o.Result + e.Result);
    }

    /// <summary>Polls squeue until array task <paramref name="task"/> ("JOB_K") is in <paramref name="state"/>; fails after the bound.</summary>
    public static void WaitForState(string task, string state, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < timeout)
        {
            var q = Shell("squeue", ["-h", "-r", "-t", "all", "-j", task.Split('_')[0], "-o", "%i %T"], TimeSpan.FromSeconds(30));
            last = q.Output;
            if (q.Output.Split('\n').Any(l => l.Trim() == $"{task} {state}")) return;
            Thread.Sleep(200);
        }
        Assert.Fail($"Slurm task {task} did not reach {state} within {timeout.TotalSeconds} s; squeue: {last}");
    }
}

/// <summary>Stops a Slurm cluster the tests started themselves, once every test of this namespace has run.</summary>
[SetUpFixture]
public sealed class SweepTestsTearDown
{
    [OneTimeTearDown]
    public void StopCluster() => SlurmCluster.StopIfStartedHere();
}
