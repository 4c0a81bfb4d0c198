namespace QnnSim.Cli.Report.Physics;

/// <summary>
/// The asymptotic dynamics of THEORY.md §3c: dM/ds = −c Σ_j r_j [M, [M, ρ_j]], r_j = ⟨ψ_j|M|ψ_j⟩ − y_j, integrated with RK4
/// and re-Hermitised after each step. For pure ρ = |ψ⟩⟨ψ|, [M,[M,ρ]] = (M²ψ)ψ† − 2(Mψ)(Mψ)† + ψ(M²ψ)†.
/// </summary>
internal sealed class AsymptoticOde
{
    private readonly int _d;
    private readonly PureDataset _data;
    private readonly double _c;

    public AsymptoticOde(int d, PureDataset data, double c) { _d = d; _data = data; _c = c; }

    /// <summary>Integrates from M(0) with step h for <paramref name="steps"/> steps, returning r(s) at the steps <paramref name="record"/> accepts (and step 0).</summary>
    public (Dictionary<int, double[]> Residuals, double SpectrumDrift) Integrate(double[] m0r, double[] m0i, double h, int steps, Func<int, bool> record, CancellationToken token)
    {
        int n = _d * _d;
        var mr = (double[])m0r.Clone(); var mi = (double[])m0i.Clone();
        var k1r = new double[n]; var k1i = new double[n]; var k2r = new double[n]; var k2i = new double[n];
        var k3r = new double[n]; var k3i = new double[n]; var k4r = new double[n]; var k4i = new double[n];
        var tr = new double[n]; var ti = new double[n];
        var result = new Dictionary<int, double[]> { [0] = Residuals(mr, mi) };
        var (t2, t4) = Traces(mr, mi);
        for (int k = 1; k <= steps; k++)
        {
            Derivative(mr, mi, k1r, k1i);
            Axpy(mr, mi, k1r, k1i, h / 2, tr, ti); Derivative(tr, ti, k2r, k2i);
            Axpy(mr, mi, k2r, k2i, h / 2, tr, ti); Derivative(tr, ti, k3r, k3i);
            Axpy(mr, mi, k3r, k3i, h, tr, ti); Derivative(tr, ti, k4r, k4i);
            for (int i = 0; i < n; i++)
            {
                mr[i] += h / 6 * (k1r[i] + 2 * k2r[i] + 2 * k3r[i] + k4r[i]);
                mi[i] += h / 6 * (k1i[i] + 2 * k2i[i] + 2 * k3i[i] + k4i[i]);
            }
            for (int a = 0; a < _d; a++)
                for (int b = a; b < _d; b++)
                {
                    double re = 0.5 * (mr[a * _d + b] + mr[b * _d + a]), im = 0.5 * (mi[a * _d + b] - mi[b * _d + a]);
                    mr[a * _d + b] = re; mr[b * _d + a] = re; mi[a * _d + b] = im; mi[b * _d + a] = -im;
                }
            if (record(k) || k == steps) result[k] = Residuals(mr, mi);
            if ((k & 255) == 0) token.ThrowIfCancellationRequested();
        }
        var (e2, e4) = Traces(mr, mi);
        return (result, Math.Max(Math.Abs(e2 - t2) / t2, Math.Abs(e4 - t4) / t4));
    }

    private static void Axpy(double[] xr, double[] xi, double[] yr, double[] yi, double a, double[] outR, double[] outI)
    {
        for (int i = 0; i < xr.Length; i++) { outR[i] = xr[i] + a * yr[i]; outI[i] = xi[i] + a * yi[i]; }
    }

    private double[] Residuals(double[] mr, double[] mi)
    {
        var r = new double[_data.Count];
        var ur = new double[_d]; var ui = new double[_d];
        for (int j = 0; j < _data.Count; j++)
        {
            MatVec(mr, mi, _data.Re[j], _data.Im[j], ur, ui);
            double y = 0;
            for (int a = 0; a < _d; a++) y += _data.Re[j][a] * ur[a] + _data.Im[j][a] * ui[a];
            r[j] = y - _data.Labels[j];
        }
        return r;
    }

    private void Derivative(double[] mr, double[] mi, double[] dr, double[] di)
    {
        Array.Clear(dr); Array.Clear(di);
        var ur = new double[_d]; var ui = new double[_d]; var vr = new double[_d]; var vi = new double[_d];
        for (int j = 0; j < _data.Count; j++)
        {
            var pr = _data.Re[j]; var pi = _data.Im[j];
            MatVec(mr, mi, pr, pi, ur, ui);
            MatVec(mr, mi, ur, ui, vr, vi);
            double y = 0;
            for (int a = 0; a < _d; a++) y += pr[a] * ur[a] + pi[a] * ui[a];
            double w = -_c * (y - _data.Labels[j]);
            for (int a = 0; a < _d; a++)
                for (int b = 0; b < _d; b++)
                {
                    // v_a conj(ψ_b) − 2 u_a conj(u_b) + ψ_a conj(v_b)
                    double re = vr[a] * pr[b] + vi[a] * pi[b] - 2 * (ur[a] * ur[b] + ui[a] * ui[b]) + pr[a] * vr[b] + pi[a] * vi[b];
                    double im = vi[a] * pr[b] - vr[a] * pi[b] - 2 * (ui[a] * ur[b] - ur[a] * ui[b]) + pi[a] * vr[b] - pr[a] * vi[b];
                    dr[a * _d + b] += w * re; di[a * _d + b] += w * im;
                }
        }
    }

    private void MatVec(double[] ar, double[] ai, double[] xr, double[] xi, double[] yr, double[] yi)
    {
        for (int a = 0; a < _d; a++)
        {
            double re = 0, im = 0;
            for (int b = 0; b < _d; b++)
            {
                double r = ar[a * _d + b], i = ai[a * _d + b];
                re += r * xr[b] - i * xi[b]; im += r * xi[b] + i * xr[b];
            }
            yr[a] = re; yi[a] = im;
        }
    }

    private (double T2, double T4) Traces(double[] mr, double[] mi)
    {
        // tr M² and tr M⁴ via M² = M·M.
        int d = _d;
        var sr = new double[d * d]; var si = new double[d * d];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
            {
                double re = 0, im = 0;
                for (int k = 0; k < d; k++)
                {
                    re += mr[a * d + k] * mr[k * d + b] - mi[a * d + k] * mi[k * d + b];
                    im += mr[a * d + k] * mi[k * d + b] + mi[a * d + k] * mr[k * d + b];
                }
                sr[a * d + b] = re; si[a * d + b] = im;
            }
        double t2 = 0, t4 = 0;
        for (int a = 0; a < d; a++) t2 += sr[a * d + a];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) t4 += sr[a * d + b] * sr[b * d + a] - si[a * d + b] * si[b * d + a];
        return (t2, t4);
    }
}
