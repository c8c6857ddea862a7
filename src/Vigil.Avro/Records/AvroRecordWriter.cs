using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Avro.Records;

/// <summary>A source's writer whose JSON records go on as Avro (<c>--value-format avro</c> on generate and replay).</summary>
public sealed class AvroRecordWriter(IRecordWriter inner, JsonToAvro encoder) : IRecordWriter
{
    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null) =>
        inner.Write(key, encoder.Encode(value), headers);

    public ValueTask PublishAsync(bool partialBatches, CancellationToken cancellationToken) => inner.PublishAsync(partialBatches, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
}
