using Vigil.Transactions;

namespace Vigil.Rules;

/// <summary>Whether a rule matches a transaction; <paramref name="inputs"/> holds the numbers its rule set reads (<see cref="RuleSet.Inputs"/>).</summary>
public delegate bool RuleCondition(Transaction transaction, double[] inputs);

/// <summary>A named condition on a transaction, and what to do with a transaction it matches.</summary>
public sealed class Rule
{
    /// <summary>A rule that flags, from code (tests, the built-in amount rule).</summary>
    public Rule(string name, string expression, double score, Func<Transaction, bool> matches)
        : this(name, expression, RuleAction.Flag, score, Wrap(matches))
    {
    }

    public Rule(string name, string expression, RuleAction action, double score, RuleCondition condition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        ArgumentNullException.ThrowIfNull(condition);
        if (!double.IsFinite(score) || score < 0 || score > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A rule's score lies between 0 and 1.");
        }

        Name = name;
        Expression = expression;
        Action = action;
        Score = score;
        Condition = condition;
        ReasonUtf8 =
        [
            .. "{\"code\":\""u8, .. JsonText.Escape(name), .. "\",\"text\":\""u8, .. JsonText.Escape(OneLine(expression)), .. "\""u8,
            .. action == RuleAction.Flag ? [] : (byte[])[.. ",\"action\":\""u8, .. JsonText.Escape(action.Name()), .. "\""u8],
            .. "}"u8,
        ];
        CodeUtf8 = System.Text.Encoding.UTF8.GetBytes(name);
        TextUtf8 = System.Text.Encoding.UTF8.GetBytes(OneLine(expression));
        ActionUtf8 = action == RuleAction.Flag ? null : System.Text.Encoding.UTF8.GetBytes(action.Name());
    }

    /// <summary>The reason code written on every decision this rule takes part in.</summary>
    public string Name { get; }

    /// <summary>What the rule checks, as a person reads it (<c>amount &gt;= 900</c>).</summary>
    public string Expression { get; }

    public RuleAction Action { get; }

    /// <summary>What the rule adds to the score of a transaction it matches, in [0, 1]; a decision's rule score is the sum, at most 1.</summary>
    public double Score { get; }

    public RuleCondition Condition { get; }

    /// <summary>The reason as a JSON object, encoded once so that decisions only copy it.</summary>
    internal byte[] ReasonUtf8 { get; }

    /// <summary>The reason's code, text and action (null for a flag rule) as plain UTF-8, for binary records.</summary>
    internal byte[] CodeUtf8 { get; }

    internal byte[] TextUtf8 { get; }

    internal byte[]? ActionUtf8 { get; }

    private static RuleCondition Wrap(Func<Transaction, bool> matches)
    {
        ArgumentNullException.ThrowIfNull(matches);
        return (transaction, _) => matches(transaction);
    }

    /// <summary>The expression as one line for reasons and alerts: lines joined, <c>#</c> comments (outside quotes) dropped.</summary>
    private static string OneLine(string expression) =>
        string.Join(' ', expression.Split(['\r', '\n']).Select(WithoutComment).Where(l => l.Length > 0));

    private static string WithoutComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                quote = c == '\\' ? quote : c == quote ? '\0' : quote;
                i += c == '\\' ? 1 : 0;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#')
            {
                return line[..i].Trim();
            }
        }

        return line.Trim();
    }
}
