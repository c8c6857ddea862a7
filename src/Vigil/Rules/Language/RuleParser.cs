using System.Globalization;

namespace Vigil.Rules.Language;

/// <summary>
/// A recursive-descent parser for rule expressions. From loosest to tightest: <c>or</c> (<c>||</c>), <c>and</c>
/// (<c>&amp;&amp;</c>), <c>not</c> (<c>!</c>), comparisons (<c>== != &lt; &lt;= &gt; &gt;=</c>, <c>[not] in</c>,
/// <c>is [not] null</c>), <c>+ -</c>, <c>* / %</c>, unary minus, then numbers, quoted text, names, calls, lists and
/// parentheses. Words are case-insensitive; names are not.
/// </summary>
internal sealed class RuleParser
{
    private static readonly HashSet<string> Comparisons = ["==", "=", "!=", "<>", "<", "<=", ">", ">="];
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase) { "and", "or", "not", "in", "is", "null", "true", "false" };

    private readonly string _rule;
    private readonly List<Token> _tokens;
    private int _at;

    private RuleParser(string rule, string expression)
    {
        _rule = rule;
        _tokens = RuleLexer.Tokenize(rule, expression);
    }

    public static RuleNode Parse(string rule, string expression)
    {
        var parser = new RuleParser(rule, expression);
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw parser.Error(parser.Peek, "the expression is empty");
        }

        var node = parser.Or();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw parser.Error(parser.Peek, $"unexpected {parser.Peek.Describe()}: expected an operator, 'and', 'or' or the end");
        }

        return node;
    }

    private Token Peek => _tokens[_at];

    private Token Next() => _tokens[_at++];

    private RuleNode Or()
    {
        var left = And();
        while (Peek.Is("or") || Peek.Is("||"))
        {
            var op = Next();
            left = new BinaryNode("or", left, And(), op.Line, op.Column);
        }

        return left;
    }

    private RuleNode And()
    {
        var left = Not();
        while (Peek.Is("and") || Peek.Is("&&"))
        {
            var op = Next();
            left = new BinaryNode("and", left, Not(), op.Line, op.Column);
        }

        return left;
    }

    private RuleNode Not()
    {
        if (Peek.Is("not") || Peek.Is("!"))
        {
            var op = Next();
            return new UnaryNode("not", Not(), op.Line, op.Column);
        }

        return Comparison();
    }

    private RuleNode Comparison()
    {
        var left = Additive();
        var op = Peek;
        if (op.Kind == TokenKind.Operator && Comparisons.Contains(op.Text))
        {
            Next();
            var name = op.Text switch { "=" => "==", "<>" => "!=", _ => op.Text };
            return new BinaryNode(name, left, Additive(), op.Line, op.Column);
        }

        if (op.Is("in") || (op.Is("not") && _tokens[_at + 1].Is("in")))
        {
            var negated = op.Is("not");
            Next();
            if (negated)
            {
                Next();
            }

            return new InNode(left, Additive(), negated, op.Line, op.Column);
        }

        if (op.Is("is"))
        {
            Next();
            var negated = Peek.Is("not");
            if (negated)
            {
                Next();
            }

            var word = Next();
            if (!word.Is("null"))
            {
                throw Error(word, $"expected 'null' after 'is{(negated ? " not" : string.Empty)}', found {word.Describe()}");
            }

            return new IsNullNode(left, negated, op.Line, op.Column);
        }

        return left;
    }

    private RuleNode Additive()
    {
        var left = Multiplicative();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "+" or "-")
        {
            var op = Next();
            left = new BinaryNode(op.Text, left, Multiplicative(), op.Line, op.Column);
        }

        return left;
    }

    private RuleNode Multiplicative()
    {
        var left = Unary();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "*" or "/" or "%")
        {
            var op = Next();
            left = new BinaryNode(op.Text, left, Unary(), op.Line, op.Column);
        }

        return left;
    }

    private RuleNode Unary()
    {
        if (Peek.Kind == TokenKind.Operator && Peek.Text == "-")
        {
            var op = Next();
            return new UnaryNode("-", Unary(), op.Line, op.Column);
        }

        return Primary();
    }

    private RuleNode Primary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return double.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? new NumberNode(number, token.Text, token.Line, token.Column)
                    : throw Error(token, $"'{token.Text}' is not a number");
            case TokenKind.String:
                return new TextNode(token.Text, token.Line, token.Column);
            case TokenKind.OpenParen:
                var inner = Or();
                Expect(TokenKind.CloseParen, "')' to close the '(' at column " + token.Column);
                return inner;
            case TokenKind.OpenBracket:
                return List(token);
            case TokenKind.Name when token.Is("true") || token.Is("false"):
                return new BooleanNode(token.Is("true"), token.Line, token.Column);
            case TokenKind.Name when token.Is("null"):
                return new NullNode(token.Line, token.Column);
            case TokenKind.Name when Keywords.Contains(token.Text):
                throw Error(token, $"expected a value, found '{token.Text}'");
            case TokenKind.Name when Peek.Kind == TokenKind.OpenParen:
                Next();
                var arguments = new List<RuleNode>();
                if (Peek.Kind != TokenKind.CloseParen)
                {
                    arguments.Add(Or());
                    while (Peek.Kind == TokenKind.Comma)
                    {
                        Next();
                        arguments.Add(Or());
                    }
                }

                Expect(TokenKind.CloseParen, $"')' to close the call of {token.Text}");
                return new CallNode(token.Text.ToLowerInvariant(), arguments, token.Line, token.Column);
            case TokenKind.Name:
                return new NameNode(token.Text, token.Line, token.Column);
            default:
                throw Error(token, $"expected a value, found {token.Describe()}");
        }
    }

    private ListNode List(Token open)
    {
        var items = new List<RuleNode>();
        if (Peek.Kind != TokenKind.CloseBracket)
        {
            items.Add(Unary());
            while (Peek.Kind == TokenKind.Comma)
            {
                Next();
                items.Add(Unary());
            }
        }

        Expect(TokenKind.CloseBracket, "']' to close the list");
        return new ListNode(items, open.Line, open.Column);
    }

    private void Expect(TokenKind kind, string what)
    {
        var token = Next();
        if (token.Kind != kind)
        {
            throw Error(token, $"expected {what}, found {token.Describe()}");
        }
    }

    private RuleSyntaxException Error(Token at, string problem) => new(_rule, at.Line, at.Column, problem);
}
