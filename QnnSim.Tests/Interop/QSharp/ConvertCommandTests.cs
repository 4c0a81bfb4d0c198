using QnnSim.Cli;
using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Simulation;

namespace QnnSim.Tests.Interop.QSharp;

/// <summary><c>qnnsim convert</c> between .qasm, .qs and .ll.</summary>
[TestFixture]
public class ConvertCommandTests
{
    private static readonly Simulator Sim = new();
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"qnnsim-convert-{Environment.ProcessId}-{TestContext.CurrentContext.Test.ID}");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Test]
    public void Convert_QSharpToQirToQasm_KeepsStateAndReadout()
    {
        QdkTestSupport.Compiler();
        string ll = Path.Combine(_dir, "gates.ll"), qasm = Path.Combine(_dir, "gates.qasm");
        var r1 = Cli("convert", QdkTestSupport.Sample("gates.qs"), ll);
        Assert.That(r1.Code, Is.EqualTo(ExitCodes.Success), r1.Err);
        var r2 = Cli("convert", ll, qasm);
        Assert.That(r2.Code, Is.EqualTo(ExitCodes.Success), r2.Err);
        var original = CircuitFiles.Load(QdkTestSupport.Sample("gates.qs"));
        var back = CircuitFiles.Load(qasm);
        Assert.That(back.MeasuredQubits, Is.EqualTo(original.MeasuredQubits));
        QdkTestSupport.AssertEqualUpToGlobalPhase(Sim.Run(original, ParameterValues.None, InputValues.None),
            Sim.Run(back, ParameterValues.None, InputValues.None), InteropTolerances.RoundTrip);
    }

    [Test]
    public void Convert_TrainableQSharpToQasm_KeepsParameters()
    {
        QdkTestSupport.Compiler();
        string qasm = Path.Combine(_dir, "hea.qasm");
        var r = Cli("convert", QdkTestSupport.Sample("hea_ansatz.qs"), qasm, "--entry", "HeaAnsatz", "--qubits", "3", "--param-count", "6");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.Err);
        Assert.That(r.Err, Does.Not.Contain("deprecated"), r.Err);
        var c = CircuitFiles.Load(qasm);
        Assert.That((c.QubitCount, c.ParameterCount), Is.EqualTo((3, 6)));
    }

    [Test]
    public void Convert_DeprecatedParamsSpellingOfTheCount_StillReadsItAndWarnsOnStderr()
    {
        // --params P was the Q# parameter count here but a parameter file in jacobian/qntk/train (issue 15): still
        // accepted for now, with a warning that names the new spelling.
        QdkTestSupport.Compiler();
        string qasm = Path.Combine(_dir, "hea.qasm");
        var r = Cli("convert", QdkTestSupport.Sample("hea_ansatz.qs"), qasm, "--entry", "HeaAnsatz", "--qubits", "3", "--params", "6");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.Success), r.Err);
        Assert.That(r.Err, Does.StartWith("qnnsim: warning: --params as the Q# parameter count is deprecated").And.Contain("use --param-count"), r.Err);
        var c = CircuitFiles.Load(qasm);
        Assert.That((c.QubitCount, c.ParameterCount), Is.EqualTo((3, 6)));
    }

    [Test]
    public void Convert_ParameterisedToQirWithoutBind_IsInputError()
    {
        string qasm = Path.Combine(_dir, "p.qasm");
        var b = new CircuitBuilder(1);
        b.Rx(0, b.Parameter("a"));
        CircuitFiles.Save(b.Build(), qasm);
        var r = Cli("convert", qasm, Path.Combine(_dir, "p.ll"));
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError));
        Assert.That(r.Err, Does.Contain("unbound").And.Contain("a"));
        var ok = Cli("convert", qasm, Path.Combine(_dir, "p.ll"), "--bind", "a=pi/2");
        Assert.That(ok.Code, Is.EqualTo(ExitCodes.Success), ok.Err);
        var c = CircuitFiles.Load(Path.Combine(_dir, "p.ll"));
        Assert.That(c.Operations[0].Angles[0].ConstantValue, Is.EqualTo(Math.PI / 2));
    }

    [Test]
    public void Convert_UnknownOutputExtension_IsUsageError()
    {
        string qasm = Path.Combine(_dir, "x.qasm");
        var b = new CircuitBuilder(1);
        b.H(0);
        CircuitFiles.Save(b.Build(), qasm);
        var r = Cli("convert", qasm, Path.Combine(_dir, "x.txt"));
        Assert.That(r.Code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(r.Err, Does.Contain(".txt"));
    }

    [Test]
    public void Convert_MalformedQir_ReportsFileLineColumn()
    {
        string ll = Path.Combine(_dir, "bad.ll");
        File.WriteAllText(ll, "define i64 @main() #0 {\nblock_0:\n  call void @__quantum__qis__u3__body(double 1.0, %Qubit* null)\n  ret i64 0\n}\n");
        var r = Cli("convert", ll, Path.Combine(_dir, "out.qasm"));
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InputError));
        Assert.That(r.Err, Does.Contain("bad.ll:3:13"));
    }
}
