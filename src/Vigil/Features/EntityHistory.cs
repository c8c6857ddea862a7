namespace Vigil.Features;

/// <summary>
/// One entity's recent transactions as a ring of compact events (a 4-byte time, and a 4-byte amount in cents or an
/// 8-byte counterparty where the features need them), with a cursor per window boundary keeping running counts and sums.
/// </summary>
/// <remarks>
/// A sliding window measured to the second cannot be answered exactly from daily buckets: every event crosses every
/// boundary at its own second. So the ring keeps each event of the longest window, and nothing older; a cursor at
/// boundary x points at the first event later than t − x and carries the amounts before it, so a window's count and
/// sum are two subtractions, and moving a cursor costs one step per event that leaves. Fraud labels are kept apart, as
/// a sorted list of the times of the entity's transactions reported as fraud.
/// </remarks>
internal sealed class EntityHistory
{
    private const int InitialCapacity = 4;

    internal uint[] Times;
    internal int[]? Amounts;
    internal long[]? Others;
    internal int Head;
    internal long Base;
    internal long Next;
    internal long TotalCents;
    /// <summary>
    /// The window cursors, packed <see cref="Stride"/> longs each: the sequence number of the first event later than the
    /// boundary; then, where amounts are kept, the sum of the amounts before it (cents); then, where a largest amount is
    /// asked for, the sequence number of the largest amount from the cursor on (-1: unknown) and that amount.
    /// </summary>
    internal long[] Cursors;
    internal readonly int Stride;
    private readonly int _maxAt;
    internal uint[]? Frauds;
    internal int FraudCount;
    internal uint LastTime;

    internal EntityHistory(int boundaries, bool amounts, bool others, bool trackMax, int capacity = InitialCapacity)
    {
        Times = new uint[capacity];
        Amounts = amounts ? new int[capacity] : null;
        Others = others ? new long[capacity] : null;
        _maxAt = amounts ? 2 : 1;
        Stride = _maxAt + (trackMax ? 2 : 0);
        Cursors = new long[boundaries * Stride];
        ClearCursors();
    }

    internal int Boundaries => Cursors.Length / Stride;

    /// <summary>The largest ring a history may keep when its entity is forgotten, to serve the next new entity.</summary>
    internal const int MaxReusedCapacity = 16;

    /// <summary>Empties the history for another entity, keeping its arrays; as new as one just constructed.</summary>
    internal void Reset()
    {
        Head = 0;
        Base = 0;
        Next = 0;
        TotalCents = 0;
        FraudCount = 0;
        LastTime = 0;
        ClearCursors();
    }

    private void ClearCursors()
    {
        Array.Clear(Cursors);
        if (Stride > _maxAt)
        {
            for (var at = _maxAt; at < Cursors.Length; at += Stride)
            {
                Cursors[at] = -1;
            }
        }
    }

    /// <summary>A deep copy, to compute what a transaction would see without changing this history.</summary>
    internal EntityHistory Copy()
    {
        var copy = (EntityHistory)MemberwiseClone();
        copy.Times = (uint[])Times.Clone();
        copy.Amounts = (int[]?)Amounts?.Clone();
        copy.Others = (long[]?)Others?.Clone();
        copy.Cursors = (long[])Cursors.Clone();
        copy.Frauds = (uint[]?)Frauds?.Clone();
        return copy;
    }

    /// <summary>Sequence number of the first event later than boundary <paramref name="b"/>.</summary>
    internal long Seq(int b) => Cursors[b * Stride];

    /// <summary>Sum of the amounts of every event before boundary <paramref name="b"/>'s cursor, in cents.</summary>
    internal long CentsBefore(int b) => Amounts is null ? 0 : Cursors[(b * Stride) + 1];

    /// <summary>The largest amount from boundary <paramref name="b"/>'s cursor on, in cents.</summary>
    internal long MaxCents(int b) => Cursors[(b * Stride) + _maxAt + 1];

    internal int Length => (int)(Next - Base);

    internal int Position(long seq)
    {
        var index = Head + (int)(seq - Base);
        return index >= Times.Length ? index - Times.Length : index;
    }

    internal void Append(uint time, int cents, long other)
    {
        if (Length == Times.Length)
        {
            // Growing by half, not doubling: the ring is most of an entity's bytes, and positions need no power of two.
            Resize(Times.Length + Math.Max(2, Times.Length / 2));
        }

        var at = Position(Next);
        Times[at] = time;
        if (Amounts is not null)
        {
            Amounts[at] = cents;
        }

        if (Others is not null)
        {
            Others[at] = other;
        }

        Next++;
        TotalCents += cents;
        LastTime = time;
    }

    /// <summary>Moves the cursor of boundary <paramref name="b"/> past every event at or before <paramref name="now"/> − <paramref name="offset"/>.</summary>
    internal void Advance(int b, long now, long offset, bool trackMax)
    {
        var limit = now - offset;
        var at = b * Stride;
        var seq = Cursors[at];
        var start = seq;
        long cents = 0;
        while (seq < Next)
        {
            var position = Position(seq);
            if (Times[position] > limit)
            {
                break;
            }

            cents += Amounts is null ? 0 : Amounts[position];
            seq++;
        }

        if (seq == start)
        {
            return;
        }

        Cursors[at] = seq;
        if (Amounts is not null)
        {
            Cursors[at + 1] += cents;
        }

        if (trackMax && Cursors[at + _maxAt] < seq)
        {
            RescanMax(b);
        }
    }

    /// <summary>A new event enters every window that ends now: it may be the new largest amount.</summary>
    internal void OfferMax(int b, int cents, long seq)
    {
        var at = (b * Stride) + _maxAt;
        if (Cursors[at] < Cursors[b * Stride] || cents >= Cursors[at + 1])
        {
            Cursors[at] = seq;
            Cursors[at + 1] = cents;
        }
    }

    /// <summary>
    /// Keeps the latest <paramref name="max"/> events: every cursor before them moves up to the first one kept, so the
    /// oldest leave their windows early, and they are forgotten. Returns how many were dropped.
    /// </summary>
    internal int KeepLatest(int max, ReadOnlySpan<bool> trackMax)
    {
        var first = Next - max;
        if (Base >= first)
        {
            return 0;
        }

        for (var b = 0; b < Boundaries; b++)
        {
            var at = b * Stride;
            var seq = Cursors[at];
            if (seq >= first)
            {
                continue;
            }

            long cents = 0;
            for (; seq < first; seq++)
            {
                cents += Amounts is null ? 0 : Amounts[Position(seq)];
            }

            Cursors[at] = first;
            if (Amounts is not null)
            {
                Cursors[at + 1] += cents;
            }

            if (trackMax[b] && Cursors[at + _maxAt] < first)
            {
                RescanMax(b);
            }
        }

        var dropped = (int)(first - Base);
        DropBefore(first);
        if (FraudCount > max)
        {
            Array.Copy(Frauds!, FraudCount - max, Frauds!, 0, max);
            FraudCount = max;
        }

        return dropped;
    }

    /// <summary>Forgets the events before the oldest cursor: no window reads them any more.</summary>
    internal void DropBefore(long seq)
    {
        var drop = (int)(seq - Base);
        if (drop <= 0)
        {
            return;
        }

        Head += drop;
        if (Head >= Times.Length)
        {
            Head -= Times.Length;
        }

        Base = seq;
        if (Length == 0)
        {
            Head = 0;
        }

        if (Times.Length > InitialCapacity * 2 && Length < Times.Length / 2)
        {
            Resize(Math.Max(InitialCapacity, Length + (Length / 4)));
        }
    }

    internal void AddFraud(uint time)
    {
        Frauds ??= new uint[2];
        if (FraudCount == Frauds.Length)
        {
            Array.Resize(ref Frauds, Frauds.Length * 2);
        }

        var at = CountAtOrBefore(time);
        Array.Copy(Frauds, at, Frauds, at + 1, FraudCount - at);
        Frauds[at] = time;
        FraudCount++;
    }

    /// <summary>Frauds with a time in (<paramref name="after"/>, <paramref name="upTo"/>].</summary>
    internal int FraudsBetween(long after, long upTo) => FraudCount == 0 ? 0 : CountAtOrBefore(upTo) - CountAtOrBefore(after);

    internal void DropFraudsUpTo(long time)
    {
        var drop = FraudCount == 0 ? 0 : CountAtOrBefore(time);
        if (drop > 0)
        {
            Array.Copy(Frauds!, drop, Frauds!, 0, FraudCount - drop);
            FraudCount -= drop;
        }
    }

    /// <summary>Bytes this history holds, arrays and object headers included (64-bit runtime).</summary>
    internal long Bytes()
    {
        const int objectHeader = 16;
        const int arrayHeader = 24;
        long bytes = (objectHeader + (5 * 8) + (3 * 8) + (5 * 4) + 7) / 8 * 8; // five references, three longs, five ints
        bytes += arrayHeader + (Times.Length * 4L);
        bytes += Amounts is null ? 0 : arrayHeader + (Amounts.Length * 4L);
        bytes += Others is null ? 0 : arrayHeader + (Others.Length * 8L);
        bytes += arrayHeader + (Cursors.Length * 8L);
        bytes += Frauds is null ? 0 : arrayHeader + (Frauds.Length * 4L);
        return bytes;
    }

    private int CountAtOrBefore(long time)
    {
        int low = 0, high = FraudCount;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (Frauds![mid] <= time)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private void RescanMax(int b)
    {
        Cursors[(b * Stride) + _maxAt] = -1;
        for (var seq = Seq(b); seq < Next; seq++)
        {
            OfferMax(b, Amounts![Position(seq)], seq);
        }
    }

    private void Resize(int capacity)
    {
        var length = Length;
        Times = Unroll(Times, capacity, length);
        if (Amounts is not null)
        {
            Amounts = Unroll(Amounts, capacity, length);
        }

        if (Others is not null)
        {
            Others = Unroll(Others, capacity, length);
        }

        Head = 0;
    }

    private T[] Unroll<T>(T[] ring, int capacity, int length)
    {
        var copy = new T[capacity];
        var first = Math.Min(length, ring.Length - Head);
        Array.Copy(ring, Head, copy, 0, first);
        Array.Copy(ring, 0, copy, first, length - first);
        return copy;
    }
}
