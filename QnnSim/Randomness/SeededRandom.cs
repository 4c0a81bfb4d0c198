using System.Runtime.CompilerServices;

namespace QnnSim.Randomness;

/// <summary>
/// The one random generator QnnSim uses: xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64.
/// Both algorithms are fixed here in code, so a seed gives the same stream on every platform and .NET version
/// (System.Random makes no such promise across versions).
/// </summary>
/// <remarks>
/// <para>Streams: <see cref="ForStream"/>(seed, k) derives an independent generator for work item k (a sample, a
/// Pauli term, a Monte-Carlo circuit). Parallel code draws from the stream of the work item, never of the thread,
/// so results do not depend on the thread count.</para>
/// <para>Doubles are <c>(next() &gt;&gt; 11) · 2^-53</c>, uniform on [0, 1). Normal deviates use the Box–Muller
/// transform (both deviates of a pair are used).</para>
/// </remarks>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>Creates a generator whose 256-bit state is four SplitMix64 outputs of <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>
    /// An independent generator for work item <paramref name="stream"/> under <paramref name="seed"/>: the seed
    /// is mixed with the stream index by SplitMix64 before seeding, so streams 0, 1, 2, ... do not overlap in practice.
    /// </summary>
    public static SeededRandom ForStream(ulong seed, ulong stream)
    {
        ulong x = seed ^ (0xD1B54A32D192ED03UL * (stream + 1));
        ulong mixed = SplitMix64(ref x);
        return new SeededRandom(mixed ^ stream);
    }

    /// <summary>One SplitMix64 step (Steele, Lea and Flood, 2014).</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double on [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double on [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double NextDouble(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>A uniform integer on [0, <paramref name="bound"/>) without modulo bias (Lemire's method).</summary>
    public long NextInt64(long bound)
    {
        if (bound <= 0) ThrowHelper.ArgumentOutOfRange(nameof(bound), bound, "a positive integer");
        ulong b = (ulong)bound;
        ulong threshold = (0UL - b) % b;
        while (true)
        {
            ulong r = NextUInt64();
            ulong hi = Math.BigMul(r, b, out ulong lo);
            if (lo >= threshold) return (long)hi;
        }
    }

    /// <summary>A standard normal deviate (Box–Muller).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        _spareNormal = radius * Math.Sin(angle);
        _hasSpare = true;
        return radius * Math.Cos(angle);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
