using Vigil.Quality;

namespace Vigil.Runtime.Metrics;

/// <summary>A shadow model by its version, and how it would have done.</summary>
public sealed record ShadowStatus(string Version, QualitySnapshot Quality);

/// <summary>A point-in-time view of a pipeline: totals since start and decision latency.</summary>
public sealed record PipelineStatus(
    TimeSpan Elapsed,
    long Produced,
    long Legit,
    long Fraud,
    long DeadLetters,
    long Lag,
    long LatencyP50Nanoseconds,
    long LatencyP99Nanoseconds,
    long LatencyMaxNanoseconds)
{
    /// <summary>Detection quality against ground truth, when the source gives labels.</summary>
    public QualitySnapshot? Quality { get; init; }

    /// <summary>The event time the source has reached (Unix milliseconds), when its records have one.</summary>
    public long? EventTimeMs { get; init; }

    /// <summary>The feature stage's progress and state, when features are computed.</summary>
    public FeatureStatus? Features { get; init; }

    /// <summary>The version of the rule set deciding now, when the runtime says.</summary>
    public string? RulesVersion { get; init; }

    /// <summary>The version of the model deciding now; null without one.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>The shadow model's quality, as if it had decided, when one runs and the source gives labels.</summary>
    public ShadowStatus? Shadow { get; init; }

    /// <summary>The retraining loop's models, verdicts, label maturity and drift, when the pipeline trains its own models.</summary>
    public Quality.RetrainingStatus? Retraining { get; init; }

    /// <summary>The Kafka services' instances heard from on the status topic, with their tasks; null where there are none to hear.</summary>
    public IReadOnlyList<InstanceSighting>? Instances { get; init; }

    /// <summary>Decision latencies in full (for <c>/metrics</c>' histogram), when the runtime measured them.</summary>
    public LatencyHistogram? Latency { get; init; }

    /// <summary>Decisions by score and dead letters by code, when the runtime decided.</summary>
    public DecisionTally? Tally { get; init; }

    public long Decided => Legit + Fraud;

    public long Processed => Legit + Fraud + DeadLetters;

    /// <summary>Fraud among decided transactions, in [0, 1].</summary>
    public double FraudShare => Decided == 0 ? 0 : (double)Fraud / Decided;

    /// <summary>Records processed per second between an earlier status and this one.</summary>
    public double RateSince(PipelineStatus? earlier)
    {
        var seconds = (Elapsed - (earlier?.Elapsed ?? TimeSpan.Zero)).TotalSeconds;
        return seconds <= 0 ? 0 : (Processed - (earlier?.Processed ?? 0)) / seconds;
    }
}
