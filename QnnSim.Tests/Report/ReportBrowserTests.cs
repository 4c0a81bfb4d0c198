using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using QnnSim.Cli;
using QnnSim.Tests.Docs;

namespace QnnSim.Tests.Report;

/// <summary>
/// Opens the report of <c>qnnsim reproduce --quick</c> in headless Chromium (Debian's <c>chromium</c>, installed by
/// the set-up with apt-get when it is missing) through the DevTools protocol and checks that every image loads,
/// nothing is logged as an error, and the page renders (a screenshot of non-trivial size).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ReportBrowserTests
{
    /// <summary>A white 1280 × 900 PNG is about 4 KB; the report's first screen with text and a plot is well above this.</summary>
    private const int MinScreenshotBytes = 40_000;

    private static readonly TimeSpan ProtocolTimeout = TimeSpan.FromMinutes(2);

    private string _folder = "";
    private string _chromium = "";

    [OneTimeSetUp]
    public void Setup()
    {
        _chromium = ChromiumInstall.Ensure();
        _folder = ReportFiles.NewFolder("qnnsim-browser-");
        var stdout = new StringWriter(); var stderr = new StringWriter();
        int code = CliApp.Run(["reproduce", "--quick", "--out", _folder, "--seed", "2023"], stdout, stderr);
        Assert.That(code, Is.EqualTo(ExitCodes.Success).Or.EqualTo(ExitCodes.CheckFailed), stdout.ToString() + stderr);
    }

    [OneTimeTearDown]
    public void Cleanup() => ReportFiles.Delete(_folder);

    [Test]
    public void ReportFiles_ShowTheAnsatzTrained()
    {
        var svg = System.Xml.Linq.XDocument.Parse(File.ReadAllText(Path.Combine(_folder, "ansatz.svg")));
        var labels = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        // U(θ) = W3 e^{−iθ_2 Z0} W2 e^{−iθ_1 Z0} W1 on 3 qubits: each W a box on every qubit, each rotation on qubit 0.
        Assert.That(labels, Is.EquivalentTo(new[] { "q0", "q1", "q2", "W1", "W1", "W1", "RZ(2·theta[0])", "W2", "W2", "W2", "RZ(2·theta[1])", "W3", "W3", "W3" }));
        string md = File.ReadAllText(Path.Combine(_folder, "report.md"));
        Assert.That(md, Does.Contain("![ansatz](ansatz.svg)").And.Contain("q0: ──┤ W1 ├──┤ RZ(2·theta[0]) ├──┤ W2 ├"));
        Assert.That(File.ReadAllText(Path.Combine(_folder, "report.html")), Does.Contain("<img alt=\"ansatz\" src=\"data:image/svg+xml;base64,"));
        Assert.That(QnnSim.Tests.Docs.JsonSchemas.AssertFolderValid(_folder), Is.EqualTo(2), "summary.json against qnnsim.reproduce/2, provenance.json against qnnsim.reproduce.provenance/1");
    }

    [Test]
    public async Task ReportHtml_InChromium_ImagesLoadNoErrorsAndRenders()
    {
        string html = Path.Combine(_folder, "report.html");
        await using var browser = await HeadlessChromium.StartAsync(_chromium);
        var page = await browser.OpenPageAsync();
        await page.SendAsync("Runtime.enable");
        await page.SendAsync("Log.enable");
        await page.SendAsync("Page.enable");
        await page.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = 1280, ["height"] = 900, ["deviceScaleFactor"] = 1, ["mobile"] = false });
        page.ClearEvents();
        await page.SendAsync("Page.navigate", new JsonObject { ["url"] = new Uri(html).AbsoluteUri });
        await page.WaitForEventAsync("Page.loadEventFired");

        var result = await page.SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = "JSON.stringify(Array.from(document.images).map(i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth, h: i.naturalHeight})))",
            ["returnByValue"] = true,
        });
        var images = JsonNode.Parse(result["result"]!["value"]!.GetValue<string>())!.AsArray();
        Assert.That(images.Count, Is.GreaterThanOrEqualTo(7), "the ansatz and at least one plot per claim");
        Assert.That(images.Select(i => i!["alt"]!.GetValue<string>()), Has.One.EqualTo("ansatz"), "the report shows the ansatz it trained");
        foreach (var image in images)
        {
            Assert.That(image!["ok"]!.GetValue<bool>(), Is.True, $"image {image["alt"]} did not load");
            Assert.That(image["w"]!.GetValue<int>(), Is.GreaterThan(100), $"image {image["alt"]} width");
        }

        var title = await page.SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = "document.title + '|' + document.body.innerText.length", ["returnByValue"] = true });
        string[] parts = title["result"]!["value"]!.GetValue<string>().Split('|');
        Assert.That(int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(500), "the page has text");

        var shot = await page.SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        byte[] png = Convert.FromBase64String(shot["data"]!.GetValue<string>());
        string shotPath = Path.Combine(_folder, "screenshot.png");
        await File.WriteAllBytesAsync(shotPath, png);
        var (w, h) = ReportFiles.PngSize(shotPath);
        Assert.That((w, h), Is.EqualTo((1280, 900)));
        Assert.That(png.Length, Is.GreaterThan(MinScreenshotBytes), "a blank page gives a tiny PNG");

        Assert.That(page.Errors, Is.Empty, "the page logged errors");
        TestContext.Out.WriteLine($"report.html in Chromium: {images.Count} images, all loaded; {parts[^1]} characters of text; screenshot {w} × {h}, {png.Length} bytes");
    }
}

/// <summary>Finds Debian's chromium, installing it with apt-get (as root) when it is missing.</summary>
internal static class ChromiumInstall
{
    private static readonly object Gate = new();

    public static string Ensure()
    {
        lock (Gate)
        {
            foreach (var path in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" })
                if (File.Exists(path)) return path;
            if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get"))
                Assert.Fail("headless Chromium is needed: install Debian's 'chromium' package (apt-get install chromium)");
            var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            var update = RepositoryTools.Run("apt-get", ["-o", "DPkg::Lock::Timeout=600", "update"], "/", TimeSpan.FromMinutes(10), env);
            var install = RepositoryTools.Run("apt-get", ["install", "-y", "-o", "DPkg::Lock::Timeout=600", "chromium"], "/", TimeSpan.FromMinutes(15), env);
            Assert.That(File.Exists("/usr/bin/chromium"), Is.True, $"apt-get install chromium failed (run the tests as root, or install it yourself):\n{update}\n{install}");
            return "/usr/bin/chromium";
        }
    }
}

/// <summary>A headless Chromium process and a minimal client of the Chrome DevTools protocol.</summary>
internal sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly int _port;

    private HeadlessChromium(Process process, string profile, int port)
    {
        _process = process;
        _profile = profile;
        _port = port;
    }

    /// <summary>Starts Chromium with the flags that work on a closed network as root (docs of the machine kind).</summary>
    public static async Task<HeadlessChromium> StartAsync(string executable)
    {
        string profile = Path.Combine(Path.GetTempPath(), "qnnsim-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var info = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank" })
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.StandardOutput.ReadToEndAsync().ContinueWith(_ => { }, TaskScheduler.Default).Ignore();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var line = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            if (line is null) break;
            var m = DevToolsLine().Match(line);
            if (m.Success)
            {
                process.StandardError.ReadToEndAsync().ContinueWith(_ => { }, TaskScheduler.Default).Ignore();
                return new HeadlessChromium(process, profile, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        try { process.Kill(true); } catch (InvalidOperationException) { }
        throw new InvalidOperationException("Chromium did not print its DevTools address");
    }

    [GeneratedRegex(@"DevTools listening on ws://[^:]+:(\d+)/")]
    private static partial Regex DevToolsLine();

    /// <summary>Opens a new page target and connects to it.</summary>
    public async Task<DevToolsPage> OpenPageAsync()
    {
        using var http = new HttpClient();
        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"http://127.0.0.1:{_port}/json/new?about:blank"));
        var target = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(target["webSocketDebuggerUrl"]!.GetValue<string>()), CancellationToken.None);
        return new DevToolsPage(socket);
    }

    public async ValueTask DisposeAsync()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
        _process.Dispose();
        try { Directory.Delete(_profile, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>One page's DevTools connection: commands with ids, events, and the errors the page reported.</summary>
internal sealed class DevToolsPage
{
    private readonly ClientWebSocket _socket;
    private readonly List<JsonNode> _events = [];
    private int _nextId;

    public DevToolsPage(ClientWebSocket socket) => _socket = socket;

    /// <summary>Console errors, uncaught exceptions and error log entries (failed loads among them) seen so far.</summary>
    public List<string> Errors { get; } = [];

    public async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        int id = ++_nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        while (true)
        {
            var reply = await ReceiveAsync();
            if (reply["id"]?.GetValue<int>() == id)
            {
                if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
                return reply["result"]!;
            }
        }
    }

    /// <summary>Forgets the events seen so far (call before the action whose event <see cref="WaitForEventAsync"/> awaits).</summary>
    public void ClearEvents() => _events.Clear();

    public async Task WaitForEventAsync(string method)
    {
        if (_events.Any(e => e["method"]?.GetValue<string>() == method)) return;
        while ((await ReceiveAsync())["method"]?.GetValue<string>() != method) { }
    }

    private async Task<JsonNode> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var buffer = new byte[1 << 16];
        using var ms = new MemoryStream();
        WebSocketReceiveResult r;
        do
        {
            r = await _socket.ReceiveAsync(buffer, cts.Token);
            ms.Write(buffer, 0, r.Count);
        } while (!r.EndOfMessage);
        var node = JsonNode.Parse(ms.ToArray())!;
        if (node["method"] is { } m)
        {
            _events.Add(node);
            string method = m.GetValue<string>();
            var p = node["params"];
            if (method == "Runtime.exceptionThrown") Errors.Add("exception: " + p!["exceptionDetails"]!.ToJsonString());
            else if (method == "Runtime.consoleAPICalled" && p!["type"]!.GetValue<string>() is "error" or "assert") Errors.Add("console: " + p["args"]!.ToJsonString());
            else if (method == "Log.entryAdded" && p!["entry"]!["level"]!.GetValue<string>() == "error") Errors.Add("log: " + p["entry"]!.ToJsonString());
        }
        return node;
    }
}

internal static class TaskExtensions
{
    /// <summary>Lets a background task run without awaiting it (its outcome is deliberately ignored).</summary>
    public static void Ignore(this Task task) => _ = task;
}
