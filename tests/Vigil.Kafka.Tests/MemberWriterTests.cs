using System.Text;
using Vigil.Kafka.Features;
using Vigil.Kafka.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Tests;

/// <summary>One writer shared by a group member's tasks, through the real client over TCP on the mock cluster.</summary>
public sealed class MemberWriterTests : IDisposable
{
    private readonly MockKafka _kafka = new(partitions: 2);

    [Fact]
    public async Task Every_task_s_records_reach_the_same_partition_of_the_topic_and_each_task_ends_when_its_own_last_batch_is_acknowledged()
    {
        var topic = _kafka.Topics.Repartition;
        await using var writer = new MemberWriter(new KafkaRecordWriter(_kafka.Clients(), topic));
        var first = Output("first", 2);
        var second = Output("second", 2);
        var firstDone = writer.WriteAsync(first.Partitions, replays: null, CancellationToken.None);
        var secondDone = writer.WriteAsync(second.Partitions, replays: null, CancellationToken.None);

        await Append(first.Producer, "a", count: 300);
        await Append(second.Producer, "b", count: 200);
        first.Topic.Complete();
        await firstDone.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(secondDone.IsCompleted, "a task's output ended with another's");
        Assert.All(first.Partitions, p => Assert.Equal(p.Partition.EndOffset, p.CommittedOffset));
        await Append(second.Producer, "b", count: 100, from: 200);
        second.Topic.Complete();
        await secondDone.WaitAsync(TimeSpan.FromSeconds(30));

        var records = _kafka.Read(topic, 600);
        Assert.Equal(600, records.Count);
        Assert.All(records, r => Assert.Equal(Encoding.UTF8.GetString(r.Message.Key).EndsWith('0') ? 0 : 1, r.Partition.Value));
        Assert.Equal(300, records.Count(r => Encoding.UTF8.GetString(r.Message.Key).StartsWith('a')));
        Assert.Equal(600, writer.Delivered);
    }

    [Fact]
    public async Task A_task_that_stops_waiting_is_let_go_and_the_others_go_on()
    {
        await using var writer = new MemberWriter(new KafkaRecordWriter(_kafka.Clients(), _kafka.Topics.Repartition));
        var stopping = Output("stopping", 2);
        var going = Output("going", 2);
        using var abort = new CancellationTokenSource();
        var stopped = writer.WriteAsync(stopping.Partitions, replays: null, abort.Token);
        var goingDone = writer.WriteAsync(going.Partitions, replays: null, CancellationToken.None);
        await Append(stopping.Producer, "s", count: 10);

        await abort.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped.WaitAsync(TimeSpan.FromSeconds(10)));
        await Append(going.Producer, "g", count: 50);
        going.Topic.Complete();
        await goingDone.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(going.Partitions, p => Assert.Equal(p.Partition.EndOffset, p.CommittedOffset));
    }

    [Fact]
    public async Task A_task_still_writing_when_the_member_closes_its_writer_fails_instead_of_waiting_for_ever()
    {
        var writer = new MemberWriter(new KafkaRecordWriter(_kafka.Clients(), _kafka.Topics.Repartition));
        var open = Output("open", 2);
        var done = writer.WriteAsync(open.Partitions, replays: null, CancellationToken.None);

        await writer.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => done.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(Output("late", 2).Partitions, replays: null, CancellationToken.None));
    }

    [Fact]
    public async Task A_writer_whose_tasks_all_ended_closes_at_once()
    {
        var writer = new MemberWriter(new KafkaRecordWriter(_kafka.Clients(), _kafka.Topics.Repartition));
        var ended = Output("ended", 2);
        var done = writer.WriteAsync(ended.Partitions, replays: null, CancellationToken.None);
        await Append(ended.Producer, "e", count: 5);
        ended.Topic.Complete();
        await done.WaitAsync(TimeSpan.FromSeconds(30));

        await writer.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A task's embedded output topic; records keyed ending in 0 go to partition 0, the others to 1.</summary>
    private static (Topic Topic, TopicProducer Producer, IReadOnlyList<Subscription> Partitions) Output(string name, int partitions)
    {
        var topic = new EmbeddedBroker().CreateTopic(name, partitions);
        var subscriptions = topic.Subscribe("kafka-out");
        return (topic, topic.CreateProducer(), subscriptions);
    }

    private static async Task Append(TopicProducer producer, string prefix, int count, int from = 0)
    {
        for (var i = from; i < from + count; i++)
        {
            var key = $"{prefix}{i}";
            producer.Append(key.EndsWith('0') ? 0 : 1, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"value {key}"));
        }

        await producer.FlushAsync();
    }

    public void Dispose() => _kafka.Dispose();
}
