namespace Vigil.Simulation.Datasets.Csv;

/// <summary>The fields of one CSV row, split and unquoted; reused row after row, valid until the next split.</summary>
/// <remarks>
/// RFC 4180: fields are separated by commas; a field in double quotes may hold commas, line breaks and doubled quotes
/// (<c>""</c> for <c>"</c>). Unquoted fields point into the row; quoted ones with doubled quotes are copied unescaped.
/// </remarks>
public sealed class CsvRow
{
    private (int Start, int Length, bool Unescaped)[] _fields = new (int, int, bool)[64];
    private byte[] _unescaped = new byte[256];
    private int _unescapedLength;
    private byte[] _row = [];
    private int _rowStart;
    private int _rowEnd;

    public int Count { get; private set; }

    /// <summary>Whether a quoted field is not closed within the row.</summary>
    public bool IsUnterminated { get; private set; }

    /// <summary>Whether the row was cut at the reader's size limit (its line was longer).</summary>
    public bool IsOversized { get; private set; }

    /// <summary>The row as it is in the file, without its line ending.</summary>
    public ReadOnlySpan<byte> Raw => _row.AsSpan(_rowStart, _rowEnd - _rowStart);

    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            var (start, length, unescaped) = _fields[index];
            return unescaped ? _unescaped.AsSpan(start, length) : _row.AsSpan(start, length);
        }
    }

    /// <summary>Splits a row (without its line ending) held in <paramref name="buffer"/>; sets <see cref="IsUnterminated"/> when a quote never closes.</summary>
    public void Split(byte[] buffer, int start, int length, bool oversized = false)
    {
        IsUnterminated = false;
        IsOversized = oversized;
        _row = buffer;
        _rowStart = start;
        _rowEnd = start + length;
        Count = 0;
        _unescapedLength = 0;
        var at = start;
        var end = start + length;
        while (true)
        {
            if (at < end && buffer[at] == '"')
            {
                if (!SplitQuoted(buffer, ref at, end))
                {
                    IsUnterminated = true;
                    return;
                }
            }
            else
            {
                var comma = buffer.AsSpan(at, end - at).IndexOf((byte)',');
                var fieldEnd = comma < 0 ? end : at + comma;
                Add(at, fieldEnd - at, unescaped: false);
                at = fieldEnd;
            }

            if (at >= end)
            {
                break;
            }

            at++; // the comma
            if (at == end)
            {
                Add(at, 0, unescaped: false);
                break;
            }
        }
    }

    private bool SplitQuoted(byte[] buffer, ref int at, int end)
    {
        at++; // opening quote
        var start = _unescapedLength;
        while (true)
        {
            var quote = buffer.AsSpan(at, end - at).IndexOf((byte)'"');
            if (quote < 0)
            {
                return false;
            }

            Append(buffer.AsSpan(at, quote));
            at += quote + 1;
            if (at < end && buffer[at] == '"')
            {
                Append("\""u8);
                at++;
                continue;
            }

            break;
        }

        Add(start, _unescapedLength - start, unescaped: true);

        // Anything between the closing quote and the next comma is kept, as lenient readers do.
        var comma = buffer.AsSpan(at, end - at).IndexOf((byte)',');
        at = comma < 0 ? end : at + comma;
        return true;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_unescapedLength + bytes.Length > _unescaped.Length)
        {
            Array.Resize(ref _unescaped, Math.Max(_unescaped.Length * 2, _unescapedLength + bytes.Length));
        }

        bytes.CopyTo(_unescaped.AsSpan(_unescapedLength));
        _unescapedLength += bytes.Length;
    }

    private void Add(int start, int length, bool unescaped)
    {
        if (Count == _fields.Length)
        {
            Array.Resize(ref _fields, Count * 2);
        }

        _fields[Count++] = (start, length, unescaped);
    }
}
