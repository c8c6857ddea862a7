using Confluent.Kafka;

namespace Vigil.Kafka.Detection;

/// <summary>Knows which input offsets may be committed: those whose outputs every broker has acknowledged.</summary>
/// <remarks>
/// Consumed records are grouped into windows (a few milliseconds of traffic). A window is done when every output
/// it produced is acknowledged; windows complete in order, and a done window makes the highest offset it holds per
/// partition committable. Acknowledgements arrive on librdkafka's thread and only count down; everything else
/// happens on the consuming thread. Each window needs one delegate, not one per record.
/// </remarks>
internal sealed class DeliveryTracker
{
    private readonly Queue<Window> _sealed = new();
    private readonly Dictionary<TopicPartition, long> _committable = [];
    private Window _open;
    private Error? _failure;
    private long _delivered;

    public DeliveryTracker() => _open = new Window(this);

    /// <summary>The delivery handler to give the producer for outputs of records tracked now.</summary>
    public Action<DeliveryReport<byte[], byte[]>> Handler => _open.Handler;

    /// <summary>Records tracked in the open window.</summary>
    public int OpenCount => _open.Count;

    /// <summary>Windows waiting for acknowledgements, open one included.</summary>
    public int Pending => _sealed.Count + (_open.Count > 0 ? 1 : 0);

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>The first delivery the brokers refused after librdkafka's retries; null while all is well.</summary>
    public Error? Failure => Volatile.Read(ref _failure);

    /// <summary>The next offset to commit per partition (Kafka commits the offset of the next record to read).</summary>
    public IReadOnlyDictionary<TopicPartition, long> Committable => _committable;

    /// <summary>Counts one output to be acknowledged for the record at <paramref name="offset"/>; call before producing it.</summary>
    public void Track(TopicPartition partition, long offset) => _open.Add(partition, offset);

    /// <summary>Closes the open window; later records start a new one.</summary>
    public void Seal()
    {
        if (_open.Count == 0)
        {
            return;
        }

        _open.Seal();
        _sealed.Enqueue(_open);
        _open = new Window(this);
    }

    /// <summary>Moves done windows into <see cref="Committable"/>; true when something new may be committed.</summary>
    public bool Advance()
    {
        var advanced = false;
        while (_sealed.TryPeek(out var head) && head.IsDone)
        {
            foreach (var (partition, offset) in head.Offsets)
            {
                _committable[partition] = offset + 1;
            }

            _sealed.Dequeue();
            advanced = true;
        }

        return advanced;
    }

    /// <summary>Forgets partitions this instance no longer owns (after a rebalance).</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _committable.Remove(partition);
        }
    }

    private void OnDelivered(Error error)
    {
        if (error.IsError)
        {
            Interlocked.CompareExchange(ref _failure, error, null);
        }
        else
        {
            Interlocked.Increment(ref _delivered);
        }
    }

    private sealed class Window
    {
        private readonly DeliveryTracker _tracker;
        private int _unacknowledged;
        private volatile bool _sealed;

        public Window(DeliveryTracker tracker)
        {
            _tracker = tracker;
            Handler = report =>
            {
                _tracker.OnDelivered(report.Error);
                if (!report.Error.IsError)
                {
                    Interlocked.Decrement(ref _unacknowledged);
                }
            };
        }

        public Action<DeliveryReport<byte[], byte[]>> Handler { get; }

        public Dictionary<TopicPartition, long> Offsets { get; } = [];

        public int Count { get; private set; }

        /// <summary>Sealed and every output acknowledged. A refused output keeps its window, and all later ones, open.</summary>
        public bool IsDone => _sealed && Volatile.Read(ref _unacknowledged) == 0;

        public void Add(TopicPartition partition, long offset)
        {
            Interlocked.Increment(ref _unacknowledged);
            Offsets[partition] = offset;
            Count++;
        }

        public void Seal() => _sealed = true;
    }
}
