using System.Diagnostics.CodeAnalysis;
using Vigil.Avro.Records;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Detection;
using Vigil.Transactions;

namespace Vigil.Avro;

/// <summary>
/// Avro records in Confluent's wire format, in and out: a transaction read by its writer schema (fetched by id from the
/// registry, once), and the decided record written as that schema plus a <c>vigil</c> field, registered under the output
/// topics' subjects (TopicNameStrategy). One instance per detector thread; nothing is allocated per record once the
/// schemas are known.
/// </summary>
public sealed class AvroRecordCodec : IRecordCodec
{
    private readonly SchemaCache _schemas;
    private readonly int _maxRecordBytes;
    private byte[] _record = new byte[4096];
    private int _length;
    private SchemaCache.Entry? _current;

    /// <param name="legitTopic">The topic legitimate decisions go to; its subject is <c>TOPIC-value</c>.</param>
    public AvroRecordCodec(ISchemaSource source, string legitTopic, string fraudTopic, int maxRecordBytes = TransactionDecoder.DefaultMaxRecordBytes, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _schemas = new SchemaCache(source, legitTopic, fraudTopic, time ?? TimeProvider.System);
        _maxRecordBytes = maxRecordBytes;
    }

    public bool TryDecode(ReadOnlyMemory<byte> value, Transaction into, [NotNullWhen(false)] out DecodeFailure? failure)
    {
        ArgumentNullException.ThrowIfNull(into);
        _current = null;
        var bytes = value.Span;
        if (bytes.Length > _maxRecordBytes)
        {
            failure = new(DecodeError.TooLarge, $"record is {bytes.Length:N0} bytes; the limit is {_maxRecordBytes:N0}");
            return false;
        }

        if (!ConfluentFrame.TryReadSchemaId(bytes, out var id))
        {
            failure = NotFramed(bytes);
            return false;
        }

        var entry = _schemas.Resolve(id);
        if (entry.Failure is { } unreadable)
        {
            failure = unreadable;
            return false;
        }

        if (_record.Length < bytes.Length + AvroTransactionReader.DigitsRoom)
        {
            _record = new byte[Math.Max(bytes.Length + AvroTransactionReader.DigitsRoom, _record.Length * 2)];
        }

        bytes.CopyTo(_record);
        _length = bytes.Length;
        failure = AvroTransactionReader.Read(entry.Plan!, _record, bytes.Length, into);
        _current = failure is null ? entry : null;
        return failure is null;
    }

    public int MaxLength(Transaction transaction, Decision decision) => AvroDecisionWriter.MaxLength(_length, decision);

    public bool TryWrite(Transaction transaction, Decision decision, int inputPartition, long inputOffset, Span<byte> destination, out int written)
    {
        ArgumentNullException.ThrowIfNull(decision);
        written = 0;
        if (_current is not { } entry || destination.Length < MaxLength(transaction, decision))
        {
            return false;
        }

        written = AvroDecisionWriter.Write(
            decision.IsFraud ? entry.FraudId : entry.LegitId, _record.AsSpan(ConfluentFrame.HeaderLength, _length - ConfluentFrame.HeaderLength), decision, inputPartition, inputOffset, destination);
        return true;
    }

    private static DecodeFailure NotFramed(ReadOnlySpan<byte> bytes) => new(
        DecodeError.NotAvro,
        bytes.Length < ConfluentFrame.HeaderLength
            ? $"record is {bytes.Length} bytes: Confluent's wire format starts with 5 (a magic byte 0 and a 4-byte schema id)"
            : $"record starts with byte {bytes[0]}, not Confluent's magic byte 0{(bytes[0] == (byte)'{' ? " (it looks like JSON: run with --value-format json)" : string.Empty)}");
}
