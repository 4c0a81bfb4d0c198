using System.Net;
using System.Text;
using System.Text.Json;

namespace QnnSim.Cli.Report;

/// <summary>
/// Writes summary.json, report.md and the self-contained report.html from the claim results, and provenance.json with
/// how the run went (threads, processors, wall-clock seconds). Everything but provenance.json depends only on the mode,
/// the seed and the claims run: two runs of the same seed give byte-identical files for any thread count.
/// </summary>
internal static class ReportWriter
{
    /// <summary>The schema tag of summary.json (version 2: the timing and thread count moved to provenance.json).</summary>
    public const string Schema = "qnnsim.reproduce/2";

    /// <summary>The schema tag of provenance.json.</summary>
    public const string ProvenanceSchema = "qnnsim.reproduce.provenance/1";

    /// <summary>The one file of a report that differs between two runs of the same seed.</summary>
    public const string ProvenanceFile = "provenance.json";

    public static void WriteAll(ReproduceSettings settings, IReadOnlyList<ClaimResult> claims, bool cancelled, double seconds)
    {
        var dir = settings.OutputDirectory;
        File.WriteAllText(Path.Combine(dir, AnsatzDiagram.SvgFile), AnsatzDiagram.Svg());
        File.WriteAllText(Path.Combine(dir, "summary.json"), SummaryJson(settings, claims, cancelled));
        File.WriteAllText(Path.Combine(dir, ProvenanceFile), ProvenanceJson(settings, claims, cancelled, seconds));
        File.WriteAllText(Path.Combine(dir, "report.md"), Markdown(settings, claims, cancelled));
        File.WriteAllText(Path.Combine(dir, "report.html"), Html(settings, claims, cancelled));
    }

    /// <summary>provenance.json: how the run went, which varies from run to run (the results are in summary.json).</summary>
    public static string ProvenanceJson(ReproduceSettings settings, IReadOnlyList<ClaimResult> claims, bool cancelled, double seconds)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("schema", ProvenanceSchema);
            w.WriteNumber("seed", settings.Seed);
            w.WriteString("mode", settings.ModeName);
            w.WriteNumber("threads", settings.Threads);
            w.WriteNumber("processors", Environment.ProcessorCount);
            w.WriteString("finished", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteBoolean("cancelled", cancelled);
            w.WriteNumber("seconds", Math.Round(seconds, 2));
            w.WriteStartArray("claims");
            foreach (var c in claims)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteNumber("seconds", Math.Round(c.Seconds, 2));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string SummaryJson(ReproduceSettings settings, IReadOnlyList<ClaimResult> claims, bool cancelled)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("schema", Schema);
            w.WriteNumber("seed", settings.Seed);
            w.WriteString("mode", settings.ModeName);
            w.WriteBoolean("cancelled", cancelled);
            w.WriteStartArray("claims");
            foreach (var c in claims)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("title", c.Title);
                w.WriteString("verdict", ClaimResult.VerdictKey(c.Verdict));
                w.WriteString("settings", c.Settings);
                w.WritePropertyName("measured"); WriteDictionary(w, c.Measured);
                w.WritePropertyName("predicted"); WriteDictionary(w, c.Predicted);
                w.WriteString("tolerance", c.Tolerance);
                w.WriteStartArray("gates");
                foreach (var g in c.Gates)
                {
                    w.WriteStartObject();
                    w.WriteString("name", g.Name);
                    w.WritePropertyName("value"); WriteValue(w, g.Value);
                    w.WritePropertyName("low"); WriteValue(w, g.Low);
                    w.WritePropertyName("high"); WriteValue(w, g.High);
                    w.WriteBoolean("pass", g.Pass);
                    w.WriteString("meaning", g.Meaning);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("csv"); foreach (var f in c.Csv) w.WriteStringValue(f); w.WriteEndArray();
                w.WriteStartArray("plots"); foreach (var f in c.Plots) w.WriteStringValue(f); w.WriteEndArray();
                w.WriteStartArray("notes"); foreach (var f in c.Notes) w.WriteStringValue(f); w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteDictionary(Utf8JsonWriter w, Dictionary<string, object> values)
    {
        w.WriteStartObject();
        foreach (var (key, value) in values)
        {
            w.WritePropertyName(key);
            WriteValue(w, value);
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object value)
    {
        switch (value)
        {
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case double: w.WriteNullValue(); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case bool b: w.WriteBooleanValue(b); break;
            case string s: w.WriteStringValue(s); break;
            case double[] a: w.WriteStartArray(); foreach (var x in a) WriteValue(w, x); w.WriteEndArray(); break;
            case int[] a: w.WriteStartArray(); foreach (var x in a) w.WriteNumberValue(x); w.WriteEndArray(); break;
            default: w.WriteStringValue(value.ToString()); break;
        }
    }

    private static string Header(ReproduceSettings s, bool cancelled) =>
        $"mode {s.ModeName}, seed {s.Seed}" + (cancelled ? ", CANCELLED (unfinished claims are marked not run)" : "") +
        $" (threads and timing: {ProvenanceFile}; every other file of the report is the same for the same seed on any number of threads)";

    private const string Citation = "You, Chakrabarti, Chen, Wu, \"Analyzing Convergence in Quantum Neural Networks: Deviations from Neural Tangent Kernels\" (ICML 2023, arXiv:2303.14844), with the diagnostics of Scala et al. (arXiv:2503.01966).";

    public static string Markdown(ReproduceSettings settings, IReadOnlyList<ClaimResult> claims, bool cancelled)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# QnnSim reproduction report");
        sb.AppendLine();
        sb.AppendLine(Citation + " Predictions and tolerances: docs/theory.md (§3 the theory, §5 the checks and their finite-p allowances, §6 what reproduce gates and how robustly).");
        sb.AppendLine();
        sb.AppendLine(Header(settings, cancelled));
        sb.AppendLine();
        sb.AppendLine(AnsatzDiagram.Caption);
        sb.AppendLine();
        sb.AppendLine($"![ansatz]({AnsatzDiagram.SvgFile})");
        sb.AppendLine();
        sb.AppendLine("```text");
        sb.Append(AnsatzDiagram.Text());
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine("| # | claim | verdict |");
        sb.AppendLine("|---|---|---|");
        foreach (var c in claims) sb.AppendLine($"| {c.Id} | {c.Title} | **{ClaimResult.VerdictText(c.Verdict)}** |");
        foreach (var c in claims)
        {
            sb.AppendLine();
            sb.AppendLine($"## {c.Id}. {c.Title}: {ClaimResult.VerdictText(c.Verdict)}");
            sb.AppendLine();
            if (c.Explanation.Length > 0) { sb.AppendLine(c.Explanation); sb.AppendLine(); }
            if (c.Settings.Length > 0) { sb.AppendLine($"Settings: {c.Settings}"); sb.AppendLine(); }
            if (c.Verdict == Verdict.NotRun) { sb.AppendLine("Not run."); continue; }
            sb.AppendLine("| figure | measured | predicted |");
            sb.AppendLine("|---|---|---|");
            foreach (var (k, m, p) in Rows(c)) sb.AppendLine($"| {k} | {m} | {p} |");
            sb.AppendLine();
            sb.AppendLine($"Tolerance: {c.Tolerance}");
            if (c.Gates.Count > 0)
            {
                sb.AppendLine();
                sb.AppendLine("| gated figure | value | band | pass | what the band means |");
                sb.AppendLine("|---|---|---|---|---|");
                foreach (var g in c.Gates) sb.AppendLine($"| {g.Name} | {ClaimResult.Format(g.Value)} | [{ClaimResult.Format(g.Low)}, {ClaimResult.Format(g.High)}] | {(g.Pass ? "yes" : "**no**")} | {g.Meaning} |");
            }
            foreach (var n in c.Notes) { sb.AppendLine(); sb.AppendLine($"Note: {n}"); }
            sb.AppendLine();
            foreach (var p in c.Plots) sb.AppendLine($"![{p}]({p})");
            sb.AppendLine();
            sb.AppendLine("Data: " + string.Join(", ", c.Csv.Select(f => $"[{f}]({f})")));
        }
        return sb.ToString();
    }

    /// <summary>Measured and predicted figures side by side, keyed by name (a key only one side has shows "–").</summary>
    public static IEnumerable<(string Key, string Measured, string Predicted)> Rows(ClaimResult c)
    {
        var keys = c.Measured.Keys.Concat(c.Predicted.Keys.Where(k => !c.Measured.ContainsKey(k)));
        foreach (var k in keys)
            yield return (k,
                c.Measured.TryGetValue(k, out var m) ? ClaimResult.Format(m) : "–",
                c.Predicted.TryGetValue(k, out var p) ? ClaimResult.Format(p) : "–");
    }

    public static string Html(ReproduceSettings settings, IReadOnlyList<ClaimResult> claims, bool cancelled)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>QnnSim reproduction report</title>");
        sb.AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.45}" +
                      "table{border-collapse:collapse;margin:0.6em 0}td,th{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left}" +
                      ".pass{color:#17803d;font-weight:bold}.fail{color:#c0392b;font-weight:bold}.not_run{color:#777;font-weight:bold}" +
                      "img{max-width:100%;border:1px solid #eee;margin:0.4em 0}code{background:#f4f4f4}</style></head><body>");
        sb.AppendLine("<h1>QnnSim reproduction report</h1>");
        sb.AppendLine($"<p>{E(Citation)} Predictions and tolerances follow docs/theory.md (§3 the theory, §5 the checks and their finite-p allowances, §6 what reproduce gates and how robustly).</p>");
        sb.AppendLine($"<p>{E(Header(settings, cancelled))}</p>");
        sb.AppendLine($"<figure><img alt=\"ansatz\" src=\"data:image/svg+xml;base64,{Convert.ToBase64String(Encoding.UTF8.GetBytes(AnsatzDiagram.Svg()))}\"><figcaption>{E(AnsatzDiagram.Caption)}</figcaption></figure>");
        sb.AppendLine("<table><tr><th>#</th><th>claim</th><th>verdict</th></tr>");
        foreach (var c in claims)
            sb.AppendLine($"<tr><td>{E(c.Id)}</td><td><a href=\"#claim-{E(c.Id)}\">{E(c.Title)}</a></td><td class=\"{ClaimResult.VerdictKey(c.Verdict)}\">{ClaimResult.VerdictText(c.Verdict)}</td></tr>");
        sb.AppendLine("</table>");
        foreach (var c in claims)
        {
            sb.AppendLine($"<h2 id=\"claim-{E(c.Id)}\">{E(c.Id)}. {E(c.Title)}: <span class=\"{ClaimResult.VerdictKey(c.Verdict)}\">{ClaimResult.VerdictText(c.Verdict)}</span></h2>");
            if (c.Explanation.Length > 0) sb.AppendLine($"<p>{E(c.Explanation)}</p>");
            if (c.Settings.Length > 0) sb.AppendLine($"<p>Settings: {E(c.Settings)}</p>");
            if (c.Verdict == Verdict.NotRun) { sb.AppendLine("<p>Not run.</p>"); continue; }
            sb.AppendLine("<table><tr><th>figure</th><th>measured</th><th>predicted</th></tr>");
            foreach (var (k, m, p) in Rows(c)) sb.AppendLine($"<tr><td><code>{E(k)}</code></td><td>{E(m)}</td><td>{E(p)}</td></tr>");
            sb.AppendLine("</table>");
            sb.AppendLine($"<p>Tolerance: {E(c.Tolerance)}</p>");
            if (c.Gates.Count > 0)
            {
                sb.AppendLine("<table><tr><th>gated figure</th><th>value</th><th>band</th><th>pass</th><th>what the band means</th></tr>");
                foreach (var g in c.Gates)
                    sb.AppendLine($"<tr><td><code>{E(g.Name)}</code></td><td>{E(ClaimResult.Format(g.Value))}</td><td>[{E(ClaimResult.Format(g.Low))}, {E(ClaimResult.Format(g.High))}]</td><td class=\"{(g.Pass ? "pass" : "fail")}\">{(g.Pass ? "yes" : "no")}</td><td>{E(g.Meaning)}</td></tr>");
                sb.AppendLine("</table>");
            }
            foreach (var n in c.Notes) sb.AppendLine($"<p><i>Note:</i> {E(n)}</p>");
            foreach (var p in c.Plots)
            {
                var path = Path.Combine(settings.OutputDirectory, p);
                if (!File.Exists(path)) continue;
                sb.AppendLine($"<img alt=\"{E(p)}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\">");
            }
            sb.AppendLine("<p>Data: " + string.Join(", ", c.Csv.Select(f => $"<a href=\"{E(f)}\">{E(f)}</a>")) + "</p>");
        }
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }
}
