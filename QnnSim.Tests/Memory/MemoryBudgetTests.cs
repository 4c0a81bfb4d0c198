namespace QnnSim.Tests.Memory;

/// <summary>The shared memory check: the decision, the message, the arithmetic, and the figure it compares with.</summary>
[TestFixture]
public class MemoryBudgetTests
{
    [Test]
    public void EnsureFits_TooLarge_ThrowsNamingWhatNeededAndAvailable()
    {
        var e = Assert.Throws<NotEnoughMemoryException>(() => MemoryBudget.EnsureFits(16L << 30, 3L << 30, "a 40000 × 40000 tangent kernel"));
        Assert.That(e!.Message, Is.EqualTo(
            "a 40000 × 40000 tangent kernel needs 17,179,869,184 bytes (16.00 GiB), but only 3,221,225,472 bytes (3.00 GiB) are available."));
        Assert.That(e.BytesNeeded, Is.EqualTo(16L << 30));
        Assert.That(e.BytesAvailable, Is.EqualTo(3L << 30));
    }

    [Test]
    public void EnsureFits_ExactlyAvailable_DoesNotThrow() => Assert.DoesNotThrow(() => MemoryBudget.EnsureFits(1000, 1000, "x"));

    [TestCase(100000L, 100000L, 8L, 80_000_000_000L)]
    [TestCase(long.MaxValue, 2L, 1L, long.MaxValue)]
    [TestCase(1L << 40, 1L << 30, 16L, long.MaxValue)]
    [TestCase(-5L, 3L, 1L, 0L)]
    public void Bytes_SaturatesInsteadOfOverflowing(long a, long b, long c, long expected) =>
        Assert.That(MemoryBudget.Bytes(a, b, c), Is.EqualTo(expected));

    [Test]
    public void EnsureAvailable_OverflowingSize_ThrowsSayingSo()
    {
        var e = Assert.Throws<NotEnoughMemoryException>(() => MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(1L << 40, 1L << 40), "a huge thing"));
        Assert.That(e!.Message, Does.StartWith("a huge thing needs more than 2^63 bytes"));
    }

    [Test]
    public void AvailableBytes_IsAvailableNotTotalMemory()
    {
        // The figure never exceeds the GC's total (physical RAM or the configured limit) minus what this process
        // already holds, nor, on Linux, MemAvailable: the machine's free memory, not its size.
        long available = MemoryBudget.AvailableBytes();
        var info = GC.GetGCMemoryInfo();
        Assert.That(available, Is.GreaterThan(0));
        Assert.That(available, Is.LessThanOrEqualTo(info.TotalAvailableMemoryBytes - GC.GetTotalMemory(false) + (64L << 20)));
        if (OperatingSystem.IsLinux())
        {
            string line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
            long memAvailable = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            Assert.That(available, Is.LessThanOrEqualTo(memAvailable + (256L << 20)), "compared with MemAvailable read a moment later");
        }
    }

    [Test]
    public void OverrideAvailable_RefusesStateAboveTheFigure_AndRestores()
    {
        using (MemoryBudget.OverrideAvailable(1L << 20))
        {
            var e = Assert.Throws<InsufficientMemoryForStateException>(() => QnnSim.State.StateVector.Zero(20));
            Assert.That(e!.BytesAvailable, Is.EqualTo(1L << 20));
            Assert.That(e, Is.InstanceOf<NotEnoughMemoryException>());
        }
        Assert.That(MemoryBudget.AvailableBytes(), Is.GreaterThan(1L << 20));
    }
}
