namespace Vigil.Streams;

/// <summary>A token bucket that tells a source how many records it may emit now to hold a target rate.</summary>
/// <remarks>
/// Pure arithmetic over a clock the caller reads, so it is exact at any rate and testable without time
/// passing: after t seconds a source that takes whatever it is offered has emitted floor(rate × t) records.
/// A source that falls behind (backpressure) may catch up by at most <c>burst</c> records, not by its whole debt.
/// </remarks>
public sealed class Pacer
{
    private readonly double _ticksPerRecord;
    private readonly long _burst;
    private double _origin;
    private long _granted;

    private Pacer()
    {
        IsUnlimited = true;
    }

    /// <param name="recordsPerSecond">The target rate, &gt; 0.</param>
    /// <param name="ticksPerSecond">The clock's resolution (<see cref="System.Diagnostics.Stopwatch.Frequency"/>).</param>
    /// <param name="startTicks">The clock's reading when pacing starts.</param>
    /// <param name="burstSeconds">How much backlog, in seconds of traffic, may be caught up at once.</param>
    public Pacer(double recordsPerSecond, long ticksPerSecond, long startTicks, double burstSeconds = 0.05)
    {
        if (!double.IsFinite(recordsPerSecond) || recordsPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(recordsPerSecond), recordsPerSecond, "The rate must be a positive number.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ticksPerSecond);
        RecordsPerSecond = recordsPerSecond;
        _ticksPerRecord = ticksPerSecond / recordsPerSecond;
        _burst = Math.Max(1, (long)(recordsPerSecond * burstSeconds));
        _origin = startTicks;
    }

    /// <summary>A pacer that never holds a source back (<c>--rate max</c>).</summary>
    public static Pacer Unlimited { get; } = new();

    public bool IsUnlimited { get; }

    public double RecordsPerSecond { get; }

    /// <summary>Grants up to <paramref name="max"/> records that are due at <paramref name="nowTicks"/>.</summary>
    public int Take(long nowTicks, int max)
    {
        if (IsUnlimited)
        {
            return max;
        }

        var due = (long)((nowTicks - _origin) / _ticksPerRecord) - _granted;
        if (due > _burst)
        {
            // Forgive the backlog beyond one burst: move the origin forward as if we had been on time.
            _origin += (due - _burst) * _ticksPerRecord;
            due = _burst;
        }

        var granted = (int)Math.Clamp(due, 0, max);
        _granted += granted;
        return granted;
    }

    /// <summary>Ticks from <paramref name="nowTicks"/> until the next record is due (0 when one is due now).</summary>
    public long TicksUntilNext(long nowTicks)
    {
        if (IsUnlimited)
        {
            return 0;
        }

        var nextDue = _origin + ((_granted + 1) * _ticksPerRecord);
        return Math.Max(0, (long)Math.Ceiling(nextDue - nowTicks));
    }
}
