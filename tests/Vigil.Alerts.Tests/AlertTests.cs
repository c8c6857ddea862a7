using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigil.Alerts;
using Vigil.Testing;

namespace Vigil.Alerts.Tests;

public sealed class AlertTests : IDisposable
{
    private const string Token = "xoxb-secret-token-1234";
    private const string Secret = "webhook-secret-5678";
    private static readonly Uri Dashboard = new("http://127.0.0.1:8080/");
    private static readonly AlertOptions Fast = new() { FirstBackoff = TimeSpan.FromMilliseconds(20), DrainTimeout = TimeSpan.FromSeconds(20) };
    /// <summary>.NET's timers read the kernel's coarse clock, so a delay may end up to one tick (4 or 10 ms) early.</summary>
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<string> _log = [];

    public void Dispose() => _http.Dispose();

    private static byte[] Record(int id, double amount = 950, double score = 1) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $$$"""{"transaction_id":"t-{{{id}}}","timestamp":"2018-04-01T00:03:21Z","customer_id":2167,"terminal_id":9465,"amount":{{{amount}}},"currency":"EUR","vigil":{"fraud":true,"score":{{{score}}},"reasons":[{"code":"large","text":"amount >= 900"},{"code":"model:tx_amount","text":"tx_amount = 950","contribution":2.5}],"versions":{"rules":"demo-1:ab12cd34","model":"gbt-1234abcd"},"latency_us":3.1,"input":{"partition":1,"offset":{{{id}}}""") + "}}}");

    private async Task<AlertDispatcher> RunAsync(IAlertSink sink, Func<AlertDispatcher, Task> feed, AlertOptions? options = null)
    {
        using var dispatcher = new AlertDispatcher([sink], options ?? Fast, new ListLogger(_log), Dashboard);
        var running = dispatcher.RunAsync();
        await feed(dispatcher);
        await dispatcher.CompleteAsync(running);
        Assert.True(running.IsCompletedSuccessfully, "the channels drained");
        return dispatcher;
    }

    private static void AssertApart(FakeHttpServer.Request first, FakeHttpServer.Request second, TimeSpan wait, string what)
    {
        var apart = second.At - first.At;
        Assert.True(apart >= wait - TimerSlack, $"{what}: {apart.TotalMilliseconds:F1} ms apart, expected {wait.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Slack_chat_post_message_gets_a_readable_alert_with_the_bearer_token()
    {
        using var slack = new FakeHttpServer("""{"ok":true}""");

        var dispatcher = await RunAsync(new SlackApiSink(_http, new Uri(slack.Url, "api/"), Token, "#fraud"), d =>
        {
            Assert.True(d.Offer(Record(1)));
            return Task.CompletedTask;
        });

        var request = Assert.Single(slack.Received());
        Assert.Equal("/api/chat.postMessage", request.Path);
        Assert.Equal($"Bearer {Token}", request.Headers["Authorization"]);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("#fraud", body.GetProperty("channel").GetString());
        Assert.Equal("""
            :rotating_light: *Fraud* · 950.00 EUR · score 1
            customer 2167 → terminal 9465 · transaction t-1 at 2018-04-01T00:03:21Z
            Reasons: large (amount >= 900); model:tx_amount (tx_amount = 950)
            rules demo-1:ab12cd34 · model gbt-1234abcd · <http://127.0.0.1:8080/|dashboard>
            """, body.GetProperty("text").GetString());
        Assert.Equal(new AlertChannelStatus("slack #fraud (chat.postMessage at 127.0.0.1)", 1, 1, 0, 0, 0, 0), dispatcher.Channels[0].Status());
    }

    [Fact]
    public async Task Alerts_faster_than_the_rate_limit_become_one_digest_per_interval_and_duplicates_are_dropped()
    {
        using var slack = new FakeHttpServer("""{"ok":true}""");
        var sink = new SlackApiSink(_http, slack.Url, Token, "#fraud") { MinInterval = TimeSpan.FromMilliseconds(300) };

        var dispatcher = await RunAsync(sink, async d =>
        {
            d.Offer(Record(0));
            await slack.WaitForAsync(1);
            for (var i = 1; i <= 30; i++)
            {
                d.Offer(Record(i, amount: 900 + i, score: 0.5 + (i / 100.0)));
                d.Offer(Record(i));
            }
        });

        var requests = slack.Received();
        Assert.Equal(2, requests.Count);
        AssertApart(requests[0], requests[1], TimeSpan.FromMilliseconds(300), "one message per interval");
        var digest = JsonDocument.Parse(requests[1].Body).RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith(":rotating_light: *30 frauds* · 27,465.00 in all · highest score 0.8\n• 930.00 EUR · customer 2167 → terminal 9465 · score 0.8 · large\n", digest, StringComparison.Ordinal);
        Assert.Contains("…and 25 more · <http://127.0.0.1:8080/|dashboard>", digest, StringComparison.Ordinal);
        Assert.Equal((61L, 30L, 0L), dispatcher.Counts());
        Assert.Equal(new AlertChannelStatus(sink.Name, 2, 31, 1, 0, 0, 0), dispatcher.Channels[0].Status());
    }

    [Fact]
    public async Task Http_429_waits_for_retry_after_and_failures_are_retried_with_backoff()
    {
        using var slack = new FakeHttpServer();
        slack.Answer(429, "rate limited", retryAfter: "1");
        slack.Answer(500);
        slack.Answer(503);

        var dispatcher = await RunAsync(new SlackWebhookSink(_http, new Uri(slack.Url, "services/T000/B000/XXXX")), d =>
        {
            d.Offer(Record(1));
            return Task.CompletedTask;
        }, Fast with { FirstBackoff = TimeSpan.FromMilliseconds(100) });

        var requests = slack.Received();
        Assert.Equal(4, requests.Count);
        AssertApart(requests[0], requests[1], TimeSpan.FromSeconds(1), "Retry-After: 1 is honoured");
        AssertApart(requests[1], requests[2], TimeSpan.FromMilliseconds(100), "the first backoff is waited");
        AssertApart(requests[2], requests[3], TimeSpan.FromMilliseconds(200), "the backoff doubles");
        Assert.All(requests, r => Assert.Equal("/services/T000/B000/XXXX", r.Path));
        Assert.StartsWith(":rotating_light: *Fraud*", JsonDocument.Parse(requests[3].Body).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(new AlertChannelStatus("slack webhook at 127.0.0.1", 1, 1, 0, 2, 1, 0), dispatcher.Channels[0].Status());
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_is_given_up_after_the_attempts_with_a_line_that_holds_no_secret()
    {
        using var webhook = new FakeHttpServer();
        for (var i = 0; i < 5; i++)
        {
            webhook.Answer(502);
        }

        var sink = new WebhookSink(_http, new Uri(webhook.Url, "hooks/" + Secret), Secret);
        var dispatcher = await RunAsync(sink, d =>
        {
            d.Offer(Record(1));
            return Task.CompletedTask;
        });

        Assert.Equal(5, webhook.Received().Count);
        Assert.Equal(new AlertChannelStatus($"webhook {webhook.Url.Scheme}://{webhook.Url.Authority} (signed)", 0, 0, 0, 4, 0, 1), dispatcher.Channels[0].Status());
        var line = Assert.Single(_log);
        Assert.Equal($"alerts to {sink.Name}: 1 alert not delivered, failed 5 times: HTTP 502", line);
        Assert.DoesNotContain(Secret, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_still_held_when_the_drain_times_out_are_counted_as_not_delivered()
    {
        using var webhook = new FakeHttpServer();
        for (var i = 0; i < 5; i++)
        {
            webhook.Answer(500);
        }

        var sink = new WebhookSink(_http, webhook.Url, secret: null);
        using var dispatcher = new AlertDispatcher([sink], Fast with { FirstBackoff = TimeSpan.FromSeconds(30), DrainTimeout = TimeSpan.FromMilliseconds(300) }, new ListLogger(_log));
        var running = dispatcher.RunAsync();
        dispatcher.Offer(Record(1));
        await webhook.WaitForAsync(1);
        dispatcher.Offer(Record(2));
        dispatcher.Offer(Record(3));

        await dispatcher.CompleteAsync(running);

        Assert.True(running.IsCompletedSuccessfully);
        Assert.Equal(3, dispatcher.Channels[0].Status().Lost);
        Assert.Equal($"alerts to {sink.Name}: stopped with 3 alerts not sent", Assert.Single(_log));
    }

    [Fact]
    public async Task Slack_refusals_are_not_retried()
    {
        using var slack = new FakeHttpServer("""{"ok":false,"error":"channel_not_found"}""");

        await RunAsync(new SlackApiSink(_http, slack.Url, Token, "#nowhere"), d =>
        {
            d.Offer(Record(1));
            return Task.CompletedTask;
        });

        Assert.Single(slack.Received());
        Assert.Equal("alerts to slack #nowhere (chat.postMessage at 127.0.0.1): 1 alert not delivered, refused: Slack said channel_not_found", Assert.Single(_log));
        Assert.DoesNotContain(Token, _log[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_webhook_gets_json_signed_with_hmac_sha256_over_timestamp_and_body()
    {
        using var webhook = new FakeHttpServer();

        await RunAsync(new WebhookSink(_http, webhook.Url, Secret), d =>
        {
            d.Offer(Record(7));
            return Task.CompletedTask;
        });

        var request = Assert.Single(webhook.Received());
        var timestamp = request.Headers[WebhookSink.TimestampHeader];
        Assert.InRange(long.Parse(timestamp, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{timestamp}.{request.Body}")));
        Assert.Equal($"sha256={expected}", request.Headers[WebhookSink.SignatureHeader]);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("fraud", body.GetProperty("type").GetString());
        Assert.Equal(1, body.GetProperty("count").GetInt32());
        var alert = body.GetProperty("alerts")[0];
        Assert.Equal("t-7", alert.GetProperty("transaction_id").GetString());
        Assert.Equal(950, alert.GetProperty("amount").GetDouble());
        Assert.Equal("large", alert.GetProperty("reasons")[0].GetProperty("code").GetString());
        Assert.Equal("gbt-1234abcd", alert.GetProperty("versions").GetProperty("model").GetString());
        Assert.Equal("http://127.0.0.1:8080/", body.GetProperty("dashboard").GetString());
    }

    [Fact]
    public async Task An_unsigned_webhook_has_no_signature_and_a_full_queue_is_counted_into_the_digest()
    {
        using var webhook = new FakeHttpServer();
        webhook.Answer(503);

        var dispatcher = await RunAsync(new WebhookSink(_http, webhook.Url, secret: null), async d =>
        {
            d.Offer(Record(0));
            await webhook.WaitForAsync(1);
            for (var i = 1; i <= 50; i++)
            {
                d.Offer(Record(i));
            }
        }, Fast with { MaxPending = 5, FirstBackoff = TimeSpan.FromMilliseconds(300) });

        var requests = webhook.Received();
        Assert.All(requests, r => Assert.False(r.Headers.ContainsKey(WebhookSink.SignatureHeader)));
        var last = JsonDocument.Parse(requests[^1].Body).RootElement;
        Assert.Equal(51, requests.Sum(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("count").GetInt32()) - 1);
        Assert.True(last.GetProperty("alerts").GetArrayLength() <= 5);
        Assert.Equal("fraud_digest", last.GetProperty("type").GetString());
        Assert.Equal(51, dispatcher.Channels[0].Status().Delivered);
    }

    /// <summary>A sink that answers nothing until released: as a receiver that hangs.</summary>
    private sealed class StuckSink : IAlertSink
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<AlertMessage> Messages { get; } = [];

        public string Name => "stuck";

        public TimeSpan MinInterval => TimeSpan.Zero;

        public async Task<SendResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            Messages.Add(message);
            return SendResult.Delivered;
        }
    }

    [Fact]
    public async Task A_receiver_that_hangs_never_holds_offers_back_and_its_queue_stays_bounded()
    {
        var sink = new StuckSink();
        using var dispatcher = new AlertDispatcher([sink], Fast with { MaxPending = 100 }, new ListLogger(_log));
        var running = dispatcher.RunAsync();

        // 100,000 offers while the receiver holds the first message: each returns at once.
        Assert.True(dispatcher.Offer(Record(0)));
        await sink.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 1; i < 100_000; i++)
        {
            Assert.True(dispatcher.Offer(Record(i)));
        }

        sink.Release.SetResult();
        await dispatcher.CompleteAsync(running);

        Assert.True(running.IsCompletedSuccessfully);
        Assert.Equal(2, sink.Messages.Count);
        Assert.Equal(1, sink.Messages[0].Count);
        Assert.Equal(99_999, sink.Messages[1].Count);
        Assert.Equal(100, sink.Messages[1].Alerts.Count);
        Assert.Equal(99_999 * 950, sink.Messages[1].TotalAmount, 6);
        Assert.Equal(100_000, dispatcher.Channels[0].Status().Delivered);
    }

    [Fact]
    public void Records_that_are_not_decisions_are_counted_and_the_seed_format_names_source_and_target()
    {
        using var dispatcher = new AlertDispatcher([], Fast, new ListLogger());

        Assert.False(dispatcher.Offer("not json"u8));
        Assert.False(dispatcher.Offer("""{"amount":1}"""u8));
        Assert.Equal((2L, 0L, 2L), dispatcher.Counts());
        var seed = Alert.TryParse("""{"source":"a1","target":"b2","amount":1200,"currency":"USD","vigil":{"score":1,"reasons":[],"input":{"partition":0,"offset":9}}}"""u8)!;
        Assert.Equal("a1 → b2", seed.Parties);
        Assert.Equal("input 0@9", seed.Key);
        Assert.True(Alert.TryReadKey("""{"source":"a1","x":{"vigil":1},"amount":1200,"vigil":{"score":1,"reasons":[{"input":2}],"input":{"partition":0,"offset":9}},"z":[1]}"""u8, out var key, out var amount));
        Assert.Equal(("input 0@9", 1200.0), (key, amount));
        Assert.True(Alert.TryReadKey(Record(42), out key, out amount));
        Assert.Equal(("t-42", 950.0), (key, amount));
        Assert.True(Alert.TryReadKey("""{"transaction_id":17,"amount":3,"vigil":{}}"""u8, out key, out _));
        Assert.Equal("17", key);
        Assert.False(Alert.TryReadKey("""{"amount":3,"features":{"vigil":{}}}"""u8, out _, out _));
        Assert.False(Alert.TryReadKey("""{"amount":3,"vigil":{"score":"""u8, out _, out _));
    }
}
