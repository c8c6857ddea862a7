using Confluent.Kafka;
using Vigil.Kafka.Configuration;

namespace Vigil.Alerts;

/// <summary>
/// The alert loop on Kafka: a member of a consumer group (<see cref="Group"/> by default) on the fraud topic, offering
/// every record to the dispatcher until stopped. Offsets are committed every second for records handed to the
/// channels, and once more after a stop has drained them, so a restarted member resumes after the last alert sent.
/// </summary>
public sealed class KafkaAlertFeed(KafkaClients clients, string topic, string group)
{
    public const string Group = "vigil-alert";
    private static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs the dispatcher and reads into it until <paramref name="stop"/> (on a thread of its own: the consumer
    /// blocks); then drains the channels, commits and leaves the group.
    /// </summary>
    public async Task RunAsync(AlertDispatcher dispatcher, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        using var consumer = await Task.Run(() => clients.Consumer("alert", group), CancellationToken.None);
        var sending = dispatcher.RunAsync();
        await Task.Factory.StartNew(() => Consume(consumer, dispatcher, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await dispatcher.CompleteAsync(sending);
        Commit(consumer);
        consumer.Close();
    }

    private void Consume(IConsumer<byte[], byte[]> consumer, AlertDispatcher dispatcher, CancellationToken stop)
    {
        consumer.Subscribe(topic);
        var transcoder = clients.Transcoders?.Invoke();
        var lastCommit = DateTime.UtcNow;
        while (!stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message.Value: { } value } result)
            {
                dispatcher.Offer(transcoder?.Reads(result.Topic) == true ? transcoder.ToJson(value) : value);
                consumer.StoreOffset(result);
            }

            if (DateTime.UtcNow - lastCommit >= CommitInterval)
            {
                Commit(consumer);
                lastCommit = DateTime.UtcNow;
            }
        }
    }

    private static void Commit(IConsumer<byte[], byte[]> consumer)
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
        }
    }
}
