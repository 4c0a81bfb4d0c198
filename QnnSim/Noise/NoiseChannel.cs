using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;

namespace QnnSim.Noise;

/// <summary>The families of <see cref="NoiseChannel"/>.</summary>
public enum NoiseChannelKind
{
    /// <summary>Pauli channel ρ ↦ (1 − p_x − p_y − p_z)ρ + p_x XρX + p_y YρY + p_z ZρZ.</summary>
    Pauli,
    /// <summary>One-qubit depolarizing channel: the Pauli channel with p_x = p_y = p_z = p/3 (Bloch vector × (1 − 4p/3)).</summary>
    Depolarizing,
    /// <summary>Two-qubit depolarizing channel: each of the 15 non-identity two-qubit Paulis with probability p/15.</summary>
    TwoQubitDepolarizing,
    /// <summary>Global depolarizing channel on k qubits: ρ ↦ (1 − p)ρ + p·Tr_k(ρ) ⊗ I/2^k.</summary>
    GlobalDepolarizing,
    /// <summary>Bit flip: X with probability p.</summary>
    BitFlip,
    /// <summary>Phase flip: Z with probability p.</summary>
    PhaseFlip,
    /// <summary>Amplitude damping with decay probability γ: K0 = diag(1, √(1−γ)), K1 = √γ |0⟩⟨1|.</summary>
    AmplitudeDamping,
    /// <summary>Phase damping with parameter λ: K0 = diag(1, √(1−λ)), K1 = √λ |1⟩⟨1| (coherences × √(1−λ)).</summary>
    PhaseDamping,
    /// <summary>Thermal relaxation at zero temperature from T1, T2 and a gate time t (amplitude then phase damping).</summary>
    ThermalRelaxation,
    /// <summary>A general channel given by its Kraus operators.</summary>
    Kraus,
}

/// <summary>
/// An immutable completely positive, trace-preserving map on k qubits, ρ ↦ Σ_i K_i ρ K_i†, used as a circuit operation
/// (<see cref="Circuits.CircuitBuilder.Channel"/>) or attached by a <see cref="NoiseModel"/>. Matrices use QnnSim's bit
/// order: matrix index bit j is target j.
/// </summary>
/// <remarks>
/// <para>Conventions (the same as the QDK's and Cirq's): <c>Depolarizing(p)</c> is the Pauli channel with
/// p_x = p_y = p_z = p/3, so the Bloch vector shrinks by 1 − 4p/3 and p = 3/4 is fully depolarizing;
/// <c>GlobalDepolarizing(p)</c> is the different channel ρ ↦ (1 − p)ρ + p·I/d (on its k qubits, d = 2^k), which
/// shrinks every traceless observable by exactly 1 − p. For one qubit, GlobalDepolarizing(p) = Depolarizing(3p/4).</para>
/// <para>Validation happens in the factories: every probability is finite and in [0, 1], sums of probabilities are at
/// most 1, and a Kraus set satisfies Σ K_i†K_i = I within 1e-10; a violation throws an
/// <see cref="ArgumentException"/> naming the value and the allowed range.</para>
/// <para>References: Nielsen and Chuang, <i>Quantum Computation and Quantum Information</i>, §8.3 (bit flip, phase
/// flip, depolarizing, amplitude and phase damping); Qiskit Aer's <c>thermal_relaxation_error</c> for the T1/T2
/// parameterisation.</para>
/// </remarks>
public sealed class NoiseChannel
{
    /// <summary>How far Σ K†K may be from I (largest entry of the difference).</summary>
    public const double KrausTolerance = 1e-10;

    /// <summary>The most qubits a channel may act on (its superoperator on a density matrix is 4^k × 4^k), except the
    /// global depolarizing channel, which may span a whole register.</summary>
    public const int MaxKrausQubits = 3;

    private readonly Complex[][] _kraus;

    private NoiseChannel(NoiseChannelKind kind, int qubits, double[] parameters, Complex[][] kraus, (double P, ulong X, ulong Z)[]? mixture)
    {
        Kind = kind;
        QubitCount = qubits;
        Parameters = [.. parameters];
        _kraus = kraus;
        PauliMixture = mixture;
    }

    /// <summary>The channel family.</summary>
    public NoiseChannelKind Kind { get; }

    /// <summary>Number of qubits k it acts on.</summary>
    public int QubitCount { get; }

    /// <summary>The defining numbers in the factory's order (p_x, p_y, p_z; p; γ; λ; T1, T2, t; empty for Kraus).</summary>
    public ImmutableArray<double> Parameters { get; }

    /// <summary>
    /// For channels that are mixtures of Pauli strings (Pauli, depolarizing, bit and phase flip, global depolarizing):
    /// the non-identity terms as (probability, X mask, Z mask) on local qubit indices; null otherwise. Trajectories draw
    /// from these directly instead of computing Kraus probabilities.
    /// </summary>
    internal (double P, ulong X, ulong Z)[]? PauliMixture { get; }

    /// <summary>True when the channel is a probabilistic mixture of Pauli strings.</summary>
    public bool IsPauliMixture => PauliMixture is not null;

    /// <summary>The Kraus operators, each 2^k × 2^k row-major (for the global depolarizing channel on many qubits these
    /// are 4^k matrices: ask only for small k).</summary>
    public IReadOnlyList<Complex[,]> KrausOperators()
    {
        if (_kraus.Length == 0 && Kind == NoiseChannelKind.GlobalDepolarizing)
        {
            if (QubitCount > MaxKrausQubits)
                throw new InvalidOperationException($"a {QubitCount}-qubit global depolarizing channel has 4^{QubitCount} Kraus operators; they are listed for at most {MaxKrausQubits} qubits.");
            return PauliKraus(QubitCount, GlobalMixture(QubitCount, Parameters[0])).Select(ToMatrix).ToList();
        }
        return _kraus.Select(ToMatrix).ToList();
    }

    internal Complex[][] KrausRowMajor => _kraus.Length > 0 || Kind != NoiseChannelKind.GlobalDepolarizing
        ? _kraus : PauliKraus(QubitCount, GlobalMixture(QubitCount, Parameters[0]));

    private Complex[,] ToMatrix(Complex[] k)
    {
        int d = 1 << QubitCount;
        var m = new Complex[d, d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) m[r, c] = k[r * d + c];
        return m;
    }

    /// <summary>
    /// The superoperator S = Σ_i K_i ⊗ conj(K_i) acting on vec(ρ) with the ket index in the low k bits and the bra index
    /// in the high k bits: S[(a + d·b), (a' + d·b')] = Σ_i K_i[a, a'] conj(K_i[b, b']). Row-major, 4^k × 4^k.
    /// </summary>
    internal Complex[] Superoperator()
    {
        int d = 1 << QubitCount, d2 = d * d;
        var s = new Complex[d2 * d2];
        foreach (var k in KrausRowMajor)
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    for (int a2 = 0; a2 < d; a2++)
                    {
                        Complex ka = k[a * d + a2];
                        if (ka == Complex.Zero) continue;
                        for (int b2 = 0; b2 < d; b2++)
                            s[(a + d * b) * d2 + a2 + d * b2] += ka * Complex.Conjugate(k[b * d + b2]);
                    }
        return s;
    }

    /// <summary>Pauli channel ρ ↦ (1 − p_x − p_y − p_z)ρ + p_x XρX + p_y YρY + p_z ZρZ on one qubit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A probability that is not finite, is outside [0, 1], or a sum above 1.</exception>
    public static NoiseChannel Pauli(double px, double py, double pz)
    {
        CheckProbability(px, nameof(px));
        CheckProbability(py, nameof(py));
        CheckProbability(pz, nameof(pz));
        CheckSum(px + py + pz, "p_x + p_y + p_z");
        return FromMixture(NoiseChannelKind.Pauli, 1, [px, py, pz], [(px, 1, 0), (py, 1, 1), (pz, 0, 1)]);
    }

    /// <summary>One-qubit depolarizing channel: the Pauli channel with p_x = p_y = p_z = p/3. The Bloch vector shrinks
    /// by 1 − 4p/3 (p in [0, 1]; p = 3/4 maps every state to I/2).</summary>
    public static NoiseChannel Depolarizing(double p)
    {
        CheckProbability(p, nameof(p));
        double t = p / 3;
        return FromMixture(NoiseChannelKind.Depolarizing, 1, [p], [(t, 1, 0), (t, 1, 1), (t, 0, 1)]);
    }

    /// <summary>Two-qubit depolarizing channel: each of the 15 non-identity Pauli strings on the two qubits with
    /// probability p/15 (Cirq's <c>depolarize(p, n_qubits=2)</c>).</summary>
    public static NoiseChannel TwoQubitDepolarizing(double p)
    {
        CheckProbability(p, nameof(p));
        var terms = new List<(double, ulong, ulong)>();
        for (ulong x = 0; x < 4; x++)
            for (ulong z = 0; z < 4; z++)
                if ((x | z) != 0) terms.Add((p / 15, x, z));
        return FromMixture(NoiseChannelKind.TwoQubitDepolarizing, 2, [p], [.. terms]);
    }

    /// <summary>
    /// Global depolarizing channel on <paramref name="qubitCount"/> qubits: ρ ↦ (1 − p)ρ + p·Tr_k(ρ) ⊗ I/2^k. Every
    /// traceless observable on those qubits shrinks by exactly 1 − p. As a Pauli mixture: each of the 4^k Pauli
    /// strings (identity included) with probability p/4^k.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">p outside [0, 1] or a qubit count outside 1..30.</exception>
    public static NoiseChannel GlobalDepolarizing(double p, int qubitCount = 1)
    {
        CheckProbability(p, nameof(p));
        if (qubitCount < 1 || qubitCount > Circuits.Circuit.MaxQubits)
            ThrowHelper.ArgumentOutOfRange(nameof(qubitCount), qubitCount, $"1..{Circuits.Circuit.MaxQubits} qubits");
        // The mixture is not listed term by term (4^k of them): trajectories draw a uniform Pauli string with probability p.
        return new NoiseChannel(NoiseChannelKind.GlobalDepolarizing, qubitCount, [p], [], []);
    }

    private static (double, ulong, ulong)[] GlobalMixture(int k, double p)
    {
        int d2 = 1 << (2 * k);
        var t = new List<(double, ulong, ulong)>();
        for (ulong x = 0; x < 1UL << k; x++)
            for (ulong z = 0; z < 1UL << k; z++)
                if ((x | z) != 0) t.Add((p / d2, x, z));
        return [.. t];
    }

    /// <summary>Bit flip: ρ ↦ (1 − p)ρ + p XρX.</summary>
    public static NoiseChannel BitFlip(double p)
    {
        CheckProbability(p, nameof(p));
        return FromMixture(NoiseChannelKind.BitFlip, 1, [p], [(p, 1, 0)]);
    }

    /// <summary>Phase flip: ρ ↦ (1 − p)ρ + p ZρZ.</summary>
    public static NoiseChannel PhaseFlip(double p)
    {
        CheckProbability(p, nameof(p));
        return FromMixture(NoiseChannelKind.PhaseFlip, 1, [p], [(p, 0, 1)]);
    }

    /// <summary>Amplitude damping: K0 = diag(1, √(1−γ)), K1 = √γ |0⟩⟨1|. After k applications to |1⟩, P(1) = (1 − γ)^k.</summary>
    public static NoiseChannel AmplitudeDamping(double gamma)
    {
        CheckProbability(gamma, nameof(gamma));
        return new NoiseChannel(NoiseChannelKind.AmplitudeDamping, 1, [gamma], AmplitudeDampingKraus(gamma), null);
    }

    /// <summary>Phase damping: K0 = diag(1, √(1−λ)), K1 = √λ |1⟩⟨1|; populations stay, coherences shrink by √(1 − λ).</summary>
    public static NoiseChannel PhaseDamping(double lambda)
    {
        CheckProbability(lambda, nameof(lambda));
        return new NoiseChannel(NoiseChannelKind.PhaseDamping, 1, [lambda], PhaseDampingKraus(lambda), null);
    }

    /// <summary>
    /// Thermal relaxation at zero temperature during a gate of duration t: amplitude damping with γ = 1 − e^{−t/T1}
    /// followed by phase damping with λ = 1 − e^{t/T1 − 2t/T2}, so populations relax as e^{−t/T1} and coherences as
    /// e^{−t/T2}. Requires T1 &gt; 0, 0 &lt; T2 ≤ 2·T1 and t ≥ 0 (any consistent time unit).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A non-finite or out-of-range time, or T2 &gt; 2·T1.</exception>
    public static NoiseChannel ThermalRelaxation(double t1, double t2, double time)
    {
        if (!double.IsFinite(t1) || t1 <= 0) ThrowHelper.ArgumentOutOfRange(nameof(t1), t1, "a finite time > 0");
        if (!double.IsFinite(t2) || t2 <= 0) ThrowHelper.ArgumentOutOfRange(nameof(t2), t2, "a finite time > 0");
        if (t2 > 2 * t1)
            throw new ArgumentOutOfRangeException(nameof(t2), t2, $"t2 = {Fmt(t2)} exceeds 2·t1 = {Fmt(2 * t1)}; a physical qubit has T2 ≤ 2·T1.");
        if (!double.IsFinite(time) || time < 0) ThrowHelper.ArgumentOutOfRange(nameof(time), time, "a finite gate time ≥ 0");
        double gamma = -double.ExpM1(-time / t1);
        double lambda = Math.Clamp(-double.ExpM1(time / t1 - 2 * time / t2), 0, 1); // exponent ≤ 0 when T2 ≤ 2T1
        var ad = AmplitudeDampingKraus(gamma);
        var pd = PhaseDampingKraus(lambda);
        var kraus = new List<Complex[]>();
        foreach (var b in pd)
            foreach (var a in ad) kraus.Add(Multiply2(b, a));
        return new NoiseChannel(NoiseChannelKind.ThermalRelaxation, 1, [t1, t2, time], [.. kraus], null);
    }

    /// <summary>
    /// A general channel from its Kraus operators, each 2^k × 2^k on k = 1..3 qubits (matrix index bit j = target j).
    /// </summary>
    /// <exception cref="ArgumentException">No operators, mismatched or non-square shapes, a non-finite entry, or
    /// Σ K_i†K_i differing from I by more than <see cref="KrausTolerance"/> (the message names the deviation).</exception>
    public static NoiseChannel Kraus(IReadOnlyList<Complex[,]> operators)
    {
        ArgumentNullException.ThrowIfNull(operators);
        if (operators.Count == 0) throw new ArgumentException("a Kraus channel needs at least one operator.", nameof(operators));
        int d = operators[0].GetLength(0);
        if (d < 2 || !BitOperations.IsPow2(d) || d > 1 << MaxKrausQubits)
            throw new ArgumentException($"Kraus operator 0 is {d} × {operators[0].GetLength(1)}; a channel on k = 1..{MaxKrausQubits} qubits needs 2^k × 2^k matrices.", nameof(operators));
        var rows = new Complex[operators.Count][];
        for (int i = 0; i < operators.Count; i++)
        {
            var m = operators[i] ?? throw new ArgumentNullException(nameof(operators), $"Kraus operator {i} is null.");
            if (m.GetLength(0) != d || m.GetLength(1) != d)
                throw new ArgumentException($"Kraus operator {i} is {m.GetLength(0)} × {m.GetLength(1)}, but operator 0 is {d} × {d}; all must have the same square shape.", nameof(operators));
            rows[i] = new Complex[d * d];
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++)
                {
                    var v = m[r, c];
                    if (!double.IsFinite(v.Real) || !double.IsFinite(v.Imaginary))
                        throw new ArgumentException($"Kraus operator {i} entry ({r}, {c}) = {v} is not finite.", nameof(operators));
                    rows[i][r * d + c] = v;
                }
        }
        double deviation = CompletenessDeviation(rows, d);
        if (!(deviation <= KrausTolerance))
            throw new ArgumentException(
                $"the Kraus operators are not trace preserving: Σ K†K differs from the identity by {deviation.ToString("G3", CultureInfo.InvariantCulture)} (largest entry); allowed: at most {KrausTolerance:G1}.",
                nameof(operators));
        return new NoiseChannel(NoiseChannelKind.Kraus, BitOperations.Log2((uint)d), [], rows, null);
    }

    /// <summary>Largest |(Σ K†K − I)_{rc}|.</summary>
    internal static double CompletenessDeviation(Complex[][] kraus, int d)
    {
        double worst = 0;
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
            {
                Complex s = r == c ? -Complex.One : Complex.Zero;
                foreach (var k in kraus)
                    for (int j = 0; j < d; j++) s += Complex.Conjugate(k[j * d + r]) * k[j * d + c];
                worst = Math.Max(worst, s.Magnitude);
            }
        return worst;
    }

    /// <summary>A short readable form, e.g. <c>depolarizing(0.01)</c> or <c>pauli(0.01,0.005,0.02)</c>.</summary>
    public string Name => Kind switch
    {
        NoiseChannelKind.Pauli => "pauli",
        NoiseChannelKind.Depolarizing => "depolarizing",
        NoiseChannelKind.TwoQubitDepolarizing => "depolarizing2",
        NoiseChannelKind.GlobalDepolarizing => "global-depolarizing",
        NoiseChannelKind.BitFlip => "bit-flip",
        NoiseChannelKind.PhaseFlip => "phase-flip",
        NoiseChannelKind.AmplitudeDamping => "amplitude-damping",
        NoiseChannelKind.PhaseDamping => "phase-damping",
        NoiseChannelKind.ThermalRelaxation => "thermal-relaxation",
        _ => "kraus",
    };

    /// <inheritdoc/>
    public override string ToString() => Kind == NoiseChannelKind.Kraus
        ? $"kraus({_kraus.Length} operators on {QubitCount} qubit{(QubitCount == 1 ? "" : "s")})"
        : $"{Name}({string.Join(",", Parameters.Select(Fmt))})";

    private static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static NoiseChannel FromMixture(NoiseChannelKind kind, int qubits, double[] parameters, (double P, ulong X, ulong Z)[] terms) =>
        new(kind, qubits, parameters, PauliKraus(qubits, terms), [.. terms.Where(t => t.P > 0)]);

    /// <summary>Kraus operators √(1 − Σp) I and √p_t P_t of a Pauli mixture.</summary>
    private static Complex[][] PauliKraus(int qubits, (double P, ulong X, ulong Z)[] terms)
    {
        double rest = 1;
        foreach (var t in terms) rest -= t.P;
        var list = new List<Complex[]> { Scaled(PauliMatrix(qubits, 0, 0), Math.Sqrt(Math.Max(0, rest))) };
        foreach (var t in terms)
            if (t.P > 0) list.Add(Scaled(PauliMatrix(qubits, t.X, t.Z), Math.Sqrt(t.P)));
        return [.. list];
    }

    /// <summary>The matrix of i^{|x∧z|} X^x Z^z (Y where both bits are set), row-major.</summary>
    internal static Complex[] PauliMatrix(int qubits, ulong x, ulong z)
    {
        int d = 1 << qubits;
        var m = new Complex[d * d];
        Complex phase = Simulation.DensityOperations.IPower(BitOperations.PopCount(x & z));
        for (int c = 0; c < d; c++)
        {
            int r = c ^ (int)x;
            double sign = (BitOperations.PopCount((ulong)c & z) & 1) == 0 ? 1 : -1;
            m[r * d + c] = phase * sign;
        }
        return m;
    }

    private static Complex[] Scaled(Complex[] m, double s)
    {
        for (int i = 0; i < m.Length; i++) m[i] *= s;
        return m;
    }

    private static Complex[][] AmplitudeDampingKraus(double gamma) =>
        [[1, 0, 0, Math.Sqrt(1 - gamma)], [0, Math.Sqrt(gamma), 0, 0]];

    private static Complex[][] PhaseDampingKraus(double lambda) =>
        [[1, 0, 0, Math.Sqrt(1 - lambda)], [0, 0, 0, Math.Sqrt(lambda)]];

    private static Complex[] Multiply2(Complex[] a, Complex[] b) =>
        [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]];

    private static void CheckProbability(double p, string name)
    {
        if (!double.IsFinite(p) || p < 0 || p > 1) ThrowHelper.ArgumentOutOfRange(name, p, "a probability in [0, 1]");
    }

    private static void CheckSum(double sum, string what)
    {
        if (sum > 1 + 1e-12)
            throw new ArgumentOutOfRangeException(what, sum, $"{what} = {Fmt(sum)} exceeds 1; the probabilities of a channel sum to at most 1.");
    }
}
