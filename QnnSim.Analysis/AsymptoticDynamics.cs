using System.Numerics;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>One point of an integrated asymptotic trajectory.</summary>
/// <param name="Time">Rescaled time s.</param>
/// <param name="Residuals">r_j = tr(ρ_j M(s)) − y_j.</param>
/// <param name="ResidualNorm">‖r‖.</param>
/// <param name="KernelTrace">tr(c·K̃(M(s))), the per-layer kernel trace (the QNTK is about p times this).</param>
/// <param name="TraceM2">tr M(s)² (conserved).</param>
/// <param name="TraceM4">tr M(s)⁴ (conserved).</param>
public sealed record AsymptoticPoint(double Time, double[] Residuals, double ResidualNorm, double KernelTrace, double TraceM2, double TraceM4);

/// <summary>
/// The asymptotic dynamics of over-parameterised QNNs (You et al., ICML 2023, arXiv:2303.14844; docs/theory.md §3c):
/// for p → ∞ at fixed d with Haar layers and η = η0/p, in rescaled time s,
/// dM/ds = −c Σ_j r_j [M, [M, ρ_j]], r_j = tr(ρ_j M) − y_j, M(0) = U(θ_0)† M0 U(θ_0),
/// so dr/ds = −c K̃(M) r with K̃_ij = −tr([M, ρ_i][M, ρ_j]) and the QNTK K(s) ≈ p·c·K̃(M(s)).
/// </summary>
/// <remarks>
/// Pure data ρ_j = |ψ_j⟩⟨ψ_j|: with u = Mψ and w = M²ψ, [M,[M,ρ]] = |w⟩⟨ψ| + |ψ⟩⟨w| − 2|u⟩⟨u| costs O(d²), and
/// K̃_ij = 2 Re(⟨ψ_j|M²|ψ_i⟩⟨ψ_i|ψ_j⟩) − 2|⟨ψ_i|M|ψ_j⟩|². Integrated with classical RK4, re-Hermitised
/// (M ← (M + M†)/2) after each step; the flow is isospectral, so tr M² and tr M⁴ measure the integration error.
/// </remarks>
public sealed class AsymptoticDynamics
{
    private readonly int _d, _m;
    private readonly Complex[][] _psi;
    private readonly double[] _y;
    private Complex[] _mat;
    private readonly Complex[] _k1, _k2, _k3, _k4, _tmp;
    private readonly Complex[] _u, _w;

    /// <summary>Creates the flow from M(0) (row-major d × d, Hermitian), the pure data, the labels and c.</summary>
    /// <exception cref="ArgumentException">Mismatched sizes, a non-Hermitian M(0) (beyond 1e-9), or no data.</exception>
    public AsymptoticDynamics(ReadOnlySpan<Complex> initialObservable, IReadOnlyList<StateVector> states, ReadOnlySpan<double> labels, double generatorConstant)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0) throw new ArgumentException("at least one input state is required.", nameof(states));
        int d = states[0].Length;
        if (initialObservable.Length != d * d) throw new ArgumentException($"M(0) has {initialObservable.Length} elements, but d² = {d * d} are required.", nameof(initialObservable));
        if (labels.Length != states.Count) throw new ArgumentException($"the label vector has length {labels.Length}, but {states.Count} states were given.", nameof(labels));
        if (!(generatorConstant > 0) || !double.IsFinite(generatorConstant)) throw new ArgumentOutOfRangeException(nameof(generatorConstant), generatorConstant, $"generatorConstant = {generatorConstant} is out of range; allowed: a finite number > 0.");
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                if ((initialObservable[r * d + c] - Complex.Conjugate(initialObservable[c * d + r])).Magnitude > 1e-9)
                    throw new ArgumentException($"M(0) is not Hermitian at [{r},{c}].", nameof(initialObservable));
        _d = d;
        _m = states.Count;
        _psi = new Complex[_m][];
        for (int j = 0; j < _m; j++)
        {
            if (states[j].Length != d) throw new ArgumentException($"state {j} has {states[j].Length} amplitudes; expected {d}.", nameof(states));
            _psi[j] = states[j].ToArray();
        }
        _y = labels.ToArray();
        C = generatorConstant;
        _mat = initialObservable.ToArray();
        _k1 = new Complex[d * d]; _k2 = new Complex[d * d]; _k3 = new Complex[d * d]; _k4 = new Complex[d * d]; _tmp = new Complex[d * d];
        _u = new Complex[d]; _w = new Complex[d];
    }

    /// <summary>c = (tr H² − (tr H)²/d)/(d² − 1).</summary>
    public double C { get; }

    /// <summary>The current time s.</summary>
    public double Time { get; private set; }

    /// <summary>A copy of M(s), row-major.</summary>
    public Complex[] Observable => (Complex[])_mat.Clone();

    /// <summary>r_j(s) = ⟨ψ_j|M(s)|ψ_j⟩ − y_j.</summary>
    public double[] Residuals()
    {
        var r = new double[_m];
        for (int j = 0; j < _m; j++) r[j] = Expectation(_mat, _psi[j]) - _y[j];
        return r;
    }

    /// <summary>The kernel of the flow per unit s and per layer, c·K̃(M(s)) (the QNTK is ≈ p times this).</summary>
    public TangentKernel Kernel()
    {
        int d = _d;
        var u = new Complex[_m][];
        for (int j = 0; j < _m; j++) { u[j] = new Complex[d]; MatVec(_mat, _psi[j], u[j]); }
        var k = new double[_m, _m];
        for (int i = 0; i < _m; i++)
            for (int j = 0; j < _m; j++)
            {
                // ⟨ψ_j|M²|ψ_i⟩ = ⟨u_j|u_i⟩
                Complex a = Dot(u[j], u[i]);
                Complex b = Dot(_psi[i], _psi[j]);
                Complex e = Dot(_psi[i], u[j]);
                k[i, j] = C * (2 * (a * b).Real - 2 * (e.Real * e.Real + e.Imaginary * e.Imaginary));
            }
        for (int i = 0; i < _m; i++)
            for (int j = 0; j < i; j++) k[i, j] = k[j, i] = 0.5 * (k[i, j] + k[j, i]);
        return new TangentKernel(k);
    }

    /// <summary>The eigenvalues of M(s), ascending (MathNet Hermitian eigendecomposition); conserved by the exact flow.</summary>
    public double[] Spectrum()
    {
        var mat = MathNet.Numerics.LinearAlgebra.Matrix<Complex>.Build.Dense(_d, _d, (r, c) => _mat[r * _d + c]);
        var evd = mat.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Hermitian);
        var v = evd.EigenValues.Select(z => z.Real).ToArray();
        Array.Sort(v);
        return v;
    }

    /// <summary>tr M^power for power 2 or 4.</summary>
    public double TracePower(int power)
    {
        if (power != 2 && power != 4) throw new ArgumentOutOfRangeException(nameof(power), power, $"power = {power} is out of range; allowed: 2 or 4.");
        int d = _d;
        var m2 = new Complex[d * d];
        MatMul(_mat, _mat, m2, d);
        if (power == 2) return Trace(m2, d);
        double s = 0;
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) s += (m2[r * d + c] * m2[c * d + r]).Real;
        return s;
    }

    /// <summary>Advances by one RK4 step of size <paramref name="step"/> and re-Hermitises.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A step that is not positive and finite.</exception>
    public void Step(double step)
    {
        if (!(step > 0) || !double.IsFinite(step)) throw new ArgumentOutOfRangeException(nameof(step), step, $"step = {step} is out of range; allowed: a finite number > 0.");
        int n = _d * _d;
        Derivative(_mat, _k1);
        for (int i = 0; i < n; i++) _tmp[i] = _mat[i] + 0.5 * step * _k1[i];
        Derivative(_tmp, _k2);
        for (int i = 0; i < n; i++) _tmp[i] = _mat[i] + 0.5 * step * _k2[i];
        Derivative(_tmp, _k3);
        for (int i = 0; i < n; i++) _tmp[i] = _mat[i] + step * _k3[i];
        Derivative(_tmp, _k4);
        for (int i = 0; i < n; i++) _mat[i] += step / 6 * (_k1[i] + 2 * _k2[i] + 2 * _k3[i] + _k4[i]);
        int d = _d;
        for (int r = 0; r < d; r++)
        {
            _mat[r * d + r] = new Complex(_mat[r * d + r].Real, 0);
            for (int c = r + 1; c < d; c++)
            {
                Complex a = 0.5 * (_mat[r * d + c] + Complex.Conjugate(_mat[c * d + r]));
                _mat[r * d + c] = a;
                _mat[c * d + r] = Complex.Conjugate(a);
            }
        }
        Time += step;
    }

    /// <summary>
    /// One step of the asymptotic dynamics discretised as gradient descent discretises it: with the generator
    /// A = c Σ_j r_j [M, ρ_j] (anti-Hermitian, so that dM/ds = [A, M] is the flow above) frozen at the start of the step,
    /// M ← e^{η0 A} M e^{−η0 A} (the exponential map, a Lie–Euler step). It conserves the spectrum of M exactly
    /// (up to round-off) and, like one gradient-descent step with η = η0/p, uses the residuals at the start of the
    /// step, so for p → ∞ training follows it with no O(η0) step-size error (docs/theory.md §3c).
    /// </summary>
    /// <param name="eta0">The step η0 in rescaled time (s advances by η0).</param>
    /// <exception cref="ArgumentOutOfRangeException">A step that is not positive and finite.</exception>
    public void StepDiscrete(double eta0)
    {
        if (!(eta0 > 0) || !double.IsFinite(eta0)) throw new ArgumentOutOfRangeException(nameof(eta0), eta0, $"eta0 = {eta0} is out of range; allowed: a finite number > 0.");
        int d = _d;
        // B = −i η0 A is Hermitian; A = Σ_j c r_j (|u_j⟩⟨ψ_j| − |ψ_j⟩⟨u_j|) with u_j = Mψ_j.
        var b = MathNet.Numerics.LinearAlgebra.Matrix<Complex>.Build.Dense(d, d);
        for (int j = 0; j < _m; j++)
        {
            var psi = _psi[j];
            MatVec(_mat, psi, _u);
            double r = Dot(psi, _u).Real - _y[j];
            Complex f = new Complex(0, -eta0 * C * r);
            for (int a = 0; a < d; a++)
                for (int col = 0; col < d; col++)
                    b[a, col] += f * (_u[a] * Complex.Conjugate(psi[col]) - psi[a] * Complex.Conjugate(_u[col]));
        }
        // e^{η0 A} = e^{iB} = V diag(e^{iλ}) V†.
        var evd = b.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Hermitian);
        var v = evd.EigenVectors;
        var phases = MathNet.Numerics.LinearAlgebra.Matrix<Complex>.Build.DenseOfDiagonalArray(evd.EigenValues.Select(l => Complex.FromPolarCoordinates(1, l.Real)).ToArray());
        var g = v * phases * v.ConjugateTranspose();
        var m = MathNet.Numerics.LinearAlgebra.Matrix<Complex>.Build.Dense(d, d, (row, col) => _mat[row * d + col]);
        var next = g * m * g.ConjugateTranspose();
        for (int row = 0; row < d; row++)
        {
            _mat[row * d + row] = new Complex(next[row, row].Real, 0);
            for (int col = row + 1; col < d; col++)
            {
                Complex a = 0.5 * (next[row, col] + Complex.Conjugate(next[col, row]));
                _mat[row * d + col] = a;
                _mat[col * d + row] = Complex.Conjugate(a);
            }
        }
        Time += eta0;
    }

    /// <summary>
    /// Runs <see cref="StepDiscrete"/> with step <paramref name="eta0"/> and returns a point after each of
    /// <paramref name="steps"/> (ascending step counts from the current step count, as gradient descent's records:
    /// step k is time k·η0).
    /// </summary>
    /// <exception cref="ArgumentException">Step counts not ascending or before the current step.</exception>
    public List<AsymptoticPoint> IntegrateDiscrete(IEnumerable<long> steps, double eta0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (!(eta0 > 0) || !double.IsFinite(eta0)) throw new ArgumentOutOfRangeException(nameof(eta0), eta0, $"eta0 = {eta0} is out of range; allowed: a finite number > 0.");
        var points = new List<AsymptoticPoint>();
        long current = _discreteSteps;
        foreach (long k in steps)
        {
            if (k < current) throw new ArgumentException($"step {k} comes before step {current}; steps must ascend.", nameof(steps));
            for (; current < k; current++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                StepDiscrete(eta0);
            }
            var r = Residuals();
            points.Add(new AsymptoticPoint(k * eta0, r, Math.Sqrt(r.Sum(x => x * x)), Kernel().Trace, TracePower(2), TracePower(4)));
        }
        _discreteSteps = current;
        return points;
    }

    private long _discreteSteps;

    /// <summary>
    /// Integrates to each of <paramref name="times"/> (ascending, ≥ the current time) with steps of at most
    /// <paramref name="maxStep"/> (the last step before a record is shortened to land on it) and returns a point per time.
    /// </summary>
    /// <exception cref="ArgumentException">Times not ascending or before the current time.</exception>
    public List<AsymptoticPoint> Integrate(IEnumerable<double> times, double maxStep = 0.25, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(times);
        if (!(maxStep > 0)) throw new ArgumentOutOfRangeException(nameof(maxStep), maxStep, $"maxStep = {maxStep} is out of range; allowed: > 0.");
        var points = new List<AsymptoticPoint>();
        double last = Time;
        foreach (double t in times)
        {
            if (!(t >= last - 1e-12)) throw new ArgumentException($"time {t} comes before {last}; times must ascend from the current time.", nameof(times));
            while (t - Time > 1e-12)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double h = Math.Min(maxStep, t - Time);
                Step(h);
            }
            Time = Math.Max(Time, t);
            last = t;
            var r = Residuals();
            points.Add(new AsymptoticPoint(t, r, Math.Sqrt(r.Sum(x => x * x)), Kernel().Trace, TracePower(2), TracePower(4)));
        }
        return points;
    }

    /// <summary>dM/ds = −c Σ_j r_j (|w⟩⟨ψ| + |ψ⟩⟨w| − 2|u⟩⟨u|), u = Mψ, w = Mu.</summary>
    private void Derivative(Complex[] mat, Complex[] result)
    {
        int d = _d;
        Array.Clear(result);
        for (int j = 0; j < _m; j++)
        {
            var psi = _psi[j];
            MatVec(mat, psi, _u);
            MatVec(mat, _u, _w);
            double r = Dot(psi, _u).Real - _y[j];
            double f = -C * r;
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    result[a * d + b] += f * (_w[a] * Complex.Conjugate(psi[b]) + psi[a] * Complex.Conjugate(_w[b]) - 2 * _u[a] * Complex.Conjugate(_u[b]));
        }
    }

    private static double Expectation(Complex[] mat, Complex[] psi)
    {
        int d = psi.Length;
        Complex s = 0;
        for (int a = 0; a < d; a++)
        {
            Complex row = 0;
            for (int b = 0; b < d; b++) row += mat[a * d + b] * psi[b];
            s += Complex.Conjugate(psi[a]) * row;
        }
        return s.Real;
    }

    private static void MatVec(Complex[] mat, Complex[] x, Complex[] y)
    {
        int d = x.Length;
        for (int a = 0; a < d; a++)
        {
            Complex s = 0;
            for (int b = 0; b < d; b++) s += mat[a * d + b] * x[b];
            y[a] = s;
        }
    }

    private static Complex Dot(Complex[] a, Complex[] b)
    {
        Complex s = 0;
        for (int k = 0; k < a.Length; k++) s += Complex.Conjugate(a[k]) * b[k];
        return s;
    }

    private static void MatMul(Complex[] a, Complex[] b, Complex[] c, int d)
    {
        for (int r = 0; r < d; r++)
            for (int col = 0; col < d; col++)
            {
                Complex s = 0;
                for (int k = 0; k < d; k++) s += a[r * d + k] * b[k * d + col];
                c[r * d + col] = s;
            }
    }

    private static double Trace(Complex[] a, int d)
    {
        double s = 0;
        for (int k = 0; k < d; k++) s += a[k * d + k].Real;
        return s;
    }

    /// <summary>
    /// The single-sample scalar flow dŷ/ds = −2c(γ² − ŷ²)(ŷ − y) (pure input, M0 = γP; docs/theory.md §3c), integrated with
    /// RK4 (step ≤ <paramref name="maxStep"/>) to each of <paramref name="times"/> (ascending, from 0); returns ŷ(s).
    /// </summary>
    public static double[] SingleSampleOutput(double c, double gamma, double label, double initialOutput, IReadOnlyList<double> times, double maxStep = 0.01)
    {
        ArgumentNullException.ThrowIfNull(times);
        double f(double yh) => -2 * c * (gamma * gamma - yh * yh) * (yh - label);
        var result = new double[times.Count];
        double s = 0, y = initialOutput;
        for (int i = 0; i < times.Count; i++)
        {
            if (times[i] < s - 1e-12) throw new ArgumentException($"time {times[i]} comes before {s}; times must ascend from 0.", nameof(times));
            while (times[i] - s > 1e-12)
            {
                double h = Math.Min(maxStep, times[i] - s);
                double a = f(y), b = f(y + 0.5 * h * a), cc = f(y + 0.5 * h * b), e = f(y + h * cc);
                y += h / 6 * (a + 2 * b + 2 * cc + e);
                s += h;
            }
            result[i] = y;
        }
        return result;
    }
}
