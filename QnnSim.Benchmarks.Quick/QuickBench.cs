using System.Diagnostics;
using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using QnnSim.Simulation;

namespace QnnSim.Benchmarks;

/// <summary>
/// One section of the quick in-process benchmark. Implementations are discovered by reflection (any public or
/// internal non-abstract class with a parameterless constructor in a loaded assembly that references
/// QnnSim.Benchmarks.Quick), so a new section is one new file (in QnnSim.Benchmarks.Quick for `qnnsim bench`; sections in QnnSim.Benchmarks run only from that project).
/// </summary>
public interface IBenchSection
{
    /// <summary>Short name of the section ("gates", "ansatz", ...).</summary>
    string Name { get; }

    /// <summary>Position in the report (lower first).</summary>
    int Order => 100;

    /// <summary>Runs the section and returns its rows.</summary>
    /// <param name="context">Quick/full mode, simulation options and the in-run bandwidth reference.</param>
    IEnumerable<BenchRow> Run(BenchContext context);
}

/// <summary>What every section receives.</summary>
/// <param name="Quick">Fewer repetitions (seconds instead of minutes).</param>
/// <param name="Options">Simulation options for the multi-threaded rows (sections state the threads of each row).</param>
/// <param name="BandwidthGBps">The in-run memory-bandwidth reference (read + write bytes per second / 1e9).</param>
public sealed record BenchContext(bool Quick, SimulationOptions Options, double BandwidthGBps);

/// <summary>One measured figure.</summary>
/// <param name="Section">The section that produced it.</param>
/// <param name="Name">What was measured.</param>
/// <param name="Qubits">State size n (2^n amplitudes).</param>
/// <param name="Threads">Threads the simulator was allowed.</param>
/// <param name="MedianSeconds">Median time of one operation over the repetitions.</param>
/// <param name="NsPerAmplitude">Median time per amplitude per pass over the state, in nanoseconds.</param>
/// <param name="GBps">Effective bandwidth, counting one read and one write of the whole state per pass (null when
/// not meaningful).</param>
/// <param name="BandwidthRatio">GBps divided by the in-run bandwidth reference (null when GBps is null).</param>
/// <param name="Target">The target figure, as text (null if none).</param>
/// <param name="TargetMet">Whether the target is met (null if none).</param>
/// <param name="MinSeconds">Fastest repetition (the least disturbed by other processes on a shared machine).</param>
/// <param name="CpuSeconds">Median thread CPU time per operation, for single-threaded rows (excludes preemption).</param>
public sealed record BenchRow(string Section, string Name, int Qubits, int Threads, double MedianSeconds, double NsPerAmplitude,
    [property: System.Text.Json.Serialization.JsonPropertyName("gb_per_s")] double? GBps, double? BandwidthRatio,
    string? Target = null, bool? TargetMet = null, double? MinSeconds = null, double? CpuSeconds = null);

/// <summary>A complete quick-benchmark report.</summary>
/// <param name="Machine">Processor count, SIMD width and runtime.</param>
/// <param name="Quick">Whether the quick mode ran.</param>
/// <param name="BandwidthGBps">The in-run bandwidth reference.</param>
/// <param name="Rows">Every row, in section order.</param>
public sealed record BenchReport(string Machine, bool Quick, double BandwidthGBps, IReadOnlyList<BenchRow> Rows);

/// <summary>
/// The quick in-process benchmark behind <c>qnnsim bench</c>: measures the in-run memory-bandwidth reference (an
/// in-place scale of a 2^24-amplitude complex array), then runs every <see cref="IBenchSection"/>.
/// </summary>
public static class QuickBench
{
    /// <summary>Sections that run only when named with <c>--section</c> (each says so in its own docs); the others run by default.</summary>
    public static readonly IReadOnlyList<string> OnlyWhenAsked = ["kernels", "profile", "micro", "noise", "scaling", "largest", "precision"];

    /// <summary>Amplitudes of the bandwidth reference array (2^24, 256 MiB).</summary>
    public const int BandwidthQubits = 24;

    /// <summary>Runs the bandwidth reference and every discovered section (or those named in <paramref name="sections"/>).</summary>
    /// <param name="quick">Fewer repetitions.</param>
    /// <param name="options">Simulation options (default <see cref="SimulationOptions.Default"/>).</param>
    /// <param name="sections">Section names to run (null: all).</param>
    /// <param name="cancellationToken">Checked between sections.</param>
    public static BenchReport Run(bool quick, SimulationOptions? options = null, IReadOnlyCollection<string>? sections = null,
        CancellationToken cancellationToken = default)
    {
        options ??= SimulationOptions.Default;
        double bw = MeasureBandwidth(options.MaxThreads, quick ? 5 : 15, out double bwSeconds, out double bwMin);
        var context = new BenchContext(quick, options, bw);
        var rows = new List<BenchRow>
        {
            new("bandwidth", "in-place scale of 2^24 amplitudes", BandwidthQubits, options.MaxThreads, bwSeconds,
                bwSeconds * 1e9 / (1L << BandwidthQubits), bw, 1.0, MinSeconds: bwMin),
        };
        foreach (var s in DiscoverSections())
        {
            if (sections is not null ? !sections.Contains(s.Name, StringComparer.OrdinalIgnoreCase) : OnlyWhenAsked.Contains(s.Name)) continue;
            cancellationToken.ThrowIfCancellationRequested();
            rows.AddRange(s.Run(context));
        }
        string machine = $"{Environment.ProcessorCount} logical cores, {RuntimeInformation.ProcessArchitecture}, " +
            $"widest SIMD path {options.EffectiveKernelPath} (AVX-512F: {Vector512.IsHardwareAccelerated}), {RuntimeInformation.FrameworkDescription}";
        return new BenchReport(machine, quick, bw, rows);
    }

    /// <summary>data[i] ← f·data[i] for i in [begin, end) with the widest vectors (begin, end multiples of 8).</summary>
    private static void ScaleInPlace(double[] data, int begin, int end, double f)
    {
        ref double d = ref MemoryMarshal.GetArrayDataReference(data);
        if (Vector512.IsHardwareAccelerated)
        {
            var vf = Vector512.Create(f);
            for (int i = begin; i < end; i += 8)
                (Vector512.LoadUnsafe(ref d, (nuint)i) * vf).StoreUnsafe(ref d, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vf = Vector256.Create(f);
            for (int i = begin; i < end; i += 4)
                (Vector256.LoadUnsafe(ref d, (nuint)i) * vf).StoreUnsafe(ref d, (nuint)i);
        }
        else
        {
            for (int i = begin; i < end; i++) data[i] *= f;
        }
    }

    /// <summary>Every <see cref="IBenchSection"/> in the loaded assemblies that can see this one, by Order then Name.</summary>
    public static IReadOnlyList<IBenchSection> DiscoverSections()
    {
        var own = typeof(QuickBench).Assembly;
        var assemblies = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a == own || a.GetReferencedAssemblies().Any(r => r.Name == own.GetName().Name));
        var list = new List<IBenchSection>();
        foreach (var a in assemblies)
        {
            Type[] types;
            try { types = a.GetTypes(); }
            catch (ReflectionTypeLoadException e) { types = [.. e.Types.Where(t => t is not null)!]; }
            foreach (var t in types)
            {
                if (t.IsAbstract || t.IsInterface || !typeof(IBenchSection).IsAssignableFrom(t)) continue;
                if (t.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes) is null) continue;
                list.Add((IBenchSection)Activator.CreateInstance(t, nonPublic: true)!);
            }
        }
        return [.. list.OrderBy(s => s.Order).ThenBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The bandwidth reference: multiplies every double of a 2^24-amplitude complex array in place with the widest
    /// vectors (one read and one write per byte, the same traffic as a gate), split into <paramref name="threads"/> contiguous parts as the simulator splits a gate.
    /// Returns GB/s of the median pass; <paramref name="medianSeconds"/> and <paramref name="minSeconds"/> are the
    /// median and fastest time of one pass.
    /// </summary>
    public static double MeasureBandwidth(int threads, int repetitions, out double medianSeconds, out double minSeconds)
    {
        Action pass = CreateBandwidthPass(threads, out long bytes);
        (medianSeconds, minSeconds) = Timing.Measure(pass, repetitions, 1);
        return bytes / medianSeconds / 1e9;
    }

    /// <summary>
    /// One pass of the bandwidth reference over a fresh 2^24-amplitude array (<paramref name="bytes"/>: bytes read
    /// plus written per pass), for sections that interleave it with their own measurements.
    /// </summary>
    public static Action CreateBandwidthPass(int threads, out long bytes)
    {
        var data = GC.AllocateUninitializedArray<double>(2 << BandwidthQubits);
        data.AsSpan().Fill(1.0);
        bytes = 2L * data.Length * sizeof(double);
        double factor = 1.0000001;
        void Pass()
        {
            if (threads <= 1) ScaleInPlace(data, 0, data.Length, factor);
            else
            {
                int parts = threads;
                double f = factor;
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
                    ScaleInPlace(data, (int)((long)data.Length * c / parts), (int)((long)data.Length * (c + 1) / parts), f));
            }
            factor = 1 / factor;
        }
        return Pass;
    }
}

/// <summary>Timing helpers shared by the sections.</summary>
public static partial class Timing
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds, Nanoseconds; }

    /// <summary>CPU seconds consumed by the calling thread (Linux CLOCK_THREAD_CPUTIME_ID), or NaN elsewhere.</summary>
    public static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        try { return ClockGetTime(3, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : double.NaN; }
        catch (DllNotFoundException) { return double.NaN; }
        catch (EntryPointNotFoundException) { return double.NaN; }
    }

    /// <summary>CPU seconds consumed by every thread of the process (Linux CLOCK_PROCESS_CPUTIME_ID), or NaN elsewhere:
    /// for multi-threaded work on a shared machine, the work done (spinning included) without the time preempted.</summary>
    public static double ProcessCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        try { return ClockGetTime(2, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : double.NaN; }
        catch (DllNotFoundException) { return double.NaN; }
        catch (EntryPointNotFoundException) { return double.NaN; }
    }

    /// <summary>
    /// Median over <paramref name="repetitions"/> of the calling thread's CPU time per call (single-threaded work
    /// only): on a shared machine this excludes time the thread spent preempted. NaN when unavailable.
    /// </summary>
    public static double MedianCpu(Action action, int repetitions, int inner)
    {
        ArgumentNullException.ThrowIfNull(action);
        var times = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            double t0 = ThreadCpuSeconds();
            for (int i = 0; i < inner; i++) action();
            times[r] = (ThreadCpuSeconds() - t0) / inner;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    /// <summary>
    /// Minimum over <paramref name="repetitions"/> of the calling thread's CPU time per call: the least disturbed
    /// repetition, the best estimate of the work itself on a loaded machine. NaN when unavailable.
    /// </summary>
    public static double MinCpu(Action action, int repetitions, int inner)
    {
        ArgumentNullException.ThrowIfNull(action);
        double best = double.PositiveInfinity;
        for (int r = 0; r < repetitions; r++)
        {
            double t0 = ThreadCpuSeconds();
            for (int i = 0; i < inner; i++) action();
            best = Math.Min(best, (ThreadCpuSeconds() - t0) / inner);
        }
        return best;
    }

    /// <summary>
    /// Median over <paramref name="repetitions"/> of the mean time of <paramref name="inner"/> consecutive calls, after
    /// one warm-up batch.
    /// </summary>
    public static double Median(Action action, int repetitions, int inner) => Measure(action, repetitions, inner).Median;

    /// <summary>Median and minimum over <paramref name="repetitions"/> of the mean time of <paramref name="inner"/> calls.</summary>
    public static (double Median, double Min) Measure(Action action, int repetitions, int inner)
    {
        ArgumentNullException.ThrowIfNull(action);
        for (int i = 0; i < inner; i++) action();
        var times = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++) action();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds / inner;
        }
        Array.Sort(times);
        double median = times.Length % 2 == 1 ? times[times.Length / 2] : 0.5 * (times[times.Length / 2 - 1] + times[times.Length / 2]);
        return (median, times[0]);
    }

    /// <summary>
    /// Alternates single repetitions of <paramref name="a"/> (<paramref name="innerA"/> calls) and <paramref name="b"/>
    /// (<paramref name="innerB"/> calls) <paramref name="repetitions"/> times, so that both medians come from the same
    /// time window on a shared machine; returns the median time per call of each and the fastest of <paramref name="b"/>.
    /// </summary>
    public static (double MedianA, double MedianB, double MinB) Interleaved(Action a, Action b, int repetitions, int innerA = 1, int innerB = 1)
    {
        var ta = new double[repetitions];
        var tb = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            ta[r] = Measure(a, 1, innerA).Median;
            tb[r] = Measure(b, 1, innerB).Median;
        }
        Array.Sort(ta);
        Array.Sort(tb);
        return (ta[repetitions / 2], tb[repetitions / 2], tb[0]);
    }

    /// <summary>
    /// Calls <paramref name="action"/> at least 60 times and for at least <paramref name="seconds"/> (at most 3 s), so
    /// that tiered JIT compilation has promoted the hot methods to optimised code before timing: a few calls would time
    /// tier-0 code (measured: the n = 10 ansatz row read 141–165 µs without this and about 100 µs with it).
    /// </summary>
    public static void WarmUp(Action action, double seconds)
    {
        ArgumentNullException.ThrowIfNull(action);
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 60 || Stopwatch.GetElapsedTime(t0).TotalSeconds < seconds; i++)
        {
            action();
            if (i >= 3 && Stopwatch.GetElapsedTime(t0).TotalSeconds > 3) break;
        }
    }

    /// <summary>Calls per repetition so that one repetition lasts about <paramref name="seconds"/>, after <see cref="WarmUp"/>.</summary>
    public static int InnerFor(Action action, double seconds)
    {
        ArgumentNullException.ThrowIfNull(action);
        WarmUp(action, 0.25);
        int count = 1;
        while (true)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++) action();
            double elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (elapsed >= 1e-3 || count >= 1 << 20)
                return (int)Math.Clamp(seconds / (elapsed / count), 1, 10_000_000);
            count *= 4;
        }
    }
}

/// <summary>Helpers for sections working on raw states.</summary>
internal static class BenchStates
{
    public static void Reset(Complex[] data)
    {
        Array.Clear(data);
        data[0] = Complex.One;
    }
}
