using MathNet.Numerics.LinearAlgebra;

namespace QnnSim.Analysis;

/// <summary>
/// The quantum path kernel (Incudini et al., "The Quantum Path Kernel: a Generalized Neural Tangent Kernel for Deep
/// Quantum Machine Learning", IEEE TQE 4, 3102616 (2023)): the tangent kernel averaged over the training trajectory,
/// K_path(x, x') = (1/T) Σ_{t=1}^{T} ∇f(x; θ_t)·∇f(x'; θ_t), for the training set and between test and training points,
/// and its kernel-ridge predictions ŷ(x) = K_path(x, X)(K_path(X, X) + λI)⁻¹ y (signs for ±1 classification).
/// </summary>
public sealed class PathKernel
{
    private PathKernel(TangentKernel train, double[,]? cross, int steps)
    {
        Train = train;
        Cross = cross;
        TrajectoryLength = steps;
    }

    /// <summary>K_path(X, X).</summary>
    public TangentKernel Train { get; }

    /// <summary>K_path(x, X) (test rows × training columns), or null without a test set.</summary>
    public double[,]? Cross { get; }

    /// <summary>T, the number of trajectory points averaged.</summary>
    public int TrajectoryLength { get; }

    /// <summary>
    /// Averages the tangent kernels of a single-output model at the trajectory points <paramref name="trajectory"/>
    /// (e.g. the θ of the <see cref="FitRecord"/>s of a run with <see cref="TrainerOptions.RecordParameters"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An empty trajectory, a point of the wrong length, or a model with several outputs.</exception>
    public static PathKernel FromTrajectory(IBatchModelEvaluator train, IReadOnlyList<double[]> trajectory, IBatchModelEvaluator? test = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trajectory);
        if (trajectory.Count == 0) throw new ArgumentException("the trajectory is empty.", nameof(trajectory));
        if (train.OutputCount != 1) throw new ArgumentException($"the path kernel needs a single output; the model has {train.OutputCount}.", nameof(train));
        int m = train.SampleCount, p = train.ParameterCount, t = test?.SampleCount ?? 0;
        var sum = new double[m, m];
        var cross = test is null ? null : new double[t, m];
        var jm = new double[m * p];
        var jt = new double[t * p];
        var fm = new double[m];
        var ft = new double[t];
        int[] all = [.. Enumerable.Range(0, m)], allTest = [.. Enumerable.Range(0, t)];
        foreach (var theta in trajectory)
        {
            train.Evaluate(theta, all, fm, jm);
            var k = TangentKernel.FromJacobian(jm, m, p);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++) sum[i, j] += k[i, j];
            if (test is not null)
            {
                test.Evaluate(theta, allTest, ft, jt);
                var c = TangentKernel.Cross(jt, jm, p);
                for (int i = 0; i < t; i++)
                    for (int j = 0; j < m; j++) cross![i, j] += c[i, j];
            }
        }
        double inv = 1.0 / trajectory.Count;
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++) sum[i, j] = sum[j, i] = 0.5 * (sum[i, j] + sum[j, i]) * inv;
        if (cross is not null)
            for (int i = 0; i < t; i++)
                for (int j = 0; j < m; j++) cross[i, j] *= inv;
        return new PathKernel(new TangentKernel(sum), cross, trajectory.Count);
    }

    /// <summary>Kernel-ridge predictions for the test rows: K(x, X)(K(X, X) + λI)⁻¹ y.</summary>
    /// <exception cref="InvalidOperationException">No test set.</exception>
    /// <exception cref="ArgumentOutOfRangeException">λ negative or non-finite.</exception>
    public double[] Predict(IReadOnlyList<double> labels, double ridge = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (Cross is null) throw new InvalidOperationException("the path kernel was built without a test set.");
        if (!(ridge >= 0) || !double.IsFinite(ridge)) throw new ArgumentOutOfRangeException(nameof(ridge), ridge, $"ridge = {ridge} is out of range; allowed: a finite number ≥ 0.");
        int m = Train.Size;
        if (labels.Count != m) throw new ArgumentException($"{labels.Count} labels for {m} training samples.", nameof(labels));
        double scale = Train.Trace / m;
        var a = Train.ToMatrix() + Matrix<double>.Build.DenseIdentity(m) * (ridge * Math.Max(scale, 1e-300));
        var alpha = a.Solve(Vector<double>.Build.DenseOfEnumerable(labels));
        return [.. (Matrix<double>.Build.DenseOfArray(Cross) * alpha)];
    }
}
