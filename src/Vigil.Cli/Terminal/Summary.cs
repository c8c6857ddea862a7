using System.Globalization;
using Spectre.Console;
using Vigil.Quality;
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
    /// <summary>Dataset rows that could not be transactions (sent to the dead letters with their line).</summary>
    public long InvalidRows { get; init; }

    /// <summary>The first few of those rows: "file line N: reason".</summary>
    public IReadOnlyList<string> InvalidExamples { get; init; } = [];

    /// <summary>Labels released on the labels topic; null when the source has none.</summary>
    public long? LabelsReleased { get; init; }

    public TimeSpan LabelDelay { get; init; }

    public void Print(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var s = Status;
        var c = CultureInfo.InvariantCulture;
        var seconds = Math.Max(s.Elapsed.TotalSeconds, 1e-9);
        console.MarkupLine($"[bold]{Markup.Escape(Title)} finished[/] after {s.Elapsed.TotalSeconds.ToString("N1", c)} s ({Markup.Escape(StopReason)})");
        // Rows that are not transactions are read and processed too (as dead letters): the counts add up to the input.
        var intake = InvalidRows > 0
            ? $"{(s.Produced + InvalidRows).ToString("N0", c)} records {Intake} ({s.Produced.ToString("N0", c)} transactions, {InvalidRows.ToString("N0", c)} rows that are not)"
            : $"{s.Produced.ToString("N0", c)} {Intake}";
        Row(console, "transactions", $"{intake}, {s.Processed.ToString("N0", c)} processed ({(s.Processed / seconds).ToString("N0", c)} tx/s)");
        Row(console, "legit", $"[green]{s.Legit.ToString("N0", c)}[/]");
        Row(console, "fraud", $"[red]{s.Fraud.ToString("N0", c)}[/] ({s.FraudShare.ToString("P2", c)} of decided)");
        var invalid = InvalidRows > 0 ? $" ({InvalidRows.ToString("N0", c)} of them rows the source could not read)" : string.Empty;
        Row(console, "dead letters", s.DeadLetters.ToString("N0", c) + invalid);
        foreach (var example in InvalidExamples)
        {
            Row(console, string.Empty, Markup.Escape(example));
        }
        Row(console, "latency", Markup.Escape(
            $"p50 {StatusView.Milliseconds(s.LatencyP50Nanoseconds)} · p99 {StatusView.Milliseconds(s.LatencyP99Nanoseconds)} · max {StatusView.Milliseconds(s.LatencyMaxNanoseconds)} (entering Vigil to decision)"));
        // The collector's pauses stop every stage at once: the first place to look when the p99 is high.
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        Row(console, "gc", Markup.Escape(
            $"{gen0.ToString("N0", c)} collections ({(gen0 - gen1).ToString("N0", c)} gen0 · {(gen1 - gen2).ToString("N0", c)} gen1 · {gen2.ToString("N0", c)} gen2), "
            + $"{GC.GetTotalPauseDuration().TotalMilliseconds.ToString("N0", c)} ms paused, {(GC.GetTotalAllocatedBytes() / (1024.0 * 1024)).ToString("N0", c)} MiB allocated, since the process started"));
        if (s.EventTimeMs is { } eventTime)
        {
            Row(console, "event time", Markup.Escape($"reached {StatusView.EventTime(eventTime)}"));
        }

        if (LabelsReleased is { } labels)
        {
            Row(console, "labels", Markup.Escape($"{labels.ToString("N0", c)} released, each {StatusView.Delay(LabelDelay)} of event time after its transaction"));
        }

        if (s.Features is { } features)
        {
            Row(console, "features", Markup.Escape(
                $"{features.Computed.ToString("N0", c)} transactions with features · {features.Entities.ToString("N0", c)} entity histories in state " +
                $"({features.Evicted.ToString("N0", c)} evicted when idle or over --max-entities) · {features.LabelsApplied.ToString("N0", c)} frauds known · " +
                (features.Truncated > 0 ? $"{features.Truncated.ToString("N0", c)} transactions cut from histories over --max-events-per-entity · " : string.Empty) +
                $"{features.Late.ToString("N0", c)} late (computed as of the newest time)"));
            if (features.Join is var (joined, unmatched, expired))
            {
                Row(console, "identities", Markup.Escape(
                    $"{joined.ToString("N0", c)} transactions joined with their identity · {unmatched.ToString("N0", c)} without one · " +
                    $"{expired.ToString("N0", c)} identities expired unjoined"));
            }
        }

        if (s.Quality is { } quality)
        {
            PrintQuality(console, quality);
        }

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

    /// <summary>The fraud money caught and missed, each with its share of the whole, and the genuine money flagged.</summary>
    internal static string FraudMoney(QualitySnapshot q)
    {
        var c = CultureInfo.InvariantCulture;
        var money = q.FraudAmountCaught + q.FraudAmountMissed;
        string Share(double amount) => money > 0 ? $" ({(amount / money).ToString("P1", c)})" : string.Empty;
        return $"caught {q.FraudAmountCaught.ToString("N2", c)}{Share(q.FraudAmountCaught)} · missed {q.FraudAmountMissed.ToString("N2", c)}{Share(q.FraudAmountMissed)} of the fraud money · " +
               $"genuine flagged {q.GenuineAmountFlagged.ToString("N2", c)}";
    }

    private static void PrintQuality(IAnsiConsole console, QualitySnapshot q)
    {
        var c = CultureInfo.InvariantCulture;
        var m = q.Matrix;
        Row(console, "quality", Markup.Escape(StatusView.QualityLine(q)));
        Row(console, "confusion", Markup.Escape(
            $"TP {m.TruePositives.ToString("N0", c)} · FP {m.FalsePositives.ToString("N0", c)} · TN {m.TrueNegatives.ToString("N0", c)} · FN {m.FalseNegatives.ToString("N0", c)}"));
        var money = q.FraudAmountCaught + q.FraudAmountMissed;
        Row(console, "fraud amount", Markup.Escape(FraudMoney(q)));
        Row(console, "alert rate", Markup.Escape($"{StatusView.Percent(q.AlertRate)} of {q.Decided.ToString("N0", c)} decisions flagged"));
        if (q.Scenarios.Any(sc => sc.Scenario > 0))
        {
            Row(console, "by scenario", Markup.Escape(string.Join(" · ", q.Scenarios.Select(sc =>
                $"{sc.Scenario}: {sc.Caught.ToString("N0", c)} of {sc.Frauds.ToString("N0", c)} caught ({StatusView.Percent(sc.Recall)})"))));
        }

        var unmatched = q.AwaitingLabel + q.AwaitingDecision + q.ExpiredDecisions + q.ExpiredLabels + q.Duplicates + q.InvalidLabels + q.DecisionsWithoutId;
        if (unmatched > 0)
        {
            Row(console, "unmatched", Markup.Escape(
                $"{q.AwaitingLabel.ToString("N0", c)} decisions without their label, {q.AwaitingDecision.ToString("N0", c)} labels without their decision, " +
                $"{(q.ExpiredDecisions + q.ExpiredLabels).ToString("N0", c)} expired, {q.Duplicates.ToString("N0", c)} duplicates, " +
                $"{q.InvalidLabels.ToString("N0", c)} invalid labels, {q.DecisionsWithoutId.ToString("N0", c)} decisions without an id"));
        }
    }

    /// <summary>One labelled line of a summary, as every command prints them; <paramref name="markup"/> is Spectre markup.</summary>
    public static void Row(IAnsiConsole console, string label, string markup)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.MarkupLine($"  [grey]{label,-14}[/]{markup}");
    }

    /// <summary>A summary line of plain text (escaped).</summary>
    public static void TextRow(IAnsiConsole console, string label, string text) => Row(console, label, Markup.Escape(text));

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N1} MiB"),
    };
}
