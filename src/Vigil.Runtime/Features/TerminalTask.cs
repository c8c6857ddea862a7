using System.Diagnostics;
using Vigil.Features;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Features;

/// <summary>
/// The second step of the partitioned feature path, and detection: owns the terminals whose key falls to it, reads
/// what every customer task sends it, computes each transaction's terminal features in event-time order, joins them
/// to the customer's, decides, and routes the record to the legit, fraud or dead-letter topic.
/// </summary>
/// <remarks>
/// <para>Each customer task sends its transactions in event-time order and, after each round, its watermark; this
/// task computes a transaction once every customer task's watermark has passed its second, so a terminal's windows
/// see its transactions in the order one engine would (late ones excepted: they are computed as of this task's clock).</para>
/// <para>Fraud reports are ordered with the transactions by the time they apply from, before transactions of that
/// time. Outputs are published before the input batch is completed.</para>
/// <para>On Kafka the task computes features only: it writes each transaction with them to the featured topic, on the
/// partition it came from, for the detectors; there it checkpoints (held records and the customer tasks' watermarks
/// included) so that another instance can take it over.</para>
/// </remarks>
internal sealed class TerminalTask
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly Subscription _input;
    private readonly FeaturePart _customers;
    private readonly FeaturePart _terminals;
    private readonly FeatureJson _json;
    private readonly string _inputTopic;
    private readonly TopicProducer? _legit;
    private readonly TopicProducer? _fraud;
    private readonly TopicProducer? _deadLetters;
    private readonly TopicProducer? _featured;
    private readonly TopicProducer[] _outputs = [];
    private readonly long[] _watermarks;
    private readonly PriorityQueue<HeldRecord, Order> _held = new();
    private readonly HeldRecordPool _pool = new();
    private readonly double[] _own;
    private readonly double[] _values;
    private readonly Lock _engineLock = new();
    private long _sequence;
    private long _released;
    private long _position;
    private long _refused;
    private bool _changedSinceCheckpoint;

    public TerminalTask(
        Subscription input, int sources, FeaturePart customers, FeaturePart terminals, FeatureSet set, FeatureStateLimits limits,
        DetectionProcessor processor, string inputTopic, TopicProducer legit, TopicProducer fraud, TopicProducer deadLetters)
        : this(input, sources, customers, terminals, set, limits)
    {
        Processor = processor;
        _inputTopic = inputTopic;
        _legit = legit;
        _fraud = fraud;
        _deadLetters = deadLetters;
        _outputs = [legit, fraud, deadLetters];
    }

    /// <summary>A task that writes each transaction with its features to <paramref name="featured"/> instead of deciding.</summary>
    public TerminalTask(Subscription input, int sources, FeaturePart customers, FeaturePart terminals, FeatureSet set, FeatureStateLimits limits, TopicProducer featured)
        : this(input, sources, customers, terminals, set, limits)
    {
        _inputTopic = string.Empty;
        _featured = featured;
        _outputs = [featured];
    }

    private TerminalTask(Subscription input, int sources, FeaturePart customers, FeaturePart terminals, FeatureSet set, FeatureStateLimits limits)
    {
        _input = input;
        _inputTopic = string.Empty;
        _customers = customers;
        _terminals = terminals;
        Engine = new FeatureEngine(terminals.Set, limits);
        _json = new FeatureJson(set);
        _watermarks = new long[sources];
        Array.Fill(_watermarks, long.MinValue);
        _own = new double[terminals.Set.Count];
        _values = new double[set.Count];
    }

    public FeatureEngine Engine { get; }

    /// <summary>Decides each transaction; null for a task that writes features for detectors elsewhere.</summary>
    public DetectionProcessor? Processor { get; }

    /// <summary>Where the task checkpoints (a task that writes features only); null for none.</summary>
    public ICheckpointStore? Checkpoint { get; init; }

    /// <summary>Wall time between checkpoints.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stops the task where it is, without computing what it holds: it checkpoints and returns (see <see cref="FeatureStage.Halt"/>).</summary>
    public CancellationToken Halt { get; init; }

    /// <summary>The offset after the last input record taken.</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>The least watermark of the customer tasks (Unix milliseconds), below which every transaction was computed.</summary>
    public long WatermarkMs => Watermark();

    /// <summary>Transactions computed and decided.</summary>
    public long Released => Interlocked.Read(ref _released);

    /// <summary>Records on the input that no customer task could have written (damaged, or written by someone else), passed over.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Records waiting for the customer tasks' watermarks.</summary>
    public int Held => _held.Count;

    /// <summary>The terminal features a transaction would get now, without counting it. Safe from any thread.</summary>
    public void Peek(long timeMs, long? customer, long? terminal, double amount, Span<double> values)
    {
        Span<double> own = stackalloc double[_terminals.Positions.Count];
        lock (_engineLock)
        {
            Engine.Peek(timeMs, customer, terminal, amount, own);
        }

        _terminals.Scatter(own, values);
    }

    public async Task RunAsync(CancellationToken abort)
    {
        var store = Checkpoint;
        if (store?.Load() is { } saved)
        {
            Restore(saved, store.Description);
        }

        var nextCheckpoint = Stopwatch.GetTimestamp() + CheckpointTicks;
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(abort, Halt);
        var reader = _input.Reader;
        while (!Halt.IsCancellationRequested)
        {
            abort.ThrowIfCancellationRequested();
            var pulled = false;
            while (reader.TryRead(out var batch))
            {
                pulled = true;
                Take(batch);
                _input.Complete(batch);
            }

            var done = reader.Completion.IsCompleted;
            var released = Release(done ? long.MaxValue : Watermark());
            if (released > 0)
            {
                await FlushAsync(abort);
            }

            _changedSinceCheckpoint |= pulled || released > 0;
            if (store is not null && _changedSinceCheckpoint && Stopwatch.GetTimestamp() >= nextCheckpoint)
            {
                await SaveAsync(store, abort);
                nextCheckpoint = Stopwatch.GetTimestamp() + CheckpointTicks;
            }

            if (done && _held.Count == 0)
            {
                break;
            }

            if (!pulled)
            {
                await WaitAsync(reader, store is not null && _changedSinceCheckpoint ? nextCheckpoint : long.MaxValue, wake.Token);
            }
        }

        if (store is not null)
        {
            await SaveAsync(store, abort);
        }
    }

    private long CheckpointTicks => (long)(CheckpointInterval.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Waits for input, or for the next checkpoint when there is something to keep; a halt ends the wait.</summary>
    private static async Task WaitAsync(System.Threading.Channels.ChannelReader<RecordBatch> reader, long until, CancellationToken wake)
    {
        try
        {
            if (until == long.MaxValue)
            {
                await reader.WaitToReadAsync(wake); // false once completed: the next round releases everything held
                return;
            }

            var delay = TimeSpan.FromSeconds(Math.Max(0, until - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            await Task.WhenAny(reader.WaitToReadAsync(wake).AsTask(), Task.Delay(delay, wake));
        }
        catch (OperationCanceledException) when (wake.IsCancellationRequested)
        {
            // halted, or aborted: the loop sees which
        }
    }

    private async Task FlushAsync(CancellationToken abort)
    {
        foreach (var output in _outputs)
        {
            await output.FlushAsync(all: true, abort);
        }
    }

    /// <summary>Once every output before it was read (on Kafka: acknowledged by the brokers), checkpoints.</summary>
    private async Task SaveAsync(ICheckpointStore store, CancellationToken abort)
    {
        await FlushAsync(abort);
        if (_featured is not null)
        {
            await FeatureStage.WaitUntilReadAsync(_featured.Topic, abort);
        }

        _changedSinceCheckpoint = false;
        await store.SaveAsync(WriteCheckpoint(), abort);
    }

    private void Take(RecordBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.Offset(i) < _position)
            {
                continue; // taken before the checkpoint this run resumed from
            }

            Interlocked.Exchange(ref _position, batch.Offset(i) + 1);
            var value = batch.Value(i);
            if (!Repartition.IsWellFormed(value, _watermarks.Length, _customers.Positions.Count))
            {
                Interlocked.Increment(ref _refused); // not a customer task's record: passed over, the partition goes on
                continue;
            }

            var kind = Repartition.Kind(value);
            var source = Repartition.Source(value);
            var time = Repartition.Time(value);
            if (kind == Repartition.WatermarkKind)
            {
                _watermarks[source] = time;
                continue;
            }

            // Reports go before the transactions of their time; transactions of one time in their input's order, as one
            // stage would take them.
            var transaction = new Repartition.TransactionRecord(value);
            var order = kind == Repartition.ReportKind ? new Order(time, 0, 0, _sequence++) : new Order(time, 1, transaction.Partition, transaction.Offset);
            _held.Enqueue(_pool.Copy(batch.Key(i), value, batch.Partition, batch.Offset(i), hasTime: true, batch.CreatedTimestamp), order);
        }
    }

    private long Watermark()
    {
        var watermark = long.MaxValue;
        foreach (var w in _watermarks)
        {
            watermark = Math.Min(watermark, w);
        }

        return watermark;
    }

    private int Release(long watermark)
    {
        var released = 0;
        while (_held.TryPeek(out var record, out var order) && FeatureStage.IsReleasable(order.TimeMs, watermark))
        {
            _held.Dequeue();
            try
            {
                if (order.Kind == 0)
                {
                    var report = new Repartition.ReportRecord(record.Value.Span);
                    lock (_engineLock)
                    {
                        Engine.ApplyLabel(null, report.Terminal, report.TransactionTimeMs, fraud: true);
                    }
                }
                else
                {
                    Decide(record);
                    released++;
                }
            }
            finally
            {
                _pool.Return(record);
            }
        }

        Interlocked.Add(ref _released, released);
        return released;
    }

    private void Decide(in HeldRecord held)
    {
        var value = held.Value;
        var record = new Repartition.TransactionRecord(value.Span);
        var original = value[record.RecordStart..];
        var key = held.Key;
        FeatureJson? features = null;
        if (record.IsDecoded)
        {
            lock (_engineLock)
            {
                Engine.Compute(record.TimeMs, record.Customer, record.Terminal, record.Amount, _own);
            }

            for (var i = 0; i < _customers.Positions.Count; i++)
            {
                _values[_customers.Positions[i]] = record.Value(i);
            }

            _terminals.Scatter(_own, _values);
            features = _json;
        }

        if (_featured is { } featured)
        {
            var room = featured.BeginAppend(record.Partition, key, original.Length + _json.MaxAddedLength);
            if (features is null || !_json.TryWrite(original.Span, _values, room, out var written, false, null))
            {
                original.Span.CopyTo(room); // not a transaction: the detectors dead-letter it
                written = original.Length;
            }

            featured.EndAppend(written, entered: record.Entered);
            return;
        }

        var processor = Processor!;
        var route = processor.Decide(original, features, _values, _inputTopic, record.Partition, record.Offset, out var deadLetter);
        if (route == Route.DeadLetter)
        {
            _deadLetters!.Append(DetectorWorker.RouteTo(_deadLetters, key, record.Partition), key, original.Span, deadLetter);
            return;
        }

        processor.RecordLatency((long)((Stopwatch.GetTimestamp() - record.Entered) * NanosecondsPerTick));
        var output = route == Route.Fraud ? _fraud! : _legit!;
        var decision = output.BeginAppend(DetectorWorker.RouteTo(output, key, record.Partition), key, processor.MaxOutputLength);
        output.EndAppend(processor.Encode(decision));
    }

    /// <summary>Reads on from <paramref name="offset"/>: a fresh task's first checkpoint says where it started.</summary>
    internal void StartAt(long offset) => _position = offset;

    private const string CheckpointMagic = "vigil-terminal-checkpoint";
    private const int CheckpointVersion = 1;

    /// <summary>The task's checkpoint: its input position, the customer tasks' watermarks, what it holds and the engine's state.</summary>
    internal byte[] WriteCheckpoint()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(CheckpointMagic);
            writer.Write(CheckpointVersion);
            writer.Write(_position);
            writer.Write(_watermarks.Length);
            foreach (var watermark in _watermarks)
            {
                writer.Write(watermark);
            }

            writer.Write(_released);
            writer.Write(_sequence);
            writer.Write(_held.Count);
            foreach (var (record, order) in _held.UnorderedItems)
            {
                writer.Write(order.TimeMs);
                writer.Write(order.Kind);
                writer.Write(order.Partition);
                writer.Write(order.Offset);
                writer.Write(record.KeyLength);
                writer.Write(record.ValueLength);
                writer.Write(record.Bytes, 0, record.KeyLength + record.ValueLength);
            }

            lock (_engineLock)
            {
                Engine.Save(writer);
            }
        }

        return stream.ToArray();
    }

    /// <summary>The input position a checkpoint of this task holds, to resume reading there.</summary>
    /// <param name="where">Where it was kept, for messages.</param>
    internal static long ReadPosition(byte[] checkpoint, string where)
    {
        using var reader = new BinaryReader(new MemoryStream(checkpoint));
        try
        {
            return ReadHeader(reader, where);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{where} is cut short", e);
        }
    }

    private static long ReadHeader(BinaryReader reader, string where) =>
        reader.ReadString() == CheckpointMagic && reader.ReadInt32() == CheckpointVersion
            ? reader.ReadInt64()
            : throw new InvalidDataException($"{where} is not a terminal task's checkpoint of this Vigil version");

    private void Restore(byte[] checkpoint, string where)
    {
        using var reader = new BinaryReader(new MemoryStream(checkpoint));
        try
        {
            _position = ReadHeader(reader, where);
            if (reader.ReadInt32() != _watermarks.Length)
            {
                throw new InvalidDataException($"{where} was taken with another number of customer tasks (the transactions topic's partitions)");
            }

            for (var i = 0; i < _watermarks.Length; i++)
            {
                _watermarks[i] = reader.ReadInt64();
            }

            _ = reader.ReadInt64(); // released before: counts are each run's own
            _sequence = reader.ReadInt64();
            var held = reader.ReadInt32();
            for (var i = 0; i < held; i++)
            {
                var order = new Order(reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64());
                var keyLength = reader.ReadInt32();
                var bytes = reader.ReadBytes(keyLength + reader.ReadInt32());
                _held.Enqueue(_pool.Copy(bytes.AsSpan(0, keyLength), bytes.AsSpan(keyLength), _input.Partition.Index, 0, hasTime: true, Stopwatch.GetTimestamp()), order);
            }

            Engine.Restore(reader);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{where} is cut short", e);
        }
    }

    /// <summary>Event time; at one time reports (in arrival order) before transactions (by input partition and offset).</summary>
    private readonly record struct Order(long TimeMs, int Kind, int Partition, long Offset) : IComparable<Order>
    {
        public int CompareTo(Order other)
        {
            var c = TimeMs.CompareTo(other.TimeMs);
            if (c == 0)
            {
                c = Kind.CompareTo(other.Kind);
            }

            if (c == 0)
            {
                c = Partition.CompareTo(other.Partition);
            }

            return c != 0 ? c : Offset.CompareTo(other.Offset);
        }
    }
}
