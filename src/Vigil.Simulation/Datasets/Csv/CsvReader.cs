namespace Vigil.Simulation.Datasets.Csv;

/// <summary>Reads a CSV file row by row from UTF-8 bytes, with each row's line number; allocates nothing per row.</summary>
/// <remarks>
/// Handles a UTF-8 byte-order mark, <c>\n</c> and <c>\r\n</c> line endings, and quoted fields that span lines (the
/// row's line number is the line it starts on). Blank lines are skipped. As in RFC 4180, only a quote that starts a
/// field opens a quoted field; one inside a field is text. A damaged file costs one row, never the rest of the file:
/// a quoted field still open after <see cref="MaxRowBytes"/> or at the end of the file leaves its row as its first
/// line alone (<see cref="CsvRow.IsUnterminated"/>) and reading goes on at the next line; a line longer than
/// <see cref="MaxRowBytes"/> is cut there (<see cref="CsvRow.IsOversized"/>) and the rest of it skipped.
/// </remarks>
public sealed class CsvReader : IDisposable
{
    /// <summary>The longest row read whole: a transaction's size limit.</summary>
    public const int DefaultMaxRowBytes = 1 << 20;

    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;
    private bool _exhausted;
    private bool _skipping;
    private int _rowStart;
    private long _nextLine = 1;

    public CsvReader(Stream stream, int maxRowBytes = DefaultMaxRowBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRowBytes);
        _stream = stream;
        MaxRowBytes = maxRowBytes;
        Fill();
        if (_buffer.AsSpan(_start, _end - _start).StartsWith("\uFEFF"u8))
        {
            _start += 3;
        }
    }

    private enum Field : byte
    {
        Start,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    public CsvRow Row { get; } = new();

    /// <summary>The longest row read whole, in bytes.</summary>
    public int MaxRowBytes { get; }

    /// <summary>The line the current row starts on, from 1.</summary>
    public long Line { get; private set; }

    /// <summary>The lines the current row spans (more than one when a quoted field holds line breaks).</summary>
    public int Lines { get; private set; }

    /// <summary>Bytes read from the stream so far (after decompression), for progress.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the next row into <see cref="Row"/>; false at the end of the file.</summary>
    public bool Read()
    {
        while (true)
        {
            if (_skipping && !SkipLine())
            {
                return false;
            }

            if (!TryFindRowEnd(out var rowEnd, out var lines, out var cut))
            {
                return false;
            }

            Line = _nextLine;
            Lines = lines;
            _nextLine += lines;
            var length = rowEnd - _start;
            if (length > 0 && _buffer[rowEnd - 1] == '\r' && !cut)
            {
                length--;
            }

            _rowStart = _start;
            _start = cut ? rowEnd : Math.Min(rowEnd + 1, _end);
            _skipping = cut;
            if (length == 0)
            {
                continue;
            }

            Row.Split(_buffer, _rowStart, length, oversized: cut);
            return true;
        }
    }

    /// <summary>
    /// Takes the current row, which spans several lines, as its first line alone (it then has a quoted field that is
    /// not closed) and reads on from its second line: for a row whose shape shows a stray quote swallowed the lines after it.
    /// </summary>
    /// <returns>False, changing nothing, when the row is one line.</returns>
    public bool Resynchronize()
    {
        if (Lines <= 1)
        {
            return false;
        }

        var firstLine = Row.Raw.IndexOf((byte)'\n');
        var length = firstLine > 0 && Row.Raw[firstLine - 1] == '\r' ? firstLine - 1 : firstLine;
        _start = _rowStart + firstLine + 1;
        _nextLine = Line + 1;
        Lines = 1;
        Row.Split(_buffer, _rowStart, length, oversized: false);
        return true;
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>
    /// Finds the end of the row at <c>_start</c> (its line feed, or the end of the file), reading more as needed.
    /// <paramref name="cut"/>: the row is cut at <see cref="MaxRowBytes"/> and the rest of its line is to be skipped.
    /// </summary>
    private bool TryFindRowEnd(out int rowEnd, out int lines, out bool cut)
    {
        var scanned = _start;
        var field = Field.Start;
        var firstLineEnd = -1;
        lines = 1;
        cut = false;
        while (true)
        {
            var limit = Math.Min(_end, _start + MaxRowBytes);
            for (; scanned < limit; scanned++)
            {
                var b = _buffer[scanned];
                if (b == '\n')
                {
                    if (field != Field.Quoted)
                    {
                        rowEnd = scanned;
                        return true;
                    }

                    firstLineEnd = firstLineEnd < 0 ? scanned : firstLineEnd;
                    lines++;
                    continue;
                }

                field = (field, b) switch
                {
                    (Field.Quoted, (byte)'"') => Field.QuoteInQuoted,
                    (Field.Quoted, _) => Field.Quoted,
                    (Field.QuoteInQuoted, (byte)'"') => Field.Quoted, // a doubled quote
                    (Field.Start, (byte)'"') => Field.Quoted,
                    (_, (byte)',') => Field.Start,
                    _ => Field.Unquoted,
                };
            }

            var tooLong = scanned - _start >= MaxRowBytes;
            if (tooLong || (_exhausted && scanned == _end))
            {
                if (_exhausted && _start == _end)
                {
                    rowEnd = 0;
                    return false;
                }

                if (firstLineEnd >= 0)
                {
                    // A quoted field still open: the row is its first line, and the lines after it are rows again.
                    rowEnd = firstLineEnd;
                    lines = 1;
                    return true;
                }

                rowEnd = scanned;
                cut = tooLong;
                return true;
            }

            var offset = _start;
            Fill();
            scanned -= offset - _start;
            firstLineEnd = firstLineEnd < 0 ? -1 : firstLineEnd - (offset - _start);
        }
    }

    /// <summary>Skips to the line after the one a cut row was cut from; false when the file ends first.</summary>
    private bool SkipLine()
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _start += newline + 1;
                _skipping = false;
                return true;
            }

            _start = _end;
            if (_exhausted)
            {
                return false;
            }

            Fill();
        }
    }

    /// <summary>Moves what is unread to the front (growing the buffer for a row longer than it) and reads more.</summary>
    private void Fill()
    {
        var unread = _end - _start;
        if (unread > _buffer.Length / 2)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        _buffer.AsSpan(_start, unread).CopyTo(_buffer);
        _start = 0;
        _end = unread;
        while (_end < _buffer.Length)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _exhausted = true;
                break;
            }

            _end += read;
            BytesRead += read;
        }
    }
}
