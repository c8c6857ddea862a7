using Confluent.Kafka;
using Spectre.Console;
using Vigil.Cli.Terminal;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Alerts;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Alerts;

/// <summary>
/// <c>vigil alert --kafka BROKERS</c>: a member of the <c>vigil-alert</c> group on the fraud topic, sending an alert for
/// every fraud decision until stopped. Offsets are committed every second for records handed to the channels, and
/// once more after a stop has drained them.
/// </summary>
public sealed class AlertRunner(AlertSettings alerts, TopicOptions topics, KafkaOptions kafka, TimeSpan? duration, IAnsiConsole console, Action<string> log)
{
    public const string Group = "vigil-alert";
    private static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(1);

    public async Task<int> RunAsync(CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var dispatcher = new AlertDispatcher(alerts.Sinks(http, log), new AlertOptions(), log, alerts.DashboardUrl);
        var clients = new KafkaClients(kafka, log);
        using var consumer = await Task.Run(() => clients.Consumer("alert", kafka.GroupId == KafkaOptions.DefaultGroupId ? Group : kafka.GroupId), stop);
        console.MarkupLine(Markup.Escape($"Vigil alert · {topics.Fraud} on {kafka.BootstrapServers} · to {string.Join(", ", dispatcher.Channels.Select(c => c.Name))} · Ctrl+C to stop"));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (duration is { } d)
        {
            deadline.CancelAfter(d);
        }

        var sending = dispatcher.RunAsync();
        await Task.Factory.StartNew(() => Consume(consumer, dispatcher, deadline.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await dispatcher.CompleteAsync(sending);
        Commit(consumer);
        consumer.Close();
        AlertSummary.Print(console, dispatcher);
        return 0;
    }

    private void Consume(IConsumer<byte[], byte[]> consumer, AlertDispatcher dispatcher, CancellationToken stop)
    {
        consumer.Subscribe(topics.Fraud);
        var lastCommit = DateTime.UtcNow;
        while (!stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message.Value: { } value } result)
            {
                dispatcher.Offer(value);
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
