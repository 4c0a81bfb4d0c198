using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using QnnSim.Randomness;

namespace QnnSim.Tests.Fuzzing;

/// <summary>One input that broke the invariant: what escaped (or how long it took) and the text.</summary>
public sealed record FuzzFailure(string Target, string Reason, string Input);

/// <summary>What a fuzzing run did: inputs read, wall time, and the CPU time of the fuzzing thread (zero where the
/// platform does not report it), which shows how much of the wall time the run really got on a loaded machine.</summary>
public sealed record FuzzReport(string Target, long Inputs, long Accepted, long Refused, TimeSpan Elapsed, TimeSpan CpuTime, IReadOnlyList<FuzzFailure> Failures);

/// <summary>
/// A structure-aware mutation fuzzer. Inputs come from a seed corpus through edits that keep or break the structure
/// on purpose: character edits, dictionary fragments, duplicated and deleted runs and lines, splices of two corpus
/// texts, and amplification (one fragment or run repeated up to 2^15 times) that reaches the depth and length
/// limits of a reader. Texts the reader accepts join the corpus (bounded), so later mutants go deeper. The
/// invariant: the reader returns or throws one of its documented exceptions, within <see cref="PerInputLimit"/>.
/// Runs on a thread with a 1 MiB stack (smaller than the 1.5 MiB of .NET's secondary threads and the 8 MiB main
/// thread), so an input that comes near the stack's end in the CLI is found here first; a stack overflow still
/// ends the process, and the long runner writes each input longer than 2 KB to disk first so that it is not lost.
/// </summary>
public sealed class Fuzzer(FuzzTarget target, ulong seed)
{
    /// <summary>The longest input the mutator builds (characters).</summary>
    public const int MaxInputLength = 1 << 18;

    /// <summary>The longest corpus the run keeps.</summary>
    public const int MaxCorpus = 512;

    /// <summary>An input that takes longer than this to read is a failure (a reader must not hang). Measured in CPU
    /// time of the reading thread where the platform reports it (Linux), so that a loaded machine or readers fuzzed in
    /// parallel do not turn a slow share of the processor into a failure; otherwise in wall time.</summary>
    public TimeSpan PerInputLimit { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>When set, every input longer than 2 KB is written here before it is read (kept if the process dies).</summary>
    public string? InFlightFile { get; init; }

    private readonly SeededRandom _rng = new(seed);
    private readonly List<string> _corpus = [.. target.Seeds];

    /// <summary>Checks one input against the invariant; null when it holds.</summary>
    public static FuzzFailure? Check(FuzzTarget target, string input, TimeSpan limit, out bool accepted)
    {
        accepted = false;
        var clock = Stopwatch.StartNew();
        TimeSpan? cpuStart = ThreadCpuTime.Now();
        string? reason = null;
        try
        {
            target.Read(input);
            accepted = true;
        }
        catch (Exception e) when (target.IsDocumented(e))
        {
        }
        catch (Exception e)
        {
            reason = $"{e.GetType().FullName} escaped: {e}";
        }
        TimeSpan spent = ThreadCpuTime.Now() - cpuStart ?? clock.Elapsed;
        if (reason is null && spent > limit)
            reason = $"took {spent.TotalSeconds:F1} s of {(cpuStart is null ? "wall" : "CPU")} time (limit {limit.TotalSeconds:F1} s)";
        return reason is null ? null : new FuzzFailure(target.Name, reason, input);
    }

    /// <summary>Runs until <paramref name="budget"/> has passed or <paramref name="maxInputs"/> inputs were read, on a 1 MiB stack.</summary>
    public FuzzReport Run(TimeSpan budget, long maxInputs)
    {
        FuzzReport? report = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { report = RunHere(budget, maxInputs); }
            catch (Exception e) { error = e; }
        }, 1 << 20);
        thread.Start();
        thread.Join();
        if (error is not null) throw new InvalidOperationException("the fuzzer itself failed", error);
        return report!;
    }

    private FuzzReport RunHere(TimeSpan budget, long maxInputs)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan cpuStart = ThreadCpuTime.Now() ?? TimeSpan.Zero;
        var failures = new List<FuzzFailure>();
        long inputs = 0, accepted = 0;
        // The seeds themselves first, then mutants.
        foreach (var s in target.Seeds)
        {
            Record(Check(target, s, PerInputLimit, out bool ok), failures);
            inputs++;
            if (ok) accepted++;
        }
        while (clock.Elapsed < budget && inputs < maxInputs && failures.Count < 20)
        {
            string input = Mutate(_corpus[(int)_rng.NextInt64(_corpus.Count)]);
            if (InFlightFile is not null && input.Length > 2048) File.WriteAllText(InFlightFile, input);
            var failure = Check(target, input, PerInputLimit, out bool ok);
            inputs++;
            if (ok)
            {
                accepted++;
                if (input.Length <= 1 << 14)
                {
                    if (_corpus.Count < MaxCorpus) _corpus.Add(input);
                    else _corpus[target.Seeds.Count + (int)_rng.NextInt64(MaxCorpus - target.Seeds.Count)] = input;
                }
            }
            Record(failure, failures);
        }
        TimeSpan cpu = ThreadCpuTime.Now() is { } end ? end - cpuStart : TimeSpan.Zero;
        return new FuzzReport(target.Name, inputs, accepted, inputs - accepted - failures.Count, clock.Elapsed, cpu, failures);
    }

    private static void Record(FuzzFailure? failure, List<FuzzFailure> failures)
    {
        if (failure is not null) failures.Add(failure);
    }

    /// <summary>One to four edits of <paramref name="text"/>.</summary>
    public string Mutate(string text)
    {
        var sb = new StringBuilder(text);
        int edits = 1 + (int)_rng.NextInt64(4);
        for (int e = 0; e < edits && sb.Length < MaxInputLength; e++) Edit(sb);
        if (sb.Length > MaxInputLength) sb.Length = MaxInputLength;
        return sb.ToString();
    }

    private const string Structural = " \n;,()[]{}@-+*/=.0123456789\"'#:";

    private int Pos(StringBuilder sb) => sb.Length == 0 ? 0 : (int)_rng.NextInt64(sb.Length + 1);

    private string Fragment() => target.Fragments.Count == 0 ? "x" : target.Fragments[(int)_rng.NextInt64(target.Fragments.Count)];

    private void Edit(StringBuilder sb)
    {
        int pos = Pos(sb);
        switch (_rng.NextInt64(10))
        {
            case 0 when sb.Length > 0: // delete a character
                sb.Remove(Math.Min(pos, sb.Length - 1), 1);
                break;
            case 1: // insert a printable, control or non-ASCII character
                sb.Insert(pos, (char)(_rng.NextInt64(3) switch { 0 => 32 + _rng.NextInt64(95), 1 => _rng.NextInt64(32), _ => _rng.NextInt64(0xD800) }));
                break;
            case 2 when sb.Length > 0: // replace a character by a structural one
                sb[Math.Min(pos, sb.Length - 1)] = Structural[(int)_rng.NextInt64(Structural.Length)];
                break;
            case 3: // a dictionary fragment
            case 4:
                sb.Insert(pos, Fragment());
                break;
            case 5 when sb.Length > 0: // delete a run
                sb.Remove(Math.Min(pos, sb.Length - 1), Math.Min(sb.Length - Math.Min(pos, sb.Length - 1), 1 + (int)_rng.NextInt64(24)));
                break;
            case 6 when sb.Length > 0: // duplicate a run or a whole line
            {
                int start = Math.Min(pos, sb.Length - 1);
                int len = Math.Min(sb.Length - start, 1 + (int)_rng.NextInt64(80));
                if (_rng.NextInt64(2) == 0)
                {
                    string s = sb.ToString();
                    int lineStart = s.LastIndexOf('\n', start) + 1;
                    int lineEnd = s.IndexOf('\n', start);
                    (start, len) = (lineStart, (lineEnd < 0 ? s.Length : lineEnd + 1) - lineStart);
                }
                sb.Insert(start, sb.ToString(start, len));
                break;
            }
            case 7: // amplification: a fragment or a short run repeated 2^k times (chains, nesting, modifier runs)
            {
                string unit = sb.Length > 0 && _rng.NextInt64(2) == 0
                    ? sb.ToString(Math.Min(pos, sb.Length - 1), Math.Min(sb.Length - Math.Min(pos, sb.Length - 1), 1 + (int)_rng.NextInt64(8)))
                    : Fragment();
                int times = 1 << (int)(1 + _rng.NextInt64(15));
                times = Math.Max(1, Math.Min(times, (MaxInputLength - sb.Length) / Math.Max(1, unit.Length)));
                sb.Insert(pos, string.Concat(Enumerable.Repeat(unit, times)));
                break;
            }
            case 8: // splice: a piece of another corpus text
            {
                string other = _corpus[(int)_rng.NextInt64(_corpus.Count)];
                if (other.Length == 0) break;
                int start = (int)_rng.NextInt64(other.Length);
                sb.Insert(pos, other.AsSpan(start, Math.Min(other.Length - start, 1 + (int)_rng.NextInt64(200))));
                break;
            }
            default: // a number at its edges
                sb.Insert(pos, _rng.NextInt64(8) switch
                {
                    0 => "1e308", 1 => "-1e308", 2 => "1e999", 3 => "NaN", 4 => "Infinity", 5 => "2147483648",
                    6 => "99999999999999999999999", _ => "4.9e-324",
                });
                break;
        }
    }
}

/// <summary>The CPU time the calling thread has used (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>); null elsewhere.</summary>
internal static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    private static readonly bool s_available = OperatingSystem.IsLinux() && Probe();

    /// <summary>The calling thread's CPU time so far, or null where the platform does not report it.</summary>
    public static TimeSpan? Now() => s_available && clock_gettime(ClockThreadCpuTimeId, out var t) == 0
        ? TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100)
        : null;

    private static bool Probe()
    {
        try { return clock_gettime(ClockThreadCpuTimeId, out _) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}
