using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Vigil.Cli.Tests.Commands;
using Vigil.Runtime.Pipeline;
using Vigil.Testing;

namespace Vigil.Cli.Tests.Services;

/// <summary><c>/metrics</c> scraped while the services run, parsed as Prometheus parses it, and checked against what they did.</summary>
public sealed class MetricsTests
{
    private static readonly TopicOptions Topics = new();

    [Fact]
    public async Task A_detectors_metrics_count_its_decisions_dead_letters_by_code_latency_and_lag_per_partition()
    {
        using var cluster = MockClusters.WithVigilTopics(partitions: 2);
        var broken = BrokenRecords.All.Where(r => r.Code is not null && r.Value.Length < 100_000).ToList();
        var legit = 40;
        var fraud = 7;
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var i = 0; i < legit + fraud; i++)
            {
                var amount = i < legit ? 12.5 : 5000;
                await producer.ProduceAsync(Topics.Transactions, new() { Key = Encoding.UTF8.GetBytes($"c{i}"), Value = Encoding.UTF8.GetBytes($$"""{"transaction_id":"t{{i}}","customer_id":"c{{i}}","amount":{{amount}}}"""), Timestamp = new Timestamp(now, TimestampType.CreateTime) });
            }

            foreach (var (_, value, _) in broken)
            {
                await producer.ProduceAsync(Topics.Transactions, new() { Key = "x"u8.ToArray(), Value = value });
            }
        }

        var total = legit + fraud + broken.Count;
        var port = LoopbackPorts.Free();
        using var stop = new CancellationTokenSource();
        var detect = CliRunner.RunAsync(["detect", "--kafka", cluster.BootstrapServers, "--metrics-port", port.ToString(CultureInfo.InvariantCulture)], stop: stop.Token);
        PrometheusText? scraped = null;
        try
        {
            // The lag of each partition is measured once a second: the scrape waits for the first measurement too.
            scraped = await ScrapeUntilAsync(port, m => m.Find("vigil_records_out_total", $"topic={Topics.DeadLetter}") == broken.Count
                && m.Find("vigil_decisions_total", "outcome=legit") + m.Find("vigil_decisions_total", "outcome=fraud") == legit + fraud
                && m.Samples("vigil_consumer_lag_records").Count == 2);
        }
        finally
        {
            await stop.CancelAsync();
        }

        var (exitCode, output, error) = await detect;
        Assert.True(exitCode == 0, error + output);
        Assert.NotNull(scraped);
        Assert.Equal(total, scraped.Value("vigil_records_in_total", $"topic={Topics.Transactions}"));
        Assert.Equal(legit, scraped.Value("vigil_decisions_total", "outcome=legit"));
        Assert.Equal(fraud, scraped.Value("vigil_decisions_total", "outcome=fraud"));
        Assert.Equal(legit, scraped.Value("vigil_records_out_total", $"topic={Topics.Legit}"));
        Assert.Equal(fraud, scraped.Value("vigil_records_out_total", $"topic={Topics.Fraud}"));
        foreach (var code in broken.GroupBy(r => r.Code!))
        {
            Assert.Equal(code.Count(), scraped.Value("vigil_dead_letters_total", $"code={code.Key}"));
        }

        Assert.Equal(broken.Count, scraped.Samples("vigil_dead_letters_total").Sum(s => s.Value));
        Assert.Equal("histogram", scraped.Types["vigil_decision_latency_seconds"]);
        Assert.Equal(legit + fraud, scraped.Value("vigil_decision_latency_seconds_count"));
        Assert.Equal(legit + fraud, scraped.Value("vigil_decision_latency_seconds_bucket", "le=+Inf"));
        Assert.Equal(legit + fraud, scraped.Value("vigil_decision_score_count"));
        Assert.Equal(fraud, scraped.Value("vigil_decision_score_count") - scraped.Value("vigil_decision_score_bucket", "le=0.9"));
        Assert.Equal(["0", "1"], scraped.Samples("vigil_consumer_lag_records", $"topic={Topics.Transactions}").Select(s => s.Labels["partition"]).Order());
        Assert.Equal(1, scraped.Value("vigil_rules_info", "version=builtin:amount>=900"));
        Assert.Equal(1, scraped.Value("vigil_build_info", "service=detect"));
        Assert.Contains($"{total:N0} processed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_demo_without_its_dashboard_serves_its_metrics_and_probes_on_the_operations_port()
    {
        var port = LoopbackPorts.Free();
        var demo = CliRunner.RunAsync(["demo", "--no-dashboard", "--rate", "2000", "--count", "4000", "--seed", "5", "--metrics-port", port.ToString(CultureInfo.InvariantCulture)]);

        var scraped = await ScrapeUntilAsync(port, m => m.Find("vigil_records_in_total", $"topic={Topics.Transactions}") > 0);
        using (var client = new HttpClient())
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).StatusCode);
        }

        var (exitCode, output, error) = await demo;
        Assert.True(exitCode == 0, error + output);
        Assert.Equal(1, scraped.Value("vigil_build_info", "service=demo"));
        Assert.Equal("histogram", scraped.Types["vigil_decision_latency_seconds"]);
        Assert.Contains($"operations: http://127.0.0.1:{port}/ · GET /healthz, /readyz, /metrics", output, StringComparison.Ordinal);
    }

    /// <summary>Scrapes <c>/metrics</c> every 100 ms (at most 30 s) until <paramref name="done"/> holds; returns that scrape.</summary>
    public static async Task<PrometheusText> ScrapeUntilAsync(int port, Func<PrometheusText, bool> done, string? key = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", key);
        }

        PrometheusText? last = null;
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("metrics", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
                    last = new PrometheusText(await response.Content.ReadAsStringAsync());
                    if (done(last))
                    {
                        return last;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the metrics never showed what was expected; last scrape: " + (last is null ? "none" : string.Join(", ", last.Types.Keys)));
    }
}
