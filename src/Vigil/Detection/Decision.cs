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

    /// <summary>Time from the record entering Vigil to this decision, measured by the host.</summary>
    public long LatencyNanoseconds { get; set; }

    internal void Reset(RuleSet ruleSet)
    {
        RuleSet = ruleSet;
        IsFraud = false;
        Score = 0;
        FiredCount = 0;
        LatencyNanoseconds = 0;
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
