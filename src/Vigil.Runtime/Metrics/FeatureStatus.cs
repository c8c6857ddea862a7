using Vigil.Features;
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

    /// <summary>
    /// Reads the counters of partitioned feature tasks: the customers' stages, then the terminals' engines with what
    /// they computed and hold. Labels count where terminals apply them (where they count for the vigil set's risks).
    /// </summary>
    internal static FeatureStatus Of(IReadOnlyList<FeatureStage> customers, IReadOnlyList<(FeatureEngine Engine, long Released, long Held)> terminals)
    {
        long late = 0, entities = 0, evicted = 0, truncated = 0, held = 0, released = 0, labels = 0, customerLabels = 0;
        var watermark = long.MaxValue;
        foreach (var stage in customers)
        {
            var engine = stage.Engine;
            late += engine.Late;
            entities += engine.Entities;
            evicted += engine.Evicted;
            truncated += engine.Truncated;
            customerLabels += engine.LabelsApplied;
            held += stage.Held;
            watermark = Math.Min(watermark, stage.WatermarkMs);
        }

        foreach (var (engine, computed, waiting) in terminals)
        {
            late += engine.Late;
            entities += engine.Entities;
            evicted += engine.Evicted;
            truncated += engine.Truncated;
            labels += engine.LabelsApplied;
            held += waiting;
            released += computed;
        }

        return new FeatureStatus(released, late, Math.Max(labels, customerLabels), entities, held, watermark, evicted) { Truncated = truncated };
    }
}
