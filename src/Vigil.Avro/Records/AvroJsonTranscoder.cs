using System.Buffers;
using System.Text.Json;
using Avro;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Avro.Records;

/// <summary>
/// Confluent-framed Avro records as JSON, by their writer schema (fetched by id once): what the feature service and the
/// dashboard read when their topics carry Avro. A union is its branch's value, bytes and fixed are base64, an enum is its
/// symbol, a NaN or infinite number is null (JSON has none), and a timestamp of any precision is ISO-8601 text to the
/// millisecond, as Vigil's JSON carries it. Anything that is not such a record (JSON, internal topics) passes as it came.
/// </summary>
/// <param name="keepOriginal">
/// Whether the JSON carries the Avro record itself, base64, as its first member <c>vigil_avro</c>: the feature service's
/// output does, so that the detector after it writes the decided record in the producer's own schema.
/// </param>
/// <param name="topics">The data topics whose records may be Avro; null for every topic. Vigil's internal topics (repartition, state) are binary and never are.</param>
public sealed class AvroJsonTranscoder(ISchemaSource source, bool keepOriginal = false, IReadOnlySet<string>? topics = null, TimeProvider? time = null) : IValueTranscoder
{
    /// <summary>The member holding the original record when <c>keepOriginal</c> is set.</summary>
    public static ReadOnlySpan<byte> OriginalMember => "vigil_avro"u8;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Dictionary<int, (AvroType? Type, long RetryAt)> _types = [];
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly GuardedSchemaSource _source = new(source, time ?? TimeProvider.System);
    private Utf8JsonWriter? _writer;

    /// <summary>Records that looked like Avro and could not be read (an unknown schema, broken bytes): passed on as they came.</summary>
    public long Unreadable { get; private set; }

    public bool Reads(string topic) => topics is null || topics.Contains(topic);

    public ReadOnlySpan<byte> ToJson(ReadOnlySpan<byte> value)
    {
        if (!ConfluentFrame.TryReadSchemaId(value, out var id))
        {
            return value;
        }

        if (TypeOf(id) is not { Kind: Schema.Type.Record } type)
        {
            Unreadable++;
            return value;
        }

        _buffer.ResetWrittenCount();
        var writer = _writer ??= new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(_buffer);
        try
        {
            var reader = new AvroReader(value, ConfluentFrame.HeaderLength);
            writer.WriteStartObject();
            if (keepOriginal)
            {
                writer.WriteBase64String(OriginalMember, value);
            }

            WriteFields(type, ref reader, value, writer, depth: 0);
            writer.WriteEndObject();
            writer.Flush();
            if (!reader.AtEnd)
            {
                throw new AvroDataException("bytes follow the record");
            }

            return _buffer.WrittenSpan;
        }
        catch (AvroDataException)
        {
            Unreadable++;
            return value;
        }
    }

    private AvroType? TypeOf(int id)
    {
        if (_types.TryGetValue(id, out var known) && (known.Type is not null || _time.GetTimestamp() < known.RetryAt))
        {
            return known.Type;
        }

        if (_types.Count >= SchemaCache.MaxFailures)
        {
            // Made-up schema ids must not fill the memory: the failures go, the schemas known stay.
            foreach (var (failed, _) in _types.Where(t => t.Value.Type is null).ToList())
            {
                _types.Remove(failed);
            }
        }

        AvroType? type;
        try
        {
            type = AvroType.Compile(Schema.Parse(_source.GetSchema(id)));
        }
        catch (Exception e) when (e is SchemaSourceException or SchemaParseException or AvroException)
        {
            type = null;
        }

        _types[id] = (type, _time.GetTimestamp() + (long)(SchemaCache.RetryAfter.TotalSeconds * _time.TimestampFrequency));
        return type;
    }

    /// <summary>A string's bytes, which JSON takes only as UTF-8.</summary>
    private static ReadOnlySpan<byte> Text(ref AvroReader reader, ReadOnlySpan<byte> record)
    {
        var (start, length) = reader.ReadBytes();
        var text = record.Slice(start, length);
        return System.Text.Unicode.Utf8.IsValid(text) ? text : throw new AvroDataException("a string is not UTF-8");
    }

    private static void Write(AvroType type, ref AvroReader reader, ReadOnlySpan<byte> record, Utf8JsonWriter writer, int depth)
    {
        if (depth > 64)
        {
            throw new AvroDataException("values nest more than 64 deep");
        }

        switch (type.Kind)
        {
            case Schema.Type.Null:
                writer.WriteNullValue();
                break;
            case Schema.Type.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case Schema.Type.Int or Schema.Type.Long:
                var whole = reader.ReadLong();
                var milliseconds = type.Logical switch
                {
                    "timestamp-millis" or "local-timestamp-millis" => whole,
                    "timestamp-micros" or "local-timestamp-micros" => whole / 1_000,
                    "timestamp-nanos" or "local-timestamp-nanos" => whole / 1_000_000,
                    _ => (long?)null,
                };
                Span<byte> text = stackalloc byte[Iso8601.MaxLength];
                if (milliseconds is >= 0 and <= TransactionLimits.MaxUnixMilliseconds)
                {
                    writer.WriteStringValue(text[..Iso8601.Write(milliseconds.Value, text)]);
                }
                else
                {
                    writer.WriteNumberValue(whole);
                }

                break;
            case Schema.Type.Float or Schema.Type.Double:
                var number = type.Kind == Schema.Type.Float ? reader.ReadFloat() : reader.ReadDouble();
                if (double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    writer.WriteNullValue();
                }

                break;
            case Schema.Type.String:
                writer.WriteStringValue(Text(ref reader, record));
                break;
            case Schema.Type.Bytes:
                var (from, count) = reader.ReadBytes();
                writer.WriteBase64StringValue(record.Slice(from, count));
                break;
            case Schema.Type.Fixed:
                writer.WriteBase64StringValue(reader.Take(type.Size));
                break;
            case Schema.Type.Enumeration:
                var symbol = reader.ReadLong();
                writer.WriteStringValue(symbol >= 0 && symbol < type.FieldNames.Length ? type.FieldNames[symbol] : throw new AvroDataException($"enum symbol {symbol}"));
                break;
            case Schema.Type.Union:
                Write(type.Children[reader.ReadBranch(type.Children.Length)], ref reader, record, writer, depth + 1);
                break;
            case Schema.Type.Array:
                writer.WriteStartArray();
                for (var items = reader.ReadBlockCount(); items > 0; items = reader.ReadBlockCount())
                {
                    for (var i = 0L; i < items; i++)
                    {
                        Write(type.Children[0], ref reader, record, writer, depth + 1);
                    }
                }

                writer.WriteEndArray();
                break;
            case Schema.Type.Map:
                writer.WriteStartObject();
                for (var entries = reader.ReadBlockCount(); entries > 0; entries = reader.ReadBlockCount())
                {
                    for (var i = 0L; i < entries; i++)
                    {
                        writer.WritePropertyName(Text(ref reader, record));
                        Write(type.Children[0], ref reader, record, writer, depth + 1);
                    }
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteStartObject();
                WriteFields(type, ref reader, record, writer, depth);
                writer.WriteEndObject();
                break;
        }
    }

    private static void WriteFields(AvroType record, ref AvroReader reader, ReadOnlySpan<byte> bytes, Utf8JsonWriter writer, int depth)
    {
        for (var f = 0; f < record.Children.Length; f++)
        {
            writer.WritePropertyName(record.FieldNames[f]);
            Write(record.Children[f], ref reader, bytes, writer, depth + 1);
        }
    }
}
