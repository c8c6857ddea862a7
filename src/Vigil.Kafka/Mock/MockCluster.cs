using System.Runtime.InteropServices;
using System.Text;
using Vigil.Kafka.Native;

namespace Vigil.Kafka.Mock;

/// <summary>librdkafka's built-in mock Kafka cluster: real brokers speaking the Kafka protocol over TCP on loopback.</summary>
/// <remarks>
/// For trying Vigil's Kafka mode and for tests, not for production: it keeps messages in memory, trims old ones,
/// and lives as long as this object. Any Kafka client can connect to <see cref="BootstrapServers"/>.
/// </remarks>
public sealed class MockCluster : IDisposable
{
    private readonly IntPtr _client;
    private IntPtr _cluster;

    public MockCluster(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(brokers);
        LibrdkafkaLoader.EnsureLoaded();
        var config = Librdkafka.rd_kafka_conf_new();
        var error = new byte[512];
        Set(config, "client.id", "vigil-mock-cluster", error);
        Set(config, "log_level", "3", error);
        _client = Librdkafka.rd_kafka_new(Librdkafka.ProducerType, config, error, (nuint)error.Length);
        if (_client == IntPtr.Zero)
        {
            throw new KafkaSetupException("cannot start the mock cluster: " + Text(error));
        }

        _cluster = Librdkafka.rd_kafka_mock_cluster_new(_client, brokers);
        if (_cluster == IntPtr.Zero)
        {
            Librdkafka.rd_kafka_destroy(_client);
            throw new KafkaSetupException("cannot start the mock cluster: librdkafka refused to create it");
        }

        Brokers = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(Librdkafka.rd_kafka_mock_cluster_bootstraps(_cluster))!;
    }

    /// <summary>The brokers' addresses, e.g. <c>127.0.0.1:39513,127.0.0.1:41211</c>.</summary>
    public string BootstrapServers { get; }

    public int Brokers { get; }

    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        var error = Librdkafka.rd_kafka_mock_topic_create(Cluster, topic, partitions, Math.Min(replicationFactor, Brokers));
        if (error != 0)
        {
            throw new KafkaSetupException($"cannot create topic {topic} on the mock cluster: {Librdkafka.Describe(error)}");
        }
    }

    /// <summary>Takes a broker down (its connections are closed and refused) until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(Librdkafka.rd_kafka_mock_broker_set_down(Cluster, brokerId), "take down broker", brokerId);

    public void SetBrokerUp(int brokerId) => Check(Librdkafka.rd_kafka_mock_broker_set_up(Cluster, brokerId), "bring up broker", brokerId);

    /// <summary>Makes the next requests of one API (e.g. 0 = Produce) fail with the given Kafka error codes, in order.</summary>
    public void PushRequestErrors(short apiKey, params int[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Librdkafka.rd_kafka_mock_push_request_errors_array(Cluster, apiKey, (nuint)errors.Length, errors);
    }

    public void Dispose()
    {
        if (_cluster == IntPtr.Zero)
        {
            return;
        }

        Librdkafka.rd_kafka_mock_cluster_destroy(_cluster);
        Librdkafka.rd_kafka_destroy(_client);
        _cluster = IntPtr.Zero;
    }

    private IntPtr Cluster => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(MockCluster));

    private static void Check(int error, string what, int brokerId)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"cannot {what} {brokerId}: {Librdkafka.Describe(error)}");
        }
    }

    private static void Set(IntPtr config, string name, string value, byte[] error)
    {
        if (Librdkafka.rd_kafka_conf_set(config, name, value, error, (nuint)error.Length) != 0)
        {
            throw new KafkaSetupException($"cannot configure the mock cluster ({name}): {Text(error)}");
        }
    }

    private static string Text(byte[] nulTerminated) =>
        Encoding.UTF8.GetString(nulTerminated, 0, Math.Max(0, Array.IndexOf(nulTerminated, (byte)0)));
}
