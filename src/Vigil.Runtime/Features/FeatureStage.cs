using System.Diagnostics;
using Vigil.Features;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Runtime.Features;

/// <summary>
/// The stage before detection: reads every partition of the transactions topic and of the labels topic, puts
/// transactions in event-time order behind a watermark, computes their features with one <see cref="FeatureEngine"/>
/// and publishes each record, its features added, to the featured topic on the partition it came from.
/// </summary>
/// <remarks>
/// <para>One stage holds every customer's and terminal's state, so terminal windows see all of a terminal's transactions
/// although the input is keyed by customer. Records that are not transactions pass through for the detector to dead-letter.</para>
/// <para>Event time: an input's watermark is its newest event time less the disorder it has shown (never more than the
/// allowed lateness), so inputs in order hold nothing back; a record without event time is stamped on arrival. The
/// rules, labels, checkpoints and the interval join are in docs/FEATURES.md ("The streaming path").</para>
/// </remarks>
public sealed class FeatureStage
{
    public const string Group = "vigil-features";

    private readonly FeatureStageOptions _options;
    private readonly Input[] _transactions;
    private readonly Input?[] _byPartition;
    private readonly Input[] _labels;
    private readonly Input[] _identities;
    private readonly TopicProducer _output;
    private readonly Topic? _input;
    private readonly PriorityQueue<HeldRecord, EventOrder> _held = new();
    private readonly HeldRecordPool _pool = new();
    private readonly PriorityQueue<FraudReport, EventOrder> _reports = new();
    private readonly TransactionDecoder _decoder;
    private readonly Transaction _transaction = new();
    private readonly FeatureJson _json;
    private readonly double[] _values;
    private readonly long _idleTicks;
    private readonly long _latenessMs;
    private readonly long _disorderMemoryTicks;
    private long _arrivalMs = long.MinValue;
    private long _released;
    private long _passedThrough;
    private long _watermarkMs = long.MinValue;
    private long _nextCheckpoint;

    /// <summary>Records taken or released since the last checkpoint: a quiet stage still checkpoints what it did, once.</summary>
    private bool _changedSinceCheckpoint;
    private ICheckpointStore? _store;
    private Task? _halted;
    private readonly Lock _engineLock = new();

    public FeatureStage(
        FeatureEngine engine, IReadOnlyList<Subscription> transactions, IReadOnlyList<Subscription> labels, TopicProducer output,
        FeatureStageOptions options, int maxRecordBytes = TransactionDecoder.DefaultMaxRecordBytes, IReadOnlyList<Subscription>? identities = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        Engine = engine;
        _options = options;
        _transactions = [.. transactions.Select(s => new Input(s))];
        _byPartition = new Input?[_transactions.Length == 0 ? 0 : _transactions.Max(i => i.Subscription.Partition.Index) + 1];
        foreach (var input in _transactions)
        {
            _byPartition[input.Subscription.Partition.Index] = input;
        }

        _input = transactions.Count > 0 ? transactions[0].Partition.Topic : null;
        _labels = [.. labels.Select(s => new Input(s))];
        _identities = [.. (identities ?? []).Select(s => new Input(s))];
        Join = options.JoinIdentities ? new IntervalJoin(options.JoinWindow) : null;
        _output = output;
        _decoder = new TransactionDecoder(maxRecordBytes);
        _json = new FeatureJson(engine.Set);
        _values = new double[engine.Set.Count];
        _idleTicks = options.IdleTimeout == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)(options.IdleTimeout.TotalSeconds * Stopwatch.Frequency);
        _latenessMs = (long)options.AllowedLateness.TotalMilliseconds;
        _disorderMemoryTicks = (long)(options.DisorderMemory.TotalSeconds * Stopwatch.Frequency);
    }

    public FeatureEngine Engine { get; }

    /// <summary>
    /// The features a transaction would get now from the stage's live state, without counting it: for scoring
    /// requests beside the stream. Safe from any thread; it waits for the record being computed.
    /// </summary>
    public void Peek(Transaction transaction, long timeMs, Span<double> values)
    {
        lock (_engineLock)
        {
            Engine.Peek(transaction, timeMs, values);
        }
    }

    /// <summary>
    /// Where a customer task of the partitioned path sends what it computed (in binary, to the terminals' tasks); null
    /// for a whole stage, which writes each record with its features as JSON to its output.
    /// </summary>
    internal RepartitionWriter? Repartition { get; init; }

    /// <summary>
    /// Stops the stage where it is, without computing what it holds: it checkpoints (held records included) and returns.
    /// A task handed to another instance stops so, and its successor goes on from the checkpoint exactly.
    /// </summary>
    internal CancellationToken Halt { get; init; }

    /// <summary>
    /// Whether the source of a transactions partition holds records from a position on that have not arrived yet (on
    /// Kafka: the partition's end is past it). Such a partition is slow, not idle, however long it is silent: a task
    /// taken over reads a backlog that may take seconds to start coming, and must not let the others run ahead meanwhile.
    /// </summary>
    internal Func<int, long, bool>? Pending { get; init; }

    /// <summary>The interval join with the identities stream; null without one.</summary>
    internal IntervalJoin? Join { get; }

    public bool IsJoining => Join is not null;

    /// <summary>Transactions joined with their identity, those emitted without one, and identities that expired unjoined.</summary>
    public (long Joined, long Unmatched, long Expired) JoinCounts => Join is { } join ? (join.Joined, join.Unmatched, join.Expired) : default;

    /// <summary>Transactions computed and published.</summary>
    public long Released => Interlocked.Read(ref _released);

    /// <summary>Records that were not transactions, passed on for the detector to dead-letter.</summary>
    public long PassedThrough => Interlocked.Read(ref _passedThrough);

    /// <summary>Transactions waiting for the watermark.</summary>
    public int Held => _held.Count;

    /// <summary>The stage's watermark (Unix milliseconds; <see cref="long.MinValue"/> before there is one).</summary>
    public long WatermarkMs => Interlocked.Read(ref _watermarkMs);

    public async Task RunAsync(CancellationToken abort)
    {
        var store = _store = _options.Checkpoint;
        if (store?.Load() is { } saved)
        {
            FeatureCheckpoint.Restore(saved, store.Description, this);
        }

        _nextCheckpoint = Stopwatch.GetTimestamp() + (long)(_options.CheckpointInterval.TotalSeconds * Stopwatch.Frequency);

        // Silence counts from the start, not from construction: a pipeline built, then warmed up for seconds, must not
        // take every input for idle before its first record.
        WakeUp();
        while (!Halt.IsCancellationRequested)
        {
            abort.ThrowIfCancellationRequested();
            // The writer's declared watermark is read before pulling: it must not cover records not yet pulled.
            var advanced = _input?.NextWatermark;
            var declared = _input?.WatermarkMs ?? long.MinValue;
            var pulled = Pull();
            var released = Release(declared);
            await _output.FlushAsync(all: true, abort);
            _changedSinceCheckpoint |= pulled || released > 0;
            if (store is not null && _changedSinceCheckpoint && Stopwatch.GetTimestamp() >= _nextCheckpoint)
            {
                _changedSinceCheckpoint = false;
                await WaitUntilDecidedAsync(abort);
                await store.SaveAsync(FeatureCheckpoint.Write(this), abort);
                _nextCheckpoint = Stopwatch.GetTimestamp() + (long)(_options.CheckpointInterval.TotalSeconds * Stopwatch.Frequency);
            }

            if (_held.Count == 0 && Array.TrueForAll(_transactions, i => i.Done) && Array.TrueForAll(_labels, i => i.Done) && Array.TrueForAll(_identities, i => i.Done))
            {
                break;
            }

            if (!pulled && released == 0)
            {
                await WaitForInputAsync(advanced, abort);
            }
        }

        if (store is not null)
        {
            await _output.FlushAsync(all: true, CancellationToken.None);
            await WaitUntilDecidedAsync(abort);
            await store.SaveAsync(FeatureCheckpoint.Write(this), abort);
        }
    }

    internal IReadOnlyList<Input> TransactionInputs => _transactions;

    internal IReadOnlyList<Input> LabelInputs => _labels;

    internal IReadOnlyList<Input> IdentityInputs => _identities;

    internal PriorityQueue<HeldRecord, EventOrder> HeldRecords => _held;

    internal HeldRecordPool Pool => _pool;

    internal PriorityQueue<FraudReport, EventOrder> PendingReports => _reports;

    internal (long Released, long PassedThrough, long WatermarkMs) Counters
    {
        get => (_released, _passedThrough, _watermarkMs);
        set => (_released, _passedThrough, _watermarkMs) = value;
    }

    /// <summary>Takes every batch waiting on the inputs: transactions first, then labels (see the remarks on labels).</summary>
    private bool Pull()
    {
        var pulled = false;
        var silent = EveryInputIdle();
        foreach (var input in _transactions)
        {
            while (input.Buffered < _options.MaxBufferedPerInput && input.Subscription.Reader.TryRead(out var batch))
            {
                if (silent)
                {
                    // The stream resumes after a silence of every input (the start, or a stall of whoever feeds them):
                    // the others get a whole idle timeout to resume too, or the first to speak would run ahead of them.
                    WakeUp();
                    silent = false;
                }

                pulled = true;
                input.LastData = Stopwatch.GetTimestamp();
                for (var i = 0; i < batch.Count; i++)
                {
                    var offset = batch.Offset(i);
                    if (offset < input.Position)
                    {
                        continue; // computed before the checkpoint this run resumed from
                    }

                    var hasTime = Iso8601.TryReadTimestamp(batch.Value(i), out var time);
                    if (hasTime)
                    {
                        input.Observe(time, _latenessMs, input.LastData);
                    }
                    else
                    {
                        // Its partition's stream time when the partition has one (a careless record must not move it),
                        // else the time it arrived: the stage's arrival clock never goes back, so it is never late.
                        time = input.HasEventTime ? input.MaxTimeMs : ArrivalClock();
                        input.MaxTimeMs = Math.Max(input.MaxTimeMs, time);
                    }

                    _held.Enqueue(_pool.Copy(batch.Key(i), batch.Value(i), batch.Partition, offset, hasTime, batch.CreatedTimestamp), new EventOrder(time, batch.Partition, offset));
                    input.Buffered++;
                    input.Position = offset + 1;
                }

                input.Subscription.Complete(batch);
            }

            input.Done = input.Buffered == 0 && input.Subscription.Reader.Completion.IsCompleted;
        }

        foreach (var input in _labels)
        {
            while (input.Subscription.Reader.TryRead(out var batch))
            {
                pulled = true;
                for (var i = 0; i < batch.Count; i++)
                {
                    var offset = batch.Offset(i);
                    if (offset >= input.Position && FraudReport.TryDecode(batch.Value(i), out var report) && report.Counts)
                    {
                        _reports.Enqueue(report, new EventOrder(report.ReportedAtMs, batch.Partition, offset));
                        Repartition?.Forward(report, batch.Partition, offset);
                    }

                    input.Position = Math.Max(input.Position, offset + 1);
                }

                input.Subscription.Complete(batch);
            }

            input.Done = input.Subscription.Reader.Completion.IsCompleted;
        }

        foreach (var input in _identities)
        {
            while (input.Subscription.Reader.TryRead(out var batch))
            {
                pulled = true;
                for (var i = 0; i < batch.Count; i++)
                {
                    if (batch.Offset(i) >= input.Position)
                    {
                        Join?.Add(batch.Value(i));
                    }

                    input.Position = Math.Max(input.Position, batch.Offset(i) + 1);
                }

                input.Subscription.Complete(batch);
            }

            input.Done = input.Subscription.Reader.Completion.IsCompleted;
        }

        return pulled;
    }

    private bool EveryInputIdle()
    {
        if (_idleTicks == long.MaxValue)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        foreach (var input in _transactions)
        {
            if (!input.Subscription.Reader.Completion.IsCompleted && !IsIdle(input, now))
            {
                return false;
            }
        }

        return true;
    }

    private void WakeUp()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var input in _transactions)
        {
            input.LastData = now;
        }
    }

    /// <param name="declared">The watermark the writer declared on the input topic before the last pull, if any.</param>
    private long Watermark(long declared)
    {
        var now = Stopwatch.GetTimestamp();
        var watermark = long.MaxValue;
        foreach (var input in _transactions)
        {
            var idle = IsIdle(input, now);
            if (idle && declared != long.MinValue && !input.Subscription.Reader.Completion.IsCompleted)
            {
                // Silent, but the writer declares how far it is: that is all this partition can still bring (it may be
                // silent only because the writer waits for room on another one).
                watermark = Math.Min(watermark, declared);
            }
            else if (!input.Subscription.Reader.Completion.IsCompleted && !idle)
            {
                var own = input.MaxTimeMs == long.MinValue ? long.MinValue
                    : input.HasEventTime ? input.MaxTimeMs - input.Disorder(now, _disorderMemoryTicks)
                    : ArrivalClock(); // what it sends next is stamped on arrival, so no earlier than now
                watermark = Math.Min(watermark, Math.Max(own, declared));
            }
        }

        return watermark;
    }

    /// <summary>Silent for the idle timeout, with nothing more to bring as far as its source says.</summary>
    private bool IsIdle(Input input, long now) =>
        _idleTicks != long.MaxValue && now - input.LastData > _idleTicks && Pending?.Invoke(input.Subscription.Partition.Index, input.Position) != true;

    /// <summary>Unix milliseconds now, never earlier than a time this stage already stamped a record with.</summary>
    private long ArrivalClock() => _arrivalMs = Math.Max(_arrivalMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>
    /// The engine counts whole seconds, so a transaction may go once no input can bring one from an earlier second:
    /// transactions of the second the watermark is in go at once instead of waiting for the next second.
    /// </summary>
    internal static bool IsReleasable(long timeMs, long watermark) =>
        watermark == long.MaxValue || timeMs - (((timeMs % 1000) + 1000) % 1000) <= watermark;

    private int Release(long declared)
    {
        var watermark = Watermark(declared);
        if (watermark != long.MaxValue)
        {
            Interlocked.Exchange(ref _watermarkMs, Math.Max(_watermarkMs, watermark));
        }

        var released = 0;
        while (_held.TryPeek(out var record, out var order) && IsReleasable(order.TimeMs, watermark))
        {
            _held.Dequeue();
            _byPartition[record.Partition]!.Buffered--;
            try
            {
                Compute(record, order.TimeMs);
            }
            finally
            {
                _pool.Return(record);
            }

            released++;
        }

        Join?.Expire(watermark);
        Repartition?.Advance(watermark);
        return released;
    }

    private void Compute(in HeldRecord record, long timeMs)
    {
        bool decoded;
        (long? Customer, long? Terminal) keys = default;

        // Uncontended but for scoring requests that peek: a few nanoseconds a record.
        lock (_engineLock)
        {
            while (_reports.TryPeek(out var report, out var due) && due.TimeMs <= timeMs)
            {
                _reports.Dequeue();
                Engine.ApplyLabel(report.Customer, report.Terminal, report.TransactionTimeMs, report.IsFraud);
            }

            decoded = _decoder.TryDecode(record.Value, _transaction, out _);
            if (decoded)
            {
                keys = FeatureKeys.Of(_transaction);
                Engine.Compute(timeMs, keys.Customer, keys.Terminal, _transaction.Amount, _values);
            }
        }

        if (Repartition is { } repartition)
        {
            repartition.Write(record, timeMs, keys.Customer, keys.Terminal, decoded ? _transaction.Amount : 0, decoded ? _values : default, decoded);
            Interlocked.Increment(ref decoded ? ref _released : ref _passedThrough);
            return;
        }

        if (!decoded)
        {
            var copy = _output.BeginAppend(record.Partition, record.Key, record.ValueLength);
            record.Value.Span.CopyTo(copy);
            _output.EndAppend(record.ValueLength, entered: record.Entered);
            Interlocked.Increment(ref _passedThrough);
            return;
        }

        var joined = Join is { } join && _transaction.TransactionId.IsPresent
            ? join.Match(TransactionKey.Of(_transaction.Raw(_transaction.TransactionId)), timeMs)
            : null;
        var value = record.Value.Span;
        var room = _output.BeginAppend(record.Partition, record.Key, value.Length + _json.MaxAddedLength + FeatureJson.JoinedLength(joined?.Length ?? 0));
        if (!_json.TryWrite(value, _values, room, out var written, Join is not null, joined))
        {
            value.CopyTo(room);
            written = value.Length;
        }

        _output.EndAppend(written, entered: record.Entered);
        Interlocked.Increment(ref _released);
    }

    /// <summary>
    /// Waits until the readers of the featured topic have completed every record published to it: a checkpoint's
    /// positions then never pass a transaction whose decision a kill could still lose.
    /// </summary>
    private Task WaitUntilDecidedAsync(CancellationToken abort) => WaitUntilReadAsync(_output.Topic, abort);

    /// <summary>Waits until every reader of <paramref name="topic"/> has completed every record published to it.</summary>
    internal static async Task WaitUntilReadAsync(Topic topic, CancellationToken abort)
    {
        foreach (var partition in topic.Partitions)
        {
            foreach (var reader in partition.Subscriptions)
            {
                while (reader.CommittedOffset < partition.EndOffset)
                {
                    await Task.Delay(1, abort);
                }
            }
        }
    }

    private async Task WaitForInputAsync(Task? watermarkAdvanced, CancellationToken abort)
    {
        var waits = new List<Task>(_transactions.Length + _labels.Length + 1);
        foreach (var input in _transactions.Concat(_labels).Concat(_identities))
        {
            if (!input.Subscription.Reader.Completion.IsCompleted && input.Buffered < _options.MaxBufferedPerInput)
            {
                // One wait per input until it completes: a silent input must not gather a waiter per round.
                if (input.Waiting is null || input.Waiting.IsCompleted)
                {
                    input.Waiting = input.Subscription.Reader.WaitToReadAsync(abort).AsTask();
                }

                waits.Add(input.Waiting);
            }
        }

        // A watermark declared by the writer may release what is held, without any data coming (and a customer task
        // passes it on to the terminals' tasks even when it holds nothing).
        if ((_held.Count > 0 || Repartition is not null) && watermarkAdvanced is not null)
        {
            waits.Add(watermarkAdvanced);
        }

        // Wake up when a watermark held back for the terminals' tasks may go.
        if (Repartition?.WatermarkDue is { } due)
        {
            waits.Add(Task.Delay(due, abort));
        }

        // Wake up for the next checkpoint too, when there is something to keep: a service gone quiet after a burst would
        // otherwise keep the burst only in memory until more records came.
        if (_store is not null && _changedSinceCheckpoint)
        {
            waits.Add(Task.Delay(TimeSpan.FromSeconds(Math.Max(0, _nextCheckpoint - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency), abort));
        }

        if (Halt.CanBeCanceled)
        {
            waits.Add(_halted ??= Task.Delay(Timeout.Infinite, Halt));
        }

        // Wake up at the idle timeout too: a silent input then stops holding back what is held.
        if (_idleTicks != long.MaxValue || waits.Count == 0)
        {
            waits.Add(Task.Delay(_idleTicks != long.MaxValue ? _options.IdleTimeout : TimeSpan.FromMilliseconds(10), abort));
        }

        await Task.WhenAny(waits);
        abort.ThrowIfCancellationRequested();
    }

    /// <summary>One input partition and where the stage is in it.</summary>
    internal sealed class Input(Subscription subscription)
    {
        public Subscription Subscription { get; } = subscription;

        /// <summary>The offset after the last record taken (or restored from a checkpoint: earlier offsets are skipped).</summary>
        public long Position { get; set; }

        /// <summary>The newest event time delivered (the partition's stream time).</summary>
        public long MaxTimeMs { get; set; } = long.MinValue;

        /// <summary>Whether any of its records carried an event time (else they are stamped on arrival).</summary>
        public bool HasEventTime { get; set; }

        /// <summary>How far behind <see cref="MaxTimeMs"/> a record has recently arrived, at most the allowed lateness.</summary>
        public long DisorderMs { get; private set; }

        private long _disorderSeen;

        public void Observe(long timeMs, long latenessMs, long now)
        {
            HasEventTime = true;
            if (timeMs >= MaxTimeMs)
            {
                MaxTimeMs = timeMs;
                return;
            }

            DisorderMs = Math.Max(DisorderMs, Math.Min(MaxTimeMs - timeMs, latenessMs));
            _disorderSeen = now;
        }

        /// <summary>The disorder to wait for: what was seen within <paramref name="memoryTicks"/> of now, else none.</summary>
        public long Disorder(long now, long memoryTicks)
        {
            if (DisorderMs > 0 && now - _disorderSeen > memoryTicks)
            {
                DisorderMs = 0;
            }

            return DisorderMs;
        }

        public long Buffered { get; set; }

        public long LastData { get; set; } = Stopwatch.GetTimestamp();

        public bool Done { get; set; }

        public Task? Waiting { get; set; }
    }
}
