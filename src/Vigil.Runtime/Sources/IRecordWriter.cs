using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Sources;

/// <summary>Where a source writes its records: an embedded topic or a Kafka topic.</summary>
public interface IRecordWriter
{
    /// <summary>Writes one record; never waits (a full buffer is taken care of by <see cref="PublishAsync"/>).</summary>
    void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null);

    /// <summary>
    /// Hands what was written on to readers. With <paramref name="partialBatches"/> unset only full batches go (throughput);
    /// set, everything written so far goes (latency). Waits here when readers are behind (backpressure).
    /// </summary>
    ValueTask PublishAsync(bool partialBatches, CancellationToken cancellationToken);

    /// <summary>Waits until every record written is published (embedded) or acknowledged by the brokers (Kafka).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}

/// <summary>A writer whose readers can be told how far in event time everything has been published (an embedded topic).</summary>
public interface IWatermarkWriter
{
    /// <summary>Declares that every record with an event time before <paramref name="eventTimeMs"/> has been published.</summary>
    void AdvanceWatermark(long eventTimeMs);
}
