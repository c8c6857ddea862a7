using Vigil.Runtime.Features;

namespace Vigil.Runtime.Metrics;

/// <summary>What the feature stage has done: transactions computed, late ones, labels used, entities in state, the watermark.</summary>
public sealed record FeatureStatus(long Computed, long Late, long LabelsApplied, long Entities, long Held, long WatermarkMs, long Evicted)
{
    /// <summary>Transactions joined with their identity, emitted without one, and identities that expired unjoined; null without a join.</summary>
    public (long Joined, long Unmatched, long Expired)? Join { get; init; }

    /// <summary>Transactions that left their entity's windows early, by the bound on transactions per entity.</summary>
    public long Truncated { get; init; }

    /// <summary>Reads a running stage's counters; they are read without stopping it, so they may be a record apart.</summary>
    public static FeatureStatus Of(FeatureStage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var engine = stage.Engine;
        return new FeatureStatus(stage.Released, engine.Late, engine.LabelsApplied, engine.Entities, stage.Held, stage.WatermarkMs, engine.Evicted)
        {
            Join = stage.IsJoining ? stage.JoinCounts : null,
            Truncated = engine.Truncated,
        };
    }
}
