using System.Text;
using Confluent.Kafka;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Mock;
using Vigil.Runtime.Pipeline;
using Vigil.Testing;

namespace Vigil.Kafka.Tests;

/// <summary>A mock cluster with Vigil's topics, and helpers to write and read them through the real client over TCP.</summary>
internal sealed class MockKafka : IDisposable
{
    public MockKafka(int brokers = 1, int partitions = 4)
    {
        Cluster = new MockCluster(brokers);
        foreach (var topic in Topics.All)
        {
            Cluster.CreateTopic(topic, partitions, replicationFactor: brokers);
        }

        Partitions = partitions;
    }

    public MockCluster Cluster { get; }

    public int Partitions { get; }

    public TopicOptions Topics { get; } = new();

    public List<string> Log { get; } = [];

    public KafkaClients Clients(string group = KafkaOptions.DefaultGroupId, Action<KafkaOptions>? configure = null)
    {
        var options = new KafkaOptions { BootstrapServers = Cluster.BootstrapServers, GroupId = group };

        // The mock's coordinator waits a whole session timeout (45 s by default) before a rebalance completes.
        options.Settings["session.timeout.ms"] = "6000";
        options.Settings["heartbeat.interval.ms"] = "500";
        configure?.Invoke(options);
        return new KafkaClients(options, new ListLogger(Log) { Stamped = true });
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Reads a topic from the beginning of every partition until <paramref name="count"/> records or the timeout.</summary>
    public List<ConsumeResult<byte[], byte[]>> Read(string topic, int count, TimeSpan? timeout = null) => ReadTopic(topic, Partitions, count, timeout);

    /// <summary>Reads a topic of <paramref name="partitions"/> partitions, as <see cref="Read"/> does.</summary>
    public List<ConsumeResult<byte[], byte[]>> ReadTopic(string topic, int partitions, int count, TimeSpan? timeout = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = Cluster.BootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<ConsumeResult<byte[], byte[]>>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
            {
                records.Add(result);
            }
        }

        return records;
    }

    /// <summary>The offsets a group has committed on the transactions topic, per partition (-1001 when none).</summary>
    public long[] Committed(string group)
    {
        var config = new ConsumerConfig { BootstrapServers = Cluster.BootstrapServers, GroupId = group, EnableAutoCommit = false };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        return consumer.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topics.Transactions, p)), TimeSpan.FromSeconds(10))
            .OrderBy(o => o.Partition.Value).Select(o => o.Offset.Value).ToArray();
    }

    /// <summary>The end offset of every partition of a topic.</summary>
    public long[] EndOffsets(string topic)
    {
        var config = new ConsumerConfig { BootstrapServers = Cluster.BootstrapServers, GroupId = "test-offsets" };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        return Enumerable.Range(0, Partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value).ToArray();
    }

    public void Dispose() => Cluster.Dispose();
}
