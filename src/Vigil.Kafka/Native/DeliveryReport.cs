namespace Vigil.Kafka.Native;

/// <summary>Receives each record's delivery report, on the thread that polls the producer.</summary>
public delegate void DeliveryHandler(in DeliveryReport report);

/// <summary>
/// One record's delivery report: the number it was produced with, librdkafka's error code (0: acknowledged) and, for a
/// refused record, its topic, key and value, valid only during the call.
/// </summary>
public readonly ref struct DeliveryReport
{
    public DeliveryReport(long number, int error, string? topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Number = number;
        Error = error;
        Topic = topic;
        Key = key;
        Value = value;
    }

    public long Number { get; }

    public int Error { get; }

    /// <summary>The topic of a refused record; null for an acknowledged one, or when the report does not say.</summary>
    public string? Topic { get; }

    public ReadOnlySpan<byte> Key { get; }

    public ReadOnlySpan<byte> Value { get; }
}
