using System.Runtime.InteropServices;
using System.Text;
using Vigil.Kafka.Native;

namespace Vigil.Kafka.Mock;

/// <summary>librdkafka's built-in mock Kafka cluster: real brokers speaking the Kafka protocol over TCP on loopback.</summary>
/// <remarks>
/// For trying Vigil's Kafka mode and for tests, not for production: it keeps messages in memory, trims old ones,
/// and lives as long as this object. Any Kafka client can connect to <see cref="BootstrapServers"/>.
/// </remarks>
public sealed partial class MockCluster : IDisposable
{
    private const int ProducerType = 0;
    private readonly IntPtr _client;
    private IntPtr _cluster;

    public MockCluster(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(brokers);
        LibrdkafkaLoader.EnsureLoaded();
        var config = Native.rd_kafka_conf_new();
        var error = new byte[512];
        Set(config, "client.id", "vigil-mock-cluster", error);
        Set(config, "log_level", "3", error);
        _client = Native.rd_kafka_new(ProducerType, config, error, (nuint)error.Length);
        if (_client == IntPtr.Zero)
        {
            throw new KafkaSetupException("cannot start the mock cluster: " + Text(error));
        }

        _cluster = Native.rd_kafka_mock_cluster_new(_client, brokers);
        if (_cluster == IntPtr.Zero)
        {
            Native.rd_kafka_destroy(_client);
            throw new KafkaSetupException("cannot start the mock cluster: librdkafka refused to create it");
        }

        Brokers = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(Native.rd_kafka_mock_cluster_bootstraps(_cluster))!;
    }

    /// <summary>The brokers' addresses, e.g. <c>127.0.0.1:39513,127.0.0.1:41211</c>.</summary>
    public string BootstrapServers { get; }

    public int Brokers { get; }

    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        var error = Native.rd_kafka_mock_topic_create(Cluster, topic, partitions, Math.Min(replicationFactor, Brokers));
        if (error != 0)
        {
            throw new KafkaSetupException($"cannot create topic {topic} on the mock cluster: {Native.Describe(error)}");
        }
    }

    /// <summary>Takes a broker down (its connections are closed and refused) until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(Native.rd_kafka_mock_broker_set_down(Cluster, brokerId), "take down broker", brokerId);

    public void SetBrokerUp(int brokerId) => Check(Native.rd_kafka_mock_broker_set_up(Cluster, brokerId), "bring up broker", brokerId);

    /// <summary>Makes the next requests of one API (e.g. 0 = Produce) fail with the given Kafka error codes, in order.</summary>
    public void PushRequestErrors(short apiKey, params int[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Native.rd_kafka_mock_push_request_errors_array(Cluster, apiKey, (nuint)errors.Length, errors);
    }

    public void Dispose()
    {
        if (_cluster == IntPtr.Zero)
        {
            return;
        }

        Native.rd_kafka_mock_cluster_destroy(_cluster);
        Native.rd_kafka_destroy(_client);
        _cluster = IntPtr.Zero;
    }

    private IntPtr Cluster => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(MockCluster));

    private static void Check(int error, string what, int brokerId)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"cannot {what} {brokerId}: {Native.Describe(error)}");
        }
    }

    private static void Set(IntPtr config, string name, string value, byte[] error)
    {
        if (Native.rd_kafka_conf_set(config, name, value, error, (nuint)error.Length) != 0)
        {
            throw new KafkaSetupException($"cannot configure the mock cluster ({name}): {Text(error)}");
        }
    }

    private static string Text(byte[] nulTerminated) =>
        Encoding.UTF8.GetString(nulTerminated, 0, Math.Max(0, Array.IndexOf(nulTerminated, (byte)0)));

    private static partial class Native
    {
        private const string Library = "librdkafka";

        public static string Describe(int error) => Marshal.PtrToStringUTF8(rd_kafka_err2str(error)) ?? $"error {error}";

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_conf_new();

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

        [LibraryImport(Library)]
        public static partial void rd_kafka_destroy(IntPtr rk);

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_err2str(int err);

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
}
