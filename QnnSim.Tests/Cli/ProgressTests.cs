using System.Globalization;
using System.Text.RegularExpressions;
using QnnSim.Cli;
using QnnSim.Cli.Common;
using QnnSim.Tests.Docs;

namespace QnnSim.Tests.Cli;

/// <summary>
/// Progress of long commands (<see cref="CliProgress"/>): on a terminal a Spectre.Console bar with the percentage, the
/// elapsed time and an estimate of the time left; otherwise plain lines "label: P% (E s elapsed, about R s left)" on
/// standard error and no terminal control. The terminal case runs the real <c>qnnsim</c> in a pseudo-terminal
/// (util-linux <c>script</c>).
/// </summary>
[TestFixture]
public sealed partial class ProgressTests
{
    private static string Circuit => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits", "data_reuploading.qasm");

    private const string Data = "x[0],x[1],label\n0.1,0.5,1\n0.9,-0.3,-1\n-0.5,0.2,1\n1.3,0.8,-1\n";

    [GeneratedRegex(@"^training: (\d+)% \((\d+) s elapsed, about (\d+) s left\)$")]
    private static partial Regex PlainLine();

    [Test]
    public void PlainLines_NotATerminal_PercentElapsedAndTimeLeftEstimate()
    {
        var err = new StringWriter();
        var context = new CliContext(TextWriter.Null, err, CancellationToken.None, Interactive: false);
        int result = CliProgress.Run(context, "training", progress =>
        {
            progress.Report(0);          // nothing to estimate from: no line
            Thread.Sleep(1200);
            progress.Report(0.25);       // about 3 × the elapsed time left
            progress.Report(double.NaN); // ignored
            progress.Report(1.5);        // out of range: ignored
            progress.Report(1);
            return 42;
        }, TimeSpan.Zero);
        Assert.That(result, Is.EqualTo(42));
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2), err.ToString());
        var quarter = PlainLine().Match(lines[0]);
        var done = PlainLine().Match(lines[1]);
        Assert.That(quarter.Success && done.Success, Is.True, err.ToString());
        Assert.That(quarter.Groups[1].Value, Is.EqualTo("25"));
        int elapsed = int.Parse(quarter.Groups[2].Value, CultureInfo.InvariantCulture), left = int.Parse(quarter.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(1));
        // left = elapsed·(1 − f)/f = 3·elapsed before rounding each to whole seconds (±0.5 each, so within 2).
        Assert.That(left, Is.EqualTo(3 * elapsed).Within(2));
        Assert.That(done.Groups[1].Value, Is.EqualTo("100"));
        Assert.That(done.Groups[3].Value, Is.EqualTo("0"));
        Assert.That(err.ToString().Contains('\u001b'), Is.False, "no terminal control in plain lines");
    }

    [Test]
    public void PlainLines_ShortRun_PrintNothing()
    {
        var err = new StringWriter();
        var context = new CliContext(TextWriter.Null, err, CancellationToken.None, Interactive: false);
        CliProgress.Run(context, "training", progress => { progress.Report(0.5); progress.Report(1); });
        Assert.That(err.ToString(), Is.Empty, $"lines come at most every {CliProgress.PlainInterval.TotalSeconds} s");
    }

    [Test]
    public void Train_Redirected_NoBarNoTerminalControl()
    {
        using var h = new CliHarness();
        var o = CliHarness.Run("train", Circuit, "--data", h.Write("d.csv", Data), "--observable", "Z0", "--lr", "0.05", "--steps", "200");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        Assert.That((o.Err + o.Out).Contains('\u001b'), Is.False, "no terminal control");
        Assert.That(o.Err, Does.Not.Contain("━━━").And.Not.Contain("training"), "no bar and, for a short run, no plain lines");
    }

    [GeneratedRegex(@"\u001b\[[0-9;?]*[A-Za-z]|\u001b[=>]")]
    private static partial Regex AnsiControl();

    [GeneratedRegex(@"^training\s+━+\s+(\d+)%\s+(\d\d:\d\d:\d\d)\s+(\d\d:\d\d:\d\d)\s*$")]
    private static partial Regex BarWithEstimate();

    [Test]
    public void Train_OnATerminal_SpectreBarWithTimeLeft()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("the pseudo-terminal is util-linux's script");
        Assert.That(File.Exists("/usr/bin/script"), Is.True, "util-linux 'script' (Debian's essential bsdutils package) runs the command in a pseudo-terminal");
        using var h = new CliHarness();
        string data = h.Write("d.csv", Data);
        string cli = Path.Combine(TestContext.CurrentContext.TestDirectory, "QnnSim.Cli.dll");
        // Long enough (a few seconds) for Spectre to redraw the bar several times and estimate the time left.
        string command = $"dotnet '{cli}' train '{Circuit}' --data '{data}' --observable Z0 --lr 0.05 --steps 8000 --record every:1000";
        var run = RepositoryTools.Run("script", ["-qfec", command, "/dev/null"], h.Folder, TimeSpan.FromMinutes(5),
            new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["COLUMNS"] = "120" });
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output.Contains("\u001b[", StringComparison.Ordinal), Is.True, "terminal control sequences: a live bar, not plain lines");
        var frames = AnsiControl().Replace(run.Output, "").Split('\r', '\n').Select(l => BarWithEstimate().Match(l)).Where(m => m.Success).ToList();
        var estimating = frames.Where(m => m.Groups[1].Value is not "0" and not "100").ToList();
        Assert.That(estimating, Is.Not.Empty, "a frame 'training ━━━ P% elapsed left' with a time-left estimate:\n" + AnsiControl().Replace(run.Output, ""));
        Assert.That(run.Output, Does.Not.Contain("s elapsed, about"), "no plain lines on a terminal");
        Assert.That(AnsiControl().Replace(run.Output, ""), Does.Contain("critical learning rate"), "the result table follows the bar");
        TestContext.Out.WriteLine($"{frames.Count} bar frames; e.g. '{estimating[0].Value.Trim()}'");
    }
}
