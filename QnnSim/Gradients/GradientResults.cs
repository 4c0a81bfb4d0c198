namespace QnnSim.Gradients;

/// <summary>A shot-based parameter-shift gradient: per parameter the estimate and its standard error.</summary>
/// <param name="Gradient">∂⟨O⟩/∂θ_j estimated from finite shots, in parameter order.</param>
/// <param name="StandardError">The standard error of each estimate (shift terms are independent, so variances add).</param>
/// <param name="TotalShots">Shots spent over every shifted circuit and observable term.</param>
public sealed record ShotGradient(double[] Gradient, double[] StandardError, long TotalShots);

/// <summary>
/// A dataset Jacobian: rows sample-major (row i·k + j is sample i, observable j), columns in parameter order
/// (or input order for <see cref="InputJacobian"/>). Data is row-major: element [r, c] is Data[r·Columns + c].
/// </summary>
public sealed class JacobianResult
{
    internal JacobianResult(int samples, int observables, int columns, double[] values, double[] data, JacobianResult? inputJacobian)
    {
        SampleCount = samples;
        ObservableCount = observables;
        Rows = samples * observables;
        Columns = columns;
        Values = values;
        Data = data;
        InputJacobian = inputJacobian;
    }

    /// <summary>Number of rows m·k.</summary>
    public int Rows { get; }

    /// <summary>Number of columns: p for the parameter Jacobian, q for <see cref="InputJacobian"/>.</summary>
    public int Columns { get; }

    /// <summary>Number of samples m.</summary>
    public int SampleCount { get; }

    /// <summary>Number of observables k.</summary>
    public int ObservableCount { get; }

    /// <summary>The outputs ⟨O_j⟩ of sample i at index i·k + j (the model values the Jacobian differentiates).</summary>
    public double[] Values { get; }

    /// <summary>Row-major Rows × Columns derivatives: Data[(i·k + j)·Columns + c] = ∂⟨O_j⟩_i/∂v_c.</summary>
    public double[] Data { get; }

    /// <summary>
    /// The input Jacobian ∂⟨O_j⟩_i/∂x_{i,c} (Rows × q, same row order, same <see cref="Values"/>) when
    /// <see cref="JacobianOptions.IncludeInputs"/> was set; otherwise null.
    /// </summary>
    public JacobianResult? InputJacobian { get; }

    /// <summary>Element [row, column].</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index out of range.</exception>
    public double this[int row, int column]
    {
        get
        {
            if ((uint)row >= (uint)Rows) ThrowHelper.ArgumentOutOfRange(nameof(row), row, $"0..{Rows - 1}");
            if ((uint)column >= (uint)Columns) ThrowHelper.ArgumentOutOfRange(nameof(column), column, $"0..{Columns - 1}");
            return Data[(long)row * Columns + column];
        }
    }

    /// <summary>Row <paramref name="row"/> (sample row / k, observable row % k) as a read-only span.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The row is out of range.</exception>
    public ReadOnlySpan<double> Row(int row)
    {
        if ((uint)row >= (uint)Rows) ThrowHelper.ArgumentOutOfRange(nameof(row), row, $"0..{Rows - 1}");
        return Data.AsSpan(row * Columns, Columns);
    }
}
