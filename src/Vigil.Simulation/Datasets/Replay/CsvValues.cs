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

    public static bool TryNumber(ReadOnlySpan<byte> cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>A label cell: 0/1 (also 0.0/1.0) or true/false in any case.</summary>
    public static bool TryFlag(ReadOnlySpan<byte> cell, out bool value)
    {
        value = false;
        if (TryNumber(cell, out var number) && number is 0 or 1)
        {
            value = number == 1;
            return true;
        }

        Span<char> text = stackalloc char[5];
        if (cell.Length > text.Length)
        {
            return false;
        }

        var length = Encoding.ASCII.GetChars(cell, text);
        if (MemoryExtensions.Equals(text[..length], "true", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }

        return MemoryExtensions.Equals(text[..length], "false", StringComparison.OrdinalIgnoreCase);
    }

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
                unixMs = start + (long)Math.Round(seconds * 1000);
                return true;
            }

            error = $"timestamp {Encoding.UTF8.GetString(cell)} is a number: give --start-date, the date it counts seconds from";
            return false;
        }

        error = cell.IsEmpty ? "timestamp is empty" : $"timestamp '{Encoding.UTF8.GetString(cell)}' is neither ISO-8601 (2018-04-01T00:00:31Z) nor a number of seconds";
        return false;
    }
}
