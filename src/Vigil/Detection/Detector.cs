using Vigil.Rules;
using Vigil.Transactions;

namespace Vigil.Detection;

/// <summary>Turns a transaction into a decision; one instance per partition, owning that partition's state.</summary>
/// <remarks>
/// Pure: no I/O, no clock, no threads. Rule sets are swapped whole through <see cref="Rules"/>; a decision
/// is always made by exactly one rule set and records its version.
/// </remarks>
public sealed class Detector
{
    private volatile RuleSet _rules;

    public Detector(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules;
    }

    public RuleSet Rules
    {
        get => _rules;
        set => _rules = value ?? throw new ArgumentNullException(nameof(value));
    }

    public void Decide(Transaction transaction, Decision into)
    {
        var rules = _rules;
        into.Reset(rules);
        var list = rules.RuleSpan;
        for (var i = 0; i < list.Length; i++)
        {
            var rule = list[i];
            if (rule.Matches(transaction))
            {
                into.Fire(i, rule.Score);
            }
        }
    }
}
