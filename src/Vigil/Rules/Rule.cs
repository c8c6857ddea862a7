using Vigil.Transactions;

namespace Vigil.Rules;

/// <summary>A named condition on a transaction that flags it as fraud when it holds.</summary>
public sealed class Rule
{
    public Rule(string name, string expression, double score, Func<Transaction, bool> matches)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        ArgumentNullException.ThrowIfNull(matches);
        if (!double.IsFinite(score) || score < 0 || score > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A rule's score lies between 0 and 1.");
        }

        Name = name;
        Expression = expression;
        Score = score;
        Matches = matches;
        ReasonUtf8 =
        [
            .. "{\"code\":\""u8, .. JsonText.Escape(name), .. "\",\"text\":\""u8, .. JsonText.Escape(expression), .. "\"}"u8,
        ];
    }

    /// <summary>The reason code written on every decision this rule makes.</summary>
    public string Name { get; }

    /// <summary>What the rule checks, as a person reads it (<c>amount &gt;= 900</c>).</summary>
    public string Expression { get; }

    /// <summary>The fraud score the rule gives a transaction it matches, in [0, 1].</summary>
    public double Score { get; }

    public Func<Transaction, bool> Matches { get; }

    /// <summary>The reason as a JSON object, encoded once so that decisions only copy it.</summary>
    internal byte[] ReasonUtf8 { get; }
}
