using Vigil.Transactions;

namespace Vigil.Runtime.Features;

/// <summary>
/// A stream-stream interval join: each transaction meets the record of a second stream (an IEEE-CIS identity) with
/// the same <c>transaction_id</c> whose <c>timestamp</c> lies within the bound of the transaction's.
/// </summary>
/// <remarks>
/// Second-stream records wait in memory until the watermark passes their time plus the bound; after that no
/// transaction they could join can come, so they expire and are counted. Memory is thus the records of one bound's
/// worth of event time. A transaction whose record has not arrived by the time the watermark releases it is emitted
/// without one (<c>"identity":null</c>) and counted as unmatched: sources publish a transaction's identity before the
/// transaction, so on a replay this happens only to transactions that have none.
/// </remarks>
internal sealed class IntervalJoin(TimeSpan bound)
{
    private readonly long _boundMs = (long)bound.TotalMilliseconds;
    private readonly PriorityQueue<(long Key, long TimeMs), long> _expiry = new();

    /// <summary>Second-stream records waiting for their transaction, by transaction key.</summary>
    public Dictionary<long, (long TimeMs, byte[] Record)> Waiting { get; } = [];

    public long Joined { get; set; }

    public long Unmatched { get; set; }

    public long Expired { get; set; }

    /// <summary>Records without a transaction_id or a timestamp, which cannot be joined.</summary>
    public long Invalid { get; set; }

    public void Add(ReadOnlySpan<byte> record)
    {
        if (!TransactionKey.TryRead(record, out var key) || !Iso8601.TryReadTimestamp(record, out var time))
        {
            Invalid++;
            return;
        }

        Add(key, time, record.ToArray());
    }

    public void Add(long key, long timeMs, byte[] record)
    {
        Waiting[key] = (timeMs, record);
        _expiry.Enqueue((key, timeMs), timeMs + _boundMs);
    }

    /// <summary>The record joined to the transaction <paramref name="key"/> at <paramref name="timeMs"/>, taken out of the join; null when there is none.</summary>
    public byte[]? Match(long key, long timeMs)
    {
        if (Waiting.TryGetValue(key, out var waiting) && Math.Abs(waiting.TimeMs - timeMs) <= _boundMs)
        {
            Waiting.Remove(key);
            Joined++;
            return waiting.Record;
        }

        Unmatched++;
        return null;
    }

    /// <summary>Drops what no transaction at or after <paramref name="watermarkMs"/> can join.</summary>
    public void Expire(long watermarkMs)
    {
        while (_expiry.TryPeek(out var entry, out var expiresAt) && expiresAt < watermarkMs)
        {
            _expiry.Dequeue();
            if (Waiting.TryGetValue(entry.Key, out var waiting) && waiting.TimeMs == entry.TimeMs)
            {
                Waiting.Remove(entry.Key);
                Expired++;
            }
        }
    }
}
