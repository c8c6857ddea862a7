using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Transactions;

namespace Vigil.Simulation.Records;

/// <summary>Builds one-line JSON records into a reusable buffer; allocates nothing once the buffer has grown.</summary>
/// <remarks>
/// Property names are passed already encoded, as <see cref="Name"/> makes them once (<c>"amount":</c>), so that
/// writing a record is copying bytes and formatting numbers. String values are escaped only when they need it.
/// </remarks>
public sealed class JsonRecordBuilder
{
    private static readonly SearchValues<byte> NeedsEscaping = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    private byte[] _buffer = new byte[512];
    private int _length;
    private bool _firstMember;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>A property name as the builder takes it: quoted, escaped, followed by a colon.</summary>
    public static byte[] Name(string name) =>
        [.. "\""u8, .. JsonEncodedText.Encode(name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes, .. "\":"u8];

    public void Begin()
    {
        _length = 0;
        Put("{"u8);
        _firstMember = true;
    }

    public void End() => Put("}"u8);

    public void WholeNumber(ReadOnlySpan<byte> name, long value)
    {
        Member(name);
        Utf8Formatter.TryFormat(value, Room(20), out var written);
        _length += written;
    }

    public void Amount(ReadOnlySpan<byte> name, long cents)
    {
        Member(name);
        _length += Cents.Write(cents, Room(Cents.MaxLength));
    }

    /// <summary>A finite number, written in its shortest round-trip form.</summary>
    public void Number(ReadOnlySpan<byte> name, double value)
    {
        Member(name);
        value.TryFormat(Room(32), out var written, "R", CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>A number given as text that is already a valid JSON number (see <see cref="IsJsonNumber"/>).</summary>
    public void NumberText(ReadOnlySpan<byte> name, ReadOnlySpan<byte> jsonNumber)
    {
        Member(name);
        Put(jsonNumber);
    }

    /// <summary>A string from UTF-8 text, escaped as JSON requires.</summary>
    public void Text(ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8)
    {
        Member(name);
        Put("\""u8);
        var rest = utf8;
        int special;
        while ((special = rest.IndexOfAny(NeedsEscaping)) >= 0)
        {
            Put(rest[..special]);
            Escape(rest[special]);
            rest = rest[(special + 1)..];
        }

        Put(rest);
        Put("\""u8);
    }

    /// <summary>A UTC date-time as ISO-8601 text (<c>"2018-04-01T00:00:31Z"</c>).</summary>
    public void Timestamp(ReadOnlySpan<byte> name, long unixMilliseconds)
    {
        Member(name);
        Put("\""u8);
        _length += Iso8601.Write(unixMilliseconds, Room(Iso8601.MaxLength));
        Put("\""u8);
    }

    /// <summary>Whether text is a JSON number literal (CSV files also hold <c>.5</c>, <c>1.</c>, <c>+3</c> or <c>NaN</c>, which are not).</summary>
    public static bool IsJsonNumber(ReadOnlySpan<byte> text)
    {
        var at = 0;
        if (at < text.Length && text[at] == '-')
        {
            at++;
        }

        if (at == text.Length || !char.IsAsciiDigit((char)text[at]))
        {
            return false;
        }

        if (text[at] == '0')
        {
            at++;
        }
        else
        {
            at = SkipDigits(text, at);
        }

        if (at < text.Length && text[at] == '.')
        {
            var start = ++at;
            at = SkipDigits(text, at);
            if (at == start)
            {
                return false;
            }
        }

        if (at < text.Length && text[at] is (byte)'e' or (byte)'E')
        {
            at++;
            if (at < text.Length && text[at] is (byte)'+' or (byte)'-')
            {
                at++;
            }

            var start = at;
            at = SkipDigits(text, at);
            if (at == start)
            {
                return false;
            }
        }

        return at == text.Length;
    }

    private static int SkipDigits(ReadOnlySpan<byte> text, int at)
    {
        while (at < text.Length && char.IsAsciiDigit((char)text[at]))
        {
            at++;
        }

        return at;
    }

    private void Member(ReadOnlySpan<byte> name)
    {
        if (!_firstMember)
        {
            Put(","u8);
        }

        _firstMember = false;
        Put(name);
    }

    private void Escape(byte b)
    {
        switch (b)
        {
            case (byte)'"': Put("\\\""u8); break;
            case (byte)'\\': Put("\\\\"u8); break;
            case (byte)'\n': Put("\\n"u8); break;
            case (byte)'\r': Put("\\r"u8); break;
            case (byte)'\t': Put("\\t"u8); break;
            default:
                Put(Encoding.ASCII.GetBytes($"\\u{b:x4}"));
                break;
        }
    }

    private void Put(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Room(bytes.Length));
        _length += bytes.Length;
    }

    private Span<byte> Room(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }

        return _buffer.AsSpan(_length);
    }
}
