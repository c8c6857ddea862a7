using Microsoft.Extensions.Logging;

namespace Vigil.Alerts;

/// <summary>What the alert channels log, each entry declared once (compiled by the logging source generator).</summary>
internal static partial class AlertLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "alerts to {Channel}: stopped with {Left:N0} alerts not sent")]
    public static partial void StoppedWithUnsent(this ILogger logger, string channel, int left);

    /// <param name="alerts">"alert" or "alerts", as the count asks.</param>
    [LoggerMessage(Level = LogLevel.Warning, Message = "alerts to {Channel}: {Count:N0} {Alerts} not delivered, {Tries}: {Problem}")]
    public static partial void NotDelivered(this ILogger logger, string channel, int count, string alerts, string tries, string? problem);
}
