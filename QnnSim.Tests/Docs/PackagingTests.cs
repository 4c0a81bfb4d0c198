using System.IO.Compression;
using System.Reflection.Metadata;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Simulation;

namespace QnnSim.Tests.Docs;

/// <summary>
/// Packs QnnSim, QnnSim.Analysis and the qnnsim tool from a copy of the repository into a local folder, then, as a
/// user would: a fresh console project adds QnnSim and QnnSim.Analysis from that folder and runs the README's library
/// example, and the tool is installed from it and run. Also checks the packages' contents: package README, XML docs,
/// symbols with source paths mapped for deterministic builds, and a tool package for this platform under 40 MiB with
/// no BenchmarkDotNet, Roslyn or TraceEvent. Takes one to two minutes on two cores.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class PackagingTests
{
    /// <summary>The issue's cap on the tool package a linux-x64 user downloads.</summary>
    private const long MaxToolPackageBytes = 40L << 20;

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    private string _work = "", _feed = "", _version = "", _rid = "";

    [OneTimeSetUp]
    public void Pack()
    {
        string root = RepositoryTools.Root;
        _work = Path.Combine(Path.GetTempPath(), "qnnsim-pack-" + Guid.NewGuid().ToString("N"));
        _feed = Path.Combine(_work, "feed");
        // A version of its own, so no earlier package of the same version in the NuGet cache is used.
        _version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        _rid = RuntimeInformation.RuntimeIdentifier;
        string src = Path.Combine(_work, "src");
        CopySources(root, src);
        foreach (var project in new[] { "QnnSim/QnnSim.csproj", "QnnSim.Analysis/QnnSim.Analysis.csproj", "QnnSim.Cli/QnnSim.Cli.csproj" })
        {
            var pack = RepositoryTools.Run("dotnet", ["pack", project, "-c", "Release", "-o", _feed, $"-p:Version={_version}",
                $"-p:ToolPackageRuntimeIdentifiers={_rid}", "-p:QnnSimNodeExecutable=qnnsim-no-node"], src, StepTimeout);
            Assert.That(pack.ExitCode, Is.Zero, $"dotnet pack {project}: {pack}");
        }
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        try { Directory.Delete(_work, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "qnnsim", "qnnsim.analysis", "qnnsim.cli", $"qnnsim.cli.{_rid}" })
        {
            try { Directory.Delete(Path.Combine(cache, id, _version), true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The tracked sources, without build outputs, node_modules or git metadata.</summary>
    private static void CopySources(string from, string to)
    {
        var skip = new HashSet<string>(StringComparer.Ordinal) { "bin", "obj", "node_modules", ".git", "TestResults", "qnnsim-report", "BenchmarkDotNet.Artifacts" };
        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            if (skip.Contains(Path.GetFileName(dir))) continue;
            CopySources(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    private string PackageFile(string id, string extension = "nupkg") => Path.Combine(_feed, $"{id}.{_version}.{extension}");

    [TestCase("QnnSim")]
    [TestCase("QnnSim.Analysis")]
    public void LibraryPackage_HasReadmeXmlDocsAndMappedSymbols(string id)
    {
        using (var nupkg = ZipFile.OpenRead(PackageFile(id)))
        {
            var names = nupkg.Entries.Select(e => e.FullName).ToList();
            Assert.That(names, Does.Contain($"lib/net10.0/{id}.dll").And.Contain($"lib/net10.0/{id}.xml").And.Contain("README.md"));
            using var nuspec = new StreamReader(nupkg.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            Assert.That(nuspec.ReadToEnd(), Does.Contain("<readme>README.md</readme>"));
        }
        using var snupkg = ZipFile.OpenRead(PackageFile(id, "snupkg"));
        var pdb = snupkg.Entries.Single(e => e.FullName == $"lib/net10.0/{id}.pdb");
        using var stream = new MemoryStream();
        using (var s = pdb.Open()) s.CopyTo(stream);
        stream.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        var reader = provider.GetMetadataReader();
        var documents = reader.Documents.Select(h => reader.GetString(reader.GetDocument(h).Name)).Where(n => n.EndsWith(".cs", StringComparison.Ordinal)).ToList();
        Assert.That(documents, Is.Not.Empty);
        Assert.That(documents, Has.All.StartWith("/_/"), "deterministic build: source paths mapped to /_/ (ContinuousIntegrationBuild)");
    }

    [Test]
    public void ToolPackage_ForThisPlatform_IsSmallAndHasNoBenchmarkDotNet()
    {
        string file = PackageFile($"QnnSim.Cli.{_rid}");
        long bytes = new FileInfo(file).Length;
        TestContext.Out.WriteLine($"{Path.GetFileName(file)}: {bytes} bytes ({bytes / 1048576.0:F1} MiB)");
        Assert.That(bytes, Is.LessThan(MaxToolPackageBytes));
        using var zip = ZipFile.OpenRead(file);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.That(names.Where(n => BannedAssembly().IsMatch(n)), Is.Empty, "BenchmarkDotNet, Roslyn and TraceEvent stay out of the tool");
        Assert.That(names.Where(n => n.Contains("/runtimes/", StringComparison.Ordinal)), Is.Empty, "native libraries of this platform only, flattened");
        Assert.That(names, Has.Some.Contains("QnnSim.Benchmarks.Quick.dll"), "the quick bench runner behind qnnsim bench");
    }

    [GeneratedRegex(@"BenchmarkDotNet|Microsoft\.CodeAnalysis|TraceEvent|Perfolizer|Iced\.dll|msdia140")]
    private static partial Regex BannedAssembly();

    [Test]
    public void FreshConsoleProject_AddsLibrariesFromFolderAndRunsReadmeExample()
    {
        string app = Path.Combine(_work, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="qnnsim-local" value="{_feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="QnnSim" Version="{_version}" />
                <PackageReference Include="QnnSim.Analysis" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        string example = ReadmeLibraryExample();
        File.WriteAllText(Path.Combine(app, "Program.cs"), example + """

            var kernel = QnnSim.Analysis.TangentKernel.FromJacobian(gradient, 1, circuit.ParameterCount);
            Console.WriteLine(FormattableString.Invariant($"value={value:R} g0={gradient[0]:R} g1={gradient[1]:R} k={kernel[0, 0]:R}"));
            """);
        var run = RepositoryTools.Run("dotnet", ["run", "-c", "Release"], app, StepTimeout);
        Assert.That(run.ExitCode, Is.Zero, "dotnet run of the README example: " + run);

        var b = new CircuitBuilder(2);
        var x = b.Input("x");
        var theta = b.Parameters("theta", 2);
        b.Ry(0, x).Ry(1, x).CX(0, 1).Ry(0, theta[0]).Ry(1, theta[1]);
        var circuit = b.Build();
        var observable = PauliSum.Parse("Z0 + 0.5*X0 X1");
        var gradient = new double[2];
        double value = new Differentiator().ValueAndGradient(circuit, ParameterValues.Of(0.1, 0.2), InputValues.Of(0.5), observable, gradient);
        string expected = FormattableString.Invariant($"value={value:R} g0={gradient[0]:R} g1={gradient[1]:R} k={gradient[0] * gradient[0] + gradient[1] * gradient[1]:R}");
        Assert.That(run.Output.Trim(), Is.EqualTo(expected));
    }

    /// <summary>The C# block under "A short library example" in README.md.</summary>
    private static string ReadmeLibraryExample()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryTools.Root, "README.md"));
        var m = Regex.Match(readme, @"## A short library example\s+```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.That(m.Success, Is.True, "README.md has no library example block");
        return m.Groups[1].Value;
    }

    [Test]
    public void Tool_InstallsFromFolderAndRuns()
    {
        string tools = Path.Combine(_work, "tools");
        var install = RepositoryTools.Run("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", _feed, "QnnSim.Cli", "--version", _version], _work, StepTimeout);
        Assert.That(install.ExitCode, Is.Zero, "dotnet tool install: " + install);
        string exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "qnnsim.exe" : "qnnsim");
        string circuit = Path.Combine(RepositoryTools.Root, "circuits", "with_measurements.qasm");
        var draw = RepositoryTools.Run(exe, ["draw", circuit, "--width", "60"], _work, StepTimeout);
        Assert.That(draw.ExitCode, Is.Zero, draw.ToString());
        Assert.That(draw.Output, Does.Contain("q2: ").And.Contain("┤ M ├"));
        var runJson = RepositoryTools.Run(exe, ["run", Path.Combine(RepositoryTools.Root, "circuits", "hardware_efficient.qasm"), "--observable", "Z0", "--json"], _work, StepTimeout);
        Assert.That(runJson.ExitCode, Is.Zero, runJson.ToString());
        var circuitObject = QnnSim.Interop.CircuitFiles.Load(Path.Combine(RepositoryTools.Root, "circuits", "hardware_efficient.qasm"));
        var sim = new Simulator();
        double expected = sim.Expectation(sim.Run(circuitObject, ParameterValues.Of(), InputValues.Of()), PauliSum.Parse("Z0"));
        using var doc = System.Text.Json.JsonDocument.Parse(runJson.Output);
        Assert.That(doc.RootElement.GetProperty("expectations")[0].GetProperty("value").GetDouble(), Is.EqualTo(expected).Within(1e-15));
    }
}
