using Vigil.Transactions;

namespace Vigil.Features;

/// <summary>
/// Computes a <see cref="FeatureSet"/> for each transaction, in event time, from compact per-entity state that it
/// updates as it goes. The same engine serves <c>vigil features</c> over a file and the streaming pipeline.
/// </summary>
/// <remarks>
/// Pure and single-threaded: one engine per stage, fed transactions in event-time order and labels as they are
/// released. Time is counted in whole seconds (a transaction's milliseconds are dropped), so windows are exact to the
/// second. A transaction older than one already computed is late: its windows are read as of the latest time seen
/// (never reopening the past) and it is counted in <see cref="Late"/>; its time features still use its own time.
/// Entities idle for longer than their longest window plus delay are evicted as event time passes.
/// </remarks>
public sealed partial class FeatureEngine
{
    private const long EvictionEverySeconds = 3600;

    private readonly FeatureSet _set;
    private readonly (int Index, FeatureAggregate Aggregate)[] _transactionFeatures;
    private readonly WindowTable[] _tables;
    private long _sinceEviction;
    private long _nextEviction = long.MinValue;

    public FeatureEngine(FeatureSet set, FeatureStateLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        _set = set;
        Limits = (limits ?? FeatureStateLimits.Default).Validated();
        var indexed = set.Definitions.Select((feature, index) => (Index: index, Feature: feature)).ToList();
        _transactionFeatures = [.. indexed.Where(f => !f.Feature.IsWindowed).Select(f => (f.Index, f.Feature.Aggregate))];
        _tables = [.. indexed
            .Where(f => f.Feature.IsWindowed)
            .GroupBy(f => (f.Feature.Entity, Counterparties: f.Feature.Aggregate is FeatureAggregate.DistinctCounterparties or FeatureAggregate.SameAmountCounterparties))
            .Select(g => new WindowTable(g.Key.Entity, g.Key.Counterparties, [.. g], Limits))];
    }

    public FeatureSet Set => _set;

    public FeatureStateLimits Limits { get; }

    /// <summary>Transactions that left their entity's windows early, by the bound on transactions per entity.</summary>
    public long Truncated
    {
        get
        {
            long truncated = 0;
            foreach (var table in _tables)
            {
                truncated += table.Truncated;
            }

            return truncated;
        }
    }

    /// <summary>The latest event time computed, in Unix seconds (<see cref="long.MinValue"/> before the first).</summary>
    public long Clock { get; private set; } = long.MinValue;

    public long Computed { get; private set; }

    /// <summary>Transactions older than one already computed, computed as of <see cref="Clock"/>.</summary>
    public long Late { get; private set; }

    public long LabelsApplied { get; private set; }

    /// <summary>Fraud labels for a transaction no window can hold any more (its entity idle, evicted or unknown).</summary>
    public long LabelsIgnored { get; private set; }

    public long Evicted { get; private set; }

    /// <summary>Entities with state, per kind of entity (one entity counts once per group of features that keeps state for it).</summary>
    public long Entities
    {
        get
        {
            long entities = 0;
            foreach (var table in _tables)
            {
                entities += table.Histories.Count;
            }

            return entities;
        }
    }

    internal IReadOnlyList<WindowTable> Tables => _tables;

    /// <summary>Computes the features of a decoded transaction into <paramref name="values"/>, and adds it to the state.</summary>
    /// <param name="timeMs">Event time; the host passes the arrival time for a record that carries none.</param>
    public void Compute(Transaction transaction, long timeMs, Span<double> values)
    {
        var (customer, terminal) = FeatureKeys.Of(transaction);
        Compute(timeMs, customer, terminal, transaction.Amount, values);
    }

    /// <summary>
    /// Computes the features a decoded transaction would get now, without adding it to the state: for scoring requests
    /// beside a stream, which must not count as the stream's transactions.
    /// </summary>
    /// <remarks>Not thread-safe, like the rest of the engine: the host serializes it with <see cref="Compute(Transaction, long, Span{double})"/>.</remarks>
    public void Peek(Transaction transaction, long timeMs, Span<double> values)
    {
        var (customer, terminal) = FeatureKeys.Of(transaction);
        Peek(timeMs, customer, terminal, transaction.Amount, values);
    }

    /// <summary>What <see cref="Compute(long, long?, long?, double, Span{double})"/> would write, leaving the state as it was.</summary>
    public void Peek(long timeMs, long? customer, long? terminal, double amount, Span<double> values) =>
        Compute(timeMs, customer, terminal, amount, values, peek: true);

    /// <summary>Computes the features of a transaction given by its keys (null: unknown, its features are NaN).</summary>
    public void Compute(long timeMs, long? customer, long? terminal, double amount, Span<double> values) =>
        Compute(timeMs, customer, terminal, amount, values, peek: false);

    private void Compute(long timeMs, long? customer, long? terminal, double amount, Span<double> values, bool peek)
    {
        if (values.Length < _set.Count)
        {
            throw new ArgumentException($"{_set.Count} features need {_set.Count} values; the span holds {values.Length}.", nameof(values));
        }

        foreach (var (index, aggregate) in _transactionFeatures)
        {
            values[index] = TimeFeature(aggregate, timeMs, amount);
        }

        var seconds = Math.Max(0, FloorDiv(timeMs, 1000L));
        if (seconds < Clock)
        {
            Late += peek ? 0 : 1;
            seconds = Clock;
        }

        if (!peek)
        {
            Clock = seconds;
            Computed++;
        }

        var time = (uint)Math.Min(seconds, uint.MaxValue);
        var cents = (int)Math.Clamp(Math.Round(amount * 100), int.MinValue, int.MaxValue);
        foreach (var table in _tables)
        {
            var (key, other) = table.Entity == FeatureEntity.Customer ? (customer, terminal) : (terminal, customer);
            if (key is null)
            {
                foreach (var index in table.Outputs)
                {
                    values[index] = double.NaN;
                }

                continue;
            }

            if (peek)
            {
                table.Peek(key.Value, time, cents, other ?? 0, values);
            }
            else
            {
                table.Compute(key.Value, time, cents, other ?? 0, values);
                if (table.Histories.Count > table.MaxEntities)
                {
                    Evicted += table.EvictOldest(table.MaxEntities - (table.MaxEntities / 10));
                }
            }
        }

        if (!peek && ++_sinceEviction >= Entities && seconds >= _nextEviction)
        {
            EvictIdle();
        }
    }

    /// <summary>A released label: when fraud, it counts in the risk windows of the transaction's customer and terminal.</summary>
    public void ApplyLabel(long? customer, long? terminal, long transactionTimeMs, bool fraud)
    {
        if (!fraud)
        {
            return;
        }

        var time = (uint)Math.Clamp(FloorDiv(transactionTimeMs, 1000L), 0, uint.MaxValue);
        var applied = false;
        foreach (var table in _tables)
        {
            if (table.ReadsLabels && (table.Entity == FeatureEntity.Customer ? customer : terminal) is { } key)
            {
                applied |= table.ApplyFraud(key, time);
            }
        }

        if (applied)
        {
            LabelsApplied++;
        }
        else
        {
            LabelsIgnored++;
        }
    }

    /// <summary>Forgets every entity whose last transaction has left all its windows as of <see cref="Clock"/>.</summary>
    public void EvictIdle()
    {
        foreach (var table in _tables)
        {
            Evicted += table.EvictIdle(Clock);
        }

        _sinceEviction = 0;
        _nextEviction = Clock + EvictionEverySeconds;
    }

    /// <summary>Bytes of per-entity state: every history's arrays and headers, and its dictionary entry.</summary>
    public long StateBytes()
    {
        const int dictionaryEntry = 24 + 4;
        long bytes = 0;
        foreach (var table in _tables)
        {
            foreach (var history in table.Histories.Values)
            {
                bytes += history.Bytes() + dictionaryEntry;
            }
        }

        return bytes;
    }

    private static long FloorDiv(long value, long divisor) => value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);

    private static double TimeFeature(FeatureAggregate aggregate, long timeMs, double amount)
    {
        const long day = 86_400_000;
        var dayNumber = FloorDiv(timeMs, day);
        var hour = (timeMs - (dayNumber * day)) / 3_600_000;
        var dayOfWeek = (int)(((dayNumber % 7) + 7 + 3) % 7); // 1970-01-01 was a Thursday: Monday 0 … Sunday 6
        return aggregate switch
        {
            FeatureAggregate.Amount => amount,
            FeatureAggregate.Weekend => dayOfWeek >= 5 ? 1 : 0,
            FeatureAggregate.Night => hour <= 6 ? 1 : 0,
            FeatureAggregate.Hour => hour,
            FeatureAggregate.DayOfWeek => dayOfWeek,
            _ => throw new InvalidOperationException($"{aggregate} is not a transaction feature"),
        };
    }
}
