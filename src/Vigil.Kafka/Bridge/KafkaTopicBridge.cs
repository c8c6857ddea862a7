using System.Diagnostics;
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
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(20);

    private readonly IConsumer<byte[], byte[]> _consumer;
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

    private void Run(CancellationToken stop)
    {
        _consumer.Assign(_start);
        var lastPublish = Stopwatch.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (_consumer.Consume(PollTimeout) is { } result && _targets.TryGetValue(result.Topic, out var target))
                {
                    target.Producer.Append(0, result.Message.Key ?? [], result.Message.Value ?? []);
                    lock (_countsLock)
                    {
                        _counts[result.Topic]++;
                    }
                }

                if (Stopwatch.GetElapsedTime(lastPublish) >= PublishEvery)
                {
                    Publish();
                    lastPublish = Stopwatch.GetTimestamp();
                }
            }

            Publish();
            _consumer.Close();
        }
        finally
        {
            foreach (var (topic, _) in _targets.Values)
            {
                topic.Complete();
            }
        }
    }

    private static List<TopicPartitionOffset> EndOffsets(IConsumer<byte[], byte[]> consumer, IEnumerable<string> topics)
    {
        var timeout = TimeSpan.FromSeconds(30);
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var offsets = new List<TopicPartitionOffset>();
        foreach (var topic in topics)
        {
            try
            {
                var metadata = admin.GetMetadata(topic, timeout).Topics.Single();
                if (metadata.Error.IsError)
                {
                    throw new KafkaSetupException($"cannot read topic {topic}: {metadata.Error.Reason}");
                }

                offsets.AddRange(metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId))
                    .Select(p => new TopicPartitionOffset(p, consumer.QueryWatermarkOffsets(p, timeout).High)));
            }
            catch (KafkaException e)
            {
                throw new KafkaSetupException($"cannot reach the Kafka cluster to read {topic}: {e.Error.Reason}", e);
            }
        }

        return offsets;
    }

    private void Publish()
    {
        foreach (var (_, producer) in _targets.Values)
        {
            // The dashboard samples and never holds this back; blocking readers (files, quality) do, on this thread only.
            producer.FlushAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
