using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>What the detector decided about one transaction, and why.</summary>
/// <remarks>Reused record after record by one worker; copy what must outlive the next decision.</remarks>
public sealed class Decision
{
    private int[] _firedRules = new int[8];

    public bool IsFraud { get; private set; }

    /// <summary>The fraud score in [0, 1].</summary>
    public double Score { get; private set; }

    /// <summary>The rule set that decided; its version is written with the decision.</summary>
    public RuleSet RuleSet { get; private set; } = RuleSet.AmountThreshold();

    /// <summary>Indexes into <see cref="RuleSet"/> of the rules that matched: the decision's reasons.</summary>
    public ReadOnlySpan<int> FiredRules => _firedRules.AsSpan(0, FiredCount);

    public int FiredCount { get; private set; }

    /// <summary>The model that scored this record, or null when the detector has none.</summary>
    public ModelRunner? Model { get; private set; }

    /// <summary>The model's score; the decision's <see cref="Score"/> is the larger of it and the rules' scores.</summary>
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
        IsFraud = false;
        Score = 0;
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
        Score = Math.Max(Score, score);
        if (score >= model.Model.Threshold)
        {
            IsFraud = true;
            ModelReasonCount = model.Explain(ReasonInputs, ReasonValues, ReasonContributions);
        }
    }

    internal void ScoredInShadow(ModelRunner shadow, double score)
    {
        Shadow = shadow;
        ShadowScore = score;
    }

    internal void Fire(int ruleIndex, double score)
    {
        if (FiredCount == _firedRules.Length)
        {
            Array.Resize(ref _firedRules, FiredCount * 2);
        }

        _firedRules[FiredCount++] = ruleIndex;
        IsFraud = true;
        Score = Math.Max(Score, score);
    }
}
