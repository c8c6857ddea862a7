namespace Vigil.Kafka.Detection;

/// <summary>Knows which input offsets may be committed: those whose outputs the brokers have acknowledged.</summary>
/// <remarks>
/// Consumed records are grouped into numbered windows (a few milliseconds of traffic); each output is produced with
/// its window's number, which comes back in its delivery report. A window is done when every output it produced is
/// acknowledged; windows complete in order, and a done window makes the highest offset it holds per partition
/// committable. A refused output keeps its window, and every later one, from completing. Everything here happens on
/// the consuming thread (delivery reports are served there), so nothing is locked.
/// </remarks>
internal sealed class DeliveryTracker
{
    private readonly Queue<Window> _sealed = new();
    private readonly Dictionary<long, Window> _byNumber = [];
    private readonly Dictionary<int, long> _committable = [];
    private Window _open;

    public DeliveryTracker() => _open = Open(1);

    /// <summary>The number to produce the outputs of records tracked now with.</summary>
    public long OpenNumber => _open.Number;

    /// <summary>Records tracked in the open window.</summary>
    public int OpenCount => _open.Count;

    /// <summary>Windows waiting for acknowledgements, open one included.</summary>
    public int Pending => _sealed.Count + (_open.Count > 0 ? 1 : 0);

    public long Delivered { get; private set; }

    /// <summary>librdkafka's error code for the first output the brokers refused; 0 while all is well.</summary>
    public int Failure { get; private set; }

    /// <summary>The next offset to commit per partition (Kafka commits the offset of the next record to read).</summary>
    public IReadOnlyDictionary<int, long> Committable => _committable;

    /// <summary>Counts one output to be acknowledged for the record at <paramref name="offset"/>; call before producing it.</summary>
    public void Track(int partition, long offset) => _open.Add(partition, offset);

    /// <summary>A delivery report: the output produced with window <paramref name="number"/> arrived, or failed.</summary>
    public void OnDelivered(long number, int error)
    {
        if (error != 0)
        {
            Failure = Failure == 0 ? error : Failure;
            return;
        }

        Delivered++;
        if (_byNumber.TryGetValue(number, out var window))
        {
            window.Unacknowledged--;
        }
    }

    /// <summary>Closes the open window; later records start a new one.</summary>
    public void Seal()
    {
        if (_open.Count == 0)
        {
            return;
        }

        _open.IsSealed = true;
        _sealed.Enqueue(_open);
        _open = Open(_open.Number + 1);
    }

    /// <summary>Moves done windows into <see cref="Committable"/>; true when something new may be committed.</summary>
    public bool Advance()
    {
        var advanced = false;
        while (_sealed.TryPeek(out var head) && head.IsSealed && head.Unacknowledged == 0)
        {
            foreach (var (partition, offset) in head.Offsets)
            {
                _committable[partition] = offset + 1;
            }

            _sealed.Dequeue();
            _byNumber.Remove(head.Number);
            advanced = true;
        }

        return advanced;
    }

    /// <summary>Forgets partitions this instance no longer owns (after a rebalance).</summary>
    public void Forget(IEnumerable<int> partitions)
    {
        foreach (var partition in partitions)
        {
            _committable.Remove(partition);
        }
    }

    private Window Open(long number)
    {
        var window = new Window(number);
        _byNumber.Add(number, window);
        return window;
    }

    private sealed class Window(long number)
    {
        public long Number { get; } = number;

        public Dictionary<int, long> Offsets { get; } = [];

        public int Count { get; private set; }

        public int Unacknowledged { get; set; }

        public bool IsSealed { get; set; }

        public void Add(int partition, long offset)
        {
            Unacknowledged++;
            Offsets[partition] = offset;
            Count++;
        }
    }
}
