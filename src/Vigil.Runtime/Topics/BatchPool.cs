using System.Collections.Concurrent;

namespace Vigil.Runtime.Topics;

/// <summary>Recycles record batches of one standard size; records too big for one get a batch of their own.</summary>
public sealed class BatchPool
{
    public const int DefaultBatchBytes = 128 * 1024;
    public const int DefaultBatchRecords = 2048;

    private readonly ConcurrentQueue<RecordBatch> _free = new();
    private readonly int _maxPooled;
    private int _pooled;
    private long _created;

    public BatchPool(int batchBytes = DefaultBatchBytes, int batchRecords = DefaultBatchRecords, int maxPooled = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchBytes, 64);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchRecords);
        BatchBytes = batchBytes;
        BatchRecords = batchRecords;
        _maxPooled = maxPooled;
    }

    public int BatchBytes { get; }

    public int BatchRecords { get; }

    /// <summary>Batches created so far: a pipeline at steady state stops creating them.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>A batch with room for at least one record of <paramref name="recordBytes"/> bytes.</summary>
    public RecordBatch Rent(int recordBytes = 0)
    {
        if (recordBytes > BatchBytes)
        {
            Interlocked.Increment(ref _created);
            return new RecordBatch(recordBytes, 1, pool: null);
        }

        if (_free.TryDequeue(out var batch))
        {
            Interlocked.Decrement(ref _pooled);
            return batch;
        }

        Interlocked.Increment(ref _created);
        return new RecordBatch(BatchBytes, BatchRecords, this);
    }

    internal void Return(RecordBatch batch)
    {
        batch.Reset();
        if (Interlocked.Increment(ref _pooled) <= _maxPooled)
        {
            _free.Enqueue(batch);
        }
        else
        {
            Interlocked.Decrement(ref _pooled);
        }
    }
}
