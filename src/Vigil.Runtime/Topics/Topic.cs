namespace Vigil.Runtime.Topics;

/// <summary>A named, partitioned, in-process stream of records with bounded queues per subscriber.</summary>
public sealed class Topic
{
    private int _completed;
    private long _watermarkMs = long.MinValue;
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Topic(string name, int partitions, BatchPool pool)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        Name = name;
        Pool = pool;
        Partitions = Enumerable.Range(0, partitions).Select(i => new TopicPartition(this, i)).ToArray();
    }

    public string Name { get; }

    public IReadOnlyList<TopicPartition> Partitions { get; }

    public BatchPool Pool { get; }

    public bool IsComplete => Volatile.Read(ref _completed) != 0;

    /// <summary>Records ever published to this topic, over all partitions.</summary>
    public long EndOffset
    {
        get
        {
            long total = 0;
            foreach (var partition in Partitions)
            {
                total += partition.EndOffset;
            }

            return total;
        }
    }

    /// <summary>
    /// Event time (Unix milliseconds) below which every record has been published to every partition, as declared by
    /// a single writer that writes in event-time order; <see cref="long.MinValue"/> when none was declared.
    /// </summary>
    public long WatermarkMs => Interlocked.Read(ref _watermarkMs);

    /// <summary>Completes when the watermark next advances; take it before reading <see cref="WatermarkMs"/> so as to miss no advance.</summary>
    public Task NextWatermark => Volatile.Read(ref _advanced).Task;

    /// <summary>Declares that every record with an event time before <paramref name="eventTimeMs"/> is published; it never moves back.</summary>
    public void AdvanceWatermark(long eventTimeMs)
    {
        var current = Interlocked.Read(ref _watermarkMs);
        while (eventTimeMs > current)
        {
            var seen = Interlocked.CompareExchange(ref _watermarkMs, eventTimeMs, current);
            if (seen == current)
            {
                Interlocked.Exchange(ref _advanced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                return;
            }

            current = seen;
        }
    }

    /// <summary>The partition Kafka's default partitioner would choose for this key.</summary>
    public int PartitionFor(ReadOnlySpan<byte> key) => Murmur2Partitioner.PartitionFor(key, Partitions.Count);

    /// <summary>Subscribes a consumer group to every partition: one queue per partition.</summary>
    public IReadOnlyList<Subscription> Subscribe(string group, SubscriptionMode mode = SubscriptionMode.Blocking, int capacity = 8)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        return Partitions.Select(p => p.Subscribe(group, mode, capacity)).ToArray();
    }

    /// <summary>Declares that nothing more will be published: subscribers drain their queues and finish.</summary>
    public void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            foreach (var partition in Partitions)
            {
                partition.Close();
            }
        }
    }

    public TopicProducer CreateProducer() => new(this);
}
