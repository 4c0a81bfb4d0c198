using QnnSim.Randomness;

namespace QnnSim.Cli.Report.Physics;

/// <summary>
/// The paper's model in dense form (You et al., ICML 2023; THEORY.md §1): U(θ) = W_{p+1} e^{−iθ_p H} W_p ⋯ e^{−iθ_1 H} W_1
/// with seeded Haar-random W_l on all n qubits, generator H = Z_0 and readout M0 = γ·Z_0 (both diagonal, qubit 0 the
/// least significant bit). Uses the e^{−iθH} convention of THEORY.md directly (no factor-4 conversion).
/// </summary>
/// <remarks>
/// Fallback for the report: the analysis branch had not published its model when the report was written. Every
/// figure here is cross-checked by the report tests against closed forms (Haar means, the single-sample ODE).
/// Dense d × d matrices are stored as separate real and imaginary arrays, row-major.
/// </remarks>
internal sealed class PaperModel
{
    private readonly double[][] _wr, _wi;   // W_1 .. W_{p+1}
    private readonly double[] _h;            // diagonal of H (±1)
    private readonly double[] _m0;           // diagonal of M0

    public int Dimension { get; }
    public int Layers { get; }
    public double Gamma { get; }

    /// <summary>c = (tr H² − (tr H)²/d)/(d² − 1) = d/(d² − 1) for a Pauli generator (THEORY.md §3c).</summary>
    public double C => (double)Dimension / ((double)Dimension * Dimension - 1);

    public PaperModel(int qubits, int layers, double gamma, SeededRandom rng)
    {
        int d = 1 << qubits;
        Dimension = d; Layers = layers; Gamma = gamma;
        _wr = new double[layers + 1][]; _wi = new double[layers + 1][];
        for (int l = 0; l <= layers; l++) (_wr[l], _wi[l]) = Haar.Unitary(d, rng);
        _h = new double[d]; _m0 = new double[d];
        for (int i = 0; i < d; i++) { double z = (i & 1) == 0 ? 1 : -1; _h[i] = z; _m0[i] = gamma * z; }
    }

    /// <summary>Workspace for <see cref="Evaluate"/>: four state-sized buffers.</summary>
    public sealed class Workspace(int d)
    {
        internal readonly double[] Pr = new double[d], Pi = new double[d], Lr = new double[d], Li = new double[d], Tr = new double[d], Ti = new double[d];
    }

    /// <summary>
    /// ŷ = ⟨ψ|U† M0 U|ψ⟩ and, when <paramref name="gradient"/> is non-empty, ∂ŷ/∂θ_l = 2 Im⟨λ|H|φ⟩ by the adjoint method
    /// (THEORY.md §1): one forward pass, then a backward walk undoing each layer on the state φ and the co-state λ = M0 φ.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> theta, double[] psiR, double[] psiI, Span<double> gradient, Workspace ws)
    {
        int d = Dimension, p = Layers;
        var pr = ws.Pr; var pi = ws.Pi;
        MatVec(_wr[0], _wi[0], psiR, psiI, pr, pi, ws);
        for (int l = 0; l < p; l++)
        {
            double c = Math.Cos(theta[l]), s = Math.Sin(theta[l]);
            for (int k = 0; k < d; k++)
            {
                // e^{−iθh} = cos θ − i h sin θ
                double sh = s * _h[k], re = pr[k], im = pi[k];
                pr[k] = c * re + sh * im; pi[k] = c * im - sh * re;
            }
            MatVec(_wr[l + 1], _wi[l + 1], pr, pi, pr, pi, ws);
        }
        double y = 0;
        for (int k = 0; k < d; k++) y += _m0[k] * (pr[k] * pr[k] + pi[k] * pi[k]);
        if (gradient.IsEmpty) return y;
        var lr = ws.Lr; var li = ws.Li;
        for (int k = 0; k < d; k++) { lr[k] = _m0[k] * pr[k]; li[k] = _m0[k] * pi[k]; }
        for (int l = p - 1; l >= 0; l--)
        {
            AdjointMatVec(_wr[l + 1], _wi[l + 1], pr, pi, ws);
            AdjointMatVec(_wr[l + 1], _wi[l + 1], lr, li, ws);
            double g = 0;
            for (int k = 0; k < d; k++) g += _h[k] * (lr[k] * pi[k] - li[k] * pr[k]); // Im(conj(λ) h φ)
            gradient[l] = 2 * g;
            double c = Math.Cos(theta[l]), s = Math.Sin(theta[l]);
            for (int k = 0; k < d; k++)
            {
                double sh = s * _h[k];
                double re = pr[k], im = pi[k];
                pr[k] = c * re - sh * im; pi[k] = c * im + sh * re;
                re = lr[k]; im = li[k];
                lr[k] = c * re - sh * im; li[k] = c * im + sh * re;
            }
        }
        return y;
    }

    /// <summary>The Heisenberg observable M(θ) = U(θ)† M0 U(θ) as a dense d × d complex matrix (row-major re, im).</summary>
    public (double[] Re, double[] Im) HeisenbergObservable(ReadOnlySpan<double> theta)
    {
        int d = Dimension;
        var ur = new double[d * d]; var ui = new double[d * d];
        var ws = new Workspace(d);
        var er = new double[d]; var ei = new double[d];
        for (int b = 0; b < d; b++)
        {
            Array.Clear(er); er[b] = 1;
            ForwardState(theta, er, ei, ws);
            for (int a = 0; a < d; a++) { ur[a * d + b] = ws.Pr[a]; ui[a * d + b] = ws.Pi[a]; }
        }
        var mr = new double[d * d]; var mi = new double[d * d];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
            {
                double re = 0, im = 0;
                for (int k = 0; k < d; k++)
                {
                    // conj(U_ka) m0_k U_kb
                    double xr = ur[k * d + a], xi = -ui[k * d + a], yr = ur[k * d + b], yi = ui[k * d + b];
                    re += _m0[k] * (xr * yr - xi * yi); im += _m0[k] * (xr * yi + xi * yr);
                }
                mr[a * d + b] = re; mi[a * d + b] = im;
            }
        return (mr, mi);
    }

    private void ForwardState(ReadOnlySpan<double> theta, double[] psiR, double[] psiI, Workspace ws)
    {
        int d = Dimension;
        var pr = ws.Pr; var pi = ws.Pi;
        MatVec(_wr[0], _wi[0], psiR, psiI, pr, pi, ws);
        for (int l = 0; l < Layers; l++)
        {
            double c = Math.Cos(theta[l]), s = Math.Sin(theta[l]);
            for (int k = 0; k < d; k++)
            {
                double sh = s * _h[k], re = pr[k], im = pi[k];
                pr[k] = c * re + sh * im; pi[k] = c * im - sh * re;
            }
            MatVec(_wr[l + 1], _wi[l + 1], pr, pi, pr, pi, ws);
        }
    }

    private void MatVec(double[] ar, double[] ai, double[] xr, double[] xi, double[] yr, double[] yi, Workspace ws)
    {
        int d = Dimension;
        var tr = ws.Tr; var ti = ws.Ti;
        for (int a = 0; a < d; a++)
        {
            double re = 0, im = 0; int row = a * d;
            for (int b = 0; b < d; b++)
            {
                double mr = ar[row + b], mi = ai[row + b], vr = xr[b], vi = xi[b];
                re += mr * vr - mi * vi; im += mr * vi + mi * vr;
            }
            tr[a] = re; ti[a] = im;
        }
        Array.Copy(tr, yr, d); Array.Copy(ti, yi, d);
    }

    private void AdjointMatVec(double[] ar, double[] ai, double[] xr, double[] xi, Workspace ws)
    {
        int d = Dimension;
        var tr = ws.Tr; var ti = ws.Ti;
        Array.Clear(tr); Array.Clear(ti);
        for (int a = 0; a < d; a++)
        {
            double vr = xr[a], vi = xi[a]; int row = a * d;
            for (int b = 0; b < d; b++)
            {
                double mr = ar[row + b], mi = ai[row + b];
                // conj(A_ab) x_a
                tr[b] += mr * vr + mi * vi; ti[b] += mr * vi - mi * vr;
            }
        }
        Array.Copy(tr, xr, d); Array.Copy(ti, xi, d);
    }
}

/// <summary>Haar-random unitaries and states (THEORY.md §4): Gram–Schmidt (QR with a positive diagonal) of a complex Ginibre matrix.</summary>
internal static class Haar
{
    /// <summary>A d × d Haar unitary, row-major (re, im).</summary>
    public static (double[] Re, double[] Im) Unitary(int d, SeededRandom rng)
    {
        var re = new double[d * d]; var im = new double[d * d];
        for (int i = 0; i < d * d; i++) { re[i] = rng.NextGaussian(); im[i] = rng.NextGaussian(); }
        // Orthonormalise columns (modified Gram–Schmidt, twice for stability). Positive R diagonal = phases divided out.
        for (int col = 0; col < d; col++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int prev = 0; prev < col; prev++)
                {
                    double dr = 0, di = 0; // <q_prev | v>
                    for (int r = 0; r < d; r++)
                    {
                        double qr = re[r * d + prev], qi = im[r * d + prev], vr = re[r * d + col], vi = im[r * d + col];
                        dr += qr * vr + qi * vi; di += qr * vi - qi * vr;
                    }
                    for (int r = 0; r < d; r++)
                    {
                        double qr = re[r * d + prev], qi = im[r * d + prev];
                        re[r * d + col] -= dr * qr - di * qi; im[r * d + col] -= dr * qi + di * qr;
                    }
                }
            double norm = 0;
            for (int r = 0; r < d; r++) norm += re[r * d + col] * re[r * d + col] + im[r * d + col] * im[r * d + col];
            norm = 1 / Math.Sqrt(norm);
            for (int r = 0; r < d; r++) { re[r * d + col] *= norm; im[r * d + col] *= norm; }
        }
        return (re, im);
    }

    /// <summary>The paper's dataset: m orthonormal states (the first m columns of a Haar unitary), labels +1, −1, +1, ….</summary>
    public static (double[][] Re, double[][] Im, double[] Labels) OrthonormalDataset(int d, int m, SeededRandom rng)
    {
        var (ur, ui) = Unitary(d, rng);
        var re = new double[m][]; var im = new double[m][]; var y = new double[m];
        for (int j = 0; j < m; j++)
        {
            re[j] = new double[d]; im[j] = new double[d];
            for (int r = 0; r < d; r++) { re[j][r] = ur[r * d + j]; im[j][r] = ui[r * d + j]; }
            y[j] = j % 2 == 0 ? 1 : -1;
        }
        return (re, im, y);
    }
}
