using Vigil.Features;
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
    private RuleSet? _inputsFor;
    private ModelInputs? _ruleInputs;
    private double[] _ruleRow = [];

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

    /// <summary>
    /// Rules first (a flag rule flags, a review rule marks for review, an allow rule clears), then the model (flags at
    /// its threshold), then the shadow (reported only).
    /// </summary>
    public void Decide(Transaction transaction, Decision into)
    {
        var rules = _rules;
        into.Reset(rules);
        var inputs = RuleInputs(rules, transaction);
        var list = rules.RuleSpan;
        for (var i = 0; i < list.Length; i++)
        {
            var rule = list[i];
            if (rule.Condition(transaction, inputs))
            {
                into.Fire(i, rule);
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

    /// <summary>The numbers the rule set reads, filled once per transaction; the map is made on the first record after a swap.</summary>
    private double[] RuleInputs(RuleSet rules, Transaction transaction)
    {
        if (rules.Inputs.Count == 0)
        {
            return _ruleRow;
        }

        if (_inputsFor != rules)
        {
            _ruleInputs = new ModelInputs(rules.Inputs, FeatureSet.None);
            _ruleRow = new double[rules.Inputs.Count];
            _inputsFor = rules;
        }

        _ruleInputs!.Fill(transaction, _ruleRow);
        return _ruleRow;
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
