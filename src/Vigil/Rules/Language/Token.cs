namespace Vigil.Rules.Language;

internal enum TokenKind
{
    Number,
    String,
    Name,
    Operator,
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    Comma,
    End,
}

/// <summary>One token of a rule expression and where it starts (1-based line and column).</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column)
{
    public bool Is(string word) => Kind is TokenKind.Name or TokenKind.Operator && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the expression",
        TokenKind.String => $"the text \"{Text}\"",
        _ => $"'{Text}'",
    };
}
