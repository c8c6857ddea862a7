using System.Diagnostics.CodeAnalysis;
using Vigil.Transactions;

namespace Vigil.Detection;

/// <summary>JSON records in and out: <see cref="TransactionDecoder"/> and <see cref="DecisionEncoder"/>.</summary>
public sealed class JsonRecordCodec(TransactionDecoder decoder) : IRecordCodec
{
    public JsonRecordCodec()
        : this(new TransactionDecoder())
    {
    }

    public bool TryDecode(ReadOnlyMemory<byte> value, Transaction into, [NotNullWhen(false)] out DecodeFailure? failure) =>
        decoder.TryDecode(value, into, out failure);

    public int MaxLength(Transaction transaction, Decision decision) => DecisionEncoder.MaxLength(transaction, decision);

    public bool TryWrite(Transaction transaction, Decision decision, int inputPartition, long inputOffset, Span<byte> destination, out int written) =>
        DecisionEncoder.TryWrite(transaction, decision, inputPartition, inputOffset, destination, out written);
}
