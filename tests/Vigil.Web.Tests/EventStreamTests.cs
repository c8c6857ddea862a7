using System.Net.Http.Headers;
using System.Text.Json;
using Vigil.Models;
using Vigil.Web.Dashboard;

namespace Vigil.Web.Tests;

public class EventStreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Reads Server-Sent Events from the stream until <paramref name="enough"/> says stop.</summary>
    private static async Task<List<(string Event, JsonElement Data)>> ReadEventsAsync(Stream stream, Func<List<(string, JsonElement)>, bool> enough)
    {
        var events = new List<(string, JsonElement)>();
        using var reader = new StreamReader(stream);
        string? name = null;
        while (!enough(events) && await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((name!, JsonDocument.Parse(line["data: ".Length..]).RootElement));
            }
        }

        return events;
    }

    [Fact]
    public async Task Events_stream_sends_transactions_of_both_topics_and_live_statistics()
    {
        await using var demo = await LiveDemo.StartAsync(rate: 2000);
        using var http = new HttpClient { BaseAddress = demo.Server.Address, Timeout = Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var cancel = new CancellationTokenSource(Timeout);
        var events = await ReadEventsAsync(await response.Content.ReadAsStreamAsync(cancel.Token), seen =>
            seen.Count(e => e.Item1 == "stats") >= 2
            && seen.Any(e => e.Item1 == "transaction" && e.Item2.GetProperty("topic").GetString()!.EndsWith("fraud", StringComparison.Ordinal))
            && seen.Any(e => e.Item1 == "transaction" && e.Item2.GetProperty("topic").GetString()!.EndsWith("legit", StringComparison.Ordinal)));

        Assert.Equal("hello", events[0].Event);
        var transactions = events.Where(e => e.Event == "transaction").Select(e => e.Data).ToList();
        Assert.All(transactions, t =>
        {
            var record = t.GetProperty("record");
            var fraud = record.GetProperty("vigil").GetProperty("fraud").GetBoolean();
            Assert.Equal(fraud, record.GetProperty("amount").GetDouble() >= 900);
            Assert.Equal(fraud ? "streaming.transactions.fraud" : "streaming.transactions.legit", t.GetProperty("topic").GetString());
        });
        var stats = events.Last(e => e.Event == "stats").Data;
        Assert.True(stats.GetProperty("processed").GetInt64() > 0);
        Assert.True(stats.GetProperty("legit").GetInt64() > 0);
    }

    [Fact]
    public async Task Status_and_health_endpoints_answer()
    {
        await using var demo = await LiveDemo.StartAsync(rate: 1000);
        using var http = new HttpClient { BaseAddress = demo.Server.Address, Timeout = Timeout };

        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
        using var status = JsonDocument.Parse(await http.GetStringAsync("/api/status"));
        Assert.True(status.RootElement.TryGetProperty("processed", out _));
        var page = await http.GetStringAsync("/");
        Assert.Contains("<title>Vigil", page, StringComparison.Ordinal);
        Assert.Contains("EventSource", await http.GetStringAsync("/dashboard.js"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_that_never_reads_misses_events_but_never_slows_detection()
    {
        const long count = 300_000;
        await using var demo = await LiveDemo.StartAsync(rate: null, count: count,
            new DashboardOptions { Port = 0, EventsPerSecond = 10_000, ClientQueueCapacity = 16 });
        var stalled = demo.Feed.Connect();

        await demo.CompletionAsync();

        var status = demo.Pipeline.Status();
        Assert.Equal(count, status.Produced);
        Assert.Equal(count, status.Processed);
        Assert.True(stalled.Dropped > 0);
        Assert.True(stalled.Reader.Count <= 16);
    }

    [Fact]
    public async Task Sampling_keeps_the_rate_of_events_near_the_configured_one_whatever_the_stream_rate()
    {
        await using var demo = await LiveDemo.StartAsync(rate: null, options: new DashboardOptions { Port = 0, EventsPerSecond = 20, FraudEventsPerSecond = 5 });
        var client = demo.Feed.Connect();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await demo.StopAsync();
        var seconds = clock.Elapsed.TotalSeconds;

        var shown = Drain(client).Where(m => m.Event == "transaction").Select(m => m.Data.GetProperty("topic").GetString()).ToList();

        // Token buckets of 20 legit and 5 frauds a second, each with a second of burst, whatever the stream's rate
        // (the seed's generator: a tenth of it fraud, as fast as it goes).
        Assert.InRange(shown.Count(t => t == "streaming.transactions.legit"), 1, (int)(20 * (seconds + 1)));
        Assert.InRange(shown.Count(t => t == "streaming.transactions.fraud"), 1, (int)(5 * (seconds + 1)));
        Assert.True(demo.Feed.FraudsNotShown > 0, "frauds over the cap are counted");
        Assert.True(demo.Pipeline.Status().Processed > shown.Count);
    }

    [Fact]
    public async Task Status_carries_quality_and_event_time_when_the_source_has_labels()
    {
        await using var demo = await LiveDemo.StartAsync(rate: null, count: 30_000, simulated: true);
        await demo.CompletionAsync();
        using var http = new HttpClient { BaseAddress = demo.Server.Address, Timeout = Timeout };

        using var status = JsonDocument.Parse(await http.GetStringAsync("/api/status"));

        var quality = status.RootElement.GetProperty("quality");
        Assert.Equal(30_000, quality.GetProperty("labelled").GetInt64());
        Assert.Equal(30_000, quality.GetProperty("decided").GetInt64());
        var m = quality.GetProperty("confusion_matrix");
        Assert.Equal(30_000, m.GetProperty("true_positives").GetInt64() + m.GetProperty("false_positives").GetInt64()
                             + m.GetProperty("true_negatives").GetInt64() + m.GetProperty("false_negatives").GetInt64());
        Assert.Equal(status.RootElement.GetProperty("fraud").GetInt64(), quality.GetProperty("flagged").GetInt64());
        Assert.StartsWith("2018-04-", status.RootElement.GetProperty("event_time").GetString(), StringComparison.Ordinal);
        Assert.False(status.RootElement.TryGetProperty("shadow", out _), "no shadow model runs");
        Assert.Equal("builtin:amount>=220", status.RootElement.GetProperty("rules_version").GetString());
        Assert.False(status.RootElement.TryGetProperty("model_version", out _), "no model decides");
    }

    [Fact]
    public async Task Status_carries_the_shadow_models_quality_apart_from_the_decisions()
    {
        // The shadow flags every amount of 100 or more; the rules flag 220 or more.
        var shadow = new LogisticModel(["amount"], [0], [1], [1], intercept: -100, threshold: 0.5) { Version = "lr-shadow" };
        await using var demo = await LiveDemo.StartAsync(rate: null, count: 20_000, simulated: true, shadow: shadow);
        await demo.CompletionAsync();
        using var http = new HttpClient { BaseAddress = demo.Server.Address, Timeout = Timeout };

        using var status = JsonDocument.Parse(await http.GetStringAsync("/api/status"));

        var decided = status.RootElement.GetProperty("quality");
        var watched = status.RootElement.GetProperty("shadow");
        Assert.Equal("lr-shadow", watched.GetProperty("version").GetString());
        Assert.Equal(20_000, watched.GetProperty("labelled").GetInt64());
        Assert.True(watched.GetProperty("flagged").GetInt64() > decided.GetProperty("flagged").GetInt64(),
            $"the shadow flags more: {watched.GetProperty("flagged")} against {decided.GetProperty("flagged")}");
        Assert.Equal(status.RootElement.GetProperty("fraud").GetInt64(), decided.GetProperty("flagged").GetInt64());
    }

    /// <summary>Every message a client was sent so far, by event name.</summary>
    private static List<(string Event, JsonElement Data)> Drain(SseClient client)
    {
        var messages = new List<(string, JsonElement)>();
        while (client.Reader.TryRead(out var message))
        {
            var text = System.Text.Encoding.UTF8.GetString(message.Span);
            var name = text["event: ".Length..text.IndexOf('\n', StringComparison.Ordinal)];
            var data = text[(text.IndexOf("data: ", StringComparison.Ordinal) + "data: ".Length)..].Trim();
            messages.Add((name, JsonDocument.Parse(data).RootElement));
        }

        return messages;
    }

    [Fact]
    public async Task Every_fraud_is_shown_while_legit_transactions_are_sampled()
    {
        // The simulator's stream: about one fraud in 300 by the amount rule.
        await using var demo = await LiveDemo.StartAsync(rate: 3000, options: new DashboardOptions { Port = 0, EventsPerSecond = 10 }, simulated: true);
        var client = demo.Feed.Connect();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var before = demo.Pipeline.Status().Fraud;
        await Task.Delay(TimeSpan.FromSeconds(4));
        await demo.StopAsync();
        var frauds = demo.Pipeline.Status().Fraud - before;
        var seconds = clock.Elapsed.TotalSeconds;

        var shown = Drain(client).Where(m => m.Event == "transaction").Select(m => m.Data.GetProperty("topic").GetString()).ToList();
        var fraudShown = shown.Count(t => t == "streaming.transactions.fraud");
        Assert.True(frauds >= 10, $"{frauds} frauds: too few to tell");
        Assert.InRange(fraudShown + demo.Feed.FraudsNotShown, frauds - 2, frauds); // a batch in flight at connection may be missed
        Assert.InRange(shown.Count(t => t == "streaming.transactions.legit"), 1, (int)(10 * (seconds + 1))); // 10 a second of 3,000, and a second of burst
    }

    [Fact]
    public async Task A_browser_that_connects_gets_the_last_two_minutes_of_statistics_first()
    {
        await using var demo = await LiveDemo.StartAsync(rate: 1000);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var client = demo.Feed.Connect();

        var messages = Drain(client);

        Assert.Equal(["hello", "history", "stats"], messages.Take(3).Select(m => m.Event));
        var points = messages[1].Data.GetProperty("points").EnumerateArray().ToList();
        Assert.InRange(points.Count, 2, 5);
        Assert.All(points.Skip(1), p => Assert.InRange(p.GetProperty("rate").GetDouble(), 500, 1500));
    }

    [Fact]
    public async Task The_rate_is_measured_over_a_second_at_least_so_a_burst_is_not_read_as_a_rate()
    {
        await using var demo = await LiveDemo.StartAsync(rate: 1000);
        using var http = new HttpClient { BaseAddress = demo.Server.Address, Timeout = Timeout };
        var rates = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            using var status = JsonDocument.Parse(await http.GetStringAsync("/api/status"));
            rates.Add(status.RootElement.GetProperty("rate").GetDouble());
            await Task.Delay(70);
        }

        Assert.All(rates, rate => Assert.InRange(rate, 0, 1000 * 1.25));
        Assert.Contains(rates, rate => rate > 500);
    }
}
