using System.Runtime.Intrinsics;

namespace QnnSim.Kernels;

/// <summary>Resolves a requested <see cref="KernelPath"/> to one the processor accelerates.</summary>
internal static class KernelDispatch
{
    public static KernelPath Widest =>
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : Vector128.IsHardwareAccelerated ? KernelPath.Vector128
        : KernelPath.Scalar;

    public static KernelPath Resolve(KernelPath requested)
    {
        KernelPath widest = Widest;
        if (requested == KernelPath.Auto) return widest;
        return requested > widest ? widest : requested;
    }
}
