using System.Net;
using System.Text;
using Vigil.Models;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Testing;
using Vigil.Web.Metrics;
using Vigil.Web.Scoring;

namespace Vigil.Web.Tests.Metrics;

public sealed class ServiceMetricsTests
{
    [Fact]
    public async Task A_kept_histogram_is_observed_by_what_each_bucket_gained_since_the_last_scrape_never_below_its_latency()
    {
        var latency = new LatencyHistogram();
        var metrics = new ServiceMetrics("test");
        metrics.Histogram("test_latency_seconds", "test", [0.001, 0.01], () => (latency.CountsBetween([1_000_000, 10_000_000]), latency.MaxNanoseconds / 1e9));
        latency.Record(500_000); // 0.5 ms
        latency.Record(1_500_000); // 1.5 ms

        var first = new PrometheusText(await metrics.ScrapeAsync());
        latency.Record(2_000_000_000); // 2 s: past the last bound
        latency.Record(900_000);
        var second = new PrometheusText(await metrics.ScrapeAsync());
        var third = new PrometheusText(await metrics.ScrapeAsync());

        Assert.Equal(1, first.Value("test_latency_seconds_bucket", "le=0.001"));
        Assert.Equal(2, first.Value("test_latency_seconds_bucket", "le=0.01"));
        Assert.Equal(2, first.Value("test_latency_seconds_count"));
        Assert.Equal(2, second.Value("test_latency_seconds_bucket", "le=0.001"));
        Assert.Equal(3, second.Value("test_latency_seconds_bucket", "le=0.01"));
        Assert.Equal(4, second.Value("test_latency_seconds_bucket", "le=+Inf"));
        Assert.Equal(4, third.Value("test_latency_seconds_count"));

        // Each observation is its bucket's upper bound: the sum never understates.
        Assert.True(third.Value("test_latency_seconds_sum") >= 0.0005 + 0.0015 + 2 + 0.0009);
    }

    [Fact]
    public async Task Histograms_scraped_while_a_worker_records_count_each_recording_once_in_its_bucket()
    {
        // A scrape reads the counts while the worker writes them: a recording made mid-read must not be counted twice.
        var latency = new LatencyHistogram();
        var tally = new DecisionTally();
        var metrics = new ServiceMetrics("test");
        PipelineMetrics.Add(metrics, () => new PipelineStatus(TimeSpan.Zero, 0, 0, 0, 0, 0, 0, 0, 0) { Latency = latency, Tally = tally }, new(), input: null);
        long[] nanoseconds = [50_000, 700_000, 3_000_000, 40_000_000, 3_000_000_000, 20_000_000_000];
        double[] scores = [0.05, 0.35, 0.95, 1];

        // The worker records whole cycles of both lists (12 recordings) until the scrapes are done, at most 100 million.
        var scraping = true;
        var worker = Task.Run(() =>
        {
            var recorded = 0;
            while (Volatile.Read(ref scraping) && recorded < 100_000_000)
            {
                for (var i = 0; i < 12; i++, recorded++)
                {
                    latency.Record(nanoseconds[i % nanoseconds.Length]);
                    tally.Score(scores[i % scores.Length]);
                }
            }

            return recorded;
        });

        Assert.True(SpinWait.SpinUntil(() => latency.Count > 0, TimeSpan.FromSeconds(10)), "the worker never started");
        for (var scrape = 0; scrape < 300; scrape++)
        {
            await metrics.ScrapeAsync();
        }

        Volatile.Write(ref scraping, false);
        var recordings = await worker;
        var last = new PrometheusText(await metrics.ScrapeAsync());

        Assert.Equal(recordings, last.Value("vigil_decision_latency_seconds_count"));
        Assert.Equal(recordings / 6, last.Value("vigil_decision_latency_seconds_bucket", "le=0.0001"));
        Assert.Equal(recordings / 6 * 2, last.Value("vigil_decision_latency_seconds_bucket", "le=0.001"));
        Assert.Equal(recordings / 6 * 4, last.Value("vigil_decision_latency_seconds_bucket", "le=0.05"));
        Assert.Equal(recordings / 6 * 5, last.Value("vigil_decision_latency_seconds_bucket", "le=5"));
        Assert.Equal(recordings, last.Value("vigil_decision_score_count"));
        Assert.Equal(recordings / 4, last.Value("vigil_decision_score_bucket", "le=0.1"));
        Assert.Equal(recordings / 4 * 2, last.Value("vigil_decision_score_bucket", "le=0.9"));
    }

    [Fact]
    public async Task An_info_gauge_shows_only_the_version_in_use_and_a_counter_never_goes_down()
    {
        var version = "rules:a";
        double count = 5;
        var metrics = new ServiceMetrics("test");
        metrics.Gauge("test_rules_info", "test", ["version"], () => [([version], 1)]);
        metrics.Counter("test_things_total", "test", () => count);

        var before = new PrometheusText(await metrics.ScrapeAsync());
        version = "rules:b";
        count = 3;
        var after = new PrometheusText(await metrics.ScrapeAsync());

        Assert.Equal(1, before.Value("test_rules_info", "version=rules:a"));
        Assert.Equal(1, after.Value("test_rules_info", "version=rules:b"));
        Assert.Null(after.Find("test_rules_info", "version=rules:a"));
        Assert.Equal(5, after.Value("test_things_total"));
        Assert.Equal(1, after.Value("vigil_build_info", "service=test"));
        Assert.True(after.Value("process_cpu_seconds_total") > 0);
    }

    [Fact]
    public async Task The_model_server_counts_answers_by_outcome_scores_and_refusals_by_status()
    {
        using var scorer = new TransactionScorer(new LogisticModel(["amount"], [0], [1], [1], intercept: -100, threshold: 0.5) { Version = "lr-metrics" });
        await using var server = new ScoringServer("127.0.0.1", 0, scorer, metrics: new ServiceMetrics("serve"));
        await server.StartAsync();
        using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(10) };

        async Task<HttpStatusCode> PostAsync(string path, string body, string type = "application/json")
        {
            using var response = await client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, type));
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await PostAsync("v1/score", """{"amount":10}"""));
        Assert.Equal(HttpStatusCode.OK, await PostAsync("v1/score", """{"amount":500}"""));
        Assert.Equal(HttpStatusCode.OK, await PostAsync("invocations", """{"dataframe_split":{"columns":["amount"],"data":[[1],[2],[300]]}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync("v1/score", """{"amount":"ten"}"""));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostAsync("v1/score", "amount=10", "application/x-www-form-urlencoded"));
        var metrics = new PrometheusText(await client.GetStringAsync(new Uri("metrics", UriKind.Relative)));

        Assert.Equal(3, metrics.Value("vigil_scored_total", "outcome=legit"));
        Assert.Equal(2, metrics.Value("vigil_scored_total", "outcome=fraud"));
        Assert.Equal(5, metrics.Value("vigil_score_count"));
        Assert.Equal(3, metrics.Value("vigil_score_bucket", "le=0.1"));
        Assert.Equal(1, metrics.Value("vigil_scoring_refused_total", "status=400"));
        Assert.Equal(1, metrics.Value("vigil_scoring_refused_total", "status=415"));
        Assert.Equal(1, metrics.Value("vigil_model_info", "version=lr-metrics"));
        Assert.Equal(1, metrics.Value("vigil_build_info", "service=serve"));
        await server.StopAsync();
    }

    [Fact]
    public async Task The_dashboard_s_metrics_agree_with_its_status()
    {
        await using var demo = await LiveDemo.StartAsync(rate: null, count: 2_000);
        await demo.CompletionAsync();
        using var client = new HttpClient { BaseAddress = demo.Server.Address, Timeout = TimeSpan.FromSeconds(10) };

        var metrics = new PrometheusText(await client.GetStringAsync(new Uri("metrics", UriKind.Relative)));
        var status = demo.Pipeline.Status();

        Assert.Equal(2_000, metrics.Value("vigil_records_in_total", "topic=queueing.transactions"));
        Assert.Equal(status.Legit, metrics.Value("vigil_decisions_total", "outcome=legit"));
        Assert.Equal(status.Fraud, metrics.Value("vigil_decisions_total", "outcome=fraud"));
        Assert.True(status.Fraud > 0);
        Assert.Equal(status.Decided, metrics.Value("vigil_decision_latency_seconds_count"));
        Assert.Equal(status.DeadLetters, metrics.Samples("vigil_dead_letters_total").Sum(s => s.Value));
        Assert.Equal(1, metrics.Value("vigil_rules_info", "version=builtin:amount>=900"));
    }
}
