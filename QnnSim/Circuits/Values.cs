namespace QnnSim.Circuits;

/// <summary>
/// The trainable parameter vector θ passed to a circuit at run time. A distinct type from
/// <see cref="InputValues"/>, so θ and the data inputs x cannot be swapped silently; there is no implicit conversion
/// from an array.
/// </summary>
/// <param name="values">θ_0 … θ_{p−1}, in the circuit's parameter order (<see cref="Circuit.ParameterNames"/>).</param>
public readonly struct ParameterValues(ReadOnlyMemory<double> values)
{
    /// <summary>The values.</summary>
    public ReadOnlyMemory<double> Values { get; } = values;

    /// <summary>The values as a span.</summary>
    public ReadOnlySpan<double> Span => Values.Span;

    /// <summary>Number of values.</summary>
    public int Length => Values.Length;

    /// <summary>No parameters (for circuits without trainable parameters).</summary>
    public static ParameterValues None => default;

    /// <summary>Wraps an array.</summary>
    public static ParameterValues Of(params double[] values) => new(values);
}

/// <summary>
/// The data input vector x of one sample, passed to a circuit at run time. A distinct type from
/// <see cref="ParameterValues"/>.
/// </summary>
/// <param name="values">x_0 … x_{q−1}, in the circuit's input order (<see cref="Circuit.InputNames"/>).</param>
public readonly struct InputValues(ReadOnlyMemory<double> values)
{
    /// <summary>The values.</summary>
    public ReadOnlyMemory<double> Values { get; } = values;

    /// <summary>The values as a span.</summary>
    public ReadOnlySpan<double> Span => Values.Span;

    /// <summary>Number of values.</summary>
    public int Length => Values.Length;

    /// <summary>No inputs (for circuits without data inputs).</summary>
    public static InputValues None => default;

    /// <summary>Wraps an array.</summary>
    public static InputValues Of(params double[] values) => new(values);
}
