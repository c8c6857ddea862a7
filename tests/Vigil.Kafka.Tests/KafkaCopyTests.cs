using Confluent.Kafka;
using Vigil.Kafka.Bridge;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Tests;

/// <summary>Copying a Kafka topic into the embedded runtime, through the real client over TCP on the mock cluster.</summary>
public sealed class KafkaCopyTests : IDisposable
{
    private readonly MockKafka _kafka = new(partitions: 2);

    [Fact]
    public async Task Records_gone_before_they_were_read_stop_the_copy_with_a_clear_error_and_its_readers_hear_of_it_before_the_copy_ends()
    {
        var topic = _kafka.Topics.Repartition;
        var broker = new EmbeddedBroker();
        var copy = broker.CreateTopic(topic, 2);
        var reader = copy.Subscribe("test")[1];
        var failedFirst = false;
        var failing = false;
        var heard = reader.Reader.Completion.ContinueWith(_ => failedFirst = Volatile.Read(ref failing), TaskScheduler.Default);
        using var consumer = _kafka.Clients().Consumer("copy-test", "copy-test", reset: AutoOffsetReset.Error);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Offset 1,000 of an empty partition is not there: what a task restored from a snapshot meets when the records
        // after its snapshot were deleted (retention), or the topic was made again.
        var error = Assert.Throws<KafkaDeliveryException>(() => KafkaCopy.Run(
            consumer, [new TopicPartitionOffset(topic, 1, 1_000)], new Dictionary<string, (Topic, TopicProducer)> { [topic] = (copy, copy.CreateProducer()) },
            samePartition: true, copied: null, failing: () => Volatile.Write(ref failing, true), transcoder: null, timeout.Token));

        Assert.StartsWith("the records to read next are gone (", error.Message, StringComparison.Ordinal);
        Assert.Contains("retention", error.Message, StringComparison.Ordinal);
        await heard.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(failedFirst, "the copy's readers heard of its end before its failure");
    }

    public void Dispose() => _kafka.Dispose();
}
