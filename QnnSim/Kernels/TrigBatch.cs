using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QnnSim.Kernels;

/// <summary>
/// sin(x/2) and cos(x/2) of many angles at once, four per instruction: the fused forward pass needs two of them per
/// qubit and layer on every call (400 for the n = 10, L = 20 ansatz, about 5 µs one by one through Math.SinCos).
/// </summary>
/// <remarks>
/// The argument is reduced to r ∈ [−π/4, π/4] with x/2 = k·π/2 + r, k = round(x/2 · 2/π), in three fused
/// multiply-adds (Cody–Waite with π/2 split into three doubles), and sin r, cos r are the fdlibm kernels
/// (k_sin.c, k_cos.c: degree-13 and degree-14 minimax polynomials, below one ulp on that interval); the quadrant k mod
/// 4 swaps and negates them. The vector and the scalar path perform the same IEEE operations (fused multiply-adds
/// included), so the results do not depend on the path. Arguments with |x/2| ≥ 2^19 take Math.SinCos (the three-part
/// reduction is exact only for moderate k). Accuracy against Math.SinCos: at most 1.11e-16 absolute (one ulp of
/// values between 1/2 and 1) over the ranges tested in QnnSim.Tests/Kernels/TrigBatchTests.cs, which allow 2^−51; a
/// NaN angle gives NaN, as Math.SinCos does (angles are validated finite before they get here).
/// </remarks>
internal static class TrigBatch
{
    private const double TwoOverPi = 0.63661977236758134308;
    private const double PiOver2Hi = 1.5707963267948966;          // double(π/2)
    private const double PiOver2Mid = 6.123233995736766e-17;      // double(π/2 − Hi)
    private const double PiOver2Lo = -1.4973849048591698e-33;     // double(π/2 − Hi − Mid)
    private const double ReductionLimit = 524288.0;               // 2^19

    // fdlibm k_sin.c
    private const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04,
        S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;

    // fdlibm k_cos.c
    private const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05,
        C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;

    /// <summary>sin[i] = sin(x[i]/2), cos[i] = cos(x[i]/2) for every i (the spans have equal length).</summary>
    public static void SinCosHalf(ReadOnlySpan<double> x, Span<double> sin, Span<double> cos)
    {
        System.Diagnostics.Debug.Assert(sin.Length >= x.Length && cos.Length >= x.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            for (; i + 4 <= x.Length; i += 4)
            {
                var h = Vector256.LoadUnsafe(ref Unsafe.AsRef(in x[i])) * 0.5;
                if (Vector256.GreaterThanOrEqualAny(Vector256.Abs(h), Vector256.Create(ReductionLimit)))
                {
                    for (int j = i; j < i + 4; j++) Scalar(0.5 * x[j], out sin[j], out cos[j]);
                    continue;
                }
                Vector4(h, out var s, out var c);
                s.StoreUnsafe(ref sin[i]);
                c.StoreUnsafe(ref cos[i]);
            }
        }
        for (; i < x.Length; i++) Scalar(0.5 * x[i], out sin[i], out cos[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Vector4(Vector256<double> h, out Vector256<double> sin, out Vector256<double> cos)
    {
        var k = Vector256.Round(h * TwoOverPi);
        var r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(PiOver2Hi), h);
        r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(PiOver2Mid), r);
        r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(PiOver2Lo), r);
        var z = r * r;
        var w = z * z;
        // k_sin: r + r³ (S1 + z (S2 + z (S3 + z S4) + z w (S5 + z S6)))
        var sr = Vector256.FusedMultiplyAdd(z, Vector256.FusedMultiplyAdd(z, Vector256.Create(S4), Vector256.Create(S3)), Vector256.Create(S2))
            + z * w * Vector256.FusedMultiplyAdd(z, Vector256.Create(S6), Vector256.Create(S5));
        var sinR = Vector256.FusedMultiplyAdd(z * r, Vector256.FusedMultiplyAdd(z, sr, Vector256.Create(S1)), r);
        // k_cos: w' + (((1 − w') − z/2) + z·q), w' = 1 − z/2, q = z (C1 + z (C2 + z C3)) + w² (C4 + z (C5 + z C6))
        var q = z * Vector256.FusedMultiplyAdd(z, Vector256.FusedMultiplyAdd(z, Vector256.Create(C3), Vector256.Create(C2)), Vector256.Create(C1))
            + w * w * Vector256.FusedMultiplyAdd(z, Vector256.FusedMultiplyAdd(z, Vector256.Create(C6), Vector256.Create(C5)), Vector256.Create(C4));
        var hz = z * 0.5;
        var one = Vector256.Create(1.0);
        var wp = one - hz;
        var cosR = wp + (((one - wp) - hz) + z * q);
        // Quadrant m = k mod 4 ∈ {0, 1, 2, 3}, exactly (k is an integer below 2^19 in magnitude).
        var m = k - 4.0 * Vector256.Floor(k * 0.25);
        var swap = Vector256.Equals(m, one) | Vector256.Equals(m, Vector256.Create(3.0));
        var negSin = Vector256.GreaterThanOrEqual(m, Vector256.Create(2.0));
        var negCos = Vector256.Equals(m, one) | Vector256.Equals(m, Vector256.Create(2.0));
        var s = Vector256.ConditionalSelect(swap, cosR, sinR);
        var c = Vector256.ConditionalSelect(swap, sinR, cosR);
        var signBit = Vector256.Create(-0.0);
        sin = s ^ (negSin & signBit);
        cos = c ^ (negCos & signBit);
    }

    /// <summary>The same operations as <see cref="Vector4"/> on one value (Math.SinCos beyond the reduction limit).</summary>
    internal static void Scalar(double h, out double sin, out double cos)
    {
        if (!(Math.Abs(h) < ReductionLimit))
        {
            (sin, cos) = Math.SinCos(h);
            return;
        }
        double k = Math.Round(h * TwoOverPi);
        double r = Math.FusedMultiplyAdd(-k, PiOver2Hi, h);
        r = Math.FusedMultiplyAdd(-k, PiOver2Mid, r);
        r = Math.FusedMultiplyAdd(-k, PiOver2Lo, r);
        double z = r * r, w = z * z;
        double sr = Math.FusedMultiplyAdd(z, Math.FusedMultiplyAdd(z, S4, S3), S2) + z * w * Math.FusedMultiplyAdd(z, S6, S5);
        double sinR = Math.FusedMultiplyAdd(z * r, Math.FusedMultiplyAdd(z, sr, S1), r);
        double q = z * Math.FusedMultiplyAdd(z, Math.FusedMultiplyAdd(z, C3, C2), C1)
            + w * w * Math.FusedMultiplyAdd(z, Math.FusedMultiplyAdd(z, C6, C5), C4);
        double hz = z * 0.5, wp = 1.0 - hz;
        double cosR = wp + (((1.0 - wp) - hz) + z * q);
        double m = k - 4.0 * Math.Floor(k * 0.25);
        bool swap = m == 1.0 || m == 3.0;
        double s = swap ? cosR : sinR, c = swap ? sinR : cosR;
        sin = m >= 2.0 ? -s : s;
        cos = m == 1.0 || m == 2.0 ? -c : c;
    }
}
