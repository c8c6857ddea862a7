using System.Text;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Tests.Topics;

public class TopicTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static Topic NewTopic(int partitions = 1, BatchPool? pool = null) =>
        new EmbeddedBroker(pool ?? new BatchPool(batchBytes: 1024, batchRecords: 4)).CreateTopic("t", partitions);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Records_arrive_in_order_with_consecutive_offsets()
    {
        var topic = NewTopic();
        var subscription = topic.Subscribe("g")[0];
        var producer = topic.CreateProducer();

        for (var i = 0; i < 10; i++)
        {
            producer.Append(0, Bytes("k"), Bytes($"v{i}"));
        }

        await producer.FlushAsync();
        topic.Complete();

        var seen = new List<(long, string)>();
        await foreach (var batch in subscription.Reader.ReadAllAsync())
        {
            for (var i = 0; i < batch.Count; i++)
            {
                seen.Add((batch.Offset(i), Encoding.UTF8.GetString(batch.Value(i))));
            }

            subscription.Complete(batch);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => ((long)i, $"v{i}")), seen);
        Assert.Equal(10, topic.EndOffset);
        Assert.Equal(10, subscription.CommittedOffset);
        Assert.Equal(0, subscription.Lag);
    }

    [Fact]
    public async Task A_full_blocking_subscriber_holds_the_publisher_back_until_it_reads()
    {
        var topic = NewTopic();
        var subscription = topic.Subscribe("g", SubscriptionMode.Blocking, capacity: 1)[0];
        var producer = topic.CreateProducer();

        producer.Append(0, default, Bytes("first"));
        await producer.FlushAsync().AsTask().WaitAsync(Timeout);
        producer.Append(0, default, Bytes("second"));
        var second = producer.FlushAsync().AsTask();

        await Task.Delay(100);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, topic.EndOffset);

        Assert.True(subscription.Reader.TryRead(out var batch));
        subscription.Complete(batch);
        await second.WaitAsync(Timeout);
        Assert.Equal(2, topic.EndOffset);
    }

    [Fact]
    public async Task A_full_sampling_subscriber_skips_batches_and_counts_them_without_holding_anyone_back()
    {
        var topic = NewTopic();
        var blocking = topic.Subscribe("detector", SubscriptionMode.Blocking, capacity: 100)[0];
        var sampling = topic.Subscribe("dashboard", SubscriptionMode.Sampling, capacity: 1)[0];
        var producer = topic.CreateProducer();

        for (var i = 0; i < 5; i++)
        {
            producer.Append(0, default, Bytes($"r{i}"));
            await producer.FlushAsync().AsTask().WaitAsync(Timeout);
        }

        Assert.Equal(5, topic.EndOffset);
        Assert.Equal(4, sampling.SkippedRecords);
        Assert.Equal(4, sampling.SkippedBatches);
        Assert.Equal(5, blocking.Reader.Count);
    }

    [Fact]
    public async Task Batches_go_back_to_the_pool_once_every_subscriber_completed_them()
    {
        var pool = new BatchPool(batchBytes: 1024, batchRecords: 4);
        var topic = NewTopic(pool: pool);
        var first = topic.Subscribe("a")[0];
        var second = topic.Subscribe("b")[0];
        var producer = topic.CreateProducer();

        for (var round = 0; round < 50; round++)
        {
            producer.Append(0, default, Bytes("x"));
            await producer.FlushAsync();
            Assert.True(first.Reader.TryRead(out var a));
            Assert.True(second.Reader.TryRead(out var b));
            Assert.Same(a, b);
            first.Complete(a);
            second.Complete(b);
        }

        Assert.Equal(1, pool.Created);
    }

    [Fact]
    public async Task A_producer_seals_a_batch_when_it_is_full_and_keeps_keyless_records_on_one_partition_per_batch()
    {
        var topic = NewTopic(partitions: 3);
        var subscriptions = topic.Subscribe("g", capacity: 100);
        var producer = topic.CreateProducer();

        for (var i = 0; i < 12; i++)
        {
            producer.Append(default, Bytes($"r{i}"));
        }

        Assert.Equal(3, producer.SealedBatches);
        await producer.FlushAsync();

        Assert.All(subscriptions, s => Assert.Equal(1, s.Reader.Count));
        Assert.All(topic.Partitions, p => Assert.Equal(4, p.EndOffset));
    }

    [Fact]
    public async Task Keyed_records_land_on_the_partition_kafka_would_choose()
    {
        var topic = NewTopic(partitions: 4);
        var subscriptions = topic.Subscribe("g", capacity: 100);
        var producer = topic.CreateProducer();
        var keys = Enumerable.Range(0, 40).Select(i => $"account-{i}").ToArray();

        foreach (var key in keys)
        {
            producer.Append(Bytes(key), Bytes("v"));
        }

        await producer.FlushAsync();
        topic.Complete();

        for (var p = 0; p < 4; p++)
        {
            await foreach (var batch in subscriptions[p].Reader.ReadAllAsync())
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    Assert.Equal(p, Murmur2Partitioner.PartitionFor(batch.Key(i), 4));
                }

                subscriptions[p].Complete(batch);
            }
        }
    }

    [Fact]
    public async Task A_record_larger_than_a_batch_gets_a_batch_of_its_own()
    {
        var topic = NewTopic();
        var subscription = topic.Subscribe("g", capacity: 10)[0];
        var producer = topic.CreateProducer();
        var big = new byte[5000];
        big.AsSpan().Fill((byte)'a');

        producer.Append(0, default, Bytes("small"));
        producer.Append(0, default, big);
        producer.Append(0, default, Bytes("small again"));
        await producer.FlushAsync();

        var values = new List<int>();
        while (subscription.Reader.TryRead(out var batch))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                values.Add(batch.Value(i).Length);
            }

            subscription.Complete(batch);
        }

        Assert.Equal([5, 5000, 11], values);
    }

    [Fact]
    public async Task Headers_travel_with_their_record()
    {
        var topic = NewTopic();
        var subscription = topic.Subscribe("g")[0];
        var producer = topic.CreateProducer();

        producer.Append(0, default, Bytes("plain"));
        producer.Append(0, default, Bytes("with"), [new RecordHeader("reason", "bad")]);
        await producer.FlushAsync();

        Assert.True(subscription.Reader.TryRead(out var batch));
        Assert.Null(batch.Headers(0));
        Assert.Equal("bad", Assert.Single(batch.Headers(1)!).ValueText);
    }

    [Fact]
    public async Task Publishing_to_a_completed_topic_fails_loudly()
    {
        var topic = NewTopic();
        var producer = topic.CreateProducer();
        topic.Complete();

        producer.Append(0, default, Bytes("late"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.FlushAsync().AsTask());
    }
}
