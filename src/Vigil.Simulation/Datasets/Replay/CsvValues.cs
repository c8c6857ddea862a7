using System.Globalization;
using System.Text;
using Vigil.Simulation.Records;
using Vigil.Transactions;

namespace Vigil.Simulation.Datasets.Replay;

/// <summary>How dataset cells become JSON values: numbers stay numbers, whole-number ids too, the rest is text.</summary>
internal static class CsvValues
{
    /// <summary>A cell that is a number is written as one (normalized when the CSV wrote it as JSON does not, e.g. <c>.5</c>); other text as a string; an empty cell not at all.</summary>
    public static void Write(JsonRecordBuilder record, ReadOnlySpan<byte> name, ReadOnlySpan<byte> cell)
    {
        if (cell.IsEmpty)
        {
            return;
        }

        if (JsonRecordBuilder.IsJsonNumber(cell))
        {
            record.NumberText(name, cell);
        }
        else if (TryNumber(cell, out var number))
        {
            record.Number(name, number);
        }
        else
        {
            record.Text(name, cell);
        }
    }

    /// <summary>An id: a whole number (no leading zeros) as a number, anything else as text.</summary>
    public static void WriteId(JsonRecordBuilder record, ReadOnlySpan<byte> name, ReadOnlySpan<byte> cell)
    {
        if (JsonRecordBuilder.IsJsonNumber(cell) && cell.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && cell.Length <= 18)
        {
            record.NumberText(name, cell);
        }
        else
        {
            record.Text(name, cell);
        }
    }

    public static bool TryNumber(ReadOnlySpan<byte> cell, out double value) => TransactionLimits.TryParseNumber(cell, out value);

    /// <summary>
    /// An event time: ISO-8601 text, or a number of seconds counted from <paramref name="secondsFromMs"/> (the dataset's
    /// start date); null <paramref name="error"/> on success.
    /// </summary>
    public static bool TryTime(ReadOnlySpan<byte> cell, long? secondsFromMs, out long unixMs, out string? error)
    {
        error = null;
        if (Iso8601.TryParseUtf8(cell, out unixMs))
        {
            return true;
        }

        if (TryNumber(cell, out var seconds))
        {
            if (secondsFromMs is { } start)
            {
                var ms = start + Math.Round(seconds * 1000);
                unixMs = (long)Math.Clamp(ms, 0, TransactionLimits.MaxUnixMilliseconds);
                error = ms == unixMs ? null : $"timestamp {TransactionLimits.Show(cell)} seconds from the start date is not between 1970 and 9999";
                return error is null;
            }

            error = $"timestamp {TransactionLimits.Show(cell)} is a number: give --start-date, the date it counts seconds from";
            return false;
        }

        error = cell.IsEmpty ? "timestamp is empty" : $"timestamp '{TransactionLimits.Show(cell)}' is neither ISO-8601 (2018-04-01T00:00:31Z) nor a number of seconds";
        return false;
    }
}
