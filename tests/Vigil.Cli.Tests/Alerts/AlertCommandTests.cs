using System.Globalization;
using System.Collections;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Vigil.Alerts;
using Vigil.Cli.Tests.Commands;
using Vigil.Kafka.Mock;
using Vigil.Runtime.Pipeline;
using Vigil.Testing;

namespace Vigil.Cli.Tests.Alerts;

public sealed class AlertCommandTests() : TempDirectoryTest("vigil-alerts-")
{
    private const string Token = "xoxb-demo-token-0000";
    private const string Secret = "hmac-secret-1111";

    [Fact]
    public async Task The_demo_alerts_slack_and_a_signed_webhook_for_every_fraud_without_printing_secrets()
    {
        using var slack = new FakeHttpServer("""{"ok":true}""");
        using var webhook = new FakeHttpServer();
        var output = Path.Combine(Directory, "out");
        var environment = new Hashtable { ["SLACK_API_TOKEN"] = Token, ["WEBHOOK_SECRET"] = Secret };

        var (exitCode, stdout, error) = await CliRunner.RunAsync(
            ["demo", "--count", "3000", "--seed", "1", "--rate", "max", "--threshold", "150", "--no-dashboard", "--out", output,
             "--slack-channel", "#fraud", "--slack-api-url", slack.Url.ToString(), "--webhook", new Uri(webhook.Url, "hook").ToString()],
            environment);

        Assert.True(exitCode == 0, error + stdout);
        var frauds = File.ReadAllLines(Path.Combine(output, "streaming.transactions.fraud.jsonl")).Length;
        Assert.True(frauds > 1, $"{frauds} frauds");
        var hooks = webhook.Received();
        Assert.Equal(frauds, hooks.Sum(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("count").GetInt32()));
        Assert.All(hooks, r => Assert.Equal(
            WebhookSink.Sign(Secret, r.Headers[WebhookSink.TimestampHeader], r.Body), r.Headers[WebhookSink.SignatureHeader]));
        var posts = slack.Received();
        Assert.NotEmpty(posts);
        Assert.All(posts, p => Assert.Equal($"Bearer {Token}", p.Headers["Authorization"]));
        Assert.Matches(@":rotating_light: \*([\d,]+ frauds|Fraud)\*", JsonDocument.Parse(posts[0].Body).RootElement.GetProperty("text").GetString());
        Assert.Contains($"{frauds:N0} frauds alerted · 0 duplicates dropped", stdout, StringComparison.Ordinal);
        Assert.Matches($@"slack #fraud \(chat\.postMessage at 127\.0\.0\.1\): {frauds:N0} delivered in {posts.Count} messages", stdout);
        Assert.DoesNotContain(Token, stdout + error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stdout + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vigil_alert_reads_the_fraud_topic_and_alerts_each_transaction_once()
    {
        using var cluster = new MockCluster();
        var topics = new TopicOptions();
        cluster.CreateTopic(topics.Fraud, partitions: 2);
        using var webhook = new FakeHttpServer();
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            for (var i = 0; i < 40; i++)
            {
                // Nine transactions decided again and again (as after restarts), 30 duplicates in all, then a tenth. One key
                // keeps them in order on one partition, so once the tenth is alerted every duplicate has been read.
                var id = i < 39 ? i % 9 : 9;
                var record = $$"""{"transaction_id":"t-{{id}}","amount":{{900 + id}},"customer_id":"c1","terminal_id":"x9","vigil":{"fraud":true,"score":1,"reasons":[{"code":"large","text":"amount >= 900"}],"versions":{"rules":"r1"}""" + "}}";
                await producer.ProduceAsync(topics.Fraud, new Message<byte[], byte[]> { Key = "k"u8.ToArray(), Value = Encoding.UTF8.GetBytes(record) });
            }
        }

        using var stop = new CancellationTokenSource();
        var port = LoopbackPorts.Free();
        var alerting = CliRunner.RunAsync(
            ["alert", "--kafka", cluster.BootstrapServers, "--webhook", webhook.Url.ToString(), "--dashboard-url", "http://127.0.0.1:9000/", "--metrics-port", port.ToString(CultureInfo.InvariantCulture)],
            stop: stop.Token);
        for (var i = 0; i < 300 && !webhook.Received().Any(r => r.Body.Contains("\"t-9\"", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }

        var channel = $"webhook http://{webhook.Url.Authority}";
        var metrics = await Services.MetricsTests.ScrapeUntilAsync(port, m => m.Find("vigil_alerts_delivered_total", $"channel={channel}") == 10);
        await stop.CancelAsync();
        var (exitCode, stdout, error) = await alerting;

        Assert.True(exitCode == 0, error + stdout);
        var alerts = webhook.Received().SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts").EnumerateArray()).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"t-{i}").Order(), alerts.Select(a => a.GetProperty("transaction_id").GetString()).Order());
        Assert.Equal("http://127.0.0.1:9000/", JsonDocument.Parse(webhook.Received()[0].Body).RootElement.GetProperty("dashboard").GetString());
        Assert.Contains("10 frauds alerted · 30 duplicates dropped", stdout, StringComparison.Ordinal);
        Assert.Equal(40, metrics.Value("vigil_alerts_received_total"));
        Assert.Equal(30, metrics.Value("vigil_alerts_duplicates_total"));
        Assert.Equal(0, metrics.Value("vigil_alert_failures_total", $"channel={channel}"));
        Assert.Equal(1, metrics.Value("vigil_build_info", "service=alert"));
        // The console got them alone or, when they came faster than it sends, in a digest: either way with who, where and why.
        Assert.Matches(
            @"Fraud · 90\d\.00 · score 1\ncustomer c1 → terminal x9 · transaction t-\d\nReasons: large \(amount >= 900\)|• 90\d\.00 · customer c1 → terminal x9 · score 1 · large\n",
            stdout + error);
    }

    [Theory]
    [InlineData(new[] { "alert", "--kafka", "127.0.0.1:1", "--alert-console", "false" }, "vigil alert has nowhere to send")]
    [InlineData(new[] { "demo", "--slack-channel", "#fraud", "--no-dashboard" }, "--slack-channel posts with a Slack bot token: set SLACK_API_TOKEN")]
    [InlineData(new[] { "demo", "--webhook", "ftp://user:topsecret@host/", "--no-dashboard" }, "invalid --webhook: expected an http:// or https:// URL")]
    [InlineData(new[] { "demo", "--webhook-secret", "topsecret", "--no-dashboard" }, "--webhook-secret signs the generic webhook's messages: give --webhook URL too")]
    public async Task Bad_alert_settings_are_one_line_and_exit_code_2_without_the_secret(string[] args, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(args, new Hashtable());

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", error, StringComparison.Ordinal);
    }
}
