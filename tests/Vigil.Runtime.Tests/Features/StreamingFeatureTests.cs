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
        await using var stage = OneCustomerWindow(partitions: 2, lateness: TimeSpan.FromSeconds(5));
        stage.Send(0, 1, "10:00:00");

        await Task.Delay(200);
        Assert.Equal(0, stage.Pipeline.FeatureStage!.Released); // partition 1 has said nothing: an earlier transaction may come
        stage.Producer.AdvanceWatermark(new DateTimeOffset(2018, 4, 1, 10, 0, 1, TimeSpan.Zero).ToUnixTimeMilliseconds());
        await stage.WaitForReleasedAsync(1);
        var features = await stage.DrainAsync();
        Assert.Equal(1, features[1]["n"]);
    }

    [Fact]
    public async Task A_stage_gone_quiet_checkpoints_what_it_did_once_and_then_writes_no_more_until_something_changes()
    {
        var store = new CountingStore();
        await using var stage = OneCustomerWindow(partitions: 1, lateness: TimeSpan.Zero, store);
        stage.Send(0, 1, "10:00:00");
        await stage.WaitForReleasedAsync(1);

        // No more input, and the inputs stay open: the interval (300 ms) alone must bring the checkpoint.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (store.Saved == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, store.Saved);
        await Task.Delay(1000); // three more intervals, nothing new
        Assert.Equal(1, store.Saved);
        stage.Send(0, 2, "10:00:01");
        await stage.WaitForReleasedAsync(2);
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (store.Saved == 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(2, store.Saved);
        await stage.DrainAsync();
    }

    [Fact]
    public async Task Transactions_without_event_time_are_stamped_on_arrival_and_never_wait_for_the_allowed_lateness()
    {
        await using var stage = OneCustomerWindow(partitions: 2, lateness: TimeSpan.FromHours(1));
        stage.Send(0, 1, time: null);
        stage.Send(1, 2, time: null);
        stage.Send(0, 3, time: null);

        await stage.WaitForReleasedAsync(3); // the lateness is an hour, and no partition idles out: only arrival time releases them
        Assert.Equal(0, stage.Pipeline.FeatureStage!.Engine.Late);
        var features = await stage.DrainAsync();
        Assert.Equal(3, features.Count);
    }

    [Fact]
    public async Task Inputs_in_event_time_order_hold_nothing_back_beyond_the_second_every_partition_reached()
    {
        await using var stage = OneCustomerWindow(partitions: 2, lateness: TimeSpan.FromHours(1));
        stage.Send(0, 1, "10:00:00.100");
        stage.Send(1, 2, "10:00:00.900");
        await stage.WaitForReleasedAsync(2); // both partitions reached 10:00:00: its transactions go at once

        stage.Send(0, 3, "10:00:02");
        await Task.Delay(200);
        Assert.Equal(2, stage.Pipeline.FeatureStage!.Released); // partition 1 may still bring 10:00:01
        stage.Send(1, 4, "10:00:03");
        await stage.WaitForReleasedAsync(3);
        await Task.Delay(200);
        Assert.Equal(3, stage.Pipeline.FeatureStage.Released); // partition 0 may still bring 10:00:02.5
        await stage.DrainAsync();
        Assert.Equal(0, stage.Pipeline.FeatureStage.Engine.Late);
    }

    [Fact]
    public async Task An_input_that_came_out_of_order_is_waited_for_by_the_disorder_it_showed_and_later_ones_are_counted_late()
    {
        await using var stage = OneCustomerWindow(partitions: 1, lateness: TimeSpan.FromSeconds(5));
        stage.Send(0, 1, "10:00:00");
        stage.Send(0, 2, "10:00:03");
        await stage.WaitForReleasedAsync(2); // in order: neither waits for the 5 s allowed
        stage.Send(0, 3, "10:00:01"); // 2 s behind what was computed: late, and the input has now shown 2 s of disorder
        await stage.WaitForReleasedAsync(3);
        stage.Send(0, 4, "10:00:10");
        stage.Send(0, 5, "10:00:09");
        await Task.Delay(200);
        Assert.Equal(3, stage.Pipeline.FeatureStage!.Released); // the watermark is 10:00:08: 4 and 5 wait
        stage.Send(0, 6, "10:00:12"); // the watermark is 10:00:10: 5, then 4, go in event-time order
        await stage.WaitForReleasedAsync(5);
        stage.Send(0, 7, "09:00:00"); // an hour behind: late, computed as of 10:00:10
        var features = await stage.DrainAsync();

        // n counts the customer's transactions computed so far, itself included: 3 and 7 were computed late, 5 before 4.
        Assert.Equal([1, 2, 3, 5, 4, 7, 6], features.OrderBy(f => f.Key).Select(f => f.Value["n"]!.Value));
        Assert.Equal(2, stage.Pipeline.FeatureStage.Engine.Late);
    }

    [Fact]
    public async Task A_silent_partition_holds_the_watermark_at_what_the_writer_declared_not_beyond()
    {
        await using var stage = new HandFedStage(new EmbeddedPipeline(
            new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(), FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)"]),
            new FeatureStageOptions { IdleTimeout = TimeSpan.FromMilliseconds(100), Partitioned = false }));
        stage.Producer.AdvanceWatermark(new DateTimeOffset(2018, 4, 1, 10, 0, 3, TimeSpan.Zero).ToUnixTimeMilliseconds());
        stage.Send(partition: 0, id: 1, "10:00:05");
        await Task.Delay(500); // partition 1 is silent for longer than the idle timeout

        // The writer said nothing before 10:00:03 is coming: a transaction of 10:00:04 may still come on partition 1.
        Assert.Equal(0, stage.Pipeline.FeatureStage!.Released);
        stage.Producer.AdvanceWatermark(new DateTimeOffset(2018, 4, 1, 10, 0, 6, TimeSpan.Zero).ToUnixTimeMilliseconds());
        await stage.WaitForReleasedAsync(1);
    }

    [Fact]
    public async Task The_first_partition_to_speak_after_every_input_was_silent_does_not_run_ahead_of_the_others()
    {
        // As on Kafka, where the stage starts seconds before the first record: every input is idle by then.
        await using var stage = new HandFedStage(new EmbeddedPipeline(
            new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(), FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)"]),
            new FeatureStageOptions { IdleTimeout = TimeSpan.FromSeconds(2), Partitioned = false }));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        stage.Send(partition: 0, id: 1, "10:00:05");
        await Task.Delay(300);
        Assert.Equal(0, stage.Pipeline.FeatureStage!.Released); // partition 1 gets a whole idle timeout from now

        stage.Send(partition: 1, id: 2, "10:00:01");
        await stage.WaitForReleasedAsync(2);
        var features = await stage.DrainAsync();
        Assert.Equal(0, stage.Pipeline.FeatureStage.Engine.Late);
        Assert.Equal([2, 1], features.OrderBy(f => f.Key).Select(f => f.Value["n"]!.Value));
    }

    /// <summary>A pipeline counting one customer's transactions over a day, no partition ever idle, fed by hand.</summary>
    private static HandFedStage OneCustomerWindow(int partitions, TimeSpan lateness, ICheckpointStore? store = null) => new(new EmbeddedPipeline(
        new PipelineOptions { Partitions = partitions }, new TopicOptions(), RuleSet.AmountThreshold(), FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)"]),
        new FeatureStageOptions
        {
            AllowedLateness = lateness, IdleTimeout = System.Threading.Timeout.InfiniteTimeSpan, Partitioned = false,
            CheckpointStore = store, CheckpointInterval = TimeSpan.FromMilliseconds(300),
        }));

    /// <summary>Keeps checkpoints in memory and counts them.</summary>
    private sealed class CountingStore : ICheckpointStore
    {
        private int _saved;

        public int Saved => Volatile.Read(ref _saved);

        public string Description => "memory";

        public byte[]? Load() => null;

        public Task SaveAsync(byte[] checkpoint, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _saved);
            return Task.CompletedTask;
        }
    }

    private sealed class HandFedStage : IAsyncDisposable
    {
        private readonly FeatureCollector _collector;
        private readonly Task _drain;
        private bool _drained;

        public HandFedStage(EmbeddedPipeline pipeline)
        {
            Pipeline = pipeline;
            _collector = FeatureCollector.Attach(null, pipeline.Legit, pipeline.Fraud);
            _drain = DiscardSink.Attach(pipeline.DeadLetters, "test");
            pipeline.Start();
            Producer = pipeline.Transactions.CreateProducer();
        }

        public EmbeddedPipeline Pipeline { get; }

        public TopicProducer Producer { get; }

        /// <param name="time">Time of day on 2018-04-01 (UTC); null for a transaction without event time.</param>
        public void Send(int partition, int id, string? time)
        {
            var timestamp = time is null ? string.Empty : $$""","timestamp":"2018-04-01T{{time}}Z" """.TrimEnd();
            Producer.Append(partition, "c"u8, System.Text.Encoding.UTF8.GetBytes($$"""{"transaction_id":{{id}}{{timestamp}},"customer_id":"c","amount":1}"""));
            Producer.FlushAsync().AsTask().Wait(Timeout);
        }

        public async Task WaitForReleasedAsync(long count)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (Pipeline.FeatureStage!.Released < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1);
            }

            Assert.Equal(count, Pipeline.FeatureStage.Released);
        }

        public async Task<Dictionary<long, Dictionary<string, double?>>> DrainAsync()
        {
            _drained = true;
            await Pipeline.DrainAsync().WaitAsync(Timeout);
            await _collector.Completion.WaitAsync(Timeout);
            await _drain.WaitAsync(Timeout);
            return _collector.Features;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_drained)
            {
                await DrainAsync();
            }
        }
    }

    [Fact]
    public async Task A_stage_killed_and_restarted_from_its_checkpoint_computes_what_an_uninterrupted_run_computes()
    {
        var checkpoint = Path.Combine(_directory, "features.checkpoint");
        var uninterrupted = await RunAsync(checkpoint: null, killAfter: null);

        var killed = await RunAsync(checkpoint, killAfter: 20_000);
        Assert.True(File.Exists(checkpoint));

        // Where a service on Kafka resumes reading: the offsets of the checkpoint, past the transactions it covers. Those
        // are the ones released, all decided before the checkpoint was kept, and those it holds for the watermark.
        var positions = FeatureCheckpoint.ReadSummary(File.ReadAllBytes(checkpoint), checkpoint);
        Assert.Equal((2, 2), (positions.Transactions.Length, positions.Labels.Length));
        Assert.Equal(positions.Released + positions.Held, positions.Transactions.Sum());
        Assert.InRange(positions.Released, 1, killed.Features.Count);
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
