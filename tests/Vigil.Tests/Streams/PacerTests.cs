using Vigil.Streams;

namespace Vigil.Tests.Streams;

public class PacerTests
{
    private const long TicksPerSecond = 1_000_000_000;

    /// <summary>Drives a pacer with a simulated clock that advances in fixed steps, taking all it offers.</summary>
    private static long Run(Pacer pacer, double seconds, long stepTicks, int maxPerTake = int.MaxValue)
    {
        long emitted = 0;
        for (long now = 0; now <= (long)(seconds * TicksPerSecond); now += stepTicks)
        {
            emitted += pacer.Take(now, maxPerTake);
        }

        return emitted;
    }

    [Theory]
    [InlineData(1.0, 10.0)]
    [InlineData(1000.0, 10.0)]
    [InlineData(100_000.0, 10.0)]
    [InlineData(3_000_000.0, 2.0)]
    [InlineData(7.5, 4.0)]
    public void Pacer_holds_the_rate_exactly_over_time(double rate, double seconds)
    {
        var pacer = new Pacer(rate, TicksPerSecond, startTicks: 0);

        var emitted = Run(pacer, seconds, stepTicks: TicksPerSecond / 1000);

        Assert.Equal((long)(rate * seconds), emitted);
    }

    [Fact]
    public void Pacer_is_exact_whatever_the_step_of_the_clock()
    {
        var coarse = Run(new Pacer(100_000, TicksPerSecond, 0), 5, stepTicks: 13_000_017);
        var fine = Run(new Pacer(100_000, TicksPerSecond, 0), 5, stepTicks: 9_973);

        Assert.InRange(coarse, 499_000, 500_000);
        Assert.InRange(fine, 499_990, 500_000);
    }

    [Fact]
    public void Pacer_lets_a_late_source_catch_up_by_one_burst_only()
    {
        var pacer = new Pacer(1000, TicksPerSecond, startTicks: 0, burstSeconds: 0.05);

        // The source was blocked for 10 s; it may now emit 50 records (50 ms of traffic), not 10,000.
        Assert.Equal(50, pacer.Take(10 * TicksPerSecond, int.MaxValue));
        Assert.Equal(0, pacer.Take(10 * TicksPerSecond, int.MaxValue));
        Assert.Equal(1, pacer.Take((10 * TicksPerSecond) + (TicksPerSecond / 1000), int.MaxValue));
    }

    [Fact]
    public void Pacer_never_grants_more_than_asked()
    {
        var pacer = new Pacer(1_000_000, TicksPerSecond, startTicks: 0, burstSeconds: 1);

        Assert.Equal(100, pacer.Take(TicksPerSecond / 10, max: 100));
        Assert.Equal(100, pacer.Take(TicksPerSecond / 10, max: 100));
    }

    [Fact]
    public void Pacer_says_how_long_until_the_next_record()
    {
        var pacer = new Pacer(10, TicksPerSecond, startTicks: 0);

        Assert.Equal(0, pacer.Take(0, int.MaxValue));
        Assert.Equal(TicksPerSecond / 10, pacer.TicksUntilNext(0));
        Assert.Equal(1, pacer.Take(TicksPerSecond / 10, int.MaxValue));
        Assert.Equal(TicksPerSecond / 20, pacer.TicksUntilNext(TicksPerSecond * 3 / 20));
    }

    [Fact]
    public void Unlimited_pacer_grants_everything_at_once()
    {
        Assert.True(Pacer.Unlimited.IsUnlimited);
        Assert.Equal(4096, Pacer.Unlimited.Take(0, 4096));
        Assert.Equal(0, Pacer.Unlimited.TicksUntilNext(0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Pacer_refuses_rates_that_are_not_positive_numbers(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Pacer(rate, TicksPerSecond, 0));
    }
}
