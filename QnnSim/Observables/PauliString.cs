using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace QnnSim.Observables;

/// <summary>A single-qubit Pauli operator.</summary>
public enum Pauli : byte
{
    /// <summary>Identity.</summary>
    I = 0,
    /// <summary>Pauli X.</summary>
    X = 1,
    /// <summary>Pauli Y.</summary>
    Y = 2,
    /// <summary>Pauli Z.</summary>
    Z = 3,
}

/// <summary>
/// An immutable Pauli string P = ⊗_q P_q on qubits 0..63, written "X0 Z3 Y7" (qubit indices after the letters;
/// spacing is free; "I" or "" is the identity). Hermitian, with P² = I.
/// </summary>
/// <remarks>
/// Stored as two bit masks: bit q of <see cref="XMask"/> is set for X or Y on qubit q, bit q of <see cref="ZMask"/>
/// for Z or Y. On a basis state, P|k⟩ = i^{#Y} (−1)^{popcount(k ∧ z)} |k ⊕ x⟩, which is how expectation values are
/// computed without building matrices.
/// </remarks>
public sealed class PauliString : IEquatable<PauliString>
{
    /// <summary>The largest qubit index a Pauli string can name.</summary>
    public const int MaxQubit = 63;

    /// <summary>The identity string.</summary>
    public static PauliString Identity { get; } = new(0, 0);

    private PauliString(ulong xMask, ulong zMask)
    {
        XMask = xMask;
        ZMask = zMask;
    }

    /// <summary>Bit q set when the factor on qubit q is X or Y.</summary>
    public ulong XMask { get; }

    /// <summary>Bit q set when the factor on qubit q is Z or Y.</summary>
    public ulong ZMask { get; }

    /// <summary>Number of Y factors.</summary>
    public int YCount => BitOperations.PopCount(XMask & ZMask);

    /// <summary>Number of non-identity factors.</summary>
    public int Weight => BitOperations.PopCount(XMask | ZMask);

    /// <summary>True for the identity.</summary>
    public bool IsIdentity => (XMask | ZMask) == 0;

    /// <summary>True when the string has only I and Z factors (diagonal in the computational basis).</summary>
    public bool IsDiagonal => XMask == 0;

    /// <summary>Number of qubits a state needs for this string: highest qubit + 1 (0 for the identity).</summary>
    public int RequiredQubits => 64 - BitOperations.LeadingZeroCount(XMask | ZMask);

    /// <summary>The qubits with a non-identity factor, ascending.</summary>
    public ImmutableArray<int> Qubits
    {
        get
        {
            var b = ImmutableArray.CreateBuilder<int>(Weight);
            ulong m = XMask | ZMask;
            while (m != 0)
            {
                b.Add(BitOperations.TrailingZeroCount(m));
                m &= m - 1;
            }
            return b.MoveToImmutable();
        }
    }

    /// <summary>The factor on <paramref name="qubit"/> (I outside the support).</summary>
    public Pauli this[int qubit]
    {
        get
        {
            if ((uint)qubit > MaxQubit) ThrowHelper.QubitOutOfRange(nameof(qubit), qubit, MaxQubit + 1);
            bool x = ((XMask >> qubit) & 1) != 0, z = ((ZMask >> qubit) & 1) != 0;
            return x ? (z ? Pauli.Y : Pauli.X) : (z ? Pauli.Z : Pauli.I);
        }
    }

    /// <summary>Builds a string from (qubit, factor) pairs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A qubit outside 0..63 or an undefined <see cref="Pauli"/>.</exception>
    /// <exception cref="ArgumentException">A qubit named twice.</exception>
    public static PauliString FromFactors(IEnumerable<(int Qubit, Pauli Factor)> factors)
    {
        ArgumentNullException.ThrowIfNull(factors);
        ulong x = 0, z = 0, seen = 0;
        foreach (var (q, p) in factors)
        {
            if ((uint)q > MaxQubit) ThrowHelper.QubitOutOfRange(nameof(factors), q, MaxQubit + 1);
            if ((seen >> q & 1) != 0) ThrowHelper.DuplicateQubit(nameof(factors), q);
            seen |= 1UL << q;
            switch (p)
            {
                case Pauli.I: break;
                case Pauli.X: x |= 1UL << q; break;
                case Pauli.Y: x |= 1UL << q; z |= 1UL << q; break;
                case Pauli.Z: z |= 1UL << q; break;
                default: ThrowHelper.ArgumentOutOfRange(nameof(factors), p, "I, X, Y or Z"); break;
            }
        }
        return new PauliString(x, z);
    }

    /// <summary>A single-qubit string.</summary>
    public static PauliString Single(Pauli factor, int qubit) => FromFactors([(qubit, factor)]);

    /// <summary>Z on one qubit.</summary>
    public static PauliString Z(int qubit) => Single(Pauli.Z, qubit);

    /// <summary>X on one qubit.</summary>
    public static PauliString X(int qubit) => Single(Pauli.X, qubit);

    /// <summary>Y on one qubit.</summary>
    public static PauliString Y(int qubit) => Single(Pauli.Y, qubit);

    /// <summary>Builds a string from its masks (bit q of x: X or Y on q; of z: Z or Y on q).</summary>
    public static PauliString FromMasks(ulong xMask, ulong zMask) => new(xMask, zMask);

    /// <summary>
    /// Parses "X0 Z3 Y7", "X0*Z3", "Z0Z1" or "I". Letters are case-insensitive; each factor is a letter followed by a
    /// qubit index in 0..63.
    /// </summary>
    /// <exception cref="ParseException">Malformed text, with the column of the problem.</exception>
    public static PauliString Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new PauliTextReader(text, "pauli string");
        var result = reader.ReadProduct(out bool any);
        reader.SkipSpace();
        if (!reader.AtEnd) reader.Fail($"unexpected '{reader.Current}'; expected a Pauli factor such as X0, Y3 or Z12");
        if (!any) reader.Fail("expected a Pauli factor such as X0, Y3 or Z12, or I for the identity");
        return result;
    }

    /// <summary>Parses without throwing.</summary>
    public static bool TryParse(string text, out PauliString? result)
    {
        try
        {
            result = Parse(text);
            return true;
        }
        catch (ParseException)
        {
            result = null;
            return false;
        }
    }

    /// <summary>True when the two strings commute (an even number of positions anticommute).</summary>
    public bool CommutesWith(PauliString other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return (BitOperations.PopCount((XMask & other.ZMask) ^ (ZMask & other.XMask)) & 1) == 0;
    }

    /// <summary>True when the two strings commute qubit by qubit (they can share a measurement basis).</summary>
    public bool QubitWiseCommutesWith(PauliString other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ulong both = (XMask | ZMask) & (other.XMask | other.ZMask);
        return ((XMask ^ other.XMask) & both) == 0 && ((ZMask ^ other.ZMask) & both) == 0;
    }

    /// <summary>The product P·Q = phase · R, with phase in {±1, ±i}.</summary>
    public (Complex Phase, PauliString Product) Multiply(PauliString other)
    {
        ArgumentNullException.ThrowIfNull(other);
        // Write each string as i^{#Y} X^x Z^z. Moving Z^{z1} past X^{x2} gives (−1)^{|z1 ∧ x2|}.
        int power = YCount + other.YCount + 2 * (BitOperations.PopCount(ZMask & other.XMask) & 1);
        ulong x = XMask ^ other.XMask, z = ZMask ^ other.ZMask;
        power -= BitOperations.PopCount(x & z); // the product's own i^{#Y} normalisation
        power = ((power % 4) + 4) % 4;
        Complex phase = power switch { 0 => Complex.One, 1 => Complex.ImaginaryOne, 2 => -Complex.One, _ => -Complex.ImaginaryOne };
        return (phase, new PauliString(x, z));
    }

    /// <summary>Text such as "X0 Z3 Y7" (ascending qubits), or "I" for the identity.</summary>
    public override string ToString()
    {
        if (IsIdentity) return "I";
        var sb = new StringBuilder();
        foreach (int q in Qubits)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(this[q] switch { Pauli.X => 'X', Pauli.Y => 'Y', _ => 'Z' }).Append(q.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(PauliString? other) => other is not null && other.XMask == XMask && other.ZMask == ZMask;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PauliString);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(XMask, ZMask);
}

/// <summary>Shared tokenizer for Pauli strings and Pauli sums.</summary>
internal ref struct PauliTextReader(string text, string sourceName)
{
    private readonly string _text = text;
    private int _pos;

    public readonly bool AtEnd => _pos >= _text.Length;
    public readonly char Current => _text[_pos];
    public readonly int Position => _pos;

    public void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public readonly void Fail(string message) => throw new ParseException(sourceName, 1, _pos + 1, $"{message} in \"{_text}\"");

    public bool TryConsume(char c)
    {
        SkipSpace();
        if (_pos < _text.Length && _text[_pos] == c)
        {
            _pos++;
            return true;
        }
        return false;
    }

    public readonly bool PeekPauliLetter()
    {
        int p = _pos;
        while (p < _text.Length && char.IsWhiteSpace(_text[p])) p++;
        return p < _text.Length && "IXYZixyz".Contains(_text[p]);
    }

    /// <summary>Reads factors like X0 Y3 (separated by spaces or '*') until something else comes.</summary>
    public PauliString ReadProduct(out bool any)
    {
        any = false;
        ulong x = 0, z = 0, seen = 0;
        while (true)
        {
            SkipSpace();
            int save = _pos;
            if (any && _pos < _text.Length && _text[_pos] == '*')
            {
                _pos++;
                SkipSpace();
                if (!PeekPauliLetter())
                {
                    _pos = save;
                    break;
                }
            }
            if (_pos >= _text.Length || !"IXYZixyz".Contains(_text[_pos]))
            {
                _pos = save;
                break;
            }
            char letter = char.ToUpperInvariant(_text[_pos]);
            int letterPos = _pos;
            _pos++;
            int start = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos])) _pos++;
            if (start == _pos)
            {
                if (letter == 'I')
                {
                    any = true;
                    continue;
                }
                _pos = letterPos + 1;
                Fail($"expected a qubit index after '{letter}'");
            }
            if (!int.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int q) || q > PauliString.MaxQubit)
            {
                string index = _text[start.._pos];
                _pos = start;
                Fail($"qubit index {index} is out of range (0..{PauliString.MaxQubit})");
            }
            if ((seen >> q & 1) != 0)
            {
                _pos = letterPos;
                Fail($"qubit {q} appears twice in one Pauli product");
            }
            seen |= 1UL << q;
            any = true;
            switch (letter)
            {
                case 'X': x |= 1UL << q; break;
                case 'Y': x |= 1UL << q; z |= 1UL << q; break;
                case 'Z': z |= 1UL << q; break;
            }
        }
        return PauliString.FromMasks(x, z);
    }

    public bool TryReadNumber(out double value)
    {
        SkipSpace();
        int start = _pos;
        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.')) _pos++;
        if (_pos == start)
        {
            value = 0;
            return false;
        }
        if (_pos < _text.Length && (_text[_pos] == 'e' || _text[_pos] == 'E'))
        {
            int save = _pos;
            _pos++;
            if (_pos < _text.Length && (_text[_pos] == '+' || _text[_pos] == '-')) _pos++;
            int digits = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos])) _pos++;
            if (digits == _pos) _pos = save;
        }
        if (!double.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            || !double.IsFinite(value))
        {
            string token = _text[start.._pos];
            _pos = start;
            Fail(double.IsFinite(value) || token.Length == 0 ? $"'{token}' is not a number" : $"'{token}' is not a finite number");
        }
        return true;
    }
}
