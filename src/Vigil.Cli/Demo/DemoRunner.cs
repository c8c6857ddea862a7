using System.Diagnostics;
using System.Security.Cryptography;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Terminal;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sinks;
using Vigil.Simulation.Pacing;
using Vigil.Simulation.Seed;
using Vigil.Web.Dashboard;

namespace Vigil.Cli.Demo;

/// <summary>
/// <c>vigil demo</c>: the seed generator, the detector and the dashboard in one process, on the embedded runtime.
/// Stops on a signal (Ctrl+C), after the duration or after the count; then drains every record in
/// flight, flushes the files and closes the dashboard before printing the summary.
/// </summary>
public sealed class DemoRunner(DemoSettings settings, IAnsiConsole console, bool live)
{
    /// <summary>How often a non-interactive run prints a status line.</summary>
    public static readonly TimeSpan StatusLineInterval = TimeSpan.FromSeconds(5);

    /// <summary>Runs the demo; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        if (settings.KafkaBootstrapServers is not null)
        {
            console.MarkupLine("[yellow]KAFKA_BROKER_URL is set, but this version of vigil demo runs the embedded runtime only; Kafka is not used.[/]");
        }

        var seed = settings.Generator.Seed ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        var rules = RuleSet.AmountThreshold(settings.Detector.AmountThreshold);
        var pipeline = new EmbeddedPipeline(settings.Pipeline, settings.Topics, rules);
        var sinks = settings.OutputDirectory is null
            ? []
            : new[] { pipeline.Legit, pipeline.Fraud, pipeline.DeadLetters }.Select(t => new JsonLinesSink(t, settings.OutputDirectory)).ToList();

        EventFeed? feed = null;
        DashboardServer? server = null;
        if (settings.Dashboard.Enabled)
        {
            feed = new EventFeed(pipeline.Legit, pipeline.Fraud, pipeline.Status, settings.Dashboard);
            server = new DashboardServer(settings.Dashboard, feed);
            try
            {
                await server.StartAsync(stop);
            }
            catch (IOException e)
            {
                await server.DisposeAsync();
                console.MarkupLine($"[red]vigil: cannot serve the dashboard on {Markup.Escape(settings.Dashboard.Host)}:{settings.Dashboard.Port}: {Markup.Escape(e.Message)} (choose another --port, or --no-dashboard)[/]");
                return 1;
            }
        }

        var rate = settings.Generator.RatePerSecond;
        var pacer = rate is null ? Pacer.Unlimited : new Pacer(rate.Value, Stopwatch.Frequency, Stopwatch.GetTimestamp());
        var source = new GeneratorSource(
            new SeedTransactionGenerator(seed), pacer, pipeline.Transactions.CreateProducer(), settings.Generator.Count ?? long.MaxValue);
        await pipeline.WarmUpAsync();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        PrintHeader(rules, rate, server?.Address);
        var sinking = sinks.Select(s => s.RunAsync()).ToList();
        // Sinks, dashboard and workers are never cancelled: a stop drains them, it does not abandon records.
        var feeding = feed?.RunAsync(CancellationToken.None) ?? Task.CompletedTask;
        pipeline.Start(CancellationToken.None);
        if (settings.Duration is { } duration)
        {
            deadline.CancelAfter(duration);
        }

        var view = new StatusView(console, live, StatusLineInterval);
        using var stopping = stop.Register(() => view.Note = "stopping: draining records in flight (Ctrl+C again to abort)");
        var running = RunToEndAsync(source, pipeline, sinking, feeding, deadline.Token);
        try
        {
            await view.ShowUntilAsync(running, pipeline.Status);
            await running;
        }
        finally
        {
            if (server is not null)
            {
                await server.StopAsync(CancellationToken.None);
                await server.DisposeAsync();
            }

            foreach (var sink in sinks)
            {
                await sink.DisposeAsync();
            }
        }

        var reason = stop.IsCancellationRequested ? "stopped by signal"
            : settings.Generator.Count is { } count && source.Produced >= count ? $"{count:N0} transactions generated"
            : "duration reached";
        new Summary(pipeline.Status(), reason, seed, sinks.Select(s => (s.Path, s.Records, s.Bytes)).ToList(), server?.Address, feed?.SkippedRecords ?? 0)
            .Print(console);
        return 0;
    }

    /// <summary>
    /// Generates until stopped, then drains. A sink, the dashboard feed or a worker that fails meanwhile would
    /// hold everything before it back for ever (backpressure), so the first failure ends the run at once.
    /// </summary>
    private static async Task RunToEndAsync(
        GeneratorSource source, EmbeddedPipeline pipeline, List<Task> sinking, Task feeding, CancellationToken stop)
    {
        var steps = StepsAsync();
        var watched = new List<Task>(sinking) { feeding, pipeline.Completion, steps };
        while (true)
        {
            var done = await Task.WhenAny(watched);
            if (done == steps || done.IsFaulted)
            {
                await done;
                return;
            }

            watched.Remove(done);
        }

        async Task StepsAsync()
        {
            await source.RunAsync(stop);
            await pipeline.DrainAsync();
            await Task.WhenAll(sinking);
            await feeding;
        }
    }

    private void PrintHeader(RuleSet rules, double? rate, Uri? dashboard)
    {
        var pace = rate is null ? "as fast as possible" : $"{rate.Value:N0} tx/s";
        console.MarkupLine($"[bold]Vigil demo[/] · embedded runtime · {settings.Pipeline.Partitions} partitions · generator {Markup.Escape(pace)} · rule [bold]{Markup.Escape(rules.Rules[0].Expression)}[/]");
        if (dashboard is not null)
        {
            console.MarkupLine($"dashboard: [link]{dashboard}[/]");
        }

        if (settings.OutputDirectory is not null)
        {
            console.MarkupLine($"output:    {Markup.Escape(Path.GetFullPath(settings.OutputDirectory))}");
        }

        var limits = new List<string>();
        if (settings.Duration is { } d)
        {
            limits.Add($"for {d.TotalSeconds:N0} s");
        }

        if (settings.Generator.Count is { } n)
        {
            limits.Add($"for {n:N0} transactions");
        }

        limits.Add("until Ctrl+C");
        var until = string.Join(" or ", limits);
        console.MarkupLine($"[grey]running {until}[/]");
    }
}
