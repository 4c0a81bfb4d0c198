using System.Numerics;
using System.Text.Json.Nodes;
using QnnSim.Circuits;
using QnnSim.Interop;
using QnnSim.Simulation;

namespace QnnSim.Tests.Interop.QSharp;

[TestFixture]
public class QSharpCompilerTests
{
    private static readonly Simulator Sim = new();

    private const string Library = """
        namespace Lib {
            operation Prepare(qs : Qubit[]) : Unit {
                H(qs[0]);
                Rx(0.5, qs[1]);
            }
            operation Twice() : Result[] {
                use qs = Qubit[2];
                Prepare(qs);
                Prepare(qs);
                MResetEachZ(qs)
            }
            @EntryPoint()
            operation Main() : Result {
                use q = Qubit();
                X(q);
                MResetZ(q)
            }
        }
        """;

    [Test]
    public void Compile_EntryExpression_OverridesEntryPoint()
    {
        var qdk = QdkTestSupport.Compiler();
        var main = qdk.Compile(Library, null, "lib.qs");
        Assert.That(main.Operations.Select(o => o.Name), Is.EqualTo(new[] { "x" }));
        var twice = qdk.Compile(Library, "Twice()", "lib.qs");
        Assert.That(twice.Operations.Select(o => o.Name), Is.EqualTo(new[] { "h", "rx", "h", "rx" }));
        Assert.That(twice.MeasuredQubits, Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void Compile_ImplicitNamespace_EntryResolves()
    {
        var qdk = QdkTestSupport.Compiler();
        const string source = "operation Ghz(n : Int) : Result[] { use qs = Qubit[n]; H(qs[0]); for i in 1..n-1 { CNOT(qs[0], qs[i]); } MResetEachZ(qs) }";
        var c = qdk.Compile(source, "Ghz(4)", "my-ghz.qs");
        Assert.That(c.QubitCount, Is.EqualTo(4));
        Assert.That(c.Operations, Has.Length.EqualTo(4));
        var psi = Sim.Run(c, ParameterValues.None, InputValues.None);
        Assert.That(psi[0].Magnitude, Is.EqualTo(Math.Sqrt(0.5)).Within(Tolerances.Circuit));
        Assert.That(psi[15].Magnitude, Is.EqualTo(Math.Sqrt(0.5)).Within(Tolerances.Circuit));
    }

    [Test]
    public void Compile_TypeError_ThrowsParseExceptionWithLineAndColumn()
    {
        var qdk = QdkTestSupport.Compiler();
        const string source = "namespace Bad {\n    @EntryPoint()\n    operation Main() : Unit {\n        use q = Qubit();\n        Rx(1, q);\n    }\n}\n";
        var e = Assert.Throws<ParseException>(() => qdk.Compile(source, null, "bad.qs"))!;
        Assert.That(e.SourceName, Is.EqualTo("bad.qs"));
        Assert.That((e.Line, e.Column), Is.EqualTo((5, 12)), e.Message);
        Assert.That(e.Message, Does.Contain("type error"));
    }

    [Test]
    public void Compile_UnknownEntry_ThrowsParseException()
    {
        var qdk = QdkTestSupport.Compiler();
        var e = Assert.Throws<ParseException>(() => qdk.Compile(Library, "Nope()", "lib.qs"))!;
        Assert.That(e.Message, Does.Contain("Nope"));
    }

    [Test]
    public void Compile_MidCircuitMeasurement_QdkMovesLaterGatesToFreshQubit()
    {
        // The QDK's base profile defers the measurement (principle of deferred measurement): it copies qubit 0 onto a
        // fresh qubit 2 with a CNOT, continues there, and measures everything at the end.
        var qdk = QdkTestSupport.Compiler();
        const string source = "operation Main() : Result[] { use qs = Qubit[2]; H(qs[0]); let r = M(qs[0]); H(qs[0]); CNOT(qs[0], qs[1]); [r] + MResetEachZ(qs) }";
        var c = qdk.Compile(source, null, "mid.qs");
        Assert.That(c.QubitCount, Is.EqualTo(3));
        Assert.That(c.MeasuredQubits, Is.EqualTo(new[] { 0, 2, 1 }));
        Assert.That(c.Operations.Select(o => o.ToString()), Is.EqualTo(new[] { "h q[0]", "cx q[0], q[2]", "h q[2]", "cx q[2], q[1]" }));
    }

    [Test]
    public void Run_CompileError_ThrowsParseException()
    {
        var qdk = QdkTestSupport.Compiler();
        var e = Assert.Throws<ParseException>(() => qdk.Run("operation Main() : Unit { use q = Qubit(); Rx(1, q); }", null, "run.qs"))!;
        Assert.That((e.SourceName, e.Line, e.Column), Is.EqualTo(("run.qs", 1, 47)));
    }

    [Test]
    public void Run_QubitReleasedNotInZero_ThrowsQdkException()
    {
        var qdk = QdkTestSupport.Compiler();
        var e = Assert.Throws<QdkException>(() => qdk.Run("operation Main() : Unit { use q = Qubit(); X(q); }", null, "leak.qs"))!;
        Assert.That(e.Message, Does.Contain("released while not in |0⟩"));
    }

    [Test]
    public void ImportAnsatz_ValueDependentBranch_Refuses()
    {
        var qdk = QdkTestSupport.Compiler();
        const string source = "operation A(t : Double[], qs : Qubit[]) : Unit { if t[0] > 1.0 { H(qs[0]); } Ry(t[0], qs[0]); }";
        var e = Assert.Throws<NotSupportedException>(() => qdk.ImportAnsatz(source, "A", 1, 1))!;
        Assert.That(e.Message, Does.Contain("depends on the parameter values"));
    }

    [TestCase("t[0] * t[1]")]
    [TestCase("Std.Math.Sin(t[0])")]
    [TestCase("t[0] + t[1]")]
    public void ImportAnsatz_NonAffineAngle_Refuses(string angle)
    {
        var qdk = QdkTestSupport.Compiler();
        string source = $"operation A(t : Double[], qs : Qubit[]) : Unit {{ Ry({angle}, qs[0]); }}";
        var e = Assert.Throws<NotSupportedException>(() => qdk.ImportAnsatz(source, "A", 1, 2))!;
        Assert.That(e.Message, Does.Contain("affine").Or.Contain("not a·v[k] + b"));
    }

    [Test]
    public void ImportAnsatz_AffineAngles_RecoversCoefficients()
    {
        var qdk = QdkTestSupport.Compiler();
        const string source = "operation A(x : Double[], t : Double[], qs : Qubit[]) : Unit { Ry(3.0 * x[1] - 0.5, qs[0]); Rz(-0.25 * t[2] + 2.0, qs[1]); Rx(1.5, qs[0]); Rxx(t[0] / 4.0, qs[0], qs[1]); }";
        var c = qdk.ImportAnsatz(source, "A", 2, 3, 2);
        var expected = new (VariableKind, int, double, double)[] { (VariableKind.Input, 1, 3.0, -0.5), (VariableKind.Parameter, 2, -0.25, 2.0) };
        for (int i = 0; i < 2; i++)
        {
            Assert.That(c.Operations[i].Angles[0].TryGetAffine(out var kind, out int index, out double a, out double b), Is.True);
            Assert.That(kind, Is.EqualTo(expected[i].Item1));
            Assert.That(index, Is.EqualTo(expected[i].Item2));
            Assert.That(a, Is.EqualTo(expected[i].Item3).Within(InteropTolerances.AffineFit));
            Assert.That(b, Is.EqualTo(expected[i].Item4).Within(InteropTolerances.AffineFit));
        }
        Assert.That(c.Operations[2].Angles[0].ConstantValue, Is.EqualTo(1.5));
        Assert.That(c.Operations[3].Angles[0].TryGetAffine(out _, out int i3, out double a3, out _) && i3 == 0 && Math.Abs(a3 - 0.25) < InteropTolerances.AffineFit, Is.True);
    }

    [Test]
    public void QdkFeatures_NodeMissing_ThrowWithInstallAdvice()
    {
        var compiler = new QSharpCompiler(new QdkOptions { NodeExecutable = "/nonexistent/qnnsim-test/node" });
        var e = Assert.Throws<QdkUnavailableException>(() => compiler.Compile("operation Main() : Unit {}"))!;
        Assert.That(e.Message, Does.Contain("Node.js").And.Contain("https://nodejs.org"));
    }

    [Test]
    public void QdkFeatures_PackageFolderMissing_ThrowsClearly()
    {
        if (!QdkTestSupport.NodeOnPath()) Assert.Ignore("needs node on PATH to get past the Node check");
        var compiler = new QSharpCompiler(new QdkOptions { PackageDirectory = "/nonexistent/qsharp-lang" });
        var e = Assert.Throws<QdkUnavailableException>(() => compiler.Compile("operation Main() : Unit {}"))!;
        Assert.That(e.Message, Does.Contain("qsharp-lang"));
    }

    [Test]
    public void DumpToState_QdkKeyOrder_PutsQubitZeroInLowestBit()
    {
        // The QDK prints |q0 q1 q2⟩ with q0 leftmost: "|100⟩" is qubit 0 set, QnnSim index 1; "|001⟩" is index 4.
        var dump = new JsonObject { ["|100⟩"] = new JsonArray(0.6, 0.0), ["|001⟩"] = new JsonArray(0.0, 0.8) };
        var state = QSharpCompiler.DumpToState(dump, 3);
        Assert.That(state[1], Is.EqualTo(new Complex(0.6, 0)));
        Assert.That(state[4], Is.EqualTo(new Complex(0, 0.8)));
        Assert.That(state.Probabilities().Sum(), Is.EqualTo(1.0).Within(Tolerances.Kernel));
    }

    [Test]
    public void Run_XOnQubitZero_DumpsIndexOne()
    {
        var qdk = QdkTestSupport.Compiler();
        var run = qdk.Run("operation Main() : Unit { use qs = Qubit[3]; X(qs[0]); Std.Diagnostics.DumpMachine(); Message(\"done\"); ResetAll(qs); }", null, "x.qs");
        Assert.That(run.States.Single()[1].Real, Is.EqualTo(1.0).Within(Tolerances.Kernel));
        Assert.That(run.Messages, Is.EqualTo(new[] { "done" }));
    }

    [Test]
    public void Worker_ConcurrentRequests_AllAnswered()
    {
        var qdk = QdkTestSupport.Compiler();
        var results = new Circuit[6];
        Parallel.For(0, results.Length, i =>
            results[i] = qdk.Compile($"operation Main() : Result[] {{ use qs = Qubit[{i + 1}]; H(qs[{i}]); MResetEachZ(qs) }}", null, $"p{i}.qs"));
        for (int i = 0; i < results.Length; i++)
        {
            Assert.That(results[i].QubitCount, Is.EqualTo(i + 1));
            Assert.That(results[i].Operations.Single().Qubits.Single(), Is.EqualTo(i));
        }
    }
}
