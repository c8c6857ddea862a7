using System.Text.Json.Nodes;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Avro.Records;

/// <summary>
/// Writes the JSON transactions a source makes (the simulator, a replayed file) as Avro to the writer it wraps: Vigil's
/// transaction schema, extended by the record's other numeric fields (a ULB file's V1..V28) as optional doubles. The
/// schema is registered under <c>TOPIC-value</c> the first time a set of fields is seen. Other JSON fields (text
/// beyond the known ones, objects) have no place in the schema and are left out.
/// </summary>
public sealed class AvroTransactionWriter(IRecordWriter inner, ISchemaSource registry, string topic) : IRecordWriter
{
    private readonly TransactionDecoder _decoder = new();
    private readonly Transaction _transaction = new();
    private byte[] _buffer = new byte[1024];
    private byte[] _input = new byte[1024];
    private byte[][] _extras = [];
    private int _schemaId = -1;

    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null)
    {
        if (_input.Length < value.Length)
        {
            _input = new byte[value.Length * 2];
        }

        value.CopyTo(_input);
        if (!_decoder.TryDecode(_input.AsMemory(0, value.Length), _transaction, out var failure))
        {
            throw new InvalidDataException($"a source made a record that is not a transaction ({failure.Reason})");
        }

        var numbers = _transaction.Numbers;
        if (_schemaId < 0 || !SameExtras(numbers))
        {
            var names = Enumerable.Range(0, numbers.Count).Select(numbers.Name).ToList();
            _schemaId = registry.Register($"{topic}-value", SchemaFor(names));
            _extras = [.. names.Select(System.Text.Encoding.UTF8.GetBytes)];
        }

        var room = ConfluentFrame.HeaderLength + value.Length + (10 * numbers.Count) + 64;
        if (_buffer.Length < room)
        {
            _buffer = new byte[room * 2];
        }

        inner.Write(key, _buffer.AsSpan(0, Encode(_buffer)), headers);
    }

    public ValueTask PublishAsync(bool partialBatches, CancellationToken cancellationToken) => inner.PublishAsync(partialBatches, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

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
        if (t.HasTimestamp)
        {
            at += AvroWriter.Long(1, destination[at..]);
            at += AvroWriter.Long(t.TimestampMs, destination[at..]);
        }
        else
        {
            at += AvroWriter.Null(destination[at..]);
        }

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
            if (double.IsNaN(number))
            {
                at += AvroWriter.Null(destination[at..]);
            }
            else
            {
                at += AvroWriter.Long(1, destination[at..]);
                at += AvroWriter.Double(number, destination[at..]);
            }
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
