using System.Globalization;
using Spectre.Console;
using Vigil.Runtime.Metrics;

namespace Vigil.Cli.Terminal;

/// <summary>What a finished run prints: totals, rates, latency, where the output went and how to replay it.</summary>
/// <param name="Title">What finished, e.g. "Vigil demo".</param>
/// <param name="Intake">How records came in: "generated" or "consumed".</param>
public sealed record Summary(
    string Title,
    string Intake,
    PipelineStatus Status,
    string StopReason,
    ulong? Seed,
    IReadOnlyList<(string Path, long Records, long Bytes)> Files,
    Uri? Dashboard,
    long DashboardSkipped)
{
    public void Print(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var s = Status;
        var c = CultureInfo.InvariantCulture;
        var seconds = Math.Max(s.Elapsed.TotalSeconds, 1e-9);
        console.MarkupLine($"[bold]{Markup.Escape(Title)} finished[/] after {s.Elapsed.TotalSeconds.ToString("N1", c)} s ({Markup.Escape(StopReason)})");
        Row(console, "transactions", $"{s.Produced.ToString("N0", c)} {Intake}, {s.Processed.ToString("N0", c)} processed ({(s.Processed / seconds).ToString("N0", c)} tx/s)");
        Row(console, "legit", $"[green]{s.Legit.ToString("N0", c)}[/]");
        Row(console, "fraud", $"[red]{s.Fraud.ToString("N0", c)}[/] ({s.FraudShare.ToString("P2", c)} of decided)");
        Row(console, "dead letters", s.DeadLetters.ToString("N0", c));
        Row(console, "latency", Markup.Escape(
            $"p50 {StatusView.Milliseconds(s.LatencyP50Nanoseconds)} · p99 {StatusView.Milliseconds(s.LatencyP99Nanoseconds)} · max {StatusView.Milliseconds(s.LatencyMaxNanoseconds)} (entering Vigil to decision)"));
        foreach (var (path, records, bytes) in Files)
        {
            Row(console, "output", Markup.Escape($"{path} ({records.ToString("N0", c)} lines, {Size(bytes)})"));
        }

        if (Dashboard is not null)
        {
            var skipped = DashboardSkipped > 0 ? $"; it skipped {DashboardSkipped.ToString("N0", c)} records while busy, detection did not wait" : string.Empty;
            Row(console, "dashboard", Markup.Escape($"{Dashboard}{skipped}"));
        }

        if (Seed is { } seed)
        {
            Row(console, "seed", Markup.Escape($"{seed} (run again with --seed {seed} for the same transactions)"));
        }
    }

    private static void Row(IAnsiConsole console, string label, string markup) =>
        console.MarkupLine($"  [grey]{label,-14}[/]{markup}");

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N1} MiB"),
    };
}
