using MathNet.Numerics.LinearAlgebra;

namespace QnnSim.Cli.Report.Physics;

/// <summary>A dataset of pure states with labels (dense amplitudes).</summary>
internal sealed record PureDataset(double[][] Re, double[][] Im, double[] Labels)
{
    public int Count => Labels.Length;
}

/// <summary>One recorded step of a training run.</summary>
/// <param name="Step">Gradient-descent step k.</param>
/// <param name="S">Rescaled time s = η·p·k (= η0·k with η = η0/p).</param>
/// <param name="Residuals">r_i = ŷ_i − y_i.</param>
/// <param name="TraceRatio">tr K(s) / tr K(0).</param>
/// <param name="RelativeDeviation">‖K(s) − K(0)‖_F / ‖K(0)‖_F.</param>
internal sealed record TrainingRecord(int Step, double S, double[] Residuals, double TraceRatio, double RelativeDeviation)
{
    public double ResidualNorm => Norm(Residuals);
    public static double Norm(double[] v) { double s = 0; foreach (var x in v) s += x * x; return Math.Sqrt(s); }
}

/// <summary>The result of a training run: records, the initial kernel and outputs.</summary>
internal sealed record TrainingRun(IReadOnlyList<TrainingRecord> Records, double[,] K0, double[] Outputs0, double[] Theta0, double Eta, int Layers);

/// <summary>Full-batch gradient descent on L = ½ Σ r² (THEORY.md §1) with kernel tracking at recorded steps.</summary>
internal static class Trainer
{
    /// <summary>Log-spaced record steps: every step up to 10, then about <paramref name="perDecade"/> per decade, and the last.</summary>
    public static HashSet<int> LogSteps(int steps, int perDecade)
    {
        var set = new HashSet<int>();
        for (int k = 0; k <= Math.Min(10, steps); k++) set.Add(k);
        for (double e = 1; ; e += 1.0 / perDecade)
        {
            int k = (int)Math.Round(Math.Pow(10, e));
            if (k > steps) break;
            set.Add(k);
        }
        set.Add(steps);
        return set;
    }

    /// <summary>
    /// Runs <paramref name="steps"/> steps θ ← θ − η Jᵀ r from <paramref name="theta0"/>, recording at <paramref name="record"/>
    /// (and stopping early once ‖r‖ &lt; <paramref name="stopBelow"/>). <paramref name="progress"/> is called every 64 steps with the
    /// number of steps done since the last call.
    /// </summary>
    public static TrainingRun Train(PaperModel model, PureDataset data, double[] theta0, double eta, int steps,
        Func<int, bool> record, CancellationToken token, Action<int>? progress = null, double stopBelow = 0)
    {
        int m = data.Count, p = model.Layers;
        var theta = (double[])theta0.Clone();
        var jac = new double[m, p];
        var row = new double[p];
        var r = new double[m];
        var ws = new PaperModel.Workspace(model.Dimension);
        var records = new List<TrainingRecord>();
        double[,]? k0 = null; double[]? y0 = null; double tr0 = 0, norm0 = 0;
        int reported = 0, done = 0;
        for (int k = 0; k <= steps; k++)
        {
            for (int i = 0; i < m; i++)
            {
                double y = model.Evaluate(theta, data.Re[i], data.Im[i], row, ws);
                r[i] = y - data.Labels[i];
                for (int l = 0; l < p; l++) jac[i, l] = row[l];
            }
            bool stop = k == steps || TrainingRecord.Norm(r) < stopBelow;
            if (k == 0)
            {
                k0 = Kernel(jac, m, p);
                y0 = new double[m];
                for (int i = 0; i < m; i++) { y0[i] = r[i] + data.Labels[i]; tr0 += k0[i, i]; }
                norm0 = Frobenius(k0, null);
            }
            if (k == 0 || stop || record(k))
            {
                var kk = Kernel(jac, m, p);
                double tr = 0; for (int i = 0; i < m; i++) tr += kk[i, i];
                records.Add(new TrainingRecord(k, eta * p * k, (double[])r.Clone(), tr / tr0, Frobenius(kk, k0) / norm0));
            }
            if (stop) break;
            done = k + 1;
            for (int l = 0; l < p; l++)
            {
                double g = 0;
                for (int i = 0; i < m; i++) g += jac[i, l] * r[i];
                theta[l] -= eta * g;
            }
            if ((k & 63) == 63)
            {
                token.ThrowIfCancellationRequested();
                progress?.Invoke(k + 1 - reported); reported = k + 1;
            }
        }
        progress?.Invoke(done - reported);
        return new TrainingRun(records, k0!, y0!, theta0, eta, p);
    }

    /// <summary>K = J Jᵀ (THEORY.md §2).</summary>
    public static double[,] Kernel(double[,] jac, int m, int p)
    {
        var k = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int l = 0; l < p; l++) s += jac[i, l] * jac[j, l];
                k[i, j] = s; k[j, i] = s;
            }
        return k;
    }

    /// <summary>The kernel at θ on a dataset.</summary>
    public static double[,] Kernel(PaperModel model, PureDataset data, double[] theta, out double[] outputs)
    {
        int m = data.Count, p = model.Layers;
        var jac = new double[m, p]; var row = new double[p]; outputs = new double[m];
        var ws = new PaperModel.Workspace(model.Dimension);
        for (int i = 0; i < m; i++)
        {
            outputs[i] = model.Evaluate(theta, data.Re[i], data.Im[i], row, ws);
            for (int l = 0; l < p; l++) jac[i, l] = row[l];
        }
        return Kernel(jac, m, p);
    }

    private static double Frobenius(double[,] a, double[,]? b)
    {
        double s = 0;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++) { double x = a[i, j] - (b?[i, j] ?? 0); s += x * x; }
        return Math.Sqrt(s);
    }
}

/// <summary>Spectral helpers on small symmetric kernels (MathNet): eigenvalues, frozen-kernel prediction.</summary>
internal static class KernelSpectrum
{
    /// <summary>Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix.</summary>
    public static (double[] Values, double[,] Vectors) Eigen(double[,] k)
    {
        var evd = Matrix<double>.Build.DenseOfArray(k).Evd(Symmetricity.Symmetric);
        return (evd.EigenValues.Select(c => c.Real).ToArray(), evd.EigenVectors.ToArray());
    }

    /// <summary>Frozen-kernel residual of gradient descent, r_k = (I − ηK(0))^k r_0 (THEORY.md §2).</summary>
    public static double[] FrozenResidual(double[] values, double[,] vectors, double[] r0, double eta, int k)
    {
        int m = r0.Length;
        var r = new double[m];
        for (int a = 0; a < m; a++)
        {
            double c = 0;
            for (int i = 0; i < m; i++) c += vectors[i, a] * r0[i];
            c *= Math.Pow(1 - eta * values[a], k);
            for (int i = 0; i < m; i++) r[i] += c * vectors[i, a];
        }
        return r;
    }
}
