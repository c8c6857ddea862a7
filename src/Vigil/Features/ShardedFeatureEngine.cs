using System.Numerics;
using Vigil.Transactions;

namespace Vigil.Features;

/// <summary>
/// Feature state for concurrent callers, as <c>vigil serve</c> has: the set's features are split by the entity whose
/// history they read, and each entity's are kept by shards, each an engine behind its own lock, chosen by the entity's
/// key. Requests for other customers and terminals then compute in parallel, where one engine behind one lock makes
/// every request wait its turn.
/// </summary>
/// <remarks>
/// A windowed feature reads one entity's history and the transaction itself, so while each entity's transactions
/// arrive in time order, every value equals what one <see cref="FeatureEngine"/> computes. Lateness is a shard's: a
/// transaction older than its shard's latest is computed as of that shard's clock, where one engine would hold it at
/// the latest time of all. Labels are not taken (<c>vigil serve</c> has no label feed), so risks stay 0.
/// </remarks>
public sealed class ShardedFeatureEngine
{
    private readonly Part[] _parts;

    /// <param name="set">The features to compute.</param>
    /// <param name="shards">Shards per entity, rounded up to a power of two; the default is 8 per processor.</param>
    /// <param name="limits">Bounds on the whole state; each shard keeps its share of the entities.</param>
    public ShardedFeatureEngine(FeatureSet set, int shards = 0, FeatureStateLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfNegative(shards);
        Set = set;
        var count = (int)BitOperations.RoundUpToPowerOf2((uint)(shards == 0 ? 8 * Environment.ProcessorCount : shards));
        Limits = (limits ?? FeatureStateLimits.Default).Validated();
        var share = Limits with { MaxEntities = Math.Max(10, Limits.MaxEntities / count) };
        _parts = [.. FeaturePart.Split(set).Select(part => new Part(part, part.Entity == FeatureEntity.Transaction ? 1 : count, share))];
    }

    public FeatureStateLimits Limits { get; }

    /// <summary>Entities forgotten, idle or over the bound.</summary>
    public long Evicted => _parts.Sum(p => p.Sum(e => e.Evicted));

    /// <summary>Transactions that left their entity's windows early, by the bound on transactions per entity.</summary>
    public long Truncated => _parts.Sum(p => p.Sum(e => e.Truncated));

    public FeatureSet Set { get; }

    /// <summary>Shards per entity.</summary>
    public int Shards => _parts[0].Shards;

    /// <summary>Transactions computed.</summary>
    public long Computed => _parts[0].Sum(e => e.Computed);

    /// <summary>Computations held at their shard's clock, one per entity the transaction was late for.</summary>
    public long Late => _parts.Sum(p => p.Sum(e => e.Late));

    /// <summary>Entities with state, as <see cref="FeatureEngine.Entities"/> counts them.</summary>
    public long Entities => _parts.Sum(p => p.Sum(e => e.Entities));

    /// <summary>Computes the features of a decoded transaction into <paramref name="values"/>, and adds it to the state. Thread-safe.</summary>
    /// <param name="timeMs">Event time; the host passes the arrival time for a record that carries none.</param>
    public void Compute(Transaction transaction, long timeMs, Span<double> values)
    {
        var (customer, terminal) = FeatureKeys.Of(transaction);
        Compute(timeMs, customer, terminal, transaction.Amount, values);
    }

    /// <summary>Computes the features of a transaction given by its keys (null: unknown, its features are NaN). Thread-safe.</summary>
    public void Compute(long timeMs, long? customer, long? terminal, double amount, Span<double> values)
    {
        if (values.Length < Set.Count)
        {
            throw new ArgumentException($"{Set.Count} features need {Set.Count} values; the span holds {values.Length}.", nameof(values));
        }

        foreach (var part in _parts)
        {
            part.Compute(timeMs, customer, terminal, amount, values);
        }
    }

    /// <summary>One entity's features: their positions in the whole set, and the shards that keep them.</summary>
    private sealed class Part
    {
        private readonly FeaturePart _part;
        private readonly FeatureEngine[] _engines;
        private readonly Lock[] _locks;
        private readonly int _shift;

        internal Part(FeaturePart part, int shards, FeatureStateLimits limits)
        {
            _part = part;
            _engines = [.. Enumerable.Range(0, shards).Select(_ => new FeatureEngine(part.Set, limits))];
            _locks = [.. Enumerable.Range(0, shards).Select(_ => new Lock())];
            _shift = 64 - BitOperations.Log2((uint)shards);
        }

        internal int Shards => _engines.Length;

        internal long Sum(Func<FeatureEngine, long> counter)
        {
            long sum = 0;
            for (var s = 0; s < _engines.Length; s++)
            {
                lock (_locks[s])
                {
                    sum += counter(_engines[s]);
                }
            }

            return sum;
        }

        internal void Compute(long timeMs, long? customer, long? terminal, double amount, Span<double> values)
        {
            var key = _part.Entity switch
            {
                FeatureEntity.Customer => customer,
                FeatureEntity.Terminal => terminal,
                _ => null,
            };

            // Fibonacci hashing: the top bits of key × 2⁶⁴/φ spread consecutive ids over every shard.
            var shard = key is { } k && _engines.Length > 1 ? (int)(((ulong)k * 0x9E3779B97F4A7C15UL) >> _shift) : 0;
            Span<double> own = stackalloc double[_part.Positions.Count];
            lock (_locks[shard])
            {
                _engines[shard].Compute(timeMs, customer, terminal, amount, own);
            }

            _part.Scatter(own, values);
        }
    }
}
