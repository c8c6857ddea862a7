using System.Diagnostics.CodeAnalysis;
using Vigil.Transactions;

namespace Vigil.Detection;

/// <summary>How a detector reads its input records and writes its decided ones: JSON, or Avro with a schema registry.</summary>
public interface IRecordCodec
{
    /// <summary>Reads a record into <paramref name="into"/>, or says why it cannot be a transaction.</summary>
    bool TryDecode(ReadOnlyMemory<byte> value, Transaction into, [NotNullWhen(false)] out DecodeFailure? failure);

    /// <summary>An upper bound of the bytes <see cref="TryWrite"/> needs for this record and decision.</summary>
    int MaxLength(Transaction transaction, Decision decision);

    /// <summary>Writes the decided record: the input's fields with the decision.</summary>
    bool TryWrite(Transaction transaction, Decision decision, int inputPartition, long inputOffset, Span<byte> destination, out int written);
}
