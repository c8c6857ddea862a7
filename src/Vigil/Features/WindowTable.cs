namespace Vigil.Features;

/// <summary>The histories of one kind of entity for a group of windowed features that share their events' shape.</summary>
/// <remarks>
/// Features over the same entity share one ring and one cursor per distinct boundary: <c>count(customer, 7d)</c> and
/// <c>avg_amount(customer, 7d)</c> read the same cursor, and a delayed window (t − d − n, t − d] is the difference of the
/// cursors at d + n and d. Boundaries are kept longest first, so the first cursor is the oldest event still needed.
/// </remarks>
internal sealed class WindowTable
{
    private readonly Slot[] _slots;
    private readonly long[] _boundaries;
    private readonly bool[] _trackMax;
    private readonly bool _anyMax;
    private readonly bool _amounts;
    private readonly bool _others;
    private readonly int _maxEvents;
    /// <summary>Forgotten histories kept for reuse, at most this many (a few hundred bytes each).</summary>
    private const int MaxSpareHistories = 4096;

    private readonly Stack<EntityHistory> _spare = new();
    private long[] _scratch = new long[64];

    internal WindowTable(FeatureEntity entity, bool counterparties, IReadOnlyList<(int Index, FeatureDefinition Feature)> features, FeatureStateLimits limits)
    {
        Entity = entity;
        _maxEvents = limits.MaxEventsPerEntity;
        MaxEntities = limits.MaxEntities;
        _others = counterparties;
        _boundaries = [.. features
            .SelectMany(f => f.Feature.Delay > TimeSpan.Zero ? new[] { Seconds(f.Feature.Horizon), Seconds(f.Feature.Delay) } : [Seconds(f.Feature.Horizon)])
            .Distinct()
            .OrderDescending()];
        Horizon = _boundaries[0];
        _amounts = features.Any(f => f.Feature.Aggregate is FeatureAggregate.AverageAmount or FeatureAggregate.MaxAmount
            or FeatureAggregate.SumAmount or FeatureAggregate.SameAmountCounterparties);
        ReadsLabels = features.Any(f => f.Feature.Aggregate == FeatureAggregate.Risk);
        _trackMax = new bool[_boundaries.Length];
        _slots = [.. features.Select(f =>
        {
            var outer = Array.IndexOf(_boundaries, Seconds(f.Feature.Horizon));
            var inner = f.Feature.Delay > TimeSpan.Zero ? Array.IndexOf(_boundaries, Seconds(f.Feature.Delay)) : -1;
            _trackMax[outer] |= f.Feature.Aggregate == FeatureAggregate.MaxAmount;
            return new Slot(f.Index, f.Feature.Aggregate, outer, inner, Seconds(f.Feature.Delay), Seconds(f.Feature.Window));
        })];
        _anyMax = Array.IndexOf(_trackMax, true) >= 0;
        Outputs = [.. _slots.Select(s => s.Index)];
    }

    internal FeatureEntity Entity { get; }

    /// <summary>The longest window plus delay, in seconds.</summary>
    internal long Horizon { get; }

    internal bool ReadsLabels { get; }

    internal int MaxEntities { get; }

    /// <summary>New entities given a forgotten entity's emptied history rather than a new one.</summary>
    internal long Reused { get; private set; }

    /// <summary>Events dropped from windows by the bound on events per entity.</summary>
    internal long Truncated { get; private set; }

    internal Dictionary<long, EntityHistory> Histories { get; } = [];

    internal int Boundaries => _boundaries.Length;

    internal bool HasAmounts => _amounts;

    internal bool HasCounterparties => _others;

    /// <summary>Positions of this table's features among the computed values.</summary>
    internal int[] Outputs { get; }

    internal EntityHistory NewHistory(int capacity = 4) => new(_boundaries.Length, _amounts, _others, _anyMax, capacity);

    /// <summary>Adds the transaction to the entity's history, then writes every feature of this table.</summary>
    internal void Compute(long key, uint time, int cents, long other, Span<double> values)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Histories, key, out _);
        Update(slot ??= Renew(), time, cents, other, values);
    }

    private EntityHistory Renew()
    {
        if (_spare.TryPop(out var spare))
        {
            Reused++;
            return spare;
        }

        return NewHistory();
    }

    /// <summary>Writes every feature of this table as <see cref="Compute"/> would, on a copy of the entity's history.</summary>
    internal void Peek(long key, uint time, int cents, long other, Span<double> values) =>
        Update(Histories.TryGetValue(key, out var history) ? history.Copy() : NewHistory(), time, cents, other, values);

    private void Update(EntityHistory history, uint time, int cents, long other, Span<double> values)
    {
        var seq = history.Next;
        history.Append(time, cents, other);
        for (var b = 0; b < _boundaries.Length; b++)
        {
            if (_trackMax[b])
            {
                history.OfferMax(b, cents, seq);
            }

            history.Advance(b, time, _boundaries[b], _trackMax[b]);
        }

        history.DropBefore(history.Seq(0));
        if (history.Length > _maxEvents)
        {
            Truncated += history.KeepLatest(_maxEvents, _trackMax);
        }

        if (ReadsLabels)
        {
            history.DropFraudsUpTo(time - Horizon);
        }

        foreach (ref readonly var s in _slots.AsSpan())
        {
            values[s.Index] = Value(history, s, time, cents);
        }
    }

    /// <summary>Records that the entity's transaction at <paramref name="time"/> was fraud, if that time is still in a window.</summary>
    internal bool ApplyFraud(long key, uint time)
    {
        if (!Histories.TryGetValue(key, out var history) || time <= (long)history.LastTime - Horizon)
        {
            return false;
        }

        history.AddFraud(time);
        return true;
    }

    /// <summary>Forgets entities whose last transaction left every window by <paramref name="now"/>.</summary>
    internal int EvictIdle(long now)
    {
        var evicted = 0;
        foreach (var (key, history) in Histories)
        {
            if (history.LastTime <= now - Horizon)
            {
                Forget(key, history);
                evicted++;
            }
        }

        return evicted;
    }

    /// <summary>
    /// Forgets the least recently seen entities (by their last transaction's time) until <paramref name="keep"/> remain:
    /// for the bound on entities, a tenth at a time so that the scan is rare.
    /// </summary>
    internal int EvictOldest(int keep)
    {
        var excess = Histories.Count - keep;
        if (excess <= 0)
        {
            return 0;
        }

        var times = new uint[Histories.Count];
        var i = 0;
        foreach (var history in Histories.Values)
        {
            times[i++] = history.LastTime;
        }

        // Entities last seen before the cut go, and as many seen at it as make up the number.
        Array.Sort(times);
        var cut = times[excess - 1];
        var atCut = excess - Array.IndexOf(times, cut);
        var evicted = 0;
        foreach (var (key, history) in Histories)
        {
            if (history.LastTime < cut || (history.LastTime == cut && atCut-- > 0))
            {
                Forget(key, history);
                evicted++;
            }
        }

        return evicted;
    }

    /// <summary>
    /// Drops an entity; its history, if small, is kept for the next new entity. Entities come and go all day (a
    /// terminal and an amount, a customer's day), and a new history for each was a fifth of the pipeline's garbage,
    /// promoted by every collection it lived through.
    /// </summary>
    private void Forget(long key, EntityHistory history)
    {
        Histories.Remove(key);
        if (history.Times.Length <= EntityHistory.MaxReusedCapacity && _spare.Count < MaxSpareHistories)
        {
            history.Reset();
            _spare.Push(history);
        }
    }

    private double Value(EntityHistory history, in Slot slot, uint time, int currentCents)
    {
        var outer = history.Seq(slot.Outer);
        var count = history.Next - outer;
        var cents = history.TotalCents - history.CentsBefore(slot.Outer);
        if (slot.Inner >= 0)
        {
            count -= history.Next - history.Seq(slot.Inner);
            cents -= history.TotalCents - history.CentsBefore(slot.Inner);
        }

        return slot.Aggregate switch
        {
            FeatureAggregate.Count => count,
            FeatureAggregate.SumAmount => cents / 100.0,
            FeatureAggregate.AverageAmount => count == 0 ? 0 : cents / 100.0 / count,
            FeatureAggregate.MaxAmount => history.MaxCents(slot.Outer) / 100.0,
            FeatureAggregate.Risk => count == 0 ? 0 : Math.Min(1, (double)history.FraudsBetween(time - slot.Delay - slot.Window, time - slot.Delay) / count),
            FeatureAggregate.DistinctCounterparties => Distinct(history, outer, matchCents: null),
            FeatureAggregate.SameAmountCounterparties => Distinct(history, outer, currentCents),
            _ => throw new InvalidOperationException($"{slot.Aggregate} is not a windowed aggregate"),
        };
    }

    private int Distinct(EntityHistory history, long from, int? matchCents)
    {
        var length = (int)(history.Next - from);
        if (_scratch.Length < length)
        {
            _scratch = new long[Math.Max(length, _scratch.Length * 2)];
        }

        var found = 0;
        for (var seq = from; seq < history.Next; seq++)
        {
            var at = history.Position(seq);
            if (matchCents is null || history.Amounts![at] == matchCents)
            {
                _scratch[found++] = history.Others![at];
            }
        }

        var others = _scratch.AsSpan(0, found);
        others.Sort();
        var distinct = found == 0 ? 0 : 1;
        for (var i = 1; i < others.Length; i++)
        {
            distinct += others[i] != others[i - 1] ? 1 : 0;
        }

        return distinct;
    }

    private static long Seconds(TimeSpan duration) => (long)duration.TotalSeconds;

    private readonly record struct Slot(int Index, FeatureAggregate Aggregate, int Outer, int Inner, long Delay, long Window);
}
