using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace QnnSim.Tests.Report;

/// <summary>Reading back what the report wrote: CSV columns, PNG headers, summary.json.</summary>
internal static class ReportFiles
{
    /// <summary>Reads a CSV written by the report into named columns.</summary>
    /// <remarks>With <paramref name="numericOnly"/> false, a cell that is not a number reads as NaN.</remarks>
    public static Dictionary<string, double[]> Csv(string path, bool numericOnly = true)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        double Cell(string x) => numericOnly ? double.Parse(x, CultureInfo.InvariantCulture)
            : double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(Cell).ToArray()).ToArray();
        return header.Select((h, i) => (h, rows.Select(r => r[i]).ToArray())).ToDictionary(t => t.h, t => t.Item2);
    }

    /// <summary>Width and height from a PNG's IHDR chunk (after the 8-byte signature, a 4-byte length and the tag "IHDR").</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.That(bytes.Take(8), Is.EqualTo(signature), $"{path} is not a PNG");
        Assert.That(System.Text.Encoding.ASCII.GetString(bytes, 12, 4), Is.EqualTo("IHDR"));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    public static JsonElement Summary(string folder)
    {
        string text = File.ReadAllText(Path.Combine(folder, "summary.json"));
        QnnSim.Tests.Docs.JsonSchemas.AssertValid(text);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static JsonElement Claim(JsonElement summary, string id) =>
        summary.GetProperty("claims").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    public static double Measured(JsonElement claim, string key) => claim.GetProperty("measured").GetProperty(key).GetDouble();

    /// <summary>Ordinary least-squares slope, written out again so the test does not share code with the report.</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxx = 0, sxy = 0;
        for (int i = 0; i < x.Count; i++) { sxx += (x[i] - mx) * (x[i] - mx); sxy += (x[i] - mx) * (y[i] - my); }
        return sxy / sxx;
    }

    public static string NewFolder(string prefix)
    {
        var folder = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void Delete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
