using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigil.Runtime.Sources;
using Vigil.Store.Cases;
using Vigil.Transactions;

namespace Vigil.Cases;

/// <summary>
/// Turns a decided case into labels that need no waiting: one per alert, written by the source's publisher to the
/// labels stream at once, marked as the analyst's (<c>"analyst": "alice"</c>, first). The features that count frauds
/// (customer and terminal risk) count a fraud verdict at once, and its report, when it comes, does not count it again;
/// the retraining loop learns from the verdict until the report replaces it; quality is measured on reports alone.
/// </summary>
public sealed class LabelVerdicts(SourcePublisher publisher) : IVerdictSink
{
    private long _written;
    private long _refused;

    /// <summary>Labels handed to the publisher.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Labels the publisher could not take (the stream had ended, or too many waited).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public void Publish(CaseSummary decided, IReadOnlyList<CaseAlert> alerts, Func<CaseAlert, bool>? alertTruth = null)
    {
        ArgumentNullException.ThrowIfNull(decided);
        ArgumentNullException.ThrowIfNull(alerts);
        var caseFraud = decided.Status == CaseStatus.Fraud;
        var analyst = decided.DecidedBy ?? "analyst";
        foreach (var alert in alerts)
        {
            if (alert.TransactionId is null)
            {
                Interlocked.Increment(ref _refused); // nothing to join it to
                continue;
            }

            var fraud = alertTruth?.Invoke(alert) ?? caseFraud;
            var label = Label(alert, fraud, analyst, publisher.EventTimeMs);
            var taken = publisher.TryReport(Encoding.UTF8.GetBytes(alert.Card), label, TransactionKey.Of(Encoding.UTF8.GetBytes(alert.TransactionId)), fraud, analyst);
            Interlocked.Increment(ref taken ? ref _written : ref _refused);
        }
    }

    /// <summary>The label record: <c>analyst</c> first (readers that stop early still see it), then what a report carries.</summary>
    internal static byte[] Label(CaseAlert alert, bool fraud, string analyst, long reportedAtMs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("analyst"u8, analyst);
            Id(writer, "transaction_id"u8, alert.TransactionId!);
            writer.WriteNumber("fraud"u8, fraud ? 1 : 0);
            writer.WriteNumber("amount"u8, alert.Amount);
            writer.WriteNumber("fraud_scenario"u8, 0);
            writer.WriteString("timestamp"u8, DateTimeOffset.FromUnixTimeMilliseconds(alert.AtMs).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            Id(writer, "customer_id"u8, alert.Card);
            if (alert.Terminal is { } terminal)
            {
                Id(writer, "terminal_id"u8, terminal);
            }

            writer.WriteString("reported_at"u8, DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(reportedAtMs, alert.AtMs)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An id as the transaction had it: a number when it is one, text otherwise (both key alike).</summary>
    private static void Id(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string id)
    {
        if (id.Length is > 0 and <= 18 && id.All(char.IsAsciiDigit) && (id[0] != '0' || id.Length == 1))
        {
            writer.WriteNumber(name, long.Parse(id, CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteString(name, id);
        }
    }
}
