using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vigil.Alerts;
using Vigil.Cli.Terminal;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Alerts;

/// <summary><c>vigil alert --kafka BROKERS</c>: the Kafka alert loop (<see cref="KafkaAlertFeed"/>) until stopped, then its summary.</summary>
public sealed class AlertRunner(AlertSettings alerts, TopicOptions topics, KafkaOptions kafka, TimeSpan? duration, IAnsiConsole console, Action<string> write)
{
    public async Task<int> RunAsync(CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var logger = new LineLogger(write);
        using var dispatcher = new AlertDispatcher(alerts.Sinks(http, write), new AlertOptions(), logger, alerts.DashboardUrl);
        var feed = new KafkaAlertFeed(new KafkaClients(kafka, logger), topics.Fraud, kafka.GroupId == KafkaOptions.DefaultGroupId ? KafkaAlertFeed.Group : kafka.GroupId);
        console.MarkupLine(Markup.Escape($"Vigil alert · {topics.Fraud} on {kafka.BootstrapServers} · to {string.Join(", ", dispatcher.Channels.Select(c => c.Name))} · Ctrl+C to stop"));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (duration is { } d)
        {
            deadline.CancelAfter(d);
        }

        await feed.RunAsync(dispatcher, deadline.Token);
        AlertSummary.Print(console, dispatcher);
        return 0;
    }
}
