using Vigil.Streams;

namespace Vigil.Tests.Streams;

public sealed class EventTimePacerTests
{
    private const long TicksPerSecond = 1_000_000;

    [Fact]
    public void Records_are_due_at_their_event_time_divided_by_the_speed()
    {
        var pacer = new EventTimePacer(speed: 3600, TicksPerSecond);

        Assert.Equal(0, pacer.TicksUntil(eventTimeMs: 0, nowTicks: 500));
        Assert.Equal(1_000_000, pacer.TicksUntil(eventTimeMs: 3_600_000, nowTicks: 500));
        Assert.Equal(0, pacer.TicksUntil(eventTimeMs: 3_600_000, nowTicks: 1_000_500));
    }

    [Fact]
    public void A_pause_moves_the_schedule_so_that_no_burst_is_owed_for_it()
    {
        var pacer = new EventTimePacer(speed: 3600, TicksPerSecond);
        pacer.TicksUntil(eventTimeMs: 0, nowTicks: 0);

        pacer.Pause(5 * TicksPerSecond);

        // An hour of event time after the start is due a second after the pause ended, not at once.
        Assert.Equal(1_000_000, pacer.TicksUntil(eventTimeMs: 3_600_000, nowTicks: 5 * TicksPerSecond));
        pacer.Pause(-3);
        Assert.Equal(1_000_000, pacer.TicksUntil(eventTimeMs: 3_600_000, nowTicks: 5 * TicksPerSecond));
    }

    [Fact]
    public void A_pause_before_the_first_record_changes_nothing()
    {
        var pacer = new EventTimePacer(speed: 1, TicksPerSecond);

        pacer.Pause(10 * TicksPerSecond);

        Assert.Equal(0, pacer.TicksUntil(eventTimeMs: 42, nowTicks: 7));
        Assert.Equal(TicksPerSecond, pacer.TicksUntil(eventTimeMs: 1_042, nowTicks: 7));
    }
}
