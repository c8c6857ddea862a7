using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Runtime.Pipeline;

/// <summary>Settings of the embedded pipeline (configuration section <c>Pipeline</c>).</summary>
public sealed class PipelineOptions
{
    /// <summary>Partitions per topic, and so detector workers; one per core by default.</summary>
    public int Partitions { get; set; } = Environment.ProcessorCount;

    /// <summary>Batches that may wait in each subscriber's queue before the publisher is held back.</summary>
    public int QueueCapacity { get; set; } = 8;

    /// <summary>Size of a record batch's buffer: bigger batches mean fewer hand-offs, more memory.</summary>
    public int BatchBytes { get; set; } = BatchPool.DefaultBatchBytes;

    /// <summary>Records larger than this go to the dead-letter topic.</summary>
    public int MaxRecordBytes { get; set; } = TransactionDecoder.DefaultMaxRecordBytes;
}
