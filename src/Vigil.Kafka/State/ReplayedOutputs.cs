using Confluent.Kafka;
using Vigil.Kafka.Configuration;
using Vigil.Transactions;

namespace Vigil.Kafka.State;

/// <summary>
/// The transactions a dead instance wrote after its last snapshot: its successor computes them again, identically, and
/// marks the second copy (header <see cref="Header"/>) and counts it, so that a consumer downstream can drop it.
/// </summary>
/// <remarks>
/// A snapshot records the output topic's end offsets, which its alignment makes exact (every output before it was
/// acknowledged, none after it written yet). On restore, what the output holds past those offsets came from the dead
/// instance after the snapshot: exactly the records about to be computed again.
/// </remarks>
public sealed class ReplayedOutputs
{
    /// <summary>The header on a record written again after a takeover (value <c>true</c>).</summary>
    public const string Header = "vigil.replayed";

    private readonly HashSet<long> _ids;
    private readonly Lock _lock = new();
    private int _pending;
    private long _replayed;

    private ReplayedOutputs(HashSet<long> ids) => (_ids, _pending) = (ids, ids.Count);

    /// <summary>Nothing to replay (a first start, or a predecessor that wrote nothing after its snapshot).</summary>
    public static ReplayedOutputs None { get; } = new([]);

    /// <summary>Transactions written after the snapshot and not yet met again.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Records met again and marked.</summary>
    public long Replayed => Interlocked.Read(ref _replayed);

    /// <summary>Reads the output topic from where the snapshot left it to its end, and remembers the transactions found there.</summary>
    public static ReplayedOutputs Read(KafkaClients clients, IEnumerable<InputPosition> outputsAtSnapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(outputsAtSnapshot);
        using var consumer = clients.Consumer("replay-scan", "vigil-replay-scan");
        var ranges = outputsAtSnapshot.Select(p =>
        {
            var partition = new TopicPartition(p.Topic, p.Partition);
            return (partition, p.Offset, consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High.Value);
        }).ToList();
        var ids = new HashSet<long>();
        foreach (var result in LogReader.Read(consumer, ranges, "reading what was written after the last snapshot", cancellationToken))
        {
            if (result.Message.Value is { } value && TransactionKey.TryRead(value, out var id))
            {
                ids.Add(id);
            }
        }

        return ids.Count == 0 ? None : new ReplayedOutputs(ids);
    }

    /// <summary>True when this output was already written by the predecessor: mark it. Each transaction is met once; the writers of every partition call it.</summary>
    public bool IsReplay(ReadOnlySpan<byte> value)
    {
        if (Pending == 0 || !TransactionKey.TryRead(value, out var id))
        {
            return false;
        }

        lock (_lock)
        {
            if (!_ids.Remove(id))
            {
                return false;
            }

            _pending = _ids.Count;
            _replayed++;
            return true;
        }
    }
}
