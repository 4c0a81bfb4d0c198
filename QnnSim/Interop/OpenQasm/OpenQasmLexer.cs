using System.Globalization;
using System.Text;

namespace QnnSim.Interop.OpenQasmSyntax;

/// <summary>Kinds of OpenQASM tokens.</summary>
internal enum TokenKind
{
    Identifier,
    Integer,
    Float,
    String,
    /// <summary>Punctuation and operators; the text says which (";", "->", "**", "@", ...).</summary>
    Symbol,
    /// <summary>A whole <c>#pragma …</c> or <c>pragma …</c> line; the text is what follows the keyword.</summary>
    Pragma,
    /// <summary>An annotation line <c>@name …</c> (ignored by the reader).</summary>
    Annotation,
    EndOfFile,
}

/// <summary>One token with its 1-based position.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column, double Value = 0)
{
    public bool Is(string symbol) => Kind == TokenKind.Symbol && Text == symbol;
    public bool IsWord(string word) => Kind == TokenKind.Identifier && Text == word;

    public string Describe() => Kind switch
    {
        TokenKind.EndOfFile => "end of file",
        TokenKind.String => $"string \"{Text}\"",
        TokenKind.Pragma => "pragma",
        TokenKind.Annotation => "annotation",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits OpenQASM 3 / 2 text into tokens: identifiers (Unicode letters such as π, τ and θ included), integer and
/// float literals (<c>1e-3</c>, <c>1.5e+2</c>, <c>.5</c>, underscores as digit separators), strings, operators, and
/// pragma lines. Line (<c>//</c>) and block (<c>/* */</c>) comments are skipped.
/// </summary>
internal sealed class OpenQasmLexer
{
    private static readonly string[] Symbols =
    [
        "**", "->", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "++", "+=", "-=", "*=", "/=",
        ";", ",", "(", ")", "[", "]", "{", "}", "+", "-", "*", "/", "%", "@", ":", "=", "<", ">", "!", "~", "&", "|", "^", ".",
    ];

    private readonly string _text;
    private readonly string _source;
    private int _pos, _line = 1, _lineStart;

    private OpenQasmLexer(string text, string source)
    {
        _text = text;
        _source = source;
    }

    /// <summary>Tokenizes the whole text (ending with an <see cref="TokenKind.EndOfFile"/> token).</summary>
    /// <exception cref="ParseException">An unterminated comment or string, or a character that starts no token.</exception>
    public static List<Token> Tokenize(string text, string source)
    {
        var lexer = new OpenQasmLexer(text, source);
        var tokens = new List<Token>();
        while (true)
        {
            var t = lexer.Next();
            tokens.Add(t);
            if (t.Kind == TokenKind.EndOfFile) return tokens;
        }
    }

    private int Column => _pos - _lineStart + 1;

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private ParseException Error(int line, int column, string message) => new(_source, line, column, message);

    private void Advance()
    {
        if (_text[_pos] == '\n')
        {
            _line++;
            _lineStart = _pos + 1;
        }
        _pos++;
    }

    private void SkipTrivia()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (char.IsWhiteSpace(c) || c == '\uFEFF') Advance();
            else if (c == '/' && Peek(1) == '/')
            {
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            }
            else if (c == '/' && Peek(1) == '*')
            {
                int line = _line, col = Column;
                _pos += 2;
                while (true)
                {
                    if (_pos >= _text.Length) throw Error(line, col, "unterminated block comment: expected '*/'");
                    if (_text[_pos] == '*' && Peek(1) == '/') { _pos += 2; break; }
                    Advance();
                }
            }
            else return;
        }
    }

    private Token Next()
    {
        SkipTrivia();
        int line = _line, col = Column;
        if (_pos >= _text.Length) return new Token(TokenKind.EndOfFile, "", line, col);
        char c = _text[_pos];

        if (c == '#' || (c == 'p' && AtLineStartWord("pragma")))
        {
            int start = _pos;
            if (c == '#')
            {
                _pos++;
                if (!MatchWord("pragma")) throw Error(line, col, "expected 'pragma' after '#'");
            }
            else _pos += "pragma".Length;
            int bodyStart = _pos;
            while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            _ = start;
            return new Token(TokenKind.Pragma, _text[bodyStart.._pos].Trim(), line, col);
        }
        if (c == '@' && (char.IsLetter(Peek(1)) || Peek(1) == '_') && AtLineStart())
        {
            int start = _pos;
            while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            return new Token(TokenKind.Annotation, _text[start.._pos].Trim(), line, col);
        }
        if (IsIdentifierStart(c))
        {
            int start = _pos;
            while (_pos < _text.Length && IsIdentifierPart(_text[_pos])) _pos++;
            return new Token(TokenKind.Identifier, _text[start.._pos], line, col);
        }
        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1)))) return Number(line, col);
        if (c == '"' || c == '\'')
        {
            char quote = c;
            _pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length || _text[_pos] == '\n') throw Error(line, col, $"unterminated string: expected {quote}");
                if (_text[_pos] == quote) { _pos++; break; }
                sb.Append(_text[_pos++]);
            }
            return new Token(TokenKind.String, sb.ToString(), line, col);
        }
        foreach (var s in Symbols)
        {
            if (string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0)
            {
                _pos += s.Length;
                return new Token(TokenKind.Symbol, s, line, col);
            }
        }
        string shown = char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();
        throw Error(line, col, $"unexpected character '{shown}'");
    }

    private bool AtLineStart()
    {
        for (int i = _pos - 1; i >= 0 && _text[i] != '\n'; i--)
            if (!char.IsWhiteSpace(_text[i])) return false;
        return true;
    }

    private bool AtLineStartWord(string word) =>
        AtLineStart() && string.CompareOrdinal(_text, _pos, word, 0, word.Length) == 0 &&
        !IsIdentifierPart(_pos + word.Length < _text.Length ? _text[_pos + word.Length] : ' ');

    private bool MatchWord(string word)
    {
        if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0) return false;
        _pos += word.Length;
        return true;
    }

    private Token Number(int line, int col)
    {
        int start = _pos;
        bool isFloat = false;
        while (char.IsAsciiDigit(Peek()) || Peek() == '_') _pos++;
        if (Peek() == '.' && !char.IsAsciiLetter(Peek(1)))
        {
            isFloat = true;
            _pos++;
            while (char.IsAsciiDigit(Peek()) || Peek() == '_') _pos++;
        }
        if ((Peek() == 'e' || Peek() == 'E') &&
            (char.IsAsciiDigit(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && char.IsAsciiDigit(Peek(2)))))
        {
            isFloat = true;
            _pos += 2;
            while (char.IsAsciiDigit(Peek())) _pos++;
        }
        string text = _text[start.._pos];
        if (IsIdentifierStart(Peek()))
            throw Error(line, col, $"malformed number '{text}{Peek()}': a number must not run into a name");
        string digits = text.Replace("_", "");
        if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw Error(line, col, $"malformed or out-of-range number '{text}'");
        return new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text, line, col, value);
    }

    internal static bool IsIdentifierStart(char c) => c == '_' || c == '$' || char.IsLetter(c);

    internal static bool IsIdentifierPart(char c) => c == '_' || char.IsLetterOrDigit(c);
}
