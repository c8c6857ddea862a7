using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vigil.Alerts;
using Vigil.Cli.Configuration;
using Vigil.Cli.Logging;
using Vigil.Cli.Services;
using Vigil.Web.Metrics;
using Vigil.Web.Operations;
using Vigil.Web.Security;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Alerts;

/// <summary><c>vigil alert --kafka BROKERS</c>: the Kafka alert loop (<see cref="KafkaAlertFeed"/>) until stopped, then its summary.</summary>
public sealed class AlertRunner(AlertSettings alerts, TopicOptions topics, KafkaOptions kafka, TimeSpan? duration, IAnsiConsole console, Action<string> write, LogSettings logging)
{
    /// <summary>Where to serve <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> (<c>--metrics-port</c>); none when null.</summary>
    public (string Host, int Port)? Operations { get; init; }

    /// <summary>The operations port's API keys and HTTPS.</summary>
    public WebSecurity Security { get; init; } = WebSecurity.None;

    /// <summary>The fraud topic's format: Avro decisions are read as JSON.</summary>
    public ValueFormatSettings ValueFormat { get; init; } = ValueFormatSettings.Json;

    public async Task<int> RunAsync(CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var registry = ValueFormat.OpenRegistry();
        var logs = logging.Factory(write);
        using var dispatcher = new AlertDispatcher(alerts.Sinks(http, write), new AlertOptions(), logs.CreateLogger(LogCategories.Alerts), alerts.DashboardUrl);
        var clients = new KafkaClients(kafka, logs.CreateLogger(LogCategories.Kafka)) { Transcoders = ValueFormatSettings.Transcoders(registry, topics) };
        var feed = new KafkaAlertFeed(clients, topics.Fraud, kafka.GroupId == KafkaOptions.DefaultGroupId ? KafkaAlertFeed.Group : kafka.GroupId);
        console.MarkupLine(Markup.Escape($"Vigil alert · {topics.Fraud} on {kafka.BootstrapServers} · to {string.Join(", ", dispatcher.Channels.Select(c => c.Name))} · Ctrl+C to stop"));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (duration is { } d)
        {
            deadline.CancelAfter(d);
        }

        var metrics = new ServiceMetrics("alert");
        AlertMetrics.Add(metrics, dispatcher);
        var (server, failed) = await OperationsPort.StartAsync(Operations, () => deadline.IsCancellationRequested ? Readiness.No("stopping") : Readiness.Yes($"alerting from {topics.Fraud}"),
            Security, metrics, logs, console, deadline.Token);
        if (failed)
        {
            return 1;
        }

        await using var operations = server;

        await feed.RunAsync(dispatcher, deadline.Token);
        AlertSummary.Print(console, dispatcher);
        return 0;
    }
}
