using Vigil.Labels;
using Vigil.Streams;

namespace Vigil.Cases;

/// <summary>
/// A source that remembers the truth of its recent transactions as it reads them (its labels, before any delay), for
/// simulated investigators, who know the truth of a card the day they review it. Keeps <paramref name="horizon"/> of
/// event time; read only from the publisher's own flow (at its barrier), so without locks.
/// </summary>
public sealed class GroundTruth(ITransactionSource inner, TimeSpan horizon) : ITransactionSource
{
    private readonly Dictionary<long, bool> _fraud = [];
    private readonly Queue<(long TimeMs, long Key)> _order = new();
    private readonly long _horizonMs = (long)horizon.TotalMilliseconds;

    public string Description => inner.Description;

    public bool HasLabels => inner.HasLabels;

    public bool HasEventTime => inner.HasEventTime;

    public InvalidRecord? Invalid => inner.Invalid;

    public ReadOnlySpan<byte> Key => inner.Key;

    public ReadOnlySpan<byte> Value => inner.Value;

    public long EventTimeMs => inner.EventTimeMs;

    public ReadOnlySpan<byte> Label => inner.Label;

    public ReadOnlySpan<byte> Identity => inner.Identity;

    /// <summary>Transactions whose truth is remembered.</summary>
    public int Remembered => _fraud.Count;

    /// <summary>Whether the transaction (its id as a join key) was fraud; null when it is not remembered.</summary>
    public bool? IsFraud(long transactionKey) => _fraud.TryGetValue(transactionKey, out var fraud) ? fraud : null;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        if (inner.Invalid is null && !inner.Label.IsEmpty && LabelDecoder.TryDecode(inner.Label, out var label, out _))
        {
            _fraud[label.TransactionKey] = label.IsFraud;
            _order.Enqueue((inner.EventTimeMs, label.TransactionKey));
            while (_order.TryPeek(out var oldest) && oldest.TimeMs < inner.EventTimeMs - _horizonMs)
            {
                _fraud.Remove(_order.Dequeue().Key);
            }
        }

        return true;
    }
}
