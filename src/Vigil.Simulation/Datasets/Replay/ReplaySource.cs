using Vigil.Streams;
using System.Text;
using Vigil.Simulation.Datasets.Csv;
using Vigil.Simulation.Records;
using Vigil.Transactions;

namespace Vigil.Simulation.Datasets.Replay;

/// <summary>
/// A dataset file replayed as a stream in event-time order: transactions, their labels apart, identities joined by
/// transaction id, and rows that cannot be transactions as invalid records naming their line.
/// </summary>
/// <remarks>
/// A first pass reads only the event times. A file already in time order (as the handbook's, ULB's and IEEE-CIS's are)
/// is then streamed, in memory bounded by one row; a file out of order is held in memory and sorted, ties keeping the
/// file's order. Identities are held in memory until their transaction comes; identities whose transaction never
/// comes, and bad identity rows, become invalid records too.
/// </remarks>
public sealed class ReplaySource : ITransactionSource, IDisposable
{
    private const int ChunkBytes = 16 << 20;

    private readonly ReplayOptions _options;
    private readonly RowEncoder _encoder;
    private readonly string _fileName;
    private readonly Queue<(InvalidRecord Invalid, byte[] Row)> _invalidIdentities = new();
    private readonly Dictionary<long, (byte[] Row, long Line)>? _identities;
    private readonly (int Column, byte[] Name)[] _identityExtras = [];
    private readonly CsvRow _identityRow = new();
    private readonly JsonRecordBuilder _identity = new();
    private readonly List<byte[]> _chunks = [];
    private readonly List<string> _invalidLines = [];
    private CsvReader? _reader;
    private List<(long Time, long Ordinal, long Line, int Chunk, int Offset, int Length)>? _held;
    private CsvRow? _heldRow;
    private int _next;
    private long _ordinal = -1;
    private bool _mainDone;
    private InvalidRecord? _invalid;
    private byte[]? _invalidRow;
    private bool _hasIdentity;

    private ReplaySource(ReplayOptions options, IReadOnlyList<string> header, ColumnMapping mapping)
    {
        _options = options;
        _fileName = System.IO.Path.GetFileName(options.Path);
        Header = header;
        Mapping = mapping;
        _encoder = new RowEncoder(header, mapping, _fileName);
        if (options.Identities is { } identities)
        {
            var idColumn = mapping[ColumnMapping.TransactionId]
                ?? throw new DatasetException($"--identities joins by transaction id, and no column of {_fileName} is mapped to transaction_id");
            (_identities, _identityExtras) = LoadIdentities(identities, idColumn);
        }
    }

    /// <summary>The file replayed.</summary>
    public string Path => _options.Path;

    /// <summary>The file's column names, as its header row gives them.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The current data row as the file holds it (without its line break); empty for an invalid identity.</summary>
    public ReadOnlySpan<byte> Row => _invalidRow is null ? CurrentRaw : [];

    /// <summary>Which columns feed which fields, as read from the header and the options.</summary>
    public ColumnMapping Mapping { get; }

    /// <summary>The fields found in the file and their columns, e.g. "amount=TX_AMOUNT".</summary>
    public IReadOnlyList<string> Columns => _encoder.Mapped;

    /// <summary>Data rows in the file (known after the first pass).</summary>
    public long Rows { get; private set; }

    /// <summary>Whether the file was already in event-time order (otherwise it was sorted in memory).</summary>
    public bool WasInOrder { get; private set; } = true;

    /// <summary>The first few invalid rows, as "line N: reason", for the summary.</summary>
    public IReadOnlyList<string> InvalidLines => _invalidLines;

    public string Description { get; private set; } = string.Empty;

    public bool HasLabels => _encoder.HasLabels;

    public bool HasEventTime => _encoder.HasEventTime;

    public InvalidRecord? Invalid => _invalid;

    public ReadOnlySpan<byte> Key => _invalid is null ? _encoder.Key : [];

    public ReadOnlySpan<byte> Value => _invalid is null ? _encoder.Transaction.Written : _invalidRow ?? CurrentRaw;

    public long EventTimeMs => _invalid is null ? _encoder.EventTimeMs : 0;

    public ReadOnlySpan<byte> Label => _invalid is null && _encoder.HasLabels ? _encoder.Label.Written : [];

    public ReadOnlySpan<byte> Identity => _invalid is null && _hasIdentity ? _identity.Written : [];

    private ReadOnlySpan<byte> CurrentRaw => _held is null ? _reader!.Row.Raw : _heldRow!.Raw;

    /// <summary>Opens a dataset: reads its header, resolves the columns and reads the event times once.</summary>
    /// <exception cref="DatasetException">The file cannot be replayed as a whole; the message says why and what to do.</exception>
    public static ReplaySource Open(ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var header = ReadHeader(options.Path);
        var format = options.Format == DatasetFormat.Auto ? ColumnMapping.Detect(header) : options.Format;
        if (format == DatasetFormat.Auto && !options.Columns.ContainsKey(ColumnMapping.Amount))
        {
            throw new DatasetException(
                $"cannot tell the format of {System.IO.Path.GetFileName(options.Path)} from its header ({RowEncoder.Abbreviate(header)}): " +
                "pass --format vigil|handbook|ulb|ieee, or map the columns with --columns amount=COLUMN,timestamp=COLUMN,…");
        }

        var source = new ReplaySource(options, header, ColumnMapping.For(format).With(options.Columns, options.StartDate));
        source.Prepare();
        return source;
    }

    public bool MoveNext()
    {
        _invalid = null;
        _invalidRow = null;
        _hasIdentity = false;
        if (_invalidIdentities.TryDequeue(out var early))
        {
            SetInvalid(early.Invalid, early.Row);
            return true;
        }

        if (!_mainDone)
        {
            if (NextRow() is { } row)
            {
                var (csv, line) = row;
                if (_encoder.Encode(csv, line, _ordinal) is { } invalid)
                {
                    SetInvalid(invalid, null);
                }
                else
                {
                    JoinIdentity(csv);
                }

                return true;
            }

            _mainDone = true;
            foreach (var (key, (identity, identityLine)) in _identities?.OrderBy(i => i.Value.Line) ?? Enumerable.Empty<KeyValuePair<long, (byte[], long)>>())
            {
                _invalidIdentities.Enqueue((new InvalidRecord("no_transaction",
                    $"line {identityLine}: no transaction in {_fileName} has this identity's id", System.IO.Path.GetFileName(_options.Identities!), identityLine), identity));
            }

            _identities?.Clear();
            if (_invalidIdentities.TryDequeue(out var orphan))
            {
                SetInvalid(orphan.Invalid, orphan.Row);
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _reader?.Dispose();

    private void SetInvalid(InvalidRecord invalid, byte[]? row)
    {
        _invalid = invalid;
        _invalidRow = row;
        if (_invalidLines.Count < 5)
        {
            _invalidLines.Add($"{invalid.File} {invalid.Reason}");
        }
    }

    private (CsvRow Row, long Line)? NextRow()
    {
        if (_held is null)
        {
            if (!ReadRow(_reader!, Header.Count, _encoder.SingleLineColumns))
            {
                return null;
            }

            _ordinal++;
            return (_reader!.Row, _reader.Line);
        }

        if (_next == _held.Count)
        {
            return null;
        }

        var (_, ordinal, line, chunk, offset, length) = _held[_next++];
        _ordinal = ordinal;
        _heldRow!.Split(_chunks[chunk], offset, length);
        return (_heldRow, line);
    }

    private void JoinIdentity(CsvRow transaction)
    {
        if (_identities is null || !_identities.Remove(_encoder.TransactionKey, out var identity))
        {
            return;
        }

        _identityRow.Split(identity.Row, 0, identity.Row.Length);
        _identity.Begin();
        _encoder.WriteIdentityOf(_identity, transaction, _ordinal);
        foreach (var (column, name) in _identityExtras)
        {
            CsvValues.Write(_identity, name, _identityRow[column]);
        }

        _identity.End();
        _hasIdentity = true;
    }

    /// <summary>The first pass: counts the rows and checks the event-time order; a file out of order is then held and sorted.</summary>
    private void Prepare()
    {
        var times = new List<long>();
        using (var scan = OpenData(_options.Path))
        {
            var previous = long.MinValue;
            while (ReadRow(scan, Header.Count, _encoder.SingleLineColumns))
            {
                Rows++;
                if (_encoder.TryEventTime(scan.Row, out var time))
                {
                    WasInOrder &= time >= previous;
                    previous = Math.Max(previous, time);
                }
            }
        }

        _reader = OpenData(_options.Path);
        if (!WasInOrder)
        {
            Hold();
        }

        var kind = Mapping.Format switch
        {
            DatasetFormat.Handbook => "handbook dataset",
            DatasetFormat.Ulb => "ULB credit-card dataset",
            DatasetFormat.Ieee => "IEEE-CIS dataset",
            _ => "dataset",
        };
        var identities = _options.Identities is { } path ? $" + identities {System.IO.Path.GetFileName(path)}" : string.Empty;
        var order = WasInOrder ? string.Empty : ", sorted by event time";
        Description = $"{kind} {_fileName}{identities} ({Rows:N0} rows{order})";
    }

    /// <summary>Reads every row into memory with its event time, and sorts them; ties (and rows without a time) keep the file's order.</summary>
    private void Hold()
    {
        _held = new((int)Math.Min(Rows, int.MaxValue));
        _heldRow = new CsvRow();
        var ordinal = 0L;
        var chunk = new byte[ChunkBytes];
        var used = 0;
        _chunks.Add(chunk);
        while (ReadRow(_reader!, Header.Count, _encoder.SingleLineColumns))
        {
            var raw = _reader!.Row.Raw;
            if (used + raw.Length > chunk.Length)
            {
                chunk = new byte[Math.Max(ChunkBytes, raw.Length)];
                _chunks.Add(chunk);
                used = 0;
            }

            raw.CopyTo(chunk.AsSpan(used));
            var time = _encoder.TryEventTime(_reader.Row, out var t) ? t : long.MinValue;
            _held.Add((time, ordinal++, _reader.Line, _chunks.Count - 1, used, raw.Length));
            used += raw.Length;
        }

        _held.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Ordinal.CompareTo(b.Ordinal));
    }

    private (Dictionary<long, (byte[] Row, long Line)>, (int, byte[])[]) LoadIdentities(string path, string idColumn)
    {
        var header = ReadHeader(path);
        var idIndex = RowEncoder.IndexOf(header, idColumn);
        if (idIndex < 0)
        {
            throw new DatasetException($"{System.IO.Path.GetFileName(path)} has no column '{idColumn}' to join its identities by (its columns: {RowEncoder.Abbreviate(header)})");
        }

        var file = System.IO.Path.GetFileName(path);
        var identities = new Dictionary<long, (byte[], long)>();
        using var reader = OpenData(path);
        while (ReadRow(reader, header.Count, [idIndex]))
        {
            var row = reader.Row;
            var raw = row.Raw.ToArray();
            var problem = !System.Text.Unicode.Utf8.IsValid(raw) ? ("not_utf8", "the row is not valid UTF-8")
                : RowEncoder.Malformed(row) is { } malformed ? ("bad_row", malformed)
                : row.Count != header.Count ? ("bad_row", $"the row has {row.Count} fields; the header has {header.Count}")
                : row[idIndex].IsEmpty ? ("missing_id", $"{idColumn} is empty")
                : identities.ContainsKey(TransactionKey.Of(row[idIndex])) ? ("duplicate_id", $"a second identity for {idColumn} {Encoding.UTF8.GetString(row[idIndex])}")
                : default;
            if (problem.Item1 is not null)
            {
                _invalidIdentities.Enqueue((new InvalidRecord(problem.Item1, $"line {reader.Line}: {problem.Item2}", file, reader.Line), raw));
                continue;
            }

            identities[TransactionKey.Of(row[idIndex])] = (raw, reader.Line);
        }

        var extras = header.Select((name, column) => (column, name)).Where(c => c.column != idIndex)
            .Select(c => (c.column, JsonRecordBuilder.Name(c.name))).ToArray();
        return (identities, extras);
    }

    /// <summary>
    /// Reads the next row. One that spans lines and is not a row of this file (another number of fields than the
    /// header, or a line break in a column that can hold none) is read as its first line alone: a stray quote opened a
    /// field that swallowed the lines after it, and they are rows again.
    /// </summary>
    private static bool ReadRow(CsvReader reader, int columns, ReadOnlySpan<int> singleLine)
    {
        if (!reader.Read())
        {
            return false;
        }

        var row = reader.Row;
        if (reader.Lines > 1 && (row.Count != columns || HasLineBreak(row, singleLine)))
        {
            reader.Resynchronize();
        }

        return true;
    }

    private static bool HasLineBreak(CsvRow row, ReadOnlySpan<int> columns)
    {
        foreach (var column in columns)
        {
            if (column < row.Count && row[column].Contains((byte)'\n'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A reader past the header row.</summary>
    private static CsvReader OpenData(string path)
    {
        var reader = new CsvReader(DatasetFile.OpenRead(path));
        reader.Read();
        return reader;
    }

    private static List<string> ReadHeader(string path)
    {
        if (!File.Exists(path))
        {
            throw new DatasetException($"{path} not found");
        }

        try
        {
            using var reader = new CsvReader(DatasetFile.OpenRead(path));
            if (!reader.Read() || reader.Row.IsUnterminated)
            {
                throw new DatasetException($"{path} has no header: a dataset starts with a row naming its columns");
            }

            var header = new List<string>(reader.Row.Count);
            for (var i = 0; i < reader.Row.Count; i++)
            {
                header.Add(Encoding.UTF8.GetString(reader.Row[i]).Trim());
            }

            return header;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{path} cannot be read: {e.Message}");
        }
    }
}
