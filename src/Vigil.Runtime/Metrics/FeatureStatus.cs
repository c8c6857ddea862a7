using Vigil.Runtime.Features;

namespace Vigil.Runtime.Metrics;

/// <summary>What the feature stage has done: transactions computed, late ones, labels used, entities in state, the watermark.</summary>
public sealed record FeatureStatus(long Computed, long Late, long LabelsApplied, long Entities, long Held, long WatermarkMs, long Evicted)
{
    /// <summary>Reads a running stage's counters; they are read without stopping it, so they may be a record apart.</summary>
    public static FeatureStatus Of(FeatureStage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var engine = stage.Engine;
        return new FeatureStatus(stage.Released, engine.Late, engine.LabelsApplied, engine.Entities, stage.Held, stage.WatermarkMs, engine.Evicted);
    }
}
