using System.Collections.Concurrent;
using System.Diagnostics;
using Vigil.Runtime.Pipeline;
using Vigil.Streams;

namespace Vigil.Runtime.Sources;

/// <summary>
/// Publishes a source's records to the topics (embedded or Kafka) at its pace until the source ends, a record limit
/// is reached or it is stopped: transactions, their labels after the report delay, joined identities, and rows that
/// cannot be transactions as dead letters with the file and line.
/// </summary>
/// <remarks>
/// Records due at each wake-up are published together, so even at high rates the publisher sleeps between bursts of
/// about a millisecond rather than once per record. When the stream ends or is stopped, the labels still held are
/// released: no decision can come after them.
/// </remarks>
public sealed class SourcePublisher
{
    private const int MaxRecordsPerTurn = 4096;

    /// <summary>Most verdicts waiting for the publisher's next turn (it is paused at a barrier, or its writer waits).</summary>
    public const int MaxWaitingVerdicts = 100_000;
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(1);

    private readonly ITransactionSource _source;
    private readonly SourceOutputs _outputs;
    private readonly IRecordWriter[] _writers;
    private readonly SourcePacing _pacing;
    private readonly EventTimePacer? _eventTime;
    private readonly LabelRelease? _labels;
    private readonly long _limit;
    private long _read;
    private long _produced;
    private long _invalid;
    private long _eventTimeMs;
    private long _barrierTicks;
    private readonly ConcurrentQueue<(byte[] Key, byte[] Label, long TransactionKey, bool IsFraud, string Analyst)> _verdicts = new();
    private long _verdictsWritten;
    private readonly Lock _verdictGate = new();
    private bool _finished;

    /// <param name="limit">Records to read before stopping; <see cref="long.MaxValue"/> for no limit.</param>
    public SourcePublisher(ITransactionSource source, SourceOutputs outputs, SourcePacing pacing, long limit = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(pacing);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (pacing.Speed is { } speed)
        {
            if (!source.HasEventTime)
            {
                throw new ArgumentException($"Pacing by event time needs a source with event time; {source.Description} has none.", nameof(pacing));
            }

            _eventTime = new EventTimePacer(speed, Stopwatch.Frequency);
        }

        _source = source;
        _outputs = outputs;
        // Labels and identities first: a label released at R goes out before any transaction at R or later, and an
        // identity before its transaction, so that a reader that takes transactions and then the others (the feature
        // stage) always has them by the time it needs them.
        _writers = [.. new[] { outputs.Labels, outputs.Identities, outputs.Transactions, outputs.DeadLetters }.OfType<IRecordWriter>()];
        _pacing = pacing;
        _labels = source.HasLabels && outputs.Labels is not null ? new LabelRelease(outputs.LabelDelay) : null;
        _limit = limit;
    }

    public ITransactionSource Source => _source;

    /// <summary>Event times the source stops at until the barrier lets it go on (the retraining loop); null for none. Set before <see cref="RunAsync"/>.</summary>
    public IEventTimeBarrier? Barrier { get; set; }

    /// <summary>Wall time spent waiting at <see cref="Barrier"/>.</summary>
    public TimeSpan BarrierWait => TimeSpan.FromTicks(Interlocked.Read(ref _barrierTicks));

    /// <summary>Transactions published.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Rows that could not be transactions, published as dead letters.</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <summary>Records read from the source: transactions and invalid rows.</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>Whether the source ran out (rather than being stopped or limited).</summary>
    public bool Ended { get; private set; }

    /// <summary>The event time of the latest transaction published (Unix milliseconds; 0 before the first or without event time).</summary>
    public long EventTimeMs => Interlocked.Read(ref _eventTimeMs);

    /// <summary>Labels written: the reports released, and the analysts' verdicts.</summary>
    public long LabelsReleased => (_labels?.Released ?? 0) + Interlocked.Read(ref _verdictsWritten);

    /// <summary>Analysts' verdicts written to the labels.</summary>
    public long VerdictsWritten => Interlocked.Read(ref _verdictsWritten);

    /// <summary>
    /// An analyst's verdict on one transaction: <paramref name="label"/> is the whole label record (with
    /// <c>"analyst"</c> first), written to the labels on the publisher's next turn, in its order with the reports; a fraud
    /// verdict marks the transaction's report, when released, as confirmed (<see cref="LabelRelease.Confirm"/>). False
    /// when it cannot be written: the source has no labels, it has finished, or too many verdicts wait.
    /// </summary>
    public bool TryReport(byte[] key, byte[] label, long transactionKey, bool isFraud, string analyst)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(analyst);
        lock (_verdictGate)
        {
            if (_labels is null || _finished || _verdicts.Count >= MaxWaitingVerdicts)
            {
                return false;
            }

            _verdicts.Enqueue((key, label, transactionKey, isFraud, analyst));
            return true;
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var current = false;
        var blocked = false;
        var passedMs = long.MinValue;
        while (!stop.IsCancellationRequested && _read < _limit)
        {
            WriteVerdicts();
            var atBarrier = false;
            var now = Stopwatch.GetTimestamp();
            var budget = _pacing.Rate.Take(now, (int)Math.Min(MaxRecordsPerTurn, _limit - _read));
            var waitTicks = 0L;
            var published = 0;
            while (published < budget)
            {
                if (!current)
                {
                    if (!_source.MoveNext())
                    {
                        Ended = true;
                        break;
                    }

                    current = true;
                }

                if (Barrier is { } barrier && _source.Invalid is null && _source.EventTimeMs >= barrier.NextMs && _source.EventTimeMs > passedMs)
                {
                    // Everything before this record goes out first, the labels due by its time included.
                    _labels?.ReleaseDue(_source.EventTimeMs, _outputs.Labels!);
                    atBarrier = true;
                    break;
                }

                if (_eventTime is not null && _source.Invalid is null && (waitTicks = _eventTime.TicksUntil(_source.EventTimeMs, now)) > 0)
                {
                    break;
                }

                try
                {
                    Publish();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Stopped while a writer waited for room (its cluster not answering): this record is not written.
                    blocked = true;
                    break;
                }

                current = false;
                published++;
            }

            if (blocked)
            {
                break;
            }

            // A writer that declares its watermark publishes everything each turn, paced or not: readers then know that
            // a partition silent behind a full one has nothing earlier to bring.
            var declares = _source.HasEventTime && _outputs.Transactions is IWatermarkWriter;
            await PublishAsync(partialBatches: !_pacing.IsUnlimited || declares || atBarrier);
            if (declares && _outputs.Transactions is IWatermarkWriter watermark)
            {
                // Everything written is out and the source is in event-time order, so nothing earlier than the next
                // record is coming: readers (the feature stage) need not wait for that record to know it.
                if (!current && !Ended && _read < _limit)
                {
                    current = _source.MoveNext();
                    Ended = !current;
                }

                watermark.AdvanceWatermark(current && _source.Invalid is null ? _source.EventTimeMs : Interlocked.Read(ref _eventTimeMs));
            }

            if (Ended)
            {
                break;
            }

            if (atBarrier)
            {
                var waiting = Stopwatch.GetTimestamp();
                passedMs = _source.EventTimeMs;
                try
                {
                    await Barrier!.ReachedAsync(passedMs, LabelsReleased, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                finally
                {
                    var waited = Stopwatch.GetTimestamp() - waiting;
                    Interlocked.Add(ref _barrierTicks, Stopwatch.GetElapsedTime(waiting).Ticks);
                    _eventTime?.Pause(waited);
                }

                continue;
            }

            if (!_pacing.IsUnlimited && published < MaxRecordsPerTurn)
            {
                var ticks = _eventTime is not null ? waitTicks : _pacing.Rate.TicksUntilNext(Stopwatch.GetTimestamp());
                var wait = TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);
                try
                {
                    await Task.Delay(wait > MinimumSleep ? wait : MinimumSleep, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        if (_labels is not null)
        {
            try
            {
                lock (_verdictGate)
                {
                    _finished = true; // a verdict accepted before this is in the queue
                }

                WriteVerdicts();
                _labels.ReleaseAll(_outputs.Labels!);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The labels writer has no room (its cluster not answering): the labels still held are not written.
            }
        }

        // Together: each writer waits for its own cluster, and one that does not answer holds up no other.
        await Task.WhenAll(_writers.Select(output => output.FlushAsync(CancellationToken.None).AsTask()));
    }

    private void WriteVerdicts()
    {
        while (_verdicts.TryDequeue(out var verdict))
        {
            _outputs.Labels!.Write(verdict.Key, verdict.Label);
            if (verdict.IsFraud)
            {
                _labels!.Confirm(verdict.TransactionKey, verdict.Analyst);
            }

            Interlocked.Increment(ref _verdictsWritten);
        }
    }

    private void Publish()
    {
        var key = _source.Key;
        Interlocked.Increment(ref _read);
        if (_source.Invalid is { } invalid)
        {
            var deadLetters = _outputs.DeadLetters
                ?? throw new InvalidOperationException($"{_source.Description} produced an invalid record and there is no dead-letter topic for it.");
            deadLetters.Write(key, _source.Value, DeadLetterHeaders.ForRow(invalid));
            Interlocked.Increment(ref _invalid);
            return;
        }

        var eventTime = _source.EventTimeMs;
        _labels?.ReleaseDue(eventTime, _outputs.Labels!);
        _outputs.Transactions.Write(key, _source.Value);
        if (_labels is not null && !_source.Label.IsEmpty)
        {
            _labels.Hold(eventTime, key, _source.Label);
        }

        if (!_source.Identity.IsEmpty)
        {
            var identities = _outputs.Identities
                ?? throw new InvalidOperationException($"{_source.Description} produced an identity record and there is no identities topic for it.");
            identities.Write(key, _source.Identity);
        }

        Interlocked.Exchange(ref _eventTimeMs, eventTime);
        Interlocked.Increment(ref _produced);
    }

    private async ValueTask PublishAsync(bool partialBatches)
    {
        foreach (var output in _writers)
        {
            await output.PublishAsync(partialBatches || output == _outputs.Labels || output == _outputs.Identities, CancellationToken.None);
        }
    }
}
