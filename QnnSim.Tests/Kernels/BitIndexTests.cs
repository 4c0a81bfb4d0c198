using QnnSim.Kernels;
using QnnSim.Randomness;

namespace QnnSim.Tests.Kernels;

/// <summary>The index deposit every vector kernel's loop uses, against a bit-by-bit reference.</summary>
public class BitIndexTests
{
    /// <summary>The basis index whose bits outside <paramref name="zeroMask"/> are, lowest first, the bits of i.</summary>
    private static long Reference(long i, ulong zeroMask)
    {
        long r = 0;
        int from = 0;
        for (int bit = 0; bit < 63; bit++)
        {
            if ((zeroMask >> bit & 1) != 0) continue;
            r |= (i >> from & 1) << bit;
            from++;
        }
        return r;
    }

    private static IEnumerable<TestCaseData> Masks()
    {
        yield return new TestCaseData(0UL).SetArgDisplayNames("none");
        yield return new TestCaseData(1UL).SetArgDisplayNames("bit 0");
        yield return new TestCaseData(0b1011UL).SetArgDisplayNames("bits 0, 1, 3");
        yield return new TestCaseData((1UL << 20) | (1UL << 7)).SetArgDisplayNames("bits 7, 20");
        yield return new TestCaseData(0xF0F0UL).SetArgDisplayNames("bits 4-7, 12-15");
        yield return new TestCaseData(1UL << 40).SetArgDisplayNames("bit 40");
    }

    [TestCaseSource(nameof(Masks))]
    public void Deposit_RandomIndices_MatchesBitByBitReference(ulong zeroMask)
    {
        var rng = new SeededRandom(17);
        int free = 62 - System.Numerics.BitOperations.PopCount(zeroMask);
        for (int t = 0; t < 2000; t++)
        {
            long i = (long)(rng.NextUInt64() >> (64 - Math.Min(free, 30)));
            long expected = Reference(i, zeroMask);
            Assert.That(BitIndex.Deposit(i, zeroMask), Is.EqualTo(expected), $"i = {i}");
            Assert.That(BitIndex.DepositPortable(i, zeroMask), Is.EqualTo(expected), $"i = {i} (portable)");
            Assert.That(BitIndex.Deposit(i, zeroMask) & (long)zeroMask, Is.Zero);
        }
    }

    [TestCaseSource(nameof(Masks))]
    public void Deposit_EqualsInsertZerosAtTheSortedBits(ulong zeroMask)
    {
        Span<int> bits = stackalloc int[64];
        int n = BitIndex.SortedBits(zeroMask, bits);
        for (long i = 0; i < 4096; i += 37)
            Assert.That(BitIndex.Deposit(i, zeroMask), Is.EqualTo(BitIndex.InsertZeros(i, bits[..n])));
    }
}
