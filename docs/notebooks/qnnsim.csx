// The QnnSim prelude for the notebooks in this folder: `#load "qnnsim.csx"` in a notebook's first cell.
// It references the assemblies that `dotnet build -c Release` puts in QnnSim.Cli/bin/Release/net10.0 (relative to
// this folder, which is the kernel's working directory in VS Code and in the tests), lets SkiaSharp find its native
// library there, and registers inline formatters: a Circuit shows as its SVG diagram, a ScottPlot Plot as SVG.
#r "../../QnnSim.Cli/bin/Release/net10.0/System.Numerics.Tensors.dll"
#r "../../QnnSim.Cli/bin/Release/net10.0/MathNet.Numerics.dll"
#r "../../QnnSim.Cli/bin/Release/net10.0/QnnSim.dll"
#r "../../QnnSim.Cli/bin/Release/net10.0/QnnSim.Analysis.dll"
#r "../../QnnSim.Cli/bin/Release/net10.0/SkiaSharp.dll"
#r "../../QnnSim.Cli/bin/Release/net10.0/HarfBuzzSharp.dll"
#r "../../QnnSim.Cli/bin/Release/net10.0/SkiaSharp.HarfBuzz.dll"
#r "../../QnnSim.Cli/bin/Release/net10.0/ScottPlot.dll"

using System.IO;
using System.Runtime.InteropServices;
using Microsoft.DotNet.Interactive.Formatting;

static class QnnSimNotebook
{
    /// <summary>The folder of the referenced QnnSim assemblies.</summary>
    public static string BinFolder { get; } = Path.GetFullPath("../../QnnSim.Cli/bin/Release/net10.0");

    /// <summary>SkiaSharp and HarfBuzzSharp look for their native libraries beside the host; point them at runtimes/RID/native.</summary>
    public static void ResolveNativeLibraries()
    {
        string rid = (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string folder = Path.Combine(BinFolder, "runtimes", OperatingSystem.IsMacOS() ? "osx" : rid, "native");
        foreach (var assembly in new[] { typeof(SkiaSharp.SKCanvas).Assembly, typeof(HarfBuzzSharp.Blob).Assembly })
        {
            try
            {
                NativeLibrary.SetDllImportResolver(assembly, (name, _, _) =>
                {
                    foreach (var file in Directory.Exists(folder) ? Directory.GetFiles(folder) : [])
                        if (Path.GetFileName(file).Contains(name, StringComparison.OrdinalIgnoreCase)) return NativeLibrary.Load(file);
                    return IntPtr.Zero;
                });
            }
            catch (InvalidOperationException) { } // already set by an earlier run of this cell
        }
    }
}

QnnSimNotebook.ResolveNativeLibraries();
Formatter.Register<QnnSim.Circuits.Circuit>(c => QnnSim.Drawing.CircuitDiagram.ToSvg(c), "text/html");
Formatter.Register<ScottPlot.Plot>(p => p.GetSvgXml(640, 400), "text/html");
