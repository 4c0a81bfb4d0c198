using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QnnSim.Interop;

/// <summary>
/// Where to find Node.js and Microsoft's QDK compiler (the npm package qsharp-lang) for the Q# features.
/// </summary>
/// <remarks>
/// The compiler package is looked up in this order: <see cref="PackageDirectory"/>; the environment variable
/// <c>QNNSIM_QDK_PACKAGE</c>; the build-time copy named by <c>qnnsim-qdk.txt</c> next to the QnnSim assembly (written
/// by QnnSim/Interop/QSharp/QSharp.targets when the build found Node.js); the per-user cache
/// <see cref="CacheDirectory"/>, which is filled with <c>npm install qsharp-lang@<see cref="PinnedVersion"/></c> on
/// first use when <see cref="AllowNpmInstall"/> is set. Concurrent first uses are safe: the install holds an exclusive
/// lock on the file <see cref="CacheDirectory"/> + ".lock" (waiting at most <see cref="InstallLockTimeout"/>), runs npm
/// in a staging folder next to the cache and renames the finished node_modules into place in one step.
/// </remarks>
public sealed record QdkOptions
{
    /// <summary>The qsharp-lang version QnnSim is built and tested against: 1.32.5-dev.</summary>
    public const string PinnedVersion = "1.32.5-dev";

    /// <summary>The Node.js executable (a name looked up on PATH, or a full path). Default <c>node</c>.</summary>
    public string NodeExecutable { get; init; } = "node";

    /// <summary>The npm executable used to fill the cache. Default <c>npm</c>.</summary>
    public string NpmExecutable { get; init; } = "npm";

    /// <summary>The qsharp-lang package folder (…/node_modules/qsharp-lang); null: search as described above.</summary>
    public string? PackageDirectory { get; init; }

    /// <summary>The per-user cache; default <c>~/.cache/qnnsim/qdk/1.32.5-dev</c> (XDG_CACHE_HOME respected).</summary>
    public string CacheDirectory { get; init; } = DefaultCacheDirectory();

    /// <summary>Whether a missing compiler may be installed into <see cref="CacheDirectory"/> with npm. Default true.</summary>
    public bool AllowNpmInstall { get; init; } = true;

    /// <summary>
    /// How long to wait for another process (or thread) that is installing the compiler into <see cref="CacheDirectory"/>
    /// and holds the install lock (the file <see cref="CacheDirectory"/> + ".lock"). Default 10 minutes (npm itself is
    /// given 5).
    /// </summary>
    public TimeSpan InstallLockTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one request (a compilation or a simulation) may take. Default 2 minutes.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The defaults.</summary>
    public static QdkOptions Default { get; } = new();

    private static string DefaultCacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "qnnsim", "qdk", PinnedVersion);
    }
}

/// <summary>
/// Thrown when a Q# feature is used but Node.js or the QDK compiler cannot be found or started. The message says
/// what to install. Everything else in QnnSim works without them.
/// </summary>
public sealed class QdkUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>One diagnostic of the QDK compiler (1-based line and column).</summary>
/// <param name="Document">The source name the QDK reported.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">The compiler's message.</param>
/// <param name="Code">The compiler's error code (e.g. Qdk.Qsc.Resolve.NotFound).</param>
public readonly record struct QdkDiagnostic(string Document, int Line, int Column, string Message, string Code);

/// <summary>A request the QDK rejected (a compile or run-time error), with its diagnostics.</summary>
public sealed class QdkException(string message, IReadOnlyList<QdkDiagnostic> diagnostics) : InvalidOperationException(message)
{
    /// <summary>The compiler's diagnostics, first the one the message describes.</summary>
    public IReadOnlyList<QdkDiagnostic> Diagnostics { get; } = diagnostics;
}

/// <summary>
/// A long-lived Node.js process running QnnSim's <c>qdk-worker.mjs</c> over Microsoft's QDK (qsharp-lang): one process
/// serves many compilations (each 0.1–0.6 s; starting Node and the WebAssembly compiler costs about as much again).
/// Thread-safe: requests carry ids and may be sent from any thread; the worker answers them in order. The shared
/// instances of <see cref="Shared"/> are disposed when the process exits.
/// </summary>
public sealed class QdkWorker : IDisposable
{
    private static readonly ConcurrentDictionary<QdkOptions, Lazy<QdkWorker>> SharedWorkers = new();
    private static int _exitHookInstalled;

    private readonly Process _process;
    private readonly object _writeLock = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<JsonObject> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private volatile bool _disposed;

    /// <summary>Starts a worker (prefer <see cref="Shared"/>, which starts one per options and reuses it).</summary>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package cannot be found, installed or started.</exception>
    public QdkWorker(QdkOptions? options = null)
    {
        Options = options ?? QdkOptions.Default;
        string nodeVersion = CheckNode(Options.NodeExecutable);
        PackageDirectory = LocatePackage(Options);
        string script = WriteWorkerScript(Options);
        var psi = new ProcessStartInfo(Options.NodeExecutable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--qsharp-lang");
        psi.ArgumentList.Add(PackageDirectory);
        try
        {
            _process = Process.Start(psi) ?? throw new QdkUnavailableException($"could not start {Options.NodeExecutable}.");
        }
        catch (Win32Exception e)
        {
            throw new QdkUnavailableException(NodeMissingMessage(Options.NodeExecutable), e);
        }
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        var reader = new Thread(ReadLoop) { IsBackground = true, Name = "qdk-worker-reader" };
        reader.Start();
        if (!WaitQuietly(_ready.Task, TimeSpan.FromSeconds(120)))
        {
            Dispose();
            throw new QdkUnavailableException($"the QDK worker (node {nodeVersion}, {PackageDirectory}) did not start within 120 s. {StderrTail()}");
        }
        if (_ready.Task.IsFaulted)
            throw new QdkUnavailableException($"the QDK worker failed to start: {_ready.Task.Exception!.InnerException!.Message}", _ready.Task.Exception.InnerException);
        Version = _ready.Task.Result["version"]?.GetValue<string>() ?? "?";
        NodeVersion = nodeVersion;
    }

    /// <summary>The options this worker was started with.</summary>
    public QdkOptions Options { get; }

    /// <summary>The qsharp-lang package folder in use.</summary>
    public string PackageDirectory { get; }

    /// <summary>The qsharp-lang version the worker loaded.</summary>
    public string Version { get; } = "?";

    /// <summary>The Node.js version (e.g. v20.20.2).</summary>
    public string NodeVersion { get; } = "?";

    /// <summary>The worker for these options, started on first use and shared by all callers until the process exits.</summary>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package cannot be found, installed or started.</exception>
    public static QdkWorker Shared(QdkOptions? options = null)
    {
        options ??= QdkOptions.Default;
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var w in SharedWorkers.Values)
                    if (w.IsValueCreated) w.Value.Dispose();
            };
        while (true)
        {
            var lazy = SharedWorkers.GetOrAdd(options, o => new Lazy<QdkWorker>(() => new QdkWorker(o)));
            QdkWorker worker;
            try
            {
                worker = lazy.Value;
            }
            catch
            {
                SharedWorkers.TryRemove(new KeyValuePair<QdkOptions, Lazy<QdkWorker>>(options, lazy));
                throw;
            }
            if (!worker._disposed && !worker._process.HasExited) return worker;
            SharedWorkers.TryRemove(new KeyValuePair<QdkOptions, Lazy<QdkWorker>>(options, lazy)); // crashed: start anew
        }
    }

    /// <summary>Sends one request (a JSON object with a "cmd") and waits for its answer.</summary>
    /// <exception cref="QdkException">The QDK rejected the request (compile or run-time error).</exception>
    /// <exception cref="QdkUnavailableException">The worker died or timed out.</exception>
    public JsonObject Request(JsonObject request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        long id = Interlocked.Increment(ref _nextId);
        request["id"] = id;
        var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        string line = request.ToJsonString();
        lock (_writeLock)
        {
            try
            {
                _process.StandardInput.WriteLine(line);
                _process.StandardInput.Flush();
            }
            catch (IOException e)
            {
                _pending.TryRemove(id, out _);
                throw new QdkUnavailableException($"the QDK worker has stopped. {StderrTail()}", e);
            }
        }
        if (!WaitQuietly(tcs.Task, Options.RequestTimeout))
        {
            _pending.TryRemove(id, out _);
            throw new QdkUnavailableException($"the QDK worker did not answer '{request["cmd"]}' within {Options.RequestTimeout.TotalSeconds} s.");
        }
        var answer = tcs.Task.IsFaulted ? throw tcs.Task.Exception!.InnerException! : tcs.Task.Result;
        if (answer["ok"]?.GetValue<bool>() != true)
        {
            var diagnostics = new List<QdkDiagnostic>();
            if (answer["diagnostics"] is JsonArray arr)
                foreach (var d in arr.OfType<JsonObject>())
                    diagnostics.Add(new QdkDiagnostic(d["document"]?.GetValue<string>() ?? "", d["line"]?.GetValue<int>() ?? 1,
                        d["column"]?.GetValue<int>() ?? 1, d["message"]?.GetValue<string>() ?? "", d["code"]?.GetValue<string>() ?? ""));
            throw new QdkException(answer["error"]?.GetValue<string>() ?? "the QDK reported an error", diagnostics);
        }
        return answer;
    }

    private void ReadLoop()
    {
        try
        {
            string? line;
            while ((line = _process.StandardOutput.ReadLine()) is not null)
            {
                JsonObject? msg;
                try { msg = JsonNode.Parse(line) as JsonObject; }
                catch (JsonException) { continue; } // stray output of the QDK: not an answer
                if (msg is null) continue;
                long id = msg["id"]?.GetValue<long>() ?? -1;
                if (id == 0 && msg["ready"] is not null) { _ready.TrySetResult(msg); continue; }
                if (_pending.TryRemove(id, out var tcs)) tcs.TrySetResult(msg);
            }
        }
        catch (Exception) when (_disposed) { }
        catch (Exception) { /* reported below */ }
        var failure = new QdkUnavailableException($"the QDK worker exited unexpectedly. {StderrTail()}");
        _ready.TrySetException(failure);
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var tcs)) tcs.TrySetException(failure);
    }

    /// <summary>Waits for a task without throwing when it faults (the caller inspects it); false on timeout.</summary>
    private static bool WaitQuietly(Task task, TimeSpan timeout)
    {
        try
        {
            return task.Wait(timeout);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    private string StderrTail()
    {
        lock (_stderr)
        {
            string s = _stderr.ToString().Trim();
            return s.Length == 0 ? "" : "Node said: " + (s.Length > 2000 ? s[^2000..] : s);
        }
    }

    /// <summary>Stops the Node.js process.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(2000)) _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or Win32Exception) { }
        _process.Dispose();
    }

    private static string NodeMissingMessage(string node) =>
        $"the Q# features need Node.js (version 18 or later) to run Microsoft's QDK compiler, but '{node}' could not be started. " +
        "Install Node.js from https://nodejs.org (or your package manager, e.g. 'apt install nodejs npm') and make sure 'node' is on PATH; " +
        $"the compiler itself (npm package qsharp-lang@{QdkOptions.PinnedVersion}) is then fetched on first use. Everything else in QnnSim works without Node.js.";

    private static string CheckNode(string node)
    {
        var psi = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, CreateNoWindow = true };
        psi.ArgumentList.Add("--version");
        try
        {
            using var p = Process.Start(psi) ?? throw new QdkUnavailableException(NodeMissingMessage(node));
            string version = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new QdkUnavailableException(NodeMissingMessage(node));
            return version;
        }
        catch (Win32Exception e)
        {
            throw new QdkUnavailableException(NodeMissingMessage(node), e);
        }
    }

    private static bool IsPackage(string? dir) =>
        !string.IsNullOrEmpty(dir) && File.Exists(Path.Combine(dir, "dist", "node.js")) && File.Exists(Path.Combine(dir, "lib", "web", "qsc_wasm_bg.wasm"));

    /// <summary>Finds (or installs into the cache) the qsharp-lang package folder.</summary>
    internal static string LocatePackage(QdkOptions options)
    {
        if (options.PackageDirectory is not null)
        {
            if (IsPackage(options.PackageDirectory)) return Path.GetFullPath(options.PackageDirectory);
            throw new QdkUnavailableException($"'{options.PackageDirectory}' is not a qsharp-lang package folder (expected dist/node.js and lib/web/qsc_wasm_bg.wasm).");
        }
        string? env = Environment.GetEnvironmentVariable("QNNSIM_QDK_PACKAGE");
        if (IsPackage(env)) return Path.GetFullPath(env!);
        string marker = Path.Combine(AppContext.BaseDirectory, "qnnsim-qdk.txt");
        if (File.Exists(marker))
        {
            string root = File.ReadAllText(marker).Trim();
            string candidate = Path.Combine(root, "node_modules", "qsharp-lang");
            if (IsPackage(candidate)) return Path.GetFullPath(candidate);
        }
        string cached = Path.Combine(options.CacheDirectory, "node_modules", "qsharp-lang");
        if (IsPackage(cached)) return cached;
        if (!options.AllowNpmInstall)
            throw new QdkUnavailableException($"the QDK compiler (npm package qsharp-lang@{QdkOptions.PinnedVersion}) was not found and installing it is disabled; run 'npm install qsharp-lang@{QdkOptions.PinnedVersion} --prefix {options.CacheDirectory}'.");
        return EnsureCachedPackage(options.CacheDirectory, prefix => NpmInstall(options, prefix), options.InstallLockTimeout);
    }

    /// <summary>The lock file that serialises installs into <paramref name="cacheDirectory"/>: the cache folder's path + ".lock".</summary>
    internal static string LockPath(string cacheDirectory) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(cacheDirectory)) + ".lock";

    /// <summary>
    /// Returns cacheDirectory/node_modules/qsharp-lang, installing it first when it is missing, safely against other
    /// processes and threads doing the same: the install runs under an exclusive lock on <see cref="LockPath"/> (a file
    /// opened with <see cref="FileShare.None"/>, an advisory lock the operating system drops when its holder exits,
    /// retried every 100 ms until <paramref name="lockTimeout"/>); once the lock is held the package is looked for
    /// again (another process may have finished); <paramref name="install"/> fills a fresh staging folder next to the
    /// cache (same file system), and its node_modules is renamed into the cache in one step, replacing an incomplete
    /// node_modules left by an older, unlocked install. Readers therefore see either no package or a complete one.
    /// </summary>
    /// <param name="cacheDirectory">The cache folder (created if missing).</param>
    /// <param name="install">Installs qsharp-lang with the given folder as npm prefix (→ prefix/node_modules/qsharp-lang).</param>
    /// <param name="lockTimeout">How long to wait for another installer.</param>
    /// <exception cref="QdkUnavailableException">The lock was not obtained in time (the message names the lock file), or
    /// the installer left no complete package.</exception>
    internal static string EnsureCachedPackage(string cacheDirectory, Action<string> install, TimeSpan lockTimeout)
    {
        cacheDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(cacheDirectory));
        string cached = Path.Combine(cacheDirectory, "node_modules", "qsharp-lang");
        if (IsPackage(cached)) return cached;
        Directory.CreateDirectory(cacheDirectory);
        string lockPath = LockPath(cacheDirectory);
        using (AcquireInstallLock(lockPath, lockTimeout))
        {
            if (IsPackage(cached)) return cached;
            string parent = Path.GetDirectoryName(cacheDirectory)!;
            string unique = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
            string staging = Path.Combine(parent, $".{Path.GetFileName(cacheDirectory)}.staging-{unique}");
            try
            {
                Directory.CreateDirectory(staging);
                install(staging);
                if (!IsPackage(Path.Combine(staging, "node_modules", "qsharp-lang")))
                    throw new QdkUnavailableException($"npm did not install qsharp-lang@{QdkOptions.PinnedVersion} into {staging} (expected node_modules/qsharp-lang with dist/node.js and lib/web/qsc_wasm_bg.wasm).");
                string target = Path.Combine(cacheDirectory, "node_modules");
                if (Directory.Exists(target))
                {
                    // An incomplete node_modules (an interrupted install from before the lock existed): move it aside first.
                    string old = Path.Combine(parent, $".{Path.GetFileName(cacheDirectory)}.old-{unique}");
                    Directory.Move(target, old);
                    DeleteQuietly(old);
                }
                Directory.Move(Path.Combine(staging, "node_modules"), target);
            }
            finally
            {
                DeleteQuietly(staging);
            }
        }
        return cached;
    }

    /// <summary>Opens <paramref name="lockPath"/> exclusively, retrying until <paramref name="timeout"/>.</summary>
    /// <exception cref="QdkUnavailableException">Another holder kept the lock for longer than the timeout.</exception>
    internal static FileStream AcquireInstallLock(string lockPath, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                Thread.Sleep(100);
            }
            catch (IOException e)
            {
                throw new QdkUnavailableException(
                    $"another process is installing the QDK compiler (qsharp-lang@{QdkOptions.PinnedVersion}) and still holds the install lock {lockPath} " +
                    $"after {timeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s. Wait for it to finish and try again (the lock is released when that process exits), " +
                    "or raise QdkOptions.InstallLockTimeout.", e);
            }
        }
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static void NpmInstall(QdkOptions options, string prefix)
    {
        var psi = new ProcessStartInfo(options.NpmExecutable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, CreateNoWindow = true };
        foreach (var a in new[] { "install", $"qsharp-lang@{QdkOptions.PinnedVersion}", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save" })
            psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi) ?? throw new QdkUnavailableException($"could not start {options.NpmExecutable}.");
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new QdkUnavailableException("npm install of qsharp-lang took more than 5 minutes."); }
            if (p.ExitCode != 0)
                throw new QdkUnavailableException($"'npm install qsharp-lang@{QdkOptions.PinnedVersion} --prefix {prefix}' failed: {err.Result.Trim()}");
        }
        catch (Win32Exception e)
        {
            throw new QdkUnavailableException($"the QDK compiler (npm package qsharp-lang@{QdkOptions.PinnedVersion}) is not installed and npm ('{options.NpmExecutable}') could not be started to fetch it. Install Node.js with npm from https://nodejs.org.", e);
        }
    }

    /// <summary>Writes the embedded qdk-worker.mjs to the cache (or the temp folder) and returns its path.</summary>
    private static string WriteWorkerScript(QdkOptions options)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("QnnSim.qdk-worker.mjs")
            ?? throw new UnreachableException("the embedded qdk-worker.mjs is missing");
        using var sr = new StreamReader(stream);
        string text = sr.ReadToEnd();
        string name = $"qdk-worker-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12]}.mjs";
        foreach (var dir in new[] { options.CacheDirectory, Path.Combine(Path.GetTempPath(), "qnnsim-qdk") })
        {
            try
            {
                string path = Path.Combine(dir, name);
                if (File.Exists(path) && File.ReadAllText(path) == text) return path;
                Directory.CreateDirectory(dir);
                string tmp = path + "." + Environment.ProcessId + ".tmp";
                File.WriteAllText(tmp, text);
                File.Move(tmp, path, overwrite: true);
                return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        throw new QdkUnavailableException($"could not write the QDK worker script to {options.CacheDirectory} or the temp folder.");
    }
}
