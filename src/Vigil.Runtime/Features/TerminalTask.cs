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
/// </remarks>
internal sealed class TerminalTask
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly Subscription _input;
    private readonly FeaturePart _customers;
    private readonly FeaturePart _terminals;
    private readonly FeatureJson _json;
    private readonly string _inputTopic;
    private readonly TopicProducer _legit;
    private readonly TopicProducer _fraud;
    private readonly TopicProducer _deadLetters;
    private readonly long[] _watermarks;
    private readonly PriorityQueue<HeldRecord, Order> _held = new();
    private readonly HeldRecordPool _pool = new();
    private readonly double[] _own;
    private readonly double[] _values;
    private readonly Lock _engineLock = new();
    private long _sequence;
    private long _released;

    public TerminalTask(
        Subscription input, int sources, FeaturePart customers, FeaturePart terminals, FeatureSet set, FeatureStateLimits limits,
        DetectionProcessor processor, string inputTopic, TopicProducer legit, TopicProducer fraud, TopicProducer deadLetters)
    {
        _input = input;
        _customers = customers;
        _terminals = terminals;
        Engine = new FeatureEngine(terminals.Set, limits);
        _json = new FeatureJson(set);
        Processor = processor;
        _inputTopic = inputTopic;
        _legit = legit;
        _fraud = fraud;
        _deadLetters = deadLetters;
        _watermarks = new long[sources];
        Array.Fill(_watermarks, long.MinValue);
        _own = new double[terminals.Set.Count];
        _values = new double[set.Count];
    }

    public FeatureEngine Engine { get; }

    public DetectionProcessor Processor { get; }

    /// <summary>Transactions computed and decided.</summary>
    public long Released => Interlocked.Read(ref _released);

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
        var reader = _input.Reader;
        while (true)
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
            if (Release(done ? long.MaxValue : Watermark()) > 0)
            {
                await _legit.FlushAsync(all: true, abort);
                await _fraud.FlushAsync(all: true, abort);
                await _deadLetters.FlushAsync(all: true, abort);
            }

            if (done && _held.Count == 0)
            {
                return;
            }

            if (!pulled && !await reader.WaitToReadAsync(abort))
            {
                continue; // completed: the next round releases everything held
            }
        }
    }

    private void Take(RecordBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var value = batch.Value(i);
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

        var route = Processor.Decide(original, features, _values, _inputTopic, record.Partition, record.Offset, out var deadLetter);
        if (route == Route.DeadLetter)
        {
            _deadLetters.Append(DetectorWorker.RouteTo(_deadLetters, key, record.Partition), key, original.Span, deadLetter);
            return;
        }

        Processor.RecordLatency((long)((Stopwatch.GetTimestamp() - record.Entered) * NanosecondsPerTick));
        var output = route == Route.Fraud ? _fraud : _legit;
        var room = output.BeginAppend(DetectorWorker.RouteTo(output, key, record.Partition), key, Processor.MaxOutputLength);
        output.EndAppend(Processor.Encode(room));
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
