using System.Globalization;

namespace QnnSim;

/// <summary>
/// The one memory check of QnnSim: every allocation whose size grows with user input (a state vector, a density
/// matrix, a tangent kernel, a Jacobian, training records) asks <see cref="EnsureAvailable(long, string)"/> first and
/// is refused with a <see cref="NotEnoughMemoryException"/> naming the bytes needed and available, before any memory
/// is spent.
/// </summary>
/// <remarks>
/// <para>Available memory is the smallest of (each where the platform reports it):</para>
/// <list type="bullet">
/// <item>the machine's available physical memory, <c>MemAvailable</c> of <c>/proc/meminfo</c> on Linux (free memory
/// plus reclaimable page cache), otherwise the GC's total available memory minus its last-reported memory load;</item>
/// <item>the control group's limit minus its usage (cgroup v2 <c>memory.max − memory.current</c>, v1
/// <c>memory.limit_in_bytes − memory.usage_in_bytes</c>), so a container's limit counts, not the host's RAM;</item>
/// <item>the GC's own limit (<c>GCHeapHardLimit</c>, or the container limit the runtime saw) minus the managed heap
/// already in use.</item>
/// </list>
/// <para>
/// The machine's total RAM is never the comparison: a 16 GiB state on a 24 GiB machine with 10 GiB free is
/// refused. The check is a snapshot (another process may take memory a moment later), so it prevents the common
/// failure, a request that could never fit, rather than guaranteeing success.
/// </para>
/// </remarks>
public static class MemoryBudget
{
    private static readonly AsyncLocal<long?> s_override = new();

    /// <summary>
    /// Bytes available for a new allocation now (see the remarks of <see cref="MemoryBudget"/>). Never negative.
    /// </summary>
    public static long AvailableBytes()
    {
        if (s_override.Value is long forced) return forced;
        long best = long.MaxValue;
        var info = GC.GetGCMemoryInfo();

        long? meminfo = ReadMemAvailable();
        if (meminfo is long m) best = Math.Min(best, m);
        else best = Math.Min(best, info.TotalAvailableMemoryBytes - info.MemoryLoadBytes);

        long? cgroup = ReadCgroupHeadroom();
        if (cgroup is long c) best = Math.Min(best, c);

        // The GC's limit: with GCHeapHardLimit set (or a container limit) this is below physical RAM.
        long gcHeadroom = info.TotalAvailableMemoryBytes - GC.GetTotalMemory(false);
        best = Math.Min(best, gcHeadroom);
        return Math.Max(0, best);
    }

    /// <summary>
    /// Throws <see cref="NotEnoughMemoryException"/> when <paramref name="bytesNeeded"/> exceeds
    /// <see cref="AvailableBytes"/>. Requests below 1 MiB are not checked (the query costs more than they do).
    /// </summary>
    /// <param name="bytesNeeded">Bytes the allocation would take; <see cref="long.MaxValue"/> stands for "overflows".</param>
    /// <param name="what">What would be allocated, as the message should name it ("a 4000 × 4000 tangent kernel").</param>
    /// <exception cref="NotEnoughMemoryException">The request does not fit.</exception>
    public static void EnsureAvailable(long bytesNeeded, string what)
    {
        if (bytesNeeded < (1L << 20) && bytesNeeded >= 0) return;
        EnsureFits(bytesNeeded, AvailableBytes(), what);
    }

    /// <summary>
    /// Checks an array of <paramref name="count"/> elements of <paramref name="elementBytes"/> bytes each, where the
    /// count may be the product of user inputs (<see cref="Bytes(long, long, long)"/> computes it without overflow).
    /// </summary>
    /// <exception cref="NotEnoughMemoryException">The array would not fit (or its size overflows 64 bits).</exception>
    public static void EnsureAvailable(long count, int elementBytes, string what) => EnsureAvailable(Bytes(count, elementBytes), what);

    /// <summary>
    /// a · b · c bytes, saturating at <see cref="long.MaxValue"/> instead of overflowing (a size that large never fits).
    /// Negative factors count as zero.
    /// </summary>
    public static long Bytes(long a, long b, long c = 1)
    {
        if (a <= 0 || b <= 0 || c <= 0) return 0;
        try { return checked(a * b * c); }
        catch (OverflowException) { return long.MaxValue; }
    }

    /// <summary>The decision <see cref="EnsureAvailable(long, string)"/> makes, testable without the machine's state.</summary>
    internal static void EnsureFits(long bytesNeeded, long bytesAvailable, string what)
    {
        if (bytesNeeded > bytesAvailable || bytesNeeded < 0) throw new NotEnoughMemoryException(what, bytesNeeded, bytesAvailable);
    }

    /// <summary>
    /// Makes <see cref="AvailableBytes"/> report <paramref name="bytes"/> on this asynchronous flow until the returned
    /// handle is disposed: for tests of the refusal paths (the CLI contract tests), whatever the machine has free.
    /// </summary>
    internal static IDisposable OverrideAvailable(long bytes)
    {
        var prior = s_override.Value;
        s_override.Value = bytes;
        return new Restore(prior);
    }

    private sealed class Restore(long? prior) : IDisposable
    {
        public void Dispose() => s_override.Value = prior;
    }

    /// <summary>Formats a byte count as "17,179,869,184 bytes (16.00 GiB)".</summary>
    internal static string Describe(long bytes) =>
        bytes == long.MaxValue
            ? "more than 2^63 bytes"
            : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes ({bytes / (double)(1L << 30):F2} GiB)");

    private static long? ReadMemAvailable()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/meminfo")) return null;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                    return kb * 1024;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    private static long? ReadCgroupHeadroom()
    {
        if (!OperatingSystem.IsLinux()) return null;
        return Headroom("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current")
            ?? Headroom("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes");
    }

    private static long? Headroom(string limitFile, string usageFile)
    {
        try
        {
            if (!File.Exists(limitFile) || !File.Exists(usageFile)) return null;
            string limitText = File.ReadAllText(limitFile).Trim();
            if (limitText == "max") return null;
            if (!long.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out long limit)) return null;
            if (limit >= 1L << 60) return null; // v1 writes a huge page-aligned number for "no limit"
            if (!long.TryParse(File.ReadAllText(usageFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long usage)) return null;
            return Math.Max(0, limit - usage);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}

/// <summary>
/// Raised before an allocation that would not fit in the memory available (<see cref="MemoryBudget"/>). The message
/// names what would be allocated, the bytes needed and the bytes available; nothing has been allocated or changed.
/// </summary>
public class NotEnoughMemoryException : InvalidOperationException
{
    /// <summary>Creates the exception with the standard message.</summary>
    /// <param name="what">What would have been allocated ("a 30-qubit state vector").</param>
    /// <param name="bytesNeeded">Bytes the allocation needs.</param>
    /// <param name="bytesAvailable">Bytes reported available.</param>
    public NotEnoughMemoryException(string what, long bytesNeeded, long bytesAvailable)
        : this(what, bytesNeeded, bytesAvailable,
            $"{what} needs {MemoryBudget.Describe(bytesNeeded)}, but only {MemoryBudget.Describe(bytesAvailable)} are available.")
    {
    }

    /// <summary>Creates the exception with a custom message.</summary>
    protected NotEnoughMemoryException(string what, long bytesNeeded, long bytesAvailable, string message) : base(message)
    {
        What = what;
        BytesNeeded = bytesNeeded;
        BytesAvailable = bytesAvailable;
    }

    /// <summary>What would have been allocated.</summary>
    public string What { get; }

    /// <summary>Bytes the allocation would occupy (<see cref="long.MaxValue"/> when the size overflows 64 bits).</summary>
    public long BytesNeeded { get; }

    /// <summary>Bytes available when the request was made.</summary>
    public long BytesAvailable { get; }
}
