using System.Numerics;
using QnnSim.Observables;
using QnnSim.Randomness;

namespace QnnSim.Analysis;

/// <summary>A Monte-Carlo mean with its standard error and the formula it is compared with.</summary>
/// <param name="Mean">Sample mean.</param>
/// <param name="StandardError">Sample standard deviation / √N.</param>
/// <param name="Predicted">The Haar formula (docs/theory.md §4).</param>
public readonly record struct MonteCarloEstimate(double Mean, double StandardError, double Predicted)
{
    /// <summary>(Mean − Predicted)/StandardError.</summary>
    public double Sigmas => (Mean - Predicted) / StandardError;

    /// <summary>Mean/Predicted − 1.</summary>
    public double RelativeError => Mean / Predicted - 1;
}

/// <summary>Result of <see cref="HaarKernelStatistics.Estimate"/>.</summary>
/// <param name="Dimension">d.</param>
/// <param name="Layers">p.</param>
/// <param name="Circuits">Number of Haar circuits drawn.</param>
/// <param name="Overlap">F = |⟨ψ_1|ψ_2⟩|².</param>
/// <param name="Gamma">γ.</param>
/// <param name="Diagonal">(K_11 + K_22)/2 per circuit.</param>
/// <param name="OffDiagonal">K_12.</param>
/// <param name="Output">ŷ_1 against E[ŷ] = 0 (Pauli readout).</param>
/// <param name="OutputVariance">Sample variance of ŷ_1 against γ²/(d + 1), its standard error from the fourth moment.</param>
public sealed record HaarKernelEstimate(int Dimension, int Layers, int Circuits, double Overlap, double Gamma,
    MonteCarloEstimate Diagonal, MonteCarloEstimate OffDiagonal, MonteCarloEstimate Output, MonteCarloEstimate OutputVariance);

/// <summary>Result of <see cref="HaarKernelStatistics.EstimateGeneral"/>: every mean against the general Haar formula.</summary>
/// <param name="Dimension">d.</param>
/// <param name="Layers">p.</param>
/// <param name="Circuits">Number of Haar circuits drawn.</param>
/// <param name="TraceH">tr H.</param>
/// <param name="TraceHSquared">tr H².</param>
/// <param name="TraceM0">tr M0.</param>
/// <param name="TraceM0Squared">tr M0².</param>
/// <param name="Diagonal">(K_11 + K_22 + K_33)/3 per circuit against p c_M e_ii (F = 1).</param>
/// <param name="Orthogonal">K_12 (F = 0) against p c_M e_12.</param>
/// <param name="HalfOverlap">K_13 (F = 1/2) against p c_M e_13.</param>
/// <param name="Output">ŷ_1 against E[ŷ] = tr(M0)/d.</param>
/// <param name="OutputVariance">Sample variance of ŷ_1 against (d tr M0² − (tr M0)²)/(d²(d + 1)), its standard error from the fourth moment.</param>
public sealed record HaarGeneralKernelEstimate(int Dimension, int Layers, int Circuits, double TraceH, double TraceHSquared, double TraceM0,
    double TraceM0Squared, MonteCarloEstimate Diagonal, MonteCarloEstimate Orthogonal, MonteCarloEstimate HalfOverlap,
    MonteCarloEstimate Output, MonteCarloEstimate OutputVariance)
{
    /// <summary>
    /// The scale 2p c_M (tr H² − (tr H)²/d)/(d² − 1) by which the general formula is p c_M e_ij = scale·(dF_ij − 1):
    /// dividing a mean by it puts every generator and readout on the line dF − 1.
    /// </summary>
    public double Scale
    {
        get
        {
            double d = Dimension;
            double cM = (TraceM0Squared - TraceM0 * TraceM0 / d) / (d * d - 1);
            return 2 * Layers * cM * (TraceHSquared - TraceH * TraceH / d) / (d * d - 1);
        }
    }
}

/// <summary>
/// Monte-Carlo averages of the tangent kernel at initialisation over Haar-random circuits of the paper's ansatz
/// (docs/theory.md §4; You et al., ICML 2023, arXiv:2303.14844), against E[K_ij] = pγ²·2d²(dF_ij − 1)/(d² − 1)².
/// </summary>
public static class HaarKernelStatistics
{
    /// <summary>
    /// Draws <paramref name="circuits"/> models (circuit c takes its model seed from stream c of <paramref name="seed"/>;
    /// H = P = Z0, θ = 0, inputs from <see cref="Dataset.StatePair"/>(n, F, seed)) and averages K_11, K_22, K_12 and ŷ_1.
    /// Results do not depend on <paramref name="maxThreads"/>.
    /// </summary>
    /// <param name="qubits">n (1..8).</param>
    /// <param name="layers">p ≥ 1.</param>
    /// <param name="circuits">N ≥ 2.</param>
    /// <param name="overlap">F in [0, 1].</param>
    /// <param name="gamma">γ &gt; 0.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="finalUnitary">False drops W_{p+1} (the negative control: mean (p − 1)/p of the formula with H = P = Z0).</param>
    /// <param name="maxThreads">Threads (≥ 1).</param>
    /// <param name="progress">Receives the number of finished circuits.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static HaarKernelEstimate Estimate(int qubits, int layers, int circuits, double overlap, double gamma, ulong seed,
        bool finalUnitary = true, int maxThreads = 1, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (qubits < 1 || qubits > 8) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..8.");
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers = {layers} is out of range; allowed: at least 1.");
        if (circuits < 2) throw new ArgumentOutOfRangeException(nameof(circuits), circuits, $"circuits = {circuits} is out of range; allowed: at least 2.");
        if (maxThreads < 1) throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, $"maxThreads = {maxThreads} is out of range; allowed: at least 1.");
        var data = Dataset.StatePair(qubits, overlap, seed);
        int d = 1 << qubits;
        var k11 = new double[circuits];
        var k22 = new double[circuits];
        var k12 = new double[circuits];
        var y1 = new double[circuits];
        int done = 0;
        Parallel.For(0, circuits, new ParallelOptions { MaxDegreeOfParallelism = maxThreads, CancellationToken = cancellationToken }, c =>
        {
            ulong circuitSeed = Randomness.SeededRandom.ForStream(seed, (ulong)c).NextUInt64();
            var model = PaperModel.CreateRandom(qubits, layers, circuitSeed, gamma,
                PauliString.Z(0), PauliString.Z(0), finalUnitary);
            var engine = model.CreateEngine(data.States!);
            var outputs = new double[2];
            var j = new double[2 * layers];
            engine.Evaluate(new double[layers], outputs, j);
            var k = TangentKernel.FromJacobian(j, 2, layers);
            k11[c] = k[0, 0];
            k22[c] = k[1, 1];
            k12[c] = k[0, 1];
            y1[c] = outputs[0];
            int n = Interlocked.Increment(ref done);
            if (progress is not null && (n % 64 == 0 || n == circuits)) progress.Report(n);
        });
        var diag = MeanAndError([.. k11.Select((v, i) => 0.5 * (v + k22[i]))]);
        var off = MeanAndError(k12);
        var out1 = MeanAndError(y1);
        // Variance of ŷ: sample variance and the delta-method error √((μ4 − σ⁴)/N).
        double mean = out1.Mean, m2 = 0, m4 = 0;
        foreach (double v in y1) { double e = v - mean; m2 += e * e; m4 += e * e * e * e; }
        m2 /= circuits - 1;
        m4 /= circuits;
        return new HaarKernelEstimate(d, layers, circuits, overlap, gamma,
            new MonteCarloEstimate(diag.Mean, diag.Se, TheoryFormulas.HaarMeanKernelDiagonal(d, layers, gamma)),
            new MonteCarloEstimate(off.Mean, off.Se, TheoryFormulas.HaarMeanKernel(d, layers, gamma, overlap)),
            new MonteCarloEstimate(out1.Mean, out1.Se, TheoryFormulas.HaarOutputMean(d, 0)),
            new MonteCarloEstimate(m2, Math.Sqrt(Math.Max(m4 - m2 * m2, 0) / circuits), TheoryFormulas.HaarOutputVariance(d, gamma * gamma * d, 0)));
    }

    /// <summary>
    /// Monte Carlo of the general Haar formula (docs/theory.md §4) for any Hermitian generator H and readout M0, traced or
    /// not: the ansatz U = W_{p+1} e^{−iθ_p H} W_p ⋯ e^{−iθ_1 H} W_1 with every W_l Haar, at θ = 0 (by Haar invariance
    /// any θ gives the same law), built densely (no Pauli structure is assumed). Inputs ψ_1, ψ_2 orthonormal (the first
    /// two columns of a Haar unitary from <c>new SeededRandom(seed)</c>) and ψ_3 = (ψ_1 + ψ_2)/√2, so F_12 = 0 and
    /// F_13 = 1/2. Per layer ∂ŷ_i/∂θ_l = i⟨φ_l|[H, M_l]|φ_l⟩ = 2 Im⟨φ_l|M_l H|φ_l⟩ with φ_l the state and M_l the
    /// Heisenberg readout at layer l (adjoint walk: φ and λ = M0ψ_out undone through W_{p+1}†, …, W_{l+1}†).
    /// Compared with E[K_ij] = p c_M e_ij, c_M = (tr M0² − (tr M0)²/d)/(d² − 1),
    /// e_ij = 2 tr(H²)F/d − 2a tr(H²) − 2b (tr H)², a = (1 − F/d)/(d² − 1), b = (F − 1/d)/(d² − 1)
    /// (<see cref="TheoryFormulas.HaarMeanKernelGeneral"/>); circuit c draws its W_l from stream c of <paramref name="seed"/>,
    /// so the result does not depend on <paramref name="maxThreads"/>.
    /// </summary>
    /// <param name="qubits">n (1..6).</param>
    /// <param name="layers">p ≥ 1.</param>
    /// <param name="circuits">N ≥ 2.</param>
    /// <param name="generator">H, d × d row-major, Hermitian.</param>
    /// <param name="readout">M0, d × d row-major, Hermitian.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="maxThreads">Threads (≥ 1).</param>
    /// <param name="progress">Receives the number of finished circuits.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range.</exception>
    /// <exception cref="ArgumentException">A matrix of the wrong size, with a non-finite entry, or not Hermitian (to 1e-12 of its largest entry).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static HaarGeneralKernelEstimate EstimateGeneral(int qubits, int layers, int circuits, Complex[] generator, Complex[] readout, ulong seed,
        int maxThreads = 1, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (qubits < 1 || qubits > 6) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..6.");
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers = {layers} is out of range; allowed: at least 1.");
        if (circuits < 2) throw new ArgumentOutOfRangeException(nameof(circuits), circuits, $"circuits = {circuits} is out of range; allowed: at least 2.");
        if (maxThreads < 1) throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, $"maxThreads = {maxThreads} is out of range; allowed: at least 1.");
        int d = 1 << qubits;
        CheckHermitian(generator, d, nameof(generator));
        CheckHermitian(readout, d, nameof(readout));
        var basis = Dataset.OrthonormalStates(qubits, 2, seed);
        var inputs = new Complex[3][];
        inputs[0] = basis.States![0].Amplitudes.ToArray();
        inputs[1] = basis.States![1].Amplitudes.ToArray();
        inputs[2] = new Complex[d];
        for (int k = 0; k < d; k++) inputs[2][k] = (inputs[0][k] + inputs[1][k]) / Math.Sqrt(2);
        var diag = new double[circuits];
        var k12 = new double[circuits];
        var k13 = new double[circuits];
        var y1 = new double[circuits];
        int done = 0;
        Parallel.For(0, circuits, new ParallelOptions { MaxDegreeOfParallelism = maxThreads, CancellationToken = cancellationToken }, c =>
        {
            var rng = SeededRandom.ForStream(seed, (ulong)c);
            var w = new Complex[layers + 1][];
            for (int l = 0; l <= layers; l++) w[l] = HaarRandom.UnitaryElements(d, rng);
            var grad = new double[3, layers];
            var phi = new Complex[d];
            var lambda = new Complex[d];
            var tmp = new Complex[d];
            for (int i = 0; i < 3; i++)
            {
                inputs[i].CopyTo(phi, 0);
                for (int l = 0; l <= layers; l++) { MatVec(w[l], phi, tmp, d, adjoint: false); (phi, tmp) = (tmp, phi); }
                MatVec(readout, phi, lambda, d, adjoint: false);
                if (i == 0) y1[c] = Dot(phi, lambda).Real;
                // Walk back: after undoing W_{l+1}, φ and λ = M_l φ sit at layer l's rotation.
                for (int l = layers - 1; l >= 0; l--)
                {
                    MatVec(w[l + 1], phi, tmp, d, adjoint: true); (phi, tmp) = (tmp, phi);
                    MatVec(w[l + 1], lambda, tmp, d, adjoint: true); (lambda, tmp) = (tmp, lambda);
                    MatVec(generator, phi, tmp, d, adjoint: false);
                    grad[i, l] = 2 * Dot(lambda, tmp).Imaginary;
                }
            }
            double kd = 0, ko = 0, kh = 0;
            for (int l = 0; l < layers; l++)
            {
                kd += (grad[0, l] * grad[0, l] + grad[1, l] * grad[1, l] + grad[2, l] * grad[2, l]) / 3;
                ko += grad[0, l] * grad[1, l];
                kh += grad[0, l] * grad[2, l];
            }
            diag[c] = kd; k12[c] = ko; k13[c] = kh;
            int n = Interlocked.Increment(ref done);
            if (progress is not null && (n % 64 == 0 || n == circuits)) progress.Report(n);
        });
        double th = Trace(generator, d), th2 = TraceOfSquare(generator, d), tm = Trace(readout, d), tm2 = TraceOfSquare(readout, d);
        double Formula(double f) => TheoryFormulas.HaarMeanKernelGeneral(d, layers, tm2, tm, th2, th, f);
        var dm = MeanAndError(diag);
        var om = MeanAndError(k12);
        var hm = MeanAndError(k13);
        var ym = MeanAndError(y1);
        double m2 = 0, m4 = 0;
        foreach (double v in y1) { double e = v - ym.Mean; m2 += e * e; m4 += e * e * e * e; }
        m2 /= circuits - 1;
        m4 /= circuits;
        return new HaarGeneralKernelEstimate(d, layers, circuits, th, th2, tm, tm2,
            new MonteCarloEstimate(dm.Mean, dm.Se, Formula(1)), new MonteCarloEstimate(om.Mean, om.Se, Formula(0)),
            new MonteCarloEstimate(hm.Mean, hm.Se, Formula(0.5)), new MonteCarloEstimate(ym.Mean, ym.Se, TheoryFormulas.HaarOutputMean(d, tm)),
            new MonteCarloEstimate(m2, Math.Sqrt(Math.Max(m4 - m2 * m2, 0) / circuits), TheoryFormulas.HaarOutputVariance(d, tm2, tm)));
    }

    /// <summary>y = A x or A† x for a row-major d × d matrix.</summary>
    private static void MatVec(Complex[] a, Complex[] x, Complex[] y, int d, bool adjoint)
    {
        for (int r = 0; r < d; r++)
        {
            Complex sum = Complex.Zero;
            if (adjoint) for (int k = 0; k < d; k++) sum += Complex.Conjugate(a[k * d + r]) * x[k];
            else for (int k = 0; k < d; k++) sum += a[r * d + k] * x[k];
            y[r] = sum;
        }
    }

    /// <summary>⟨a|b⟩.</summary>
    private static Complex Dot(Complex[] a, Complex[] b)
    {
        Complex sum = Complex.Zero;
        for (int k = 0; k < a.Length; k++) sum += Complex.Conjugate(a[k]) * b[k];
        return sum;
    }

    private static double Trace(Complex[] a, int d) { double t = 0; for (int k = 0; k < d; k++) t += a[k * d + k].Real; return t; }

    /// <summary>tr A² = Σ |A_rc|² for Hermitian A.</summary>
    private static double TraceOfSquare(Complex[] a, int d) { double t = 0; foreach (var z in a) t += z.Real * z.Real + z.Imaginary * z.Imaginary; return t; }

    private static void CheckHermitian(Complex[] a, int d, string name)
    {
        ArgumentNullException.ThrowIfNull(a, name);
        if (a.Length != d * d) throw new ArgumentException($"{name} has {a.Length} entries; a {d} × {d} matrix needs {d * d}.", name);
        double scale = 0;
        foreach (var z in a)
        {
            if (!double.IsFinite(z.Real) || !double.IsFinite(z.Imaginary)) throw new ArgumentException($"{name} has a non-finite entry {z}; allowed: finite numbers.", name);
            scale = Math.Max(scale, Complex.Abs(z));
        }
        for (int r = 0; r < d; r++)
            for (int c = 0; c <= r; c++)
                if (Complex.Abs(a[r * d + c] - Complex.Conjugate(a[c * d + r])) > 1e-12 * Math.Max(scale, 1))
                    throw new ArgumentException($"{name} is not Hermitian: entry ({r}, {c}) = {a[r * d + c]} but ({c}, {r}) = {a[c * d + r]}.", name);
    }

    private static (double Mean, double Se) MeanAndError(double[] v)
    {
        double mean = v.Average(), ss = 0;
        foreach (double x in v) ss += (x - mean) * (x - mean);
        return (mean, Math.Sqrt(ss / (v.Length - 1) / v.Length));
    }
}
