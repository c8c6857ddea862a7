using Vigil.Cli.Configuration;
using Vigil.Detection;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Cli.Demo;

/// <summary>The demo on the embedded runtime: in-process topics, one detector worker per partition.</summary>
/// <param name="joinIdentities">Whether the source publishes identities, which the feature stage then joins to their transactions.</param>
public sealed class EmbeddedDemoRuntime(PipelineOptions pipeline, TopicOptions topics, RuleSet rules, FeatureSettings features, bool joinIdentities) : IDemoRuntime
{
    private readonly EmbeddedPipeline _pipeline = new(pipeline, topics, rules, features.Set, new FeatureStageOptions
    {
        AllowedLateness = features.AllowedLateness,
        Limits = features.Limits,
        CheckpointPath = features.Checkpoint,
        JoinIdentities = joinIdentities,
        JoinWindow = features.JoinWindow,
    });

    public string Description => $"embedded runtime · {_pipeline.Transactions.Partitions.Count} partitions" +
        (features.Set.IsEmpty ? string.Empty : $" · features: {features.Set.Name} ({features.Set.Count})" +
            (_pipeline.FeatureStage is null ? $" on {_pipeline.FeatureTasks} tasks" : " in one stage"));

    /// <summary>The models scoring with the rules; setting them swaps every worker's between two records.</summary>
    public RuleSet Rules
    {
        set => _pipeline.Rules = value;
    }

    public DetectionModels? Models
    {
        get => _pipeline.Models;
        set => _pipeline.Models = value;
    }

    /// <summary>The feature stage's live state, for scoring requests beside the stream; null when no features are computed.</summary>
    public Vigil.Web.Scoring.PipelineFeatures? Features =>
        _pipeline.Features is { } set ? new(set, _pipeline.PeekFeatures) : null;

    public Topic Legit => _pipeline.Legit;

    public Topic Fraud => _pipeline.Fraud;

    public Topic DeadLetters => _pipeline.DeadLetters;

    public Topic Labels => _pipeline.Labels;

    public Task Completion => _pipeline.Completion;

    public SourceOutputs Outputs(TimeSpan labelDelay) => new(
        _pipeline.Transactions.CreateProducer(),
        _pipeline.Labels.CreateProducer(),
        labelDelay,
        _pipeline.Identities.CreateProducer(),
        _pipeline.DeadLetters.CreateProducer());

    public PipelineStatus Status() => _pipeline.Status();

    public Task PrepareAsync() => _pipeline.WarmUpAsync();

    public Task StartAsync()
    {
        _pipeline.Start(CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task DrainAsync() => _pipeline.DrainAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
