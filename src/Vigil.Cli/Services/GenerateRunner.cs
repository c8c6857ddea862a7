using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Sources;
using Vigil.Cli.Terminal;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Sources;
using Vigil.Runtime.Sources;
using Vigil.Simulation;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;

namespace Vigil.Cli.Services;

/// <summary><c>vigil generate</c>: simulated transactions into a dataset file, or any profile's transactions into Kafka.</summary>
public sealed class GenerateRunner(VigilSettings settings, IAnsiConsole console, bool live, Action<string> log)
{
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(5);

    /// <summary>Writes the simulation, day by day, to a CSV file with its ground truth; Ctrl+C stops after the day being written.</summary>
    public async Task<int> WriteFileAsync(string path, CancellationToken stop)
    {
        if (settings.Generator.Profile != GeneratorProfile.Simulator)
        {
            throw new UsageException("--out writes a dataset with ground truth, which only the simulator profile has (the seed profile goes to Kafka)");
        }

        if (settings.Simulator.Days is null && settings.Generator.Count is null)
        {
            throw new UsageException("--days none never ends: give a number of days or --count to write a file");
        }

        if (Directory.Exists(path))
        {
            throw new UsageException($"invalid --out '{path}': it is a directory, expected a file such as transactions.csv");
        }

        var simulator = RunSource.Simulator(settings);
        var seed = settings.Simulator.Seed;
        var limit = settings.Generator.Count ?? long.MaxValue;
        var days = settings.Simulator.Days;
        console.MarkupLine(
            $"[bold]Vigil generate[/] · {Markup.Escape(new SimulatorSource(simulator).Description)} · seed {seed} → {Markup.Escape(Path.GetFullPath(path))} ({settings.Dataset.Format.ToString().ToLowerInvariant()} columns)");
        var clock = Stopwatch.StartNew();
        var byScenario = new long[4];
        SimulatedDatasetWriter writer;
        try
        {
            writer = new SimulatedDatasetWriter(DatasetFile.Create(path), settings.Dataset.Format);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"invalid --out '{path}': {e.Message}");
        }

        using (writer)
        {
            var writing = Task.Run(() =>
            {
                while (!simulator.IsFinished && writer.Rows < limit && !stop.IsCancellationRequested)
                {
                    var day = simulator.NextDay().Span;
                    day = day[..(int)Math.Min(day.Length, limit - writer.Rows)];
                    writer.Write(day, simulator.StartUnixMilliseconds);
                    foreach (ref readonly var t in day)
                    {
                        byScenario[(int)t.Scenario]++;
                    }
                }
            }, CancellationToken.None);
            await ShowProgressAsync(writing, simulator, writer, days, limit);
            await writing;
        }

        var frauds = byScenario[1] + byScenario[2] + byScenario[3];
        var c = CultureInfo.InvariantCulture;
        var stopped = stop.IsCancellationRequested ? " (stopped by signal; the file holds every day begun)" : string.Empty;
        console.MarkupLine($"[bold]Vigil generate finished[/] after {clock.Elapsed.TotalSeconds.ToString("N1", c)} s{Markup.Escape(stopped)}");
        Row("transactions", $"{writer.Rows.ToString("N0", c)} over {simulator.Day.ToString("N0", c)} days ({(writer.Rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)).ToString("N0", c)} per second)");
        Row("fraud", $"{frauds.ToString("N0", c)} ({StatusView.Percent(writer.Rows == 0 ? double.NaN : (double)frauds / writer.Rows)}) · by scenario " +
                     $"1: {byScenario[1].ToString("N0", c)} · 2: {byScenario[2].ToString("N0", c)} · 3: {byScenario[3].ToString("N0", c)}");
        Row("file", $"{Path.GetFullPath(path)} ({(writer.Bytes / 1e6).ToString("N1", c)} MB of CSV)");
        Row("seed", $"{seed} (run again with --seed {seed} for the same transactions)");
        return 0;
    }

    /// <summary>Produces until stopped, the count or the end of the simulation: transactions, and labels after their delay.</summary>
    public async Task<int> ProduceAsync(KafkaOptions kafka, CancellationToken stop)
    {
        var run = RunSource.Generated(settings);
        var topics = settings.Topics;
        var clients = new KafkaClients(kafka, log);
        using var writer = await Task.Run(() => new KafkaRecordWriter(clients, topics.Transactions));
        using var labels = run.Source.HasLabels ? await Task.Run(() => new KafkaRecordWriter(clients, topics.Labels)) : null;
        var pacing = RunSource.Pacing(settings);
        var publisher = new SourcePublisher(run.Source, new SourceOutputs(writer, labels, settings.LabelDelay), pacing, settings.Generator.Count ?? long.MaxValue);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (settings.Duration is { } duration)
        {
            deadline.CancelAfter(duration);
        }

        var labelTopic = labels is null ? string.Empty : $" + labels to {topics.Labels} after {StatusView.Delay(settings.LabelDelay)}";
        console.MarkupLine($"[bold]Vigil generate[/] · {Markup.Escape(run.Source.Description)} → {Markup.Escape(topics.Transactions)}{Markup.Escape(labelTopic)} on {Markup.Escape(kafka.BootstrapServers)} · {Markup.Escape(pacing.Describe())} · Ctrl+C to stop");
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
                var eventTime = run.Source.HasEventTime ? " · event time " + StatusView.EventTime(publisher.EventTimeMs) : string.Empty;
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{clock.Elapsed:hh\\:mm\\:ss}] {written:N0} written · {writer.Delivered:N0} acknowledged · {perSecond:N0} tx/s · {publisher.LabelsReleased:N0} labels{eventTime}"));
            }
        }

        await running;
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]Vigil generate finished[/] after {clock.Elapsed.TotalSeconds:N1} s: {writer.Written:N0} transactions written, {writer.Delivered:N0} acknowledged by the brokers, {labels?.Written ?? 0:N0} labels; seed {run.Seed}"));
        return 0;
    }

    private async Task ShowProgressAsync(Task writing, TransactionSimulator simulator, SimulatedDatasetWriter writer, int? days, long limit)
    {
        double Done() => days is { } d ? (double)simulator.Day / d : (double)writer.Rows / limit;
        if (live)
        {
            await console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("simulating and writing", maxValue: 1);
                    while (!writing.IsCompleted)
                    {
                        await Task.WhenAny(writing, Task.Delay(100));
                        task.Value = Done();
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"day {simulator.Day:N0} · {writer.Rows:N0} transactions");
                    }
                });
            return;
        }

        var clock = Stopwatch.StartNew();
        var next = StatusInterval;
        while (!writing.IsCompleted)
        {
            await Task.WhenAny(writing, Task.Delay(250));
            if (clock.Elapsed >= next && !writing.IsCompleted)
            {
                next += StatusInterval;
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:hh\\:mm\\:ss}] {Done():P0} · day {simulator.Day:N0} · {writer.Rows:N0} transactions written"));
            }
        }
    }

    private void Row(string label, string text) => console.MarkupLine($"  [grey]{label,-14}[/]{Markup.Escape(text)}");
}
