using QnnSim.State;

namespace QnnSim.Tests.State;

/// <summary>The memory decision of StateVector, tested deterministically whatever the machine has free.</summary>
[TestFixture]
public class MemoryCheckTests
{
    [Test]
    public void EnsureFits_TooLittleMemory_ThrowsWithBytesNeededAndAvailable()
    {
        long available = 3L << 30; // 3 GiB
        var e = Assert.Throws<InsufficientMemoryForStateException>(() => StateVector.EnsureFits(30, available));
        Assert.That(e!.QubitCount, Is.EqualTo(30));
        Assert.That(e.BytesNeeded, Is.EqualTo(16L << 30));
        Assert.That(e.BytesAvailable, Is.EqualTo(available));
        Assert.That(e.Message, Does.Contain("17,179,869,184 bytes").And.Contain("16.00 GiB").And.Contain("3,221,225,472 bytes"));
    }

    [TestCase(24, 256L << 20)]   // exactly 16 · 2^24 bytes available: fits
    [TestCase(20, 1L << 40)]
    public void EnsureFits_EnoughMemory_DoesNotThrow(int qubits, long available) =>
        Assert.DoesNotThrow(() => StateVector.EnsureFits(qubits, available));

    [Test]
    public void EnsureFits_OneByteShort_Throws() =>
        Assert.Throws<InsufficientMemoryForStateException>(() => StateVector.EnsureFits(24, (256L << 20) - 1));
}
