namespace Vigil.Runtime.Topics;

/// <summary>
/// Turns records of another format into the JSON the pipeline's stages read (Avro with a schema registry), where Kafka
/// records come in; a record it cannot read is given back as it came, for the stages to treat as they treat any.
/// </summary>
public interface IValueTranscoder
{
    /// <summary>Whether records of this topic are of its format (data topics), not Vigil's own (internal topics).</summary>
    bool Reads(string topic);

    /// <summary>The record as JSON, valid until the next call; <paramref name="value"/> itself when it is not of this format or cannot be read.</summary>
    ReadOnlySpan<byte> ToJson(ReadOnlySpan<byte> value);
}
