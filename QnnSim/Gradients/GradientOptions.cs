using QnnSim.Simulation;

namespace QnnSim.Gradients;

/// <summary>
/// How <see cref="Differentiator"/> computes derivatives of a Pauli readout ⟨O⟩ = ⟨ψ|U(θ, x)† O U(θ, x)|ψ⟩.
/// All three give the same numbers up to their error; they differ in cost, in what hardware could run, and in
/// rounding.
/// </summary>
public enum GradientMethod
{
    /// <summary>
    /// Adjoint differentiation (default): one forward sweep, then one backward sweep that undoes each step on ψ and
    /// on the co-state λ = Oψ and reads ∂⟨O⟩/∂φ = 2 Im⟨λ|G|ψ⟩ at every parameterised step with generator G
    /// (Im⟨λ|P|ψ⟩ for R_P(φ) = e^{−iφP/2}). Cost about three forward passes for all p derivatives; memory two state
    /// vectors beyond the input (ψ and λ). Exact to rounding (≈ 1e-14). Needs the amplitudes, so simulators only.
    /// Jones and Gacon, "Efficient calculation of gradients in classical simulations of variational quantum
    /// algorithms", arXiv:2009.02823 (2020).
    /// </summary>
    Adjoint,

    /// <summary>
    /// Parameter-shift rule: exact derivatives from expectation values of shifted circuits, the method hardware uses.
    /// Two evaluations per parameterised step whose generator has two eigenvalues one apart (uncontrolled Pauli
    /// rotations, phase gates, controlled global phases): f'(φ) = [f(φ + π/2) − f(φ − π/2)]/2; four for controlled
    /// rotations (eigenvalues 0, ±1/2): f' = c₊[f(φ + π/2) − f(φ − π/2)] − c₋[f(φ + 3π/2) − f(φ − 3π/2)],
    /// c± = (√2 ± 1)/(4√2). Cost O(steps) forward passes, so O(steps²) gate applications. Mitarai et al., PRA 98,
    /// 032309 (2018); Schuld et al., PRA 99, 032331 (2019); Anselmetti et al., New J. Phys. 23, 113010 (2021).
    /// </summary>
    ParameterShift,

    /// <summary>
    /// Central finite differences [f(v + h) − f(v − h)]/(2h) over each θ_j (and x_j), step
    /// <see cref="GradientOptions.FiniteDifferenceStep"/>. Two forward passes per variable; truncation error O(h²)
    /// and rounding error O(ε/h), about 1e-10 at h = 1e-5. For checking only.
    /// </summary>
    FiniteDifference,
}

/// <summary>Settings of a <see cref="Differentiator"/>. Immutable; derive variants with <c>with</c>.</summary>
public sealed record GradientOptions
{
    /// <summary>The defaults: adjoint, h = 1e-5, default simulation options, all cores.</summary>
    public static GradientOptions Default { get; } = new();

    /// <summary>The differentiation method (default <see cref="GradientMethod.Adjoint"/>).</summary>
    public GradientMethod Method { get; init; } = GradientMethod.Adjoint;

    /// <summary>Step h of central finite differences (default 1e-5; must be finite and positive).</summary>
    /// <exception cref="ArgumentOutOfRangeException">h is not finite or not positive.</exception>
    public double FiniteDifferenceStep
    {
        get => _step;
        init
        {
            if (!double.IsFinite(value) || value <= 0) ThrowHelper.ArgumentOutOfRange(nameof(FiniteDifferenceStep), value, "a finite step h > 0");
            _step = value;
        }
    }

    private readonly double _step = 1e-5;

    /// <summary>Options of the underlying simulator (threads inside one state update, kernel path).</summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    public SimulationOptions Simulation
    {
        get => _simulation;
        init => _simulation = value ?? throw new ArgumentNullException(nameof(Simulation));
    }

    private readonly SimulationOptions _simulation = SimulationOptions.Default;

    /// <summary>
    /// Most threads used over samples (Jacobians, vector–Jacobian products) and over shifted circuits (shot-based
    /// parameter shift); default <see cref="Environment.ProcessorCount"/>, at least 1. Each sample is computed by one
    /// thread and written to its own rows, so results do not depend on this value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _parallelism;
        init
        {
            if (value < 1) ThrowHelper.ArgumentOutOfRange(nameof(MaxDegreeOfParallelism), value, "at least 1 thread");
            _parallelism = value;
        }
    }

    private readonly int _parallelism = Environment.ProcessorCount;
}

/// <summary>Settings of one <see cref="Differentiator.Jacobian(Circuits.Circuit, Circuits.ParameterValues, IReadOnlyList{Circuits.InputValues}, IReadOnlyList{Observables.PauliSum}, JacobianOptions?, IProgress{int}?, CancellationToken)"/> call.</summary>
public sealed record JacobianOptions
{
    /// <summary>Also compute the input Jacobian ∂⟨O_j⟩(x_i)/∂x_i (default false).</summary>
    public bool IncludeInputs { get; init; }
}
