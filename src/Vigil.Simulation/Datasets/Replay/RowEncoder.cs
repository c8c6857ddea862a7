using Vigil.Streams;
using System.Buffers.Text;
using System.Text;
using System.Text.Unicode;
using Vigil.Simulation.Datasets.Csv;
using Vigil.Simulation.Records;
using Vigil.Transactions;

namespace Vigil.Simulation.Datasets.Replay;

/// <summary>Turns a dataset's rows into Vigil's records: the transaction as JSON, its key, its event time and its label.</summary>
/// <remarks>
/// Mapped columns become Vigil's fields; every other column (V1..V28, C1..C14, card4, …) travels in the transaction as a
/// number or a string; the label columns never do. A row that cannot be a transaction says why, with its line.
/// </remarks>
internal sealed class RowEncoder
{
    private readonly string _file;
    private readonly int _columns;
    private readonly int _id;
    private readonly int _time;
    private readonly int _customer;
    private readonly int _terminal;
    private readonly int _amount;
    private readonly int _currency;
    private readonly int _fraud;
    private readonly int _scenario;
    private readonly (int Column, byte[] Name)[] _extras;
    private readonly long? _secondsFromMs;
    private byte[] _key = new byte[64];
    private int _keyLength;

    public RowEncoder(IReadOnlyList<string> header, ColumnMapping mapping, string file)
    {
        _file = file;
        _columns = header.Count;
        int Column(string field)
        {
            if (mapping[field] is not { } column)
            {
                return mapping.IsRequired(field) ? throw new DatasetException($"{file}: no column is mapped to {field}; pass --columns {field}=COLUMN") : -1;
            }

            var index = IndexOf(header, column);
            return index >= 0 || !mapping.IsRequired(field)
                ? index
                : throw new DatasetException($"{file} has no column '{column}' for {field} (its columns: {Abbreviate(header)})");
        }

        _id = Column(ColumnMapping.TransactionId);
        _time = Column(ColumnMapping.Timestamp);
        _customer = Column(ColumnMapping.CustomerId);
        _terminal = Column(ColumnMapping.TerminalId);
        _amount = Column(ColumnMapping.Amount);
        _currency = Column(ColumnMapping.Currency);
        _fraud = Column(ColumnMapping.Fraud);
        _scenario = Column(ColumnMapping.FraudScenario);
        int[] mapped = [_id, _time, _customer, _terminal, _amount, _currency, _fraud, _scenario];
        SingleLineColumns = [.. mapped.Where(c => c >= 0)];
        Mapped = [.. ColumnMapping.Fields.Zip(mapped).Where(f => f.Second >= 0).Select(f => $"{f.First}={header[f.Second]}")];
        _extras = [.. header.Select((name, column) => (column, name))
            .Where(c => !mapped.Contains(c.column) && !mapping.Ignored.Contains(c.name))
            .Select(c => (c.column, JsonRecordBuilder.Name(c.name)))];
        _secondsFromMs = mapping.SecondsFrom is { } date ? new DateTimeOffset(date, TimeOnly.MinValue, TimeSpan.Zero).ToUnixTimeMilliseconds() : null;
    }

    /// <summary>The fields found in the file and their columns, e.g. "amount=TX_AMOUNT".</summary>
    public IReadOnlyList<string> Mapped { get; }

    /// <summary>The columns of Vigil's own fields (ids, time, amount, label), none of which can hold a line break.</summary>
    public int[] SingleLineColumns { get; }

    public bool HasEventTime => _time >= 0;

    public bool HasLabels => _fraud >= 0;

    public JsonRecordBuilder Transaction { get; } = new();

    public JsonRecordBuilder Label { get; } = new();

    public ReadOnlySpan<byte> Key => _key.AsSpan(0, _keyLength);

    public long EventTimeMs { get; private set; }

    /// <summary>The transaction id cell of the row just encoded, or the row's ordinal when the dataset has no ids.</summary>
    public long TransactionKey { get; private set; }

    /// <summary>The event time of a row (for ordering), or false when it has none that can be read.</summary>
    public bool TryEventTime(CsvRow row, out long unixMs)
    {
        unixMs = 0;
        return _time >= 0 && row.Count == _columns && Malformed(row) is null && CsvValues.TryTime(row[_time], _secondsFromMs, out unixMs, out _);
    }

    /// <summary>Why a row's CSV is broken (a quote not closed, a line too long), or null.</summary>
    public static string? Malformed(CsvRow row) =>
        row.IsOversized ? $"the line is longer than {CsvReader.DefaultMaxRowBytes / 1024 / 1024} MiB: cut there, and the rest of it skipped"
        : row.IsUnterminated ? "a quoted field opened on this line is not closed; the lines after it are read as rows"
        : null;

    /// <summary>Encodes a row; returns why it cannot be a transaction, or null.</summary>
    /// <param name="ordinal">The row's place among the file's data rows, from 0: the id of datasets without ids.</param>
    public InvalidRecord? Encode(CsvRow row, long line, long ordinal)
    {
        if (!Utf8.IsValid(row.Raw))
        {
            return Invalid("not_utf8", "the row is not valid UTF-8", line);
        }

        if (Malformed(row) is { } malformed)
        {
            return Invalid("bad_row", malformed, line);
        }

        if (row.Count != _columns)
        {
            return Invalid("bad_row", $"the row has {row.Count} fields; the header has {_columns}", line);
        }

        var amountCell = row[_amount];
        if (amountCell.IsEmpty)
        {
            return Invalid("missing_amount", "amount is empty", line);
        }

        if (!TransactionLimits.TryParseNumber(amountCell, out var amount))
        {
            return Invalid("bad_amount", $"amount '{TransactionLimits.Show(amountCell)}' is not a number", line);
        }

        if (TransactionLimits.CheckAmount(amount, amountCell) is { } refused)
        {
            return Invalid(refused.CodeName, refused.Reason, line);
        }

        long time = 0;
        string? timeError = null;
        if (_time >= 0 && !CsvValues.TryTime(row[_time], _secondsFromMs, out time, out timeError))
        {
            return Invalid("bad_timestamp", timeError!, line);
        }

        EventTimeMs = time;

        var fraud = false;
        if (_fraud >= 0 && !TransactionLimits.TryParseFlag(row[_fraud], out fraud))
        {
            return Invalid("bad_label", $"the label '{TransactionLimits.Show(row[_fraud])}' is not 0, 1, true or false", line);
        }

        var scenario = 0;
        if (_scenario >= 0 && !row[_scenario].IsEmpty && !TransactionLimits.TryParseScenario(row[_scenario], out scenario))
        {
            return Invalid("bad_label", $"the fraud scenario '{TransactionLimits.Show(row[_scenario])}' is not a whole number", line);
        }

        SetKey(_customer >= 0 ? row[_customer] : []);
        TransactionKey = _id >= 0 ? Transactions.TransactionKey.Of(row[_id]) : ordinal;
        Transaction.Begin();
        WriteIdentityOf(Transaction, row, ordinal);
        WriteParties(Transaction, row);
        WriteAmount(Transaction, amountCell, amount);
        if (_currency >= 0 && !row[_currency].IsEmpty)
        {
            Transaction.Text(RecordFields.Currency, row[_currency]);
        }

        foreach (var (column, name) in _extras)
        {
            CsvValues.Write(Transaction, name, row[column]);
        }

        Transaction.End();
        if (_fraud >= 0)
        {
            // The truth first, as the simulator writes labels, so that readers can stop early.
            Label.Begin();
            WriteId(Label, row, ordinal);
            Label.WholeNumber(RecordFields.Fraud, fraud ? 1 : 0);
            if (_scenario >= 0 && !row[_scenario].IsEmpty)
            {
                Label.WholeNumber(RecordFields.FraudScenario, scenario);
            }

            WriteAmount(Label, amountCell, amount);
            if (_time >= 0)
            {
                Label.Timestamp(RecordFields.Timestamp, EventTimeMs);
            }

            WriteParties(Label, row);
            Label.End();
        }

        return null;
    }

    /// <summary>Writes the transaction's id and time into another record (an identity joined to it).</summary>
    public void WriteIdentityOf(JsonRecordBuilder record, CsvRow row, long ordinal)
    {
        WriteId(record, row, ordinal);
        if (_time >= 0)
        {
            record.Timestamp(RecordFields.Timestamp, EventTimeMs);
        }
    }

    private void WriteParties(JsonRecordBuilder record, CsvRow row)
    {
        if (_customer >= 0 && !row[_customer].IsEmpty)
        {
            CsvValues.WriteId(record, RecordFields.CustomerId, row[_customer]);
        }

        if (_terminal >= 0 && !row[_terminal].IsEmpty)
        {
            CsvValues.WriteId(record, RecordFields.TerminalId, row[_terminal]);
        }
    }

    private static void WriteAmount(JsonRecordBuilder record, ReadOnlySpan<byte> amountCell, double amount)
    {
        if (JsonRecordBuilder.IsJsonNumber(amountCell))
        {
            record.NumberText(RecordFields.Amount, amountCell);
        }
        else
        {
            record.Number(RecordFields.Amount, amount);
        }
    }

    private void WriteId(JsonRecordBuilder record, CsvRow row, long ordinal)
    {
        if (_id >= 0 && !row[_id].IsEmpty)
        {
            CsvValues.WriteId(record, RecordFields.TransactionId, row[_id]);
        }
        else
        {
            record.WholeNumber(RecordFields.TransactionId, ordinal);
        }
    }

    private void SetKey(ReadOnlySpan<byte> customer)
    {
        if (customer.Length > _key.Length)
        {
            _key = new byte[customer.Length * 2];
        }

        customer.CopyTo(_key);
        _keyLength = customer.Length;
    }

    private InvalidRecord Invalid(string code, string reason, long line) => new(code, $"line {line}: {reason}", _file, line);

    internal static int IndexOf(IReadOnlyList<string> header, string column)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i] == column)
            {
                return i;
            }
        }

        return -1;
    }

    internal static string Abbreviate(IReadOnlyList<string> header) =>
        header.Count <= 12 ? string.Join(",", header) : string.Join(",", header.Take(10)) + $",… ({header.Count} in all)";
}
