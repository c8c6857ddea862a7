using Vigil.Alerts;
using Vigil.Cli.Configuration;

namespace Vigil.Cli.Alerts;

/// <summary>
/// Reads <see cref="AlertSettings"/> from section <c>Alerts</c>: Slack (<c>SLACK_API_TOKEN</c> and
/// <c>--slack-channel</c>, or <c>--slack-webhook</c>, <c>SLACK_WEBHOOK_URL</c>), a generic webhook (<c>--webhook</c>,
/// <c>--webhook-secret</c> or <c>WEBHOOK_SECRET</c>) and the console. Errors name the setting, never its value.
/// </summary>
public static class AlertConfiguration
{
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
            Url(configuration, "Alerts:SlackApiUrl") ?? AlertSettings.SlackApi,
            webhook,
            secret,
            read.Flag("Alerts:Console", console),
            Url(configuration, "Alerts:DashboardUrl"));
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
