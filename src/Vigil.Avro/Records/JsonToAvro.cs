using System.Buffers;
using Vigil.Avro.Registry;

namespace Vigil.Avro.Records;

/// <summary>
/// Turns the JSON records a source makes (the simulator, a replayed file) into Confluent-framed Avro for one topic,
/// registering the schemas it writes under <c>TOPIC-value</c>. A record it cannot read passes as it came: the
/// detector sends it to the dead letters with the reason, and the records after it go on.
/// </summary>
public abstract class JsonToAvro(ISchemaSource registry, string topic)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    /// <summary>The record as Avro, valid until the next call; <paramref name="json"/> itself when it cannot be read.</summary>
    public ReadOnlySpan<byte> Encode(ReadOnlySpan<byte> json)
    {
        _buffer.ResetWrittenCount();
        var written = TryWrite(json, _buffer.GetSpan(MaxLength(json)));
        if (written < 0)
        {
            return json;
        }

        _buffer.Advance(written);
        return _buffer.WrittenSpan;
    }

    /// <summary>Registers a schema under the topic's subject and returns its id.</summary>
    protected int Register(string schema) => registry.Register($"{topic}-value", schema);

    /// <summary>An upper bound of the Avro bytes of this record, header included.</summary>
    protected abstract int MaxLength(ReadOnlySpan<byte> json);

    /// <summary>Writes the framed record and returns its length, or −1 when the JSON is not a record of this kind.</summary>
    protected abstract int TryWrite(ReadOnlySpan<byte> json, Span<byte> destination);
}
