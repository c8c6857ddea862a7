using Confluent.Kafka;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Topics;
using TopicPartition = Confluent.Kafka.TopicPartition;

namespace Vigil.Kafka.Bridge;

/// <summary>Copies Kafka topics into embedded topics of the same names, so the dashboard can watch a cluster.</summary>
/// <remarks>
/// Reads every partition from its end as it was when the bridge was created, outside any consumer group, so it
/// takes nothing from the detectors, commits nothing and starts at once. It counts every record it copies.
/// </remarks>
public sealed class KafkaTopicBridge : IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly IValueTranscoder? _transcoder;
    private readonly Dictionary<string, (Topic Topic, TopicProducer Producer)> _targets;
    private readonly Dictionary<string, long> _counts;
    private readonly Lock _countsLock = new();
    private readonly List<TopicPartitionOffset> _start;

    public KafkaTopicBridge(KafkaClients clients, IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(clients);
        Broker = new EmbeddedBroker();
        _targets = topics.Distinct(StringComparer.Ordinal).ToDictionary(
            name => name,
            name =>
            {
                var topic = Broker.CreateTopic(name, partitions: 1);
                return (topic, topic.CreateProducer());
            },
            StringComparer.Ordinal);
        _counts = _targets.Keys.ToDictionary(k => k, _ => 0L, StringComparer.Ordinal);
        _consumer = clients.Consumer("dashboard", $"vigil-dashboard-{Guid.NewGuid():N}", reset: AutoOffsetReset.Latest);
        _transcoder = clients.Transcoders?.Invoke();
        try
        {
            _start = EndOffsets(_consumer, _targets.Keys);
        }
        catch
        {
            _consumer.Dispose();
            throw;
        }
    }

    /// <summary>Holds the embedded copies, one partition each, named as in Kafka.</summary>
    public EmbeddedBroker Broker { get; }

    public Topic this[string kafkaTopic] => _targets[kafkaTopic].Topic;

    /// <summary>Records copied from <paramref name="kafkaTopic"/> so far.</summary>
    public long Count(string kafkaTopic)
    {
        lock (_countsLock)
        {
            return _counts[kafkaTopic];
        }
    }

    /// <summary>Copies until <paramref name="stop"/>, then completes the embedded topics.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.Factory.StartNew(() => Run(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Dispose() => _consumer.Dispose();

    private void Run(CancellationToken stop) => KafkaCopy.Run(_consumer, _start, _targets, samePartition: false, Counted, failing: null, _transcoder, stop);

    private void Counted(string topic)
    {
        lock (_countsLock)
        {
            _counts[topic]++;
        }
    }

    private static List<TopicPartitionOffset> EndOffsets(IConsumer<byte[], byte[]> consumer, IEnumerable<string> topics)
    {
        var timeout = TimeSpan.FromSeconds(30);
        var offsets = new List<TopicPartitionOffset>();
        foreach (var topic in topics)
        {
            try
            {
                offsets.AddRange(KafkaCopy.Partitions(consumer, topic)
                    .Select(p => new TopicPartitionOffset(topic, p, consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), timeout).High)));
            }
            catch (KafkaException e)
            {
                throw new KafkaSetupException($"cannot reach the Kafka cluster to read {topic}: {e.Error.Reason}", e);
            }
        }

        return offsets;
    }
}
