using Microsoft.Extensions.Logging;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Native;

/// <summary>An idempotent librdkafka producer called directly, for the hot path: no allocation per record.</summary>
/// <remarks>
/// Each record carries a number (the caller's delivery window) that comes back in its delivery report. Reports are
/// served on the thread that calls <see cref="Poll"/> or <see cref="Flush"/>, so the caller's bookkeeping needs no
/// locks. Confluent.Kafka's produce path spends a GCHandle and several objects per record on its delivery handler,
/// which caps a detector at about 200,000 records per second on two cores; this path does not.
/// </remarks>
public sealed unsafe class NativeProducer : NativeClient
{
    private readonly DeliveryHandler _onDelivered;
    private readonly string _servers;
    private readonly Dictionary<string, IntPtr> _topics = new(StringComparer.Ordinal);

    /// <param name="settings">librdkafka settings by their own names.</param>
    /// <param name="onDelivered">Called for every record with its number and librdkafka's error code (0 = acknowledged).</param>
    /// <param name="log">Receives warnings and errors, one line each, from any thread.</param>
    public NativeProducer(IEnumerable<KeyValuePair<string, string>> settings, DeliveryHandler onDelivered, ILogger log)
        : base(Librdkafka.ProducerType, settings, log, config => Librdkafka.rd_kafka_conf_set_dr_msg_cb(config, &OnDeliveryReport))
    {
        _onDelivered = onDelivered;
        _servers = settings.FirstOrDefault(s => s.Key == "bootstrap.servers").Value ?? "the bootstrap servers";
    }

    /// <summary>librdkafka's local queue is full: poll and try again.</summary>
    public const int QueueFull = Librdkafka.QueueFull;

    /// <summary>RD_KAFKA_PARTITION_UA: the partitioner chooses.</summary>
    public const int AnyPartition = -1;

    /// <summary>The W3C trace context header, as OpenTelemetry's Kafka instrumentations name it.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>Fields of a record before its headers (<see cref="SetRecordFields"/>).</summary>
    private const int RecordFields = 7;

    /// <summary>Records produced and not yet reported delivered or failed.</summary>
    public int InFlight => Librdkafka.rd_kafka_outq_len(Handle);

    public static string Describe(int error) => Librdkafka.Describe(error);

    /// <summary>
    /// Whether an error is about the record itself (its size, its form, its timestamp) rather than the cluster: the
    /// record can never be written as it is, and the stream must go on without it.
    /// </summary>
    public static bool IsAboutOneRecord(int error) => error is MessageSizeTooLarge or 2 /* CORRUPT_MESSAGE */ or 32 /* INVALID_TIMESTAMP */ or 87 /* INVALID_RECORD */;

    /// <summary>MSG_SIZE_TOO_LARGE: the record is larger than the producer's or the broker's limit.</summary>
    public const int MessageSizeTooLarge = 10;

    /// <summary>
    /// Fetches the leaders of <paramref name="topics"/> so that the first records are not held up finding them; gives up
    /// after <paramref name="timeout"/> with <see cref="KafkaSetupException"/>, or when <paramref name="cancel"/> fires.
    /// </summary>
    public void Prime(IEnumerable<string> topics, TimeSpan timeout, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        foreach (var topic in topics)
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                var error = Librdkafka.rd_kafka_metadata(Handle, 0, Topic(topic), out var metadata, 500);
                if (error == 0)
                {
                    Librdkafka.rd_kafka_metadata_destroy(metadata);
                    break;
                }

                if (waited.Elapsed >= timeout)
                {
                    throw new KafkaSetupException(
                        $"the Kafka cluster at {_servers} did not answer within {timeout.TotalSeconds:N0} s ({Librdkafka.Describe(error)} for topic {topic}): is it running, and are --kafka and KAFKA_BROKER_URL right?");
                }
            }
        }
    }

    /// <summary>
    /// Queues one record (copied); returns 0, <see cref="QueueFull"/> when the caller must poll and retry, or an error
    /// <see cref="IsAboutOneRecord"/> (this record cannot be written); throws for anything else.
    /// </summary>
    /// <param name="number">Comes back with the record's delivery report.</param>
    /// <param name="timestampMs">The record's timestamp (Unix milliseconds), or 0 for now.</param>
    /// <param name="partition">The partition to write to, or <see cref="AnyPartition"/> for the partitioner's choice by key.</param>
    /// <param name="forwarded">A consumed record's header list (<see cref="ConsumedMessage.HeaderList"/>) to write a copy of,
    /// with no managed allocation; used when <paramref name="headers"/> is empty.</param>
    /// <param name="traceParent">A W3C <c>traceparent</c> written in place of the forwarded one (the span that decided the record).</param>
    public int Produce(
        string topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long timestampMs, long number, IReadOnlyList<RecordHeader>? headers = null, int partition = AnyPartition,
        IntPtr forwarded = default, ReadOnlySpan<byte> traceParent = default)
    {
        var rkt = Topic(topic);
        fixed (byte* keyPointer = key)
        fixed (byte* valuePointer = value)
        {
            if (headers is { Count: > 0 })
            {
                return ProduceWithHeaders(rkt, keyPointer, key.Length, valuePointer, value.Length, timestampMs, number, headers, partition);
            }

            if (forwarded != IntPtr.Zero || !traceParent.IsEmpty)
            {
                return ProduceForwarding(rkt, keyPointer, key.Length, valuePointer, value.Length, timestampMs, number, forwarded, traceParent, partition);
            }

            var fields = stackalloc Field[RecordFields];
            SetRecordFields(fields, rkt, keyPointer, key.Length, valuePointer, value.Length, timestampMs, number, partition);
            return Check(Librdkafka.rd_kafka_produceva(Handle, fields, RecordFields));
        }
    }

    /// <summary>Serves delivery reports (on this thread), waiting up to <paramref name="timeoutMs"/> for one.</summary>
    public int Poll(int timeoutMs) => Librdkafka.rd_kafka_poll(Handle, timeoutMs);

    /// <summary>Waits until every record is reported (serving the reports on this thread); returns how many are left.</summary>
    public int Flush(TimeSpan timeout)
    {
        _ = Librdkafka.rd_kafka_flush(Handle, (int)timeout.TotalMilliseconds);
        return InFlight;
    }

    private protected override void Close(IntPtr handle)
    {
        foreach (var rkt in _topics.Values)
        {
            Librdkafka.rd_kafka_topic_destroy(rkt);
        }

        _topics.Clear();
    }

    /// <summary>librdkafka takes the copy of the header list when the record is queued; otherwise it is destroyed here.</summary>
    private int ProduceForwarding(
        IntPtr rkt, byte* key, int keyLength, byte* value, int valueLength, long timestampMs, long number, IntPtr forwarded, ReadOnlySpan<byte> traceParent, int partition)
    {
        var copy = forwarded == IntPtr.Zero ? Librdkafka.rd_kafka_headers_new(1) : Librdkafka.rd_kafka_headers_copy(forwarded);
        if (!traceParent.IsEmpty)
        {
            _ = Librdkafka.rd_kafka_header_remove(copy, TraceParentHeader);
            fixed (byte* parent = traceParent)
            {
                _ = Librdkafka.rd_kafka_header_add(copy, TraceParentHeader, -1, parent, traceParent.Length);
            }
        }

        var fields = stackalloc Field[RecordFields + 1];
        SetRecordFields(fields, rkt, key, keyLength, value, valueLength, timestampMs, number, partition);
        fields[RecordFields] = Field.Pointer(Field.HeaderList, copy);
        var queued = false;
        try
        {
            var result = Check(Librdkafka.rd_kafka_produceva(Handle, fields, RecordFields + 1));
            queued = result == 0;
            return result;
        }
        finally
        {
            if (!queued)
            {
                Librdkafka.rd_kafka_headers_destroy(copy);
            }
        }
    }

    private int ProduceWithHeaders(
        IntPtr rkt, byte* key, int keyLength, byte* value, int valueLength, long timestampMs, long number, IReadOnlyList<RecordHeader> headers, int partition)
    {
        // The slow path (dead letters): header names and values are pinned for the call; librdkafka copies them.
        var names = headers.Select(h => Encoding.UTF8.GetBytes(h.Key + "\0")).ToArray();
        var pins = names.Select(n => GCHandle.Alloc(n, GCHandleType.Pinned)).Concat(headers.Select(h => GCHandle.Alloc(h.Value, GCHandleType.Pinned))).ToArray();
        try
        {
            var count = RecordFields + headers.Count;
            var fields = stackalloc Field[count];
            SetRecordFields(fields, rkt, key, keyLength, value, valueLength, timestampMs, number, partition);
            for (var i = 0; i < headers.Count; i++)
            {
                fields[RecordFields + i] = Field.Header(pins[i].AddrOfPinnedObject(), pins[names.Length + i].AddrOfPinnedObject(), headers[i].Value.Length);
            }

            return Check(Librdkafka.rd_kafka_produceva(Handle, fields, (nuint)count));
        }
        finally
        {
            foreach (var pin in pins)
            {
                pin.Free();
            }
        }
    }

    /// <summary>The seven fields every record has (topic, key, value, copy flag, its number, timestamp, partition); headers follow them.</summary>
    private static void SetRecordFields(
        Field* fields, IntPtr rkt, byte* key, int keyLength, byte* value, int valueLength, long timestampMs, long number, int partition)
    {
        fields[0] = Field.Pointer(Field.Rkt, rkt);
        fields[1] = Field.Memory(Field.Key, key, keyLength);
        fields[2] = Field.Memory(Field.Value, value, valueLength);
        fields[3] = Field.Long(Field.MsgFlags, Librdkafka.MessageCopyFlag);
        fields[4] = Field.Long(Field.Opaque, number);
        fields[5] = Field.Long(Field.Timestamp, timestampMs);
        fields[6] = Field.Long(Field.Partition, partition);
    }

    /// <summary>The name of a topic handle this producer made; looked up rather than asked of librdkafka, whose handle in a report may not be one it can name.</summary>
    private string? TopicOf(IntPtr rkt)
    {
        foreach (var (name, handle) in _topics)
        {
            if (handle == rkt)
            {
                return name;
            }
        }

        return null;
    }

    private IntPtr Topic(string name)
    {
        if (!_topics.TryGetValue(name, out var rkt))
        {
            rkt = Librdkafka.rd_kafka_topic_new(Handle, name, IntPtr.Zero);
            if (rkt == IntPtr.Zero)
            {
                throw new KafkaSetupException($"cannot use topic {name}: {Librdkafka.Describe(Librdkafka.rd_kafka_last_error())}");
            }

            _topics.Add(name, rkt);
        }

        return rkt;
    }

    private static int Check(IntPtr error)
    {
        if (error == IntPtr.Zero)
        {
            return 0;
        }

        var code = Librdkafka.rd_kafka_error_code(error);
        var text = Marshal.PtrToStringUTF8(Librdkafka.rd_kafka_error_string(error));
        Librdkafka.rd_kafka_error_destroy(error);
        return code == QueueFull || IsAboutOneRecord(code) ? code : throw new KafkaDeliveryException($"a record could not be produced: {text} ({code})");
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnDeliveryReport(IntPtr rk, Librdkafka.Message* message, IntPtr opaque)
    {
        if (From<NativeProducer>(opaque) is not { } producer)
        {
            return;
        }

        try
        {
            var error = message->Error;
            producer._onDelivered(new DeliveryReport(
                message->Private, error, error == 0 ? null : producer.TopicOf(message->Topic),
                new ReadOnlySpan<byte>(message->Key, (int)message->KeyLength), new ReadOnlySpan<byte>(message->Payload, (int)message->Length)));
        }
#pragma warning disable CA1031 // Nothing may be thrown back into librdkafka; the failure is kept and rethrown to the caller.
        catch (Exception e)
#pragma warning restore CA1031
        {
            producer.Fail($"a delivery report could not be handled: {e.Message}");
        }
    }

    /// <summary>rd_kafka_vu_t: a type tag and a 64-byte union, filled here with 64-bit words.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    private struct Field
    {
        public const int Rkt = 2;
        public const int Partition = 3;
        public const int Value = 4;
        public const int Key = 5;
        public const int Opaque = 6;
        public const int MsgFlags = 7;
        public const int Timestamp = 8;
        public const int HeaderType = 9;
        public const int HeaderList = 10;

        [FieldOffset(0)]
        private int _type;

        [FieldOffset(8)]
        private long _first;

        [FieldOffset(16)]
        private long _second;

        [FieldOffset(24)]
        private long _third;

        public static Field Pointer(int type, IntPtr pointer) => new() { _type = type, _first = (long)pointer };

        public static Field Memory(int type, byte* pointer, int length) => new() { _type = type, _first = (long)pointer, _second = length };

        public static Field Long(int type, long value) => new() { _type = type, _first = value };

        public static Field Header(IntPtr name, IntPtr value, int length) =>
            new() { _type = HeaderType, _first = (long)name, _second = (long)value, _third = length };
    }
}
