using Vigil.Runtime.Sources;

namespace Vigil.Runtime.Topics;

/// <summary>Appends records to a topic in batches, one open batch per partition; used by one thread at a time.</summary>
/// <remarks>
/// Appending is synchronous and never waits; a batch that fills up is sealed and queued. <see cref="FlushAsync"/>
/// publishes what is queued and, with <c>all</c>, what is open: that is where backpressure makes a producer wait.
/// Records without a key stick to one partition per batch, as Kafka's sticky partitioner does.
/// </remarks>
public sealed class TopicProducer : IRecordWriter, IWatermarkWriter
{
    private readonly Topic _topic;
    private readonly RecordBatch?[] _open;
    private readonly Queue<(int Partition, RecordBatch Batch)> _sealed = new();
    private int _stickyPartition;
    private int _pendingPartition = -1;

    internal TopicProducer(Topic topic)
    {
        _topic = topic;
        _open = new RecordBatch?[topic.Partitions.Count];
    }

    public Topic Topic => _topic;

    /// <summary>Sealed batches waiting for <see cref="FlushAsync"/>.</summary>
    public int SealedBatches => _sealed.Count;

    /// <summary>Partition for a record: by key hash, or the sticky partition for an empty key.</summary>
    public int PartitionFor(ReadOnlySpan<byte> key) => key.IsEmpty ? _stickyPartition : _topic.PartitionFor(key);

    public void Append(int partition, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null)
    {
        var span = BeginAppend(partition, key, value.Length);
        value.CopyTo(span);
        EndAppend(value.Length, headers);
    }

    public void Append(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null) =>
        Append(PartitionFor(key), key, value, headers);

    /// <summary>Returns room for a value of up to <paramref name="maxValueLength"/> bytes, to encode in place.</summary>
    public Span<byte> BeginAppend(int partition, ReadOnlySpan<byte> key, int maxValueLength)
    {
        if (_pendingPartition >= 0)
        {
            throw new InvalidOperationException("EndAppend must follow BeginAppend before the next record.");
        }

        var batch = _open[partition];
        if (batch is not null && !batch.HasRoomFor(key.Length, maxValueLength))
        {
            Seal(partition);
            batch = null;
        }

        if (batch is null)
        {
            batch = _topic.Pool.Rent(RecordBatch.SizeOf(key.Length, maxValueLength));
            _open[partition] = batch;
        }

        _pendingPartition = partition;
        return batch.BeginAppend(key, maxValueLength);
    }

    /// <param name="entered">For a record carried over from another topic: the Stopwatch timestamp at which it entered Vigil, or 0.</param>
    public void EndAppend(int valueLength, IReadOnlyList<RecordHeader>? headers = null, long entered = 0)
    {
        var partition = _pendingPartition;
        if (partition < 0)
        {
            throw new InvalidOperationException("EndAppend without BeginAppend.");
        }

        _pendingPartition = -1;
        var batch = _open[partition]!;
        batch.EndAppend(valueLength, headers);
        batch.EnteredAt(entered);
        if (!batch.HasRoomFor(0, 0))
        {
            Seal(partition);
        }
    }

    /// <summary>Publishes sealed batches, and open ones too when <paramref name="all"/> is set.</summary>
    public async ValueTask FlushAsync(bool all = true, CancellationToken cancellationToken = default)
    {
        if (all)
        {
            for (var partition = 0; partition < _open.Length; partition++)
            {
                if (_open[partition] is { IsEmpty: false })
                {
                    Seal(partition);
                }
            }
        }

        while (_sealed.TryPeek(out var next))
        {
            await _topic.Partitions[next.Partition].PublishAsync(next.Batch, cancellationToken);
            _sealed.Dequeue();
        }
    }

    /// <summary>Declares the topic's watermark; call only after publishing everything before it (<see cref="FlushAsync"/> with all).</summary>
    public void AdvanceWatermark(long eventTimeMs) => _topic.AdvanceWatermark(eventTimeMs);

    void IRecordWriter.Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers) => Append(key, value, headers);

    ValueTask IRecordWriter.PublishAsync(bool partialBatches, CancellationToken cancellationToken) => FlushAsync(partialBatches, cancellationToken);

    ValueTask IRecordWriter.FlushAsync(CancellationToken cancellationToken) => FlushAsync(all: true, cancellationToken);

    /// <summary>Gives unpublished batches back to the pool; their records are discarded.</summary>
    public void Abandon()
    {
        for (var partition = 0; partition < _open.Length; partition++)
        {
            _open[partition]?.Release();
            _open[partition] = null;
        }

        while (_sealed.TryDequeue(out var item))
        {
            item.Batch.Release();
        }
    }

    private void Seal(int partition)
    {
        _sealed.Enqueue((partition, _open[partition]!));
        _open[partition] = null;
        if (partition == _stickyPartition)
        {
            _stickyPartition = (_stickyPartition + 1) % _open.Length;
        }
    }
}
