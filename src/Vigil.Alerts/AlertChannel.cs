using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Threading.Channels;

namespace Vigil.Alerts;

/// <summary>
/// One sink's queue and sender. <see cref="Enqueue"/> never blocks; the sender sends at most one message per
/// <see cref="IAlertSink.MinInterval"/>, and everything that arrived meanwhile goes out together as one digest. A
/// failed send is retried with doubling backoff; HTTP 429 waits what Retry-After says. Memory is bounded:
/// past <see cref="AlertOptions.MaxPending"/> alerts are only counted.
/// </summary>
public sealed class AlertChannel
{
    private readonly IAlertSink _sink;
    private readonly AlertOptions _options;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    // Coalescing wake-up: one pending signal is enough, since the sender takes everything held at once.
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private List<Alert> _pending = [];
    private int _uncounted;
    private double _uncountedAmount;
    private bool _completed;
    private long _sent;
    private long _delivered;
    private long _digests;
    private long _retries;
    private long _rateLimited;
    private long _lost;
    private int _inFlight;

    public AlertChannel(IAlertSink sink, AlertOptions options, ILogger log, Uri? dashboard)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        Dashboard = dashboard;
    }

    public string Name => _sink.Name;

    /// <summary>The dashboard each message links to.</summary>
    public Uri? Dashboard { get; set; }

    /// <summary>Messages sent, alerts they delivered, digests among them, retries, 429 answers, and alerts given up.</summary>
    public AlertChannelStatus Status() => new(Name, Interlocked.Read(ref _sent), Interlocked.Read(ref _delivered), Interlocked.Read(ref _digests),
        Interlocked.Read(ref _retries), Interlocked.Read(ref _rateLimited), Interlocked.Read(ref _lost));

    /// <summary>Takes an alert without waiting; called from the reader of the fraud stream.</summary>
    public void Enqueue(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        lock (_lock)
        {
            if (_pending.Count < _options.MaxPending)
            {
                _pending.Add(alert);
            }
            else
            {
                _uncounted++;
                _uncountedAmount += alert.Amount;
            }
        }

        _signal.Writer.TryWrite(true);
    }

    /// <summary>Whether the next alert would be kept in full; when not, <see cref="Count"/> is all it needs.</summary>
    public bool WantsDetail
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count < _options.MaxPending;
            }
        }
    }

    /// <summary>Counts an alert into the next digest without keeping it (the queue is full).</summary>
    public void Count(double amount)
    {
        lock (_lock)
        {
            _uncounted++;
            _uncountedAmount += amount;
        }

        _signal.Writer.TryWrite(true);
    }

    /// <summary>No more alerts come: the sender sends what it holds, then ends.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
        }

        _signal.Writer.TryWrite(true);
    }

    /// <summary>Sends until <see cref="Complete"/> and everything held is sent or given up; <paramref name="abort"/> gives up at once.</summary>
    public async Task RunAsync(CancellationToken abort)
    {
        var nextSend = 0L;
        try
        {
            while (!IsDone())
            {
                if (!HasPending())
                {
                    await _signal.Reader.ReadAsync(abort);
                }

                var wait = TimeSpan.FromSeconds((double)(nextSend - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, abort);
                }

                if (Take() is not { } message)
                {
                    continue;
                }

                await SendAsync(message, abort);
                nextSend = Stopwatch.GetTimestamp() + (long)(_sink.MinInterval.TotalSeconds * Stopwatch.Frequency);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            var left = (Take()?.Count ?? 0) + _inFlight;
            if (left > 0)
            {
                Interlocked.Add(ref _lost, left);
                _log.StoppedWithUnsent(Name, left);
            }
        }
    }

    private bool HasPending()
    {
        lock (_lock)
        {
            return _pending.Count > 0;
        }
    }

    private bool IsDone()
    {
        lock (_lock)
        {
            return _completed && _pending.Count == 0 && _uncounted == 0;
        }
    }

    /// <summary>Everything held, as one message: the alert itself, or a digest.</summary>
    private AlertMessage? Take()
    {
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return null;
            }

            var alerts = _pending;
            var message = new AlertMessage(alerts, alerts.Count + _uncounted, alerts.Sum(a => a.Amount) + _uncountedAmount, Dashboard);
            _pending = [];
            _uncounted = 0;
            _uncountedAmount = 0;
            return message;
        }
    }

    private async Task SendAsync(AlertMessage message, CancellationToken abort)
    {
        _inFlight = message.Count;
        try
        {
            await TrySendAsync(message, abort);
        }
        finally
        {
            _inFlight = abort.IsCancellationRequested ? _inFlight : 0;
        }
    }

    private async Task TrySendAsync(AlertMessage message, CancellationToken abort)
    {
        var backoff = _options.FirstBackoff;
        var failures = 0;
        while (true)
        {
            SendResult result;
            try
            {
                result = await _sink.SendAsync(message, abort);
            }
            catch (HttpRequestException e)
            {
                result = SendResult.Failed(e.HttpRequestError == HttpRequestError.Unknown ? e.Message : e.HttpRequestError.ToString());
            }
            catch (TaskCanceledException) when (!abort.IsCancellationRequested)
            {
                result = SendResult.Failed("timed out");
            }

            switch (result.Outcome)
            {
                case SendOutcome.Delivered:
                    Interlocked.Increment(ref _sent);
                    Interlocked.Add(ref _delivered, message.Count);
                    Interlocked.Add(ref _digests, message.IsDigest ? 1 : 0);
                    return;
                case SendOutcome.RateLimited:
                    Interlocked.Increment(ref _rateLimited);
                    await Task.Delay(result.RetryAfter > TimeSpan.Zero ? result.RetryAfter : TimeSpan.FromSeconds(1), abort);
                    continue;
                case SendOutcome.Failed when ++failures < _options.MaxAttempts:
                    Interlocked.Increment(ref _retries);
                    await Task.Delay(backoff, abort);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                    continue;
                default:
                    Interlocked.Add(ref _lost, message.Count);
                    var tries = result.Outcome == SendOutcome.Refused ? "refused" : $"failed {failures} times";
                    _log.NotDelivered(Name, message.Count, message.Count == 1 ? "alert" : "alerts", tries, result.Problem);
                    return;
            }
        }
    }
}

/// <summary>What one channel has done so far.</summary>
public sealed record AlertChannelStatus(string Name, long Messages, long Delivered, long Digests, long Retries, long RateLimited, long Lost);
