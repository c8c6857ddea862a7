using System.Threading.Channels;

namespace Vigil.Runtime.Topics;

/// <summary>One consumer group's bounded queue of batches from one partition.</summary>
/// <remarks>
/// The reader must <see cref="Complete(RecordBatch)"/> every batch it takes, which records its progress and
/// releases the batch. Embedded topics are streams, not logs: a subscriber sees what is published after it subscribed.
/// </remarks>
public sealed class Subscription
{
    private readonly Channel<RecordBatch> _queue;
    private long _committedOffset;
    private long _skippedRecords;
    private long _skippedBatches;

    internal Subscription(TopicPartition partition, string group, SubscriptionMode mode, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Partition = partition;
        Group = group;
        Mode = mode;
        Capacity = capacity;
        _queue = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public TopicPartition Partition { get; }

    public string Group { get; }

    public SubscriptionMode Mode { get; }

    /// <summary>How many batches may wait in the queue.</summary>
    public int Capacity { get; }

    public ChannelReader<RecordBatch> Reader => _queue.Reader;

    /// <summary>The offset after the last record this subscriber completed.</summary>
    public long CommittedOffset => Interlocked.Read(ref _committedOffset);

    /// <summary>Records published after subscribing and not yet completed.</summary>
    public long Lag => Math.Max(0, Partition.EndOffset - CommittedOffset);

    /// <summary>Records a sampling subscriber never saw because its queue was full.</summary>
    public long SkippedRecords => Interlocked.Read(ref _skippedRecords);

    public long SkippedBatches => Interlocked.Read(ref _skippedBatches);

    /// <summary>
    /// Hands each batch to <paramref name="handle"/> in order, and completes it (releases its buffer) after, however
    /// the handler ends; returns when the topic has completed and every batch is handled.
    /// </summary>
    public async Task ReadAllAsync(Action<RecordBatch> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var reader = Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var batch))
            {
                try
                {
                    handle(batch);
                }
                finally
                {
                    Complete(batch);
                }
            }
        }
    }

    /// <summary>Marks a batch as processed: advances the committed offset and releases the batch.</summary>
    public void Complete(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Interlocked.Exchange(ref _committedOffset, batch.BaseOffset + batch.Count);
        batch.Release();
    }

    internal void Start(long offset) => _committedOffset = offset;

    /// <summary>Hands a batch to the queue; the caller has already retained it for this subscriber.</summary>
    internal ValueTask DeliverAsync(RecordBatch batch, CancellationToken cancellationToken)
    {
        if (_queue.Writer.TryWrite(batch))
        {
            return ValueTask.CompletedTask;
        }

        if (Mode == SubscriptionMode.Sampling)
        {
            Interlocked.Add(ref _skippedRecords, batch.Count);
            Interlocked.Increment(ref _skippedBatches);
            Interlocked.Exchange(ref _committedOffset, batch.BaseOffset + batch.Count);
            batch.Release();
            return ValueTask.CompletedTask;
        }

        return _queue.Writer.WriteAsync(batch, cancellationToken);
    }

    internal void Close() => _queue.Writer.TryComplete();
}
