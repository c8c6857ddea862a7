using Vigil.Models;
using Vigil.Rules;
using Vigil.Transactions;

namespace Vigil.Detection;

/// <summary>Turns a transaction into a decision; one instance per partition, owning that partition's state.</summary>
/// <remarks>
/// Pure: no I/O, no clock, no threads. Rule sets and models are swapped whole through <see cref="Rules"/> and
/// <see cref="Models"/>; a decision is always made by exactly one rule set and one model, and records their versions.
/// </remarks>
public sealed class Detector
{
    private volatile RuleSet _rules;
    private volatile DetectionModels? _models;
    private ModelRunner? _primary;
    private ModelRunner? _shadow;

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

    /// <summary>The models scoring with the rules, or null for rules alone; swapped whole, like the rules.</summary>
    public DetectionModels? Models
    {
        get => _models;
        set => _models = value;
    }

    /// <summary>Rules first (any that matches flags), then the model (flags at its threshold), then the shadow (reported only).</summary>
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

        var models = _models;
        if (models is null)
        {
            return;
        }

        var primary = Runner(ref _primary, models.Primary);
        into.Scored(primary, primary.Score(transaction));
        if (models.Shadow is { } shadowModel)
        {
            var shadow = Runner(ref _shadow, shadowModel);
            into.ScoredInShadow(shadow, shadow.Score(transaction));
        }
    }

    /// <summary>This detector's runner for a model, made on the first record after a swap.</summary>
    private static ModelRunner Runner(ref ModelRunner? current, Model model)
    {
        if (current?.Model != model)
        {
            current = new ModelRunner(model);
        }

        return current;
    }
}
