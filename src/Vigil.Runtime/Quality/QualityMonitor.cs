using Vigil.Labels;
using Vigil.Quality;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Runtime.Quality;

/// <summary>Joins the decided transactions with the labels topic, live: precision, recall, money caught and missed.</summary>
/// <remarks>
/// A blocking subscriber of the legit, fraud and labels topics, so every decision and every label is counted
/// exactly once (it costs a short parse of the transaction id per record, on the monitor's own threads). Keys are
/// read outside the lock, then applied to the <see cref="QualityTracker"/> a batch at a time.
/// </remarks>
public sealed class QualityMonitor
{
    public const string Group = "vigil-quality";

    private readonly QualityTracker _tracker;
    private readonly QualityTracker? _shadow;
    private readonly Lock _gate = new();
    private readonly List<(Subscription Subscription, Kind Kind)> _subscriptions = [];

    /// <summary>Subscribes now, before anything is published: embedded topics keep no history.</summary>
    /// <param name="shadow">Whether decisions carry a shadow model's verdict (<c>"shadow":{…,"fraud":…}</c>), measured apart.</param>
    public QualityMonitor(Topic legit, Topic fraud, Topic labels, int maxPending = QualityTracker.DefaultMaxPending, int queueCapacity = 8, bool shadow = false)
    {
        ArgumentNullException.ThrowIfNull(legit);
        ArgumentNullException.ThrowIfNull(fraud);
        ArgumentNullException.ThrowIfNull(labels);
        _tracker = new QualityTracker(maxPending);
        _shadow = shadow ? new QualityTracker(maxPending) : null;
        Subscribe(legit, Kind.Legit, queueCapacity);
        Subscribe(fraud, Kind.Fraud, queueCapacity);
        Subscribe(labels, Kind.Label, queueCapacity);
    }

    private enum Kind
    {
        Legit,
        Fraud,
        Label,
    }

    /// <summary>The shadow model's quality, as if it had decided; null without a shadow model.</summary>
    public QualitySnapshot? ShadowSnapshot()
    {
        lock (_gate)
        {
            return _shadow?.Snapshot();
        }
    }

    public QualitySnapshot Snapshot()
    {
        lock (_gate)
        {
            return _tracker.Snapshot();
        }
    }

    /// <summary>Counts until the three topics complete.</summary>
    public Task RunAsync() =>
        Task.WhenAll(_subscriptions.Select(s => Task.Run(() => ReadAsync(s.Subscription, s.Kind), CancellationToken.None)));

    private void Subscribe(Topic topic, Kind kind, int capacity)
    {
        foreach (var subscription in topic.Subscribe(Group, SubscriptionMode.Blocking, capacity))
        {
            _subscriptions.Add((subscription, kind));
        }
    }

    private Task ReadAsync(Subscription subscription, Kind kind)
    {
        var keys = new long[256];
        var shadowFlags = new sbyte[256];
        var labels = new LabelBatch();
        return subscription.ReadAllAsync(batch =>
        {
            if (kind == Kind.Label)
            {
                CountLabels(batch, labels);
            }
            else
            {
                CountDecisions(batch, kind == Kind.Fraud, ref keys, ref shadowFlags);
            }
        });
    }

    private void CountDecisions(RecordBatch batch, bool flagged, ref long[] keys, ref sbyte[] shadowFlags)
    {
        if (keys.Length < batch.Count)
        {
            keys = new long[batch.Count];
            shadowFlags = new sbyte[batch.Count];
        }

        // A key of long.MinValue marks a transaction without an id; FNV-1a reaching it exactly is not a concern.
        for (var i = 0; i < batch.Count; i++)
        {
            keys[i] = TransactionKey.TryRead(batch.Value(i), out var key) ? key : long.MinValue;
            shadowFlags[i] = _shadow is null ? (sbyte)-1 : ShadowFlag(batch.Value(i));
        }

        lock (_gate)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (keys[i] == long.MinValue)
                {
                    _tracker.DecidedWithoutId(flagged);
                }
                else
                {
                    _tracker.Decided(keys[i], flagged);
                    if (shadowFlags[i] >= 0)
                    {
                        _shadow!.Decided(keys[i], shadowFlags[i] == 1);
                    }
                }
            }
        }
    }

    /// <summary>The shadow's verdict in a decided record: 1, 0, or −1 when the record has none.</summary>
    /// <remarks>The decision is the record's last member, so the last <c>"shadow":{</c> is Vigil's, not the input's.</remarks>
    private static sbyte ShadowFlag(ReadOnlySpan<byte> record)
    {
        var at = record.LastIndexOf(",\"shadow\":{\"score\":"u8);
        if (at < 0)
        {
            return -1;
        }

        var rest = record[at..];
        var fraud = rest.IndexOf("\"fraud\":"u8);
        return fraud < 0 ? (sbyte)-1 : rest[fraud + 8] == (byte)'t' ? (sbyte)1 : (sbyte)0;
    }

    private void CountLabels(RecordBatch batch, LabelBatch labels)
    {
        labels.Decode(batch);
        lock (_gate)
        {
            for (var i = 0; i < labels.Count; i++)
            {
                if (labels.TryGet(i, out var label))
                {
                    // Quality is measured against the reports: an analyst's verdict is an opinion the report will confirm or not.
                    if (!label.IsVerdict)
                    {
                        _tracker.Labelled(label);
                        _shadow?.Labelled(label);
                    }
                }
                else
                {
                    _tracker.InvalidLabel();
                }
            }
        }
    }
}
