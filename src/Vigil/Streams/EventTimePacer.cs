namespace Vigil.Streams;

/// <summary>Paces a source by its records' event time: real time, or accelerated by a factor.</summary>
/// <remarks>
/// The first record sets the origin; a record with event time t is due when the clock has advanced
/// (t − t₀) / speed since then. Pure arithmetic over a clock the caller reads. A source held back by backpressure
/// catches up at once (every record already due goes), and keeps the schedule from then on.
/// </remarks>
public sealed class EventTimePacer
{
    private readonly double _ticksPerEventMillisecond;
    private long _originEventMs;
    private long _originTicks;
    private bool _started;

    /// <param name="speed">Event time per clock time: 1 is real time, 3600 plays an hour a second.</param>
    /// <param name="ticksPerSecond">The clock's resolution (<see cref="System.Diagnostics.Stopwatch.Frequency"/>).</param>
    public EventTimePacer(double speed, long ticksPerSecond)
    {
        if (!double.IsFinite(speed) || speed <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "The speed must be a positive number.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ticksPerSecond);
        Speed = speed;
        _ticksPerEventMillisecond = ticksPerSecond / 1000.0 / speed;
    }

    public double Speed { get; }

    /// <summary>
    /// Moves the schedule <paramref name="ticks"/> later: event time stood still that long (the source waited at a
    /// barrier), so the records after it are not owed at once as a burst.
    /// </summary>
    public void Pause(long ticks)
    {
        if (_started && ticks > 0)
        {
            _originTicks += ticks;
        }
    }

    /// <summary>Clock ticks from <paramref name="nowTicks"/> until a record of this event time is due; 0 when it is due.</summary>
    public long TicksUntil(long eventTimeMs, long nowTicks)
    {
        if (!_started)
        {
            (_originEventMs, _originTicks, _started) = (eventTimeMs, nowTicks, true);
            return 0;
        }

        var due = _originTicks + ((eventTimeMs - _originEventMs) * _ticksPerEventMillisecond);
        return due <= nowTicks ? 0 : (long)Math.Ceiling(due - nowTicks);
    }
}
