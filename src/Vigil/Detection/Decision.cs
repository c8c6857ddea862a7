using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>What the detector decided about one transaction, and why.</summary>
/// <remarks>Reused record after record by one worker; copy what must outlive the next decision.</remarks>
public sealed class Decision
{
    private int[] _firedRules = new int[8];
    private bool _ruleFlagged;
    private bool _ruleReview;
    private double _ruleScore;

    /// <summary>A flag rule or the model flagged the transaction, and no allow rule cleared it.</summary>
    public bool IsFraud => !Allowed && (_ruleFlagged || ModelFlagged);

    /// <summary>A flag rule matched and no allow rule cleared the transaction: the rules alone flag it, whatever a model says.</summary>
    public bool RuleFlagged => _ruleFlagged && !Allowed;

    /// <summary>A review rule matched a transaction that is not fraud and not allowed: an analyst should look at it.</summary>
    public bool Review => _ruleReview && !IsFraud && !Allowed;

    /// <summary>An allow rule matched: the transaction is legitimate whatever else said.</summary>
    public bool Allowed { get; private set; }

    /// <summary>The fraud score in [0, 1]: the larger of the model's and the rules' (the sum of the matching rules' scores, at most 1).</summary>
    public double Score => double.IsNaN(ModelScore) ? Math.Min(1, _ruleScore) : Math.Max(Math.Min(1, _ruleScore), ModelScore);

    /// <summary>The rule set that decided; its version is written with the decision.</summary>
    public RuleSet RuleSet { get; private set; } = RuleSet.AmountThreshold();

    /// <summary>Indexes into <see cref="RuleSet"/> of the rules that matched: the decision's reasons.</summary>
    public ReadOnlySpan<int> FiredRules => _firedRules.AsSpan(0, FiredCount);

    public int FiredCount { get; private set; }

    /// <summary>The model that scored this record, or null when the detector has none.</summary>
    public ModelRunner? Model { get; private set; }

    /// <summary>The model's score, 0 without a model.</summary>
    public double ModelScore { get; private set; }

    public bool ModelFlagged => Model is not null && ModelScore >= Model.Model.Threshold;

    /// <summary>The shadow model, scored and reported but not deciding; null when none runs.</summary>
    public ModelRunner? Shadow { get; private set; }

    public double ShadowScore { get; private set; }

    public bool ShadowFlagged => Shadow is not null && ShadowScore >= Shadow.Model.Threshold;

    /// <summary>The model's reasons, when it flagged the record: input index, value and contribution, largest first.</summary>
    public int ModelReasonCount { get; private set; }

    internal int[] ReasonInputs { get; } = new int[ModelRunner.MaxReasons];

    internal double[] ReasonValues { get; } = new double[ModelRunner.MaxReasons];

    internal double[] ReasonContributions { get; } = new double[ModelRunner.MaxReasons];

    /// <summary>Time from the record entering Vigil to this decision, measured by the host.</summary>
    public long LatencyNanoseconds { get; set; }

    internal void Reset(RuleSet ruleSet)
    {
        RuleSet = ruleSet;
        _ruleFlagged = false;
        _ruleReview = false;
        _ruleScore = 0;
        Allowed = false;
        FiredCount = 0;
        LatencyNanoseconds = 0;
        Model = null;
        ModelScore = 0;
        Shadow = null;
        ShadowScore = 0;
        ModelReasonCount = 0;
    }

    internal void Scored(ModelRunner model, double score)
    {
        Model = model;
        ModelScore = score;
        if (score >= model.Model.Threshold)
        {
            ModelReasonCount = model.Explain(ReasonInputs, ReasonValues, ReasonContributions);
        }
    }

    internal void ScoredInShadow(ModelRunner shadow, double score)
    {
        Shadow = shadow;
        ShadowScore = score;
    }

    internal void Fire(int ruleIndex, Rule rule)
    {
        if (FiredCount == _firedRules.Length)
        {
            Array.Resize(ref _firedRules, FiredCount * 2);
        }

        _firedRules[FiredCount++] = ruleIndex;
        switch (rule.Action)
        {
            case RuleAction.Allow:
                Allowed = true;
                return;
            case RuleAction.Review:
                _ruleReview = true;
                break;
            default:
                _ruleFlagged = true;
                break;
        }

        _ruleScore += rule.Score;
    }
}
