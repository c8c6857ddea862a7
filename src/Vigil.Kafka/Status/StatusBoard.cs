using System.Text;
using Confluent.Kafka;
using Vigil.Kafka.Bridge;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Metrics;

namespace Vigil.Kafka.Status;

/// <summary>
/// Follows the status topic, every partition from the beginning and outside any group, and keeps each instance's
/// latest report: the dashboard's view of which instance owns which tasks. Records that are not reports (anyone who
/// can write to the topic can write anything) are counted, logged (the first ten, then every thousandth) and passed over.
/// </summary>
/// <remarks>
/// Silence is measured from when a report arrived here, so the instances' clocks do not matter; a report already older
/// than <see cref="Forget"/> by its own clock when read (history a compacted topic kept) is not shown.
/// </remarks>
public sealed class StatusBoard : IDisposable
{
    /// <summary>An instance not heard from for this long is no longer shown: it has gone.</summary>
    public static readonly TimeSpan Forget = TimeSpan.FromMinutes(2);

    /// <summary>The most instances kept; reports of more are passed over (a topic flooded with made-up names).</summary>
    public const int MaxInstances = 1024;

    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly KafkaClients _clients;
    private readonly string _topic;
    private readonly List<int> _partitions;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (InstanceStatus Status, long ReceivedAt)> _latest = [];
    private readonly Lock _lock = new();
    private long _refused;

    public StatusBoard(KafkaClients clients, string topic, TimeProvider? time = null)
    {
        (_clients, _topic, _time) = (clients, topic, time ?? TimeProvider.System);
        (_consumer, _partitions) = KafkaCopy.Follower(clients, "status", topic);
    }

    /// <summary>Records on the topic that were not reports.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Every instance heard from within <see cref="Forget"/>, by service, group and name.</summary>
    public IReadOnlyList<InstanceSighting> Instances
    {
        get
        {
            var now = _time.GetTimestamp();
            lock (_lock)
            {
                return
                [
                    .. _latest.Values
                        .Select(seen => new InstanceSighting(seen.Status, _time.GetElapsedTime(seen.ReceivedAt, now)))
                        .Where(seen => seen.Silence < Forget)
                        .OrderBy(seen => seen.Status.Service, StringComparer.Ordinal)
                        .ThenBy(seen => seen.Status.Group, StringComparer.Ordinal)
                        .ThenBy(seen => seen.Status.Instance, StringComparer.Ordinal),
                ];
            }
        }
    }

    /// <summary>Reads reports until <paramref name="stop"/>.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.Factory.StartNew(() => Run(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Dispose() => _consumer.Dispose();

    private void Run(CancellationToken stop)
    {
        _consumer.Assign(_partitions.Select(p => new TopicPartitionOffset(_topic, p, Offset.Beginning)));
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (_consumer.Consume(PollTimeout) is { Message: { } message } result)
                {
                    Take(message, $"{result.Topic}[{result.Partition.Value}]@{result.Offset.Value}");
                }
            }
            catch (ConsumeException e)
            {
                // The board is a view: a broker's hiccup must not take the dashboard down with it.
                _clients.Log.ConsumerEvent(e.Error.Reason);
                stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    private void Take(Message<byte[], byte[]> message, string origin)
    {
        if (message.Value is null)
        {
            return; // a tombstone: the instance's reports were deleted
        }

        if (!InstanceStatusJson.TryRead(message.Value, out var status, out var error))
        {
            Refuse(origin, error!);
            return;
        }

        var key = message.Key is null ? null : Encoding.UTF8.GetString(message.Key);
        if (key != status!.Key)
        {
            Refuse(origin, $"keyed {key ?? "null"}, not {status.Key}");
            return;
        }

        if (_time.GetUtcNow() - status.At >= Forget)
        {
            return; // an instance long gone, kept by compaction
        }

        lock (_lock)
        {
            if (_latest.Count >= MaxInstances && !_latest.ContainsKey(key))
            {
                Forgotten();
                if (_latest.Count >= MaxInstances)
                {
                    Refuse(origin, $"more than {MaxInstances:N0} instances report");
                    return;
                }
            }

            _latest[key] = (status, _time.GetTimestamp());
        }
    }

    /// <summary>Drops the instances silent for longer than <see cref="Forget"/>.</summary>
    private void Forgotten()
    {
        var now = _time.GetTimestamp();
        foreach (var key in _latest.Where(s => _time.GetElapsedTime(s.Value.ReceivedAt, now) >= Forget).Select(s => s.Key).ToList())
        {
            _latest.Remove(key);
        }
    }

    private void Refuse(string origin, string reason)
    {
        var refused = Interlocked.Increment(ref _refused);
        if (refused <= 10 || refused % 1000 == 0)
        {
            _clients.Log.StatusUnreadable(origin, reason);
        }
    }
}
