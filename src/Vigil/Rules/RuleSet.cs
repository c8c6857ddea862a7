using System.Globalization;
using Vigil.Rules.Language;

namespace Vigil.Rules;

/// <summary>An immutable, versioned list of rules; a detector swaps whole rule sets, never single rules.</summary>
public sealed class RuleSet
{
    public const double SeedAmountThreshold = 900;

    /// <param name="inputs">The numbers the rules read from each transaction, in the order of their <c>inputs</c> array (<see cref="Inputs"/>).</param>
    public RuleSet(string version, IReadOnlyList<Rule> rules, IReadOnlyList<string>? inputs = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentNullException.ThrowIfNull(rules);
        Version = version;
        _rules = [.. rules];
        Inputs = [.. inputs ?? []];
        VersionUtf8 = [.. "\""u8, .. JsonText.Escape(version), .. "\""u8];
        VersionPlainUtf8 = System.Text.Encoding.UTF8.GetBytes(version);
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

    /// <summary>
    /// The numeric inputs the rules read: feature names, <c>amount</c>, or numeric fields of the record. A detector
    /// fills them once per transaction (<see cref="Models.ModelInputs"/>) and hands them to every rule.
    /// </summary>
    public IReadOnlyList<string> Inputs { get; }

    internal ReadOnlySpan<Rule> RuleSpan => _rules;

    internal byte[] VersionUtf8 { get; }

    /// <summary>The version as plain UTF-8, for binary records.</summary>
    internal byte[] VersionPlainUtf8 { get; }

    /// <summary>Bytes needed to write every rule's reason, commas included.</summary>
    internal int MaxReasonsLength { get; }

    /// <summary>Compiles rule expressions against what a pipeline provides; the first bad rule throws.</summary>
    /// <exception cref="RuleSyntaxException">A rule does not parse or type-check.</exception>
    public static RuleSet Compile(string version, IEnumerable<RuleDefinition> definitions, RuleCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var compiler = new RuleCompiler(catalog);
        var rules = new List<Rule>();
        foreach (var definition in definitions)
        {
            var condition = compiler.Compile(definition.Name, definition.Expression);
            if (definition.Enabled)
            {
                rules.Add(new Rule(definition.Name, definition.Expression, definition.Action, definition.Score, condition));
            }
        }

        return new RuleSet(version, rules, compiler.Inputs);
    }

    /// <summary>No rules: a model decides alone (what <c>vigil serve</c> applies without a rules file).</summary>
    public static RuleSet None { get; } = new("none", []);

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

/// <summary>A rule as an analyst writes it, before compilation; a disabled one is still checked, but not run.</summary>
public sealed record RuleDefinition(string Name, string Expression, RuleAction Action = RuleAction.Flag, double Score = 1, bool Enabled = true)
{
    /// <summary>The score a rule gives when its file does not say: 1 to flag, 0.5 to review, 0 to allow.</summary>
    public static double DefaultScore(RuleAction action) => action switch
    {
        RuleAction.Flag => 1,
        RuleAction.Review => 0.5,
        _ => 0,
    };
}
