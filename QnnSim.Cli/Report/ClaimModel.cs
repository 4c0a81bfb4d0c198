using System.Globalization;

namespace QnnSim.Cli.Report;

/// <summary>How much a reproduction runs: <see cref="Quick"/> (CI-length variants of docs/theory.md §5) or <see cref="Full"/>.</summary>
internal enum ReproduceMode { Quick, Full }

/// <summary>The verdict on one claim.</summary>
internal enum Verdict { Pass, Fail, NotRun }

/// <summary>Options of one reproduction.</summary>
internal sealed record ReproduceSettings(ReproduceMode Mode, ulong Seed, int Threads, string OutputDirectory)
{
    /// <summary>False when only the verdicts are wanted (<c>--seeds</c>): claims compute but write no CSV or plot.</summary>
    public bool WriteArtifacts { get; init; } = true;

    public bool Full => Mode == ReproduceMode.Full;
    public string ModeName => Mode == ReproduceMode.Full ? "full" : "quick";
}

/// <summary>A table of numbers written as CSV (one curve or a set of curves sharing an x column).</summary>
internal sealed record DataTable(string Name, string[] Columns, List<double[]> Rows)
{
    public DataTable(string name, params string[] columns) : this(name, columns, new List<double[]>()) { }
    public void Add(params double[] row) { Rows.Add(row); }
    public string FileName => Name + ".csv";
}

/// <summary>How a series is drawn.</summary>
internal enum SeriesStyle { Line, Markers, LineMarkers, Dashed, ErrorBars }

/// <summary>One series of a plot; <see cref="Errors"/> only for <see cref="SeriesStyle.ErrorBars"/>.</summary>
internal sealed record Series(string Label, double[] X, double[] Y, SeriesStyle Style = SeriesStyle.Line, double[]? Errors = null)
{
    /// <summary>Palette index; by default each series takes the next colour.</summary>
    public int? Colour { get; init; }
}

/// <summary>A plot to render as PNG and SVG.</summary>
internal sealed record PlotSpec(string Name, string Title, string XLabel, string YLabel, bool LogX, bool LogY, IReadOnlyList<Series> Series)
{
    public const int Width = 800, Height = 520;
    /// <summary>Optional vertical range in data units (on a log axis: the decades shown); curves leaving it are cut at the frame.</summary>
    public (double Min, double Max)? YRange { get; init; }
    /// <summary>Where the legend goes.</summary>
    public ScottPlot.Alignment Legend { get; init; } = ScottPlot.Alignment.UpperRight;
}

/// <summary>
/// One gated figure of a claim: the value, the band [Low, High] it must lie in, and what the band means statistically
/// (how many standard errors, or which theoretical bound it encodes).
/// </summary>
internal sealed record Gate(string Name, double Value, double Low, double High, string Meaning)
{
    /// <summary>
    /// The least value the figure can take by construction (0 for an absolute error, a maximum of absolute values, a
    /// count or a ratio of non-negative quantities; −∞ when unbounded). A band edge at or below it cannot be crossed, so
    /// the false-failure estimate of <c>reproduce --seeds</c> leaves it out.
    /// </summary>
    public double DomainLow { get; init; } = double.NegativeInfinity;

    /// <summary>The greatest value the figure can take by construction (+∞ when unbounded); see <see cref="DomainLow"/>.</summary>
    public double DomainHigh { get; init; } = double.PositiveInfinity;

    /// <summary>True when the value is finite and inside the band.</summary>
    public bool Pass => double.IsFinite(Value) && Value >= Low && Value <= High;

    /// <summary>Whether a value of the figure can fall below <see cref="Low"/> (the edge is finite and above <see cref="DomainLow"/>).</summary>
    public bool LowEdgeCrossable => double.IsFinite(Low) && Low > DomainLow;

    /// <summary>Whether a value of the figure can rise above <see cref="High"/> (the edge is finite and below <see cref="DomainHigh"/>).</summary>
    public bool HighEdgeCrossable => double.IsFinite(High) && High < DomainHigh;
}

/// <summary>A claim's outcome: measured beside predicted figures, the tolerance, the verdict and its files.</summary>
internal sealed class ClaimResult
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public Verdict Verdict { get; set; } = Verdict.NotRun;
    public Dictionary<string, object> Measured { get; } = new();
    public Dictionary<string, object> Predicted { get; } = new();
    public string Tolerance { get; set; } = "";
    public string Settings { get; set; } = "";
    public string Explanation { get; set; } = "";
    public List<string> Csv { get; } = new();
    public List<string> Plots { get; } = new();
    public List<string> Notes { get; } = new();
    public double Seconds { get; set; }

    /// <summary>The gated figures, in order; the first is the one <c>reproduce --seeds</c> plots against the seed.</summary>
    public List<Gate> Gates { get; } = new();

    /// <summary>
    /// Records a gated figure and returns whether it passes. <paramref name="domainLow"/> and <paramref name="domainHigh"/>
    /// give the range the figure can take by construction (for example 0 for an absolute error), so that an edge it
    /// cannot cross does not count in the false-failure estimate (<see cref="Gate.DomainLow"/>).
    /// </summary>
    public bool Check(string name, double value, double low, double high, string meaning,
        double domainLow = double.NegativeInfinity, double domainHigh = double.PositiveInfinity)
    {
        var gate = new Gate(name, value, low, high, meaning) { DomainLow = domainLow, DomainHigh = domainHigh };
        lock (Gates) Gates.Add(gate);
        return gate.Pass;
    }

    /// <summary>Sets the verdict from the gates: pass when every gate passes (and there is at least one).</summary>
    public void VerdictFromGates() => Verdict = Gates.Count > 0 && Gates.All(g => g.Pass) ? Verdict.Pass : Verdict.Fail;

    public static string VerdictText(Verdict v) => v switch { Verdict.Pass => "pass", Verdict.Fail => "fail", _ => "not run" };
    public static string VerdictKey(Verdict v) => v switch { Verdict.Pass => "pass", Verdict.Fail => "fail", _ => "not_run" };

    /// <summary>Formats a figure for tables: 4 significant digits.</summary>
    public static string Format(object value) => value switch
    {
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        double[] a => "[" + string.Join(", ", a.Select(x => x.ToString("G4", CultureInfo.InvariantCulture))) + "]",
        int[] a => "[" + string.Join(", ", a) + "]",
        bool b => b ? "yes" : "no",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>What a claim gets to run: settings, where to write, progress and cancellation.</summary>
internal sealed class ClaimContext(ReproduceSettings settings, ArtifactWriter writer, Action<long> progress, CancellationToken token)
{
    public ReproduceSettings Settings { get; } = settings;
    public ArtifactWriter Writer { get; } = writer;
    public CancellationToken Token { get; } = token;
    /// <summary>Reports finished work units (thread-safe).</summary>
    public void Advance(long units) => progress(units);
    public ParallelOptions Parallel => new() { MaxDegreeOfParallelism = Settings.Threads, CancellationToken = Token };
}

/// <summary>One claim of the reproduction.</summary>
internal interface IClaim
{
    string Id { get; }
    string Title { get; }
    /// <summary>Whether the claim belongs to this mode (default: every mode; a <c>--full</c>-only claim returns <c>settings.Full</c>).</summary>
    bool RunsIn(ReproduceSettings settings) => true;
    /// <summary>Work units (used for progress and time estimates) in this mode.</summary>
    long WorkUnits(ReproduceSettings settings);
    /// <summary>Runs the experiment, writes its CSV and plots through the context and fills the result.</summary>
    void Run(ClaimContext context, ClaimResult result);
}
