using System.Diagnostics;
using Confluent.Kafka;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Bridge;

/// <summary>Copies Kafka partitions into embedded topics: the loop the dashboard's bridge and the Kafka feature stage share.</summary>
internal static class KafkaCopy
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// A reader of every partition of a control topic (rules, status), outside any consumer group so that each reader
    /// sees every record; the caller assigns it from where it wants. A topic that cannot be read is a setup error.
    /// </summary>
    public static (IConsumer<byte[], byte[]> Consumer, List<int> Partitions) Follower(KafkaClients clients, string purpose, string topic)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var consumer = clients.Consumer(purpose, $"vigil-{purpose}-{Guid.NewGuid():N}");
        try
        {
            return (consumer, Partitions(consumer, topic));
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    /// <summary>The partition numbers of <paramref name="topic"/>, in order; a topic that cannot be read is a setup error.</summary>
    public static List<int> Partitions(IConsumer<byte[], byte[]> consumer, string topic)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        try
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics.Single();
            if (metadata.Error.IsError || metadata.Partitions.Count == 0)
            {
                throw new KafkaSetupException($"cannot read topic {topic}: {(metadata.Error.IsError ? metadata.Error.Reason : "it has no partitions")}");
            }

            return [.. metadata.Partitions.Select(p => p.PartitionId).Order()];
        }
        catch (KafkaException e)
        {
            throw new KafkaSetupException($"cannot reach the Kafka cluster to read {topic}: {e.Error.Reason}", e);
        }
    }

    /// <summary>
    /// Reads from <paramref name="start"/> until <paramref name="stop"/>, appending each record to its topic's copy (on
    /// the same partition, or on partition 0 when <paramref name="samePartition"/> is unset; as JSON through
    /// <paramref name="transcoder"/> when there is one) and publishing every 20 ms;
    /// then completes the copies. <paramref name="copied"/> hears of each record copied. <paramref name="abandon"/> gives up
    /// waiting for readers that stopped reading (a halted task): what was not published then is dropped.
    /// <paramref name="failing"/> hears that the read failed before the copies complete, so that their readers can stop
    /// rather than take the end of the copies for the end of the input.
    /// </summary>
    /// <exception cref="KafkaDeliveryException">The records to read next are gone (with a consumer whose offset reset is an error).</exception>
    public static void Run(
        IConsumer<byte[], byte[]> consumer, IEnumerable<TopicPartitionOffset> start, IReadOnlyDictionary<string, (Topic Topic, TopicProducer Producer)> targets,
        bool samePartition, Action<string>? copied, Action? failing, IValueTranscoder? transcoder, CancellationToken stop, CancellationToken abandon = default)
    {
        consumer.Assign(start);
        var lastPublish = Stopwatch.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (consumer.Consume(PollTimeout) is { } result && targets.TryGetValue(result.Topic, out var target))
                {
                    var value = result.Message.Value ?? [];
                    target.Producer.Append(
                        samePartition ? result.Partition.Value : 0, result.Message.Key ?? [], transcoder?.Reads(result.Topic) == true ? transcoder.ToJson(value) : value);
                    copied?.Invoke(result.Topic);
                }

                if (Stopwatch.GetElapsedTime(lastPublish) >= PublishEvery)
                {
                    Publish(targets, abandon);
                    lastPublish = Stopwatch.GetTimestamp();
                }
            }

            Publish(targets, abandon);
            consumer.Close();
        }
        catch (ConsumeException e) when (e.Error.Code == ErrorCode.Local_AutoOffsetReset)
        {
            failing?.Invoke();
            throw new KafkaDeliveryException(
                $"the records to read next are gone ({e.Error.Reason}): the topic's retention overtook the reader, or the topic was deleted and made " +
                "again. Computing on without them would give wrong windows; keep internal topics longer (retention.ms=-1 for the repartition topic), or start afresh", e);
        }
        catch
        {
            failing?.Invoke();
            throw;
        }
        finally
        {
            foreach (var (topic, _) in targets.Values)
            {
                topic.Complete();
            }
        }
    }

    private static void Publish(IReadOnlyDictionary<string, (Topic Topic, TopicProducer Producer)> targets, CancellationToken abandon)
    {
        foreach (var (_, producer) in targets.Values)
        {
            try
            {
                // Blocking readers hold this back, on this thread only; the dashboard samples and never does.
                producer.FlushAsync(all: true, abandon).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
