using System.Buffers.Text;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Metrics;

/// <summary>
/// The latencies decided records carry (<c>"vigil":{…,"latency_us":41.3,…}</c>), read from the output topics: what the
/// detectors measured, for a dashboard that runs apart from them (on Kafka).
/// </summary>
/// <remarks>A sampling subscriber: when it falls behind it skips records, which leaves the percentiles a sample.</remarks>
public sealed class DecidedLatency
{
    public const string Group = "vigil-latency";

    private readonly LatencyHistogram _histogram = new();
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];

    /// <summary>Subscribes now, before anything is published.</summary>
    public DecidedLatency(params Topic[] topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        foreach (var topic in topics)
        {
            _subscriptions.AddRange(topic.Subscribe(Group, SubscriptionMode.Sampling));
        }
    }

    public (long P50, long P99, long Max) Nanoseconds
    {
        get
        {
            lock (_gate)
            {
                return (_histogram.Percentile(0.50), _histogram.Percentile(0.99), _histogram.MaxNanoseconds);
            }
        }
    }

    /// <summary>Reads until the topics complete.</summary>
    public Task RunAsync() => Task.WhenAll(_subscriptions.Select(s => Task.Run(() => ReadAsync(s), CancellationToken.None)));

    /// <summary>The <c>latency_us</c> of a decided record, in nanoseconds; false when it has none.</summary>
    /// <remarks>The decision is the record's last member, so the last <c>"latency_us":</c> is Vigil's, not the input's.</remarks>
    public static bool TryRead(ReadOnlySpan<byte> record, out long nanoseconds)
    {
        nanoseconds = 0;
        var at = record.LastIndexOf("\"latency_us\":"u8);
        if (at < 0 || !Utf8Parser.TryParse(record[(at + 13)..], out double microseconds, out _) || !double.IsFinite(microseconds) || microseconds < 0)
        {
            return false;
        }

        nanoseconds = (long)Math.Min(microseconds * 1000, long.MaxValue / 2);
        return true;
    }

    private async Task ReadAsync(Subscription subscription)
    {
        var reader = subscription.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var batch))
            {
                lock (_gate)
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        if (TryRead(batch.Value(i), out var nanoseconds))
                        {
                            _histogram.Record(nanoseconds);
                        }
                    }
                }

                subscription.Complete(batch);
            }
        }
    }
}
