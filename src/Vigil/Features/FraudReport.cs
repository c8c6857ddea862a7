using System.Text.Json;
using Vigil.Labels;
using Vigil.Transactions;

namespace Vigil.Features;

/// <summary>What a released label tells the feature engine: a fraud, whose transaction happened when, at which customer and terminal.</summary>
/// <param name="ReportedAtMs">When the label was released (<c>reported_at</c>); the transaction's time when the label has none.</param>
public readonly record struct FraudReport(bool IsFraud, long TransactionTimeMs, long ReportedAtMs, long? Customer, long? Terminal)
{
    /// <summary>
    /// A report of a fraud an analyst confirmed earlier (<c>confirmed_by</c>): that verdict already counted it in the
    /// risk windows, so the report must not count it again.
    /// </summary>
    public bool CountedAlready { get; init; }

    /// <summary>Whether this label changes any feature: a fraud not counted already (an analyst's verdict or a report).</summary>
    public bool Counts => IsFraud && !CountedAlready;

    /// <summary>Reads a label record: <c>fraud</c>, <c>timestamp</c>, <c>reported_at</c>, and <c>customer_id</c>/<c>terminal_id</c> (or <c>source</c>/<c>target</c>).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> record, out FraudReport report)
    {
        report = default;
        bool? fraud = null;
        long time = 0, reported = 0;
        bool hasTime = false, hasReported = false;
        long? customer = null, terminal = null;
        var counted = false;
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("fraud"u8))
                {
                    reader.Read();
                    fraud = LabelDecoder.ReadFraud(ref reader);
                }
                else if (reader.ValueTextEquals("timestamp"u8))
                {
                    reader.Read();
                    hasTime = reader.TokenType == JsonTokenType.String && Iso8601.TryParseUtf8(reader.ValueSpan, out time);
                }
                else if (reader.ValueTextEquals("reported_at"u8))
                {
                    reader.Read();
                    hasReported = reader.TokenType == JsonTokenType.String && Iso8601.TryParseUtf8(reader.ValueSpan, out reported);
                }
                else if (reader.ValueTextEquals("customer_id"u8) || (customer is null && reader.ValueTextEquals("source"u8)))
                {
                    reader.Read();
                    customer = Key(ref reader);
                }
                else if (reader.ValueTextEquals("terminal_id"u8) || (terminal is null && reader.ValueTextEquals("target"u8)))
                {
                    reader.Read();
                    terminal = Key(ref reader);
                }
                else
                {
                    counted |= reader.ValueTextEquals("confirmed_by"u8);
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (fraud is null || !hasTime)
        {
            return false;
        }

        report = new FraudReport(fraud.Value, time, hasReported ? reported : time, customer, terminal) { CountedAlready = counted };
        return true;
    }

    private static long? Key(ref Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped ? TransactionKey.Of(reader.ValueSpan) : null;
}
