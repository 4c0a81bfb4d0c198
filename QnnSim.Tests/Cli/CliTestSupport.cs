using System.Text.Json;
using QnnSim.Cli;

namespace QnnSim.Tests.Cli;

/// <summary>Tolerances of the command-line tests.</summary>
internal static class CliTolerances
{
    /// <summary>Values printed as JSON (round-trip "R" formatting) against the simulator called directly: bit-exact up to parsing.</summary>
    public const double JsonRoundTrip = 1e-15;
}

/// <summary>Output of one in-process run of the command line.</summary>
internal sealed record CliOutcome(int Code, string Out, string Err)
{
    /// <summary>Parses stdout as one JSON object, after validating it against its schema in docs/schemas/.</summary>
    public JsonElement Json()
    {
        QnnSim.Tests.Docs.JsonSchemas.AssertValid(Out);
        using var doc = JsonDocument.Parse(Out);
        return doc.RootElement.Clone();
    }

    public override string ToString() => $"exit {Code}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
}

/// <summary>Runs <see cref="CliApp.Run"/> in process with captured writers, and writes test files into a temporary folder.</summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Folder = Path.Combine(Path.GetTempPath(), "qnnsim-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>Writes <paramref name="text"/> to a file in the temporary folder and returns its path.</summary>
    public string Write(string name, string text)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static CliOutcome Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>OpenQASM 3 test circuits, written into each test's temporary folder.</summary>
internal static class TestCircuits
{
    /// <summary>ry(t) on qubit 0 with t a parameter, then CX 0→1.</summary>
    public const string BellRy = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[2] q;
        input float[64] t;
        ry(t) q[0];
        cx q[0], q[1];
        """;

    /// <summary>X on qubit 0 of two: the state |01⟩ in qubit-0-rightmost notation, basis index 1.</summary>
    public const string XOnQubit0 = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[2] q;
        x q[0];
        """;

    /// <summary>A three-qubit circuit with two parameters, one data input and a measurement of qubits 2 and 0.</summary>
    public const string Measured = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[3] q;
        bit[2] c;
        input float[64] a;
        input float[64] b;
        input float[64] x;
        h q[0];
        ry(a) q[1];
        rx(x) q[2];
        cx q[0], q[2];
        rz(b) q[1];
        c[0] = measure q[2];
        c[1] = measure q[0];
        """;

    /// <summary>Two parameters with mixed rotations (no measurement).</summary>
    public const string TwoParameters = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[2] q;
        input float[64] a;
        input float[64] b;
        h q[0];
        ry(a) q[0];
        rx(b) q[1];
        cx q[0], q[1];
        rz(0.3) q[1];
        """;

    /// <summary>Line 5 is malformed ("cx q[0] q[1];" misses a comma).</summary>
    public const string Malformed = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[2] q;
        h q[0];
        cx q[0] q[1];
        """;
}
