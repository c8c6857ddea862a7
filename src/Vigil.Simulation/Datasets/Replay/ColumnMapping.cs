namespace Vigil.Simulation.Datasets.Replay;

/// <summary>Which column of a dataset feeds which field of Vigil's records; every other column travels as it is.</summary>
/// <remarks>
/// Fields: <c>transaction_id</c>, <c>timestamp</c> (ISO-8601 text, or seconds counted from a start date),
/// <c>customer_id</c> (also the record's key), <c>terminal_id</c>, <c>amount</c> (required), <c>currency</c>, and the
/// ground truth <c>fraud</c> and <c>fraud_scenario</c>, which go to the labels topic and never into the transaction.
/// </remarks>
public sealed class ColumnMapping
{
    public const string TransactionId = "transaction_id";
    public const string Timestamp = "timestamp";
    public const string CustomerId = "customer_id";
    public const string TerminalId = "terminal_id";
    public const string Amount = "amount";
    public const string Currency = "currency";
    public const string Fraud = "fraud";
    public const string FraudScenario = "fraud_scenario";

    public static readonly IReadOnlyList<string> Fields = [TransactionId, Timestamp, CustomerId, TerminalId, Amount, Currency, Fraud, FraudScenario];

    private readonly Dictionary<string, string> _columns;
    private readonly HashSet<string> _given;

    private ColumnMapping(DatasetFormat format, Dictionary<string, string> columns, IReadOnlyList<string> ignored, DateOnly? secondsFrom, HashSet<string>? given = null)
    {
        Format = format;
        _columns = columns;
        _given = given ?? [];
        Ignored = ignored;
        SecondsFrom = secondsFrom;
    }

    public DatasetFormat Format { get; }

    /// <summary>Columns left out of the records (the handbook's TX_TIME_SECONDS and TX_TIME_DAYS repeat the timestamp).</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>The date numeric timestamps count seconds from (ULB: 2013-09-01, IEEE-CIS: 2017-12-01), if any.</summary>
    public DateOnly? SecondsFrom { get; }

    /// <summary>The column for a field, or null when the dataset has none.</summary>
    public string? this[string field] => _columns.GetValueOrDefault(field);

    /// <summary>
    /// Whether the file must have the field's column: amount always, and what <c>--columns</c> names; the format's
    /// other columns are used when the file has them (a Vigil-style file without terminal_id is fine).
    /// </summary>
    public bool IsRequired(string field) => field == Amount || _given.Contains(field);

    /// <summary>The columns of a known format; for <see cref="DatasetFormat.Auto"/>, none (every field from <c>--columns</c>).</summary>
    public static ColumnMapping For(DatasetFormat format) => format switch
    {
        DatasetFormat.Vigil => new(format, Fields.ToDictionary(f => f, f => f), [], null),
        DatasetFormat.Handbook => new(format, new()
        {
            [TransactionId] = "TRANSACTION_ID", [Timestamp] = "TX_DATETIME", [CustomerId] = "CUSTOMER_ID", [TerminalId] = "TERMINAL_ID",
            [Amount] = "TX_AMOUNT", [Fraud] = "TX_FRAUD", [FraudScenario] = "TX_FRAUD_SCENARIO",
        }, ["TX_TIME_SECONDS", "TX_TIME_DAYS"], null),
        DatasetFormat.Ulb => new(format, new() { [Timestamp] = "Time", [Amount] = "Amount", [Fraud] = "Class" }, [], new DateOnly(2013, 9, 1)),
        DatasetFormat.Ieee => new(format, new()
        {
            [TransactionId] = "TransactionID", [Timestamp] = "TransactionDT", [CustomerId] = "card1", [Amount] = "TransactionAmt", [Fraud] = "isFraud",
        }, [], new DateOnly(2017, 12, 1)),
        _ => new(DatasetFormat.Auto, [], [], null),
    };

    /// <summary>The format a header belongs to, or <see cref="DatasetFormat.Auto"/> when it is none of them.</summary>
    public static DatasetFormat Detect(IReadOnlyCollection<string> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        bool Has(params string[] columns) => columns.All(header.Contains);
        return Has("TX_DATETIME", "TX_AMOUNT") ? DatasetFormat.Handbook
            : Has("TransactionID", "TransactionDT", "TransactionAmt") ? DatasetFormat.Ieee
            : Has("Time", "Amount", "V1") ? DatasetFormat.Ulb
            : Has(Amount) ? DatasetFormat.Vigil
            : DatasetFormat.Auto;
    }

    /// <summary>This mapping with some fields mapped to other columns (<c>--columns amount=TransactionAmt</c>); an empty column unmaps.</summary>
    public ColumnMapping With(IReadOnlyDictionary<string, string> overrides, DateOnly? secondsFrom)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var columns = new Dictionary<string, string>(_columns);
        var given = new HashSet<string>(_given);
        foreach (var (field, column) in overrides)
        {
            if (!Fields.Contains(field))
            {
                throw new DatasetException($"--columns names the field '{field}'; the fields are {string.Join(", ", Fields)}");
            }

            if (string.IsNullOrWhiteSpace(column))
            {
                columns.Remove(field);
            }
            else
            {
                columns[field] = column;
                given.Add(field);
            }
        }

        return new ColumnMapping(Format, columns, Ignored, secondsFrom ?? SecondsFrom, given);
    }

    public override string ToString() => string.Join(", ", Fields.Where(_columns.ContainsKey).Select(f => $"{f}={_columns[f]}"));
}
