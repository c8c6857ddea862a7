using Vigil.Streams;

namespace Vigil.Tests.Streams;

public sealed class EventTimePacerTests
{
    private const long TicksPerSecond = 1_000_000_000;

    [Fact]
    public void In_real_time_a_record_is_due_as_long_after_the_first_as_its_event_time_says()
    {
        var pacer = new EventTimePacer(speed: 1, TicksPerSecond);

        Assert.Equal(0, pacer.TicksUntil(eventTimeMs: 10_000, nowTicks: 5));
        Assert.Equal(2 * TicksPerSecond + 5, pacer.TicksUntil(eventTimeMs: 12_000, nowTicks: 0));
        Assert.Equal(0, pacer.TicksUntil(eventTimeMs: 12_000, nowTicks: 2 * TicksPerSecond + 5));
    }

    [Fact]
    public void Accelerated_an_hour_of_event_time_takes_a_second_at_3600()
    {
        var pacer = new EventTimePacer(speed: 3600, TicksPerSecond);
        pacer.TicksUntil(0, 0);

        Assert.Equal(TicksPerSecond, pacer.TicksUntil(eventTimeMs: 3_600_000, nowTicks: 0));
        Assert.Equal(TicksPerSecond / 2, pacer.TicksUntil(eventTimeMs: 3_600_000, nowTicks: TicksPerSecond / 2));
    }

    [Fact]
    public void Records_late_on_the_schedule_are_due_at_once()
    {
        var pacer = new EventTimePacer(speed: 10, TicksPerSecond);
        pacer.TicksUntil(0, 0);

        Assert.Equal(0, pacer.TicksUntil(eventTimeMs: 5_000, nowTicks: 60 * TicksPerSecond));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void The_speed_must_be_positive(double speed) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventTimePacer(speed, TicksPerSecond));

    [Fact]
    public void A_pause_moves_the_schedule_so_that_no_burst_is_owed_for_it()
    {
        var pacer = new EventTimePacer(speed: 3600, TicksPerSecond);
        pacer.TicksUntil(eventTimeMs: 0, nowTicks: 0);

        pacer.Pause(5 * TicksPerSecond);

        // An hour of event time after the start is due a second after the pause ended, not at once.
        Assert.Equal(TicksPerSecond, pacer.TicksUntil(eventTimeMs: 3_600_000, nowTicks: 5 * TicksPerSecond));
        pacer.Pause(-3);
        Assert.Equal(TicksPerSecond, pacer.TicksUntil(eventTimeMs: 3_600_000, nowTicks: 5 * TicksPerSecond));
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
