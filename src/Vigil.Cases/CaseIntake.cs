using System.Globalization;
using Microsoft.Extensions.Logging;
using Vigil.Alerts;
using Vigil.Runtime.Topics;
using Vigil.Store;
using Vigil.Store.Cases;

namespace Vigil.Cases;

/// <summary>
/// Files every alert (each record of the fraud topic) as a case: it joins its card's open case or opens one. Reads as
/// a blocking subscriber, so no alert is lost: a database slower than the alerts holds the pipeline back. Every batch
/// waiting is filed in one transaction; a few alerts wait 20 ms for those that follow, so that commits stay few. Records that are not decisions are counted and passed over; a batch the database refuses
/// is logged and counted, and the next one is tried.
/// </summary>
public sealed partial class CaseIntake
{
    public const string Group = "vigil-cases";

    private readonly IReadOnlyList<Subscription> _subscriptions;
    private readonly CaseStore _store;
    private readonly ILogger _log;

    /// <summary>Set by <see cref="Stop"/>: filing ends after the batch in hand.</summary>
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long _filed;
    private long _opened;
    private long _unreadable;
    private long _notFiled;

    public CaseIntake(Topic fraud, CaseStore store, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(fraud);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _subscriptions = fraud.Subscribe(Group, SubscriptionMode.Blocking, capacity: 1024);
    }

    /// <summary>Alerts filed in a case.</summary>
    public long Filed => Interlocked.Read(ref _filed);

    /// <summary>Cases opened by them.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>Records on the fraud topic that are not decisions.</summary>
    public long Unreadable => Interlocked.Read(ref _unreadable);

    /// <summary>Alerts in batches the database refused.</summary>
    public long NotFiled => Interlocked.Read(ref _notFiled);

    /// <summary>Most batches filed in one database transaction.</summary>
    private const int MaxBatchesPerCommit = 256;

    /// <summary>Fewer alerts than this wait <see cref="Linger"/> for more before they are committed.</summary>
    private const int FewAlerts = 64;

    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(20);

    /// <summary>Files alerts until the fraud topic completes, or until <see cref="Stop"/>.</summary>
    public Task RunAsync() => Task.WhenAll(_subscriptions.Select(s => Task.Run(() => FileAllAsync(s))));

    /// <summary>
    /// Ends filing after the batch in hand, leaving the rest unfiled: for a run that failed, whose database is about to
    /// close (a run that ends well lets the fraud topic complete instead).
    /// </summary>
    public void Stop() => _stopped.TrySetResult();

    /// <summary>An alert as a case keeps it; null when the record is not a decision.</summary>
    public static CaseAlert? Read(ReadOnlySpan<byte> record)
    {
        if (Alert.TryParse(record) is not { } alert)
        {
            return null;
        }

        var at = DateTimeOffset.TryParse(alert.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : DateTimeOffset.UtcNow;
        return new CaseAlert(alert.TransactionId, at.ToUnixTimeMilliseconds(), alert.Customer ?? alert.Source ?? "unknown", alert.Terminal ?? alert.Target,
            alert.Amount, alert.Score, [.. alert.Reasons.Select(r => new CaseReason(r.Code, r.Text))], System.Text.Encoding.UTF8.GetString(record));
    }

    /// <summary>
    /// Files every batch waiting in one transaction (a commit per batch of one or two alerts would hold the pipeline
    /// back at full speed), then completes them.
    /// </summary>
    private async Task FileAllAsync(Subscription subscription)
    {
        var reader = subscription.Reader;
        var batches = new List<RecordBatch>();
        var alerts = new List<CaseAlert>();
        while (await MoreAsync(reader))
        {
            Take(reader, batches, alerts);
            if (alerts.Count < FewAlerts && !reader.Completion.IsCompleted)
            {
                // A commit costs what filing a hundred alerts does (SQLite: 0.24 ms a commit of two, 19 µs an alert
                // in commits of fifty): a few more milliseconds gather the alerts that follow into the same one.
                await Task.Delay(Linger);
                Take(reader, batches, alerts);
            }

            try
            {
                File(alerts);
            }
            finally
            {
                foreach (var batch in batches)
                {
                    subscription.Complete(batch);
                }

                batches.Clear();
                alerts.Clear();
            }
        }
    }

    /// <summary>Whether a batch waits to be read: false once the topic completes or filing is stopped.</summary>
    private async Task<bool> MoreAsync(System.Threading.Channels.ChannelReader<RecordBatch> reader)
    {
        var waiting = reader.WaitToReadAsync().AsTask();
        return await Task.WhenAny(waiting, _stopped.Task) == waiting && await waiting;
    }

    private void Take(System.Threading.Channels.ChannelReader<RecordBatch> reader, List<RecordBatch> batches, List<CaseAlert> alerts)
    {
        while (batches.Count < MaxBatchesPerCommit && reader.TryRead(out var batch))
        {
            batches.Add(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                if (Read(batch.Value(i)) is { } alert)
                {
                    alerts.Add(alert);
                }
                else
                {
                    Interlocked.Increment(ref _unreadable);
                }
            }
        }
    }

    private void File(List<CaseAlert> alerts)
    {
        try
        {
            Interlocked.Add(ref _opened, _store.Record(alerts));
            Interlocked.Add(ref _filed, alerts.Count);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or StoreException or InvalidOperationException)
        {
            if (Interlocked.Add(ref _notFiled, alerts.Count) == alerts.Count)
            {
                LogNotFiled(_log, e, alerts.Count, _store.Location);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "cases: {Count} alerts could not be filed in {Location}; later failures are only counted")]
    private static partial void LogNotFiled(ILogger log, Exception exception, int count, string location);
}
