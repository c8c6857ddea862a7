using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Quality;
using Vigil.Runtime.Topics;
using Vigil.Streams;

namespace Vigil.Web.Dashboard;

/// <summary>Turns the output topics into the dashboard's Server-Sent Events: transactions and live statistics.</summary>
/// <remarks>
/// Reads the legit and fraud topics as a sampling subscriber, so a dashboard never slows detection. Every fraud is
/// shown, up to <see cref="DashboardOptions.FraudEventsPerSecond"/> (beyond it they are counted); legit transactions
/// are sampled systematically (every k-th, k following their rate) to about <see cref="DashboardOptions.EventsPerSecond"/>.
/// The page exists to show fraud, and at 0.1 % fraud a proportional sample would show one fraud in a thousand rows.
/// Counters come from the pipeline's exact totals, not from the sample; the last two minutes of statistics go to
/// each browser that connects, so its chart starts full.
/// </remarks>
public sealed class EventFeed
{
    public const string Group = "vigil-dashboard";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IReadOnlyList<Subscription> _subscriptions;
    private readonly Func<PipelineStatus> _status;
    private readonly DashboardOptions _options;
    private readonly ConcurrentDictionary<SseClient, byte> _clients = new();
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);
    private const int HistoryLength = 120;

    private readonly Pacer _cap;
    private readonly Pacer _fraudCap;
    private readonly string _fraudTopic;
    private readonly Lock _samplingLock = new();
    private readonly Queue<(PipelineStatus Status, double Rate)> _history = new();
    private long _sampleEvery = 1;
    private long _sinceSample;
    private long _fraudsNotShown;

    public EventFeed(Topic legit, Topic fraud, Func<PipelineStatus> status, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(legit);
        ArgumentNullException.ThrowIfNull(fraud);
        _status = status;
        _options = options;
        _subscriptions = [.. legit.Subscribe(Group, SubscriptionMode.Sampling, capacity: 4), .. fraud.Subscribe(Group, SubscriptionMode.Sampling, capacity: 4)];
        _fraudTopic = fraud.Name;
        _cap = new Pacer(options.EventsPerSecond, Stopwatch.Frequency, Stopwatch.GetTimestamp(), burstSeconds: 1);
        _fraudCap = new Pacer(options.FraudEventsPerSecond, Stopwatch.Frequency, Stopwatch.GetTimestamp(), burstSeconds: 1);
    }

    /// <summary>Frauds not shown because they came faster than <see cref="DashboardOptions.FraudEventsPerSecond"/>.</summary>
    public long FraudsNotShown => Interlocked.Read(ref _fraudsNotShown);

    /// <summary>Records the feed skipped because it was behind (it reads as a sampling subscriber).</summary>
    public long SkippedRecords => _subscriptions.Sum(s => s.SkippedRecords);

    public SseClient Connect()
    {
        // Registered only once hello, history and the current statistics are queued: a transaction or a broadcast
        // sampled meanwhile would otherwise reach the browser before its hello.
        var client = new SseClient(_options.ClientQueueCapacity);
        client.Send(Message("hello", w =>
        {
            w.WriteNumber("events_per_second", _options.EventsPerSecond);
            w.WriteNumber("frauds_per_second", _options.FraudEventsPerSecond);
        }));
        client.Send(Message("history", WriteHistory));
        var status = _status();
        SendStats(client, status, Rates(status).Processed);
        _clients.TryAdd(client, 0);
        return client;
    }

    public void Disconnect(SseClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _clients.TryRemove(client, out _);
        client.Close();
    }

    /// <summary>Streams until the output topics complete, sending statistics every second meanwhile.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var ticker = new CancellationTokenSource();
        var stats = TickAsync(ticker.Token);
        await Task.WhenAll(_subscriptions.Select(s => Task.Run(() => ReadAsync(s, cancellationToken), CancellationToken.None)));
        await ticker.CancelAsync();
        await stats;
        Broadcast(_status());
    }

    /// <summary>Ends every browser's stream, so that the web server can stop.</summary>
    public void Close()
    {
        foreach (var client in _clients.Keys)
        {
            Disconnect(client);
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Broadcast(_status());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReadAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        var reader = subscription.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var batch))
            {
                try
                {
                    Sample(batch);
                }
                finally
                {
                    subscription.Complete(batch);
                }
            }
        }
    }

    private void Sample(RecordBatch batch)
    {
        if (_clients.IsEmpty)
        {
            return;
        }

        Span<int> picked = stackalloc int[16];
        var count = 0;
        if (batch.Topic == _fraudTopic)
        {
            lock (_samplingLock)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (count < picked.Length && _fraudCap.Take(Stopwatch.GetTimestamp(), 1) == 1)
                    {
                        picked[count++] = i;
                    }
                    else
                    {
                        _fraudsNotShown++;
                    }
                }
            }

            Send(batch, picked[..count]);
            return;
        }

        lock (_samplingLock)
        {
            // Positions (1-based) of every k-th record over the stream, continuing from earlier batches.
            var position = Math.Max(1, _sampleEvery - _sinceSample);
            var last = 0L;
            for (; position <= batch.Count; position += _sampleEvery)
            {
                last = position;
                if (count < picked.Length && _cap.Take(Stopwatch.GetTimestamp(), 1) == 1)
                {
                    picked[count++] = (int)position - 1;
                }
            }

            _sinceSample = last == 0 ? _sinceSample + batch.Count : batch.Count - last;
        }

        Send(batch, picked[..count]);
    }

    private void Send(RecordBatch batch, ReadOnlySpan<int> picked)
    {
        foreach (var index in picked)
        {
            var message = TransactionMessage(batch.Topic, batch.Value(index));
            foreach (var client in _clients.Keys)
            {
                client.Send(message);
            }
        }
    }

    private void Broadcast(PipelineStatus status)
    {
        var (rate, legitRate) = Rates(status);
        lock (_history)
        {
            _history.Enqueue((status, rate));
            while (_history.Count > HistoryLength)
            {
                _history.Dequeue();
            }
        }

        // Sample every k-th legit record so that about EventsPerSecond are shown at their current rate.
        Interlocked.Exchange(ref _sampleEvery, Math.Max(1, (long)(legitRate / Math.Max(_options.EventsPerSecond, 0.001))));
        foreach (var client in _clients.Keys)
        {
            SendStats(client, status, rate);
        }
    }

    /// <summary>
    /// Records processed (and legit ones) per second over at least the last second: a shorter span, as a request
    /// right after a broadcast or at start would measure, reads a burst as a rate.
    /// </summary>
    private (double Processed, double Legit) Rates(PipelineStatus status)
    {
        PipelineStatus? earlier = null;
        lock (_history)
        {
            foreach (var (past, _) in _history)
            {
                if (status.Elapsed - past.Elapsed >= RateWindow)
                {
                    earlier = past;
                }
            }
        }

        var seconds = Math.Max((status.Elapsed - (earlier?.Elapsed ?? TimeSpan.Zero)).TotalSeconds, RateWindow.TotalSeconds);
        return ((status.Processed - (earlier?.Processed ?? 0)) / seconds, (status.Legit - (earlier?.Legit ?? 0)) / seconds);
    }

    /// <summary>The statistics of the last two minutes, oldest first, for a chart that starts full.</summary>
    private void WriteHistory(Utf8JsonWriter w)
    {
        w.WriteStartArray("points");
        lock (_history)
        {
            foreach (var (status, rate) in _history)
            {
                w.WriteStartObject();
                w.WriteNumber("elapsed_s", Math.Round(status.Elapsed.TotalSeconds, 1));
                w.WriteNumber("rate", Math.Round(rate));
                w.WriteNumber("fraud_share", status.FraudShare);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }

    private void SendStats(SseClient client, PipelineStatus status, double rate) =>
        client.Send(Message("stats", w => WriteStats(w, status, rate, client.Dropped)));

    /// <summary>The current statistics as one JSON object, the same fields as the <c>stats</c> event.</summary>
    public byte[] StatusJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            var status = _status();
            json.WriteStartObject();
            WriteStats(json, status, Rates(status).Processed, dropped: 0);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void WriteStats(Utf8JsonWriter w, PipelineStatus status, double rate, long dropped)
    {
        w.WriteNumber("elapsed_s", Math.Round(status.Elapsed.TotalSeconds, 1));
        w.WriteNumber("produced", status.Produced);
        w.WriteNumber("processed", status.Processed);
        w.WriteNumber("legit", status.Legit);
        w.WriteNumber("fraud", status.Fraud);
        w.WriteNumber("dead_letters", status.DeadLetters);
        w.WriteNumber("lag", status.Lag);
        w.WriteNumber("rate", Math.Round(rate));
        w.WriteNumber("fraud_share", status.FraudShare);
        w.WriteNumber("latency_p50_ms", status.LatencyP50Nanoseconds / 1e6);
        w.WriteNumber("latency_p99_ms", status.LatencyP99Nanoseconds / 1e6);
        w.WriteNumber("sampled_every", Interlocked.Read(ref _sampleEvery));
        w.WriteNumber("frauds_not_shown", FraudsNotShown);
        w.WriteNumber("dropped", dropped);
        if (status.EventTimeMs is { } eventTime)
        {
            w.WriteString("event_time", DateTimeOffset.FromUnixTimeMilliseconds(eventTime).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (status.RulesVersion is { } rules)
        {
            w.WriteString("rules_version", rules);
        }

        if (status.ModelVersion is { } model)
        {
            w.WriteString("model_version", model);
        }

        if (status.Quality is { } quality)
        {
            w.WriteStartObject("quality");
            QualityJson.Write(w, quality);
            w.WriteEndObject();
        }

        if (status.Retraining is { } retraining)
        {
            w.WritePropertyName("retraining");
            JsonSerializer.Serialize(w, retraining, Runtime.Quality.RetrainingStatus.Json);
        }

        if (status.Shadow is { } shadow)
        {
            w.WriteStartObject("shadow");
            w.WriteString("version", shadow.Version);
            QualityJson.Write(w, shadow.Quality);
            w.WriteEndObject();
        }

        if (status.Instances is { } instances)
        {
            w.WriteStartArray("instances");
            foreach (var instance in instances)
            {
                w.WriteStartObject();
                InstanceStatusJson.Write(w, instance.Status, instance.Silence);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }

    private static ReadOnlyMemory<byte> Message(string eventName, Action<Utf8JsonWriter> writeFields)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write(Encoding.UTF8.GetBytes($"event: {eventName}\ndata: "));
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            writeFields(json);
            json.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
        return buffer.WrittenMemory;
    }

    /// <summary>A transaction event: the enriched record, already one line of JSON, wrapped with its topic.</summary>
    private static ReadOnlyMemory<byte> TransactionMessage(string topic, ReadOnlySpan<byte> record)
    {
        var buffer = new ArrayBufferWriter<byte>(record.Length + 128);
        buffer.Write("event: transaction\ndata: {\"topic\":"u8);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStringValue(topic);
        }

        buffer.Write(",\"record\":"u8);
        buffer.Write(record);
        buffer.Write("}\n\n"u8);
        return buffer.WrittenMemory;
    }
}
