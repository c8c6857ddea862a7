using System.Text;

namespace Vigil.Rules.Language;

/// <summary>Splits a rule expression into tokens: numbers, quoted text, names (dotted: <c>record.V14</c>), operators and brackets.</summary>
internal static class RuleLexer
{
    private static readonly string[] Operators = ["==", "!=", "<>", "<=", ">=", "&&", "||", "<", ">", "=", "+", "-", "*", "/", "%", "!"];

    public static List<Token> Tokenize(string rule, string expression)
    {
        var tokens = new List<Token>();
        int line = 1, lineStart = 0, i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            var column = i - lineStart + 1;
            if (c == '\n')
            {
                line++;
                lineStart = ++i;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                while (i < expression.Length && expression[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < expression.Length && char.IsAsciiDigit(expression[i + 1])))
            {
                var start = i;
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] is '.' or '_'
                    || (expression[i] is '+' or '-' && expression[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Number, expression[start..i], line, column));
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < expression.Length && (char.IsLetterOrDigit(expression[i]) || expression[i] is '_' or '.'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Name, expression[start..i], line, column));
                continue;
            }

            if (c is '"' or '\'')
            {
                i = ReadString(rule, expression, i, line, column, out var text);
                tokens.Add(new Token(TokenKind.String, text, line, column));
                continue;
            }

            var single = c switch
            {
                '(' => TokenKind.OpenParen,
                ')' => TokenKind.CloseParen,
                '[' => TokenKind.OpenBracket,
                ']' => TokenKind.CloseBracket,
                ',' => TokenKind.Comma,
                _ => TokenKind.End,
            };
            if (single != TokenKind.End)
            {
                tokens.Add(new Token(single, c.ToString(), line, column));
                i++;
                continue;
            }

            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(expression, i, o, 0, o.Length) == 0)
                ?? throw new RuleSyntaxException(rule, line, column, $"unexpected character '{c}'");
            tokens.Add(new Token(TokenKind.Operator, op, line, column));
            i += op.Length;
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, line, expression.Length - lineStart + 1));
        return tokens;
    }

    /// <summary>Reads a quoted string starting at <paramref name="at"/>; a backslash escapes the next character.</summary>
    private static int ReadString(string rule, string expression, int at, int line, int column, out string text)
    {
        var quote = expression[at];
        var builder = new StringBuilder();
        var i = at + 1;
        while (i < expression.Length && expression[i] != quote)
        {
            if (expression[i] == '\n')
            {
                break;
            }

            if (expression[i] == '\\' && i + 1 < expression.Length)
            {
                i++;
            }

            builder.Append(expression[i++]);
        }

        if (i >= expression.Length || expression[i] != quote)
        {
            throw new RuleSyntaxException(rule, line, column, $"text opened with {quote} is not closed on its line");
        }

        text = builder.ToString();
        return i + 1;
    }
}
