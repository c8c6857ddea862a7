using Confluent.Kafka;

namespace Vigil.Kafka.State;

/// <summary>Reads partitions from given offsets up to the ends they had when the read began: the part of a log a restore needs.</summary>
internal static class LogReader
{
    /// <summary>A read that gets nothing for this long while records remain gives up with a clear error.</summary>
    public static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(30);

    /// <summary>Every record of each partition from its start offset up to (not including) its end offset, in each partition's order.</summary>
    /// <param name="what">What the read is for, in the error a stall raises: "restoring features from vigil.features.state".</param>
    public static IEnumerable<ConsumeResult<byte[], byte[]>> Read(
        IConsumer<byte[], byte[]> consumer, IEnumerable<(TopicPartition Partition, long From, long End)> ranges, string what, CancellationToken cancellationToken)
    {
        var ends = new Dictionary<TopicPartition, long>();
        var from = new List<TopicPartitionOffset>();
        foreach (var (partition, start, end) in ranges)
        {
            if (end > start)
            {
                ends[partition] = end;
                from.Add(new TopicPartitionOffset(partition, start));
            }
        }

        if (ends.Count == 0)
        {
            yield break;
        }

        consumer.Assign(from);
        var lastRead = DateTime.UtcNow;
        while (ends.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result?.Message is null)
            {
                if (DateTime.UtcNow - lastRead > StallLimit)
                {
                    throw new KafkaDeliveryException($"{what}: nothing read for {StallLimit.TotalSeconds:0} s with records still to read");
                }

                continue;
            }

            lastRead = DateTime.UtcNow;
            if (!ends.TryGetValue(result.TopicPartition, out var end) || result.Offset.Value >= end)
            {
                continue; // written since the read began (a live topic): past what was asked for
            }

            if (result.Offset.Value + 1 >= end)
            {
                ends.Remove(result.TopicPartition);
                consumer.Pause([result.TopicPartition]);
            }

            yield return result;
        }
    }
}
