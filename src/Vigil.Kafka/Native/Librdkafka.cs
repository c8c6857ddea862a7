using System.Runtime.InteropServices;

namespace Vigil.Kafka.Native;

/// <summary>The librdkafka C functions Vigil calls directly, and the layouts of the structures it reads (64-bit).</summary>
internal static unsafe partial class Librdkafka
{
    public const int ProducerType = 0;
    public const int ConsumerType = 1;
    public const int MessageCopyFlag = 0x2;
    public const int QueueFull = -184;
    public const int Fatal = -150;
    public const int AssignPartitions = -175;
    public const int RevokePartitions = -174;
    public const int NoEntry = -156;
    public const int TimedOut = -185;

    private const string Library = "librdkafka";

    public static string Describe(int error) => Marshal.PtrToStringUTF8(rd_kafka_err2str(error)) ?? $"error {error}";

    /// <summary>rd_kafka_message_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Message
    {
        public int Error;
        public IntPtr Topic;
        public int Partition;
        public byte* Payload;
        public nuint Length;
        public byte* Key;
        public nuint KeyLength;
        public long Offset;
        public long Private;
    }

    /// <summary>rd_kafka_topic_partition_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TopicPartition
    {
        public IntPtr Topic;
        public int Partition;
        public long Offset;
        public IntPtr Metadata;
        public nuint MetadataSize;
        public IntPtr Opaque;
        public int Error;
        public IntPtr Private;
    }

    /// <summary>rd_kafka_topic_partition_list_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TopicPartitionList
    {
        public int Count;
        public int Size;
        public TopicPartition* Elements;
    }

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library)]
    public static partial void rd_kafka_conf_destroy(IntPtr conf);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library)]
    public static partial void rd_kafka_conf_set_opaque(IntPtr conf, IntPtr opaque);

    [LibraryImport(Library)]
    public static partial void rd_kafka_conf_set_dr_msg_cb(IntPtr conf, delegate* unmanaged[Cdecl]<IntPtr, Message*, IntPtr, void> callback);

    [LibraryImport(Library)]
    public static partial void rd_kafka_conf_set_error_cb(IntPtr conf, delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, IntPtr, void> callback);

    [LibraryImport(Library)]
    public static partial void rd_kafka_conf_set_log_cb(IntPtr conf, delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, IntPtr, void> callback);

    [LibraryImport(Library)]
    public static partial void rd_kafka_conf_set_rebalance_cb(IntPtr conf, delegate* unmanaged[Cdecl]<IntPtr, int, TopicPartitionList*, IntPtr, void> callback);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library)]
    public static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_opaque(IntPtr rk);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_err2str(int err);

    [LibraryImport(Library)]
    public static partial int rd_kafka_last_error();

    [LibraryImport(Library)]
    public static partial int rd_kafka_fatal_error(IntPtr rk, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr rd_kafka_topic_new(IntPtr rk, string topic, IntPtr conf);

    [LibraryImport(Library)]
    public static partial void rd_kafka_topic_destroy(IntPtr rkt);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_produceva(IntPtr rk, void* fields, nuint count);

    [LibraryImport(Library)]
    public static partial int rd_kafka_poll(IntPtr rk, int timeoutMs);

    [LibraryImport(Library)]
    public static partial int rd_kafka_flush(IntPtr rk, int timeoutMs);

    [LibraryImport(Library)]
    public static partial int rd_kafka_outq_len(IntPtr rk);

    [LibraryImport(Library)]
    public static partial int rd_kafka_metadata(IntPtr rk, int allTopics, IntPtr onlyTopic, out IntPtr metadata, int timeoutMs);

    [LibraryImport(Library)]
    public static partial void rd_kafka_metadata_destroy(IntPtr metadata);

    [LibraryImport(Library)]
    public static partial int rd_kafka_error_code(IntPtr error);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_error_string(IntPtr error);

    [LibraryImport(Library)]
    public static partial void rd_kafka_error_destroy(IntPtr error);

    [LibraryImport(Library)]
    public static partial int rd_kafka_poll_set_consumer(IntPtr rk);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_queue_get_consumer(IntPtr rk);

    [LibraryImport(Library)]
    public static partial void rd_kafka_queue_destroy(IntPtr queue);

    [LibraryImport(Library)]
    public static partial nint rd_kafka_consume_batch_queue(IntPtr queue, int timeoutMs, Message** messages, nuint size);

    [LibraryImport(Library)]
    public static partial void rd_kafka_message_destroy(Message* message);

    [LibraryImport(Library)]
    public static partial long rd_kafka_message_timestamp(Message* message, out int type);

    [LibraryImport(Library)]
    public static partial int rd_kafka_message_headers(Message* message, out IntPtr headers);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_headers_copy(IntPtr headers);

    [LibraryImport(Library)]
    public static partial void rd_kafka_headers_destroy(IntPtr headers);

    [LibraryImport(Library)]
    public static partial int rd_kafka_header_get_all(IntPtr headers, nuint index, out IntPtr name, out IntPtr value, out nuint size);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_header_get_last(IntPtr headers, string name, out IntPtr value, out nuint size);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_headers_new(nuint initialCount);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_header_remove(IntPtr headers, string name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_header_add(IntPtr headers, string name, nint nameSize, byte* value, nint valueSize);

    [LibraryImport(Library)]
    public static partial int rd_kafka_subscribe(IntPtr rk, TopicPartitionList* topics);

    [LibraryImport(Library)]
    public static partial int rd_kafka_consumer_close(IntPtr rk);

    [LibraryImport(Library)]
    public static partial int rd_kafka_assign(IntPtr rk, TopicPartitionList* partitions);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_incremental_assign(IntPtr rk, TopicPartitionList* partitions);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_incremental_unassign(IntPtr rk, TopicPartitionList* partitions);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_rebalance_protocol(IntPtr rk);

    [LibraryImport(Library)]
    public static partial int rd_kafka_assignment_lost(IntPtr rk);

    [LibraryImport(Library)]
    public static partial int rd_kafka_commit(IntPtr rk, TopicPartitionList* offsets, int async);

    [LibraryImport(Library)]
    public static partial int rd_kafka_position(IntPtr rk, TopicPartitionList* partitions);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_get_watermark_offsets(IntPtr rk, string topic, int partition, out long low, out long high);

    [LibraryImport(Library)]
    public static partial TopicPartitionList* rd_kafka_topic_partition_list_new(int size);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial TopicPartition* rd_kafka_topic_partition_list_add(TopicPartitionList* list, string topic, int partition);

    [LibraryImport(Library)]
    public static partial void rd_kafka_topic_partition_list_destroy(TopicPartitionList* list);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nuint count, int[] errors);
}
