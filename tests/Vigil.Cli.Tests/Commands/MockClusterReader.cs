using Confluent.Kafka;
using Vigil.Kafka.Mock;

namespace Vigil.Cli.Tests.Commands;

/// <summary>Reads what a command wrote to a topic of the mock cluster, with a real Kafka consumer.</summary>
internal static class MockClusterReader
{
    /// <summary>Reads every record a topic holds now.</summary>
    public static List<ConsumeResult<byte[], byte[]>> ReadAll(MockCluster cluster, string topic) => Read(cluster, topic, (int)Count(cluster, topic));

    /// <summary>The records a topic holds now.</summary>
    public static long Count(MockCluster cluster, string topic)
    {
        var config = new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "test-" + Guid.NewGuid().ToString("N") };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        return Partitions(cluster, topic).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    /// <summary>Reads <paramref name="count"/> records of a topic from the beginning (30 s at most), and any one more that follows.</summary>
    public static List<ConsumeResult<byte[], byte[]>> Read(MockCluster cluster, string topic, int count)
    {
        var config = new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "test-" + Guid.NewGuid().ToString("N"), EnableAutoCommit = false };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(Partitions(cluster, topic).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<ConsumeResult<byte[], byte[]>>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
            {
                records.Add(result);
            }
        }

        // Nothing more than expected arrives either.
        if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } extra)
        {
            records.Add(extra);
        }

        return records;
    }

    private static IEnumerable<int> Partitions(MockCluster cluster, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).SetLogHandler((_, _) => { }).Build();
        return [.. admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => p.PartitionId)];
    }
}
