namespace Vigil.Simulation.Datasets.Csv;

/// <summary>Reads a CSV file row by row from UTF-8 bytes, with each row's line number; allocates nothing per row.</summary>
/// <remarks>
/// Handles a UTF-8 byte-order mark, <c>\n</c> and <c>\r\n</c> line endings, and quoted fields that span lines (the
/// row's line number is the line it starts on). Blank lines are skipped. A quote that never closes makes the rest of
/// the file one last row, marked <see cref="CsvRow.IsUnterminated"/>.
/// </remarks>
public sealed class CsvReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;
    private bool _exhausted;
    private long _nextLine = 1;

    public CsvReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        Fill();
        if (_buffer.AsSpan(_start, _end - _start).StartsWith("\uFEFF"u8))
        {
            _start += 3;
        }
    }

    public CsvRow Row { get; } = new();

    /// <summary>The line the current row starts on, from 1.</summary>
    public long Line { get; private set; }

    /// <summary>Bytes read from the stream so far (after decompression), for progress.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the next row into <see cref="Row"/>; false at the end of the file.</summary>
    public bool Read()
    {
        while (true)
        {
            if (!TryFindRowEnd(out var rowEnd, out var lines))
            {
                return false;
            }

            Line = _nextLine;
            _nextLine += lines;
            var length = rowEnd - _start;
            var next = Math.Min(rowEnd + 1, _end);
            if (length > 0 && _buffer[rowEnd - 1] == '\r')
            {
                length--;
            }

            var start = _start;
            _start = next;
            if (length == 0)
            {
                continue;
            }

            Row.Split(_buffer, start, length);
            return true;
        }
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Finds the end of the row at <c>_start</c> (its line feed, or the end of the file), reading more as needed.</summary>
    private bool TryFindRowEnd(out int rowEnd, out int lines)
    {
        var scanned = _start;
        var inQuotes = false;
        lines = 1;
        while (true)
        {
            for (; scanned < _end; scanned++)
            {
                var b = _buffer[scanned];
                if (b == '"')
                {
                    inQuotes = !inQuotes;
                }
                else if (b == '\n')
                {
                    if (!inQuotes)
                    {
                        rowEnd = scanned;
                        return true;
                    }

                    lines++;
                }
            }

            if (_exhausted)
            {
                if (_start == _end)
                {
                    rowEnd = 0;
                    return false;
                }

                rowEnd = _end;
                return true;
            }

            var offset = _start;
            Fill();
            scanned -= offset - _start;
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
