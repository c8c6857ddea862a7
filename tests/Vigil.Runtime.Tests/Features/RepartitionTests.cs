using Vigil.Features;
using Vigil.Runtime.Features;
using Vigil.Runtime.Topics;
using Vigil.Testing;

namespace Vigil.Runtime.Tests.Features;

/// <summary>The repartition records' identities, and what a restored customer task does not send twice.</summary>
public sealed class RepartitionTests
{
    private const int Tasks = 4;

    [Fact]
    public async Task A_restored_task_sends_none_of_what_its_predecessor_sent_and_everything_else()
    {
        // The predecessor (task 1) sent two transactions and a fraud report; task 2 sent one transaction.
        var (before, beforeRead) = Repartitioned();
        var predecessor = new RepartitionWriter(before.CreateProducer(), 1);
        var other = new RepartitionWriter(before.CreateProducer(), 2);
        predecessor.Write(Held(partition: 1, offset: 10), 1_000, 7, 70, 5.0, [1.0], decoded: true);
        predecessor.Write(Held(partition: 1, offset: 11), 2_000, 8, 80, 6.0, [2.0], decoded: true);
        predecessor.Forward(new FraudReport(true, 500, 1_500, 7, 70), labelPartition: 1, labelOffset: 3);
        other.Write(Held(partition: 2, offset: 12), 1_000, 9, 90, 1.0, [3.0], decoded: true);
        await predecessor.Output.FlushAsync();
        await other.Output.FlushAsync();
        var sent = new SentBefore();
        var found = Values(beforeRead).Count(value => sent.Add(value, source: 1));
        Assert.Equal(3, found);

        // Its successor computes them again, and one more of each kind.
        var (after, afterRead) = Repartitioned();
        var successor = new RepartitionWriter(after.CreateProducer(), 1) { SentBefore = sent };
        successor.Write(Held(partition: 1, offset: 10), 1_000, 7, 70, 5.0, [1.0], decoded: true);
        successor.Write(Held(partition: 1, offset: 11), 2_000, 8, 80, 6.0, [2.0], decoded: true);
        successor.Write(Held(partition: 1, offset: 12), 3_000, 8, 80, 6.0, [2.0], decoded: true); // the same offset as task 2's: another partition
        successor.Forward(new FraudReport(true, 500, 1_500, 7, 70), labelPartition: 1, labelOffset: 3);
        successor.Forward(new FraudReport(true, 600, 1_600, 8, 80), labelPartition: 1, labelOffset: 4);

        await successor.Output.FlushAsync();
        var written = Values(afterRead).ToList();
        Assert.Equal(3, sent.Skipped);
        Assert.Equal(0, sent.Pending);
        Assert.Equal(2, written.Count);
        Assert.Equal(12, new Repartition.TransactionRecord(written.Single(v => Repartition.Kind(v) == Repartition.TransactionKind)).Offset);
        var report = new Repartition.ReportRecord(written.Single(v => Repartition.Kind(v) == Repartition.ReportKind));
        Assert.Equal((1, 4L, 80L), (report.LabelPartition, report.LabelOffset, report.Terminal));
    }

    [Fact]
    public async Task Watermarks_go_to_every_task_once_per_second_of_event_time()
    {
        var (topic, read) = Repartitioned();
        var writer = new RepartitionWriter(topic.CreateProducer(), 0);
        foreach (var watermark in new long[] { 1_000, 1_400, 1_999, 2_000, 2_500, 1_500, long.MaxValue, long.MaxValue })
        {
            writer.Advance(watermark);
        }

        await writer.Output.FlushAsync();
        var sent = Values(read).Where(v => Repartition.Kind(v) == Repartition.WatermarkKind).Select(v => Repartition.Time(v)).ToList();

        // Terminal tasks release whole seconds: 1,400 and 1,999 release nothing 1,000 did not; going back is sent.
        long[] each = [1_000, 2_000, 1_500, long.MaxValue];
        Assert.Equal(each.SelectMany(w => Enumerable.Repeat(w, Tasks)).Order(), sent.Order());
    }

    [Fact]
    public async Task With_an_interval_a_watermark_moving_on_waits_for_it_and_idleness_or_going_back_never_waits()
    {
        var (topic, read) = Repartitioned();
        var writer = new RepartitionWriter(topic.CreateProducer(), 0) { WatermarkInterval = TimeSpan.FromMinutes(10) };
        Assert.Null(writer.WatermarkDue);

        // A task catching up enters a new second with every batch: within the interval only the first goes.
        for (var second = 10; second <= 100; second++)
        {
            writer.Advance(second * 1_000);
        }

        Assert.InRange(writer.WatermarkDue!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        writer.Advance(5_000); // back, before what was sent: goes at once
        writer.Advance(long.MaxValue); // idle: goes at once
        writer.Advance(60_000); // awake again: goes at once
        writer.Advance(61_000); // held back
        await writer.Output.FlushAsync();
        var sent = Values(read).Where(v => Repartition.Kind(v) == Repartition.WatermarkKind).Select(v => Repartition.Time(v)).ToList();

        long[] each = [10_000, 5_000, long.MaxValue, 60_000];
        Assert.Equal(each.SelectMany(w => Enumerable.Repeat(w, Tasks)).Order(), sent.Order());
        Assert.NotNull(writer.WatermarkDue);
    }

    [Fact]
    public async Task A_watermark_held_back_goes_once_the_interval_has_passed()
    {
        var (topic, read) = Repartitioned();
        var writer = new RepartitionWriter(topic.CreateProducer(), 0) { WatermarkInterval = TimeSpan.FromMilliseconds(20) };
        writer.Advance(1_000);
        writer.Advance(2_000);
        writer.Advance(3_500);
        Assert.NotNull(writer.WatermarkDue);

        await Task.Delay(writer.WatermarkDue!.Value + TimeSpan.FromMilliseconds(5));
        writer.Advance(3_500); // the stage's next round, nothing new read
        await writer.Output.FlushAsync();
        var sent = Values(read).Where(v => Repartition.Kind(v) == Repartition.WatermarkKind).Select(v => Repartition.Time(v)).ToList();

        Assert.Equal(new long[] { 1_000, 3_500 }.SelectMany(w => Enumerable.Repeat(w, Tasks)).Order(), sent.Order());
        Assert.Null(writer.WatermarkDue);
    }

    [Fact]
    public void What_a_customer_task_writes_is_well_formed_and_damaged_or_foreign_records_are_not()
    {
        var buffer = new byte[256];
        var watermark = buffer[..Repartition.WriteWatermark(buffer, source: 3, 1_000)].ToArray();
        var report = buffer[..Repartition.WriteReport(buffer, source: 3, 1_000, terminal: 7, 900, labelPartition: 1, labelOffset: 2)].ToArray();
        var transaction = buffer[..Repartition.WriteTransaction(buffer, 3, 1_000, 1, 7, 12.5, 0, 0, 5, [1.0, 2.0], "{}"u8, decoded: true)].ToArray();
        var undecoded = buffer[..Repartition.WriteTransaction(buffer, 3, 1_000, null, null, 0, 0, 0, 6, default, "x"u8, decoded: false)].ToArray();

        Assert.All([watermark, report, transaction, undecoded], v => Assert.True(Repartition.IsWellFormed(v, sources: 4, values: 2)));

        byte[][] broken =
        [
            [],
            watermark[..10],
            report[..^1],
            transaction[..(Repartition.TransactionHeader - 1)],
            transaction[..(Repartition.TransactionHeader + 8)], // two values announced, one there
            [9, .. watermark[1..]], // an unknown kind
            .. BrokenRecords.All.Select(r => r.Value),
        ];
        Assert.All(broken, v => Assert.False(Repartition.IsWellFormed(v, sources: 4, values: 2)));
        Assert.False(Repartition.IsWellFormed(watermark, sources: 3, values: 2)); // a writer that does not exist
        Assert.False(Repartition.IsWellFormed(transaction, sources: 4, values: 3)); // values of another feature set
    }

    [Fact]
    public void Records_too_short_or_of_another_kind_are_not_taken_for_sent_ones()
    {
        var sent = new SentBefore();

        Assert.False(sent.Add([], source: 0));
        Assert.False(sent.Add([Repartition.TransactionKind, 0, 0], source: 0));
        Assert.False(sent.Add([9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], source: 0));
        Assert.Equal(0, sent.Pending);
    }

    private static HeldRecord Held(int partition, long offset) =>
        new HeldRecordPool().Copy("k"u8, """{"transaction_id":1}"""u8, partition, offset, hasTime: true, entered: 0);

    /// <summary>A repartition topic, subscribed before anything is written to it.</summary>
    private static (Topic Topic, IReadOnlyList<Subscription> Read) Repartitioned()
    {
        var topic = new EmbeddedBroker().CreateTopic("repartition", Tasks);
        return (topic, topic.Subscribe("test", SubscriptionMode.Blocking, capacity: 64));
    }

    private static IEnumerable<byte[]> Values(IReadOnlyList<Subscription> subscriptions)
    {
        foreach (var subscription in subscriptions)
        {
            while (subscription.Reader.TryRead(out var batch))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    yield return batch.Value(i).ToArray();
                }
            }
        }
    }
}
