using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Transactions;

namespace Vigil.Avro.Records;

/// <summary>
/// JSON identity records (IEEE-CIS's identity table: one flat object a row) as Avro: a schema of the record's own
/// fields, <c>transaction_id</c> as in Vigil's schemas, <c>timestamp</c> as timestamp-millis, every other field an
/// optional double, text or boolean; registered the first time a set of fields is seen.
/// </summary>
public sealed class AvroIdentityEncoder(ISchemaSource registry, string topic) : JsonToAvro(registry, topic)
{
    private const int Null = 0;
    private const int Double = 1;
    private const int Text = 2;
    private const int Boolean = 3;

    private readonly List<string> _names = [];
    private int _schemaId = -1;

    protected override int MaxLength(ReadOnlySpan<byte> json) => ConfluentFrame.HeaderLength + (2 * json.Length) + 64;

    protected override int TryWrite(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        try
        {
            if (!SameFields(json))
            {
                var names = new List<string>();
                var reader = new Utf8JsonReader(json);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return -1;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    names.Add(reader.GetString()!);
                    reader.Read();
                    reader.Skip();
                }

                _schemaId = Register(SchemaFor(names));
                _names.Clear();
                _names.AddRange(names);
            }

            return Fields(json, destination);
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    /// <summary>The framed record: each field in the order of the schema it was registered with (the record's own).</summary>
    private int Fields(ReadOnlySpan<byte> value, Span<byte> destination)
    {
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

        return at;
    }

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
        var time = json.TokenType == JsonTokenType.String && Iso8601.TryParseUtf8(json.ValueSpan, out var ms) ? ms : (long?)null;
        json.Skip();
        return AvroWriter.OptionalLong(time, destination);
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
