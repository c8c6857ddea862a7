using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Quality;
using Vigil.Runtime.Topics;
using Vigil.Simulation.Pacing;

namespace Vigil.Web.Dashboard;

/// <summary>Turns the output topics into the dashboard's Server-Sent Events: sampled transactions and live statistics.</summary>
/// <remarks>
/// Reads the legit and fraud topics as a sampling subscriber, so a dashboard never slows detection. Transactions
/// are sampled systematically (every k-th over both topics, k following the stream's rate) so that fraud appears in
/// its true proportion, and a token bucket caps what browsers receive. Counters come from the pipeline's exact
/// totals, not from the sample.
/// </remarks>
public sealed class EventFeed
{
    public const string Group = "vigil-dashboard";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IReadOnlyList<Subscription> _subscriptions;
    private readonly Func<PipelineStatus> _status;
    private readonly DashboardOptions _options;
    private readonly ConcurrentDictionary<SseClient, byte> _clients = new();
    private readonly Pacer _cap;
    private readonly Lock _samplingLock = new();
    private long _sampleEvery = 1;
    private long _sinceSample;
    private PipelineStatus? _previous;

    public EventFeed(Topic legit, Topic fraud, Func<PipelineStatus> status, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(legit);
        ArgumentNullException.ThrowIfNull(fraud);
        _status = status;
        _options = options;
        _subscriptions = [.. legit.Subscribe(Group, SubscriptionMode.Sampling, capacity: 4), .. fraud.Subscribe(Group, SubscriptionMode.Sampling, capacity: 4)];
        _cap = new Pacer(options.EventsPerSecond, Stopwatch.Frequency, Stopwatch.GetTimestamp(), burstSeconds: 1);
    }

    /// <summary>Records the feed skipped because it was behind (it reads as a sampling subscriber).</summary>
    public long SkippedRecords => _subscriptions.Sum(s => s.SkippedRecords);

    public SseClient Connect()
    {
        var client = new SseClient(_options.ClientQueueCapacity);
        _clients.TryAdd(client, 0);
        client.Send(Message("hello", w => w.WriteNumber("events_per_second", _options.EventsPerSecond)));
        SendStats(client, _status());
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

        foreach (var index in picked[..count])
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
        var rate = status.RateSince(_previous);
        _previous = status;

        // Sample every k-th record so that about EventsPerSecond are shown at the current rate.
        Interlocked.Exchange(ref _sampleEvery, Math.Max(1, (long)(rate / Math.Max(_options.EventsPerSecond, 0.001))));
        foreach (var client in _clients.Keys)
        {
            SendStats(client, status, rate);
        }
    }

    private void SendStats(SseClient client, PipelineStatus status, double rate = 0) =>
        client.Send(Message("stats", w => WriteStats(w, status, rate, client.Dropped)));

    /// <summary>The current statistics as one JSON object, the same fields as the <c>stats</c> event.</summary>
    public byte[] StatusJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            var status = _status();
            json.WriteStartObject();
            WriteStats(json, status, status.RateSince(_previous), dropped: 0);
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

        if (status.Shadow is { } shadow)
        {
            w.WriteStartObject("shadow");
            w.WriteString("version", shadow.Version);
            QualityJson.Write(w, shadow.Quality);
            w.WriteEndObject();
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
