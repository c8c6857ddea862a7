using Vigil.Streams;
using System.Buffers.Text;
using Vigil.Simulation.Records;
using Vigil.Simulation.Simulator;

namespace Vigil.Simulation.Sources;

/// <summary>The simulator as a source: transactions as JSON keyed by customer, their ground truth as labels.</summary>
/// <remarks>
/// Transaction: <c>{"transaction_id":0,"timestamp":"2018-04-01T00:00:31Z","customer_id":596,"terminal_id":3156,"amount":57.16}</c>.
/// Label: the truth first, then the transaction: <c>{"transaction_id":0,"fraud":1,"fraud_scenario":2,"amount":57.16,"timestamp":…,"customer_id":…,"terminal_id":…}</c>.
/// </remarks>
public sealed class SimulatorSource : ITransactionSource
{
    private readonly TransactionSimulator _simulator;
    private readonly JsonRecordBuilder _transaction = new();
    private readonly JsonRecordBuilder _label = new();
    private readonly byte[] _key = new byte[11];
    private ReadOnlyMemory<SimulatedTransaction> _day;
    private int _next;
    private int _keyLength;

    public SimulatorSource(TransactionSimulator simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        _simulator = simulator;
        var options = simulator.Options;
        var days = options.Days is { } d ? $"{d:N0} days" : "no end";
        Description = $"simulator · {options.Customers:N0} customers · {options.Terminals:N0} terminals · {days} from {options.StartDate:yyyy-MM-dd}";
    }

    public string Description { get; }

    public bool HasLabels => true;

    public bool HasEventTime => true;

    public InvalidRecord? Invalid => null;

    public ReadOnlySpan<byte> Key => _key.AsSpan(0, _keyLength);

    public ReadOnlySpan<byte> Value => _transaction.Written;

    public long EventTimeMs { get; private set; }

    public ReadOnlySpan<byte> Label => _label.Written;

    public ReadOnlySpan<byte> Identity => [];

    /// <summary>The current transaction with its ground truth.</summary>
    public SimulatedTransaction Current { get; private set; }

    public TransactionSimulator Simulator => _simulator;

    public bool MoveNext()
    {
        while (_next == _day.Length)
        {
            if (_simulator.IsFinished)
            {
                return false;
            }

            _day = _simulator.NextDay();
            _next = 0;
        }

        var transaction = _day.Span[_next++];
        Current = transaction;
        EventTimeMs = _simulator.UnixMilliseconds(transaction);
        Utf8Formatter.TryFormat(transaction.CustomerId, _key, out _keyLength);
        _transaction.Begin();
        _transaction.WholeNumber(RecordFields.TransactionId, transaction.TransactionId);
        _transaction.Timestamp(RecordFields.Timestamp, EventTimeMs);
        WriteParties(_transaction, transaction);
        _transaction.Amount(RecordFields.Amount, transaction.AmountCents);
        _transaction.End();

        _label.Begin();
        _label.WholeNumber(RecordFields.TransactionId, transaction.TransactionId);
        _label.WholeNumber(RecordFields.Fraud, transaction.IsFraud ? 1 : 0);
        _label.WholeNumber(RecordFields.FraudScenario, (int)transaction.Scenario);
        _label.Amount(RecordFields.Amount, transaction.AmountCents);
        _label.Timestamp(RecordFields.Timestamp, EventTimeMs);
        WriteParties(_label, transaction);
        _label.End();
        return true;
    }

    private static void WriteParties(JsonRecordBuilder record, in SimulatedTransaction transaction)
    {
        record.WholeNumber(RecordFields.CustomerId, transaction.CustomerId);
        record.WholeNumber(RecordFields.TerminalId, transaction.TerminalId);
    }
}
