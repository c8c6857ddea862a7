using Vigil.Kafka.Configuration;
using Vigil.Kafka.Native;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Sources;

/// <summary>Writes a source's records to a Kafka topic through an idempotent producer.</summary>
/// <remarks>
/// Records are keyed as the source keys them (the paying account), so one account's transactions stay in order on
/// one partition. When librdkafka's queue is full, <see cref="Write"/> waits for room: the brokers set the pace.
/// A record the brokers finally refuse fails the next call with <see cref="KafkaDeliveryException"/>.
/// </remarks>
public sealed class KafkaRecordWriter : IRecordWriter, IDisposable
{
    private static readonly TimeSpan FlushStep = TimeSpan.FromMilliseconds(100);

    private readonly NativeProducer _producer;
    private readonly string _topic;
    private readonly Lock _gate = new();
    private long _written;
    private long _delivered;
    private int _failure;

    public KafkaRecordWriter(KafkaClients clients, string topic)
    {
        ArgumentNullException.ThrowIfNull(clients);
        _topic = topic;
        _producer = clients.Producer("generator", OnDelivered);
        try
        {
            _producer.Prime([topic], TimeSpan.FromSeconds(30));
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

    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null)
    {
        ThrowIfFailed();
        lock (_gate)
        {
            while (_producer.Produce(_topic, key, value, timestampMs: 0, number: 0, headers) == NativeProducer.QueueFull)
            {
                _producer.Poll(1);
                ThrowIfFailed();
            }

            _producer.Poll(0);
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
            while (FlushStepped() > 0)
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
            return _producer.Flush(FlushStep);
        }
    }

    private void OnDelivered(long number, int error)
    {
        if (error != 0)
        {
            Interlocked.CompareExchange(ref _failure, error, 0);
        }
        else
        {
            Interlocked.Increment(ref _delivered);
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
