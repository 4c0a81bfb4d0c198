using System.CommandLine;
using System.Globalization;
using QnnSim.Circuits;

namespace QnnSim.Cli.Common;

/// <summary>One <c>--bind NAME=VALUE</c> given on the command line.</summary>
/// <param name="Name">The parameter or input name (e.g. <c>t0</c>, <c>theta[3]</c>).</param>
/// <param name="Value">The value.</param>
/// <param name="Text">The option text as written, for messages.</param>
internal readonly record struct Binding(string Name, double Value, string Text);

/// <summary>Which kinds of circuit variables a command lets <c>--bind</c> set.</summary>
[Flags]
internal enum BindScope
{
    /// <summary>Trainable parameters θ.</summary>
    Parameters = 1,
    /// <summary>Data inputs x.</summary>
    Inputs = 2,
    /// <summary>Both.</summary>
    All = Parameters | Inputs,
}

/// <summary>
/// <c>--bind NAME=VALUE</c> (repeatable): values for a circuit's trainable parameters and data inputs. A value is a
/// real number or a small constant expression: <c>0.25</c>, <c>-1e-3</c>, <c>pi</c>, <c>-pi/4</c>, <c>3*pi/2</c>,
/// <c>2π</c>, <c>tau</c>, <c>(1+pi)/2</c>.
/// </summary>
internal static class Bindings
{
    /// <summary>A new --bind option.</summary>
    public static Option<string[]> Option(string? description = null) => new("--bind")
    {
        Description = description ?? "Set a parameter or data input: NAME=VALUE, VALUE a number or an expression such as pi/2 or -pi/4 (repeatable; every parameter and input must be bound).",
        HelpName = "NAME=VALUE",
        Arity = ArgumentArity.OneOrMore,
        DefaultValueFactory = _ => [],
    };

    /// <summary>Parses the --bind texts.</summary>
    /// <exception cref="CliUsageException">A text without '=', an empty name, a malformed value, or a name given twice.</exception>
    public static IReadOnlyList<Binding> Parse(IEnumerable<string>? texts)
    {
        var result = new List<Binding>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var text in texts ?? [])
        {
            int eq = text.IndexOf('=');
            if (eq < 0) throw new CliUsageException($"--bind '{text}': expected NAME=VALUE, e.g. --bind theta=0.5 or --bind 'x[0]=pi/2'.");
            string name = text[..eq].Trim();
            string valueText = text[(eq + 1)..].Trim();
            if (name.Length == 0) throw new CliUsageException($"--bind '{text}': the name before '=' is empty.");
            if (!ValueExpression.TryEvaluate(valueText, out double value, out string? error))
                throw new CliUsageException($"--bind '{text}': {error}");
            if (seen.TryGetValue(name, out var previous))
                throw new CliUsageException($"--bind: '{name}' is bound twice ('{previous}' and '{text}'); give each name once.");
            seen[name] = text;
            result.Add(new Binding(name, value, text));
        }
        return result;
    }

    /// <summary>
    /// Resolves bindings against a circuit into θ and x in the circuit's order. Kinds outside
    /// <paramref name="scope"/> are returned empty (the command supplies them another way, e.g. from --data).
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="bindings">The parsed --bind options.</param>
    /// <param name="scope">Which kinds --bind may set.</param>
    /// <param name="parameterDefaults">Parameter values to start from (e.g. from P.csv); --bind overrides them.</param>
    /// <exception cref="CliInputException">An unknown name (the message lists the allowed names), a name of a kind
    /// outside the scope, or variables left unbound (the message lists them).</exception>
    public static (double[] Parameters, double[] Inputs) Resolve(Circuit circuit, IReadOnlyList<Binding> bindings,
        BindScope scope = BindScope.All, IReadOnlyList<double>? parameterDefaults = null)
    {
        bool bindParams = scope.HasFlag(BindScope.Parameters), bindInputs = scope.HasFlag(BindScope.Inputs);
        var theta = new double[bindParams ? circuit.ParameterCount : 0];
        var x = new double[bindInputs ? circuit.InputCount : 0];
        var thetaSet = new bool[theta.Length];
        var xSet = new bool[x.Length];
        if (bindParams && parameterDefaults is not null)
        {
            if (parameterDefaults.Count != circuit.ParameterCount)
                throw new CliInputException($"{parameterDefaults.Count} parameter values given, but the circuit has {circuit.ParameterCount} parameters.");
            for (int j = 0; j < theta.Length; j++) { theta[j] = parameterDefaults[j]; thetaSet[j] = true; }
        }
        foreach (var b in bindings)
        {
            int p = circuit.IndexOfParameter(b.Name), i = circuit.IndexOfInput(b.Name);
            if (p >= 0 && bindParams) { theta[p] = b.Value; thetaSet[p] = true; }
            else if (i >= 0 && bindInputs) { x[i] = b.Value; xSet[i] = true; }
            else if (p >= 0)
                throw new CliInputException($"--bind {b.Text}: '{b.Name}' is a trainable parameter, which this command takes from elsewhere (allowed names: {AllowedNames(circuit, scope)}).");
            else if (i >= 0)
                throw new CliInputException($"--bind {b.Text}: '{b.Name}' is a data input, which this command takes from the dataset (allowed names: {AllowedNames(circuit, scope)}).");
            else
                throw new CliInputException($"--bind {b.Text}: the circuit has no parameter or input named '{b.Name}' (allowed names: {AllowedNames(circuit, scope)}).");
        }
        var missing = new List<string>();
        for (int j = 0; j < theta.Length; j++) if (!thetaSet[j]) missing.Add($"parameter {circuit.ParameterNames[j]}");
        for (int j = 0; j < x.Length; j++) if (!xSet[j]) missing.Add($"input {circuit.InputNames[j]}");
        if (missing.Count > 0)
            throw new CliInputException($"unbound {(missing.Count == 1 ? "variable" : "variables")}: {string.Join(", ", missing)}; give each a value with --bind NAME=VALUE.");
        return (theta, x);
    }

    /// <summary>The names --bind accepts for this circuit and scope, comma-separated (or "none").</summary>
    public static string AllowedNames(Circuit circuit, BindScope scope)
    {
        var names = new List<string>();
        if (scope.HasFlag(BindScope.Parameters)) names.AddRange(circuit.ParameterNames);
        if (scope.HasFlag(BindScope.Inputs)) names.AddRange(circuit.InputNames);
        return names.Count == 0 ? "none: the circuit has no such variables" : string.Join(", ", names);
    }
}

/// <summary>
/// Evaluates the small constant expressions --bind accepts: numbers (invariant culture), the constants pi, π, tau, τ
/// and e, unary ±, + − * /, implicit multiplication of a number by a constant (<c>2pi</c>) and parentheses.
/// </summary>
internal ref struct ValueExpression
{
    private readonly string _text;
    private int _pos;
    private string? _error;

    private int _depth;

    /// <summary>Deepest nesting of parentheses and signs in one value (past it the value is refused, so no text can overflow the stack).</summary>
    public const int MaxDepth = 100;

    private ValueExpression(string text) { _text = text; _pos = 0; _error = null; _depth = 0; }

    private bool Deeper()
    {
        if (++_depth <= MaxDepth) return true;
        Fail($"the value '{Shorten(_text)}' is nested more than {MaxDepth} levels deep");
        return false;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";

    /// <summary>Evaluates <paramref name="text"/>; on failure returns false with a message.</summary>
    public static bool TryEvaluate(string text, out double value, out string? error)
    {
        var e = new ValueExpression(text);
        value = e.Sum();
        e.SkipSpace();
        if (e._error is null && e._pos < text.Length) e._error = $"unexpected '{text[e._pos]}' at column {e._pos + 1} in the value '{text}'";
        if (e._error is null && !double.IsFinite(value)) e._error = $"the value '{text}' is {value}; a finite real number is required";
        error = e._error is null ? null : e._error + " (allowed: a number or an expression such as pi/2, -pi/4, 2*pi, (1+pi)/3)";
        return error is null;
    }

    private void SkipSpace() { while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++; }

    private bool Eat(char c)
    {
        SkipSpace();
        if (_pos < _text.Length && _text[_pos] == c) { _pos++; return true; }
        return false;
    }

    private double Fail(string message) { _error ??= message; _pos = _text.Length; return double.NaN; }

    private double Sum()
    {
        double v = Product();
        while (_error is null)
        {
            if (Eat('+')) v += Product();
            else if (Eat('-')) v -= Product();
            else break;
        }
        return v;
    }

    private double Product()
    {
        double v = Unary();
        while (_error is null)
        {
            if (Eat('*')) v *= Unary();
            else if (Eat('/')) v /= Unary();
            else if (StartsConstant()) v *= Unary(); // 2pi, 3π
            else break;
        }
        return v;
    }

    private double Unary()
    {
        bool minus = Eat('-');
        if (!minus && !Eat('+')) return Primary();
        if (!Deeper()) return double.NaN;
        double v = Unary();
        _depth--;
        return minus ? -v : v;
    }

    private bool StartsConstant()
    {
        SkipSpace();
        return _pos < _text.Length && (char.IsLetter(_text[_pos]) || _text[_pos] is 'π' or 'τ' or '(');
    }

    private double Primary()
    {
        SkipSpace();
        if (_pos >= _text.Length) return Fail(_text.Trim().Length == 0 ? "the value is empty" : $"the value '{_text}' ends early");
        char c = _text[_pos];
        if (c == '(')
        {
            _pos++;
            if (!Deeper()) return double.NaN;
            double v = Sum();
            _depth--;
            if (!Eat(')')) return Fail($"missing ')' in the value '{_text}'");
            return v;
        }
        if (char.IsDigit(c) || c == '.')
        {
            int start = _pos;
            while (_pos < _text.Length && (char.IsDigit(_text[_pos]) || _text[_pos] == '.')) _pos++;
            if (_pos < _text.Length && (_text[_pos] is 'e' or 'E') && _pos + 1 < _text.Length &&
                (char.IsDigit(_text[_pos + 1]) || (_text[_pos + 1] is '+' or '-' && _pos + 2 < _text.Length && char.IsDigit(_text[_pos + 2]))))
            {
                _pos += 2;
                while (_pos < _text.Length && char.IsDigit(_text[_pos])) _pos++;
            }
            string number = _text[start.._pos];
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                return Fail($"'{number}' is not a number");
            return v;
        }
        if (char.IsLetter(c))
        {
            int start = _pos;
            while (_pos < _text.Length && char.IsLetter(_text[_pos])) _pos++;
            string word = _text[start.._pos];
            return word.ToLowerInvariant() switch
            {
                "pi" or "π" => Math.PI,
                "tau" or "τ" => 2 * Math.PI,
                "e" => Math.E,
                _ => Fail($"unknown name '{word}' in the value '{_text}' (constants: pi, π, tau, τ, e)"),
            };
        }
        return Fail($"unexpected '{c}' at column {_pos + 1} in the value '{_text}'");
    }
}
