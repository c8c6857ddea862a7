using System.Diagnostics;
using System.Security.Cryptography;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Services;
using Vigil.Cli.Terminal;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sinks;
using Vigil.Simulation.Pacing;
using Vigil.Simulation.Seed;

namespace Vigil.Cli.Demo;

/// <summary>
/// <c>vigil demo</c>: the seed generator, the detector and the dashboard in one process, on the embedded runtime or
/// on Kafka. Stops on a signal (Ctrl+C), after the duration or after the count; then decides every record in flight,
/// flushes the files and closes the dashboard before printing the summary.
/// </summary>
public sealed class DemoRunner(VigilSettings settings, IAnsiConsole console, bool live, Action<string> log)
{
    /// <summary>How often a non-interactive run prints a status line.</summary>
    public static readonly TimeSpan StatusLineInterval = TimeSpan.FromSeconds(5);

    /// <summary>Runs the demo; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        var seed = settings.Generator.Seed ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        var rules = RuleSet.AmountThreshold(settings.Detector.AmountThreshold);
        await using IDemoRuntime runtime = settings.Kafka is { } kafka
            ? new KafkaDemoRuntime(kafka, settings.Topics, rules, settings.Pipeline.Partitions, settings.Pipeline.MaxRecordBytes, log)
            : new EmbeddedDemoRuntime(settings.Pipeline, settings.Topics, rules);
        await runtime.PrepareAsync();

        var sinks = settings.OutputDirectory is null
            ? []
            : new[] { runtime.Legit, runtime.Fraud, runtime.DeadLetters }.Select(t => new JsonLinesSink(t, settings.OutputDirectory)).ToList();
        var dashboard = settings.Dashboard.Enabled
            ? await DashboardHosting.StartAsync(settings.Dashboard, runtime.Legit, runtime.Fraud, runtime.Status, console, stop)
            : null;
        if (settings.Dashboard.Enabled && dashboard is null)
        {
            return 1;
        }

        var rate = settings.Generator.RatePerSecond;
        var pacer = rate is null ? Pacer.Unlimited : new Pacer(rate.Value, Stopwatch.Frequency, Stopwatch.GetTimestamp());
        var source = new GeneratorSource(new SeedTransactionGenerator(seed), pacer, runtime.Input, settings.Generator.Count ?? long.MaxValue);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        PrintHeader(runtime, rules, rate, dashboard?.Server.Address);

        // Sinks, dashboard and detection are never cancelled: a stop drains them, it does not abandon records.
        var sinking = sinks.Select(s => s.RunAsync()).ToList();
        var feeding = dashboard?.Feed.RunAsync(CancellationToken.None) ?? Task.CompletedTask;
        await runtime.StartAsync();
        if (settings.Duration is { } duration)
        {
            deadline.CancelAfter(duration);
        }

        var view = new StatusView(console, live, StatusLineInterval);
        using var stopping = stop.Register(() => view.Note = "stopping: deciding the records in flight (Ctrl+C again to abort)");
        var running = RunToEndAsync(source, runtime, sinking, feeding, deadline.Token);
        try
        {
            await view.ShowUntilAsync(running, runtime.Status);
            await running;
        }
        finally
        {
            await DashboardHosting.StopAsync(dashboard?.Server);
            foreach (var sink in sinks)
            {
                await sink.DisposeAsync();
            }
        }

        var reason = stop.IsCancellationRequested ? "stopped by signal"
            : settings.Generator.Count is { } count && source.Produced >= count ? $"{count:N0} transactions generated"
            : "duration reached";
        new Summary("Vigil demo", "generated", runtime.Status(), reason, seed,
                sinks.Select(s => (s.Path, s.Records, s.Bytes)).ToList(), dashboard?.Server.Address, dashboard?.Feed.SkippedRecords ?? 0)
            .Print(console);
        return 0;
    }

    /// <summary>
    /// Generates until stopped, then drains. A sink, the dashboard feed or detection that fails meanwhile would
    /// hold everything before it back for ever (backpressure), so the first failure ends the run at once.
    /// </summary>
    private static async Task RunToEndAsync(
        GeneratorSource source, IDemoRuntime runtime, List<Task> sinking, Task feeding, CancellationToken stop)
    {
        var steps = StepsAsync();
        var watched = new List<Task>(sinking) { feeding, runtime.Completion, steps };
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
            await runtime.DrainAsync();
            await Task.WhenAll(sinking);
            await feeding;
        }
    }

    private void PrintHeader(IDemoRuntime runtime, RuleSet rules, double? rate, Uri? dashboard)
    {
        var pace = rate is null ? "as fast as possible" : $"{rate.Value:N0} tx/s";
        console.MarkupLine($"[bold]Vigil demo[/] · {Markup.Escape(runtime.Description)} · generator {Markup.Escape(pace)} · rule [bold]{Markup.Escape(rules.Rules[0].Expression)}[/]");
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
        console.MarkupLine($"[grey]running {string.Join(" or ", limits)}[/]");
    }
}
