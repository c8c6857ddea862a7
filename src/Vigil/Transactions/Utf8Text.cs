using System.Text;
using System.Text.Json;

namespace Vigil.Transactions;

/// <summary>Turns a raw JSON field back into a .NET string, for the slow path (tests, reports).</summary>
internal static class Utf8Text
{
    public static string Decode(ReadOnlySpan<byte> record, Utf8Field field)
    {
        if (!field.IsPresent)
        {
            return string.Empty;
        }

        var raw = record.Slice(field.Start, field.Length);
        if (!field.IsEscaped)
        {
            return Encoding.UTF8.GetString(raw);
        }

        // Re-wrap in quotes and let the JSON reader unescape it.
        var quoted = new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString() ?? string.Empty;
    }
}
