using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Configuration;
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
public sealed class ProduceRunner(VigilSettings settings, KafkaOptions kafka, IAnsiConsole console, Action<string> log)
{
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(5);

    public async Task<int> RunAsync(string title, RunSource run, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(run);
        var topics = settings.Topics;
        var source = run.Source;
        var clients = new KafkaClients(kafka, log);
        KafkaRecordWriter? Writer(bool needed, string topic) => needed ? new KafkaRecordWriter(clients, topic, topics.DeadLetter) : null;
        using var writer = await Task.Run(() => new KafkaRecordWriter(clients, topics.Transactions, topics.DeadLetter));
        using var labels = await Task.Run(() => Writer(source.HasLabels, topics.Labels));
        using var identities = await Task.Run(() => Writer(run.HasIdentities, topics.Identities));
        using var deadLetters = await Task.Run(() => Writer(run.MayHaveInvalidRows, topics.DeadLetter));
        var pacing = RunSource.Pacing(settings);
        var outputs = new SourceOutputs(writer, labels, settings.LabelDelay, identities, deadLetters);
        var publisher = new SourcePublisher(source, outputs, pacing, settings.Generator.Count ?? long.MaxValue);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (settings.Duration is { } duration)
        {
            deadline.CancelAfter(duration);
        }

        var labelTopic = labels is null ? string.Empty : $" + labels to {topics.Labels} after {StatusView.Delay(settings.LabelDelay)}";
        console.MarkupLine($"[bold]{Markup.Escape(title)}[/] · {Markup.Escape(source.Description)} → {Markup.Escape(topics.Transactions)}{Markup.Escape(labelTopic)} on {Markup.Escape(kafka.BootstrapServers)} · {Markup.Escape(pacing.Describe())} · Ctrl+C to stop");
        if (run.Details is { } details)
        {
            console.MarkupLine($"[grey]{Markup.Escape(details)}[/]");
        }

        var clock = Stopwatch.StartNew();
        var running = publisher.RunAsync(deadline.Token);
        long previous = 0;
        var previousTime = TimeSpan.Zero;
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
                    $"[{clock.Elapsed:hh\\:mm\\:ss}] {written:N0} written · {writer.Delivered:N0} acknowledged · {perSecond:N0} tx/s · {publisher.LabelsReleased:N0} labels{eventTime}"));
            }
        }

        await running;
        var c = CultureInfo.InvariantCulture;
        console.MarkupLine($"[bold]{Markup.Escape(title)} finished[/] after {clock.Elapsed.TotalSeconds.ToString("N1", c)} s ({Markup.Escape(run.StopReason(publisher, settings, stop))})");
        Row("transactions", $"{writer.Written.ToString("N0", c)} written, {writer.Delivered.ToString("N0", c)} acknowledged by the brokers");
        if (labels is not null)
        {
            Row("labels", $"{labels.Written.ToString("N0", c)} written to {topics.Labels}");
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

        return 0;
    }

    private void Row(string label, string text) => Summary.TextRow(console, label, text);
}
