using System.Runtime.InteropServices;
using System.Text;

namespace Vigil.Streamiz.Probe;

/// <summary>librdkafka's mock cluster, through the library that Confluent.Kafka 2.16 loads, with topics made up front.</summary>
/// <remarks>The mock has no CreateTopics handler, so every topic, Streamiz's internal ones included, is made here.</remarks>
internal sealed partial class MockKafka : IDisposable
{
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;

    public MockKafka(string library, int brokers)
    {
        NativeLibrary.SetDllImportResolver(typeof(MockKafka).Assembly, (name, _, _) => name == "rdkafka" ? NativeLibrary.Load(library) : IntPtr.Zero);
        var conf = rd_kafka_conf_new();
        var error = new byte[512];
        _handle = rd_kafka_new(1, conf, error, (UIntPtr)error.Length);
        if (_handle == IntPtr.Zero)
        {
            throw new InvalidOperationException($"rd_kafka_new: {Encoding.UTF8.GetString(error).TrimEnd('\0')}");
        }

        _cluster = rd_kafka_mock_cluster_new(_handle, brokers);
        BootstrapServers = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(_cluster))!;
    }

    public string BootstrapServers { get; }

    public void CreateTopic(string topic, int partitions, int replicationFactor)
    {
        var result = rd_kafka_mock_topic_create(_cluster, topic, partitions, replicationFactor);
        if (result != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_topic_create {topic}: error {result}");
        }
    }

    public void Dispose()
    {
        rd_kafka_mock_cluster_destroy(_cluster);
        rd_kafka_destroy(_handle);
    }

    [DllImport("rdkafka")]
    private static extern IntPtr rd_kafka_conf_new();

    [DllImport("rdkafka")]
    private static extern IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

    [DllImport("rdkafka")]
    private static extern void rd_kafka_destroy(IntPtr rk);

    [DllImport("rdkafka")]
    private static extern IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokers);

    [DllImport("rdkafka")]
    private static extern void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [DllImport("rdkafka")]
    private static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [DllImport("rdkafka", CharSet = CharSet.Ansi)]
    private static extern int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);
}
