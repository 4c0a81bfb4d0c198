using System.Runtime.CompilerServices;

namespace QnnSim.Kernels;

/// <summary>Index arithmetic shared by the kernels. Qubit q is bit q of a basis index.</summary>
internal static class BitIndex
{
    /// <summary>Inserts a zero bit at position <paramref name="bit"/>: the bits at and above it move up by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long InsertZero(long i, int bit)
    {
        long low = i & ((1L << bit) - 1);
        return ((i - low) << 1) | low;
    }

    /// <summary>
    /// Inserts zero bits at each position of <paramref name="sortedBits"/> (ascending), turning a free index of
    /// n − k bits into a basis index whose chosen bits are all zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long InsertZeros(long i, ReadOnlySpan<int> sortedBits)
    {
        foreach (int b in sortedBits) i = InsertZero(i, b);
        return i;
    }

    /// <summary>
    /// Deposits the bits of <paramref name="i"/>, lowest first, into the positions where <paramref name="zeroMask"/>
    /// is clear: the same as <see cref="InsertZeros"/> with the set bits of the mask (one <c>pdep</c> with BMI2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Deposit(long i, ulong zeroMask)
    {
        if (System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported)
            return (long)System.Runtime.Intrinsics.X86.Bmi2.X64.ParallelBitDeposit((ulong)i, ~zeroMask);
        return DepositPortable(i, zeroMask);
    }

    /// <summary><see cref="Deposit"/> without BMI2: one <see cref="InsertZero"/> per set bit of the mask, lowest first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long DepositPortable(long i, ulong zeroMask)
    {
        for (ulong m = zeroMask; m != 0; m &= m - 1) i = InsertZero(i, System.Numerics.BitOperations.TrailingZeroCount(m));
        return i;
    }

    /// <summary>Writes the set bits of <paramref name="mask"/> in ascending order into <paramref name="bits"/>; returns the count.</summary>
    public static int SortedBits(ulong mask, Span<int> bits)
    {
        int n = 0;
        while (mask != 0)
        {
            bits[n++] = System.Numerics.BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
        }
        return n;
    }
}
