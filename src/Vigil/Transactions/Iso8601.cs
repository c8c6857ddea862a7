namespace Vigil.Transactions;

/// <summary>Parses and writes ISO-8601 date-times in UTF-8 without allocating.</summary>
/// <remarks>
/// Accepts <c>YYYY-MM-DD</c>, optionally followed by <c>T</c> or a space and <c>hh:mm[:ss[.fraction]]</c>,
/// optionally followed by <c>Z</c> or an offset <c>±hh[:mm]</c>. Without an offset the time is UTC
/// (the handbook's datasets write <c>2018-04-01 00:00:31</c>). Fractions finer than a millisecond are truncated.
/// </remarks>
public static class Iso8601
{
    public static bool TryParseUtf8(ReadOnlySpan<byte> text, out long unixMilliseconds)
    {
        unixMilliseconds = 0;
        if (text.Length < 10 || text[4] != '-' || text[7] != '-'
            || !TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month)
            || !TryDigits(text.Slice(8, 2), out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        int hour = 0, minute = 0, second = 0, millisecond = 0;
        var rest = text[10..];
        if (!rest.IsEmpty && rest[0] is (byte)'T' or (byte)'t' or (byte)' ')
        {
            if (rest.Length < 6 || rest[3] != ':' || !TryDigits(rest.Slice(1, 2), out hour)
                || !TryDigits(rest.Slice(4, 2), out minute) || hour > 23 || minute > 59)
            {
                return false;
            }

            rest = rest[6..];
            if (!rest.IsEmpty && rest[0] == ':')
            {
                if (rest.Length < 3 || !TryDigits(rest.Slice(1, 2), out second) || second > 59)
                {
                    return false;
                }

                rest = rest[3..];
                if (!rest.IsEmpty && rest[0] is (byte)'.' or (byte)',')
                {
                    var digits = 0;
                    while (digits + 1 < rest.Length && char.IsAsciiDigit((char)rest[digits + 1]))
                    {
                        if (digits < 3)
                        {
                            millisecond = (millisecond * 10) + (rest[digits + 1] - '0');
                        }

                        digits++;
                    }

                    if (digits == 0)
                    {
                        return false;
                    }

                    for (var scale = digits; scale < 3; scale++)
                    {
                        millisecond *= 10;
                    }

                    rest = rest[(digits + 1)..];
                }
            }
        }

        if (!TryOffsetMinutes(rest, out var offsetMinutes))
        {
            return false;
        }

        var utc = new DateTime(year, month, day, hour, minute, second, millisecond, DateTimeKind.Utc);
        unixMilliseconds = ((utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond)
                           - (offsetMinutes * 60_000L);
        return true;
    }

    /// <summary>The longest text <see cref="Write"/> produces (<c>2018-04-01T00:00:31.250Z</c>).</summary>
    public const int MaxLength = 24;

    /// <summary>
    /// Reads the top-level <c>timestamp</c> of a JSON record, stopping there (Vigil writes it second), without decoding
    /// the rest; false when the record has none that can be read.
    /// </summary>
    public static bool TryReadTimestamp(ReadOnlySpan<byte> record, out long unixMilliseconds)
    {
        unixMilliseconds = 0;
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var isTimestamp = reader.ValueTextEquals("timestamp"u8);
                reader.Read();
                if (isTimestamp)
                {
                    return reader.TokenType == System.Text.Json.JsonTokenType.String && !reader.ValueIsEscaped && TryParseUtf8(reader.ValueSpan, out unixMilliseconds);
                }

                reader.Skip();
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return false;
    }

    /// <summary>Writes a UTC date-time: <c>2018-04-01T00:00:31Z</c>, with milliseconds only when there are some.</summary>
    /// <param name="handbookStyle">Writes the handbook's <c>2018-04-01 00:00:31</c> instead: a space, no zone.</param>
    /// <returns>The bytes written.</returns>
    public static int Write(long unixMilliseconds, Span<byte> destination, bool handbookStyle = false)
    {
        var time = DateTime.UnixEpoch.AddMilliseconds(unixMilliseconds);
        var at = 0;
        Digits(time.Year, 4, destination, ref at);
        destination[at++] = (byte)'-';
        Digits(time.Month, 2, destination, ref at);
        destination[at++] = (byte)'-';
        Digits(time.Day, 2, destination, ref at);
        destination[at++] = handbookStyle ? (byte)' ' : (byte)'T';
        Digits(time.Hour, 2, destination, ref at);
        destination[at++] = (byte)':';
        Digits(time.Minute, 2, destination, ref at);
        destination[at++] = (byte)':';
        Digits(time.Second, 2, destination, ref at);
        if (time.Millisecond != 0)
        {
            destination[at++] = (byte)'.';
            Digits(time.Millisecond, 3, destination, ref at);
        }

        if (!handbookStyle)
        {
            destination[at++] = (byte)'Z';
        }

        return at;
    }

    private static void Digits(int value, int width, Span<byte> destination, ref int at)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            destination[at + i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        at += width;
    }

    private static bool TryOffsetMinutes(ReadOnlySpan<byte> rest, out int minutes)
    {
        minutes = 0;
        if (rest.IsEmpty)
        {
            return true;
        }

        if (rest.Length == 1 && rest[0] is (byte)'Z' or (byte)'z')
        {
            return true;
        }

        if (rest[0] is not ((byte)'+' or (byte)'-') || rest.Length < 3 || !TryDigits(rest.Slice(1, 2), out var hours))
        {
            return false;
        }

        var offsetMinutes = 0;
        var tail = rest[3..];
        if (tail.Length == 3 && tail[0] == ':')
        {
            tail = tail[1..];
        }

        if (tail.Length == 2)
        {
            if (!TryDigits(tail, out offsetMinutes) || offsetMinutes > 59)
            {
                return false;
            }
        }
        else if (!tail.IsEmpty)
        {
            return false;
        }

        if (hours > 14)
        {
            return false;
        }

        minutes = (hours * 60) + offsetMinutes;
        if (rest[0] == '-')
        {
            minutes = -minutes;
        }

        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }
}
