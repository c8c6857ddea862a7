using Vigil.Rules;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Topics;

namespace Vigil.Cli.Demo;

/// <summary>The demo on the embedded runtime: in-process topics, one detector worker per partition.</summary>
public sealed class EmbeddedDemoRuntime(PipelineOptions pipeline, TopicOptions topics, RuleSet rules) : IDemoRuntime
{
    private readonly EmbeddedPipeline _pipeline = new(pipeline, topics, rules);
    private IRecordWriter? _input;

    public string Description => $"embedded runtime · {_pipeline.Transactions.Partitions.Count} partitions";

    public IRecordWriter Input => _input ??= _pipeline.Transactions.CreateProducer();

    public Topic Legit => _pipeline.Legit;

    public Topic Fraud => _pipeline.Fraud;

    public Topic DeadLetters => _pipeline.DeadLetters;

    public Task Completion => _pipeline.Completion;

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
