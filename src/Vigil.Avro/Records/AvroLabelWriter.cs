using System.Buffers;
using System.Text.Json;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Avro.Records;

/// <summary>
/// Writes the JSON labels a source releases (ground truth, a week after the transaction) as Avro with Vigil's label
/// schema (schemas/label.avsc), registered under <c>TOPIC-value</c> at the first label. Fields the schema does not have
/// are left out.
/// </summary>
public sealed class AvroLabelWriter(IRecordWriter inner, ISchemaSource registry, string topic) : IRecordWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private int _schemaId = -1;

    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null)
    {
        if (_schemaId < 0)
        {
            _schemaId = registry.Register($"{topic}-value", AvroSchemas.Label);
        }

        var label = Label.Read(value);
        _buffer.ResetWrittenCount();
        var destination = _buffer.GetSpan(ConfluentFrame.HeaderLength + value.Length + 64);
        ConfluentFrame.WriteHeader(_schemaId, destination);
        var at = ConfluentFrame.HeaderLength;
        at += Identifier(value, label.TransactionId, destination[at..]);
        at += AvroWriter.Boolean(label.Fraud, destination[at..]);
        at += Optional(label.Scenario, destination[at..]);
        if (label.Amount is { } amount)
        {
            at += AvroWriter.Long(1, destination[at..]);
            at += AvroWriter.Double(amount, destination[at..]);
        }
        else
        {
            at += AvroWriter.Null(destination[at..]);
        }

        at += Optional(label.TimeMs, destination[at..]);
        at += Identifier(value, label.Customer, destination[at..]);
        at += Identifier(value, label.Terminal, destination[at..]);
        at += Optional(label.ReportedMs, destination[at..]);
        _buffer.Advance(at);
        inner.Write(key, _buffer.WrittenSpan, headers);
    }

    public ValueTask PublishAsync(bool partialBatches, CancellationToken cancellationToken) => inner.PublishAsync(partialBatches, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <summary>A <c>["null", long]</c> union (an int, or a timestamp in milliseconds).</summary>
    private static int Optional(long? value, Span<byte> destination)
    {
        if (value is not { } present)
        {
            return AvroWriter.Null(destination);
        }

        var at = AvroWriter.Long(1, destination);
        return at + AvroWriter.Long(present, destination[at..]);
    }

    /// <summary>An id as <c>["null", "long", "string"]</c>, from where it lies in the JSON label.</summary>
    private static int Identifier(ReadOnlySpan<byte> json, (int Start, int Length, bool IsNumber)? field, Span<byte> destination)
    {
        if (field is not { } id)
        {
            return AvroWriter.Null(destination);
        }

        var text = json.Slice(id.Start, id.Length);
        if (id.IsNumber && System.Buffers.Text.Utf8Parser.TryParse(text, out long number, out var used) && used == text.Length)
        {
            var at = AvroWriter.Long(1, destination);
            return at + AvroWriter.Long(number, destination[at..]);
        }

        var written = AvroWriter.Long(2, destination);
        return written + AvroWriter.String(text, destination[written..]);
    }

    /// <summary>The fields of a JSON label that the schema keeps.</summary>
    private record struct Label(
        (int, int, bool)? TransactionId, bool Fraud, long? Scenario, double? Amount, long? TimeMs, (int, int, bool)? Customer, (int, int, bool)? Terminal, long? ReportedMs)
    {
        public static Label Read(ReadOnlySpan<byte> json)
        {
            var label = default(Label);
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException("a source released a label that is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                var field = name.SequenceEqual("transaction_id"u8) ? 1 : name.SequenceEqual("fraud"u8) ? 2 : name.SequenceEqual("fraud_scenario"u8) ? 3
                    : name.SequenceEqual("amount"u8) ? 4 : name.SequenceEqual("timestamp"u8) ? 5 : name.SequenceEqual("customer_id"u8) ? 6
                    : name.SequenceEqual("terminal_id"u8) ? 7 : name.SequenceEqual("reported_at"u8) ? 8 : 0;
                reader.Read();
                switch (field)
                {
                    case 1: label.TransactionId = Id(ref reader); break;
                    case 2: label.Fraud = reader.TokenType == JsonTokenType.True || (reader.TokenType == JsonTokenType.Number && reader.GetDouble() != 0); break;
                    case 3: label.Scenario = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var s) ? s : null; break;
                    case 4: label.Amount = reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : null; break;
                    case 5: label.TimeMs = Time(ref reader); break;
                    case 6: label.Customer = Id(ref reader); break;
                    case 7: label.Terminal = Id(ref reader); break;
                    case 8: label.ReportedMs = Time(ref reader); break;
                    default: reader.Skip(); break;
                }
            }

            return label;
        }

        private static (int, int, bool)? Id(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.Number => ((int)reader.TokenStartIndex, reader.ValueSpan.Length, true),
            JsonTokenType.String when !reader.ValueIsEscaped => ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, false),
            _ => null,
        };

        private static long? Time(ref Utf8JsonReader reader) =>
            reader.TokenType == JsonTokenType.String && Iso8601.TryParseUtf8(reader.ValueSpan, out var ms) ? ms
            : reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n
            : null;
    }
}
