using System.Text.Json;
using QnnSim.Benchmarks;
using QnnSim.Cli;
using QnnSim.Simulation;

namespace QnnSim.Tests.Kernels;

/// <summary>The quick benchmark runner's plumbing (no timing is asserted).</summary>
public sealed class BenchRunnerTests
{
    [Test]
    public void DiscoverSections_Assemblies_FindsBuiltInSectionsInOrder()
    {
        var names = QuickBench.DiscoverSections().Select(s => s.Name).ToList();
        Assert.That(names, Is.SupersetOf(new[] { "gates", "ansatz", "kernels", "profile", "ntk" }));
        Assert.That(names.IndexOf("gates"), Is.LessThan(names.IndexOf("ansatz")));
    }

    [Test]
    public void Json_Report_HasSchemaAndSnakeCaseKeys()
    {
        var report = new BenchReport("test machine", true, 12.5,
            [new BenchRow("gates", "Ry q0", 24, 1, 0.02, 1.2, 13.4, 1.07, ">= 0.85 of bandwidth", true, 0.019, null)]);
        using var doc = JsonDocument.Parse(BenchFormat.Json(report));
        var root = doc.RootElement;
        Assert.That(root.GetProperty("schema").GetString(), Is.EqualTo("qnnsim.bench/1"));
        Assert.That(root.GetProperty("bandwidth_gb_per_s").GetDouble(), Is.EqualTo(12.5));
        var row = root.GetProperty("rows")[0];
        Assert.That(row.GetProperty("median_seconds").GetDouble(), Is.EqualTo(0.02));
        Assert.That(row.GetProperty("bandwidth_ratio").GetDouble(), Is.EqualTo(1.07));
        Assert.That(row.GetProperty("gb_per_s").GetDouble(), Is.EqualTo(13.4));
        Assert.That(row.GetProperty("target_met").GetBoolean(), Is.True);
    }

    [Test]
    public void Json_FigureThatDoesNotApply_IsNull()
    {
        var report = new BenchReport("test machine", true, 12.5,
            [new BenchRow("ntk", "K=JJt", 0, 1, 1e-3, double.NaN, null, null, CpuSeconds: double.PositiveInfinity)]);
        using var doc = JsonDocument.Parse(BenchFormat.Json(report));
        var row = doc.RootElement.GetProperty("rows")[0];
        Assert.That(row.GetProperty("ns_per_amplitude").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(row.GetProperty("cpu_seconds").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(row.GetProperty("median_seconds").GetDouble(), Is.EqualTo(1e-3));
    }

    [Test]
    public void Workloads_HardwareEfficientAnsatz_HasTheIssueAngles()
    {
        var (circuit, theta) = Workloads.HardwareEfficientAnsatz(3, 2);
        Assert.That(circuit.Operations.Length, Is.EqualTo(2 * (3 + 3 + 2)));
        Assert.That(theta.Length, Is.EqualTo(12));
        Assert.That(theta.Span[5], Is.EqualTo(0.3 + 0.7 * Math.Sin(1 + 0.37 * 5)));
    }

    [Test]
    public void BenchCommand_UnknownSection_IsUsageError()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(["bench", "--section", "no-such-section"], stdout, stderr);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(stderr.ToString(), Does.Contain("no-such-section"));
    }
    /// <summary>
    /// The largest-problem section with the memory query pinned at the margin + 16 MiB + 1 MiB: double precision fits
    /// n = 20 (16 MiB), single precision n = 21 (16 MiB), the adjoint gradient (2 × 16 MiB at n = 20) nothing. The
    /// double state must be gone before its row is handed out, that is before the single-precision pass asks for memory
    /// (at n = 30 on 24 GiB the single pass needs the 16 GiB the double state held).
    /// </summary>
    [Test]
    public void LargestSection_DoubleStateIsFreedBeforeTheSinglePass()
    {
        const long slack = 1L << 20;
        using var pinned = MemoryBudget.OverrideAvailable(LargestSection.MarginBytes + (16L << 20) + slack);
        var context = new BenchContext(true, SimulationOptions.Default with { MaxThreads = 1 }, 10.0);
        // Ry(0.1) on q0, CX(0, n−1), Rz on q(n−1), Ry(0.3) on q(n/2), CX(n/2, 0): ⟨Z0⟩ = cos 0.1 · cos 0.3 = 0.950564.
        double expectedZ0 = Math.Cos(0.1) * Math.Cos(0.3);
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        using var rows = new LargestSection().Run(context).GetEnumerator();

        Assert.That(rows.MoveNext(), Is.True);
        Assert.That(rows.Current.Name, Does.StartWith("largest forward pass, double precision: n = 20 "));
        Assert.That(rows.Current.Name, Does.Contain($"<Z0> = {expectedZ0:F6}"));
        long held = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        Assert.That(held, Is.LessThan(4L << 20), "the 16 MiB double-precision state is still reachable after its row");

        Assert.That(rows.MoveNext(), Is.True);
        Assert.That(rows.Current.Name, Does.StartWith("largest forward pass, single precision: n = 21 "));
        Assert.That(rows.Current.Name, Does.Contain($"<Z0> = {expectedZ0:F6}"));
        Assert.That(rows.MoveNext(), Is.False, "no adjoint gradient fits in 17 MiB above the margin");
    }
}
