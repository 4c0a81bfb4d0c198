using QnnSim.Interop;

namespace QnnSim.Tests.Interop.QSharp;

/// <summary>
/// The per-user cache install (<see cref="QdkWorker"/>'s npm fallback) with fake installer delegates: concurrent
/// installers serialise on the lock file, exactly one installs, nobody ever sees a half-installed package, a failed
/// or empty install leaves no cache, a stale incomplete cache is replaced, and a lock held too long gives a message
/// naming the lock file.
/// </summary>
[TestFixture]
public class QdkCacheInstallTests
{
    private string _root = "";

    [SetUp]
    public void CreateRoot()
    {
        _root = Path.Combine(Path.GetTempPath(), $"qnnsim-cache-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void DeleteRoot()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string Cache => Path.Combine(_root, "qdk", QdkOptions.PinnedVersion);

    private static string PackageIn(string prefix) => Path.Combine(prefix, "node_modules", "qsharp-lang");

    private static bool Complete(string package) =>
        File.Exists(Path.Combine(package, "dist", "node.js")) && File.Exists(Path.Combine(package, "lib", "web", "qsc_wasm_bg.wasm"));

    /// <summary>Writes the package's two marker files with a pause between them, as a slow npm would.</summary>
    private static void FakeInstall(string prefix, int pauseMs)
    {
        string package = PackageIn(prefix);
        Directory.CreateDirectory(Path.Combine(package, "dist"));
        File.WriteAllText(Path.Combine(package, "dist", "node.js"), "// fake");
        Thread.Sleep(pauseMs);
        Directory.CreateDirectory(Path.Combine(package, "lib", "web"));
        File.WriteAllText(Path.Combine(package, "lib", "web", "qsc_wasm_bg.wasm"), "fake");
    }

    private string[] Leftovers() =>
        [.. Directory.GetFileSystemEntries(Path.GetDirectoryName(Cache)!).Select(Path.GetFileName).Where(n => n!.Contains(".staging-") || n.Contains(".old-"))!];

    [Test]
    public void EnsureCachedPackage_TwoThreadsRace_OneInstallAndOneGoodCache()
    {
        int calls = 0, running = 0, maxRunning = 0, partialSeen = 0;
        void Install(string prefix)
        {
            Interlocked.Increment(ref calls);
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            FakeInstall(prefix, 400);
            Interlocked.Decrement(ref running);
        }
        string cached = PackageIn(Cache);
        using var done = new CancellationTokenSource();
        // A reader polls the cache all along: the package folder must never exist without being complete.
        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                if (Directory.Exists(cached) && !Complete(cached)) Interlocked.Increment(ref partialSeen);
                Thread.Yield();
            }
        });
        using var start = new Barrier(2);
        var results = new string[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            results[i] = QdkWorker.EnsureCachedPackage(Cache, Install, TimeSpan.FromSeconds(30));
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        done.Cancel();
        reader.Wait();

        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.EqualTo(1), "installs");
            Assert.That(maxRunning, Is.EqualTo(1), "concurrent installs");
            Assert.That(results[0], Is.EqualTo(results[1]));
            Assert.That(Path.GetFullPath(results[0]), Is.EqualTo(Path.GetFullPath(cached)));
            Assert.That(Complete(cached), Is.True, "the cache holds a complete package");
            Assert.That(partialSeen, Is.Zero, "times a reader saw a half-installed package");
            Assert.That(Leftovers(), Is.Empty, "staging folders left behind");
        });
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Test]
    public void EnsureCachedPackage_LockHeldElsewhere_TimesOutNamingLockPath()
    {
        Directory.CreateDirectory(Cache);
        string lockPath = QdkWorker.LockPath(Cache);
        bool called = false;
        using (QdkWorker.AcquireInstallLock(lockPath, TimeSpan.Zero))
        {
            var e = Assert.Throws<QdkUnavailableException>(() =>
                QdkWorker.EnsureCachedPackage(Cache, _ => called = true, TimeSpan.FromMilliseconds(300)))!;
            Assert.That(e.Message, Does.Contain(lockPath).And.Contain("0.3 s"));
        }
        Assert.That(called, Is.False, "the installer ran without the lock");
        // Released: the next install proceeds.
        Assert.That(Complete(QdkWorker.EnsureCachedPackage(Cache, p => FakeInstall(p, 0), TimeSpan.FromSeconds(5))), Is.True);
    }

    /// <summary>
    /// The lock is an operating-system lock that other processes see: while this process holds it, util-linux's
    /// <c>flock -n</c> (flock(2), the call .NET uses for FileShare.None on Unix) cannot take it; afterwards it can.
    /// </summary>
    [Test]
    public void AcquireInstallLock_Held_OtherProcessCannotLock()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("flock(1) is a Linux tool");
        Directory.CreateDirectory(Cache);
        string lockPath = QdkWorker.LockPath(Cache);
        int FlockExitCode()
        {
            var psi = new System.Diagnostics.ProcessStartInfo("flock") { UseShellExecute = false, RedirectStandardError = true };
            foreach (var a in new[] { "-n", lockPath, "true" }) psi.ArgumentList.Add(a);
            try
            {
                using var p = System.Diagnostics.Process.Start(psi)!;
                p.WaitForExit();
                return p.ExitCode;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Ignore("flock(1) is not installed");
                return -1;
            }
        }
        using (QdkWorker.AcquireInstallLock(lockPath, TimeSpan.Zero))
            Assert.That(FlockExitCode(), Is.Not.Zero, "another process took the lock while it was held");
        Assert.That(FlockExitCode(), Is.Zero, "the lock is free again");
    }

    [Test]
    public void EnsureCachedPackage_InstallerFails_LeavesNoCacheAndRetrySucceeds()
    {
        Assert.Throws<IOException>(() => QdkWorker.EnsureCachedPackage(Cache, prefix =>
        {
            Directory.CreateDirectory(Path.Combine(PackageIn(prefix), "dist"));
            File.WriteAllText(Path.Combine(PackageIn(prefix), "dist", "node.js"), "// half");
            throw new IOException("network down");
        }, TimeSpan.FromSeconds(5)));
        Assert.That(Directory.Exists(Path.Combine(Cache, "node_modules")), Is.False, "a failed install leaves no node_modules");
        Assert.That(Leftovers(), Is.Empty);
        Assert.That(Complete(QdkWorker.EnsureCachedPackage(Cache, p => FakeInstall(p, 0), TimeSpan.FromSeconds(5))), Is.True);
    }

    [Test]
    public void EnsureCachedPackage_InstallerWritesNothing_ThrowsQdkUnavailable()
    {
        var e = Assert.Throws<QdkUnavailableException>(() => QdkWorker.EnsureCachedPackage(Cache, _ => { }, TimeSpan.FromSeconds(5)))!;
        Assert.That(e.Message, Does.Contain("did not install"));
        Assert.That(Leftovers(), Is.Empty);
    }

    [Test]
    public void EnsureCachedPackage_IncompleteOldCache_IsReplaced()
    {
        string cached = PackageIn(Cache);
        Directory.CreateDirectory(Path.Combine(cached, "dist"));
        File.WriteAllText(Path.Combine(cached, "dist", "node.js"), "// interrupted");
        int calls = 0;
        string result = QdkWorker.EnsureCachedPackage(Cache, p => { calls++; FakeInstall(p, 0); }, TimeSpan.FromSeconds(5));
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(Complete(result), Is.True);
        Assert.That(Leftovers(), Is.Empty);
        // A complete cache is used as it is.
        QdkWorker.EnsureCachedPackage(Cache, _ => calls++, TimeSpan.FromSeconds(5));
        Assert.That(calls, Is.EqualTo(1));
    }
}
