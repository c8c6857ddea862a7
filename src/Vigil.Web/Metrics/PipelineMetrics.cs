using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;

namespace Vigil.Web.Metrics;

/// <summary>A pipeline's metrics, read from its status at each scrape: records in and out by topic, decisions, dead letters, latency, scores, lag, features, versions.</summary>
public static class PipelineMetrics
{
    /// <summary>Decision latency buckets, in seconds: 100 µs to 10 s.</summary>
    public static readonly double[] LatencyBounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly long[] LatencyBoundsNanoseconds = [.. LatencyBounds.Select(b => (long)(b * 1e9))];

    /// <summary>Score buckets: tenths of [0, 1].</summary>
    public static readonly double[] ScoreBounds = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

    /// <param name="input">The topic decided (transactions, or the featured topic behind vigil features); null where it is not read (the dashboard reads only the outputs).</param>
    /// <param name="partitionLags">The lag of each partition this instance decides, where it knows them (vigil detect).</param>
    public static void Add(ServiceMetrics metrics, Func<PipelineStatus> status, TopicOptions topics, string? input, Func<IEnumerable<(int Partition, long Lag)>>? partitionLags = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(topics);
        var now = metrics.OncePerScrape(status);
        if (input is not null)
        {
            metrics.Counter("vigil_records_in_total", "Records read from the input topic", ["topic"], () => [([input], now().Produced)]);
            metrics.Gauge("vigil_lag_records", "Records written to the input and not yet decided", ["topic"], () => [([input], now().Lag)]);
        }

        metrics.Counter("vigil_records_out_total", "Records written to the output topics", ["topic"], () =>
        [
            ([topics.Legit], now().Legit),
            ([topics.Fraud], now().Fraud),
            ([topics.DeadLetter], now().DeadLetters),
        ]);
        metrics.Counter("vigil_decisions_total", "Transactions decided, by outcome", ["outcome"], () => [(["legit"], now().Legit), (["fraud"], now().Fraud)]);
        metrics.Counter("vigil_dead_letters_total", "Records sent to the dead-letter topic, by vigil.error.code (source: rows a replayed file could not give)", ["code"], () => DeadLetters(now()));
        metrics.Histogram("vigil_decision_latency_seconds", "Time from a record entering Vigil (its timestamp on Kafka) to its decision", LatencyBounds, () =>
            now().Latency is { } latency ? (latency.CountsBetween(LatencyBoundsNanoseconds), latency.MaxNanoseconds / 1e9) : null);
        metrics.Histogram("vigil_decision_score", "Decisions by score: the model's probability, or the rules' score without a model", ScoreBounds, () =>
            now().Tally is { } tally ? (tally.ScoresBetween(ScoreBounds), 1) : null);
        if (input is not null && partitionLags is not null)
        {
            metrics.Gauge("vigil_consumer_lag_records", "Records waiting in each partition this instance decides", ["topic", "partition"],
                () => partitionLags().Select(p => (new[] { input, p.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture) }, (double)p.Lag)));
        }

        metrics.Gauge("vigil_feature_state_entities", "Customers and terminals held in the feature state", () => now().Features?.Entities ?? 0);
        metrics.Counter("vigil_features_computed_total", "Transactions whose features were computed", () => now().Features?.Computed ?? 0);
        metrics.Counter("vigil_features_late_total", "Transactions later than the allowed lateness, computed as of the newest time", () => now().Features?.Late ?? 0);
        metrics.Gauge("vigil_rules_info", "The rule set deciding now", ["version"], () => now().RulesVersion is { } v ? [([v], 1)] : []);
        metrics.Gauge("vigil_model_info", "The model deciding now", ["version"], () => now().ModelVersion is { } v ? [([v], 1)] : []);
        metrics.Gauge("vigil_quality_precision", "Precision against the labels matured so far (share of flagged that were fraud)", () => now().Quality?.Matrix.Precision ?? double.NaN);
        metrics.Gauge("vigil_quality_recall", "Recall against the labels matured so far (share of fraud flagged)", () => now().Quality?.Matrix.Recall ?? double.NaN);
    }

    private static IEnumerable<(string[] Labels, double Value)> DeadLetters(PipelineStatus status)
    {
        long counted = 0;
        foreach (var (code, count) in status.Tally?.DeadLetters() ?? [])
        {
            counted += count;
            yield return ([code], count);
        }

        if (status.DeadLetters > counted)
        {
            yield return (["source"], status.DeadLetters - counted);
        }
    }
}
