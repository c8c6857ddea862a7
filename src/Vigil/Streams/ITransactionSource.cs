namespace Vigil.Streams;

/// <summary>Transactions for a source to publish, one at a time: generated, simulated or read from a dataset file.</summary>
/// <remarks>
/// A cursor: <see cref="MoveNext"/> prepares the next record in the source's own buffers, and the spans stay valid
/// until the next call, so reading a source allocates nothing per record. Ground truth never travels in
/// <see cref="Value"/>: a source that knows it gives it apart, in <see cref="Label"/>, for the labels topic.
/// </remarks>
public interface ITransactionSource
{
    /// <summary>What the source is, for headers and summaries.</summary>
    string Description { get; }

    /// <summary>Whether transactions come with ground truth (<see cref="Label"/>).</summary>
    bool HasLabels { get; }

    /// <summary>Whether transactions carry an event time (<see cref="EventTimeMs"/>), so the source can be paced by it.</summary>
    bool HasEventTime { get; }

    /// <summary>Moves to the next record; false at the end of the stream.</summary>
    bool MoveNext();

    /// <summary>Set when the current record is a row that cannot be a transaction; <see cref="Value"/> then holds the row.</summary>
    InvalidRecord? Invalid { get; }

    /// <summary>The record's key: the customer, so that one customer's transactions stay in order on one partition.</summary>
    ReadOnlySpan<byte> Key { get; }

    /// <summary>The transaction as one line of JSON (the raw row for an invalid record).</summary>
    ReadOnlySpan<byte> Value { get; }

    /// <summary>The transaction's event time in Unix milliseconds; 0 when <see cref="HasEventTime"/> is false.</summary>
    long EventTimeMs { get; }

    /// <summary>The transaction's ground truth as a label record (JSON), or empty.</summary>
    ReadOnlySpan<byte> Label { get; }

    /// <summary>A record of the second stream joined to this transaction (an IEEE-CIS identity), or empty.</summary>
    ReadOnlySpan<byte> Identity { get; }
}
