using System.CommandLine;
using QnnSim.Cli;

namespace QnnSim.Tests.Cli;

/// <summary>
/// <c>--params</c> meant two things (issue 15): a CSV of parameter values in <c>jacobian</c>, <c>qntk</c> and
/// <c>train</c>, and the Q# parameter count in <c>run</c>, <c>grad</c>, <c>info</c>, <c>convert</c>, <c>draw</c> and
/// <c>ensemble</c>. The count is now <c>--param-count</c>; the old spelling is still read there, hidden from help, with
/// a warning on stderr. (The Q# round trip with the old spelling: ConvertCommandTests.)
/// </summary>
[TestFixture]
public class DeprecatedOptionsTests
{
    private static readonly string[] CountCommands = ["run", "grad", "info", "convert", "draw", "ensemble"];
    private static readonly string[] FileCommands = ["jacobian", "qntk", "train"];

    private static readonly CliHarness Files = new();

    [OneTimeTearDown]
    public void TearDown() => Files.Dispose();

    private static Command Find(string name) =>
        CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, default)).Subcommands.Single(c => c.Name == name);

    [Test]
    public void CountCommands_ParamsIsHiddenAndParamCountIsShown()
    {
        foreach (string name in CountCommands)
        {
            var command = Find(name);
            var count = command.Options.Single(o => o.Name == "--param-count");
            Assert.That(count.Hidden, Is.False, name);
            Assert.That(count.Aliases, Does.Not.Contain("--params"), name);
            var old = command.Options.Single(o => o.Name == "--params");
            Assert.That(old.Hidden, Is.True, $"{name}: the deprecated spelling is not shown in help");
            var help = new StringWriter();
            CliApp.Run([name, "--help"], help, TextWriter.Null);
            Assert.That(help.ToString(), Does.Contain("--param-count").And.Not.Match(@"--params\b"), $"{name} --help\n{help}");
        }
    }

    [Test]
    public void FileCommands_ParamsIsTheParameterFile()
    {
        foreach (string name in FileCommands)
        {
            var command = Find(name);
            var file = command.Options.Single(o => o.Name == "--params");
            Assert.That(Nullable.GetUnderlyingType(file.ValueType) ?? file.ValueType, Is.EqualTo(typeof(FileInfo)), name);
            Assert.That(file.Hidden, Is.False, name);
            Assert.That(command.Options.Single(o => o.Name == "--param-count").Aliases, Is.Empty, name);
        }
    }

    [Test]
    public void Info_DeprecatedParams_WarnsOnStderrOnceAndKeepsStdoutClean()
    {
        string circuit = Files.Write("c.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] w;\nqubit[1] q;\nrx(w) q[0];\n");
        var old = CliHarness.Run("info", circuit, "--params", "1", "--json");
        Assert.That(old.Code, Is.EqualTo(ExitCodes.Success), old.ToString());
        var warnings = old.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(warnings, Has.Length.EqualTo(1), old.Err);
        Assert.That(warnings[0], Is.EqualTo("qnnsim: warning: --params as the Q# parameter count is deprecated and will be removed; use --param-count (in jacobian, qntk and train, --params names a file of parameter values)."));
        var current = CliHarness.Run("info", circuit, "--param-count", "1", "--json");
        Assert.That(current.Code, Is.EqualTo(ExitCodes.Success), current.ToString());
        Assert.That(current.Err, Is.Empty);
        Assert.That(old.Out, Is.EqualTo(current.Out), "the same result on stdout, whichever spelling");
    }

    [Test]
    public void Docs_ShowParamCountAndNameTheDeprecation()
    {
        string docs = File.ReadAllText(Path.Combine(QnnSim.Tests.Docs.RepositoryTools.Root, "docs", "cli.md"));
        Assert.That(docs, Does.Not.Contain("[--params P]"), "the synopses show --param-count, not the deprecated spelling");
        Assert.That(docs, Does.Contain("[--param-count P]").And.Contain("**Deprecated: `--params P` as the Q# parameter count.**"));
    }

    [Test]
    public void Info_BothSpellingsOfTheCount_IsUsageError()
    {
        string circuit = Files.Write("c.qasm", "OPENQASM 3.0;\nqubit[1] q;\nh q[0];\n");
        var o = CliHarness.Run("info", circuit, "--params", "2", "--param-count", "3");
        Assert.That(o.Code, Is.EqualTo(ExitCodes.UsageError), o.ToString());
        Assert.That(o.Err, Does.Contain("--params 2 and --param-count 3 were both given"), o.ToString());
    }
}
