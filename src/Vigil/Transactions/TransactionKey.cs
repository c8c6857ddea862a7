using System.Text.Json;

namespace Vigil.Transactions;

/// <summary>A transaction id as a 64-bit key, to join records about the same transaction (a decision and its label).</summary>
/// <remarks>
/// A whole number is its own key, whether written as a number or as text (42 and "42" are the same transaction);
/// any other id is hashed with 64-bit FNV-1a, where two of ten million distinct ids collide with odds of about 3 in a million.
/// </remarks>
public static class TransactionKey
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    /// <summary>The key of an id given as its (unescaped) UTF-8 text.</summary>
    public static long Of(ReadOnlySpan<byte> id)
    {
        if (TryWholeNumber(id, out var number))
        {
            return number;
        }

        var hash = FnvOffset;
        foreach (var b in id)
        {
            hash = (hash ^ b) * FnvPrime;
        }

        return (long)hash;
    }

    /// <summary>Reads the <c>transaction_id</c> of a JSON record's top level; false when it has none.</summary>
    /// <remarks>Stops at the id: Vigil writes it first, so the rest of the record is not parsed.</remarks>
    public static bool TryRead(ReadOnlySpan<byte> record, out long key)
    {
        key = 0;
        var reader = new Utf8JsonReader(record);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("transaction_id"u8);
                reader.Read();
                if (isId)
                {
                    return TryKey(ref reader, out key);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return false;
    }

    /// <summary>The key of the value the reader is on (a number or a string).</summary>
    internal static bool TryKey(ref Utf8JsonReader reader, out long key)
    {
        key = 0;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                key = reader.TryGetInt64(out var number) ? number : Of(reader.ValueSpan);
                return true;
            case JsonTokenType.String when !reader.ValueIsEscaped:
                key = Of(reader.ValueSpan);
                return true;
            case JsonTokenType.String:
                Span<byte> unescaped = stackalloc byte[256];
                key = reader.ValueSpan.Length <= unescaped.Length
                    ? Of(unescaped[..reader.CopyString(unescaped)])
                    : Of(System.Text.Encoding.UTF8.GetBytes(reader.GetString()!));
                return true;
            default:
                return false;
        }
    }

    private static bool TryWholeNumber(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        var negative = !text.IsEmpty && text[0] == '-';
        var digits = negative ? text[1..] : text;
        if (digits.IsEmpty || digits.Length > 18)
        {
            return false;
        }

        foreach (var b in digits)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        value = negative ? -value : value;
        return true;
    }
}
