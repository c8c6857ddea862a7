using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Vigil.Transactions;

/// <summary>Decodes JSON transaction records from UTF-8 bytes without building intermediate strings.</summary>
/// <remarks>
/// Accepts the seed's shape (<c>source</c>, <c>target</c>, <c>amount</c>, <c>currency</c>) and the richer one
/// (<c>transaction_id</c>, <c>timestamp</c>, <c>customer_id</c>, <c>terminal_id</c>). Unknown numeric fields
/// are kept in <see cref="Transaction.Numbers"/>; all unknown fields stay in the record's bytes and so
/// reach the output unchanged. A record is rejected with a reason when it is larger than the limit,
/// not UTF-8, not one JSON object, repeats a known field, has a missing or non-numeric amount or one
/// <see cref="TransactionLimits"/> refuses, or a known field of the wrong type. An unknown field that is
/// null is kept as a missing number (NaN), so that a model's input can be given as missing.
/// </remarks>
public sealed class TransactionDecoder
{
    public const int DefaultMaxRecordBytes = 1 << 20;

    private const int AmountBit = 1 << (int)Field.Amount;

    private readonly int _maxRecordBytes;

    public TransactionDecoder(int maxRecordBytes = DefaultMaxRecordBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecordBytes);
        _maxRecordBytes = maxRecordBytes;
    }

    private enum Field
    {
        Unknown,
        Amount,
        Timestamp,
        TransactionId,
        CustomerId,
        TerminalId,
        Source,
        Target,
        Currency,
        Vigil,
        Features,
    }

    public bool TryDecode(ReadOnlyMemory<byte> utf8, Transaction into, [NotNullWhen(false)] out DecodeFailure? failure)
    {
        into.Reset(utf8);
        var record = utf8.Span;
        if (record.Length > _maxRecordBytes)
        {
            failure = new(DecodeError.TooLarge, $"record is {record.Length:N0} bytes; the limit is {_maxRecordBytes:N0}");
            return false;
        }

        if (!Utf8.IsValid(record))
        {
            failure = new(DecodeError.NotUtf8, "record is not valid UTF-8");
            return false;
        }

        try
        {
            failure = Parse(record, into);
            return failure is null;
        }
        catch (JsonException e)
        {
            failure = new(DecodeError.NotJson, record.IsEmpty ? "record is empty" : "not valid JSON: " + e.Message);
            return false;
        }
    }

    private static DecodeFailure? Parse(ReadOnlySpan<byte> record, Transaction into)
    {
        var reader = new Utf8JsonReader(record, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new(DecodeError.NotAnObject, $"record is {Describe(reader.TokenType)}, not a JSON object");
        }

        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var field = Identify(ref reader);
            var name = new Utf8Field(nameStart + 1, reader.ValueSpan.Length, reader.ValueIsEscaped, IsNumber: false);
            if (field != Field.Unknown)
            {
                var bit = 1 << (int)field;
                if ((seen & bit) != 0)
                {
                    return new(DecodeError.DuplicateField, $"field \"{TransactionLimits.Show(Utf8Text.Decode(record, name))}\" appears twice");
                }

                seen |= bit;
            }

            reader.Read();
            var failure = field switch
            {
                Field.Amount => ReadAmount(ref reader, into),
                Field.Timestamp => ReadTimestamp(ref reader, into),
                Field.Currency => ReadCurrency(ref reader, into),
                Field.Vigil => ReadPreviousDecision(ref reader, record, nameStart, into),
                Field.Features => ReadFeatures(ref reader, into),
                Field.Unknown => ReadUnknown(ref reader, name, into),
                _ => ReadIdentifier(ref reader, record, field, name, into),
            };
            if (failure is not null)
            {
                return failure;
            }
        }

        into.ObjectEnd = (int)reader.TokenStartIndex;

        // A second top-level value or trailing garbage makes Read throw; whitespace returns false.
        reader.Read();

        return (seen & AmountBit) == 0 ? new(DecodeError.MissingAmount, "amount is missing") : null;
    }

    private static Field Identify(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Identify(reader.ValueSpan);
        }

        // Unescaping never lengthens a name, so longer ones cannot be a known field.
        if (reader.ValueSpan.Length > 64)
        {
            return Field.Unknown;
        }

        Span<byte> buffer = stackalloc byte[64];
        return Identify(buffer[..reader.CopyString(buffer)]);
    }

    private static Field Identify(ReadOnlySpan<byte> name) => name.Length switch
    {
        5 when name.SequenceEqual("vigil"u8) => Field.Vigil,
        6 when name.SequenceEqual("amount"u8) => Field.Amount,
        6 when name.SequenceEqual("source"u8) => Field.Source,
        6 when name.SequenceEqual("target"u8) => Field.Target,
        8 when name.SequenceEqual("currency"u8) => Field.Currency,
        8 when name.SequenceEqual("features"u8) => Field.Features,
        9 when name.SequenceEqual("timestamp"u8) => Field.Timestamp,
        11 when name.SequenceEqual("customer_id"u8) => Field.CustomerId,
        11 when name.SequenceEqual("terminal_id"u8) => Field.TerminalId,
        14 when name.SequenceEqual("transaction_id"u8) => Field.TransactionId,
        _ => Field.Unknown,
    };

    private static DecodeFailure? ReadAmount(ref Utf8JsonReader reader, Transaction into)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                var amount = reader.TryGetDouble(out var parsed) ? parsed : double.PositiveInfinity;
                if (TransactionLimits.CheckAmount(amount, reader.ValueSpan) is { } refused)
                {
                    return refused;
                }

                into.Amount = amount;
                return null;
            case JsonTokenType.String when IsNonFiniteName(reader.ValueSpan):
                return new(DecodeError.AmountNotFinite, $"amount is {TransactionLimits.Show(reader.ValueSpan)}, not a number");
            case JsonTokenType.Null:
                return new(DecodeError.MissingAmount, "amount is null");
            default:
                var got = Describe(reader.TokenType);
                reader.Skip();
                return new(DecodeError.AmountWrongType, $"amount must be a JSON number, got {got}");
        }
    }

    private static bool IsNonFiniteName(ReadOnlySpan<byte> text) =>
        text.SequenceEqual("NaN"u8) || text.SequenceEqual("Infinity"u8) || text.SequenceEqual("-Infinity"u8)
        || text.SequenceEqual("inf"u8) || text.SequenceEqual("-inf"u8) || text.SequenceEqual("nan"u8);

    private static DecodeFailure? ReadTimestamp(ref Utf8JsonReader reader, Transaction into)
    {
        long milliseconds;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (!reader.TryGetInt64(out milliseconds) || milliseconds < 0 || milliseconds > TransactionLimits.MaxUnixMilliseconds)
                {
                    return new(DecodeError.BadTimestamp,
                        $"timestamp {TransactionLimits.Show(reader.ValueSpan)} is not whole epoch milliseconds between 1970 and 9999");
                }

                break;
            case JsonTokenType.String:
                var parsed = reader.ValueIsEscaped
                    ? Iso8601.TryParseUtf8(Encoding.UTF8.GetBytes(reader.GetString()!), out milliseconds)
                    : Iso8601.TryParseUtf8(reader.ValueSpan, out milliseconds);
                if (!parsed)
                {
                    return new(DecodeError.BadTimestamp,
                        $"timestamp \"{TransactionLimits.Show(reader.GetString()!)}\" is not ISO-8601 (e.g. 2018-04-01T00:00:31Z)");
                }

                break;
            default:
                var got = Describe(reader.TokenType);
                reader.Skip();
                return new(DecodeError.BadTimestamp, $"timestamp must be ISO-8601 text or epoch milliseconds, got {got}");
        }

        into.TimestampMs = milliseconds;
        into.HasTimestamp = true;
        return null;
    }

    private static DecodeFailure? ReadCurrency(ref Utf8JsonReader reader, Transaction into)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                into.Currency = StringField(ref reader);
                return null;
            default:
                var got = Describe(reader.TokenType);
                reader.Skip();
                return new(DecodeError.FieldWrongType, $"currency must be a string, got {got}");
        }
    }

    private static DecodeFailure? ReadIdentifier(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> record, Field field, Utf8Field name, Transaction into)
    {
        Utf8Field value;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                value = StringField(ref reader);
                break;
            case JsonTokenType.Number:
                value = new((int)reader.TokenStartIndex, reader.ValueSpan.Length, IsEscaped: false, IsNumber: true);
                break;
            default:
                var got = Describe(reader.TokenType);
                reader.Skip();
                return new(DecodeError.FieldWrongType, $"{TransactionLimits.Show(Utf8Text.Decode(record, name))} must be a string or a number, got {got}");
        }

        switch (field)
        {
            case Field.TransactionId: into.TransactionId = value; break;
            case Field.CustomerId: into.CustomerId = value; break;
            case Field.TerminalId: into.TerminalId = value; break;
            case Field.Source: into.Source = value; break;
            default: into.Target = value; break;
        }

        return null;
    }

    private static DecodeFailure? ReadPreviousDecision(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> record, int nameStart, Transaction into)
    {
        reader.Skip();
        var start = nameStart;
        var end = (int)reader.BytesConsumed;

        // Take one neighbouring comma with the member so that what remains is still valid JSON.
        var after = end;
        while (after < record.Length && IsWhitespace(record[after]))
        {
            after++;
        }

        if (after < record.Length && record[after] == ',')
        {
            end = after + 1;
        }
        else
        {
            var before = start - 1;
            while (before > 0 && IsWhitespace(record[before]))
            {
                before--;
            }

            if (record[before] == ',')
            {
                start = before;
            }
        }

        into.PreviousDecision = start..end;
        into.HasPreviousDecision = true;
        return null;
    }

    /// <summary>The feature stage's <c>"features":{"name":value,…}</c>: numbers kept for models, null (unknown) as NaN.</summary>
    private static DecodeFailure? ReadFeatures(ref Utf8JsonReader reader, Transaction into)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var got = Describe(reader.TokenType);
            reader.Skip();
            return new(DecodeError.FieldWrongType, $"features must be an object of numbers, got {got}");
        }

        // Kept as a range and read only when a model asks (Transaction.Features): most records are never scored by one.
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        into.FeaturesRange = start..(int)reader.BytesConsumed;
        into.HasFeatures = true;
        return null;
    }

    /// <summary>Reads the numbers of a <c>"features"</c> object the decoder found; null (an unknown value) is NaN.</summary>
    internal static void ReadFeatureValues(ReadOnlySpan<byte> record, Range range, NumericFields into)
    {
        var (start, length) = range.GetOffsetAndLength(record.Length);
        var reader = new Utf8JsonReader(record.Slice(start, length));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = new Utf8Field(start + (int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, reader.ValueIsEscaped, IsNumber: false);
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.Number when reader.TryGetDouble(out var value):
                    into.Add(name, value);
                    break;
                case JsonTokenType.Null:
                    into.Add(name, double.NaN);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private static DecodeFailure? ReadUnknown(ref Utf8JsonReader reader, Utf8Field name, Transaction into)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetDouble(out var value) && double.IsFinite(value))
            {
                into.Numbers.Add(name, value);
            }
        }
        else if (reader.TokenType == JsonTokenType.Null)
        {
            into.Numbers.Add(name, double.NaN);
        }
        else
        {
            reader.Skip();
        }

        return null;
    }

    private static Utf8Field StringField(ref Utf8JsonReader reader) =>
        new((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, reader.ValueIsEscaped, IsNumber: false);

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
