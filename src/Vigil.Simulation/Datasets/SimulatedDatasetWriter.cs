using System.Buffers.Text;
using Vigil.Simulation.Records;
using Vigil.Simulation.Simulator;
using Vigil.Transactions;

namespace Vigil.Simulation.Datasets;

/// <summary>Writes simulated transactions with their ground truth as CSV, a day at a time.</summary>
/// <remarks>
/// Vigil's format: <c>0,2018-04-01T00:00:31Z,596,3156,57.16,0,0</c>. The handbook's:
/// <c>0,2018-04-01 00:00:31,596,3156,57.16,31,0,0,0</c> (with TX_TIME_SECONDS and TX_TIME_DAYS), as its
/// simulated-data-raw files, so that what reads those reads these.
/// </remarks>
public sealed class SimulatedDatasetWriter : IDisposable
{
    public const string VigilHeader = "transaction_id,timestamp,customer_id,terminal_id,amount,fraud,fraud_scenario";
    public const string HandbookHeader = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO";

    private const int MaxRowLength = 160;

    private readonly Stream _stream;
    private readonly SimulatedDatasetFormat _format;
    private byte[] _buffer = new byte[1 << 20];

    public SimulatedDatasetWriter(Stream stream, SimulatedDatasetFormat format)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _format = format;
        stream.Write(System.Text.Encoding.ASCII.GetBytes((format == SimulatedDatasetFormat.Handbook ? HandbookHeader : VigilHeader) + "\n"));
    }

    public long Rows { get; private set; }

    public long Bytes { get; private set; }

    public void Write(ReadOnlySpan<SimulatedTransaction> transactions, long startUnixMilliseconds)
    {
        if (_buffer.Length < transactions.Length * MaxRowLength)
        {
            _buffer = new byte[transactions.Length * MaxRowLength];
        }

        var at = 0;
        foreach (ref readonly var transaction in transactions)
        {
            at += WriteRow(transaction, startUnixMilliseconds, _buffer.AsSpan(at));
        }

        _stream.Write(_buffer, 0, at);
        Rows += transactions.Length;
        Bytes += at;
    }

    public void Dispose() => _stream.Dispose();

    private int WriteRow(in SimulatedTransaction t, long startUnixMilliseconds, Span<byte> row)
    {
        var handbook = _format == SimulatedDatasetFormat.Handbook;
        var at = Number(t.TransactionId, row);
        row[at++] = (byte)',';
        at += Iso8601.Write(startUnixMilliseconds + (t.TimeSeconds * 1000), row[at..], handbookStyle: handbook);
        row[at++] = (byte)',';
        at += Number(t.CustomerId, row[at..]);
        row[at++] = (byte)',';
        at += Number(t.TerminalId, row[at..]);
        row[at++] = (byte)',';
        at += Cents.Write(t.AmountCents, row[at..]);
        row[at++] = (byte)',';
        if (handbook)
        {
            at += Number(t.TimeSeconds, row[at..]);
            row[at++] = (byte)',';
            at += Number(t.Day, row[at..]);
            row[at++] = (byte)',';
        }

        row[at++] = t.IsFraud ? (byte)'1' : (byte)'0';
        row[at++] = (byte)',';
        row[at++] = (byte)('0' + (int)t.Scenario);
        row[at++] = (byte)'\n';
        return at;
    }

    private static int Number(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }
}
