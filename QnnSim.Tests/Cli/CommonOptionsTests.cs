using System.CommandLine;
using QnnSim.Circuits;
using QnnSim.Cli;
using QnnSim.Cli.Common;

namespace QnnSim.Tests.Cli;

/// <summary>The shared option factories parse the way docs/cli.md says.</summary>
[TestFixture]
public class CommonOptionsTests
{
    private static Circuit ThreeParameters()
    {
        var b = new CircuitBuilder(1);
        b.Ry(0, b.Parameter("a")).Rz(0, b.Parameter("b")).Ry(0, b.Parameter("c"));
        return b.Build();
    }

    private static (Command Command, InitialParameters Init) InitCommand()
    {
        var init = new InitialParameters();
        var command = new Command("probe");
        init.AddTo(command);
        return (command, init);
    }

    [Test]
    public void InitialParameters_Default_Zeros()
    {
        var (command, init) = InitCommand();
        Assert.That(init.Resolve(command.Parse([]), ThreeParameters(), 0), Is.EqualTo(new double[3]));
    }

    [Test]
    public void InitialParameters_Uniform_SeededInRangeAndReproducible()
    {
        var (command, init) = InitCommand();
        var a = init.Resolve(command.Parse(["--init", "uniform"]), ThreeParameters(), 11);
        var b = init.Resolve(command.Parse(["--init", "Uniform"]), ThreeParameters(), 11);
        var c = init.Resolve(command.Parse(["--init", "uniform"]), ThreeParameters(), 12);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        Assert.That(a, Has.All.GreaterThanOrEqualTo(0).And.LessThan(2 * Math.PI));
        var rng = new QnnSim.Randomness.SeededRandom(11);
        Assert.That(a[0], Is.EqualTo(rng.NextDouble() * 2 * Math.PI).Within(1e-15));
    }

    [Test]
    public void InitialParameters_File_ReadsValues()
    {
        using var h = new CliHarness();
        string path = h.Write("p.csv", "name,value\nc,3\na,1\nb,2\n");
        var (command, init) = InitCommand();
        Assert.That(init.Resolve(command.Parse(["--params", path]), ThreeParameters(), 0), Is.EqualTo(new[] { 1.0, 2.0, 3.0 }));
    }

    [Test]
    public void InitialParameters_FileAndInit_UsageError()
    {
        var (command, init) = InitCommand();
        Assert.Throws<CliUsageException>(() => init.Resolve(command.Parse(["--params", "p.csv", "--init", "zeros"]), ThreeParameters(), 0));
    }

    [Test]
    public void InitialParameters_UnknownRule_ParseError()
    {
        var (command, _) = InitCommand();
        Assert.That(command.Parse(["--init", "gaussian"]).Errors, Is.Not.Empty);
    }

    [TestCase("-Z0", -1.0)]
    [TestCase("-0.5*Z0 Z1", -0.5)]
    public void Observable_LeadingMinus_IsAValueNotAnOption(string text, double expected)
    {
        using var h = new CliHarness();
        string path = h.Write("zero.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\n");
        var r = CliHarness.Run("run", path, "--observable", text, "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(r.Json().GetProperty("expectations")[0].GetProperty("value").GetDouble(), Is.EqualTo(expected));
    }

    [Test]
    public void Bind_NegativeExpression_IsAValueNotAnOption()
    {
        using var h = new CliHarness();
        string path = h.Write("bell.qasm", TestCircuits.BellRy);
        var r = CliHarness.Run("run", path, "--bind", "t=-pi/2", "--observable", "X0 X1", "--json");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.ToString());
        Assert.That(r.Json().GetProperty("parameters").GetProperty("t").GetDouble(), Is.EqualTo(-Math.PI / 2));
        // Ry(−π/2) then CX gives (|00⟩ − |11⟩)/√2, whose ⟨X0 X1⟩ is −1 (+1 for t = +π/2).
        Assert.That(r.Json().GetProperty("expectations")[0].GetProperty("value").GetDouble(), Is.EqualTo(-1.0).Within(Tolerances.Circuit));
    }

    [Test]
    public void CliProgress_NotInteractive_RunsWorkSilently()
    {
        var context = new CliContext(new StringWriter(), new StringWriter(), CancellationToken.None);
        int reports = 0;
        int result = CliProgress.Run(context, "work", p => { for (int i = 0; i <= 10; i++) { p.Report(i / 10.0); reports++; } return 42; });
        Assert.That(result, Is.EqualTo(42));
        Assert.That(reports, Is.EqualTo(11));
        Assert.That(context.Out.ToString() + context.Error.ToString(), Is.Empty);
    }

    [Test]
    public void CliProgress_NotInteractiveLongRun_WritesPlainLinesWithEstimate()
    {
        var context = new CliContext(new StringWriter(), new StringWriter(), CancellationToken.None);
        CliProgress.Run(context, "training", p => { p.Report(0.25); p.Report(0.5); p.Report(1.0); return 0; }, TimeSpan.Zero);
        var lines = context.Error.ToString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines[1], Does.StartWith("training: 50% (").And.Contain("s elapsed, about"));
        Assert.That(context.Out.ToString(), Is.Empty, "progress never goes to standard output");
    }

    [Test]
    public void CliProgress_Interactive_RunsWorkFromSeveralThreads()
    {
        var context = new CliContext(new StringWriter(), new StringWriter(), CancellationToken.None, Interactive: true);
        int result = CliProgress.Run(context, "work [1/2]", p =>
        {
            Parallel.For(0, 100, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => p.Report(i / 100.0));
            return 7;
        });
        Assert.That(result, Is.EqualTo(7));
        Assert.That(context.Out.ToString(), Is.Empty, "progress goes to stderr, never stdout");
    }

    [Test]
    public void HumanOutput_NotInteractive_PlainTableWithoutEscapes()
    {
        var sw = new StringWriter();
        var console = HumanOutput.Console(sw, interactive: false);
        console.Write(HumanOutput.Table("name", "value").NumberColumns(1).Row("[x]", HumanOutput.Number(0.1 + 0.2)));
        string text = sw.ToString();
        Assert.That(text, Does.Contain("│ [x]  │   0.3 │"), "brackets are text, not markup; numbers right-aligned");
        Assert.That(text.Contains('\u001b', StringComparison.Ordinal), Is.False, "no ANSI escapes"); // ordinal: ICU ignores control characters
    }
}
