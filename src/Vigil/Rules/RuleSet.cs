using System.Globalization;

namespace Vigil.Rules;

/// <summary>An immutable, versioned list of rules; a detector swaps whole rule sets, never single rules.</summary>
public sealed class RuleSet
{
    public const double SeedAmountThreshold = 900;

    public RuleSet(string version, IReadOnlyList<Rule> rules)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentNullException.ThrowIfNull(rules);
        Version = version;
        _rules = [.. rules];
        VersionUtf8 = [.. "\""u8, .. JsonText.Escape(version), .. "\""u8];
        var reasons = 0;
        foreach (var rule in _rules)
        {
            reasons += rule.ReasonUtf8.Length + 1;
        }

        MaxReasonsLength = reasons;
    }

    /// <summary>Written on every decision, so each one says which rules made it.</summary>
    public string Version { get; }

    private readonly Rule[] _rules;

    public IReadOnlyList<Rule> Rules => _rules;

    internal ReadOnlySpan<Rule> RuleSpan => _rules;

    internal byte[] VersionUtf8 { get; }

    /// <summary>Bytes needed to write every rule's reason, commas included.</summary>
    internal int MaxReasonsLength { get; }

    /// <summary>The seed tutorials' rule: a transaction of <paramref name="threshold"/> or more is fraud.</summary>
    public static RuleSet AmountThreshold(double threshold = SeedAmountThreshold)
    {
        if (!double.IsFinite(threshold) || threshold < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The amount threshold is a finite number >= 0.");
        }

        var text = threshold.ToString(CultureInfo.InvariantCulture);
        var rule = new Rule("amount_threshold", $"amount >= {text}", score: 1, t => t.Amount >= threshold);
        return new RuleSet($"builtin:amount>={text}", [rule]);
    }
}
