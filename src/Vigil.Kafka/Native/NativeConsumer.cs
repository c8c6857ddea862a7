using Microsoft.Extensions.Logging;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Native;

/// <summary>What a consumer-group member is told when its partitions change; called on the consuming thread.</summary>
public interface IRebalanceListener
{
    void OnAssigned(IReadOnlyList<int> partitions);

    /// <summary>The partitions go to another member: finish what is in flight for them and commit it now.</summary>
    void OnRevoked(IReadOnlyList<int> partitions);

    /// <summary>The partitions were taken away (session lost): nothing can be committed for them any more.</summary>
    void OnLost(IReadOnlyList<int> partitions);
}

/// <summary>A librdkafka consumer-group member reading one topic in batches, straight from librdkafka's buffers.</summary>
/// <remarks>
/// <see cref="Consume"/> fills an array of message pointers without copying or allocating; the caller reads them
/// through <see cref="ConsumedMessage"/> and hands the batch back with <see cref="Release"/>. Rebalances reach the
/// listener on the consuming thread, inside <see cref="Consume"/> and <see cref="NativeClient.Dispose"/>.
/// </remarks>
public sealed unsafe class NativeConsumer : NativeClient
{
    private readonly IRebalanceListener _listener;
    private readonly string _topic;
    private readonly Librdkafka.Message*[] _batch;
    private IntPtr _queue;
    private int _count;

    /// <param name="settings">librdkafka settings by their own names; <c>group.id</c> among them.</param>
    public NativeConsumer(IEnumerable<KeyValuePair<string, string>> settings, string topic, IRebalanceListener listener, ILogger log, int batchSize = 1024)
        : base(Librdkafka.ConsumerType, settings, log, config => Librdkafka.rd_kafka_conf_set_rebalance_cb(config, &OnRebalance))
    {
        _listener = listener;
        _topic = topic;
        _batch = new Librdkafka.Message*[batchSize];
        _ = Librdkafka.rd_kafka_poll_set_consumer(Handle);
        _queue = Librdkafka.rd_kafka_queue_get_consumer(Handle);
        var topics = Librdkafka.rd_kafka_topic_partition_list_new(1);
        Librdkafka.rd_kafka_topic_partition_list_add(topics, topic, -1);
        var error = Librdkafka.rd_kafka_subscribe(Handle, topics);
        Librdkafka.rd_kafka_topic_partition_list_destroy(topics);
        if (error != 0)
        {
            Dispose();
            throw new KafkaSetupException($"cannot subscribe to {topic}: {Librdkafka.Describe(error)}");
        }
    }

    public string Topic => _topic;

    /// <summary>Messages in the current batch.</summary>
    public int Count => _count;

    public ConsumedMessage this[int index] => new(_batch[index]);

    /// <summary>
    /// Takes what is waiting, up to a batch; when nothing is, waits up to <paramref name="timeout"/> for one message.
    /// Returns the number of messages, to be read with the indexer and then released.
    /// </summary>
    public int Consume(TimeSpan timeout)
    {
        if (_count > 0)
        {
            throw new InvalidOperationException("Release the previous batch first.");
        }

        fixed (Librdkafka.Message** batch = _batch)
        {
            var count = (int)Librdkafka.rd_kafka_consume_batch_queue(_queue, 0, batch, (nuint)_batch.Length);
            if (count == 0)
            {
                count = (int)Librdkafka.rd_kafka_consume_batch_queue(_queue, (int)timeout.TotalMilliseconds, batch, 1);
            }

            _count = Math.Max(0, count);
        }

        return _count;
    }

    /// <summary>Hands the current batch back to librdkafka; the messages must not be read afterwards.</summary>
    public void Release()
    {
        for (var i = 0; i < _count; i++)
        {
            Librdkafka.rd_kafka_message_destroy(_batch[i]);
        }

        _count = 0;
    }

    /// <summary>Commits the given next-offsets synchronously; returns 0 or librdkafka's error code.</summary>
    public int Commit(IReadOnlyCollection<KeyValuePair<int, long>> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var list = Librdkafka.rd_kafka_topic_partition_list_new(offsets.Count);
        try
        {
            foreach (var (partition, offset) in offsets)
            {
                Librdkafka.rd_kafka_topic_partition_list_add(list, _topic, partition)->Offset = offset;
            }

            return Librdkafka.rd_kafka_commit(Handle, list, 0);
        }
        finally
        {
            Librdkafka.rd_kafka_topic_partition_list_destroy(list);
        }
    }

    /// <summary>Records waiting behind this member's position on each of <paramref name="partitions"/> (in their order), from cached watermarks.</summary>
    /// <remarks>A partition with no position yet, or no watermark cached, counts 0.</remarks>
    public long[] Lags(IReadOnlyList<int> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var lags = new long[partitions.Count];
        if (partitions.Count == 0)
        {
            return lags;
        }

        var list = Librdkafka.rd_kafka_topic_partition_list_new(partitions.Count);
        try
        {
            foreach (var partition in partitions)
            {
                Librdkafka.rd_kafka_topic_partition_list_add(list, _topic, partition);
            }

            _ = Librdkafka.rd_kafka_position(Handle, list);
            for (var i = 0; i < list->Count; i++)
            {
                var element = list->Elements[i];
                if (element.Offset >= 0 && Librdkafka.rd_kafka_get_watermark_offsets(Handle, _topic, element.Partition, out _, out var high) == 0 && high >= 0)
                {
                    lags[i] = Math.Max(0, high - element.Offset);
                }
            }

            return lags;
        }
        finally
        {
            Librdkafka.rd_kafka_topic_partition_list_destroy(list);
        }
    }

    /// <summary>Leaves the group: the listener hears the last revocation first.</summary>
    private protected override void Close(IntPtr handle)
    {
        Release();
        if (_queue != IntPtr.Zero)
        {
            Librdkafka.rd_kafka_queue_destroy(_queue);
            _queue = IntPtr.Zero;
        }

        _ = Librdkafka.rd_kafka_consumer_close(handle);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnRebalance(IntPtr rk, int error, Librdkafka.TopicPartitionList* partitions, IntPtr opaque)
    {
        if (From<NativeConsumer>(opaque) is not { } consumer)
        {
            return;
        }

        var numbers = new int[partitions->Count];
        for (var i = 0; i < numbers.Length; i++)
        {
            numbers[i] = partitions->Elements[i].Partition;
        }

        var cooperative = Marshal.PtrToStringUTF8(Librdkafka.rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
        try
        {
            if (error == Librdkafka.AssignPartitions)
            {
                consumer._listener.OnAssigned(numbers);
            }
            else if (Librdkafka.rd_kafka_assignment_lost(rk) != 0)
            {
                consumer._listener.OnLost(numbers);
            }
            else
            {
                consumer._listener.OnRevoked(numbers);
            }
        }
#pragma warning disable CA1031 // Nothing may be thrown back into librdkafka; the failure is kept and rethrown to the caller.
        catch (Exception e)
#pragma warning restore CA1031
        {
            consumer.Fail($"a rebalance could not be handled: {e.Message}");
        }

        // The assignment must change whatever the listener did, or the group would wait for this member.
        if (cooperative)
        {
            var result = error == Librdkafka.AssignPartitions
                ? Librdkafka.rd_kafka_incremental_assign(rk, partitions)
                : Librdkafka.rd_kafka_incremental_unassign(rk, partitions);
            if (result != IntPtr.Zero)
            {
                Librdkafka.rd_kafka_error_destroy(result);
            }
        }
        else
        {
            _ = Librdkafka.rd_kafka_assign(rk, error == Librdkafka.AssignPartitions ? partitions : null);
        }
    }
}

/// <summary>A view of one consumed message inside librdkafka's buffers, valid until its batch is released.</summary>
public readonly unsafe ref struct ConsumedMessage
{
    private readonly Librdkafka.Message* _message;

    internal ConsumedMessage(Librdkafka.Message* message) => _message = message;

    /// <summary>librdkafka's error code: non-zero means this is an error event, not a record.</summary>
    public int Error => _message->Error;

    public string ErrorText => Librdkafka.Describe(_message->Error);

    public int Partition => _message->Partition;

    public long Offset => _message->Offset;

    public ReadOnlySpan<byte> Key => _message->Key == null ? default : new(_message->Key, checked((int)_message->KeyLength));

    public ReadOnlySpan<byte> Value => _message->Payload == null ? default : new(_message->Payload, checked((int)_message->Length));

    /// <summary>The record's timestamp in Unix milliseconds, or 0 when it has none.</summary>
    public long TimestampMs
    {
        get
        {
            var timestamp = Librdkafka.rd_kafka_message_timestamp(_message, out _);
            return timestamp < 0 ? 0 : timestamp;
        }
    }

    /// <summary>librdkafka's list of the record's headers, valid while the message is, or zero when it has none; allocates nothing.</summary>
    public IntPtr HeaderList => Librdkafka.rd_kafka_message_headers(_message, out var list) == 0 ? list : IntPtr.Zero;

    /// <summary>The value of the record's last header named <paramref name="name"/>, or empty; valid while the message is.</summary>
    public ReadOnlySpan<byte> Header(string name) =>
        Librdkafka.rd_kafka_message_headers(_message, out var list) == 0 && Librdkafka.rd_kafka_header_get_last(list, name, out var value, out var size) == 0 && value != IntPtr.Zero
            ? new((void*)value, checked((int)size))
            : default;

    /// <summary>The record's headers; allocates, for the slow path (dead letters).</summary>
    public IReadOnlyList<RecordHeader> Headers()
    {
        var headers = new List<RecordHeader>();
        if (Librdkafka.rd_kafka_message_headers(_message, out var list) != 0)
        {
            return headers;
        }

        for (nuint i = 0; Librdkafka.rd_kafka_header_get_all(list, i, out var name, out var value, out var size) == 0; i++)
        {
            headers.Add(new RecordHeader(Marshal.PtrToStringUTF8(name) ?? string.Empty, new ReadOnlySpan<byte>((void*)value, checked((int)size)).ToArray()));
        }

        return headers;
    }
}
