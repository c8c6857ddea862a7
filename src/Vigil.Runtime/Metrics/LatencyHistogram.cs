using System.Numerics;

namespace Vigil.Runtime.Metrics;

/// <summary>A log-linear histogram of durations in nanoseconds (within 6.25 %), recorded without allocating.</summary>
/// <remarks>
/// One writer (a worker) records; readers may take approximate snapshots meanwhile and exact ones after the
/// writer stops. Percentiles report the upper edge of their bucket, so they never understate a latency.
/// </remarks>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 4;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int BucketCount = (64 - SubBucketBits) * SubBuckets + (2 * SubBuckets);

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _max;

    public long Count => Volatile.Read(ref _count);

    public long MaxNanoseconds => Volatile.Read(ref _max);

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        _counts[IndexOf(nanoseconds)]++;
        Volatile.Write(ref _count, _count + 1);
        if (nanoseconds > _max)
        {
            Volatile.Write(ref _max, nanoseconds);
        }
    }

    /// <summary>Adds another histogram's counts to this one (for totals over workers).</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += Volatile.Read(ref other._counts[i]);
        }

        _count += other.Count;
        _max = Math.Max(_max, other.MaxNanoseconds);
    }

    /// <summary>The latency that <paramref name="quantile"/> of recordings do not exceed (0 when empty).</summary>
    public long Percentile(double quantile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1);
        long total = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            total += Volatile.Read(ref _counts[i]);
        }

        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), MaxNanoseconds);
            }
        }

        return MaxNanoseconds;
    }

    /// <summary>
    /// Recordings in each range that <paramref name="bounds"/> (nanoseconds, ascending) divide: counts[j] in
    /// (bounds[j - 1], bounds[j]], the last past every bound. A bucket that straddles a bound counts above it: latency is never understated.
    /// </summary>
    /// <remarks>
    /// Each bucket is read once, so a recording made meanwhile is in one range or not yet in any: read again later,
    /// every range has only grown. (Ranges taken as differences of cumulative counts read one after another would
    /// count such a recording in two.)
    /// </remarks>
    public long[] CountsBetween(IReadOnlyList<long> bounds)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        var counts = new long[bounds.Count + 1];
        var range = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            while (range < bounds.Count && UpperEdge(i) > bounds[range])
            {
                range++;
            }

            counts[range] += Volatile.Read(ref _counts[i]);
        }

        return counts;
    }

    internal static int IndexOf(long value)
    {
        if (value < 2 * SubBuckets)
        {
            return (int)value;
        }

        // Keep the top SubBucketBits+1 bits: the leading one selects the bucket, the rest the sub-bucket.
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - SubBucketBits;
        return (shift * SubBuckets) + (int)(value >> shift);
    }

    internal static long UpperEdge(int index)
    {
        if (index < 2 * SubBuckets)
        {
            return index;
        }

        var shift = (index / SubBuckets) - 1;
        var top = (index % SubBuckets) + SubBuckets;
        return ((long)(top + 1) << shift) - 1;
    }
}
