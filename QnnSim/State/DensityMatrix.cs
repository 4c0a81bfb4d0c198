using System.Numerics;
using QnnSim.Simulation;

namespace QnnSim.State;

/// <summary>
/// A mixed state ρ of n qubits, stored as vec(ρ): the 4^n complex128 entries with ρ_{rc} at index r + 2^n·c, so the
/// ket (row) index is the low n bits and the bra (column) index the high n bits. That layout is a state vector on 2n
/// qubits, so every statevector kernel updates it: ρ ↦ UρU† is U on qubits 0..n−1 and conj(U) on qubits n..2n−1
/// (QuEST's approach). Qubit 0 is the least significant bit of r and of c.
/// </summary>
/// <remarks>
/// Memory: 16·4^n bytes (n = 12: 256 MiB; n = 14: 4 GiB; at most n = 15, 16 GiB). Construction checks the memory
/// available first and throws <see cref="InsufficientMemoryForStateException"/> naming n, the bytes needed and the
/// bytes available, and suggesting trajectories (<see cref="Simulation.TrajectorySimulator"/>).
/// </remarks>
public sealed class DensityMatrix
{
    /// <summary>The most qubits a density matrix may have: 15 (vec(ρ) on 30 qubits, 16 GiB).</summary>
    public const int MaxQubits = 15;

    internal readonly Complex[] Data;

    private DensityMatrix(int qubitCount)
    {
        if (qubitCount < 1 || qubitCount > MaxQubits)
            throw new ArgumentOutOfRangeException(nameof(qubitCount), qubitCount,
                $"a density matrix has 1..{MaxQubits} qubits (16·4^n bytes); got {qubitCount}. For more qubits use trajectories (TrajectorySimulator, --backend trajectories).");
        EnsureFits(qubitCount, qubitCount < 10 ? long.MaxValue : MemoryBudget.AvailableBytes());
        QubitCount = qubitCount;
        Data = new Complex[1L << (2 * qubitCount)];
    }

    /// <summary>Number of qubits n.</summary>
    public int QubitCount { get; }

    /// <summary>The entries of vec(ρ), read-only (ρ_{rc} at r + 2^n·c).</summary>
    public ReadOnlySpan<Complex> Entries => Data;

    /// <summary>ρ_{row, column}.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index outside 0..2^n − 1.</exception>
    public Complex this[long row, long column]
    {
        get
        {
            long d = 1L << QubitCount;
            if (row < 0 || row >= d) ThrowHelper.ArgumentOutOfRange(nameof(row), row, $"0..{d - 1}");
            if (column < 0 || column >= d) ThrowHelper.ArgumentOutOfRange(nameof(column), column, $"0..{d - 1}");
            return Data[row + (column << QubitCount)];
        }
    }

    /// <summary>Bytes the entries of an n-qubit density matrix need: 16·4^n.</summary>
    public static long RequiredBytes(int qubitCount) => 16L << (2 * qubitCount);

    /// <summary>Throws when 16·4^n bytes exceed <paramref name="availableBytes"/> (the constructor's decision, testable without allocating).</summary>
    internal static void EnsureFits(int qubitCount, long availableBytes)
    {
        long need = RequiredBytes(qubitCount);
        if (need > availableBytes) throw new InsufficientMemoryForStateException(qubitCount, need, availableBytes, "density matrix",
            "Use trajectories instead (TrajectorySimulator, or --backend trajectories): they need one state vector of 16·2^n bytes per thread.");
    }

    /// <summary>|0…0⟩⟨0…0| on <paramref name="qubitCount"/> qubits (1..15).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The qubit count is outside 1..15.</exception>
    /// <exception cref="InsufficientMemoryForStateException">The entries would not fit in available memory.</exception>
    public static DensityMatrix Zero(int qubitCount)
    {
        var rho = new DensityMatrix(qubitCount);
        rho.Data[0] = Complex.One;
        return rho;
    }

    /// <summary>|ψ⟩⟨ψ| of a pure state.</summary>
    public static DensityMatrix FromPureState(StateVector state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var rho = new DensityMatrix(state.QubitCount);
        rho.SetPureState(state);
        return rho;
    }

    /// <summary>
    /// A density matrix from its 2^n × 2^n entries: Hermitian to 1e-10, trace 1 to 1e-10, finite. Positivity is not
    /// checked (it needs an eigendecomposition); the caller keeps ρ ≥ 0.
    /// </summary>
    /// <exception cref="ArgumentException">A shape that is not 2^n × 2^n, a non-finite entry, a non-Hermitian matrix or a trace off by more than 1e-10.</exception>
    public static DensityMatrix FromMatrix(Complex[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int d = matrix.GetLength(0);
        if (d < 2 || !BitOperations.IsPow2(d) || matrix.GetLength(1) != d || d > 1 << MaxQubits)
            throw new ArgumentException($"a density matrix is 2^n × 2^n with n in 1..{MaxQubits}; got {matrix.GetLength(0)} × {matrix.GetLength(1)}.", nameof(matrix));
        Complex trace = Complex.Zero;
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
            {
                var v = matrix[r, c];
                if (!double.IsFinite(v.Real) || !double.IsFinite(v.Imaginary))
                    throw new ArgumentException($"entry ({r}, {c}) = {v} is not finite.", nameof(matrix));
                if ((v - Complex.Conjugate(matrix[c, r])).Magnitude > 1e-10)
                    throw new ArgumentException($"the matrix is not Hermitian: entries ({r}, {c}) and ({c}, {r}) are {v} and {matrix[c, r]}.", nameof(matrix));
                if (r == c) trace += v;
            }
        if (Math.Abs(trace.Real - 1) > 1e-10)
            throw new ArgumentException($"the trace is {trace.Real:R}; a density matrix needs trace 1 to within 1e-10.", nameof(matrix));
        int n = BitOperations.Log2((uint)d);
        var rho = new DensityMatrix(n);
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) rho.Data[r + ((long)c << n)] = matrix[r, c];
        return rho;
    }

    /// <summary>Resets to |0…0⟩⟨0…0|.</summary>
    public void SetZero()
    {
        Array.Clear(Data);
        Data[0] = Complex.One;
    }

    /// <summary>Sets ρ = |ψ⟩⟨ψ|.</summary>
    /// <exception cref="QubitCountMismatchException">ψ has another qubit count.</exception>
    public void SetPureState(StateVector state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.QubitCount != QubitCount) ThrowHelper.QubitCountMismatch(nameof(state), "the pure state", state.QubitCount, QubitCount);
        var psi = state.Amplitudes;
        long d = psi.Length;
        for (long c = 0; c < d; c++)
        {
            Complex cc = Complex.Conjugate(psi[(int)c]);
            for (long r = 0; r < d; r++) Data[r + (c << QubitCount)] = psi[(int)r] * cc;
        }
    }

    /// <summary>A deep copy.</summary>
    public DensityMatrix Clone()
    {
        var rho = new DensityMatrix(QubitCount);
        Data.CopyTo(rho.Data, 0);
        return rho;
    }

    /// <summary>Tr ρ (1 up to rounding for a state produced by trace-preserving channels).</summary>
    public double Trace() => DensityOperations.Trace(Data, QubitCount);

    /// <summary>The purity Tr(ρ²) = Σ_{rc} |ρ_{rc}|², in [1/2^n, 1]; 1 exactly for pure states.</summary>
    public double Purity() => DensityOperations.Purity(Data);

    /// <summary>The fidelity with a pure state, F = ⟨ψ|ρ|ψ⟩ (Jozsa's fidelity for one pure argument).</summary>
    /// <exception cref="QubitCountMismatchException">ψ has another qubit count.</exception>
    public double Fidelity(StateVector state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.QubitCount != QubitCount) ThrowHelper.QubitCountMismatch(nameof(state), "the pure state", state.QubitCount, QubitCount);
        return DensityOperations.Fidelity(state.Amplitudes, Data, QubitCount);
    }

    /// <summary>The outcome probabilities ρ_{kk} of measuring every qubit (qubit q is bit q of k), without readout error.</summary>
    public double[] Probabilities()
    {
        var p = new double[1L << QubitCount];
        DensityOperations.Diagonal(Data, QubitCount, p);
        return p;
    }

    /// <summary>
    /// The reduced state on <paramref name="keep"/> (Tr over the other qubits); kept qubit j becomes qubit j of the
    /// result, so the order of <paramref name="keep"/> chooses the new bit order.
    /// </summary>
    /// <exception cref="ArgumentException">An empty list, a repeated qubit or a qubit out of range.</exception>
    public DensityMatrix PartialTrace(params int[] keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        if (keep.Length == 0) throw new ArgumentException($"keep at least one qubit (0..{QubitCount - 1}).", nameof(keep));
        for (int i = 0; i < keep.Length; i++)
        {
            if (keep[i] < 0 || keep[i] >= QubitCount) ThrowHelper.QubitOutOfRange(nameof(keep), keep[i], QubitCount);
            for (int j = 0; j < i; j++)
                if (keep[j] == keep[i]) ThrowHelper.DuplicateQubit(nameof(keep), keep[i]);
        }
        var result = new DensityMatrix(keep.Length);
        DensityOperations.PartialTrace(Data, QubitCount, keep, result.Data);
        return result;
    }

    /// <summary>ρ as a dense 2^n × 2^n matrix (n ≤ 12: larger matrices exceed .NET's two-dimensional array limits sensibly).</summary>
    public Complex[,] ToMatrix()
    {
        if (QubitCount > 12) throw new InvalidOperationException($"a {QubitCount}-qubit density matrix is too large to copy into a 2-D array (at most 12 qubits); read Entries instead.");
        int d = 1 << QubitCount;
        var m = new Complex[d, d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) m[r, c] = Data[r + ((long)c << QubitCount)];
        return m;
    }
}
