using Vigil.Detection;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Hosting.Transports;

/// <summary>
/// The topology in this process (the embedded default): in-process topics, one customer task and one terminal task
/// per partition (or one feature stage with a checkpoint or a join), decisions on every partition.
/// </summary>
public sealed class InProcessTransport(Topology topology) : IPipelineTransport
{
    private readonly EmbeddedPipeline _pipeline = new(topology.Pipeline, topology.Topics, topology.Rules, topology.Features, topology.FeatureOptions)
    {
        Models = topology.Models,
    };

    public string Description => $"embedded runtime · {_pipeline.Transactions.Partitions.Count} partitions" +
        (topology.HasFeatures
            ? $" · features: {topology.Features.Name} ({topology.Features.Count})" +
              (_pipeline.FeatureStage is null ? $" on {_pipeline.FeatureTasks} tasks" : " in one stage")
            : string.Empty);

    public RuleSet Rules
    {
        set => _pipeline.Rules = value;
    }

    public DetectionModels? Models
    {
        set => _pipeline.Models = value;
    }

    public PipelineFeatures? Features => _pipeline.Features is { } set ? new(set, _pipeline.PeekFeatures) : null;

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
        if (topology.Taps is { } taps)
        {
            _pipeline.AttachTaps(taps);
        }

        _pipeline.Start(CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task DrainAsync() => _pipeline.DrainAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
