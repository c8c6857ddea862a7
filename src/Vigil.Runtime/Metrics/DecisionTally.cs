using System.Runtime.InteropServices;

namespace Vigil.Runtime.Metrics;

/// <summary>
/// A worker's decisions by score (ten buckets of 0.1) and its dead letters by code, for <c>/metrics</c>. One writer
/// records without allocating (a decision is one increment); readers take approximate counts meanwhile.
/// </summary>
public sealed class DecisionTally
{
    public const int ScoreBuckets = 10;

    private readonly long[] _scores = new long[ScoreBuckets];
    private readonly Dictionary<string, long> _deadLetters = new(StringComparer.Ordinal);

    /// <summary>Counts a decision's score, in [0, 1] (NaN counts as 0).</summary>
    public void Score(double score) => _scores[Bucket(score)]++;

    /// <summary>As <see cref="Score"/>, for a tally that several threads write (the model server's requests).</summary>
    public void ScoreShared(double score) => Interlocked.Increment(ref _scores[Bucket(score)]);

    /// <summary>Counts a dead letter by its <c>vigil.error.code</c> (the rare path: it takes a lock).</summary>
    public void DeadLetter(string code)
    {
        lock (_deadLetters)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_deadLetters, code, out _)++;
        }
    }

    /// <summary>Decisions whose score fell in bucket <paramref name="bucket"/>: [bucket/10, (bucket+1)/10), the last one with 1.</summary>
    public long Scores(int bucket) => Volatile.Read(ref _scores[bucket]);

    /// <summary>
    /// Decisions in each range that <paramref name="bounds"/> (multiples of 0.1, ascending) divide: counts[j] in
    /// (bounds[j - 1], bounds[j]], the last past every bound. Each bucket is read once (as <see cref="LatencyHistogram.CountsBetween"/>).
    /// </summary>
    public long[] ScoresBetween(IReadOnlyList<double> bounds)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        var counts = new long[bounds.Count + 1];
        var range = 0;
        for (var i = 0; i < ScoreBuckets; i++)
        {
            while (range < bounds.Count && (i + 1) / (double)ScoreBuckets > bounds[range] + 1e-9)
            {
                range++;
            }

            counts[range] += Scores(i);
        }

        return counts;
    }

    /// <summary>Dead letters by code, as counted so far.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> DeadLetters()
    {
        lock (_deadLetters)
        {
            return [.. _deadLetters];
        }
    }

    /// <summary>Adds another tally's counts to this one (for totals over workers).</summary>
    public void Add(DecisionTally other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < ScoreBuckets; i++)
        {
            _scores[i] += other.Scores(i);
        }

        foreach (var (code, count) in other.DeadLetters())
        {
            lock (_deadLetters)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(_deadLetters, code, out _) += count;
            }
        }
    }

    private static int Bucket(double score) => score >= 1 ? ScoreBuckets - 1 : score > 0 ? (int)(score * ScoreBuckets) : 0;
}
