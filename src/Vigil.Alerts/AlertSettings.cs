namespace Vigil.Alerts;

/// <summary>
/// Where alerts go: Slack through chat.postMessage (<c>SLACK_API_TOKEN</c> and
/// <c>--slack-channel</c>) or an incoming webhook (<c>--slack-webhook</c>, <c>SLACK_WEBHOOK_URL</c>), a generic webhook
/// (<c>--webhook</c>, signed with <c>--webhook-secret</c> or <c>WEBHOOK_SECRET</c>) and the console. Tokens, secrets and
/// webhook URLs never appear in messages.
/// </summary>
public sealed record AlertSettings(
    Uri? SlackWebhook, string? SlackToken, string? SlackChannel, Uri SlackApiUrl, Uri? Webhook, string? WebhookSecret, bool Console, Uri? DashboardUrl)
{
    public static readonly Uri SlackApi = new("https://slack.com/api/");

    public bool Any => SlackWebhook is not null || SlackChannel is not null || Webhook is not null || Console;

    /// <summary>The sinks these settings name, sharing one HTTP client.</summary>
    public IReadOnlyList<IAlertSink> Sinks(HttpClient http, Action<string> write)
    {
        var sinks = new List<IAlertSink>();
        if (SlackChannel is not null)
        {
            sinks.Add(new SlackApiSink(http, SlackApiUrl, SlackToken!, SlackChannel));
        }

        if (SlackWebhook is not null)
        {
            sinks.Add(new SlackWebhookSink(http, SlackWebhook));
        }

        if (Webhook is not null)
        {
            sinks.Add(new WebhookSink(http, Webhook, WebhookSecret));
        }

        if (Console)
        {
            sinks.Add(new ConsoleSink(write));
        }

        return sinks;
    }
}
