using Vigil.Kafka.Native;

namespace Vigil.Kafka.Tests;

public class RepeatedLinesTests
{
    private const string Refused = "127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused (after 0ms in state CONNECT)";

    [Fact]
    public void A_line_librdkafka_repeats_is_shown_once_a_window_then_with_how_often_it_was_passed_over()
    {
        var now = TimeSpan.Zero;
        var lines = new RepeatedLines(TimeSpan.FromSeconds(30), () => now);

        Assert.Equal(Refused, lines.Admit("[thrd:127.0.0.1:9092/bootstrap]: " + Refused));
        Assert.Null(lines.Admit(Refused)); // the error callback's copy of the same event
        for (var i = 0; i < 500; i++)
        {
            now += TimeSpan.FromMilliseconds(50);
            Assert.Null(lines.Admit("[thrd:127.0.0.1:9092/bootstrap]: " + Refused));
        }

        now = TimeSpan.FromSeconds(31);
        Assert.Equal(Refused + " (repeated 501 times in the last 31 s)", lines.Admit(Refused));
        Assert.Null(lines.Admit(Refused));
    }

    [Fact]
    public void Different_lines_are_each_shown_and_a_line_without_a_thread_prefix_is_kept_whole()
    {
        var lines = new RepeatedLines(TimeSpan.FromSeconds(30), () => TimeSpan.Zero);

        Assert.Equal("1/1 brokers are down", lines.Admit("1/1 brokers are down"));
        Assert.Equal("[thrd:app] no closing bracket", lines.Admit("[thrd:app] no closing bracket"));
        Assert.Equal(Refused, lines.Admit("[thrd:main]: " + Refused));
        Assert.Null(lines.Admit(null));
        for (var i = 0; i < 1_000; i++)
        {
            Assert.NotNull(lines.Admit($"line {i}")); // more distinct lines than it keeps: none is lost for that
        }
    }
}
