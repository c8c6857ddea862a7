using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Terminal;
using Vigil.Alerts;

namespace Vigil.Cli.Alerts;

/// <summary>The summary rows of a run that sent alerts: what each channel delivered, digested, retried and lost.</summary>
public static class AlertSummary
{
    public static void Print(IAnsiConsole console, AlertDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        var (received, duplicates, unreadable) = dispatcher.Counts();
        var unread = (unreadable > 0 ? string.Create(CultureInfo.InvariantCulture, $" · {unreadable:N0} unreadable records") : string.Empty)
            + (dispatcher.Skipped > 0 ? string.Create(CultureInfo.InvariantCulture, $" · {dispatcher.Skipped:N0} passed over: alerting fell behind detection") : string.Empty);
        Summary.TextRow(console, "alerts", string.Create(CultureInfo.InvariantCulture, $"{received - duplicates - unreadable:N0} frauds alerted · {duplicates:N0} duplicates dropped{unread}"));
        foreach (var channel in dispatcher.Channels)
        {
            var s = channel.Status();
            Summary.TextRow(console, string.Empty, string.Create(CultureInfo.InvariantCulture,
                $"{s.Name}: {s.Delivered:N0} delivered in {s.Messages:N0} messages ({s.Digests:N0} digests) · {s.Retries:N0} retries · {s.RateLimited:N0} rate-limited · {s.Lost:N0} not delivered"));
        }
    }
}
