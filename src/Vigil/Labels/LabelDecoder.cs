using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Vigil.Transactions;

namespace Vigil.Labels;

/// <summary>Decodes label records: <c>{"transaction_id":…,"fraud":1,"amount":57.16,"fraud_scenario":2,…}</c>.</summary>
/// <remarks>
/// <c>fraud</c> may be 0/1 or true/false; other fields (timestamp, customer, terminal, report time) are skipped.
/// Reading stops once the four fields it needs are read: Vigil writes them first (after <c>analyst</c>, which an
/// analyst's verdict carries).
/// </remarks>
public static class LabelDecoder
{
    public static bool TryDecode(ReadOnlySpan<byte> record, out Label label, [NotNullWhen(false)] out string? error)
    {
        label = default;
        long key = 0;
        bool? fraud = null;
        var hasKey = false;
        double amount = 0;
        var scenario = 0;
        var verdict = false;
        var needed = 4;
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "a label is a JSON object";
                return false;
            }

            while (needed > 0 && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                needed--;
                if (reader.ValueTextEquals("transaction_id"u8))
                {
                    reader.Read();
                    hasKey = TransactionKey.TryKey(ref reader, out key);
                }
                else if (reader.ValueTextEquals("fraud"u8))
                {
                    reader.Read();
                    fraud = ReadFraud(ref reader);
                    if (fraud is null)
                    {
                        error = "fraud must be 0, 1, true or false";
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("amount"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && double.IsFinite(value))
                    {
                        amount = value;
                    }
                }
                else if (reader.ValueTextEquals("fraud_scenario"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                    {
                        scenario = value;
                    }
                }
                else
                {
                    needed++;
                    verdict |= reader.ValueTextEquals("analyst"u8);
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            error = "not valid JSON: " + e.Message;
            return false;
        }

        if (!hasKey)
        {
            error = "transaction_id is missing";
            return false;
        }

        if (fraud is null)
        {
            error = "fraud is missing";
            return false;
        }

        label = new Label(key, fraud.Value, amount, scenario) { IsVerdict = verdict };
        error = null;
        return true;
    }

    /// <summary>The <c>fraud</c> value the reader is on: 0, 1, true or false; null for anything else.</summary>
    internal static bool? ReadFraud(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Number when reader.TryGetInt32(out var flag) && flag is 0 or 1 => flag == 1,
        _ => null,
    };
}
