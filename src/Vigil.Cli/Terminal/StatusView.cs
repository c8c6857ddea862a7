using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Vigil.Runtime.Metrics;

namespace Vigil.Cli.Terminal;

/// <summary>Shows a running pipeline's status: a live table on a terminal, a line every few seconds otherwise.</summary>
public sealed class StatusView(IAnsiConsole console, bool live, TimeSpan lineInterval)
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);
    private readonly Queue<PipelineStatus> _window = new();

    /// <summary>A line such as "stopping: draining records in flight", shown under the live table.</summary>
    public string? Note { get; set; }

    public async Task ShowUntilAsync(Task running, Func<PipelineStatus> status)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(status);
        if (live)
        {
            await console.Live(Render(status())).AutoClear(true).StartAsync(async context =>
            {
                while (!running.IsCompleted)
                {
                    await Task.WhenAny(running, Task.Delay(250));
                    context.UpdateTarget(Render(status()));
                }
            });
            return;
        }

        var nextLine = lineInterval;
        string? printedNote = null;
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(250));
            if (Note is { } note && note != printedNote)
            {
                printedNote = note;
                console.WriteLine(note);
            }

            var now = status();
            var rate = Rate(now);
            if (now.Elapsed >= nextLine && !running.IsCompleted)
            {
                nextLine += lineInterval;
                console.WriteLine(Line(now, rate));
            }
        }
    }

    /// <summary>One line of status, for logs and non-interactive terminals.</summary>
    public static string Line(PipelineStatus status, double rate)
    {
        ArgumentNullException.ThrowIfNull(status);
        return string.Create(CultureInfo.InvariantCulture,
            $"[{status.Elapsed:hh\\:mm\\:ss}] {status.Processed:N0} processed · {rate:N0} tx/s · legit {status.Legit:N0} · " +
            $"fraud {status.Fraud:N0} ({status.FraudShare:P1}) · dead letters {status.DeadLetters:N0} · " +
            $"latency p50 {Milliseconds(status.LatencyP50Nanoseconds)} p99 {Milliseconds(status.LatencyP99Nanoseconds)}");
    }

    public static string Milliseconds(long nanoseconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:N2} ms");

    /// <summary>Records per second over the last second of snapshots.</summary>
    private double Rate(PipelineStatus now)
    {
        _window.Enqueue(now);
        while (_window.Count > 2 && now.Elapsed - _window.Peek().Elapsed > RateWindow)
        {
            _window.Dequeue();
        }

        return now.RateSince(_window.Peek() == now ? null : _window.Peek());
    }

    private IRenderable Render(PipelineStatus status)
    {
        var rate = Rate(status);
        var grid = new Grid().AddColumn(new GridColumn().PadRight(3)).AddColumn();
        grid.AddRow("[grey]elapsed[/]", $"{status.Elapsed:hh\\:mm\\:ss}");
        grid.AddRow("[grey]rate[/]", $"[bold]{rate.ToString("N0", CultureInfo.InvariantCulture)}[/] tx/s");
        grid.AddRow("[grey]processed[/]", $"{status.Processed.ToString("N0", CultureInfo.InvariantCulture)}  [grey](lag {status.Lag.ToString("N0", CultureInfo.InvariantCulture)})[/]");
        grid.AddRow("[grey]legit[/]", $"[green]{status.Legit.ToString("N0", CultureInfo.InvariantCulture)}[/]");
        grid.AddRow("[grey]fraud[/]", $"[red]{status.Fraud.ToString("N0", CultureInfo.InvariantCulture)}[/]  ({status.FraudShare.ToString("P1", CultureInfo.InvariantCulture)})");
        grid.AddRow("[grey]dead letters[/]", status.DeadLetters.ToString("N0", CultureInfo.InvariantCulture));
        grid.AddRow("[grey]latency[/]",
            $"p50 {Milliseconds(status.LatencyP50Nanoseconds)} · p99 {Milliseconds(status.LatencyP99Nanoseconds)} · max {Milliseconds(status.LatencyMaxNanoseconds)}");
        return Note is null ? grid : new Rows(grid, new Markup($"[yellow]{Markup.Escape(Note)}[/]"));
    }
}
