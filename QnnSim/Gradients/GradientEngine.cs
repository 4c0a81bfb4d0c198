using System.Numerics;
using QnnSim.Simulation;

namespace QnnSim.Gradients;

/// <summary>
/// The three gradient methods on lowered programs. No validation here: <see cref="Differentiator"/> checks every
/// argument once. Gradients are written row-major per observable: row o of a k × p block is ∂⟨O_o⟩/∂θ.
/// </summary>
internal static class GradientEngine
{
    private static readonly double CPlus = (Math.Sqrt(2) + 1) / (4 * Math.Sqrt(2));
    private static readonly double CMinus = (Math.Sqrt(2) - 1) / (4 * Math.Sqrt(2));

    private static readonly (double Shift, double Coefficient)[] TwoTerm = [(Math.PI / 2, 0.5), (-Math.PI / 2, -0.5)];

    private static readonly (double Shift, double Coefficient)[] FourTerm =
        [(Math.PI / 2, CPlus), (-Math.PI / 2, -CPlus), (3 * Math.PI / 2, -CMinus), (-3 * Math.PI / 2, CMinus)];

    /// <summary>
    /// The shift rule of a parameterised step. The generators are G = P/2 (Pauli rotation), −|1⟩⟨1| (phase shift) and
    /// −I (global phase), each on the control subspace Π_c. f(φ) = ⟨ψ|e^{iφG} A e^{−iφG}|ψ⟩ is a trigonometric
    /// polynomial whose frequencies are the differences of G's eigenvalues:
    /// uncontrolled P/2 has {±1/2} → frequency 1; −|1⟩⟨1| and −Π_c have {0, −1} → frequency 1; Π_c ⊗ P/2 with controls
    /// has {0, ±1/2} → frequencies 1/2 and 1. For a single frequency 1, f = a + b cos φ + c sin φ and
    /// f(φ + π/2) − f(φ − π/2) = 2(c cos φ − b sin φ) = 2 f'(φ). For frequencies {1/2, 1} the four-term rule with
    /// c± = (√2 ± 1)/(4√2) is exact: it needs 2c₊ + 2c₋ = 1 (frequency 1) and √2 (c₊ − c₋) = 1/2 (frequency 1/2).
    /// An uncontrolled global phase does not change ⟨O⟩: no terms.
    /// </summary>
    public static ReadOnlySpan<(double Shift, double Coefficient)> ShiftRule(Primitive step) => step.Kind switch
    {
        PrimitiveKind.PauliRotation => step.CtrlMask == 0 ? TwoTerm : FourTerm,
        PrimitiveKind.PhaseShift => TwoTerm,
        PrimitiveKind.GlobalPhase => step.CtrlMask == 0 ? [] : TwoTerm,
        _ => throw new System.Diagnostics.UnreachableException($"step kind {step.Kind} has no parameter."),
    };

    /// <summary>ψ ← initial (or |0…0⟩), then ψ ← U ψ.</summary>
    public static void Forward(CircuitProgram program, ReadOnlySpan<double> angles, ReadOnlySpan<Complex> initial, Span<Complex> psi, SimulationOptions options)
    {
        if (initial.IsEmpty)
        {
            psi.Clear();
            psi[0] = Complex.One;
        }
        else initial.CopyTo(psi);
        StateOperations.Run(program, angles, psi, options);
    }

    /// <summary>
    /// Adjoint differentiation of k observables at once: one forward sweep, λ_o = O_o ψ, then one backward sweep
    /// undoing every step on ψ and on each λ_o and reading ∂⟨O_o⟩/∂φ_s = 2 Im⟨λ_o|G_s|ψ⟩ at step s, which
    /// <see cref="Circuits.Angle.AccumulateGradient"/> turns into ∂/∂θ and ∂/∂x. Memory: ψ and k co-states.
    /// </summary>
    /// <param name="program">The lowered circuit.</param>
    /// <param name="angles">Bound angles (may differ from what θ, x give: the Hessian shifts one of them).</param>
    /// <param name="parameters">θ, for the chain rule.</param>
    /// <param name="inputs">x, for the chain rule.</param>
    /// <param name="initial">The input state, or empty for |0…0⟩.</param>
    /// <param name="observables">k observables.</param>
    /// <param name="values">k outputs ⟨O_o⟩.</param>
    /// <param name="parameterGradient">k × p row-major (cleared first), or empty.</param>
    /// <param name="inputGradient">k × q row-major (cleared first), or empty.</param>
    /// <param name="workspace">ψ and at least k co-states of the right length.</param>
    /// <param name="options">Simulation options for the step updates.</param>
    /// <param name="cancellationToken">Checked once a step.</param>
    /// <param name="readouts">Extra observables evaluated on the final state (their values only).</param>
    /// <param name="readoutValues">Values of <paramref name="readouts"/>.</param>
    /// <param name="angleGradient">∂⟨O_0⟩/∂φ_s per angle slot (cleared first; constant-angle slots stay 0), or empty.</param>
    /// <param name="fuseBackward">With <see cref="SimulationOptions.Fusion"/>: undo each run of constant operations as
    /// one fused program (<see cref="BackwardPlan"/>); false undoes them step by step (for the benchmark's comparison).</param>
    public static void Adjoint(CircuitProgram program, ReadOnlySpan<double> angles, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs,
        ReadOnlySpan<Complex> initial, PauliTerms[] observables, Span<double> values, Span<double> parameterGradient, Span<double> inputGradient,
        GradientWorkspace workspace, SimulationOptions options, CancellationToken cancellationToken,
        PauliTerms[]? readouts = null, Span<double> readoutValues = default, Span<double> angleGradient = default, bool fuseBackward = true)
    {
        int k = observables.Length;
        int p = program.Circuit.ParameterCount, q = program.Circuit.InputCount;
        Span<Complex> psi = workspace.Psi;
        Forward(program, angles, initial, psi, options);
        if (readouts is not null)
            for (int r = 0; r < readouts.Length; r++) readoutValues[r] = StateOperations.Expectation(readouts[r], psi, options);
        for (int o = 0; o < k; o++)
        {
            StateOperations.ApplyObservable(observables[o], psi, workspace.Lambda[o], options);
            values[o] = StateOperations.InnerProduct(psi, workspace.Lambda[o], options).Real;
        }
        parameterGradient.Clear();
        inputGradient.Clear();
        angleGradient.Clear();
        bool wantP = !parameterGradient.IsEmpty && p > 0, wantX = !inputGradient.IsEmpty && q > 0, wantA = !angleGradient.IsEmpty;
        if (!wantP && !wantX && !wantA) return;

        var steps = program.Steps;
        var plan = options.Fusion && fuseBackward ? BackwardPlan.For(program) : null;
        for (int s = steps.Length - 1; s >= 0; s--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (plan is not null && plan.TryGetRun(s, out int runStart, out var inverse))
            {
                // A run of constant operations: undone as one fused program on ψ and every co-state.
                if (runStart == 0) break; // the states before the first step are not needed
                StateOperations.Run(inverse, default, psi, options);
                for (int o = 0; o < k; o++) StateOperations.Run(inverse, default, workspace.Lambda[o], options);
                s = runStart;
                continue;
            }
            var step = steps[s];
            double angle = step.AngleSlot >= 0 ? angles[step.AngleSlot] : 0.0;
            bool active = step.Angle is { IsConstant: false };
            if (active && k == 1 && StateOperations.FusesBackward(step))
            {
                // Fused: read Im⟨λ|P|ψ⟩ and undo the rotation on ψ and λ in one pass. The choice depends only on
                // the step and k, never on the thread count, so the sums are the same for any number of threads.
                double w = StateOperations.BackwardRotation(step, angle, workspace.Lambda[0], psi, options);
                Accumulate(step, parameters, inputs, w, parameterGradient, inputGradient, p, q, 0, wantP, wantX);
                if (wantA) angleGradient[step.AngleSlot] = w;
                continue;
            }
            if (active)
            {
                for (int o = 0; o < k; o++)
                {
                    double d = StateOperations.StepDerivative(step, workspace.Lambda[o], psi, options);
                    Accumulate(step, parameters, inputs, d, parameterGradient, inputGradient, p, q, o, wantP, wantX);
                    if (wantA && o == 0) angleGradient[step.AngleSlot] = d;
                }
            }
            if (s == 0) break; // the states before the first step are not needed
            StateOperations.ApplyInverse(step, angle, psi, options);
            for (int o = 0; o < k; o++) StateOperations.ApplyInverse(step, angle, workspace.Lambda[o], options);
        }
    }

    private static void Accumulate(Primitive step, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, double d,
        Span<double> parameterGradient, Span<double> inputGradient, int p, int q, int row, bool wantP, bool wantX)
    {
        if (d == 0) return;
        step.Angle!.AccumulateGradient(parameters, inputs, d,
            wantP ? parameterGradient.Slice(row * p, p) : default,
            wantX ? inputGradient.Slice(row * q, q) : default);
    }

    /// <summary>Runs the program with the given angles and writes ⟨O_o⟩ for every observable.</summary>
    public static void Evaluate(CircuitProgram program, ReadOnlySpan<double> angles, ReadOnlySpan<Complex> initial, PauliTerms[] observables,
        Span<double> values, Span<Complex> psi, SimulationOptions options)
    {
        Forward(program, angles, initial, psi, options);
        for (int o = 0; o < observables.Length; o++) values[o] = StateOperations.Expectation(observables[o], psi, options);
    }

    /// <summary>
    /// Parameter shift for k observables: for every step with a variable angle, ∂⟨O⟩/∂φ_s from the step's shift rule
    /// (angles[slot] shifted, every other angle fixed), then the chain rule to θ and x.
    /// </summary>
    public static void ParameterShift(CircuitProgram program, ReadOnlySpan<double> angles, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs,
        ReadOnlySpan<Complex> initial, PauliTerms[] observables, Span<double> values, Span<double> parameterGradient, Span<double> inputGradient,
        GradientWorkspace workspace, SimulationOptions options, CancellationToken cancellationToken)
    {
        int k = observables.Length;
        int p = program.Circuit.ParameterCount, q = program.Circuit.InputCount;
        Evaluate(program, angles, initial, observables, values, workspace.Psi, options);
        parameterGradient.Clear();
        inputGradient.Clear();
        bool wantP = !parameterGradient.IsEmpty && p > 0, wantX = !inputGradient.IsEmpty && q > 0;
        if (!wantP && !wantX) return;
        double[] shifted = workspace.Shifted(angles.Length);
        angles.CopyTo(shifted);
        Span<double> f = k <= 64 ? stackalloc double[k] : new double[k];
        Span<double> d = k <= 64 ? stackalloc double[k] : new double[k];
        foreach (var step in program.Steps)
        {
            if (step.Angle is not { IsConstant: false }) continue;
            cancellationToken.ThrowIfCancellationRequested();
            d.Clear();
            double original = angles[step.AngleSlot];
            foreach (var (shift, coefficient) in ShiftRule(step))
            {
                shifted[step.AngleSlot] = original + shift;
                Evaluate(program, shifted, initial, observables, f, workspace.Psi, options);
                for (int o = 0; o < k; o++) d[o] += coefficient * f[o];
            }
            shifted[step.AngleSlot] = original;
            for (int o = 0; o < k; o++) Accumulate(step, parameters, inputs, d[o], parameterGradient, inputGradient, p, q, o, wantP, wantX);
        }
    }

    /// <summary>Central differences [f(v + h e_j) − f(v − h e_j)]/(2h) over every θ_j and (when asked) every x_j.</summary>
    public static void FiniteDifference(CircuitProgram program, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs,
        ReadOnlySpan<Complex> initial, PauliTerms[] observables, Span<double> values, Span<double> parameterGradient, Span<double> inputGradient,
        GradientWorkspace workspace, SimulationOptions options, double h, CancellationToken cancellationToken)
    {
        int k = observables.Length;
        int p = program.Circuit.ParameterCount, q = program.Circuit.InputCount;
        double[] angles = workspace.Angles(program.AngleCount);
        program.BindAngles(parameters, inputs, angles);
        Evaluate(program, angles, initial, observables, values, workspace.Psi, options);
        parameterGradient.Clear();
        inputGradient.Clear();
        Span<double> fp = k <= 64 ? stackalloc double[k] : new double[k];
        Span<double> fm = k <= 64 ? stackalloc double[k] : new double[k];
        double[] theta = workspace.Theta(parameters.Length), x = workspace.Inputs(inputs.Length);
        parameters.CopyTo(theta);
        inputs.CopyTo(x);
        if (!parameterGradient.IsEmpty)
            CentralDifferences(theta, theta, x, program, angles, initial, observables, parameterGradient, fp, fm, workspace, options, h, cancellationToken);
        if (!inputGradient.IsEmpty)
            CentralDifferences(x, theta, x, program, angles, initial, observables, inputGradient, fp, fm, workspace, options, h, cancellationToken);
    }

    /// <summary>
    /// Central differences over one variable vector, <paramref name="variables"/> (θ or x, the same array as
    /// <paramref name="theta"/> or <paramref name="x"/>); the gradient is observable-major: [o · count + j].
    /// </summary>
    private static void CentralDifferences(double[] variables, double[] theta, double[] x, CircuitProgram program, double[] angles,
        ReadOnlySpan<Complex> initial, PauliTerms[] observables, Span<double> gradient, Span<double> fp, Span<double> fm,
        GradientWorkspace workspace, SimulationOptions options, double h, CancellationToken cancellationToken)
    {
        int k = observables.Length, count = variables.Length;
        for (int j = 0; j < count; j++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double v = variables[j];
            variables[j] = v + h;
            program.BindAngles(theta, x, angles);
            Evaluate(program, angles, initial, observables, fp, workspace.Psi, options);
            variables[j] = v - h;
            program.BindAngles(theta, x, angles);
            Evaluate(program, angles, initial, observables, fm, workspace.Psi, options);
            variables[j] = v;
            for (int o = 0; o < k; o++) gradient[o * count + j] = (fp[o] - fm[o]) / (2 * h);
        }
    }

    /// <summary>Dispatches to the chosen method.</summary>
    public static void Compute(GradientMethod method, double h, CircuitProgram program, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs,
        ReadOnlySpan<Complex> initial, PauliTerms[] observables, Span<double> values, Span<double> parameterGradient, Span<double> inputGradient,
        GradientWorkspace workspace, SimulationOptions options, CancellationToken cancellationToken)
    {
        switch (method)
        {
            case GradientMethod.Adjoint:
            case GradientMethod.ParameterShift:
            {
                double[] angles = workspace.Angles(program.AngleCount);
                program.BindAngles(parameters, inputs, angles);
                if (method == GradientMethod.Adjoint)
                    Adjoint(program, angles, parameters, inputs, initial, observables, values, parameterGradient, inputGradient, workspace, options, cancellationToken);
                else
                    ParameterShift(program, angles, parameters, inputs, initial, observables, values, parameterGradient, inputGradient, workspace, options, cancellationToken);
                break;
            }
            case GradientMethod.FiniteDifference:
                FiniteDifference(program, parameters, inputs, initial, observables, values, parameterGradient, inputGradient, workspace, options, h, cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, $"unknown gradient method {method}; allowed: Adjoint, ParameterShift, FiniteDifference.");
        }
    }
}
