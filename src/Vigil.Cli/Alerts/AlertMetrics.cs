using Vigil.Alerts;
using Vigil.Web.Metrics;

namespace Vigil.Cli.Alerts;

/// <summary>The alert loop's metrics: fraud records received, alerts delivered and lost, messages, retries and rate limits by channel.</summary>
public static class AlertMetrics
{
    public static void Add(ServiceMetrics metrics, AlertDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(dispatcher);
        var channels = metrics.OncePerScrape(() => dispatcher.Channels.Select(c => c.Status()).ToList());
        metrics.Counter("vigil_alerts_received_total", "Fraud records read by the alert loop", () => dispatcher.Counts().Received);
        metrics.Counter("vigil_alerts_duplicates_total", "Fraud records dropped as already alerted (a replayed decision)", () => dispatcher.Counts().Duplicates);
        metrics.Counter("vigil_alerts_delivered_total", "Alerts delivered, by channel", ["channel"], () => channels().Select(c => (new[] { c.Name }, (double)c.Delivered)));
        metrics.Counter("vigil_alert_failures_total", "Alerts given up after their retries, by channel", ["channel"], () => channels().Select(c => (new[] { c.Name }, (double)c.Lost)));
        metrics.Counter("vigil_alert_messages_total", "Messages sent (one alert, or a digest of many), by channel", ["channel"], () => channels().Select(c => (new[] { c.Name }, (double)c.Messages)));
        metrics.Counter("vigil_alert_retries_total", "Deliveries tried again, by channel", ["channel"], () => channels().Select(c => (new[] { c.Name }, (double)c.Retries)));
        metrics.Counter("vigil_alert_rate_limited_total", "429 answers, by channel", ["channel"], () => channels().Select(c => (new[] { c.Name }, (double)c.RateLimited)));
    }
}
