using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Logging;
using Vigil.Cli.Demo;
using Vigil.Cli.Models;
using Vigil.Cli.Rules;
using Vigil.Cli.Terminal;
using Vigil.Features;
using Vigil.Web.Metrics;
using Vigil.Web.Operations;
using Vigil.Hosting.Services;
using Vigil.Kafka;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Detection;
using Vigil.Kafka.Native;
using Vigil.Kafka.Status;
using Vigil.Rules;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Rules;

namespace Vigil.Cli.Services;

/// <summary>
/// <c>vigil detect --kafka</c>: one member of the detectors' consumer group, until stopped, hosted with
/// Microsoft.Extensions.Hosting: the detector is the service's run; the model and rules watchers and the rules topic's
/// follower are loops beside it.
/// </summary>
public sealed class DetectRunner(VigilSettings settings, KafkaOptions kafka, IAnsiConsole console, bool live, Action<string> report)
{
    private readonly StatusView _view = new(console, live, DemoRunner.StatusLineInterval);

    /// <summary>Whether to follow the rules control topic (<c>--rules-topic</c>).</summary>
    public bool FollowRulesTopic { get; init; }

    /// <summary>Verifies each rule set on the control topic; null takes them unsigned (<c>--unsigned-rules</c>).</summary>
    public RuleSignature? RulesSignature { get; init; }

    /// <summary>The records' format on the topics; JSON by default.</summary>
    public ValueFormatSettings ValueFormat { get; init; } = ValueFormatSettings.Json;

    /// <summary>Where the detector's spans go; off by default.</summary>
    public TracingSettings Tracing { get; init; } = TracingSettings.Off;

    /// <summary>Where to serve <c>/healthz</c> and <c>/readyz</c> (<c>--metrics-host</c>, <c>--metrics-port</c>); none when null.</summary>
    public (string Host, int Port)? Operations { get; init; }

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var logs = settings.Logs.Factory(_view.Log(report));
        var log = logs.CreateLogger(LogCategories.Kafka);
        var models = ModelFiles.Open(settings.Detector, settings.Onnx);
        var features = settings.Topics.Transactions == settings.Topics.Featured ? settings.Features.Set : FeatureSet.None;
        var ruleFiles = RuleFiles.Open(settings.Detector.Rules, settings.Detector.AmountThreshold ?? RuleSet.SeedAmountThreshold, settings.Detector.AmountThreshold is not null, features);
        var rules = ruleFiles.Initial;
        if (models is not null && !models.FeaturesFor(FeatureSet.None).IsEmpty && settings.Topics.Transactions != settings.Topics.Featured)
        {
            throw new UsageException($"the model reads features: run 'vigil features --kafka' in front and decide its output with --input {settings.Topics.Featured}");
        }

        // --duration counts from the start: a cluster that does not answer does not hold the command past it.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (settings.Duration is { } duration)
        {
            deadline.CancelAfter(duration);
        }

        using var registry = ValueFormat.OpenRegistry();
        KafkaDetector started;
        try
        {
            started = await Task.Run(() => new KafkaDetector(
                new KafkaClients(kafka, log), settings.Topics, rules, settings.Pipeline.MaxRecordBytes, ValueFormatSettings.Codec(registry, settings.Topics, settings.Pipeline.MaxRecordBytes), deadline.Token)
            {
                Models = models?.Current,
            });
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine($"[red]vigil detect stopped ({(stop.IsCancellationRequested ? "signal" : "duration reached")}) before the Kafka cluster at {Markup.Escape(kafka.BootstrapServers)} answered; nothing was read[/]");
            return 1;
        }

        using var detector = started;
        using var tracing = Tracing.Start("vigil-detect");
        var liveRules = new LiveRules(rules, features, r => detector.Rules = r, logs.CreateLogger(LogCategories.Rules));
        using var follower = FollowRulesTopic ? await Task.Run(() => Follow(liveRules, log)) : null;

        console.MarkupLine($"[bold]Vigil detect[/] · {Markup.Escape(settings.Topics.Transactions)} on {Markup.Escape(kafka.BootstrapServers)} · group {Markup.Escape(kafka.GroupId)} · [bold]{Markup.Escape(follower is null ? ruleFiles.Describe() : $"rules {liveRules.Current.Version} from {settings.Topics.Rules}")}[/]{Markup.Escape(models is null ? string.Empty : $" · model {models.Current.Primary.Version}")}{Markup.Escape(ValueFormat.IsAvro ? $" · Avro, schemas at {ValueFormat.RegistryUrl}" : string.Empty)} · {Markup.Escape(LibrdkafkaLoader.Description)} · Ctrl+C to stop");
        if (Tracing.Describe() is { } traces)
        {
            console.MarkupLine(Markup.Escape(traces));
        }

        if (settings.Detector.Rules is null && settings.Detector.AmountThreshold is null && !FollowRulesTopic)
        {
            // A detector cannot see which generator wrote its input: say what its default is for.
            console.MarkupLine($"[grey]amount >= {RuleSet.SeedAmountThreshold:N0} is the rule of the Kafka tutorial Vigil started from; for vigil generate's simulated transactions pass --threshold 220 (its first fraud scenario's bound), or decide with features and --model (docs/KAFKA.md)[/]");
        }

        var (server, failed) = await StartOperationsAsync(detector, logs, deadline.Token);
        if (failed)
        {
            return 1;
        }

        await using var operations = server;
        var view = _view;
        using var stopping = deadline.Token.Register(() => view.Note = "stopping: waiting for the brokers to acknowledge what is in flight, then committing");
        var host = PipelineHost.CreateBuilder(logs);
        host.Services.AddServiceRun(detector.RunAsync, deadline.Token);
        if (models is not null)
        {
            host.Services.AddLoop(watching => models.WatchAsync(null, m => detector.Models = m, logs.CreateLogger(LogCategories.Models), watching));
        }

        host.Services.AddLoop(watching => ruleFiles.WatchAsync(liveRules, watching));
        if (follower is not null)
        {
            host.Services.AddLoop(follower.RunAsync);
        }

        using var status = new StatusPublisher(new KafkaClients(kafka, log), settings.Topics.Status);
        var name = kafka.InstanceId ?? InstanceStatus.DefaultName;
        host.Services.AddLoop(stopped => status.RunAsync(() => detector.Report(name), stopped));

        try
        {
            await host.RunServiceAsync(running => view.ShowUntilAsync(running, detector.Status));
        }
        catch (KafkaDeliveryException e)
        {
            console.MarkupLine($"[red]vigil: {Markup.Escape(e.Message)}[/]");
            return 1;
        }

        new Summary("Vigil detect", "consumed", detector.Status(), stop.IsCancellationRequested ? "stopped by signal" : "duration reached",
            Seed: null, Files: [], Dashboard: null, DashboardSkipped: 0).Print(console);
        if (models is not null)
        {
            Summary.TextRow(console, "model", $"{models.Current.Primary.Version} · {models.Swaps} swapped in, {models.Rejected} updates rejected");
        }

        if (ruleFiles.Document is not null || follower is not null)
        {
            Summary.TextRow(console, "rules", $"{liveRules.Current.Version} · {liveRules.Swaps} swapped in, {liveRules.Rejected} updates rejected"
                + (follower is null ? string.Empty : $" · {follower.Messages:N0} read from {settings.Topics.Rules}"
                    + (RulesSignature is null ? " (unsigned taken)" : $", {follower.Unverified:N0} refused as not signed with the rules key")));
        }

        Summary.TextRow(console, "commits", $"{detector.Commits:N0} (offsets committed only after the brokers acknowledged the outputs)");
        return 0;
    }

    /// <summary>The operations port, ready while the detector owns partitions, with its metrics; none without <c>--metrics-port</c>.</summary>
    private Task<(OperationsServer? Server, bool Failed)> StartOperationsAsync(KafkaDetector detector, ILoggerFactory logs, CancellationToken stopping)
    {
        var topic = settings.Topics.Transactions;
        var metrics = new ServiceMetrics("detect");
        PipelineMetrics.Add(metrics, detector.Status, settings.Topics, topic, () => detector.PartitionLags);
        return OperationsPort.StartAsync(Operations, () =>
            stopping.IsCancellationRequested ? Readiness.No("stopping")
            : detector.Assignment is { Count: > 0 } partitions ? Readiness.Yes($"deciding partitions {string.Join(',', partitions.Order())} of {topic} in group {kafka.GroupId}")
            : Readiness.No($"waiting for partitions of {topic} from group {kafka.GroupId}"),
            settings.Dashboard.Security, metrics, logs, console, stopping);
    }

    /// <summary>Reads the control topic up to its end before the first record is decided.</summary>
    private RuleTopicFollower Follow(LiveRules rules, ILogger log)
    {
        var follower = new RuleTopicFollower(new KafkaClients(kafka, log), settings.Topics.Rules, rules, RulesSignature);
        try
        {
            follower.CatchUp(TimeSpan.FromSeconds(30));
            return follower;
        }
        catch
        {
            follower.Dispose();
            throw;
        }
    }
}
