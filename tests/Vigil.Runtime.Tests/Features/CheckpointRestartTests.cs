using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sinks;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;

namespace Vigil.Runtime.Tests.Features;

public sealed class CheckpointRestartTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static SimulatorSource Simulation() => new(new TransactionSimulator(
        new SimulatorOptions { Customers = 400, Terminals = 800, Days = 50, Seed = 11 }));

    [Fact]
    public async Task A_stage_killed_and_restarted_from_its_checkpoint_computes_what_an_uninterrupted_run_computes()
    {
        var checkpoint = Path.Combine(_directory, "features.checkpoint");
        var uninterrupted = await RunAsync(checkpoint: null, killAfter: null);

        var killed = await RunAsync(checkpoint, killAfter: 20_000);
        Assert.True(File.Exists(checkpoint));
        var resumed = await RunAsync(checkpoint, killAfter: null);

        Assert.InRange(resumed.Features.Count, 1, uninterrupted.Features.Count - 1); // resumed, not started over
        Assert.Equal(uninterrupted.Features.Count, killed.Features.Keys.Union(resumed.Features.Keys).Count());
        foreach (var (id, features) in resumed.Features)
        {
            Assert.Equal(uninterrupted.Features[id], features);
        }

        Assert.Equal(0, resumed.Duplicates);
    }

    private static async Task DiscardAsync(Subscription subscription)
    {
        await foreach (var batch in subscription.Reader.ReadAllAsync())
        {
            subscription.Complete(batch);
        }
    }

    /// <summary>One run of the simulation through the pipeline; <paramref name="killAfter"/> aborts it, undrained, once that many transactions have features.</summary>
    private static async Task<FeatureCollector> RunAsync(string? checkpoint, int? killAfter)
    {
        var options = new FeatureStageOptions { IdleTimeout = System.Threading.Timeout.InfiniteTimeSpan, CheckpointPath = checkpoint, CheckpointInterval = TimeSpan.FromMilliseconds(20) };
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(220), FeatureSet.Vigil, options);
        var collector = FeatureCollector.Attach(null, pipeline.Legit, pipeline.Fraud);
        var drain = DiscardSink.Attach(pipeline.DeadLetters, "test");
        using var kill = new CancellationTokenSource();
        pipeline.Start(kill.Token);
        var publisher = new SourcePublisher(
            Simulation(),
            new SourceOutputs(pipeline.Transactions.CreateProducer(), pipeline.Labels.CreateProducer(), TimeSpan.FromDays(7)),
            SourcePacing.Unlimited);
        var publishing = publisher.RunAsync(kill.Token);
        if (killAfter is { } after)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (pipeline.FeatureStage!.Released < after && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1);
            }

            // As a kill: no drain, no last checkpoint. What the dead stage would have read is thrown away, so that the
            // publisher (which stops at the same signal) is not held back by readers that are gone.
            await kill.CancelAsync();
            await Task.WhenAny(pipeline.Completion, Task.Delay(Timeout));
            var discarding = new[] { pipeline.Transactions, pipeline.Labels }
                .SelectMany(t => t.Partitions).SelectMany(p => p.Subscriptions).Select(DiscardAsync).ToList();
            await publishing.WaitAsync(Timeout);
            foreach (var topic in new[] { pipeline.Transactions, pipeline.Labels, pipeline.Legit, pipeline.Fraud, pipeline.DeadLetters })
            {
                topic.Complete();
            }

            await Task.WhenAll(discarding).WaitAsync(Timeout);
        }
        else
        {
            await publishing.WaitAsync(Timeout);
            await pipeline.DrainAsync().WaitAsync(Timeout);
        }

        await collector.Completion.WaitAsync(Timeout);
        await drain.WaitAsync(Timeout);
        return collector;
    }
}
