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

/// <summary>The feature stage on the embedded runtime: against the batch computation, under a kill and restart, and with events out of order.</summary>
public sealed class StreamingFeatureTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static SimulatorOptions Simulated => new() { Customers = 400, Terminals = 800, Days = 50, Seed = 11 };

    private static SimulatorSource Simulation() => new(new TransactionSimulator(Simulated));

    [Fact]
    public async Task Every_streamed_feature_equals_the_batch_computation_over_the_same_simulation()
    {
        var streamed = await RunAsync(checkpoint: null, killAfter: null);

        var engine = new FeatureEngine(FeatureSet.Vigil);
        var labels = new DelayedLabels(TimeSpan.FromDays(7));
        var simulator = new TransactionSimulator(Simulated);
        var values = new double[FeatureSet.Vigil.Count];
        var compared = 0;
        while (!simulator.IsFinished)
        {
            foreach (ref readonly var t in simulator.NextDay().Span)
            {
                var time = simulator.StartUnixMilliseconds + (t.TimeSeconds * 1000);
                labels.ReleaseDue(time, engine);
                engine.Compute(time, t.CustomerId, t.TerminalId, t.AmountCents / 100.0, values);
                labels.Hold(t.CustomerId, t.TerminalId, time, t.IsFraud);
                var features = streamed.Features[t.TransactionId];
                for (var f = 0; f < values.Length; f++)
                {
                    Assert.Equal(values[f], features[FeatureSet.Vigil.Definitions[f].Name]!.Value, 9);
                }

                compared++;
            }
        }

        Assert.Equal(streamed.Features.Count, compared);
    }

    [Fact]
    public async Task A_watermark_declared_by_the_writer_releases_a_transaction_without_waiting_for_a_later_one()
    {
        var pipeline = new EmbeddedPipeline(
            new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(), FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)"]),
            new FeatureStageOptions { IdleTimeout = System.Threading.Timeout.InfiniteTimeSpan });
        var collector = FeatureCollector.Attach(null, pipeline.Legit, pipeline.Fraud);
        var drain = DiscardSink.Attach(pipeline.DeadLetters, "test");
        pipeline.Start();
        var producer = pipeline.Transactions.CreateProducer();
        producer.Append(0, "c"u8, """{"transaction_id":1,"timestamp":"2018-04-01T10:00:00Z","customer_id":"c","amount":1}"""u8);
        await producer.FlushAsync();

        await Task.Delay(200);
        Assert.Equal(0, pipeline.FeatureStage!.Released); // partition 1 has said nothing: an earlier transaction may come
        producer.AdvanceWatermark(new DateTimeOffset(2018, 4, 1, 10, 0, 1, TimeSpan.Zero).ToUnixTimeMilliseconds());
        var deadline = DateTime.UtcNow + Timeout;
        while (pipeline.FeatureStage.Released == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1);
        }

        Assert.Equal(1, pipeline.FeatureStage.Released);
        await pipeline.DrainAsync().WaitAsync(Timeout);
        await collector.Completion.WaitAsync(Timeout);
        await drain;
        Assert.Equal(1, collector.Features[1]["n"]);
    }

    [Fact]
    public async Task Transactions_within_the_allowed_lateness_are_put_in_order_and_later_ones_are_counted_late()
    {
        var pipeline = new EmbeddedPipeline(
            new PipelineOptions { Partitions = 1 }, new TopicOptions(), RuleSet.AmountThreshold(), FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)"]),
            new FeatureStageOptions { AllowedLateness = TimeSpan.FromSeconds(5), IdleTimeout = System.Threading.Timeout.InfiniteTimeSpan });
        var collector = FeatureCollector.Attach(null, pipeline.Legit, pipeline.Fraud);
        var drain = DiscardSink.Attach(pipeline.DeadLetters, "test");
        pipeline.Start();
        var producer = pipeline.Transactions.CreateProducer();
        async Task Send(int id, string time)
        {
            producer.Append(0, "c"u8, System.Text.Encoding.UTF8.GetBytes($$"""{"transaction_id":{{id}},"timestamp":"2018-04-01T{{time}}Z","customer_id":"c","amount":1}"""));
            await producer.FlushAsync();
        }

        await Send(1, "10:00:00");
        await Send(2, "10:00:03");
        await Send(3, "10:00:01");
        await Send(4, "10:00:20"); // the watermark is now 10:00:15: 1, 3 and 2 go, 4 waits
        var deadline = DateTime.UtcNow + Timeout;
        while (pipeline.FeatureStage!.Released < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1);
        }

        await Send(5, "09:00:00"); // an hour behind what was computed: late
        await pipeline.DrainAsync().WaitAsync(Timeout);
        await collector.Completion.WaitAsync(Timeout);
        await drain;

        // 3 came 2 s behind 2, within the lateness: computed before it. 5 was computed as of 10:00:03, with 1, 2 and 3
        // in its window, and counted late; 4 last, at the end of the stream.
        Assert.Equal([1, 3, 2, 5, 4], collector.Features.OrderBy(f => f.Key).Select(f => f.Value["n"]!.Value));
        Assert.Equal(1, pipeline.FeatureStage.Engine.Late);
    }

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
