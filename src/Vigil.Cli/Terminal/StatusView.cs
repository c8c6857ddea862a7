using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Vigil.Quality;
using Vigil.Runtime.Quality;
using Vigil.Runtime.Metrics;

namespace Vigil.Cli.Terminal;

/// <summary>Shows a running pipeline's status: a live table on a terminal, a line every few seconds otherwise.</summary>
public sealed class StatusView(IAnsiConsole console, bool live, TimeSpan lineInterval)
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);
    private const int LogLinesShown = 5;
    private readonly Queue<PipelineStatus> _window = new();
    private readonly Queue<string> _log = new();
    private volatile bool _showing;

    /// <summary>
    /// Where a client library's lines (librdkafka's warnings) go: while the live table shows, its last lines appear
    /// under it, as text written to the terminal meanwhile would tear it; otherwise to <paramref name="elsewhere"/>.
    /// </summary>
    public Action<string> Log(Action<string> elsewhere) => line =>
    {
        if (!_showing)
        {
            elsewhere(line);
            return;
        }

        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > LogLinesShown)
            {
                _log.Dequeue();
            }
        }
    };

    /// <summary>A line such as "stopping: draining records in flight", shown under the live table.</summary>
    public string? Note { get; set; }

    public async Task ShowUntilAsync(Task running, Func<PipelineStatus> status)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(status);
        if (live)
        {
            _showing = true;
            try
            {
                await console.Live(Render(status())).AutoClear(true).StartAsync(async context =>
                {
                    while (!running.IsCompleted)
                    {
                        await Task.WhenAny(running, Task.Delay(250));
                        context.UpdateTarget(Render(status()));
                    }
                });
            }
            finally
            {
                _showing = false;
            }

            // The last lines stay readable once the table is gone.
            lock (_log)
            {
                foreach (var line in _log)
                {
                    console.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
                }

                _log.Clear();
            }

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
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{status.Elapsed:hh\\:mm\\:ss}] {status.Processed:N0} processed · {rate:N0} tx/s · legit {status.Legit:N0} · " +
            $"fraud {status.Fraud:N0} ({status.FraudShare:P1}) · dead letters {status.DeadLetters:N0} · " +
            $"latency p50 {Milliseconds(status.LatencyP50Nanoseconds)} p99 {Milliseconds(status.LatencyP99Nanoseconds)}");
        if (status.EventTimeMs is { } eventTime)
        {
            line += " · event time " + EventTime(eventTime);
        }

        if (status.Retraining is { } retraining)
        {
            line += " · " + ModelLine(status, retraining);
        }

        return status.Quality is { } quality ? line + " · quality: " + QualityLine(quality) : line;
    }

    /// <summary>The retraining loop in a few words: "model auto-002-20180415 · training model 3 on 134,000 transactions…".</summary>
    public static string ModelLine(PipelineStatus status, RetrainingStatus retraining)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(retraining);
        return $"model {status.ModelVersion ?? "none (rules alone)"} · {retraining.State}";
    }

    /// <summary>Precision, recall and F1 over the decisions labelled so far, e.g. "precision 99.9 % · recall 16.3 % · F1 0.280 (12,345 labelled)".</summary>
    public static string QualityLine(QualitySnapshot quality)
    {
        ArgumentNullException.ThrowIfNull(quality);
        var m = quality.Matrix;
        if (quality.Labelled == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"no labels yet ({quality.AwaitingLabel:N0} decisions await theirs)");
        }

        var f1 = double.IsNaN(m.F1) ? "–" : m.F1.ToString("F3", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"precision {Percent(m.Precision)} · recall {Percent(m.Recall)} · F1 {f1} ({quality.Labelled:N0} labelled)");
    }

    /// <summary>A ratio as a percentage, or a dash when undefined.</summary>
    public static string Percent(double ratio) =>
        double.IsNaN(ratio) ? "–" : ratio.ToString("P1", CultureInfo.InvariantCulture);

    /// <summary>An event time as a reader wants it in a status line: 2018-04-12 14:03:07.</summary>
    public static string EventTime(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A delay in its largest whole unit: 7 d, 36 h, 90 min, 30 s.</summary>
    public static string Delay(TimeSpan delay) => delay switch
    {
        { Ticks: 0 } => "0 s",
        _ when delay.TotalDays == Math.Floor(delay.TotalDays) => string.Create(CultureInfo.InvariantCulture, $"{delay.TotalDays:N0} d"),
        _ when delay.TotalHours == Math.Floor(delay.TotalHours) => string.Create(CultureInfo.InvariantCulture, $"{delay.TotalHours:N0} h"),
        _ when delay.TotalMinutes == Math.Floor(delay.TotalMinutes) => string.Create(CultureInfo.InvariantCulture, $"{delay.TotalMinutes:N0} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{delay.TotalSeconds:N1} s"),
    };

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
        if (status.EventTimeMs is { } eventTime)
        {
            grid.AddRow("[grey]event time[/]", EventTime(eventTime));
        }

        if (status.Retraining is { } retraining)
        {
            grid.AddRow("[grey]models[/]", Markup.Escape(ModelLine(status, retraining)));
        }

        if (status.Quality is { } quality)
        {
            grid.AddRow("[grey]quality[/]", Markup.Escape(QualityLine(quality)));
            var m = quality.Matrix;
            grid.AddRow("[grey]confusion[/]", Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"TP {m.TruePositives:N0} · FP {m.FalsePositives:N0} · TN {m.TrueNegatives:N0} · FN {m.FalseNegatives:N0} · awaiting labels {quality.AwaitingLabel:N0}")));
            grid.AddRow("[grey]fraud money[/]", Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"caught {quality.FraudAmountCaught:N2} · missed {quality.FraudAmountMissed:N2}")));
        }
        var parts = new List<IRenderable> { grid };
        lock (_log)
        {
            parts.AddRange(_log.Select(line => new Markup($"[grey]{Markup.Escape(line)}[/]")));
        }

        if (Note is { } note)
        {
            parts.Add(new Markup($"[yellow]{Markup.Escape(note)}[/]"));
        }

        return parts.Count == 1 ? grid : new Rows(parts);
    }
}
