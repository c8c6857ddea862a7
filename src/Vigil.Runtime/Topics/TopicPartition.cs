using System.Diagnostics.CodeAnalysis;

namespace Vigil.Runtime.Topics;

/// <summary>One ordered stream of a topic: assigns offsets and fans each batch out to its subscriptions.</summary>
[SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim owns no handle unless AvailableWaitHandle is read; it never is.")]
public sealed class TopicPartition
{
    private readonly SemaphoreSlim _publishLock = new(1, 1);
    private Subscription[] _subscriptions = [];
    private long _endOffset;
    private bool _closed;

    internal TopicPartition(Topic topic, int index)
    {
        Topic = topic;
        Index = index;
    }

    public Topic Topic { get; }

    public int Index { get; }

    /// <summary>The offset the next record will get: the number of records ever published here.</summary>
    public long EndOffset => Interlocked.Read(ref _endOffset);

    public IReadOnlyList<Subscription> Subscriptions => Volatile.Read(ref _subscriptions);

    internal Subscription Subscribe(string group, SubscriptionMode mode, int capacity)
    {
        _publishLock.Wait();
        try
        {
            if (_closed)
            {
                throw new InvalidOperationException($"Topic {Topic.Name} is complete; nothing more will be published to subscribe to.");
            }

            var subscription = new Subscription(this, group, mode, capacity);
            subscription.Start(_endOffset);
            _subscriptions = [.. _subscriptions, subscription];
            return subscription;
        }
        finally
        {
            _publishLock.Release();
        }
    }

    /// <summary>
    /// Numbers this partition's records from <paramref name="offset"/> rather than 0, as a copy of a Kafka partition read
    /// from there: offsets then name the same records in both. Only before anything is published or subscribed.
    /// </summary>
    public void StartAt(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (_endOffset != 0 || _subscriptions.Length != 0)
        {
            throw new InvalidOperationException($"Partition {Index} of {Topic.Name} is in use; it can start elsewhere only before it is.");
        }

        _endOffset = offset;
    }

    /// <summary>Publishes a sealed batch: gives it offsets and waits until every blocking subscriber has room.</summary>
    /// <remarks>The publisher's reference is released here: the batch belongs to the topic afterwards.</remarks>
    internal async ValueTask PublishAsync(RecordBatch batch, CancellationToken cancellationToken)
    {
        await _publishLock.WaitAsync(cancellationToken);
        try
        {
            if (_closed)
            {
                throw new InvalidOperationException($"Topic {Topic.Name} is complete; no more records can be published to it.");
            }

            batch.Topic = Topic.Name;
            batch.Partition = Index;
            batch.BaseOffset = _endOffset;
            var subscriptions = _subscriptions;
            batch.Retain(subscriptions.Length);
            foreach (var subscription in subscriptions)
            {
                await subscription.DeliverAsync(batch, cancellationToken);
            }

            Interlocked.Add(ref _endOffset, batch.Count);
        }
        finally
        {
            _publishLock.Release();
            batch.Release();
        }
    }

    internal void Close()
    {
        _publishLock.Wait();
        try
        {
            _closed = true;
            foreach (var subscription in _subscriptions)
            {
                subscription.Close();
            }
        }
        finally
        {
            _publishLock.Release();
        }
    }
}
