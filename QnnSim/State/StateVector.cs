using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Simulation;

namespace QnnSim.State;

/// <summary>
/// The one mutable type of QnnSim: the 2^n complex128 amplitudes of an n-qubit pure state. Qubit 0 is the least
/// significant bit of a basis index, so amplitude k belongs to |b_{n−1} … b_1 b_0⟩ with k = Σ_q b_q 2^q.
/// </summary>
/// <remarks>
/// Double precision only (16 bytes an amplitude: 30 qubits need 16 GiB). Construction checks the memory the
/// runtime reports as available before allocating and throws <see cref="InsufficientMemoryForStateException"/>
/// otherwise.
/// </remarks>
public sealed class StateVector
{
    internal readonly Complex[] Data;

    private StateVector(int qubitCount, bool initialiseZero)
    {
        CheckQubitCount(qubitCount);
        EnsureMemory(qubitCount);
        QubitCount = qubitCount;
        Data = GC.AllocateUninitializedArray<Complex>(1 << qubitCount);
        if (initialiseZero)
        {
            Array.Clear(Data);
            Data[0] = Complex.One;
        }
    }

    /// <summary>Number of qubits n.</summary>
    public int QubitCount { get; }

    /// <summary>Number of amplitudes, 2^n.</summary>
    public int Length => Data.Length;

    /// <summary>The amplitudes, read-only.</summary>
    public ReadOnlySpan<Complex> Amplitudes => Data;

    /// <summary>The amplitudes, writable, for code that prepares states by hand. The caller keeps the norm at 1.</summary>
    public Span<Complex> AmplitudesMutable => Data;

    /// <summary>Amplitude of basis state <paramref name="index"/>.</summary>
    public Complex this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Data.Length) ThrowHelper.ArgumentOutOfRange(nameof(index), index, $"0..{Data.Length - 1}");
            return Data[index];
        }
    }

    /// <summary>|0…0⟩ on <paramref name="qubitCount"/> qubits (1..30).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The qubit count is outside 1..30.</exception>
    /// <exception cref="InsufficientMemoryForStateException">The amplitudes would not fit in available memory.</exception>
    public static StateVector Zero(int qubitCount) => new(qubitCount, true);

    /// <summary>The basis state |index⟩ (qubit q of the state is bit q of <paramref name="index"/>).</summary>
    public static StateVector BasisState(int qubitCount, long index)
    {
        CheckQubitCount(qubitCount);
        if (index < 0 || index >= 1L << qubitCount) ThrowHelper.ArgumentOutOfRange(nameof(index), index, $"0..{(1L << qubitCount) - 1}");
        var s = new StateVector(qubitCount, false);
        Array.Clear(s.Data);
        s.Data[index] = Complex.One;
        return s;
    }

    /// <summary>A state with the given amplitudes: length 2^n, finite, Σ|a_k|² = 1 to within 1e-10.</summary>
    /// <exception cref="ArgumentException">A length that is not a power of two ≥ 2, a non-finite amplitude, or a norm off by more than 1e-10.</exception>
    public static StateVector FromAmplitudes(ReadOnlySpan<Complex> amplitudes)
    {
        int len = amplitudes.Length;
        if (len < 2 || !BitOperations.IsPow2(len))
            throw new ArgumentException($"a state needs 2^n amplitudes with n in 1..{Circuit.MaxQubits}; got {len}.", nameof(amplitudes));
        ValidateAmplitudes(amplitudes, nameof(amplitudes));
        var s = new StateVector(BitOperations.Log2((uint)len), false);
        amplitudes.CopyTo(s.Data);
        return s;
    }

    /// <summary>Bytes needed for the amplitudes of <paramref name="qubitCount"/> qubits: 16 · 2^n.</summary>
    public static long RequiredBytes(int qubitCount) => 16L << qubitCount;

    /// <summary>Bytes available for a new allocation now: <see cref="MemoryBudget.AvailableBytes"/> (available, not total, memory).</summary>
    public static long AvailableBytes() => MemoryBudget.AvailableBytes();

    private static void CheckQubitCount(int qubitCount)
    {
        if (qubitCount < 1 || qubitCount > Circuit.MaxQubits)
            ThrowHelper.ArgumentOutOfRange(nameof(qubitCount), qubitCount, $"1..{Circuit.MaxQubits} qubits");
    }

    private static void EnsureMemory(int qubitCount)
    {
        if (qubitCount < 20) return; // 16 MiB and less: not worth a query
        EnsureFits(qubitCount, AvailableBytes());
    }

    /// <summary>Throws when 16 · 2^n bytes exceed <paramref name="availableBytes"/>; the decision the constructor makes, testable without allocating.</summary>
    internal static void EnsureFits(int qubitCount, long availableBytes)
    {
        long need = RequiredBytes(qubitCount);
        if (need > availableBytes) throw new InsufficientMemoryForStateException(qubitCount, need, availableBytes);
    }

    /// <summary>Resets to |0…0⟩.</summary>
    public void SetZero()
    {
        Array.Clear(Data);
        Data[0] = Complex.One;
    }

    /// <summary>Sets the state to the basis state |index⟩.</summary>
    public void SetBasisState(long index)
    {
        if (index < 0 || index >= Data.Length) ThrowHelper.ArgumentOutOfRange(nameof(index), index, $"0..{Data.Length - 1}");
        Array.Clear(Data);
        Data[index] = Complex.One;
    }

    /// <summary>Overwrites the amplitudes (same checks as <see cref="FromAmplitudes"/>); nothing changes when they fail.</summary>
    public void SetAmplitudes(ReadOnlySpan<Complex> amplitudes)
    {
        if (amplitudes.Length != Data.Length) ThrowHelper.LengthMismatch(nameof(amplitudes), "the amplitude vector", amplitudes.Length, Data.Length);
        ValidateAmplitudes(amplitudes, nameof(amplitudes));
        amplitudes.CopyTo(Data);
    }

    /// <summary>Copies the amplitudes of <paramref name="other"/> (same qubit count) into this state.</summary>
    public void CopyFrom(StateVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.QubitCount != QubitCount) ThrowHelper.QubitCountMismatch(nameof(other), "the source state", other.QubitCount, QubitCount);
        other.Data.CopyTo(Data, 0);
    }

    /// <summary>A deep copy.</summary>
    public StateVector Clone()
    {
        var s = new StateVector(QubitCount, false);
        Data.CopyTo(s.Data, 0);
        return s;
    }

    /// <summary>Σ_k |ψ_k|².</summary>
    public double NormSquared() => StateOperations.NormSquared(Data, SimulationOptions.Default);

    /// <summary>⟨this|other⟩ = Σ_k conj(this_k) other_k.</summary>
    public Complex InnerProduct(StateVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.QubitCount != QubitCount) ThrowHelper.QubitCountMismatch(nameof(other), "the other state", other.QubitCount, QubitCount);
        return StateOperations.InnerProduct(Data, other.Data, SimulationOptions.Default);
    }

    /// <summary>The probabilities |ψ_k|² of every basis state.</summary>
    public double[] Probabilities()
    {
        var p = new double[Data.Length];
        for (int k = 0; k < p.Length; k++) p[k] = Data[k].Real * Data[k].Real + Data[k].Imaginary * Data[k].Imaginary;
        return p;
    }

    /// <summary>The amplitudes as a new array.</summary>
    public Complex[] ToArray() => (Complex[])Data.Clone();

    private static void ValidateAmplitudes(ReadOnlySpan<Complex> amplitudes, string paramName)
    {
        double norm = 0;
        for (int k = 0; k < amplitudes.Length; k++)
        {
            var a = amplitudes[k];
            if (!double.IsFinite(a.Real) || !double.IsFinite(a.Imaginary))
                throw new ArgumentException($"amplitude {k} = {a} is not finite.", paramName);
            norm += a.Real * a.Real + a.Imaginary * a.Imaginary;
        }
        if (!(Math.Abs(norm - 1) <= 1e-10))
            throw new ArgumentException($"the amplitudes have squared norm {norm:R}; a state needs 1 to within 1e-10.", paramName);
    }
}
