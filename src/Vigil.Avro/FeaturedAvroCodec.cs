using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Vigil.Avro.Records;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Detection;
using Vigil.Transactions;

namespace Vigil.Avro;

/// <summary>
/// The detector behind the feature service on Avro inputs: it reads the featured topic's JSON (the record, its
/// features, and the producer's Avro record kept in <c>vigil_avro</c>) and writes the decided record in the producer's
/// own schema with two fields appended, <c>features</c> (a map of name to optional double) and <c>vigil</c>, registered
/// under the output topics' subjects. A featured record without <c>vigil_avro</c> (its input was JSON) is a dead letter.
/// </summary>
public sealed class FeaturedAvroCodec : IRecordCodec
{
    private readonly TransactionDecoder _decoder;
    private readonly SchemaCache _schemas;
    private byte[] _original = new byte[4096];
    private int _length;
    private SchemaCache.Entry? _current;

    public FeaturedAvroCodec(ISchemaSource source, string legitTopic, string fraudTopic, int maxRecordBytes = TransactionDecoder.DefaultMaxRecordBytes, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _decoder = new TransactionDecoder(maxRecordBytes);
        _schemas = new SchemaCache(source, legitTopic, fraudTopic, time ?? TimeProvider.System, featured: true);
    }

    public bool TryDecode(ReadOnlyMemory<byte> value, Transaction into, [NotNullWhen(false)] out DecodeFailure? failure)
    {
        _current = null;
        if (!_decoder.TryDecode(value, into, out failure))
        {
            return false;
        }

        if (!TryReadOriginal(value.Span, out var id))
        {
            failure = new(DecodeError.NotAvro, "the featured record carries no Avro record (vigil_avro): its input was not Avro, or vigil features ran without --value-format avro");
            return false;
        }

        var entry = _schemas.Resolve(id);
        failure = entry.Failure;
        _current = failure is null ? entry : null;
        return failure is null;
    }

    public int MaxLength(Transaction transaction, Decision decision)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var features = transaction.Features;
        var room = 16;
        for (var i = 0; i < features.Count; i++)
        {
            room += features.NameUtf8(i).Length + 20;
        }

        return AvroDecisionWriter.MaxLength(_length, decision) + room;
    }

    public bool TryWrite(Transaction transaction, Decision decision, int inputPartition, long inputOffset, Span<byte> destination, out int written)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        written = 0;
        if (_current is not { } entry || destination.Length < MaxLength(transaction, decision))
        {
            return false;
        }

        var at = AvroDecisionWriter.WriteRecord(decision.IsFraud ? entry.FraudId : entry.LegitId, _original.AsSpan(ConfluentFrame.HeaderLength, _length - ConfluentFrame.HeaderLength), destination);
        at += WriteFeatures(transaction.Features, destination[at..]);
        written = at + AvroDecisionWriter.WriteDecision(decision, inputPartition, inputOffset, destination[at..]);
        return true;
    }

    /// <summary>The features as a map block: each name with <c>["null", "double"]</c>, NaN (unknown) as null.</summary>
    private static int WriteFeatures(NumericFields features, Span<byte> destination)
    {
        if (features.Count == 0)
        {
            return AvroWriter.Long(0, destination);
        }

        var at = AvroWriter.Long(features.Count, destination);
        for (var i = 0; i < features.Count; i++)
        {
            at += AvroWriter.String(features.NameUtf8(i), destination[at..]);
            if (double.IsNaN(features[i]))
            {
                at += AvroWriter.Null(destination[at..]);
            }
            else
            {
                at += AvroWriter.Long(1, destination[at..]);
                at += AvroWriter.Double(features[i], destination[at..]);
            }
        }

        return at + AvroWriter.Long(0, destination[at..]);
    }

    /// <summary>Decodes the first member, <c>vigil_avro</c> (where the transcoder puts it), into the original record.</summary>
    private bool TryReadOriginal(ReadOnlySpan<byte> json, out int schemaId)
    {
        schemaId = 0;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(AvroJsonTranscoder.OriginalMember)
            || !reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return false;
        }

        var base64 = reader.ValueSpan;
        if (_original.Length < Base64.GetMaxDecodedFromUtf8Length(base64.Length))
        {
            _original = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length) * 2];
        }

        if (Base64.DecodeFromUtf8(base64, _original, out _, out _length) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        return ConfluentFrame.TryReadSchemaId(_original.AsSpan(0, _length), out schemaId);
    }
}
