using QnnSim.Cli;

namespace QnnSim.Tests.Cli;

/// <summary>The shared --threads option: on every command that computes, validated, and without effect on the results.</summary>
[TestFixture]
public class ThreadsOptionTests
{
    /// <summary>ry(x) data encoding, two trainable parameters, entangling gates: enough work for several samples.</summary>
    private const string Circuit = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[3] q;
        input float[64] a;
        input float[64] b;
        input float[64] x;
        ry(x) q[0];
        ry(a) q[1];
        cx q[0], q[1];
        rx(b) q[2];
        cx q[1], q[2];
        """;

    private static IEnumerable<TestCaseData> Commands()
    {
        yield return new TestCaseData((object)new[] { "run", "{c}", "--bind", "a=0.3", "--bind", "b=0.2", "--bind", "x=0.1", "--observable", "Z2" }).SetName("Run");
        yield return new TestCaseData((object)new[] { "grad", "{c}", "--bind", "a=0.3", "--bind", "b=0.2", "--bind", "x=0.1", "--observable", "Z2" }).SetName("Grad");
        yield return new TestCaseData((object)new[] { "jacobian", "{c}", "--input-name", "x", "--data", "{d}", "--observable", "Z2", "--init", "uniform", "--seed", "3" }).SetName("Jacobian");
        yield return new TestCaseData((object)new[] { "qntk", "{c}", "--input-name", "x", "--data", "{d}", "--observable", "Z2", "--init", "uniform", "--seed", "3" }).SetName("Qntk");
        yield return new TestCaseData((object)new[] { "train", "{c}", "--input-name", "x", "--data", "{d}", "--observable", "Z2", "--init", "uniform", "--seed", "3", "--lr", "0.1", "--steps", "20" }).SetName("Train");
        yield return new TestCaseData((object)new[] { "experiment", "convergence", "--qubits", "2", "--layers", "4", "--samples", "2", "--steps", "30" }).SetName("ExperimentConvergence");
        yield return new TestCaseData((object)new[] { "experiment", "haar-kernel", "--qubits", "2", "--layers", "3", "--circuits", "300" }).SetName("ExperimentHaarKernel");
    }

    private static string[] Resolve(string[] args, CliHarness h) =>
        [.. args.Select(a => a == "{c}" ? h.Write("c.qasm", Circuit) : a == "{d}" ? h.Write("d.csv", "x,label\n0.1,1\n0.7,-1\n1.3,1\n2.1,-1\n") : a)];

    [TestCaseSource(nameof(Commands))]
    public void Threads_OneToFour_SameJson(string[] args)
    {
        using var h = new CliHarness();
        var resolved = Resolve(args, h);
        var one = CliHarness.Run([.. resolved, "--json", "--threads", "1"]);
        Assert.That(one.Code, Is.EqualTo(ExitCodes.Success), one.ToString());
        // Issue 15: bit-identical for 1, 2, 3 and 4 threads (an odd count splits the work unevenly), byte for byte.
        foreach (string threads in new[] { "2", "3", "4" })
        {
            var other = CliHarness.Run([.. resolved, "--json", "--threads", threads]);
            Assert.That(other.Code, Is.EqualTo(ExitCodes.Success), other.ToString());
            Assert.That(other.Out, Is.EqualTo(one.Out), $"--threads {threads} against --threads 1");
        }
    }

    [TestCaseSource(nameof(Commands))]
    public void Threads_Zero_IsAUsageErrorNamingTheRange(string[] args)
    {
        using var h = new CliHarness();
        var r = CliHarness.Run([.. Resolve(args, h), "--threads", "0"]);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.UsageError), r.ToString());
        Assert.That(r.Err, Does.Contain("--threads '0' is not allowed; expected a whole number of threads, at least 1."));
    }
}
