using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Avro.Records;

/// <summary>
/// Writes the JSON identity records a replay makes (IEEE-CIS's identity table: one flat object a row) as Avro: a schema
/// of the record's own fields, <c>transaction_id</c> as in Vigil's schemas, <c>timestamp</c> as timestamp-millis, every
/// other field an optional double, text or boolean; registered under <c>TOPIC-value</c> the first time a set of fields is seen.
/// </summary>
public sealed class AvroIdentityWriter(IRecordWriter inner, ISchemaSource registry, string topic) : IRecordWriter
{
    private const int Null = 0;
    private const int Double = 1;
    private const int Text = 2;
    private const int Boolean = 3;

    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly List<string> _names = [];
    private int _schemaId = -1;

    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null)
    {
        if (!SameFields(value))
        {
            _names.Clear();
            var reader = new Utf8JsonReader(value);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                _names.Add(reader.GetString()!);
                reader.Read();
                reader.Skip();
            }

            _schemaId = registry.Register($"{topic}-value", SchemaFor(_names));
        }

        _buffer.ResetWrittenCount();
        var destination = _buffer.GetSpan(ConfluentFrame.HeaderLength + (2 * value.Length) + 64);
        ConfluentFrame.WriteHeader(_schemaId, destination);
        var at = ConfluentFrame.HeaderLength;
        var json = new Utf8JsonReader(value);
        json.Read();
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var isTime = json.ValueTextEquals("timestamp"u8);
            var isId = json.ValueTextEquals("transaction_id"u8);
            json.Read();
            at += isTime ? Timestamp(ref json, destination[at..]) : isId ? Identifier(ref json, destination[at..]) : Field(ref json, destination[at..]);
        }

        _buffer.Advance(at);
        inner.Write(key, _buffer.WrittenSpan, headers);
    }

    public ValueTask PublishAsync(bool partialBatches, CancellationToken cancellationToken) => inner.PublishAsync(partialBatches, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <summary>An identity schema of these fields, in order.</summary>
    public static string SchemaFor(IEnumerable<string> names)
    {
        var fields = new JsonArray();
        foreach (var name in names)
        {
            fields.Add(new JsonObject
            {
                ["name"] = name,
                ["type"] = name switch
                {
                    "transaction_id" => new JsonArray("null", "long", "string"),
                    "timestamp" => new JsonArray("null", new JsonObject { ["type"] = "long", ["logicalType"] = "timestamp-millis" }),
                    _ => new JsonArray("null", "double", "string", "boolean"),
                },
                ["default"] = null,
            });
        }

        return new JsonObject { ["type"] = "record", ["name"] = "Identity", ["namespace"] = "vigil", ["fields"] = fields }.ToJsonString();
    }

    private bool SameFields(ReadOnlySpan<byte> json)
    {
        if (_schemaId < 0)
        {
            return false;
        }

        var reader = new Utf8JsonReader(json);
        reader.Read();
        var i = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (i >= _names.Count || !reader.ValueTextEquals(_names[i++]))
            {
                return false;
            }

            reader.Read();
            reader.Skip();
        }

        return i == _names.Count;
    }

    private static int Timestamp(ref Utf8JsonReader json, Span<byte> destination)
    {
        if (json.TokenType == JsonTokenType.String && Iso8601.TryParseUtf8(json.ValueSpan, out var ms))
        {
            var at = AvroWriter.Long(1, destination);
            return at + AvroWriter.Long(ms, destination[at..]);
        }

        json.Skip();
        return AvroWriter.Long(Null, destination);
    }

    private static int Identifier(ref Utf8JsonReader json, Span<byte> destination)
    {
        if (json.TokenType == JsonTokenType.Number && json.TryGetInt64(out var number))
        {
            var at = AvroWriter.Long(1, destination);
            return at + AvroWriter.Long(number, destination[at..]);
        }

        return json.TokenType == JsonTokenType.String ? Utf8(ref json, 2, destination) : Skipped(ref json, destination);
    }

    /// <summary>Any other field: <c>["null", "double", "string", "boolean"]</c>.</summary>
    private static int Field(ref Utf8JsonReader json, Span<byte> destination)
    {
        switch (json.TokenType)
        {
            case JsonTokenType.Number when json.TryGetDouble(out var number):
                var at = AvroWriter.Long(Double, destination);
                return at + AvroWriter.Double(number, destination[at..]);
            case JsonTokenType.String:
                return Utf8(ref json, Text, destination);
            case JsonTokenType.True or JsonTokenType.False:
                var written = AvroWriter.Long(Boolean, destination);
                return written + AvroWriter.Boolean(json.TokenType == JsonTokenType.True, destination[written..]);
            default:
                return Skipped(ref json, destination);
        }
    }

    private static int Utf8(ref Utf8JsonReader json, int branch, Span<byte> destination)
    {
        var at = AvroWriter.Long(branch, destination);
        return at + (json.ValueIsEscaped ? AvroWriter.String(System.Text.Encoding.UTF8.GetBytes(json.GetString()!), destination[at..]) : AvroWriter.String(json.ValueSpan, destination[at..]));
    }

    private static int Skipped(ref Utf8JsonReader json, Span<byte> destination)
    {
        json.Skip();
        return AvroWriter.Long(Null, destination);
    }
}
