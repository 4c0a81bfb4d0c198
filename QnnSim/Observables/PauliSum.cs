using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace QnnSim.Observables;

/// <summary>A real weight times a Pauli string: one term c·P of a <see cref="PauliSum"/>.</summary>
/// <param name="Coefficient">The real weight c.</param>
/// <param name="Pauli">The Pauli string P.</param>
public readonly record struct PauliTerm(double Coefficient, PauliString Pauli);

/// <summary>
/// An immutable Hermitian observable O = Σ_k c_k P_k with real weights c_k and Pauli strings P_k, parsed from text
/// such as "0.5*Z0 + X1 Y2 - 1.2 * Z0 Z1" (spacing is free; a bare number is a multiple of the identity).
/// Like terms are merged on construction, in order of first appearance; zero weights are kept (they are what the
/// user wrote) but cost nothing.
/// </summary>
public sealed class PauliSum
{
    /// <summary>Creates a sum from terms, merging repeated Pauli strings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A weight is NaN or infinite.</exception>
    public PauliSum(IEnumerable<PauliTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var order = new List<PauliString>();
        var weights = new Dictionary<PauliString, double>();
        foreach (var t in terms)
        {
            ArgumentNullException.ThrowIfNull(t.Pauli, nameof(terms));
            if (!double.IsFinite(t.Coefficient)) ThrowHelper.NotFinite(nameof(terms), $"the weight of {t.Pauli}", t.Coefficient);
            if (weights.TryGetValue(t.Pauli, out double w)) weights[t.Pauli] = w + t.Coefficient;
            else
            {
                weights[t.Pauli] = t.Coefficient;
                order.Add(t.Pauli);
            }
        }
        Terms = order.Select(p => new PauliTerm(weights[p], p)).ToImmutableArray();
    }

    /// <summary>The terms c_k·P_k.</summary>
    public ImmutableArray<PauliTerm> Terms { get; }

    /// <summary>Number of qubits a state needs: the highest qubit named + 1.</summary>
    public int RequiredQubits => Terms.IsEmpty ? 0 : Terms.Max(t => t.Pauli.RequiredQubits);

    /// <summary>Σ_k |c_k|: a bound on the spectral norm ‖O‖.</summary>
    public double OneNorm => Terms.Sum(t => Math.Abs(t.Coefficient));

    /// <summary>A sum with the single term c·P.</summary>
    public static PauliSum FromString(PauliString pauli, double coefficient = 1.0) => new([new PauliTerm(coefficient, pauli)]);

    /// <summary>Converts a Pauli string to a one-term sum.</summary>
    public static implicit operator PauliSum(PauliString pauli) => FromString(pauli);

    /// <summary>
    /// Parses "0.5*Z0 + X1 Y2 - 1.2 * Z0 Z1", "Z0", "-X3", "2 + Z0". Grammar: sum := [±] term {± term};
    /// term := number [*] product | product | number; product := factor {[*] factor}; factor := [IXYZ]index.
    /// </summary>
    /// <exception cref="ParseException">Malformed text, with the column of the problem.</exception>
    public static PauliSum Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new PauliTextReader(text, "observable");
        var terms = new List<PauliTerm>();
        reader.SkipSpace();
        if (reader.AtEnd) reader.Fail("expected an observable such as Z0 or 0.5*X0 X1 + Z2");
        bool first = true;
        while (true)
        {
            double sign = 1;
            reader.SkipSpace();
            if (reader.TryConsume('+')) { }
            else if (reader.TryConsume('-')) sign = -1;
            else if (!first) reader.Fail($"unexpected '{reader.Current}'; expected '+' or '-' between terms");
            first = false;
            double coefficient = 1;
            bool hasNumber = reader.TryReadNumber(out double number);
            bool star = false;
            if (hasNumber)
            {
                coefficient = number;
                star = reader.TryConsume('*');
            }
            var product = reader.ReadProduct(out bool any);
            if (star && !any)
            {
                reader.SkipSpace();
                reader.Fail(reader.AtEnd ? "expected a Pauli factor after '*'" : $"unexpected '{reader.Current}'; expected a Pauli factor after '*'");
            }
            if (!hasNumber && !any)
            {
                reader.SkipSpace();
                reader.Fail(reader.AtEnd ? "expected a term after the sign" : $"unexpected '{reader.Current}'; expected a number or a Pauli factor such as Z0");
            }
            terms.Add(new PauliTerm(sign * coefficient, product));
            reader.SkipSpace();
            if (reader.AtEnd) break;
        }
        return new PauliSum(terms);
    }

    /// <summary>Text such as "0.5*Z0 + X1 Y2 - 1.2*Z0 Z1" that <see cref="Parse"/> reads back to the same sum.</summary>
    public override string ToString()
    {
        if (Terms.IsEmpty) return "0";
        var sb = new StringBuilder();
        foreach (var t in Terms)
        {
            double c = t.Coefficient;
            if (sb.Length > 0) sb.Append(c < 0 ? " - " : " + ");
            else if (c < 0) sb.Append('-');
            double a = Math.Abs(c);
            if (t.Pauli.IsIdentity) sb.Append(a.ToString("R", CultureInfo.InvariantCulture));
            else if (a == 1) sb.Append(t.Pauli);
            else sb.Append(a.ToString("R", CultureInfo.InvariantCulture)).Append('*').Append(t.Pauli);
        }
        return sb.ToString();
    }
}
