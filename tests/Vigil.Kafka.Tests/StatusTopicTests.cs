using System.Text;
using Confluent.Kafka;
using Vigil.Kafka.Status;
using Vigil.Runtime.Metrics;
using Vigil.Testing;

namespace Vigil.Kafka.Tests;

/// <summary>Instances' reports on the status topic, written and followed through the real client over TCP on a 3-broker mock cluster.</summary>
public sealed class StatusTopicTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly MockKafka _kafka = new(brokers: 3, partitions: 4);

    [Fact]
    public async Task The_board_shows_each_instance_s_latest_report_and_a_stopped_one_as_stopped_without_tasks()
    {
        using var publisher = new StatusPublisher(_kafka.Clients(), _kafka.Topics.Status);
        using var board = new StatusBoard(_kafka.Clients(), _kafka.Topics.Status);
        using var stop = new CancellationTokenSource();
        var following = board.RunAsync(stop.Token);
        var now = DateTimeOffset.UtcNow;

        publisher.Publish(new InstanceStatus("features", "g", "b", now, 10, [new TaskState("1", "restoring", 0, RestoreShare: 0.25)]));
        publisher.Publish(new InstanceStatus("features", "g", "a", now, 20, [new TaskState("0", "running", 5), new TaskState("2", "running", 7)]));
        publisher.Publish(new InstanceStatus("detect", "d", "a", now, 30, [new TaskState("3", "running", 1)]));
        publisher.Publish(new InstanceStatus("features", "g", "b", now, 11, [new TaskState("1", "running", 3, RestoreSeconds: 0.5)]));
        using (var reports = new CancellationTokenSource())
        {
            // The last report of an instance that stops lists no tasks.
            await reports.CancelAsync();
            await publisher.RunAsync(() => new InstanceStatus("detect", "d", "gone", now, 40, [new TaskState("0", "running", 0)]), reports.Token);
        }

        Assert.True(await Eventually.TrueAsync(() => board.Instances.Count == 4 && board.Instances.Single(i => i.Status.Instance == "b").Status.Processed == 11, Timeout));

        var seen = board.Instances;
        Assert.Equal(["detect/d/a", "detect/d/gone", "features/g/a", "features/g/b"], seen.Select(i => i.Status.Key));
        Assert.Equal([new TaskState("0", "running", 5), new TaskState("2", "running", 7)], seen[2].Status.Tasks);
        Assert.Equal([new TaskState("1", "running", 3, RestoreSeconds: 0.5)], seen[3].Status.Tasks);
        Assert.True(seen[1].Status.Stopped);
        Assert.Empty(seen[1].Status.Tasks);
        Assert.All(seen, i => Assert.InRange(i.Silence, TimeSpan.Zero, Timeout));
        Assert.Equal(0, board.Refused);
        Assert.True(await Eventually.TrueAsync(() => publisher.Written == 6, Timeout));
        await stop.CancelAsync();
        await following;
    }

    [Fact]
    public async Task Records_that_are_not_reports_are_counted_and_passed_over_and_the_reports_after_them_still_read()
    {
        // Records over the brokers' 1 MB limit never reach the topic; the reading of a report's size is tested in InstanceStatusJsonTests.
        List<(string Key, byte[] Value)> broken =
        [
            ("features/g/forged", InstanceStatusJson.Encode(new InstanceStatus("features", "g", "other", DateTimeOffset.UtcNow, 1, []))),
            .. BrokenRecords.All.Where(r => r.Value.Length < 512 * 1024).Select(r => ("features/g/x", r.Value)),
        ];
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = _kafka.Cluster.BootstrapServers }).Build())
        {
            foreach (var (key, value) in broken)
            {
                await producer.ProduceAsync(new TopicPartition(_kafka.Topics.Status, 0), new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = value });
            }

            await producer.ProduceAsync(new TopicPartition(_kafka.Topics.Status, 0), new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes("features/g/x"), Value = null! });
        }

        using var publisher = new StatusPublisher(_kafka.Clients(), _kafka.Topics.Status);
        publisher.Publish(new InstanceStatus("features", "g", "x", DateTimeOffset.UtcNow, 9, [new TaskState("0", "running", 0)]));
        using var board = new StatusBoard(_kafka.Clients(), _kafka.Topics.Status);
        using var stop = new CancellationTokenSource();
        var following = board.RunAsync(stop.Token);

        Assert.True(await Eventually.TrueAsync(() => board.Instances.Count == 1, Timeout));

        Assert.Equal("features/g/x", board.Instances[0].Status.Key);
        Assert.True(await Eventually.TrueAsync(() => board.Refused == broken.Count, Timeout), $"{board.Refused} refused of {broken.Count}");
        Assert.Contains(_kafka.Log, line => line.Contains("is not an instance's report (keyed features/g/forged, not features/g/other)", StringComparison.Ordinal));
        Assert.Equal(10, _kafka.Log.Count(line => line.Contains("is not an instance's report", StringComparison.Ordinal))); // the first ten
        await stop.CancelAsync();
        await following;
    }

    [Fact]
    public async Task Instances_silent_past_the_forget_time_are_no_longer_shown_and_stale_history_never_is()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        using var publisher = new StatusPublisher(_kafka.Clients(), _kafka.Topics.Status);
        publisher.Publish(new InstanceStatus("features", "g", "old", time.Now - StatusBoard.Forget - TimeSpan.FromSeconds(1), 1, []));
        publisher.Publish(new InstanceStatus("features", "g", "live", time.Now, 1, []));
        using var board = new StatusBoard(_kafka.Clients(), _kafka.Topics.Status, time);
        using var stop = new CancellationTokenSource();
        var following = board.RunAsync(stop.Token);

        Assert.True(await Eventually.TrueAsync(() => board.Instances.Count == 1, Timeout));
        Assert.Equal("live", board.Instances[0].Status.Instance);

        time.Now += TimeSpan.FromSeconds(30);
        Assert.Equal(TimeSpan.FromSeconds(30), board.Instances[0].Silence);
        time.Now += StatusBoard.Forget;
        Assert.Empty(board.Instances);
        await stop.CancelAsync();
        await following;
    }

    public void Dispose() => _kafka.Dispose();

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;

        public override long GetTimestamp() => Now.UtcTicks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}
