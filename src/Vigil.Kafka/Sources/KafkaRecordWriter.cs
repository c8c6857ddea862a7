using Vigil.Kafka.Configuration;
using Vigil.Kafka.Native;
using Vigil.Kafka.Refusals;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Sources;

/// <summary>Writes a source's records to a Kafka topic through an idempotent producer.</summary>
/// <remarks>
/// Records are keyed as the source keys them (the paying account), so one account's transactions stay in order on
/// one partition. When librdkafka's queue is full, <see cref="Write(ReadOnlySpan{byte}, ReadOnlySpan{byte}, IReadOnlyList{RecordHeader})"/> waits for room: the brokers set the pace.
/// A record refused for its own sake (too large) goes, cut, to the dead-letter topic with the reason; any other
/// refusal fails the next call with <see cref="KafkaDeliveryException"/>.
/// </remarks>
public sealed class KafkaRecordWriter : IRecordWriter, IDisposable
{
    /// <summary>Records written and not yet acknowledged before <see cref="Write(ReadOnlySpan{byte}, ReadOnlySpan{byte}, IReadOnlyList{RecordHeader})"/> waits: what a lost cluster can leave unwritten.</summary>
    public const int MaxInFlight = 100_000;

    private static readonly TimeSpan FlushStep = TimeSpan.FromMilliseconds(100);

    private readonly NativeProducer _producer;
    private readonly string _topic;
    private readonly string _refusedTo;
    private readonly RefusedRecords _refused;
    private readonly CancellationToken _stop;
    private readonly Lock _gate = new();
    private long _written;
    private long _delivered;
    private int _failure;

    /// <param name="deadLetters">Where records the brokers refuse for their own sake go, cut, with the reason; this topic when null.</param>
    /// <param name="stop">Gives up waiting for the cluster (a stop, a deadline): for its first answer, and for room to write
    /// (<see cref="Write(ReadOnlySpan{byte}, ReadOnlySpan{byte}, IReadOnlyList{RecordHeader})"/> then throws <see cref="OperationCanceledException"/>).</param>
    public KafkaRecordWriter(KafkaClients clients, string topic, string? deadLetters = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(clients);
        _topic = topic;
        _stop = stop;
        _refusedTo = deadLetters ?? topic;
        _refused = new RefusedRecords(_refusedTo);
        _producer = clients.Producer("generator", OnDelivered, MaxInFlight);
        try
        {
            _producer.Prime(new[] { topic, _refusedTo }.Distinct(), TimeSpan.FromSeconds(30), stop);
        }
        catch
        {
            _producer.Dispose();
            throw;
        }
    }

    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records the brokers have acknowledged.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Records written and neither acknowledged nor refused yet.</summary>
    public int InFlight => _producer.InFlight;

    /// <summary>
    /// How long <see cref="FlushAsync"/> waits for the brokers before it gives up, leaving <see cref="InFlight"/>
    /// records unacknowledged; null to wait until every record is acknowledged or refused.
    /// </summary>
    public TimeSpan? FlushTimeout { get; init; }

    /// <summary>Records refused for their own sake and written, cut, to the dead letters instead.</summary>
    public long Refused
    {
        get
        {
            lock (_gate)
            {
                return _refused.Count;
            }
        }
    }

    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null) =>
        Write(NativeProducer.AnyPartition, key, value, headers);

    /// <summary>Writes to one partition, whatever the key: an internal topic whose partitions are tasks.</summary>
    public void Write(int partition, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null)
    {
        ThrowIfFailed();
        lock (_gate)
        {
            if (Produce(_topic, key, value, headers, partition) is var error and not 0)
            {
                var cut = _refused.Keep(0, _topic, key, value, error, headers);
                ProduceRefused(cut);
            }

            _producer.Poll(0);
            DeadLetterRefused();
        }

        Interlocked.Increment(ref _written);
    }

    /// <summary>librdkafka sends on its own after <c>linger.ms</c>; this only reports a failed delivery.</summary>
    public ValueTask PublishAsync(bool partialBatches, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        return ValueTask.CompletedTask;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await Task.Run(() =>
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (FlushStepped() > 0 && (FlushTimeout is not { } timeout || waited.Elapsed < timeout))
            {
                ThrowIfFailed();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }, CancellationToken.None);
        ThrowIfFailed();
    }

    public void Dispose() => _producer.Dispose();

    private int FlushStepped()
    {
        lock (_gate)
        {
            var left = _producer.Flush(FlushStep);
            DeadLetterRefused();
            return left + _refused.Waiting;
        }
    }

    /// <summary>Produces under the gate, waiting while librdkafka's queue is full; returns an error about this record, or 0.</summary>
    private int Produce(string topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers, int partition = NativeProducer.AnyPartition)
    {
        int error;
        while ((error = _producer.Produce(topic, key, value, timestampMs: 0, number: 0, headers, partition)) == NativeProducer.QueueFull)
        {
            _producer.Poll(1);
            ThrowIfFailed();
            _stop.ThrowIfCancellationRequested();
        }

        return error;
    }

    private void ProduceRefused(RefusedRecord record)
    {
        if (Produce(_refusedTo, record.Key, record.Value, record.Headers) is var error and not 0)
        {
            throw new KafkaDeliveryException(
                $"even the first {RefusedRecords.MaxValueBytes / 1024} KiB of a refused record are refused for {_refusedTo}: {NativeProducer.Describe(error)}; raise the topic's max.message.bytes");
        }
    }

    private void DeadLetterRefused()
    {
        while (_refused.TryTake(out var record))
        {
            ProduceRefused(record);
        }
    }

    /// <summary>On the thread that polls, under the gate.</summary>
    private void OnDelivered(in DeliveryReport report)
    {
        if (report.Error == 0)
        {
            Interlocked.Increment(ref _delivered);
        }
        else if (!_refused.TryKeep(report))
        {
            Interlocked.CompareExchange(ref _failure, report.Error, 0);
        }
    }

    private void ThrowIfFailed()
    {
        var failure = Volatile.Read(ref _failure);
        var reason = _producer.FatalError ?? (failure != 0 ? $"{NativeProducer.Describe(failure)} ({failure})" : null);
        if (reason is not null)
        {
            throw new KafkaDeliveryException($"the brokers refused a record for {_topic}: {reason}");
        }
    }
}
