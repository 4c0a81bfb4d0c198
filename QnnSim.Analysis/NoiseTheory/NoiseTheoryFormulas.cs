using QnnSim.Observables;

namespace QnnSim.Analysis.NoiseTheory;

/// <summary>
/// Closed forms for the paper's model (You, Chakrabarti, Chen, Wu, ICML 2023, arXiv:2303.14844) under depolarizing
/// noise: docs/theory.md, section "Noise". All assume the e^{−iθH} convention of <see cref="TheoryFormulas"/>.
/// </summary>
public static class NoiseTheoryFormulas
{
    /// <summary>
    /// (1 − p)^L: the factor by which L global depolarizing channels ρ ↦ (1 − p)ρ + p·I/d, placed anywhere between the
    /// unitaries, scale every traceless expectation value, hence every output ŷ_i and every gradient ∂ŷ_i/∂θ_l.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">p outside [0, 1] or L negative.</exception>
    public static double GlobalOutputScale(double p, int channels)
    {
        CheckProbability(p, nameof(p));
        if (channels < 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels = {channels} is out of range; allowed: at least 0.");
        return Math.Pow(1 - p, channels);
    }

    /// <summary>(1 − p)^{2L}: the factor on the tangent kernel K = J Jᵀ under L global depolarizing channels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p outside [0, 1] or L negative.</exception>
    public static double GlobalKernelScale(double p, int channels)
    {
        double s = GlobalOutputScale(p, channels);
        return s * s;
    }

    /// <summary>
    /// The per-channel probability p with (1 − p)^L = <paramref name="scale"/>: p = 1 − scale^{1/L}.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">scale outside (0, 1] or L below 1.</exception>
    public static double GlobalProbabilityForScale(double scale, int channels)
    {
        if (!(scale > 0 && scale <= 1)) throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale = {scale} is out of range; allowed: (0, 1].");
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels = {channels} is out of range; allowed: at least 1.");
        return 1 - Math.Pow(scale, 1.0 / channels);
    }

    /// <summary>λ = 1 − 4q/3: the one-qubit depolarizing channel of strength q (X, Y, Z each with probability q/3)
    /// multiplies X, Y and Z by λ, so a Pauli string of weight w by λ^w.</summary>
    /// <exception cref="ArgumentOutOfRangeException">q outside [0, 1].</exception>
    public static double DepolarizingShrink(double q)
    {
        CheckProbability(q, nameof(q));
        return 1 - 4 * q / 3;
    }

    /// <summary>
    /// F = ((1 + 3λ²)^n − 1)/(4^n − 1): the factor on the second moment E[X ⊗ X] of a traceless operator carried through
    /// one Haar-random unitary on n qubits followed by depolarizing noise (shrink λ) on every qubit. After the Haar twirl
    /// the second moment is proportional to Σ_{P ≠ I} P ⊗ P; the noise weighs each string by λ^{2w(P)}; the next twirl
    /// keeps only the sum Σ_{P ≠ I} λ^{2w(P)} = (1 + 3λ²)^n − 1 out of 4^n − 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n outside 1..30 or λ outside [−1/3, 1].</exception>
    public static double LayerFactor(int qubits, double lambda)
    {
        CheckQubits(qubits);
        CheckLambda(lambda);
        double l2 = lambda * lambda;
        return (Math.Pow(1 + 3 * l2, qubits) - 1) / (Math.Pow(4, qubits) - 1);
    }

    /// <summary>
    /// S_H(λ) = Σ_{Q anticommuting with H} λ^{2w(Q)} over the n-qubit Pauli strings Q:
    /// (1 + 3λ²)^{n − w_H} · ((1 + 3λ²)^{w_H} − (1 − λ²)^{w_H})/2 for a generator of weight w_H (d²/2 at λ = 1).
    /// On a qubit where H acts, two of the three Paulis anticommute with H's factor (2λ²) and one commutes (λ²), and Q
    /// anticommutes with H when an odd number of those qubits carry an anticommuting factor.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n outside 1..30, λ outside [−1/3, 1], or H wider than n qubits.</exception>
    public static double AnticommutingWeightSum(int qubits, PauliString generator, double lambda)
    {
        ArgumentNullException.ThrowIfNull(generator);
        CheckQubits(qubits);
        CheckLambda(lambda);
        if (generator.IsIdentity || generator.RequiredQubits > qubits)
            throw new ArgumentOutOfRangeException(nameof(generator), generator.ToString(), $"generator {generator} is out of range; allowed: a non-identity Pauli string on qubits 0..{qubits - 1}.");
        double l2 = lambda * lambda;
        int w = generator.Weight;
        return Math.Pow(1 + 3 * l2, qubits - w) * (Math.Pow(1 + 3 * l2, w) - Math.Pow(1 - l2, w)) / 2;
    }

    /// <summary>
    /// The exact ratio E[K_ij(noisy)]/E[K_ij(noiseless)] at Haar initialisation for the paper's model with one-qubit
    /// depolarizing noise of strength q on every qubit after every Haar unitary W_1 … W_{p+1}:
    /// R = F^{p−1} · λ^{2w(P)} · 2S_H(λ)/d², the same for every pair (i, j). For derivative l, the l − 1 channels after
    /// W_1 … W_{l−1} and the p − l channels after W_{l+1} … W_p sit between two Haar twirls (F each); the channel after
    /// W_l meets the generator H (2S_H/d²); the channel after W_{p+1} meets the readout P (λ^{2w(P)}).
    /// </summary>
    /// <param name="qubits">n, 1..30.</param>
    /// <param name="layers">p ≥ 1.</param>
    /// <param name="q">Depolarizing strength in [0, 1] (λ = 1 − 4q/3; only λ² enters).</param>
    /// <param name="generator">H (a non-identity Pauli string).</param>
    /// <param name="readout">P in M0 = γP (a non-identity Pauli string).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range.</exception>
    public static double LocalDepolarizingKernelRatio(int qubits, int layers, double q, PauliString generator, PauliString readout)
    {
        ArgumentNullException.ThrowIfNull(readout);
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers = {layers} is out of range; allowed: at least 1.");
        if (readout.IsIdentity || readout.RequiredQubits > qubits)
            throw new ArgumentOutOfRangeException(nameof(readout), readout.ToString(), $"readout {readout} is out of range; allowed: a non-identity Pauli string on qubits 0..{qubits - 1}.");
        double lambda = DepolarizingShrink(q);
        double f = LayerFactor(qubits, lambda);
        double d2 = Math.Pow(4, qubits);
        return Math.Pow(f, layers - 1) * Math.Pow(lambda * lambda, readout.Weight) * 2 * AnticommutingWeightSum(qubits, generator, lambda) / d2;
    }

    /// <summary>
    /// E[K_ii] of the paper's model (pure inputs, M0 = γ·P, Pauli H) with local depolarizing noise q after every Haar
    /// unitary: <see cref="LocalDepolarizingKernelRatio"/> × <see cref="TheoryFormulas.HaarMeanKernelDiagonal"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range.</exception>
    public static double LocalDepolarizingMeanKernelDiagonal(int qubits, int layers, double q, double gamma, PauliString generator, PauliString readout) =>
        LocalDepolarizingKernelRatio(qubits, layers, q, generator, readout) * TheoryFormulas.HaarMeanKernelDiagonal(1 << qubits, layers, gamma);

    /// <summary>
    /// The residual floor of one sample under an output scale s (outputs confined to s·[−γ, γ]): max(0, |y| − sγ).
    /// No θ can bring |ŷ − y| below it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">γ or s negative or not finite.</exception>
    public static double ResidualFloor(double label, double gamma, double scale)
    {
        if (!(gamma >= 0) || !double.IsFinite(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"gamma = {gamma} is out of range; allowed: a finite number ≥ 0.");
        if (!(scale >= 0) || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale = {scale} is out of range; allowed: a finite number ≥ 0.");
        return Math.Max(0, Math.Abs(label) - scale * gamma);
    }

    private static void CheckProbability(double p, string name)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(name, p, $"{name} = {p} is out of range; allowed: [0, 1].");
    }

    private static void CheckQubits(int n)
    {
        if (n < 1 || n > 30) throw new ArgumentOutOfRangeException("qubits", n, $"qubits = {n} is out of range; allowed: 1..30.");
    }

    private static void CheckLambda(double lambda)
    {
        if (!(lambda >= -1.0 / 3 - 1e-15 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, $"lambda = {lambda} is out of range; allowed: [−1/3, 1] (λ = 1 − 4q/3, q in [0, 1]).");
    }
}
