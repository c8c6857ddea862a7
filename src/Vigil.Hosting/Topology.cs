using Vigil.Detection;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Pipeline;

namespace Vigil.Hosting;

/// <summary>
/// The pipeline, declared once: sources (transactions, labels, identities) → the feature processor → the detection
/// processor (rules, then models) → sinks and side streams (legit, fraud, dead letters; alerts and quality read them).
/// A transport runs it: in this process (<see cref="Transports.InProcessTransport"/>) or on a Kafka cluster
/// (<see cref="Transports.KafkaTransport"/>); both build every stage from this one description.
/// </summary>
/// <param name="Topics">The topics' names: transactions, labels and identities in; legit, fraud and dead letters out; featured between.</param>
/// <param name="Rules">The rule set that decides first, until one is swapped in.</param>
/// <param name="Features">The features computed before detection; <see cref="FeatureSet.None"/> for none.</param>
/// <param name="FeatureOptions">How the feature processor orders its inputs, bounds its state, checkpoints and joins.</param>
/// <param name="Pipeline">Partitions (tasks), batches, queues and the largest record taken.</param>
public sealed record Topology(TopicOptions Topics, RuleSet Rules, FeatureSet Features, FeatureStageOptions FeatureOptions, PipelineOptions Pipeline)
{
    /// <summary>The models scoring with the rules, until others are swapped in; null for rules alone.</summary>
    public DetectionModels? Models { get; init; }

    /// <summary>Makes one tap per detection processor, which sees every decided transaction (the retraining loop); null for none.</summary>
    public Func<IDecisionTap>? Taps { get; init; }

    public bool HasFeatures => !Features.IsEmpty;

    /// <summary>The stages, for a header: <c>features vigil (22) → rules + model → legit · fraud · dead letters</c>.</summary>
    public string Describe() =>
        (HasFeatures ? $"features {Features.Name} ({Features.Count}) → " : string.Empty)
        + (Models is null ? "rules" : "rules + model")
        + $" → {Topics.Legit} · {Topics.Fraud} · {Topics.DeadLetter}";
}
