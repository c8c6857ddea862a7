using System.Text.Json;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Transactions;

namespace Vigil.Avro.Records;

/// <summary>
/// JSON labels (ground truth, released a week after the transaction) as Avro with Vigil's label schema
/// (schemas/label.avsc), registered at the first label. Fields the schema does not have are left out.
/// </summary>
public sealed class AvroLabelEncoder(ISchemaSource registry, string topic) : JsonToAvro(registry, topic)
{
    private int _schemaId = -1;

    protected override int MaxLength(ReadOnlySpan<byte> json) => ConfluentFrame.HeaderLength + (2 * json.Length) + 64; // a number takes 9 bytes, and at least 5 in JSON

    protected override int TryWrite(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        if (Label.Read(json) is not { } label)
        {
            return -1;
        }

        if (_schemaId < 0)
        {
            _schemaId = Register(AvroSchemas.Label);
        }

        ConfluentFrame.WriteHeader(_schemaId, destination);
        var at = ConfluentFrame.HeaderLength;
        at += Identifier(json, label.TransactionId, destination[at..]);
        at += AvroWriter.Boolean(label.Fraud, destination[at..]);
        at += AvroWriter.OptionalLong(label.Scenario, destination[at..]);
        at += AvroWriter.OptionalDouble(label.Amount, destination[at..]);
        at += AvroWriter.OptionalLong(label.TimeMs, destination[at..]);
        at += Identifier(json, label.Customer, destination[at..]);
        at += Identifier(json, label.Terminal, destination[at..]);
        return at + AvroWriter.OptionalLong(label.ReportedMs, destination[at..]);
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
        /// <summary>The label's fields; null when the JSON is not an object.</summary>
        public static Label? Read(ReadOnlySpan<byte> json)
        {
            var label = default(Label);
            var reader = new Utf8JsonReader(json);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                Fill(ref reader, ref label);
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                return null;
            }

            return label;
        }

        private static void Fill(ref Utf8JsonReader reader, ref Label label)
        {
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
