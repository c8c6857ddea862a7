using System.Diagnostics;
using Vigil.Streams;

namespace Vigil.Runtime.Sources;

/// <summary>How fast a source publishes: as fast as possible, at a rate, or following its event time.</summary>
public sealed class SourcePacing
{
    private SourcePacing(Pacer rate, double? speed)
    {
        Rate = rate;
        Speed = speed;
    }

    public static SourcePacing Unlimited => new(Pacer.Unlimited, null);

    /// <summary>A token bucket over records.</summary>
    public Pacer Rate { get; }

    /// <summary>Event time per clock time (1 is real time), or null when not paced by event time.</summary>
    public double? Speed { get; }

    public bool IsUnlimited => Rate.IsUnlimited && Speed is null;

    /// <summary>Records per second.</summary>
    public static SourcePacing PerSecond(double rate) => new(new Pacer(rate, Stopwatch.Frequency, Stopwatch.GetTimestamp()), null);

    /// <summary>Event time accelerated by <paramref name="speed"/> (1 is real time).</summary>
    public static SourcePacing ByEventTime(double speed)
    {
        _ = new EventTimePacer(speed, Stopwatch.Frequency);
        return new(Pacer.Unlimited, speed);
    }

    /// <summary>Rate pacing when a rate is given, none for null (<c>--rate max</c>).</summary>
    public static SourcePacing PerSecondOrUnlimited(double? rate) => rate is { } r ? PerSecond(r) : Unlimited;

    public string Describe() => Speed switch
    {
        1 => "in real time",
        { } speed => $"event time ×{speed:N0}",
        null when Rate.IsUnlimited => "as fast as possible",
        _ => $"{Rate.RecordsPerSecond:N0} tx/s",
    };
}
