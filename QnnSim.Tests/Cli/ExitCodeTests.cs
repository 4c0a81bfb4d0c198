using QnnSim.Cli;

namespace QnnSim.Tests.Cli;

/// <summary>Exit codes of the command line (ExitCodes.cs, docs/cli.md) for usage and input errors.</summary>
[TestFixture]
public class ExitCodeTests
{
    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("run", "--help")]
    [TestCase("info", "--help")]
    public void Help_AnyCommand_ExitsZeroAndPrintsUsage(params string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(r.Out, Does.Contain("Usage:"));
    }

    [Test]
    public void Help_Run_DescribesEveryOption()
    {
        var r = CliHarness.Run("run", "--help");
        foreach (var option in new[] { "--bind", "--observable", "--shots", "--seed", "--state", "--json", "--input-name", "--entry" })
            Assert.That(r.Out, Does.Contain(option));
        Assert.That(r.Out, Does.Contain("do not share shots"));
    }

    private static IEnumerable<TestCaseData> UsageErrors()
    {
        yield return new TestCaseData((object)new[] { "run", "x.qasm", "--bogus" }).SetName("Run_UnknownOption_ExitsTwo");
        yield return new TestCaseData((object)new[] { "run" }).SetName("Run_MissingFileArgument_ExitsTwo");
        yield return new TestCaseData((object)new[] { "info" }).SetName("Info_MissingFileArgument_ExitsTwo");
        yield return new TestCaseData((object)new[] { "frobnicate" }).SetName("Root_UnknownCommand_ExitsTwo");
        yield return new TestCaseData((object)Array.Empty<string>()).SetName("Root_NoCommand_ExitsTwo");
        yield return new TestCaseData((object)new[] { "run", "x.qasm", "--shots", "0" }).SetName("Run_ZeroShots_ExitsTwo");
        yield return new TestCaseData((object)new[] { "run", "x.qasm", "--shots", "many" }).SetName("Run_NonNumericShots_ExitsTwo");
        yield return new TestCaseData((object)new[] { "run", "x.qasm", "--bind" }).SetName("Run_BindWithoutValue_ExitsTwo");
        yield return new TestCaseData((object)new[] { "run", "x.qasm", "--bind", "t=1", "--bind", "t=2" }).SetName("Run_NameBoundTwice_ExitsTwo");
        yield return new TestCaseData((object)new[] { "run", "x.qasm", "--bind", "t" }).SetName("Run_BindWithoutEquals_ExitsTwo");
        yield return new TestCaseData((object)new[] { "run", "x.qasm", "--bind", "t=pi/" }).SetName("Run_MalformedBindValue_ExitsTwo");
        yield return new TestCaseData((object)new[] { "run", "x.qasm", "--seed", "-1" }).SetName("Run_NegativeSeed_ExitsTwo");
        yield return new TestCaseData((object)new[] { "run", "a.qasm", "b.qasm" }).SetName("Run_TwoFiles_ExitsTwo");
    }

    [TestCaseSource(nameof(UsageErrors))]
    public void UsageError_ExitsTwoWithMessage(string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.UsageError), r.ToString());
        Assert.That(r.Err, Does.StartWith("qnnsim: "));
        Assert.That(r.Out, Is.Empty);
    }

    [TestCase("run")]
    [TestCase("info")]
    public void MissingFile_ExitsThreeNamingIt(string command)
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.qasm");
        var r = CliHarness.Run(command, path);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain(path).And.Contain("no such file"));
    }

    [Test]
    public void UnknownExtension_ExitsThree()
    {
        using var h = new CliHarness();
        var r = CliHarness.Run("run", h.Write("c.txt", "h q;"));
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.Contain(".qasm"));
    }

    [TestCase("Z0 +", 5)]
    [TestCase("Z0 Q1", 4)]
    [TestCase("", 1)]
    public void MalformedObservable_ExitsThreeWithColumn(string text, int column)
    {
        var r = CliHarness.Run("run", "x.qasm", "--observable", text);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError), r.ToString());
        Assert.That(r.Err, Does.StartWith($"observable:1:{column}: "));
    }

    [Test]
    public void ReportFailure_Cancellation_Exits130()
    {
        var err = new StringWriter();
        Assert.That(CliApp.ReportFailure(new OperationCanceledException(), err), Is.EqualTo(ExitCodes.Cancelled));
        Assert.That(err.ToString(), Does.Contain("cancelled"));
    }

    [Test]
    public void ReportFailure_ParseException_ExitsThreeWithLocation()
    {
        var err = new StringWriter();
        Assert.That(CliApp.ReportFailure(new ParseException("f.qasm", 3, 7, "expected ';'"), err), Is.EqualTo(ExitCodes.InputError));
        Assert.That(err.ToString().Trim(), Is.EqualTo("f.qasm:3:7: expected ';'"));
    }

    [Test]
    public void ReportFailure_UnexpectedException_ExitsOne()
    {
        var err = new StringWriter();
        Assert.That(CliApp.ReportFailure(new NullReferenceException("boom"), err), Is.EqualTo(ExitCodes.InternalError));
        Assert.That(err.ToString(), Does.Contain("internal error"));
    }

    [Test]
    public void Run_CancelledBeforeStart_Exits130()
    {
        using var h = new CliHarness();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(["run", h.Write("x.qasm", TestCircuits.XOnQubit0)], stdout, stderr, cts.Token);
        Assert.That(code, Is.EqualTo(ExitCodes.Cancelled), stderr.ToString());
    }
}
