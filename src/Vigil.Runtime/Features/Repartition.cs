using System.Buffers.Binary;
using System.Diagnostics;
using Vigil.Features;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Features;

/// <summary>
/// The records of a repartition topic, between the feature tasks that own customers and those that own terminals: a
/// transaction with the features computed so far (in binary), a fraud report for the terminal's task, or a watermark.
/// </summary>
/// <remarks>
/// <para>Layout, little-endian: a kind byte and the writing task's number (2 bytes), then per kind:</para>
/// <para>transaction: event time (8), flags (1: customer, terminal, decoded), customer (8), terminal (8), amount (8),
/// the Stopwatch time it entered Vigil (8), its input partition (4) and offset (8), the number of values (2), the values
/// (8 each), then the record's own bytes, unchanged.</para>
/// <para>report: the time it applies from (8), the terminal (8), the transaction's time (8), the label's partition (4)
/// and offset (8), which name it when a restored task meets it again.
/// watermark: event time (8) below which the writer sends nothing more, but for records late beyond it.</para>
/// <para>In process today; the same bytes are meant to travel as an internal Kafka topic.</para>
/// </remarks>
internal static class Repartition
{
    public const byte TransactionKind = 1;
    public const byte ReportKind = 2;
    public const byte WatermarkKind = 3;

    public const int TransactionHeader = 58;
    private const int ReportLength = 39;
    private const int WatermarkLength = 11;

    private const byte HasCustomer = 1;
    private const byte HasTerminal = 2;
    private const byte Decoded = 4;

    /// <summary>The task that owns an entity, by its 64-bit key: Fibonacci hashing spreads consecutive ids.</summary>
    public static int Owner(long key, int tasks) => (int)((((ulong)key * 0x9E3779B97F4A7C15UL) >> 32) % (uint)tasks);

    /// <summary>
    /// Whether a record read back is one a customer task could have written: a known kind from one of
    /// <paramref name="sources"/> writers, long enough for its layout, a decoded transaction carrying
    /// <paramref name="values"/> values. On Kafka the repartition topic is an input like any other.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> value, int sources, int values)
    {
        if (value.Length < WatermarkLength || Source(value) >= sources)
        {
            return false;
        }

        switch (Kind(value))
        {
            case WatermarkKind:
                return true;
            case ReportKind:
                return value.Length >= ReportLength;
            case TransactionKind when value.Length >= TransactionHeader:
                var transaction = new TransactionRecord(value);
                return value.Length >= transaction.RecordStart && (!transaction.IsDecoded || transaction.ValueCount == values);
            default:
                return false;
        }
    }

    public static byte Kind(ReadOnlySpan<byte> value) => value[0];

    public static int Source(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadUInt16LittleEndian(value[1..]);

    /// <summary>The time a record is ordered by: a transaction's event time, a report's, a watermark's.</summary>
    public static long Time(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64LittleEndian(value[3..]);

    public static int WriteTransaction(
        Span<byte> destination, int source, long timeMs, long? customer, long? terminal, double amount, long entered, int partition, long offset,
        ReadOnlySpan<double> values, ReadOnlySpan<byte> record, bool decoded)
    {
        Start(destination, TransactionKind, source, timeMs);
        destination[11] = (byte)((customer is null ? 0 : HasCustomer) | (terminal is null ? 0 : HasTerminal) | (decoded ? Decoded : 0));
        BinaryPrimitives.WriteInt64LittleEndian(destination[12..], customer ?? 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[20..], terminal ?? 0);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[28..], amount);
        BinaryPrimitives.WriteInt64LittleEndian(destination[36..], entered);
        BinaryPrimitives.WriteInt32LittleEndian(destination[44..], partition);
        BinaryPrimitives.WriteInt64LittleEndian(destination[48..], offset);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[56..], (ushort)values.Length);
        var at = TransactionHeader;
        foreach (var value in values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(destination[at..], value);
            at += 8;
        }

        record.CopyTo(destination[at..]);
        return at + record.Length;
    }

    public static int WriteReport(Span<byte> destination, int source, long fromMs, long terminal, long transactionTimeMs, int labelPartition, long labelOffset)
    {
        Start(destination, ReportKind, source, fromMs);
        BinaryPrimitives.WriteInt64LittleEndian(destination[11..], terminal);
        BinaryPrimitives.WriteInt64LittleEndian(destination[19..], transactionTimeMs);
        BinaryPrimitives.WriteInt32LittleEndian(destination[27..], labelPartition);
        BinaryPrimitives.WriteInt64LittleEndian(destination[31..], labelOffset);
        return ReportLength;
    }

    public static int WriteWatermark(Span<byte> destination, int source, long watermarkMs)
    {
        Start(destination, WatermarkKind, source, watermarkMs);
        return WatermarkLength;
    }

    /// <summary>A transaction record read back: its keys, amount and where it came from, without copying.</summary>
    public readonly ref struct TransactionRecord(ReadOnlySpan<byte> value)
    {
        private readonly ReadOnlySpan<byte> _value = value;

        public long TimeMs => Time(_value);

        public bool IsDecoded => (_value[11] & Decoded) != 0;

        public long? Customer => (_value[11] & HasCustomer) != 0 ? BinaryPrimitives.ReadInt64LittleEndian(_value[12..]) : null;

        public long? Terminal => (_value[11] & HasTerminal) != 0 ? BinaryPrimitives.ReadInt64LittleEndian(_value[20..]) : null;

        public double Amount => BinaryPrimitives.ReadDoubleLittleEndian(_value[28..]);

        public long Entered => BinaryPrimitives.ReadInt64LittleEndian(_value[36..]);

        public int Partition => BinaryPrimitives.ReadInt32LittleEndian(_value[44..]);

        public long Offset => BinaryPrimitives.ReadInt64LittleEndian(_value[48..]);

        public int ValueCount => BinaryPrimitives.ReadUInt16LittleEndian(_value[56..]);

        public double Value(int index) => BinaryPrimitives.ReadDoubleLittleEndian(_value[(TransactionHeader + (8 * index))..]);

        /// <summary>Where the record's own bytes start.</summary>
        public int RecordStart => TransactionHeader + (8 * ValueCount);
    }

    public readonly ref struct ReportRecord(ReadOnlySpan<byte> value)
    {
        private readonly ReadOnlySpan<byte> _value = value;

        public long Terminal => BinaryPrimitives.ReadInt64LittleEndian(_value[11..]);

        public long TransactionTimeMs => BinaryPrimitives.ReadInt64LittleEndian(_value[19..]);

        public int LabelPartition => BinaryPrimitives.ReadInt32LittleEndian(_value[27..]);

        public long LabelOffset => BinaryPrimitives.ReadInt64LittleEndian(_value[31..]);
    }

    private static void Start(Span<byte> destination, byte kind, int source, long timeMs)
    {
        destination[0] = kind;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)source);
        BinaryPrimitives.WriteInt64LittleEndian(destination[3..], timeMs);
    }
}

/// <summary>
/// What a customer task of the partitioned feature path sends on: each transaction with its customer's features to the
/// task that owns its terminal, fraud reports to the task of their terminal, and its watermark to every task.
/// </summary>
internal sealed class RepartitionWriter(TopicProducer output, int source)
{
    private readonly int _tasks = output.Topic.Partitions.Count;
    private long _watermarkMs = long.MinValue;
    private long _sentSecond;
    private bool _sentWatermark;
    private long _sentAt;
    private bool _pending;

    public TopicProducer Output => output;

    /// <summary>What this task's predecessor already wrote after the snapshot it restored: not written again. None when null.</summary>
    public SentBefore? SentBefore { get; init; }

    /// <summary>
    /// The least wall time between two watermarks (zero: one each time the watermark enters another second). On Kafka a
    /// watermark is a record per partition: a task catching up on a backlog enters a new second of event time with
    /// nearly every batch, and would send several watermarks for each transaction. A watermark held back goes once
    /// the interval has passed (<see cref="WatermarkDue"/>); only moving on is held back, never entering idleness
    /// (<see cref="long.MaxValue"/>) or going back (an idle input that wakes up).
    /// </summary>
    public TimeSpan WatermarkInterval { get; init; }

    /// <summary>When a watermark is held back by <see cref="WatermarkInterval"/>, how long until it may go; null otherwise.</summary>
    public TimeSpan? WatermarkDue =>
        _pending ? TimeSpan.FromTicks(Math.Max(0, (WatermarkInterval - Stopwatch.GetElapsedTime(_sentAt)).Ticks)) : null;

    /// <summary>A computed transaction goes to its terminal's task; one without a terminal stays on its partition's number.</summary>
    public void Write(in HeldRecord record, long timeMs, long? customer, long? terminal, double amount, ReadOnlySpan<double> values, bool decoded)
    {
        if (SentBefore is { } sent && sent.TakeTransaction(record.Partition, record.Offset))
        {
            return;
        }

        var task = terminal is { } t ? Repartition.Owner(t, _tasks) : record.Partition % _tasks;
        var value = record.Value.Span;
        var room = output.BeginAppend(task, record.Key, Repartition.TransactionHeader + (8 * values.Length) + value.Length);
        var written = Repartition.WriteTransaction(room, source, timeMs, customer, terminal, amount, record.Entered, record.Partition, record.Offset, values, value, decoded);
        output.EndAppend(written, entered: record.Entered);
    }

    private static long Second(long ms) => ms is long.MinValue or long.MaxValue ? ms : ms - (((ms % 1000) + 1000) % 1000);

    /// <summary>
    /// A fraud report, as soon as it is read: its terminal's task applies it before any transaction from this time on.
    /// Never earlier than the watermark already sent, which promised nothing earlier would follow.
    /// </summary>
    /// <param name="labelPartition">The label's partition and offset, which name it.</param>
    public void Forward(in FraudReport report, int labelPartition, long labelOffset)
    {
        if (report.Terminal is not { } terminal || (SentBefore is { } sent && sent.TakeReport(labelPartition, labelOffset)))
        {
            return;
        }

        var room = output.BeginAppend(Repartition.Owner(terminal, _tasks), default, 48);
        var fromMs = _watermarkMs == long.MaxValue ? report.ReportedAtMs : Math.Max(report.ReportedAtMs, _watermarkMs);
        output.EndAppend(Repartition.WriteReport(room, source, fromMs, terminal, report.TransactionTimeMs, labelPartition, labelOffset));
    }

    /// <summary>
    /// Sends the watermark to every task when it entered another second (it moves back when an idle input wakes up):
    /// the terminals' tasks release whole seconds (<see cref="FeatureStage.IsReleasable"/>), so a watermark later within
    /// the second sent releases nothing more, and on Kafka each one is a record per partition.
    /// </summary>
    public void Advance(long watermarkMs)
    {
        var second = Second(watermarkMs);
        _watermarkMs = watermarkMs;
        if (_sentWatermark && second == _sentSecond)
        {
            _pending = false;
            return;
        }

        // Without an interval (in process) the clock is not read: the embedded path stays as it was.
        var throttled = WatermarkInterval > TimeSpan.Zero;
        var now = throttled ? Stopwatch.GetTimestamp() : 0;
        if (throttled && _sentWatermark && second > _sentSecond && second != long.MaxValue && Stopwatch.GetElapsedTime(_sentAt, now) < WatermarkInterval)
        {
            _pending = true;
            return;
        }

        _sentSecond = second;
        _sentWatermark = true;
        _sentAt = now;
        _pending = false;
        for (var task = 0; task < _tasks; task++)
        {
            var room = output.BeginAppend(task, default, 16);
            output.EndAppend(Repartition.WriteWatermark(room, source, watermarkMs));
        }
    }
}

/// <summary>
/// What a customer task that died wrote to the repartition topic after its last snapshot: the task restored from that
/// snapshot computes those records again, and sends none of them twice, so no terminal window counts one twice.
/// </summary>
/// <remarks>Transactions are named by their input partition and offset, fraud reports by their label's.</remarks>
internal sealed class SentBefore
{
    private readonly HashSet<(int Partition, long Offset)> _transactions = [];
    private readonly HashSet<(int Partition, long Offset)> _reports = [];
    private long _skipped;

    /// <summary>Records met again and not sent.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Records found and not met again yet.</summary>
    public int Pending => _transactions.Count + _reports.Count;

    /// <summary>Remembers a record read from the repartition topic, if <paramref name="source"/> wrote it; returns whether it did.</summary>
    public bool Add(ReadOnlySpan<byte> value, int source)
    {
        if (value.Length < 11 || Repartition.Source(value) != source)
        {
            return false;
        }

        switch (Repartition.Kind(value))
        {
            case Repartition.TransactionKind when value.Length >= Repartition.TransactionHeader:
                var transaction = new Repartition.TransactionRecord(value);
                return _transactions.Add((transaction.Partition, transaction.Offset));
            case Repartition.ReportKind when value.Length >= 39:
                var report = new Repartition.ReportRecord(value);
                return _reports.Add((report.LabelPartition, report.LabelOffset));
            default:
                return false;
        }
    }

    public bool TakeTransaction(int partition, long offset) => Take(_transactions, partition, offset);

    public bool TakeReport(int partition, long offset) => Take(_reports, partition, offset);

    private bool Take(HashSet<(int, long)> set, int partition, long offset)
    {
        if (set.Count == 0 || !set.Remove((partition, offset)))
        {
            return false;
        }

        Interlocked.Increment(ref _skipped);
        return true;
    }
}
