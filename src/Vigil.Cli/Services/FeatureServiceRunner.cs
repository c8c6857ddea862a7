using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Logging;
using Vigil.Cli.Configuration;
using Vigil.Cli.Terminal;
using Vigil.Hosting.Services;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Features;
using Vigil.Kafka.State;
using Vigil.Kafka.Status;
using Vigil.Runtime.Features;
using Vigil.Runtime.Metrics;
using Vigil.Web.Metrics;
using Vigil.Web.Operations;

namespace Vigil.Cli.Services;

/// <summary><c>vigil features --kafka</c>: the feature stage in front of the detectors, until stopped.</summary>
public sealed class FeatureServiceRunner(VigilSettings settings, KafkaOptions kafka, IAnsiConsole console, ILoggerFactory logs)
{
    /// <summary>The Kafka clients' lines.</summary>
    private readonly ILogger _log = logs.CreateLogger(LogCategories.Kafka);

    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(5);

    /// <summary>Where to serve <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> (<c>--metrics-port</c>); none when null.</summary>
    public (string Host, int Port)? Operations { get; init; }

    /// <summary>
    /// The input topics' format: Avro records are read as JSON; the featured topic is JSON either way, and carries each
    /// Avro record as it came, for the detector to write the decided one in its schema.
    /// </summary>
    public ValueFormatSettings ValueFormat { get; init; } = ValueFormatSettings.Json;

    /// <param name="stateTopic">The Kafka topic the state is kept in, or null for the checkpoint file (if any).</param>
    public async Task<int> RunAsync(bool joinIdentities, string? stateTopic, CancellationToken stop)
    {
        var features = settings.Features;
        using var registry = ValueFormat.OpenRegistry();
        var clients = new KafkaClients(kafka, _log) { Transcoders = ValueFormatSettings.Transcoders(registry, settings.Topics, keepOriginal: true) };
        using var snapshots = stateTopic is null ? null : await ClusterSetup.MakeAsync(() => TaskSnapshots.Open(clients, stateTopic), "vigil features", kafka.BootstrapServers, console, stop);
        if (stateTopic is not null && snapshots is null)
        {
            return 1;
        }

        var state = snapshots is null ? null : KafkaCheckpointStore.ForStage(snapshots, "features", settings.Topics, _log);
        var options = features.StageOptions(joinIdentities, state);
        using var stage = await ClusterSetup.MakeAsync(() => new KafkaFeatureStage(clients, settings.Topics, features.Set, options), "vigil features", kafka.BootstrapServers, console, stop);
        if (stage is null)
        {
            return 1;
        }

        var topics = settings.Topics;
        console.MarkupLine(Markup.Escape(
            $"Vigil features · {features.Set.Name} ({features.Set.Count} features) · {topics.Transactions} + {topics.Labels}{(joinIdentities ? " + " + topics.Identities : string.Empty)} " +
            $"→ {topics.Featured} on {kafka.BootstrapServers} · {(options.Checkpoint is { } kept ? "state in " + kept.Description : "no checkpoint")}" +
            $"{(ValueFormat.IsAvro ? $" · Avro in (schemas at {ValueFormat.RegistryUrl}), JSON with the Avro record out" : string.Empty)} · Ctrl+C to stop"));
        console.MarkupLine(Markup.Escape($"Run the detectors on the featured topic: vigil detect --kafka {kafka.BootstrapServers} --input {topics.Featured}"));
        var metrics = new ServiceMetrics("features");
        FeatureMetrics(metrics, () => FeatureStatus.Of(stage.Stage), () => stage.Delivered, () => stage.Replayed);
        if (state is not null)
        {
            metrics.Gauge("vigil_feature_state_restored_bytes", "The size of the state snapshot restored at the start", ["task"],
                () => state.Restored is { } restored ? [(["features"], restored.Bytes)] : []);
        }

        var operations = new Served(metrics, () => Readiness.Yes(state is null
            ? $"computing features of {topics.Transactions}"
            : $"computing features of {topics.Transactions}, state restored from {state.Description}"));
        var clock = await RunUntilStoppedAsync(stage.RunAsync, elapsed => Line(elapsed, stage, state), operations, stop);
        if (clock is null)
        {
            return 1;
        }

        console.MarkupLine($"[bold]Vigil features finished[/] after {clock.Elapsed.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture)} s ({(stop.IsCancellationRequested ? "stopped by signal" : "duration reached")})");
        Summary.TextRow(console, "computed", Line(clock.Elapsed, stage, state));
        Summary.TextRow(console, "written", $"{stage.Delivered:N0} featured transactions acknowledged by the brokers");
        if (stage.Replayed > 0)
        {
            Summary.TextRow(console, "replayed", $"{stage.Replayed:N0} of them written again after the takeover (the instance before wrote them after its last snapshot): the same features, header {ReplayedOutputs.Header}: true");
        }

        if (state?.Restored is { } restored)
        {
            Summary.TextRow(console, "state", restored.Sequence == 0
                ? $"{state.Description}: nothing to restore at the start ({restored.Records:N0} records read in {restored.Took.TotalSeconds:N1} s); the next run, on any machine, resumes from it"
                : $"{state.Description}: restored snapshot {restored.Sequence:N0} ({restored.Bytes:N0} bytes, {restored.Records:N0} records read in {restored.Took.TotalSeconds:N1} s); the next run, on any machine, resumes from it");
        }
        else if (features.Checkpoint is { } checkpoint)
        {
            Summary.TextRow(console, "checkpoint", $"{Path.GetFullPath(checkpoint)} (the next run resumes from it)");
        }

        return 0;
    }

    /// <summary>One member of a group of feature services (<c>--group</c>), until stopped.</summary>
    public async Task<int> RunGroupAsync(string group, string stateTopic, CancellationToken stop)
    {
        var features = settings.Features;
        var topics = settings.Topics;
        using var registry = ValueFormat.OpenRegistry();
        var clients = new KafkaClients(kafka, _log) { Transcoders = ValueFormatSettings.Transcoders(registry, settings.Topics, keepOriginal: true) };
        using var snapshots = await ClusterSetup.MakeAsync(() => TaskSnapshots.Open(clients, stateTopic), "vigil features", kafka.BootstrapServers, console, stop);
        var member = snapshots is null ? null : await ClusterSetup.MakeAsync(
            () => new KafkaFeatureGroup(clients, topics, features.Set, features.StageOptions(joinIdentities: false), snapshots, group, _log), "vigil features", kafka.BootstrapServers, console, stop);
        if (member is null)
        {
            return 1;
        }

        console.MarkupLine(Markup.Escape(
            $"Vigil features · {features.Set.Name} ({features.Set.Count} features) · group {group}{(kafka.InstanceId is { } instance ? " as " + instance : string.Empty)}, " +
            $"{member.TaskCount} tasks · {topics.Transactions} + {topics.Labels} → {topics.Repartition} → {topics.Featured} on {kafka.BootstrapServers} · state in {stateTopic} · Ctrl+C to stop"));
        console.MarkupLine(Markup.Escape($"Start more members with the same --group to share the tasks; run the detectors on the featured topic: vigil detect --kafka {kafka.BootstrapServers} --input {topics.Featured}"));
        using var status = new StatusPublisher(clients, topics.Status);
        var name = kafka.InstanceId ?? InstanceStatus.DefaultName;
        var metrics = new ServiceMetrics("features");
        metrics.Counter("vigil_features_computed_total", "Transactions whose features were computed", () => member.Released);
        metrics.Counter("vigil_features_late_total", "Transactions and labels later than the allowed lateness or the idle timeout, computed as of the newest time", () => member.Late);
        metrics.Counter("vigil_records_out_total", "Records written to the output topics", ["topic"], () => [([topics.Featured], member.Released)]);
        metrics.Counter("vigil_features_replayed_total", "Featured records written again after a takeover (header vigil.replayed)", () => member.Replayed);
        metrics.Counter("vigil_repartition_refused_total", "Records on the repartition topic that no member wrote, passed over", () => member.Refused);
        metrics.Gauge("vigil_feature_tasks", "Tasks this member owns, by phase", ["phase"], () => member.Tasks.GroupBy(t => t.Phase).Select(g => (new[] { g.Key }, (double)g.Count())));
        metrics.Gauge("vigil_feature_state_restored_bytes", "The size of the state snapshot each task this member owns restored when it took the task", ["task"],
            () => member.Tasks.Where(t => t.Restore is { Restored: true }).Select(t => (new[] { t.Index.ToString(CultureInfo.InvariantCulture) }, (double)t.Restore!.Value.Bytes)));
        metrics.Gauge("vigil_consumer_lag_records", "Records waiting in each task this member owns", ["topic", "partition"], () => member.Tasks.SelectMany(t => new[]
        {
            (new[] { topics.Transactions, t.Index.ToString(CultureInfo.InvariantCulture) }, (double)t.Lag.Transactions),
            (new[] { topics.Repartition, t.Index.ToString(CultureInfo.InvariantCulture) }, (double)t.Lag.Repartitioned),
        }));
        var operations = new Served(metrics, () => member.Tasks switch
        {
            { Count: 0 } => Readiness.No($"waiting for tasks from group {group}"),
            var tasks when tasks.FirstOrDefault(t => t.Phase != "running") is { } waiting => Readiness.No($"task {waiting.Index} is {waiting.Phase}"),
            var tasks => Readiness.Yes($"running tasks {string.Join(',', tasks.Select(t => t.Index))} in group {group}, state restored"),
        });
        var clock = await RunUntilStoppedAsync(member.RunAsync, elapsed => GroupLine(elapsed, member), operations, stop, stopped => status.RunAsync(() => member.Report(name), stopped));
        if (clock is null)
        {
            return 1;
        }

        console.MarkupLine($"[bold]Vigil features finished[/] after {clock.Elapsed.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture)} s ({(stop.IsCancellationRequested ? "stopped by signal" : "duration reached")})");
        Summary.TextRow(console, "computed", $"{member.Released:N0} transactions with features written to {topics.Featured} · {member.Late:N0} late (computed as of the newest time)");
        Summary.TextRow(console, "tasks", $"{member.HandedOver:N0} handed over with a snapshot, for the next owner to go on from (state in {stateTopic})");
        if (member.Replayed > 0 || member.Skipped > 0)
        {
            Summary.TextRow(console, "replayed", $"{member.Replayed:N0} featured records written again after a takeover (the same features, header {ReplayedOutputs.Header}: true); {member.Skipped:N0} repartition records not sent twice");
        }

        if (member.Refused > 0)
        {
            Summary.TextRow(console, "refused", $"{member.Refused:N0} records on {topics.Repartition} that no member wrote (damaged, or written by another program), passed over: only Vigil's feature services may write to it");
        }

        return 0;
    }

    /// <summary>
    /// Runs the service until <paramref name="stop"/> or the duration, printing its status line every 5 s, its operations
    /// port open meanwhile; returns how long it ran, or null when the port could not be served (said).
    /// </summary>
    /// <param name="beside">Runs beside the service until it has stopped (its reports to the status topic).</param>
    private async Task<Stopwatch?> RunUntilStoppedAsync(
        Func<CancellationToken, Task> run, Func<TimeSpan, string> line, Served operations, CancellationToken stop, Func<CancellationToken, Task>? beside = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (settings.Duration is { } duration)
        {
            deadline.CancelAfter(duration);
        }

        var stopping = deadline.Token;
        var (server, failed) = await OperationsPort.StartAsync(Operations, () => stopping.IsCancellationRequested ? Readiness.No("stopping") : operations.Readiness(),
            settings.Dashboard.Security, operations.Metrics, logs, console, stopping);
        if (failed)
        {
            return null;
        }

        await using var served = server;

        var clock = Stopwatch.StartNew();
        var host = PipelineHost.CreateBuilder(logs);
        host.Services.AddServiceRun(run, deadline.Token);
        host.Services.AddLoop(async stopped =>
        {
            while (!stopped.IsCancellationRequested)
            {
                await Task.Delay(LineInterval, stopped);
                console.WriteLine(line(clock.Elapsed));
            }
        });
        if (beside is not null)
        {
            host.Services.AddLoop(beside);
        }

        await host.RunServiceAsync();
        return clock;
    }

    /// <summary>The single feature service's metrics: computed, late, labels, entities, written, replayed.</summary>
    private void FeatureMetrics(ServiceMetrics metrics, Func<FeatureStatus> status, Func<long> delivered, Func<long> replayed)
    {
        var now = metrics.OncePerScrape(status);
        metrics.Counter("vigil_features_computed_total", "Transactions whose features were computed", () => now().Computed);
        metrics.Counter("vigil_features_late_total", "Transactions later than the allowed lateness, computed as of the newest time", () => now().Late);
        metrics.Counter("vigil_feature_labels_applied_total", "Fraud labels applied to the risk features", () => now().LabelsApplied);
        metrics.Gauge("vigil_feature_state_entities", "Customers and terminals held in the feature state", () => now().Entities);
        metrics.Gauge("vigil_feature_watermark_seconds", "The event time every input has passed, in Unix seconds", () => now().WatermarkMs is > 0 and < long.MaxValue ? now().WatermarkMs / 1000.0 : double.NaN);
        metrics.Counter("vigil_records_out_total", "Records written to the output topics", ["topic"], () => [([settings.Topics.Featured], delivered())]);
        metrics.Counter("vigil_features_replayed_total", "Featured records written again after a takeover (header vigil.replayed)", () => replayed());
    }

    /// <summary>What the operations port serves besides <c>/healthz</c>.</summary>
    private sealed record Served(ServiceMetrics Metrics, Func<Readiness> Readiness);

    /// <summary>The member's tasks: each one's phase, lag (transactions, then repartition records, not yet computed) and restore.</summary>
    private static string GroupLine(TimeSpan elapsed, KafkaFeatureGroup member)
    {
        var tasks = member.Tasks;
        var owned = tasks.Count == 0
            ? "no tasks (waiting for the group)"
            : string.Join(", ", tasks.Select(t => t.Phase == "running"
                ? string.Create(CultureInfo.InvariantCulture, $"{t.Index} lag {t.Lag.Transactions:N0}+{t.Lag.Repartitioned:N0}{(t.Restore is { Restored: true } r ? $" (restored in {r.Took.TotalSeconds:N1} s)" : string.Empty)}")
                : t.RestoreShare is { } share ? string.Create(CultureInfo.InvariantCulture, $"{t.Index} restoring {share:P0}") : $"{t.Index} {t.Phase}"));
        var watermark = tasks.Count == 0 ? long.MinValue : tasks.Min(t => t.WatermarkMs);
        var shown = watermark switch
        {
            long.MaxValue => "past every input (idle)",
            <= 0 => "none yet",
            _ => StatusView.EventTime(watermark),
        };
        var line = string.Create(CultureInfo.InvariantCulture, $"[{elapsed:hh\\:mm\\:ss}] {member.Released:N0} transactions with features · tasks {owned} · watermark {shown}");
        line = member.Replayed > 0 ? string.Create(CultureInfo.InvariantCulture, $"{line} · {member.Replayed:N0} replayed") : line;
        return member.Refused > 0 ? string.Create(CultureInfo.InvariantCulture, $"{line} · {member.Refused:N0} refused") : line;
    }

    private static string Line(TimeSpan elapsed, KafkaFeatureStage service, KafkaCheckpointStore? state)
    {
        var stage = service.Stage;
        var engine = stage.Engine;
        var watermark = stage.WatermarkMs is > 0 and < long.MaxValue ? StatusView.EventTime(stage.WatermarkMs) : "none yet";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{elapsed:hh\\:mm\\:ss}] {stage.Released:N0} transactions with features · watermark {watermark} · {engine.Entities:N0} entities · {engine.Late:N0} late · {engine.LabelsApplied:N0} frauds known");
        return state is null ? line : line + State(state, service.Replayed);
    }

    /// <summary>Where the state in Kafka stands: how old the latest snapshot is (what a takeover would compute again), and the replays.</summary>
    private static string State(KafkaCheckpointStore state, long replayed)
    {
        var snapshot = state.Latest is { } latest
            ? string.Create(CultureInfo.InvariantCulture, $" · state: snapshot {latest.Sequence:N0}, {Math.Max(0, (DateTimeOffset.UtcNow - latest.WrittenAt).TotalSeconds):N0} s ago")
            : " · state: no snapshot yet";
        return replayed > 0 ? string.Create(CultureInfo.InvariantCulture, $"{snapshot} · {replayed:N0} replayed") : snapshot;
    }
}
