using Vigil.Cli.Configuration;
using Vigil.Runtime.Alerts;

namespace Vigil.Cli.Alerts;

/// <summary>
/// Where alerts go (section <c>Alerts</c>): Slack through chat.postMessage (<c>SLACK_API_TOKEN</c> and
/// <c>--slack-channel</c>) or an incoming webhook (<c>--slack-webhook</c>, <c>SLACK_WEBHOOK_URL</c>), a generic webhook
/// (<c>--webhook</c>, signed with <c>--webhook-secret</c> or <c>WEBHOOK_SECRET</c>) and the console. Tokens, secrets and
/// webhook URLs never appear in messages: errors name the setting, not its value.
/// </summary>
public sealed record AlertSettings(
    Uri? SlackWebhook, string? SlackToken, string? SlackChannel, Uri SlackApiUrl, Uri? Webhook, string? WebhookSecret, bool Console, Uri? DashboardUrl)
{
    public static readonly Uri SlackApi = new("https://slack.com/api/");

    public bool Any => SlackWebhook is not null || SlackChannel is not null || Webhook is not null || Console;

    /// <param name="console">Whether the console gets alerts unless told otherwise (vigil alert: yes; vigil demo: no, it shows its status).</param>
    public static AlertSettings Read(LayeredConfiguration configuration, bool console)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var channel = read.OptionalText("Alerts:SlackChannel");
        var token = read.OptionalText("Alerts:SlackToken");
        if (channel is not null && token is null)
        {
            throw new UsageException("--slack-channel posts with a Slack bot token: set SLACK_API_TOKEN (or use --slack-webhook URL)");
        }

        var webhook = Url(configuration, "Alerts:Webhook");
        var secret = read.OptionalText("Alerts:WebhookSecret");
        if (secret is not null && webhook is null && configuration.Origin("Alerts:WebhookSecret").StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException("--webhook-secret signs the generic webhook's messages: give --webhook URL too");
        }

        return new AlertSettings(
            Url(configuration, "Alerts:SlackWebhook"),
            token,
            channel,
            Url(configuration, "Alerts:SlackApiUrl") ?? SlackApi,
            webhook,
            secret,
            read.Flag("Alerts:Console", console),
            Url(configuration, "Alerts:DashboardUrl"));
    }

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

    /// <summary>An http(s) URL; the error names the setting and never echoes the value, which may hold a secret.</summary>
    private static Uri? Url(LayeredConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new UsageException($"invalid {configuration.Origin(key)}: expected an http:// or https:// URL");
    }
}
