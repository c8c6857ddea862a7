namespace Vigil.Kafka.Configuration;

/// <summary>How Vigil reaches a Kafka cluster (configuration section <c>Kafka</c>).</summary>
/// <remarks>
/// Besides the named settings, any librdkafka setting can be given under the section by its own name
/// (<c>Kafka:security.protocol</c>, <c>--kafka-config sasl.mechanism=PLAIN</c>); those go to every client as they are.
/// </remarks>
public sealed class KafkaOptions
{
    public const string DefaultGroupId = "vigil-detector";

    /// <summary>The brokers to bootstrap from (<c>host:port,…</c>), or <c>mock</c> for an in-process mock cluster.</summary>
    public string BootstrapServers { get; set; } = "localhost:9092";

    /// <summary>The detectors' consumer group: instances with the same group share the partitions.</summary>
    public string GroupId { get; set; } = DefaultGroupId;

    /// <summary>
    /// This instance's stable name in the group (Kafka's static membership, <c>group.instance.id</c>): an instance
    /// restarted under the same name gets its partitions back at once, with no rebalance; null for none. Two running
    /// instances must never share one.
    /// </summary>
    public string? InstanceId { get; set; }

    /// <summary>librdkafka settings passed through to every client, after Vigil's own, so they win.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How often a detector commits the offsets whose outputs the brokers have acknowledged.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a stopping detector waits for the brokers to acknowledge what is in flight.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsMock => string.Equals(BootstrapServers, "mock", StringComparison.OrdinalIgnoreCase);
}
