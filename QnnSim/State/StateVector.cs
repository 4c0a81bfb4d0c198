using System.Numerics;
using System.Runtime.InteropServices;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Simulation;

namespace QnnSim.State;

/// <summary>
/// The one mutable type of QnnSim: the 2^n complex amplitudes of an n-qubit pure state. Qubit 0 is the least
/// significant bit of a basis index, so amplitude k belongs to |b_{n−1} … b_1 b_0⟩ with k = Σ_q b_q 2^q.
/// </summary>
/// <remarks>
/// <para>A state keeps the <see cref="Precision"/> it is created with: <see cref="Simulation.Precision.Double"/>
/// (complex128, 16 bytes an amplitude: 30 qubits need 16 GiB) or <see cref="Simulation.Precision.Single"/>
/// (complex64, 8 bytes: 30 qubits need 8 GiB). <see cref="Amplitudes"/> gives complex128 amplitudes of a double state,
/// <see cref="SingleAmplitudes"/> complex64 amplitudes of a single one; the indexer, <see cref="ToArray"/>,
/// <see cref="Probabilities"/>, <see cref="NormSquared"/> and <see cref="InnerProduct"/> work on both (in double).</para>
/// <para>Construction checks the memory the runtime reports as available before allocating and throws
/// <see cref="InsufficientMemoryForStateException"/> otherwise, naming the bytes of both precisions.</para>
/// </remarks>
public sealed class StateVector
{
    private readonly Complex[]? _double;
    private readonly Complex64[]? _single;

    /// <summary>The complex128 amplitudes (double-precision states only).</summary>
    /// <exception cref="NotSupportedException">The state is single precision: the operation has no complex64 version.</exception>
    internal Complex[] Data => _double ?? throw SingleNotSupported();

    /// <summary>The complex64 amplitudes (single-precision states only).</summary>
    internal Complex64[] Single => _single ?? throw new InvalidOperationException("this state is double precision; its amplitudes are complex128.");

    private StateVector(int qubitCount, bool initialiseZero, Precision precision = Precision.Double)
    {
        CheckQubitCount(qubitCount);
        CheckPrecision(precision);
        EnsureMemory(qubitCount, precision);
        QubitCount = qubitCount;
        Precision = precision;
        if (precision == Precision.Single) _single = GC.AllocateUninitializedArray<Complex64>(1 << qubitCount);
        else _double = GC.AllocateUninitializedArray<Complex>(1 << qubitCount);
        if (initialiseZero) SetZero();
    }

    /// <summary>The precision of the amplitudes (fixed at creation).</summary>
    public Precision Precision { get; }

    private NotSupportedException SingleNotSupported() => new(
        $"this operation needs a double-precision state, but this {QubitCount}-qubit state is single precision (complex64). " +
        "Single precision supports running circuits, expectations, probabilities and sampling; use a double-precision state " +
        "(SimulationOptions.Precision = Precision.Double) for the rest.");

    /// <summary>Number of qubits n.</summary>
    public int QubitCount { get; }

    /// <summary>Number of amplitudes, 2^n.</summary>
    public int Length => 1 << QubitCount;

    /// <summary>The complex128 amplitudes of a double-precision state, read-only.</summary>
    /// <exception cref="NotSupportedException">The state is single precision (use <see cref="SingleAmplitudes"/> or <see cref="ToArray"/>).</exception>
    public ReadOnlySpan<Complex> Amplitudes => Data;

    /// <summary>The complex128 amplitudes of a double-precision state, writable, for code that prepares states by
    /// hand. The caller keeps the norm at 1.</summary>
    /// <exception cref="NotSupportedException">The state is single precision (use <see cref="SingleAmplitudesMutable"/>).</exception>
    public Span<Complex> AmplitudesMutable => Data;

    /// <summary>The complex64 amplitudes of a single-precision state, read-only.</summary>
    /// <exception cref="InvalidOperationException">The state is double precision (use <see cref="Amplitudes"/>).</exception>
    public ReadOnlySpan<MathNet.Numerics.Complex32> SingleAmplitudes => MemoryMarshal.Cast<Complex64, MathNet.Numerics.Complex32>(Single.AsSpan());

    /// <summary>The complex64 amplitudes of a single-precision state, writable. The caller keeps the norm at 1.</summary>
    /// <exception cref="InvalidOperationException">The state is double precision (use <see cref="AmplitudesMutable"/>).</exception>
    public Span<MathNet.Numerics.Complex32> SingleAmplitudesMutable => MemoryMarshal.Cast<Complex64, MathNet.Numerics.Complex32>(Single.AsSpan());

    /// <summary>Amplitude of basis state <paramref name="index"/> (widened to complex128 for a single-precision state).</summary>
    public Complex this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Length) ThrowHelper.ArgumentOutOfRange(nameof(index), index, $"0..{Length - 1}");
            if (_single is { } s) return new Complex(s[index].Real, s[index].Imaginary);
            return _double![index];
        }
    }

    /// <summary>|0…0⟩ on <paramref name="qubitCount"/> qubits (1..30), in double precision.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The qubit count is outside 1..30.</exception>
    /// <exception cref="InsufficientMemoryForStateException">The amplitudes would not fit in available memory.</exception>
    public static StateVector Zero(int qubitCount) => new(qubitCount, true);

    /// <summary>|0…0⟩ on <paramref name="qubitCount"/> qubits (1..30) in the given precision.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The qubit count is outside 1..30, or the precision is not a defined value.</exception>
    /// <exception cref="InsufficientMemoryForStateException">The amplitudes would not fit in available memory.</exception>
    public static StateVector Zero(int qubitCount, Precision precision) => new(qubitCount, true, precision);

    /// <summary>The basis state |index⟩ (qubit q of the state is bit q of <paramref name="index"/>).</summary>
    public static StateVector BasisState(int qubitCount, long index)
    {
        CheckQubitCount(qubitCount);
        if (index < 0 || index >= 1L << qubitCount) ThrowHelper.ArgumentOutOfRange(nameof(index), index, $"0..{(1L << qubitCount) - 1}");
        var s = new StateVector(qubitCount, false);
        s.SetBasisState(index);
        return s;
    }

    /// <summary>A state with the given amplitudes: length 2^n, finite, Σ|a_k|² = 1 to within 1e-10.</summary>
    /// <exception cref="ArgumentException">A length that is not a power of two ≥ 2, a non-finite amplitude, or a norm off by more than 1e-10.</exception>
    public static StateVector FromAmplitudes(ReadOnlySpan<Complex> amplitudes) => FromAmplitudes(amplitudes, Precision.Double);

    /// <summary>A state in <paramref name="precision"/> with the given amplitudes (checked in double as in
    /// <see cref="FromAmplitudes(ReadOnlySpan{Complex})"/>, then rounded to complex64 for single precision).</summary>
    /// <exception cref="ArgumentException">A length that is not a power of two ≥ 2, a non-finite amplitude, or a norm off by more than 1e-10.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The precision is not a defined value.</exception>
    public static StateVector FromAmplitudes(ReadOnlySpan<Complex> amplitudes, Precision precision)
    {
        int len = amplitudes.Length;
        if (len < 2 || !BitOperations.IsPow2(len))
            throw new ArgumentException($"a state needs 2^n amplitudes with n in 1..{Circuit.MaxQubits}; got {len}.", nameof(amplitudes));
        ValidateAmplitudes(amplitudes, nameof(amplitudes));
        var s = new StateVector(BitOperations.Log2((uint)len), false, precision);
        s.Store(amplitudes);
        return s;
    }

    /// <summary>Bytes needed for the double-precision amplitudes of <paramref name="qubitCount"/> qubits: 16 · 2^n.</summary>
    public static long RequiredBytes(int qubitCount) => 16L << qubitCount;

    /// <summary>Bytes needed for the amplitudes of <paramref name="qubitCount"/> qubits: 16 · 2^n in double, 8 · 2^n in single precision.</summary>
    public static long RequiredBytes(int qubitCount, Precision precision) => precision == Precision.Single ? 8L << qubitCount : 16L << qubitCount;

    /// <summary>Bytes available for a new allocation now: <see cref="MemoryBudget.AvailableBytes"/> (available, not total, memory).</summary>
    public static long AvailableBytes() => MemoryBudget.AvailableBytes();

    private static void CheckQubitCount(int qubitCount)
    {
        if (qubitCount < 1 || qubitCount > Circuit.MaxQubits)
            ThrowHelper.ArgumentOutOfRange(nameof(qubitCount), qubitCount, $"1..{Circuit.MaxQubits} qubits");
    }

    private static void CheckPrecision(Precision precision)
    {
        if (precision is not (Precision.Double or Precision.Single))
            ThrowHelper.ArgumentOutOfRange(nameof(precision), (int)precision, "Precision.Double or Precision.Single");
    }

    private static void EnsureMemory(int qubitCount, Precision precision)
    {
        if (qubitCount < 20) return; // 16 MiB and less: not worth a query
        EnsureFits(qubitCount, AvailableBytes(), precision);
    }

    /// <summary>Throws when 16 · 2^n bytes exceed <paramref name="availableBytes"/>; the decision the constructor makes, testable without allocating.</summary>
    internal static void EnsureFits(int qubitCount, long availableBytes) => EnsureFits(qubitCount, availableBytes, Precision.Double);

    /// <summary>Throws when the bytes of <paramref name="precision"/> exceed <paramref name="availableBytes"/>; the
    /// message names the other precision's need too, and the largest n that fits in each.</summary>
    internal static void EnsureFits(int qubitCount, long availableBytes, Precision precision)
    {
        long need = RequiredBytes(qubitCount, precision);
        if (need <= availableBytes) return;
        if (precision == Precision.Double)
        {
            long half = RequiredBytes(qubitCount, Precision.Single);
            string advice = half <= availableBytes
                ? $"Single precision (SimulationOptions.Precision = Precision.Single, complex64) needs {MemoryBudget.Describe(half)} and would fit."
                : $"Single precision would need {MemoryBudget.Describe(half)}, which does not fit either; " + Largest(availableBytes);
            throw new InsufficientMemoryForStateException(qubitCount, need, availableBytes, "state vector (double precision, complex128)", advice);
        }
        throw new InsufficientMemoryForStateException(qubitCount, need, availableBytes, "state vector (single precision, complex64)", Largest(availableBytes));
    }

    /// <summary>"the largest that fits is n = … in double and … in single precision."</summary>
    private static string Largest(long availableBytes)
    {
        static int Fit(long available, long perAmplitude)
        {
            int n = 0;
            while (n < Circuit.MaxQubits && (perAmplitude << (n + 1)) <= available) n++;
            return n;
        }
        return $"the largest that fits is n = {Fit(availableBytes, 16)} qubits in double and n = {Fit(availableBytes, 8)} in single precision.";
    }

    /// <summary>Resets to |0…0⟩.</summary>
    public void SetZero() => SetBasisStateUnchecked(0);

    private void SetBasisStateUnchecked(long index)
    {
        if (_single is { } s)
        {
            Array.Clear(s);
            s[index] = new Complex64(1, 0);
            return;
        }
        Array.Clear(_double!);
        _double![index] = Complex.One;
    }

    /// <summary>Writes validated amplitudes (rounded to complex64 for a single-precision state).</summary>
    private void Store(ReadOnlySpan<Complex> amplitudes)
    {
        if (_single is { } s)
        {
            for (int k = 0; k < s.Length; k++) s[k] = new Complex64((float)amplitudes[k].Real, (float)amplitudes[k].Imaginary);
            return;
        }
        amplitudes.CopyTo(_double);
    }

    /// <summary>Sets the state to the basis state |index⟩.</summary>
    public void SetBasisState(long index)
    {
        if (index < 0 || index >= Length) ThrowHelper.ArgumentOutOfRange(nameof(index), index, $"0..{Length - 1}");
        SetBasisStateUnchecked(index);
    }

    /// <summary>Overwrites the amplitudes (same checks as <see cref="FromAmplitudes(ReadOnlySpan{Complex})"/>; rounded to
    /// complex64 for a single-precision state); nothing changes when they fail.</summary>
    public void SetAmplitudes(ReadOnlySpan<Complex> amplitudes)
    {
        if (amplitudes.Length != Length) ThrowHelper.LengthMismatch(nameof(amplitudes), "the amplitude vector", amplitudes.Length, Length);
        ValidateAmplitudes(amplitudes, nameof(amplitudes));
        Store(amplitudes);
    }

    /// <summary>Copies the amplitudes of <paramref name="other"/> (same qubit count and precision) into this state.</summary>
    /// <exception cref="ArgumentException">The precisions differ.</exception>
    public void CopyFrom(StateVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.QubitCount != QubitCount) ThrowHelper.QubitCountMismatch(nameof(other), "the source state", other.QubitCount, QubitCount);
        CheckSamePrecision(other, nameof(other));
        if (_single is { } s) other.Single.CopyTo(s, 0);
        else other.Data.CopyTo(_double!, 0);
    }

    private void CheckSamePrecision(StateVector other, string paramName)
    {
        if (other.Precision != Precision)
            throw new ArgumentException($"the state is {other.Precision} precision, but this state is {Precision} precision; convert with ToArray and FromAmplitudes.", paramName);
    }

    /// <summary>A deep copy (same precision).</summary>
    public StateVector Clone()
    {
        var s = new StateVector(QubitCount, false, Precision);
        if (_single is { } a) a.CopyTo(s._single!, 0);
        else _double!.CopyTo(s._double!, 0);
        return s;
    }

    /// <summary>Σ_k |ψ_k|² (accumulated in double for either precision).</summary>
    public double NormSquared() => _single is { } s
        ? SingleKernels.NormSquared(s, 0, s.Length)
        : StateOperations.NormSquared(Data, SimulationOptions.Default);

    /// <summary>⟨this|other⟩ = Σ_k conj(this_k) other_k (both of the same precision; accumulated in double).</summary>
    /// <exception cref="ArgumentException">The precisions differ.</exception>
    public Complex InnerProduct(StateVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.QubitCount != QubitCount) ThrowHelper.QubitCountMismatch(nameof(other), "the other state", other.QubitCount, QubitCount);
        CheckSamePrecision(other, nameof(other));
        if (_single is { } s) return SingleKernels.InnerProduct(s, other.Single, 0, s.Length);
        return StateOperations.InnerProduct(Data, other.Data, SimulationOptions.Default);
    }

    /// <summary>The probabilities |ψ_k|² of every basis state (in double for either precision).</summary>
    public double[] Probabilities()
    {
        var p = new double[Length];
        if (_single is { } s)
        {
            for (int k = 0; k < p.Length; k++) p[k] = (double)s[k].Real * s[k].Real + (double)s[k].Imaginary * s[k].Imaginary;
            return p;
        }
        var d = _double!;
        for (int k = 0; k < p.Length; k++) p[k] = d[k].Real * d[k].Real + d[k].Imaginary * d[k].Imaginary;
        return p;
    }

    /// <summary>The amplitudes as a new complex128 array (widened exactly from complex64 for a single-precision state).</summary>
    public Complex[] ToArray()
    {
        if (_single is not { } s) return (Complex[])_double!.Clone();
        var a = new Complex[s.Length];
        for (int k = 0; k < a.Length; k++) a[k] = new Complex(s[k].Real, s[k].Imaginary);
        return a;
    }

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
