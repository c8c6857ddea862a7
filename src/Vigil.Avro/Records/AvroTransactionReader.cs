using System.Buffers.Text;
using System.Globalization;
using System.Text.Unicode;
using Avro;
using Vigil.Avro.Wire;
using Vigil.Transactions;

namespace Vigil.Avro.Records;

/// <summary>
/// Reads one Avro record (after the Confluent header) into a <see cref="Transaction"/> by its writer schema's plan.
/// Strings are left where they lie in the record; numeric ids are written as digits into the room after the record, so
/// that a customer 42 is the same key whether it came as JSON, as an Avro long or as text.
/// </summary>
internal static class AvroTransactionReader
{
    /// <summary>Room after the record for the digits of up to five numeric ids.</summary>
    public const int DigitsRoom = 5 * 20;

    /// <param name="record">The record's bytes followed by <see cref="DigitsRoom"/> bytes of room; the transaction points into it.</param>
    /// <param name="length">The record's own length.</param>
    public static DecodeFailure? Read(TransactionPlan plan, byte[] record, int length, Transaction into)
    {
        into.Reset(record.AsMemory(0, length + DigitsRoom));
        into.Numbers.Reset(plan.Names);
        var reader = new AvroReader(record.AsSpan(0, length), ConfluentFrame.HeaderLength);
        var digits = length;
        var steps = plan.Steps;
        try
        {
            for (var i = 0; i < steps.Length; i++)
            {
                var step = steps[i];
                var type = step.Type;
                if (step.Role == TransactionPlan.Role.Skip)
                {
                    type.Skip(ref reader);
                    continue;
                }

                if (type.Kind == Schema.Type.Union)
                {
                    type = type.Children[reader.ReadBranch(type.Children.Length)];
                }

                var failure = step.Role switch
                {
                    TransactionPlan.Role.Number => ReadNumber(ref reader, type, step, into),
                    TransactionPlan.Role.Amount => ReadAmount(ref reader, type, into),
                    TransactionPlan.Role.Timestamp => ReadTimestamp(ref reader, type, record, into),
                    _ => ReadText(ref reader, type, step, record, ref digits, into),
                };
                if (failure is not null)
                {
                    return failure;
                }
            }
        }
        catch (AvroDataException e)
        {
            return new(DecodeError.NotAvro, $"the bytes are not a record of schema {plan.Name}: {e.Message}");
        }

        return reader.AtEnd ? null : new(DecodeError.NotAvro, $"{length - reader.Position:N0} bytes follow the record of schema {plan.Name}");
    }

    private static double Number(ref AvroReader reader, AvroType type) => type.Kind switch
    {
        Schema.Type.Double => reader.ReadDouble(),
        Schema.Type.Float => reader.ReadFloat(),
        _ => reader.ReadLong(),
    };

    private static DecodeFailure? ReadNumber(ref AvroReader reader, AvroType type, TransactionPlan.Step step, Transaction into)
    {
        if (type.Kind == Schema.Type.Null)
        {
            into.Numbers.Add(step.NameField, double.NaN);
            return null;
        }

        var value = Number(ref reader, type);
        if (double.IsFinite(value))
        {
            into.Numbers.Add(step.NameField, value);
        }

        return null;
    }

    private static DecodeFailure? ReadAmount(ref AvroReader reader, AvroType type, Transaction into)
    {
        if (type.Kind == Schema.Type.Null)
        {
            return new(DecodeError.MissingAmount, "amount is null");
        }

        var amount = Number(ref reader, type);
        Span<byte> text = stackalloc byte[32];
        if (TransactionLimits.CheckAmount(amount, amount.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture) ? text[..written] : default) is { } refused)
        {
            return refused;
        }

        into.Amount = amount;
        return null;
    }

    private static DecodeFailure? ReadTimestamp(ref AvroReader reader, AvroType type, byte[] record, Transaction into)
    {
        long milliseconds;
        switch (type.Kind)
        {
            case Schema.Type.Null:
                return null;
            case Schema.Type.String:
                var (start, length) = reader.ReadBytes();
                if (!Iso8601.TryParseUtf8(record.AsSpan(start, length), out milliseconds))
                {
                    return new(DecodeError.BadTimestamp, $"timestamp \"{TransactionLimits.Show(record.AsSpan(start, length))}\" is not ISO-8601 (e.g. 2018-04-01T00:00:31Z)");
                }

                break;
            default:
                var value = reader.ReadLong();
                milliseconds = type.Logical switch
                {
                    "timestamp-micros" or "local-timestamp-micros" => value / 1_000,
                    "timestamp-nanos" or "local-timestamp-nanos" => value / 1_000_000,
                    _ => value,
                };
                if (milliseconds < 0 || milliseconds > TransactionLimits.MaxUnixMilliseconds)
                {
                    return new(DecodeError.BadTimestamp, $"timestamp {value} ({type.Logical ?? "milliseconds"}) is not between 1970 and 9999");
                }

                break;
        }

        into.TimestampMs = milliseconds;
        into.HasTimestamp = true;
        return null;
    }

    /// <summary>An id or the currency: text where it lies, a number as its digits.</summary>
    private static DecodeFailure? ReadText(ref AvroReader reader, AvroType type, TransactionPlan.Step step, byte[] record, ref int digits, Transaction into)
    {
        Utf8Field value;
        switch (type.Kind)
        {
            case Schema.Type.Null:
                return null;
            case Schema.Type.String:
                var (start, length) = reader.ReadBytes();
                if (!Utf8.IsValid(record.AsSpan(start, length)))
                {
                    return new(DecodeError.NotUtf8, $"{step.Name} is not valid UTF-8");
                }

                value = new Utf8Field(start, length, IsEscaped: false, IsNumber: false);
                break;
            default:
                Utf8Formatter.TryFormat(reader.ReadLong(), record.AsSpan(digits, 20), out var written);
                value = new Utf8Field(digits, written, IsEscaped: false, IsNumber: true);
                digits += written;
                break;
        }

        switch (step.Role)
        {
            case TransactionPlan.Role.TransactionId: into.TransactionId = value; break;
            case TransactionPlan.Role.CustomerId: into.CustomerId = value; break;
            case TransactionPlan.Role.TerminalId: into.TerminalId = value; break;
            case TransactionPlan.Role.Source: into.Source = value; break;
            case TransactionPlan.Role.Target: into.Target = value; break;
            default: into.Currency = value; break;
        }

        return null;
    }
}
