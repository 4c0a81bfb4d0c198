using System.Globalization;

namespace QnnSim.Circuits;

/// <summary>Which run-time vector a variable of an angle expression reads.</summary>
public enum VariableKind
{
    /// <summary>A trainable parameter θ_j, passed as <see cref="ParameterValues"/>.</summary>
    Parameter,

    /// <summary>A data input x_j, passed as <see cref="InputValues"/>.</summary>
    Input,
}

/// <summary>
/// An immutable real-valued angle expression: a constant, a trainable parameter θ_j, a data input x_j, or a tree of
/// arithmetic and elementary functions of these. Angles are real numbers, never wrapped modulo 2π.
/// </summary>
/// <remarks>
/// <para>The common QNN case a·θ_j + b (and a·x_j + b) is a dedicated node, <see cref="IsAffine"/> reports it, and
/// <see cref="TryGetAffine"/> recovers (kind, j, a, b). General expressions support the chain rule through
/// <see cref="AccumulateGradient"/>: ∂angle/∂θ_j and ∂angle/∂x_j.</para>
/// <para>Variables refer to positions in the parameter and input vectors; their names live in the
/// <see cref="Circuit"/>. Build them with <see cref="CircuitBuilder.Parameter(string)"/> and
/// <see cref="CircuitBuilder.Input(string)"/>, or with <see cref="Angle.Parameter(int,double,double)"/>.</para>
/// </remarks>
public abstract class Angle
{
    private protected Angle() { }

    /// <summary>A constant angle.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite.</exception>
    public static Angle Constant(double value)
    {
        if (!double.IsFinite(value)) ThrowHelper.NotFinite(nameof(value), "the angle", value);
        return new ConstantAngle(value);
    }

    /// <summary>The affine angle a·θ_index + b of trainable parameter <paramref name="index"/>.</summary>
    public static Angle Parameter(int index, double scale = 1.0, double offset = 0.0) =>
        Affine(VariableKind.Parameter, index, scale, offset);

    /// <summary>The affine angle a·x_index + b of data input <paramref name="index"/>.</summary>
    public static Angle Input(int index, double scale = 1.0, double offset = 0.0) =>
        Affine(VariableKind.Input, index, scale, offset);

    /// <summary>The affine angle a·v + b of a variable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative index, or a non-finite scale or offset.</exception>
    public static Angle Affine(VariableKind kind, int index, double scale, double offset)
    {
        if (index < 0) ThrowHelper.ArgumentOutOfRange(nameof(index), index, "a non-negative variable index");
        if (!double.IsFinite(scale)) ThrowHelper.NotFinite(nameof(scale), "the scale", scale);
        if (!double.IsFinite(offset)) ThrowHelper.NotFinite(nameof(offset), "the offset", offset);
        if (scale == 0.0) return new ConstantAngle(offset);
        return new AffineAngle(kind, index, scale, offset);
    }

    /// <summary>Evaluates the angle for the given parameter and input values (no validation: the caller checks lengths).</summary>
    public abstract double Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs);

    /// <summary>
    /// Adds <paramref name="weight"/> · ∂angle/∂θ_j to <paramref name="parameterGradient"/>[j] and
    /// <paramref name="weight"/> · ∂angle/∂x_j to <paramref name="inputGradient"/>[j] (the chain rule; an empty span
    /// skips that kind).
    /// </summary>
    public abstract void AccumulateGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, double weight,
        Span<double> parameterGradient, Span<double> inputGradient);

    /// <summary>True when the angle depends on no variable.</summary>
    public virtual bool IsConstant => false;

    /// <summary>True when the angle is a·v + b for one variable v.</summary>
    public bool IsAffine => this is AffineAngle;

    /// <summary>Recovers (kind, index, a, b) of an affine angle a·v + b.</summary>
    public bool TryGetAffine(out VariableKind kind, out int index, out double scale, out double offset)
    {
        if (this is AffineAngle a)
        {
            (kind, index, scale, offset) = (a.Kind, a.Index, a.Scale, a.Offset);
            return true;
        }
        (kind, index, scale, offset) = (default, -1, 0, 0);
        return false;
    }

    /// <summary>The value of a constant angle.</summary>
    /// <exception cref="InvalidOperationException">The angle depends on a variable.</exception>
    public double ConstantValue => this is ConstantAngle c
        ? c.Value
        : throw new InvalidOperationException($"the angle '{this}' depends on variables and has no constant value.");

    /// <summary>Calls <paramref name="visit"/> once for every variable occurrence in the expression.</summary>
    public abstract void VisitVariables(Action<VariableKind, int> visit);

    /// <summary>The largest parameter index used plus one (0 when none).</summary>
    public int ParameterExtent() => Extent(VariableKind.Parameter);

    /// <summary>The largest input index used plus one (0 when none).</summary>
    public int InputExtent() => Extent(VariableKind.Input);

    private int Extent(VariableKind kind)
    {
        int extent = 0;
        VisitVariables((k, i) => { if (k == kind && i + 1 > extent) extent = i + 1; });
        return extent;
    }

    /// <summary>Rewrites every variable index through <paramref name="map"/> (used when circuits are appended and names merge).</summary>
    public Angle RemapVariables(Func<VariableKind, int, int> map) => Remap((k, j) => (k, map(k, j)));

    /// <summary>Rewrites every variable's kind and index through <paramref name="map"/>.</summary>
    public abstract Angle Remap(Func<VariableKind, int, (VariableKind Kind, int Index)> map);

    /// <summary>
    /// Text in OpenQASM 3 expression syntax with <paramref name="name"/> giving each variable's name. Operands are
    /// parenthesised by OpenQASM 3 precedence (additive &lt; multiplicative &lt; unary minus &lt; power), so the text
    /// reads back to the same value.
    /// </summary>
    public string ToString(Func<VariableKind, int, string> name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return AngleText.Format(this, name).Text;
    }

    /// <inheritdoc/>
    public override string ToString() => ToString((k, i) => k == VariableKind.Parameter ? $"theta[{i}]" : $"x[{i}]");

    /// <summary>Converts a double to a constant angle.</summary>
    public static implicit operator Angle(double value) => Constant(value);

    /// <summary>Sum.</summary>
    public static Angle operator +(Angle a, Angle b) => Binary.Create(BinaryOp.Add, a, b);
    /// <summary>Difference.</summary>
    public static Angle operator -(Angle a, Angle b) => Binary.Create(BinaryOp.Subtract, a, b);
    /// <summary>Product.</summary>
    public static Angle operator *(Angle a, Angle b) => Binary.Create(BinaryOp.Multiply, a, b);
    /// <summary>Quotient.</summary>
    public static Angle operator /(Angle a, Angle b) => Binary.Create(BinaryOp.Divide, a, b);
    /// <summary>Negation.</summary>
    public static Angle operator -(Angle a) => Binary.Create(BinaryOp.Multiply, Constant(-1.0), a);

    /// <summary>a^b (real power).</summary>
    public static Angle Pow(Angle a, Angle b) => Binary.Create(BinaryOp.Power, a, b);

    /// <summary>Applies an elementary function.</summary>
    public static Angle Apply(AngleFunction function, Angle argument)
    {
        if (argument is ConstantAngle c)
        {
            double v = Unary.Eval(function, c.Value);
            if (!double.IsFinite(v))
                throw new ArgumentOutOfRangeException(nameof(argument), c.Value,
                    $"{Unary.Name(function)}({c.Value.ToString("R", CultureInfo.InvariantCulture)}) is not a finite real number.");
            return new ConstantAngle(v);
        }
        return new Unary(function, argument);
    }

    /// <summary>sin(a).</summary>
    public static Angle Sin(Angle a) => Apply(AngleFunction.Sin, a);
    /// <summary>cos(a).</summary>
    public static Angle Cos(Angle a) => Apply(AngleFunction.Cos, a);
    /// <summary>tan(a).</summary>
    public static Angle Tan(Angle a) => Apply(AngleFunction.Tan, a);
    /// <summary>exp(a).</summary>
    public static Angle Exp(Angle a) => Apply(AngleFunction.Exp, a);
    /// <summary>ln(a).</summary>
    public static Angle Ln(Angle a) => Apply(AngleFunction.Ln, a);
    /// <summary>sqrt(a).</summary>
    public static Angle Sqrt(Angle a) => Apply(AngleFunction.Sqrt, a);
    /// <summary>arcsin(a).</summary>
    public static Angle Arcsin(Angle a) => Apply(AngleFunction.Arcsin, a);
    /// <summary>arccos(a).</summary>
    public static Angle Arccos(Angle a) => Apply(AngleFunction.Arccos, a);
    /// <summary>arctan(a).</summary>
    public static Angle Arctan(Angle a) => Apply(AngleFunction.Arctan, a);

    internal static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Elementary functions available in angle expressions (those of OpenQASM 3).</summary>
public enum AngleFunction
{
    /// <summary>sine</summary>
    Sin,
    /// <summary>cosine</summary>
    Cos,
    /// <summary>tangent</summary>
    Tan,
    /// <summary>exponential</summary>
    Exp,
    /// <summary>natural logarithm</summary>
    Ln,
    /// <summary>square root</summary>
    Sqrt,
    /// <summary>inverse sine</summary>
    Arcsin,
    /// <summary>inverse cosine</summary>
    Arccos,
    /// <summary>inverse tangent</summary>
    Arctan,
}

internal sealed class ConstantAngle(double value) : Angle
{
    public double Value { get; } = value;
    public override bool IsConstant => true;
    public override double Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs) => Value;
    public override void AccumulateGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, double weight,
        Span<double> parameterGradient, Span<double> inputGradient) { }
    public override void VisitVariables(Action<VariableKind, int> visit) { }
    public override Angle Remap(Func<VariableKind, int, (VariableKind Kind, int Index)> map) => this;
}

internal sealed class AffineAngle(VariableKind kind, int index, double scale, double offset) : Angle
{
    public VariableKind Kind { get; } = kind;
    public int Index { get; } = index;
    public double Scale { get; } = scale;
    public double Offset { get; } = offset;

    public override double Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs) =>
        Scale * (Kind == VariableKind.Parameter ? parameters[Index] : inputs[Index]) + Offset;

    public override void AccumulateGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, double weight,
        Span<double> parameterGradient, Span<double> inputGradient)
    {
        Span<double> target = Kind == VariableKind.Parameter ? parameterGradient : inputGradient;
        if (!target.IsEmpty) target[Index] += weight * Scale;
    }

    public override void VisitVariables(Action<VariableKind, int> visit) => visit(Kind, Index);
    public override Angle Remap(Func<VariableKind, int, (VariableKind Kind, int Index)> map)
    {
        var (k, i) = map(Kind, Index);
        return new AffineAngle(k, i, Scale, Offset);
    }

}

internal enum BinaryOp { Add, Subtract, Multiply, Divide, Power }

internal sealed class Binary : Angle
{
    private readonly BinaryOp _op;
    private readonly Angle _left, _right;

    private Binary(BinaryOp op, Angle left, Angle right) => (_op, _left, _right) = (op, left, right);

    public static Angle Create(BinaryOp op, Angle left, Angle right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (left is ConstantAngle l && right is ConstantAngle r)
        {
            double v = Eval(op, l.Value, r.Value);
            if (!double.IsFinite(v))
                throw new ArgumentOutOfRangeException(nameof(right), r.Value,
                    $"the constant expression {Format(l.Value)} {Symbol(op)} {Format(r.Value)} is not a finite real number.");
            return new ConstantAngle(v);
        }
        // Keep a·v + b in affine form: it is the case gradients, exporters and the Q# probe importer care about.
        if (left is AffineAngle a && right is ConstantAngle c)
        {
            switch (op)
            {
                case BinaryOp.Add: return Affine(a.Kind, a.Index, a.Scale, a.Offset + c.Value);
                case BinaryOp.Subtract: return Affine(a.Kind, a.Index, a.Scale, a.Offset - c.Value);
                case BinaryOp.Multiply: return Affine(a.Kind, a.Index, a.Scale * c.Value, a.Offset * c.Value);
                case BinaryOp.Divide when c.Value != 0: return Affine(a.Kind, a.Index, a.Scale / c.Value, a.Offset / c.Value);
            }
        }
        if (left is ConstantAngle c2 && right is AffineAngle a2)
        {
            switch (op)
            {
                case BinaryOp.Add: return Affine(a2.Kind, a2.Index, a2.Scale, a2.Offset + c2.Value);
                case BinaryOp.Subtract: return Affine(a2.Kind, a2.Index, -a2.Scale, c2.Value - a2.Offset);
                case BinaryOp.Multiply: return Affine(a2.Kind, a2.Index, a2.Scale * c2.Value, a2.Offset * c2.Value);
            }
        }
        if (left is AffineAngle x && right is AffineAngle y && x.Kind == y.Kind && x.Index == y.Index)
        {
            switch (op)
            {
                case BinaryOp.Add: return Affine(x.Kind, x.Index, x.Scale + y.Scale, x.Offset + y.Offset);
                case BinaryOp.Subtract: return Affine(x.Kind, x.Index, x.Scale - y.Scale, x.Offset - y.Offset);
            }
        }
        return new Binary(op, left, right);
    }

    private static double Eval(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Subtract => a - b,
        BinaryOp.Multiply => a * b,
        BinaryOp.Divide => a / b,
        BinaryOp.Power => Math.Pow(a, b),
        _ => throw new System.Diagnostics.UnreachableException(),
    };

    private static string Symbol(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Subtract => "-",
        BinaryOp.Multiply => "*",
        BinaryOp.Divide => "/",
        BinaryOp.Power => "**",
        _ => throw new System.Diagnostics.UnreachableException(),
    };

    public override double Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs) =>
        Eval(_op, _left.Evaluate(parameters, inputs), _right.Evaluate(parameters, inputs));

    public override void AccumulateGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, double weight,
        Span<double> parameterGradient, Span<double> inputGradient)
    {
        double a = _left.Evaluate(parameters, inputs), b = _right.Evaluate(parameters, inputs);
        double da, db;
        switch (_op)
        {
            case BinaryOp.Add: (da, db) = (1, 1); break;
            case BinaryOp.Subtract: (da, db) = (1, -1); break;
            case BinaryOp.Multiply: (da, db) = (b, a); break;
            case BinaryOp.Divide: (da, db) = (1 / b, -a / (b * b)); break;
            case BinaryOp.Power:
                da = a == 0 && b >= 1 ? (b == 1 ? 1 : 0) : b * Math.Pow(a, b - 1);
                db = a > 0 ? Math.Pow(a, b) * Math.Log(a) : 0;
                break;
            default: throw new System.Diagnostics.UnreachableException();
        }
        if (!_left.IsConstant) _left.AccumulateGradient(parameters, inputs, weight * da, parameterGradient, inputGradient);
        if (!_right.IsConstant) _right.AccumulateGradient(parameters, inputs, weight * db, parameterGradient, inputGradient);
    }

    public override void VisitVariables(Action<VariableKind, int> visit)
    {
        _left.VisitVariables(visit);
        _right.VisitVariables(visit);
    }

    public override Angle Remap(Func<VariableKind, int, (VariableKind Kind, int Index)> map) =>
        Create(_op, _left.Remap(map), _right.Remap(map));

    internal BinaryOp Op => _op;
    internal Angle Left => _left;
    internal Angle Right => _right;
}

internal sealed class Unary(AngleFunction function, Angle argument) : Angle
{
    public static double Eval(AngleFunction f, double v) => f switch
    {
        AngleFunction.Sin => Math.Sin(v),
        AngleFunction.Cos => Math.Cos(v),
        AngleFunction.Tan => Math.Tan(v),
        AngleFunction.Exp => Math.Exp(v),
        AngleFunction.Ln => Math.Log(v),
        AngleFunction.Sqrt => Math.Sqrt(v),
        AngleFunction.Arcsin => Math.Asin(v),
        AngleFunction.Arccos => Math.Acos(v),
        AngleFunction.Arctan => Math.Atan(v),
        _ => throw new System.Diagnostics.UnreachableException(),
    };

    public static string Name(AngleFunction f) => f switch
    {
        AngleFunction.Sin => "sin",
        AngleFunction.Cos => "cos",
        AngleFunction.Tan => "tan",
        AngleFunction.Exp => "exp",
        AngleFunction.Ln => "ln",
        AngleFunction.Sqrt => "sqrt",
        AngleFunction.Arcsin => "arcsin",
        AngleFunction.Arccos => "arccos",
        AngleFunction.Arctan => "arctan",
        _ => throw new System.Diagnostics.UnreachableException(),
    };

    private static double Derivative(AngleFunction f, double v) => f switch
    {
        AngleFunction.Sin => Math.Cos(v),
        AngleFunction.Cos => -Math.Sin(v),
        AngleFunction.Tan => 1 + Math.Tan(v) * Math.Tan(v),
        AngleFunction.Exp => Math.Exp(v),
        AngleFunction.Ln => 1 / v,
        AngleFunction.Sqrt => 0.5 / Math.Sqrt(v),
        AngleFunction.Arcsin => 1 / Math.Sqrt(1 - v * v),
        AngleFunction.Arccos => -1 / Math.Sqrt(1 - v * v),
        AngleFunction.Arctan => 1 / (1 + v * v),
        _ => throw new System.Diagnostics.UnreachableException(),
    };

    public override double Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs) =>
        Eval(function, argument.Evaluate(parameters, inputs));

    public override void AccumulateGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, double weight,
        Span<double> parameterGradient, Span<double> inputGradient) =>
        argument.AccumulateGradient(parameters, inputs, weight * Derivative(function, argument.Evaluate(parameters, inputs)),
            parameterGradient, inputGradient);

    public override void VisitVariables(Action<VariableKind, int> visit) => argument.VisitVariables(visit);
    public override Angle Remap(Func<VariableKind, int, (VariableKind Kind, int Index)> map) => Apply(function, argument.Remap(map));
    internal AngleFunction Function => function;
    internal Angle Argument => argument;
}

/// <summary>
/// Formats angle trees with OpenQASM 3 precedence: 0 additive, 1 multiplicative, 2 unary minus, 3 power, 4 atom.
/// </summary>
internal static class AngleText
{
    public static (string Text, int Precedence) Format(Angle angle, Func<VariableKind, int, string> name)
    {
        switch (angle)
        {
            case ConstantAngle c:
                return c.Value < 0 || (c.Value == 0 && double.IsNegative(c.Value))
                    ? ("-" + Angle.Format(-c.Value), 2)
                    : (Angle.Format(c.Value), 4);
            case AffineAngle a:
            {
                string v = name(a.Kind, a.Index);
                (string term, int prec) = a.Scale == 1.0 ? (v, 4)
                    : a.Scale == -1.0 ? ("-" + v, 2)
                    : ($"{Paren(Format(Angle.Constant(a.Scale), name), 2)}*{v}", 1);
                if (a.Offset == 0.0) return (term, prec);
                return a.Offset > 0 ? ($"{term} + {Angle.Format(a.Offset)}", 0) : ($"{term} - {Angle.Format(-a.Offset)}", 0);
            }
            case Binary b:
            {
                var op = b.Op;
                var rightAngle = b.Right;
                if (op is BinaryOp.Add or BinaryOp.Subtract && rightAngle is ConstantAngle { Value: < 0 } negative)
                {
                    // a + (−c) reads better as a − c (and a − (−c) as a + c); the value is the same.
                    op = op == BinaryOp.Add ? BinaryOp.Subtract : BinaryOp.Add;
                    rightAngle = Angle.Constant(-negative.Value);
                }
                var left = Format(b.Left, name);
                var right = Format(rightAngle, name);
                return op switch
                {
                    BinaryOp.Add => ($"{Paren(left, 0)} + {Paren(right, 1)}", 0),
                    BinaryOp.Subtract => ($"{Paren(left, 0)} - {Paren(right, 1)}", 0),
                    BinaryOp.Multiply => ($"{Paren(left, 1)} * {Paren(right, 2)}", 1),
                    BinaryOp.Divide => ($"{Paren(left, 1)} / {Paren(right, 2)}", 1),
                    BinaryOp.Power => ($"{Paren(left, 4)} ** {Paren(right, 2)}", 3),
                    _ => throw new System.Diagnostics.UnreachableException(),
                };
            }
            case Unary u:
                return ($"{Unary.Name(u.Function)}({Format(u.Argument, name).Text})", 4);
            default:
                throw new System.Diagnostics.UnreachableException($"unknown angle node {angle.GetType().Name}");
        }
    }

    private static string Paren((string Text, int Precedence) e, int minimum) =>
        e.Precedence >= minimum ? e.Text : "(" + e.Text + ")";
}
