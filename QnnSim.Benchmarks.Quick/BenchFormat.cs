using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QnnSim.Benchmarks;

/// <summary>Text and JSON renderings of a <see cref="BenchReport"/>.</summary>
public static class BenchFormat
{
    private static string Time(double s) => s >= 1e-3 ? $"{s * 1e3:0.000} ms" : $"{s * 1e6:0.0} us";

    /// <summary>A plain fixed-width table, one line per row, with the machine line first.</summary>
    public static string Table(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine(ci, $"machine: {report.Machine}");
        sb.AppendLine(ci, $"bandwidth reference: {report.BandwidthGBps:0.0} GB/s (read + write){(report.Quick ? ", quick mode" : "")}");
        sb.AppendLine(ci, $"{"section",-10} {"name",-34} {"n",3} {"thr",3} {"median",12} {"min",12} {"thread cpu",12} {"ns/amp",8} {"GB/s",7} {"ratio",6}  target");
        foreach (var r in report.Rows)
        {
            string gb = r.GBps is double g ? g.ToString("0.0", ci) : "-";
            string ratio = r.BandwidthRatio is double x ? x.ToString("0.00", ci) : "-";
            string target = r.Target is null ? "" : r.TargetMet is null ? r.Target : $"{r.Target} {(r.TargetMet == true ? "met" : "NOT met")}";
            sb.AppendLine(ci, $"{r.Section,-10} {r.Name,-34} {r.Qubits,3} {r.Threads,3} {Time(r.MedianSeconds),12} {(r.MinSeconds is double mn ? Time(mn) : "-"),12} {(r.CpuSeconds is double cp ? Time(cp) : "-"),12} {r.NsPerAmplitude.ToString("0.000", ci),8} {gb,7} {ratio,6}  {target}");
        }
        return sb.ToString();
    }

    /// <summary>One JSON object: {"schema": "qnnsim.bench/1", "machine", "quick", "bandwidth_gb_per_s", "rows": [...]}, snake_case keys.</summary>
    public static string Json(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        options.Converters.Add(new NonFiniteAsNull());
        var root = new JsonObject
        {
            ["schema"] = "qnnsim.bench/1",
            ["machine"] = report.Machine,
            ["quick"] = report.Quick,
            ["bandwidth_gb_per_s"] = report.BandwidthGBps,
            ["rows"] = JsonSerializer.SerializeToNode(report.Rows, options),
        };
        return root.ToJsonString(options);
    }

    /// <summary>Writes a NaN or infinite figure (one that does not apply to a row) as null, which JSON can carry.</summary>
    private sealed class NonFiniteAsNull : System.Text.Json.Serialization.JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
