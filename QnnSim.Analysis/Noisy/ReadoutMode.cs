using System.Globalization;

namespace QnnSim.Analysis;

/// <summary>
/// How a model's outputs and derivatives are read out: exactly (⟨O⟩ = Tr(Oρ), derivatives by the adjoint method or
/// the exact shift rule), or from a finite number of shots per expectation, as hardware would.
/// </summary>
/// <remarks>
/// <para>With <see cref="Shots(int, ulong)"/> every expectation — each output f_o(x_i; θ) and each shifted expectation
/// of the parameter-shift rule behind a Jacobian entry — is estimated from <see cref="ShotsPerTerm"/> shots per
/// non-identity Pauli term of the readout (each term measured in its own basis; the estimate of a term with
/// expectation e has variance (1 − e²)/N). Gradients are then the shot-based parameter-shift estimates (Mari, Bromley
/// and Killoran, PRA 103, 012405 (2021); Schuld et al., PRA 99, 032331 (2019)), unbiased, and training with them is
/// stochastic gradient descent driven by shot noise (Sweke et al., Quantum 4, 314 (2020)).</para>
/// <para>Reproducibility: the c-th evaluation call of a bound evaluator (0, 1, 2, …) draws the shots of sample s and
/// readout o from the stream (<see cref="Seed"/>, c, s, o) only, so a run is bit-identical for any thread count and any
/// batch composition, and two evaluators bound with the same seed repeat each other call for call.</para>
/// </remarks>
public sealed record ReadoutMode
{
    private ReadoutMode(int? shotsPerTerm, ulong seed)
    {
        ShotsPerTerm = shotsPerTerm;
        Seed = seed;
    }

    /// <summary>Exact expectations and derivatives (the default).</summary>
    public static ReadoutMode Exact { get; } = new(null, 0);

    /// <summary>Finite shots: <paramref name="shotsPerTerm"/> shots per Pauli term per expectation, seeded by <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shotsPerTerm"/> below 1.</exception>
    public static ReadoutMode Shots(int shotsPerTerm, ulong seed = 0)
    {
        if (shotsPerTerm < 1)
            throw new ArgumentOutOfRangeException(nameof(shotsPerTerm), shotsPerTerm, $"shotsPerTerm = {shotsPerTerm} is out of range; allowed: at least 1 shot.");
        return new ReadoutMode(shotsPerTerm, seed);
    }

    /// <summary>Shots per Pauli term per expectation, or null for exact readout.</summary>
    public int? ShotsPerTerm { get; }

    /// <summary>The seed of the shot streams (0 for exact readout).</summary>
    public ulong Seed { get; }

    /// <summary>True for exact readout.</summary>
    public bool IsExact => ShotsPerTerm is null;

    /// <summary>"exact" or "shots=N,seed=S" (the form recorded in JSON output).</summary>
    public override string ToString() => ShotsPerTerm is int n
        ? string.Create(CultureInfo.InvariantCulture, $"shots={n},seed={Seed}")
        : "exact";
}
