using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Spectre.Console;
using Vigil.Cli.Logging;
using Vigil.Cli.Configuration;
using Vigil.Hosting.Services;
using Vigil.Kafka;
using Vigil.Kafka.Bridge;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Status;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Quality;
using Vigil.Web.Metrics;

namespace Vigil.Cli.Services;

/// <summary>
/// <c>vigil dashboard --kafka</c>: the live dashboard over a cluster's output topics, until stopped, with detection
/// quality from the labels topic. It reads from the topics' ends as they are at start, so labels of transactions
/// decided before it started find no decision (they count as awaiting one, and expire). Latency is what the
/// detectors measured, as each decided record carries it.
/// </summary>
public sealed class DashboardRunner(VigilSettings settings, KafkaOptions kafka, IAnsiConsole console, ILoggerFactory logs)
{
    /// <summary>The Kafka clients' lines.</summary>
    private readonly ILogger _log = logs.CreateLogger(LogCategories.Kafka);

    /// <summary>The topics' format: Avro decisions and labels are read as JSON.</summary>
    public ValueFormatSettings ValueFormat { get; init; } = ValueFormatSettings.Json;

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var topics = settings.Topics;
        using var registry = ValueFormat.OpenRegistry();
        var clients = new KafkaClients(kafka, _log) { Transcoders = ValueFormatSettings.Transcoders(registry, topics) };
        using var bridge = await ClusterSetup.MakeAsync(
            () => new KafkaTopicBridge(clients, [topics.Legit, topics.Fraud, topics.DeadLetter, topics.Labels]), "vigil dashboard", kafka.BootstrapServers, console, stop);
        if (bridge is null)
        {
            return 1;
        }

        var quality = new QualityMonitor(bridge[topics.Legit], bridge[topics.Fraud], bridge[topics.Labels], settings.Quality.MaxPending);
        var latency = new DecidedLatency(bridge[topics.Legit], bridge[topics.Fraud]);
        using var board = await Task.Run(() => FollowStatus(topics.Status));
        var clock = Stopwatch.StartNew();
        PipelineStatus Status()
        {
            var (p50, p99, max) = latency.Nanoseconds;
            return new(clock.Elapsed, 0, bridge.Count(topics.Legit), bridge.Count(topics.Fraud), bridge.Count(topics.DeadLetter), 0, p50, p99, max)
            {
                Quality = bridge.Count(topics.Labels) > 0 ? quality.Snapshot() : null,
                Instances = board?.Instances,
            };
        }

        var metrics = new ServiceMetrics("dashboard");
        PipelineMetrics.Add(metrics, Status, topics, input: null);
        var dashboard = await DashboardHosting.StartAsync(settings.Dashboard, bridge[topics.Legit], bridge[topics.Fraud], Status, console, logs, metrics, scorer: null, stop);
        if (dashboard is not { } running)
        {
            return 1;
        }

        console.MarkupLine($"[bold]Vigil dashboard[/] · {Markup.Escape(topics.Legit)} and {Markup.Escape(topics.Fraud)} on {Markup.Escape(kafka.BootstrapServers)}");
        console.MarkupLine($"dashboard: [link]{running.Server.Address}[/] · {Markup.Escape(settings.Dashboard.Security.Describe())} · Ctrl+C to stop");
        var host = PipelineHost.CreateBuilder(logs);
        // The readers end when the bridge, stopped, completes the topics they read.
        host.Services.AddServiceRun(
            bridged => Task.WhenAll(bridge.RunAsync(bridged), running.Feed.RunAsync(CancellationToken.None), quality.RunAsync(), latency.RunAsync()), stop);
        if (board is not null)
        {
            host.Services.AddLoop(board.RunAsync);
        }

        try
        {
            await host.RunServiceAsync();
        }
        finally
        {
            await DashboardHosting.StopAsync(running.Server);
        }

        return 0;
    }

    /// <summary>Follows the services' reports, or says in one line why the dashboard goes on without them.</summary>
    private StatusBoard? FollowStatus(string topic)
    {
        try
        {
            return new StatusBoard(new KafkaClients(kafka, _log), topic);
        }
        catch (KafkaSetupException e)
        {
            console.MarkupLine($"[yellow]vigil: {Markup.Escape(e.Message)}: the instances of vigil features and vigil detect and their tasks are not shown (vigil kafka mock makes {Markup.Escape(topic)})[/]");
            return null;
        }
    }
}
