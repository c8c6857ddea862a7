using Confluent.Kafka;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Pipeline;

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

    private readonly IProducer<byte[], byte[]> _producer;
    private readonly string _topic;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivered;
    private long _written;
    private long _delivered;
    private Error? _failure;

    public KafkaRecordWriter(KafkaClients clients, string topic)
    {
        ArgumentNullException.ThrowIfNull(clients);
        _topic = topic;
        _producer = clients.Producer("generator");
        _onDelivered = OnDelivered;
        try
        {
            KafkaClients.Prime(_producer, [topic], TimeSpan.FromSeconds(30));
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

    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfFailed();
        var message = new Message<byte[], byte[]> { Key = key.ToArray(), Value = value.ToArray() };
        while (true)
        {
            try
            {
                _producer.Produce(_topic, message, _onDelivered);
                Interlocked.Increment(ref _written);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                Thread.Sleep(1);
                ThrowIfFailed();
            }
        }
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
            while (_producer.Flush(FlushStep) > 0)
            {
                ThrowIfFailed();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }, CancellationToken.None);
        ThrowIfFailed();
    }

    public void Dispose() => _producer.Dispose();

    private void OnDelivered(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.CompareExchange(ref _failure, report.Error, null);
        }
        else
        {
            Interlocked.Increment(ref _delivered);
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new KafkaDeliveryException($"the brokers refused a record for {_topic}: {failure.Reason} ({failure.Code})");
        }
    }
}
