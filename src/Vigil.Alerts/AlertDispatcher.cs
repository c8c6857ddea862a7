using Microsoft.Extensions.Logging;
using Vigil.Runtime.Topics;

namespace Vigil.Alerts;

/// <summary>
/// Turns fraud decisions into alerts on every channel, once per transaction: a bounded window of recent keys drops
/// duplicates (a record decided again after a restart). <see cref="Offer"/> never waits, so alerting can never slow
/// detection; each channel paces, digests and retries on its own.
/// </summary>
public sealed class AlertDispatcher : IDisposable
{
    private readonly CancellationTokenSource _abort = new();
    private readonly IReadOnlyList<AlertChannel> _channels;
    private readonly AlertOptions _options;
    private readonly HashSet<string> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();
    private readonly List<Subscription> _subscriptions = [];
    private long _received;
    private long _duplicates;
    private long _unreadable;

    public AlertDispatcher(IEnumerable<IAlertSink> sinks, AlertOptions options, ILogger log, Uri? dashboard = null)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _channels = [.. sinks.Select(s => new AlertChannel(s, options, log, dashboard))];
    }

    public IReadOnlyList<AlertChannel> Channels => _channels;

    /// <summary>Fraud records read, duplicates dropped, and records that were not decided records.</summary>
    public (long Received, long Duplicates, long Unreadable) Counts() =>
        (Interlocked.Read(ref _received), Interlocked.Read(ref _duplicates), Interlocked.Read(ref _unreadable));

    /// <summary>Fraud records of an in-process topic passed over because reading them fell behind detection.</summary>
    public long Skipped => _subscriptions.Sum(s => s.SkippedRecords);

    /// <summary>The dashboard every message links to, once it is known.</summary>
    public Uri? Dashboard
    {
        set
        {
            foreach (var channel in _channels)
            {
                channel.Dashboard = value;
            }
        }
    }

    /// <summary>Takes one record of the fraud stream; returns whether it became an alert.</summary>
    /// <remarks>
    /// The record is parsed in full only when a sink will list it; under a flood, sinks whose queue is full only count
    /// it, and the key and amount are all that is read.
    /// </remarks>
    public bool Offer(ReadOnlySpan<byte> record)
    {
        Interlocked.Increment(ref _received);
        if (!Alert.TryReadKey(record, out var key, out var amount))
        {
            Interlocked.Increment(ref _unreadable);
            return false;
        }

        lock (_lock)
        {
            if (!_recent.Add(key))
            {
                Interlocked.Increment(ref _duplicates);
                return false;
            }

            _order.Enqueue(key);
            if (_order.Count > _options.DedupeWindow)
            {
                _recent.Remove(_order.Dequeue());
            }
        }

        Alert? alert = null;
        foreach (var channel in _channels)
        {
            if (channel.WantsDetail && (alert ??= Alert.TryParse(record)) is { } detailed)
            {
                channel.Enqueue(detailed);
            }
            else
            {
                channel.Count(amount);
            }
        }

        return true;
    }

    /// <summary>Runs every channel's sender until <see cref="CompleteAsync"/> and they have sent what they hold.</summary>
    public Task RunAsync() => Task.WhenAll(_channels.Select(c => c.RunAsync(_abort.Token)));

    /// <summary>
    /// Ends the channels once what they hold is sent. After the drain timeout they are stopped, and what they still
    /// held (waiting, or being retried) is logged and counted as not delivered.
    /// </summary>
    public async Task CompleteAsync(Task running)
    {
        ArgumentNullException.ThrowIfNull(running);
        foreach (var channel in _channels)
        {
            channel.Complete();
        }

        await running.WaitAsync(_options.DrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!running.IsCompleted)
        {
            await _abort.CancelAsync();
            await running;
        }
    }

    public void Dispose() => _abort.Dispose();

    /// <summary>Reads an in-process fraud topic until it completes, offering every record.</summary>
    /// <remarks>
    /// The subscription samples rather than blocks: should parsing alerts ever fall behind the fraud stream (the seed
    /// profile flags a tenth of millions a second), batches are passed over and counted in <see cref="Skipped"/>
    /// rather than slowing detection.
    /// </remarks>
    public IReadOnlyList<Func<Task>> Readers(Topic fraud)
    {
        ArgumentNullException.ThrowIfNull(fraud);
        var subscriptions = fraud.Subscribe("alerts", SubscriptionMode.Sampling, 256);
        _subscriptions.AddRange(subscriptions);
        return [.. subscriptions.Select(s => (Func<Task>)(() => ReadAsync(s)))];
    }

    private async Task ReadAsync(Subscription subscription)
    {
        var reader = subscription.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var batch))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    Offer(batch.Value(i));
                }

                subscription.Complete(batch);
            }
        }
    }
}
