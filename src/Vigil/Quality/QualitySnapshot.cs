namespace Vigil.Quality;

/// <summary>Detection quality so far: decisions joined with their labels, and what still waits for its other half.</summary>
/// <param name="Decided">Every decision seen, labelled or not.</param>
/// <param name="FraudAmountCaught">The amounts of the frauds that were flagged.</param>
/// <param name="FraudAmountMissed">The amounts of the frauds that were not.</param>
/// <param name="GenuineAmountFlagged">The amounts of genuine transactions flagged (customers wrongly stopped).</param>
/// <param name="AwaitingLabel">Decisions whose label has not come yet (labels come after a delay).</param>
/// <param name="AwaitingDecision">Labels whose decision has not come yet.</param>
/// <param name="ExpiredDecisions">Decisions dropped after waiting too long for a label.</param>
/// <param name="ExpiredLabels">Labels dropped after waiting too long for a decision.</param>
/// <param name="Duplicates">Second decisions or labels for one transaction (at-least-once delivery), ignored.</param>
/// <param name="DecisionsWithoutId">Decisions about transactions without an id, which no label can match.</param>
public sealed record QualitySnapshot(
    ConfusionMatrix Matrix,
    long Decided,
    long Flagged,
    double FraudAmountCaught,
    double FraudAmountMissed,
    double GenuineAmountFlagged,
    long AwaitingLabel,
    long AwaitingDecision,
    long ExpiredDecisions,
    long ExpiredLabels,
    long Duplicates,
    long InvalidLabels,
    long DecisionsWithoutId,
    IReadOnlyList<ScenarioQuality> Scenarios)
{
    /// <summary>Decisions that met their label.</summary>
    public long Labelled => Matrix.Total;

    /// <summary>Of all decisions, the share flagged as fraud.</summary>
    public double AlertRate => Decided == 0 ? double.NaN : (double)Flagged / Decided;
}

/// <summary>Recall for one fraud scenario (0 when the source gives none).</summary>
public readonly record struct ScenarioQuality(int Scenario, long Frauds, long Caught)
{
    public double Recall => Frauds == 0 ? double.NaN : (double)Caught / Frauds;
}
