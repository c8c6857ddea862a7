using System.Text.Json.Nodes;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Transactions;

namespace Vigil.Avro.Records;

/// <summary>
/// JSON transactions as Avro: Vigil's transaction schema, extended by the record's other numeric fields (a ULB file's
/// V1..V28) as optional doubles, registered the first time a set of fields is seen. Other JSON fields (text beyond the
/// known ones, objects) have no place in the schema and are left out.
/// </summary>
public sealed class AvroTransactionEncoder(ISchemaSource registry, string topic) : JsonToAvro(registry, topic)
{
    private readonly TransactionDecoder _decoder = new();
    private readonly Transaction _transaction = new();
    private byte[] _input = new byte[1024];
    private byte[][] _extras = [];
    private int _schemaId = -1;

    protected override int MaxLength(ReadOnlySpan<byte> json) => ConfluentFrame.HeaderLength + (2 * json.Length) + 64; // a number takes 9 bytes, and at least 5 in JSON

    protected override int TryWrite(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        if (_input.Length < json.Length)
        {
            _input = new byte[json.Length * 2];
        }

        json.CopyTo(_input);
        if (!_decoder.TryDecode(_input.AsMemory(0, json.Length), _transaction, out _))
        {
            return -1;
        }

        var numbers = _transaction.Numbers;
        if (_schemaId < 0 || !SameExtras(numbers))
        {
            var names = Enumerable.Range(0, numbers.Count).Select(numbers.Name).ToList();
            _schemaId = Register(SchemaFor(names));
            _extras = [.. names.Select(System.Text.Encoding.UTF8.GetBytes)];
        }

        return Encode(destination);
    }

    /// <summary>Vigil's transaction schema with these numeric fields added, each an optional double.</summary>
    public static string SchemaFor(IReadOnlyList<string> extras)
    {
        var schema = JsonNode.Parse(AvroSchemas.Transaction)!.AsObject();
        var fields = schema["fields"]!.AsArray();
        foreach (var name in extras)
        {
            fields.Add(new JsonObject { ["name"] = name, ["type"] = new JsonArray("null", "double"), ["default"] = null });
        }

        return schema.ToJsonString();
    }

    private bool SameExtras(NumericFields numbers)
    {
        if (numbers.Count != _extras.Length)
        {
            return false;
        }

        for (var i = 0; i < numbers.Count; i++)
        {
            if (!_extras[i].AsSpan().SequenceEqual(numbers.NameUtf8(i)))
            {
                return false;
            }
        }

        return true;
    }

    private int Encode(Span<byte> destination)
    {
        var t = _transaction;
        ConfluentFrame.WriteHeader(_schemaId, destination);
        var at = ConfluentFrame.HeaderLength;
        at += Identifier(t, t.TransactionId, destination[at..]);
        at += AvroWriter.OptionalLong(t.HasTimestamp ? t.TimestampMs : null, destination[at..]);

        at += Identifier(t, t.CustomerId, destination[at..]);
        at += Identifier(t, t.TerminalId, destination[at..]);
        at += AvroWriter.Double(t.Amount, destination[at..]);
        if (t.Currency.IsPresent)
        {
            at += AvroWriter.Long(1, destination[at..]);
            at += AvroWriter.String(PlainUtf8(t, t.Currency), destination[at..]);
        }
        else
        {
            at += AvroWriter.Null(destination[at..]);
        }

        foreach (var number in t.Numbers.Values)
        {
            at += AvroWriter.OptionalDouble(double.IsNaN(number) ? null : number, destination[at..]);
        }

        return at;
    }

    /// <summary>An id as the schema's <c>["null", "long", "string"]</c>: a whole number as a long, anything else as text.</summary>
    private static int Identifier(Transaction t, Utf8Field field, Span<byte> destination)
    {
        if (!field.IsPresent)
        {
            return AvroWriter.Null(destination);
        }

        if (field.IsNumber && long.TryParse(t.Raw(field), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            var at = AvroWriter.Long(1, destination);
            return at + AvroWriter.Long(number, destination[at..]);
        }

        var written = AvroWriter.Long(2, destination);
        return written + AvroWriter.String(PlainUtf8(t, field), destination[written..]);
    }

    /// <summary>A field's text as UTF-8: where it lies in the record, unless JSON escaped it (rare: then decoded).</summary>
    private static ReadOnlySpan<byte> PlainUtf8(Transaction t, Utf8Field field) =>
        field.IsEscaped ? System.Text.Encoding.UTF8.GetBytes(t.Text(field)!) : t.Raw(field);
}
