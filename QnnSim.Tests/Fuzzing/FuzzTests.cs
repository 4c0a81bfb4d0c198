using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace QnnSim.Tests.Fuzzing;

/// <summary>
/// The fuzzing harness in the test suite: for every reader, a bounded run with a fixed seed (default 60 s a reader),
/// and the replay of every kept crashing input under Fuzzing/Regressions/READER/.
/// </summary>
/// <remarks>
/// The per-reader runs are CPU-bound and independent (each has its own generator and corpus, and the readers keep no
/// shared mutable state), so this fixture's children run in parallel with each other, on NUnit's workers (one per
/// core: the assembly sets no LevelOfParallelism, so NUnit uses the processor count, at least 2). More workers than
/// cores would only split each reader's minute of CPU between them. The rest of the suite is not parallelizable
/// (no other fixture is marked), and NUnit runs parallel and non-parallel work in separate shifts, so no other test
/// runs beside the fuzzers. On 2 cores the ten runs take about 5 minutes of the suite's wall time.
/// Longer runs (docs/design.md, "Fuzzing"): <c>QNNSIM_FUZZ_SECONDS=3600 QNNSIM_FUZZ_SEED=7 dotnet test QnnSim.Tests -c Release
/// --filter "FullyQualifiedName~Fuzzing"</c>. A failing input is written to fuzz-failures/READER/HASH.txt under the
/// test output folder (and, during long runs, each input over 2 KB to fuzz-failures/READER/in-flight.txt before it is
/// read, so an input that kills the process is kept); copy it into Fuzzing/Regressions/READER/ to keep it for good.
/// </remarks>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public class FuzzTests
{
    /// <summary>The bounded run's budget a reader in the default suite (the "about a minute per reader").</summary>
    public const double DefaultSeconds = 60;

    private static double Seconds => double.TryParse(Environment.GetEnvironmentVariable("QNNSIM_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 ? s : DefaultSeconds;

    private static ulong Seed => ulong.TryParse(Environment.GetEnvironmentVariable("QNNSIM_FUZZ_SEED"), out ulong s) ? s : 20261203;

    private static bool LongRun => Environment.GetEnvironmentVariable("QNNSIM_FUZZ_SECONDS") is not null;

    public static IEnumerable<TestCaseData> Targets() =>
        new[] { "openqasm", "qir", "pauli-string", "pauli-sum", "csv-data", "csv-params", "bind-value", "noise-spec", "noise-json", "sweep-spec" }
            .Select(n => new TestCaseData(n).SetArgDisplayNames(n));

    private static string FailureFolder(string target)
    {
        string folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "fuzz-failures", target);
        Directory.CreateDirectory(folder);
        return folder;
    }

    [TestCaseSource(nameof(Targets))]
    public void Reader_BoundedFuzzRun_OnlyDocumentedExceptionsEscape(string name)
    {
        var target = FuzzTargets.All.Single(t => t.Name == name);
        var fuzzer = new Fuzzer(target, Seed ^ GateHash(name))
        {
            InFlightFile = LongRun ? Path.Combine(FailureFolder(name), "in-flight.txt") : null,
        };
        var report = fuzzer.Run(TimeSpan.FromSeconds(Seconds), long.MaxValue);
        TestContext.Out.WriteLine($"{name}: {report.Inputs} inputs ({report.Accepted} accepted, {report.Refused} refused) in {report.Elapsed.TotalSeconds:F1} s ({report.CpuTime.TotalSeconds:F1} s of CPU on its thread), seed {Seed}");
        foreach (var f in report.Failures)
        {
            string path = Path.Combine(FailureFolder(name), Hash(f.Input) + ".txt");
            File.WriteAllText(path, f.Input);
            TestContext.Out.WriteLine($"FAILURE kept in {path}: {f.Reason}");
        }
        Assert.That(report.Failures, Is.Empty, () => string.Join("\n\n", report.Failures.Take(3).Select(f => $"{f.Reason}\n--- input ({f.Input.Length} chars) ---\n{Shorten(f.Input)}")));
        Assert.That(report.Inputs, Is.GreaterThan(target.Seeds.Count), "the run read mutants, not only the seeds");
        Assert.That(report.Refused, Is.GreaterThan(0), "some mutants are refused (the mutator breaks structure)");
    }

    public static IEnumerable<TestCaseData> Regressions()
    {
        string root = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzzing", "Regressions");
        if (!Directory.Exists(root)) yield break;
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                yield return new TestCaseData(Path.GetFileName(dir), file).SetArgDisplayNames(Path.GetFileName(dir), Path.GetFileName(file));
    }

    [TestCaseSource(nameof(Regressions))]
    public void Reader_KeptCrashingInput_NowHoldsTheInvariant(string name, string file)
    {
        var target = FuzzTargets.All.Single(t => t.Name == name);
        string input = File.ReadAllText(file);
        var failure = OnSmallStack(() => Fuzzer.Check(target, input, TimeSpan.FromSeconds(10), out _));
        Assert.That(failure, Is.Null, () => failure!.Reason);
    }

    [Test]
    public void RegressionFolders_NameKnownReaders()
    {
        string root = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzzing", "Regressions");
        var names = FuzzTargets.All.Select(t => t.Name).ToHashSet();
        Assert.That(Directory.GetDirectories(root).Select(Path.GetFileName), Is.SubsetOf(names));
        Assert.That(Targets().Count(), Is.EqualTo(FuzzTargets.All.Count), "every registered reader has a bounded run");
    }

    private static T OnSmallStack<T>(Func<T> f)
    {
        T? result = default;
        var t = new Thread(() => result = f(), 1 << 20);
        t.Start();
        t.Join();
        return result!;
    }

    private static ulong GateHash(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) h = (h ^ c) * 1099511628211UL;
        return h;
    }

    private static string Hash(string s) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..16].ToLowerInvariant();

    private static string Shorten(string s) => s.Length <= 2000 ? s : s[..1000] + $"\n… ({s.Length - 2000} more) …\n" + s[^1000..];
}
