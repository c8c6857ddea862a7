using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Vigil.Alerts;

/// <summary>
/// What one notification carries: one alert, or a digest of all that arrived while the channel waited (its rate
/// limit, a retry). A digest lists its highest-scored alerts and counts the rest, including any the channel's bounded
/// queue could only count.
/// </summary>
public sealed record AlertMessage(IReadOnlyList<Alert> Alerts, int Count, double TotalAmount, Uri? Dashboard)
{
    /// <summary>How many alerts a digest lists in its text.</summary>
    public const int DigestLines = 5;

    public bool IsDigest => Count > 1;

    /// <summary>Slack's mrkdwn text: readable in a channel and in a notification's first line.</summary>
    public string SlackText() => Text(slack: true);

    /// <summary>The same text for a terminal: no emoji code, no bold marks, the link written out.</summary>
    public string PlainText() => Text(slack: false);

    private string Text(bool slack)
    {
        var text = new StringBuilder();
        var link = Dashboard is null ? string.Empty : slack ? $" · <{Dashboard}|dashboard>" : $" · dashboard {Dashboard}";
        var (alarm, bold) = slack ? (":rotating_light: ", "*") : (string.Empty, string.Empty);
        if (!IsDigest)
        {
            var alert = Alerts[0];
            text.Append(CultureInfo.InvariantCulture, $"{alarm}{bold}Fraud{bold} · {alert.AmountText} · score {alert.Score:0.###}\n");
            text.Append(CultureInfo.InvariantCulture, $"{alert.Parties}");
            text.Append(alert.TransactionId is null ? string.Empty : $" · transaction {alert.TransactionId}");
            text.Append(alert.Timestamp is null ? "\n" : $" at {alert.Timestamp}\n");
            if (alert.Reasons.Count > 0)
            {
                text.Append("Reasons: ").AppendJoin("; ", alert.Reasons.Select(r => $"{r.Code} ({r.Text})")).Append('\n');
            }

            text.Append(CultureInfo.InvariantCulture, $"rules {alert.RulesVersion ?? "?"}{(alert.ModelVersion is null ? string.Empty : $" · model {alert.ModelVersion}")}{link}");
            return text.ToString();
        }

        text.Append(CultureInfo.InvariantCulture, $"{alarm}{bold}{Count:N0} frauds{bold} · {TotalAmount:N2} in all · highest score {Alerts.Max(a => a.Score):0.###}\n");
        foreach (var alert in Alerts.OrderByDescending(a => a.Score).ThenByDescending(a => a.Amount).Take(DigestLines))
        {
            text.Append(CultureInfo.InvariantCulture, $"• {alert.AmountText} · {alert.Parties} · score {alert.Score:0.###}");
            text.Append(alert.Reasons.Count == 0 ? "\n" : $" · {alert.Reasons[0].Code}\n");
        }

        var rest = Count - Math.Min(DigestLines, Alerts.Count);
        text.Append(rest > 0 ? $"…and {rest:N0} more" : "all listed").Append(link);
        return text.ToString();
    }

    /// <summary>The generic webhook's JSON body.</summary>
    public string WebhookJson()
    {
        var body = new JsonObject
        {
            ["type"] = IsDigest ? "fraud_digest" : "fraud",
            ["count"] = Count,
            ["total_amount"] = Math.Round(TotalAmount, 2),
            ["text"] = SlackText(),
            ["dashboard"] = Dashboard?.ToString(),
            ["alerts"] = new JsonArray([.. Alerts.Select(a => (JsonNode)new JsonObject
            {
                ["transaction_id"] = a.TransactionId,
                ["amount"] = a.Amount,
                ["currency"] = a.Currency,
                ["customer_id"] = a.Customer,
                ["terminal_id"] = a.Terminal,
                ["source"] = a.Source,
                ["target"] = a.Target,
                ["timestamp"] = a.Timestamp,
                ["score"] = a.Score,
                ["reasons"] = new JsonArray([.. a.Reasons.Select(r => (JsonNode)new JsonObject { ["code"] = r.Code, ["text"] = r.Text })]),
                ["versions"] = new JsonObject { ["rules"] = a.RulesVersion, ["model"] = a.ModelVersion },
            })]),
        };
        return body.ToJsonString();
    }
}
