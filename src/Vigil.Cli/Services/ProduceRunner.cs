using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vigil.Avro.Records;
using Vigil.Avro.Registry;
using Vigil.Cli.Configuration;
using Vigil.Cli.Logging;
using Vigil.Cli.Sources;
using Vigil.Cli.Terminal;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Sources;
using Vigil.Runtime.Sources;

namespace Vigil.Cli.Services;

/// <summary>
/// <c>vigil generate --kafka</c> and <c>vigil replay --kafka</c>: a source's records into a cluster's topics through
/// idempotent producers (transactions, labels after their delay, identities, invalid rows as dead letters), until the
/// source ends, the count, the duration or Ctrl+C. Detection is the detectors' job (<c>vigil detect</c>).
/// </summary>
public sealed class ProduceRunner(VigilSettings settings, KafkaOptions kafka, IAnsiConsole console, ILoggerFactory logs)
{
    /// <summary>The Kafka clients' lines.</summary>
    private readonly ILogger _log = logs.CreateLogger(LogCategories.Kafka);

    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StallWarning = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The transactions' format on the topic; JSON by default.</summary>
    public ValueFormatSettings ValueFormat { get; init; } = ValueFormatSettings.Json;

    public async Task<int> RunAsync(string title, RunSource run, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(run);
        var topics = settings.Topics;
        var source = run.Source;
        var clients = new KafkaClients(kafka, _log);

        // --duration counts from the start: a cluster that does not answer does not hold the command past it.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (settings.Duration is { } duration)
        {
            deadline.CancelAfter(duration);
        }

        // What the cluster has not acknowledged a few seconds after the end is reported, not waited for forever.
        KafkaRecordWriter? Writer(bool needed, string topic) =>
            needed ? new KafkaRecordWriter(clients, topic, topics.DeadLetter, deadline.Token) { FlushTimeout = FlushTimeout } : null;
        KafkaRecordWriter?[] writers;
        try
        {
            writers = await Task.Run(() => new[]
            {
                Writer(true, topics.Transactions), Writer(source.HasLabels, topics.Labels), Writer(run.HasIdentities, topics.Identities),
                Writer(run.MayHaveInvalidRows, topics.DeadLetter),
            });
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine($"[red]{Markup.Escape(title)} stopped ({(stop.IsCancellationRequested ? "signal" : "duration reached")}) before the Kafka cluster at {Markup.Escape(kafka.BootstrapServers)} answered; nothing was written[/]");
            return 1;
        }

        using var writer = writers[0]!;
        using var labels = writers[1];
        using var identities = writers[2];
        using var deadLetters = writers[3];
        using var registry = ValueFormat.OpenRegistry();
        if (registry is not null)
        {
            try
            {
                await Task.Run(() => registry.Register($"{topics.Transactions}-value", AvroTransactionEncoder.SchemaFor([])), CancellationToken.None);
            }
            catch (SchemaSourceException e)
            {
                console.MarkupLine($"[red]{Markup.Escape($"{title}: the schema registry at {ValueFormat.RegistryUrl} did not take Vigil's transaction schema: {e.Message}")}[/]");
                return 1;
            }
        }

        var pacing = RunSource.Pacing(settings);
        IRecordWriter transactions = registry is null ? writer : new AvroRecordWriter(writer, new AvroTransactionEncoder(registry, topics.Transactions));
        IRecordWriter? labelRecords = registry is null || labels is null ? labels : new AvroRecordWriter(labels, new AvroLabelEncoder(registry, topics.Labels));
        IRecordWriter? identityRecords = registry is null || identities is null ? identities : new AvroRecordWriter(identities, new AvroIdentityEncoder(registry, topics.Identities));
        var outputs = new SourceOutputs(transactions, labelRecords, settings.LabelDelay, identityRecords, deadLetters);
        var publisher = new SourcePublisher(source, outputs, pacing, settings.Generator.Count ?? long.MaxValue);

        var labelTopic = (registry is null ? string.Empty : $" (Avro, schemas at {ValueFormat.RegistryUrl})")
            + (labels is null ? string.Empty : $" + labels to {topics.Labels} after {StatusView.Delay(settings.LabelDelay)}");
        console.MarkupLine($"[bold]{Markup.Escape(title)}[/] · {Markup.Escape(source.Description)} → {Markup.Escape(topics.Transactions)}{Markup.Escape(labelTopic)} on {Markup.Escape(kafka.BootstrapServers)} · {Markup.Escape(pacing.Describe())} · Ctrl+C to stop");
        if (run.Details is { } details)
        {
            console.MarkupLine($"[grey]{Markup.Escape(details)}[/]");
        }

        var clock = Stopwatch.StartNew();
        using var stopping = deadline.Token.Register(() => console.WriteLine(
            $"stopping: waiting up to {FlushTimeout.TotalSeconds:N0} s for the brokers to acknowledge what is in flight"));
        var running = publisher.RunAsync(deadline.Token);
        long previous = 0;
        var previousTime = TimeSpan.Zero;
        var (acknowledged, acknowledgedAt) = (0L, TimeSpan.Zero);
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(StatusInterval, CancellationToken.None));
            if (!running.IsCompleted)
            {
                var written = writer.Written;
                var perSecond = (written - previous) / (clock.Elapsed - previousTime).TotalSeconds;
                (previous, previousTime) = (written, clock.Elapsed);
                var eventTime = source.HasEventTime ? " · event time " + StatusView.EventTime(publisher.EventTimeMs) : string.Empty;
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{clock.Elapsed:hh\\:mm\\:ss}] {written:N0} written · {writer.Delivered:N0} acknowledged · {writer.InFlight:N0} in flight · {perSecond:N0} tx/s · {publisher.LabelsReleased:N0} labels{eventTime}"));
                (acknowledged, acknowledgedAt) = writer.Delivered != acknowledged || writer.InFlight == 0 ? (writer.Delivered, clock.Elapsed) : (acknowledged, acknowledgedAt);
                var stalled = clock.Elapsed - acknowledgedAt;
                if (stalled >= StallWarning && (stalled - StallWarning).TotalSeconds % 60 < StatusInterval.TotalSeconds)
                {
                    var warning = string.Create(CultureInfo.InvariantCulture,
                        $"the Kafka cluster at {kafka.BootstrapServers} has acknowledged nothing for {stalled.TotalSeconds:N0} s: {writer.InFlight:N0} records wait (writing pauses at {KafkaRecordWriter.MaxInFlight:N0}, and each is given up after 5 minutes); is it down?");
                    console.MarkupLine($"[yellow]{Markup.Escape(warning)}[/]");
                }
            }
        }

        await running;
        var c = CultureInfo.InvariantCulture;
        var unacknowledged = writers.Sum(w => (long)(w?.InFlight ?? 0));
        console.MarkupLine($"[bold]{Markup.Escape(title)} finished[/] after {clock.Elapsed.TotalSeconds.ToString("N1", c)} s ({Markup.Escape(run.StopReason(publisher, settings, stop))})");
        Row("transactions", $"{writer.Written.ToString("N0", c)} written, {writer.Delivered.ToString("N0", c)} acknowledged by the brokers"
            + (writer.InFlight > 0 ? $", {writer.InFlight.ToString("N0", c)} not acknowledged" : string.Empty));
        if (labels is not null)
        {
            Row("labels", $"{labels.Written.ToString("N0", c)} written to {topics.Labels}, {labels.Delivered.ToString("N0", c)} acknowledged");
        }

        if (identities is not null)
        {
            Row("identities", $"{identities.Written.ToString("N0", c)} written to {topics.Identities}");
        }

        if (deadLetters is not null)
        {
            Row("dead letters", $"{deadLetters.Written.ToString("N0", c)} rows the source could not read, written to {topics.DeadLetter}");
            foreach (var line in run.InvalidExamples())
            {
                Row(string.Empty, line);
            }
        }

        if (run.Seed is { } seed)
        {
            Row("seed", $"{seed} (run again with --seed {seed} for the same transactions)");
        }

        if (unacknowledged > 0)
        {
            console.MarkupLine($"[red]{unacknowledged.ToString("N0", c)} records were not acknowledged by the Kafka cluster at {Markup.Escape(kafka.BootstrapServers)} within {FlushTimeout.TotalSeconds.ToString("N0", c)} s of the end: they may be lost[/]");
            return 1;
        }

        return 0;
    }

    private void Row(string label, string text) => Summary.TextRow(console, label, text);
}
