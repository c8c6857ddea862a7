using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vigil.Alerts;

/// <summary>How one send went: delivered, asked to wait (HTTP 429), failed for now (retry), or refused for good.</summary>
public readonly record struct SendResult(SendOutcome Outcome, string? Problem = null, TimeSpan RetryAfter = default)
{
    public static SendResult Delivered => new(SendOutcome.Delivered);

    public static SendResult Failed(string problem) => new(SendOutcome.Failed, problem);

    public static SendResult Refused(string problem) => new(SendOutcome.Refused, problem);

    public static SendResult Limited(TimeSpan retryAfter) => new(SendOutcome.RateLimited, "rate limited", retryAfter);

    /// <summary>Reads an HTTP answer: 2xx delivered, 429 waits (Retry-After, else 1 s), 408 and 5xx retried, other 4xx refused.</summary>
    public static SendResult Of(HttpResponseMessage response, string body)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        return status switch
        {
            >= 200 and < 300 => Delivered,
            429 => Limited(RetryAfterOf(response)),
            408 or >= 500 => Failed($"HTTP {status}"),
            _ => Refused($"HTTP {status} {Short(body)}".TrimEnd()),
        };
    }

    public static TimeSpan RetryAfterOf(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => TimeSpan.FromSeconds(1),
        };
    }

    private static string Short(string body) => body.Length <= 80 ? body : body[..80] + "…";
}

public enum SendOutcome
{
    Delivered,
    RateLimited,
    Failed,
    Refused,
}

/// <summary>Where alerts go. <see cref="Name"/> is safe to log: it never holds a token, a secret or a webhook's path.</summary>
public interface IAlertSink
{
    string Name { get; }

    /// <summary>The least time between two messages (Slack allows about one a second per channel).</summary>
    TimeSpan MinInterval { get; }

    Task<SendResult> SendAsync(AlertMessage message, CancellationToken cancellationToken);
}

/// <summary>Slack's Web API <c>chat.postMessage</c>, authenticated with a bot token (<c>SLACK_API_TOKEN</c>).</summary>
public sealed class SlackApiSink(HttpClient http, Uri apiBase, string token, string channel) : IAlertSink
{
    public string Name => $"slack {channel} (chat.postMessage at {apiBase.Host})";

    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<SendResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(apiBase.ToString().TrimEnd('/') + "/chat.postMessage"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var body = new JsonObject { ["channel"] = channel, ["text"] = message.SlackText(), ["unfurl_links"] = false };
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var result = SendResult.Of(response, text);
        if (result.Outcome != SendOutcome.Delivered)
        {
            return result;
        }

        // The Web API answers 200 with {"ok":false,"error":"channel_not_found"} when it refuses.
        try
        {
            using var answer = JsonDocument.Parse(text);
            var root = answer.RootElement;
            if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
            {
                return SendResult.Delivered;
            }

            var error = root.TryGetProperty("error", out var e) ? e.GetString() ?? "unknown error" : "unknown error";
            return error == "ratelimited" ? SendResult.Limited(SendResult.RetryAfterOf(response)) : SendResult.Refused($"Slack said {error}");
        }
        catch (JsonException)
        {
            return SendResult.Failed("Slack's answer is not JSON");
        }
    }
}

/// <summary>A Slack incoming webhook (<c>SLACK_WEBHOOK_URL</c>); its URL is a secret and is never logged.</summary>
public sealed class SlackWebhookSink(HttpClient http, Uri url) : IAlertSink
{
    public string Name => $"slack webhook at {url.Host}";

    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<SendResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var content = new StringContent(new JsonObject { ["text"] = message.SlackText() }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(url, content, cancellationToken);
        return SendResult.Of(response, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}

/// <summary>
/// A generic webhook: the message as JSON (<see cref="AlertMessage.WebhookJson"/>). With a secret, it is signed:
/// <c>X-Vigil-Timestamp</c> holds Unix seconds and <c>X-Vigil-Signature</c> <c>sha256=</c> and the hex HMAC-SHA256 of
/// <c>TIMESTAMP.BODY</c>, so a receiver can check both who sent it and that it is not replayed.
/// </summary>
public sealed class WebhookSink(HttpClient http, Uri url, string? secret, TimeProvider? clock = null) : IAlertSink
{
    public const string SignatureHeader = "X-Vigil-Signature";
    public const string TimestampHeader = "X-Vigil-Timestamp";

    public string Name => $"webhook {url.Scheme}://{url.Authority}{(secret is null ? string.Empty : " (signed)")}";

    /// <summary>Webhooks take messages as fast as they answer; a digest forms only while one is in flight or retried.</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.Zero;

    public async Task<SendResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = message.WebhookJson();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            var timestamp = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.Add(TimestampHeader, timestamp);
            request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
        }

        using var response = await http.SendAsync(request, cancellationToken);
        return SendResult.Of(response, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>The signature header's value for a body sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}

/// <summary>Alerts as lines of text (the console of <c>vigil alert</c>).</summary>
public sealed class ConsoleSink(Action<string> write) : IAlertSink
{
    public string Name => "console";

    public TimeSpan MinInterval => TimeSpan.Zero;

    public Task<SendResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        write(message.PlainText());
        return Task.FromResult(SendResult.Delivered);
    }
}
