using System.Text;

namespace Vigil.Runtime.Topics;

/// <summary>A record header, as in Kafka: a name and bytes.</summary>
public sealed record RecordHeader(string Key, byte[] Value)
{
    public RecordHeader(string key, string value)
        : this(key, Encoding.UTF8.GetBytes(value))
    {
    }

    public string ValueText => Encoding.UTF8.GetString(Value);
}
