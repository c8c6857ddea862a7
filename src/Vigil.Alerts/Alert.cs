using System.Globalization;
using System.Text.Json;

namespace Vigil.Alerts;

/// <summary>A reason a decision gives: a rule's name and expression, or a model input and its value.</summary>
public sealed record AlertReason(string Code, string Text);

/// <summary>One fraud decision as an alert tells it: the transaction, its parties, the score and the top reasons.</summary>
/// <param name="Key">What duplicates share: the transaction id, or else the input position the record was decided from.</param>
public sealed record Alert(
    string Key, string? TransactionId, double Amount, string? Currency, string? Customer, string? Terminal, string? Source, string? Target,
    string? Timestamp, double Score, IReadOnlyList<AlertReason> Reasons, string? RulesVersion, string? ModelVersion)
{
    /// <summary>At most this many reasons are kept: the ones that explain most.</summary>
    public const int MaxReasons = 3;

    /// <summary>Reads a decided record (a line of the fraud topic); null when it is not one.</summary>
    public static Alert? TryParse(ReadOnlySpan<byte> record)
    {
        try
        {
            var reader = new Utf8JsonReader(record);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("vigil", out var vigil) || vigil.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var id = Text(root, "transaction_id");
            // JSON decisions say where their input was in "input"; Avro ones (read as JSON) in input_partition and input_offset.
            var input = vigil.TryGetProperty("input", out var i) && i.ValueKind == JsonValueKind.Object ? $"input {Text(i, "partition")}@{Text(i, "offset")}"
                : vigil.TryGetProperty("input_offset", out _) ? $"input {Text(vigil, "input_partition")}@{Text(vigil, "input_offset")}" : null;
            var reasons = vigil.TryGetProperty("reasons", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object).Take(MaxReasons)
                    .Select(x => new AlertReason(Text(x, "code") ?? "?", Text(x, "text") ?? string.Empty)).ToList()
                : [];
            var versions = vigil.TryGetProperty("versions", out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
            return new Alert(
                id ?? input ?? "?",
                id,
                Number(root, "amount"),
                Text(root, "currency"),
                Text(root, "customer_id"),
                Text(root, "terminal_id"),
                Text(root, "source"),
                Text(root, "target"),
                Text(root, "timestamp") ?? Text(root, "TX_DATETIME"),
                Number(vigil, "score"),
                reasons,
                versions.ValueKind == JsonValueKind.Object ? Text(versions, "rules") : Text(vigil, "rules_version"),
                versions.ValueKind == JsonValueKind.Object ? Text(versions, "model") : Text(vigil, "model_version"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads only what counting and deduplicating need, the key and the amount, in one pass without building a
    /// document: a sink that already holds all the alerts it lists only counts the rest. False when the record is not
    /// a decided record (no <c>vigil</c> object).
    /// </summary>
    public static bool TryReadKey(ReadOnlySpan<byte> record, out string key, out double amount)
    {
        key = string.Empty;
        amount = 0;
        string? id = null, input = null;
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var decided = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("transaction_id"u8))
                {
                    reader.Read();
                    id = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                        _ => null,
                    };
                }
                else if (reader.ValueTextEquals("amount"u8))
                {
                    reader.Read();
                    amount = reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : 0;
                }
                else if (reader.ValueTextEquals("vigil"u8))
                {
                    reader.Read();
                    decided = reader.TokenType == JsonTokenType.StartObject;
                    input = decided ? ReadInput(ref reader) : null;
                    if (!decided)
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            key = id ?? input ?? "?";
            return decided;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads a <c>vigil</c> object to its end, returning its input position as <c>input P@O</c>.</summary>
    private static string? ReadInput(ref Utf8JsonReader reader)
    {
        string? input = null, partition = null, offset = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1)
            {
                continue;
            }

            if (reader.ValueTextEquals("input"u8))
            {
                reader.Read();
                using var position = JsonDocument.ParseValue(ref reader);
                input = position.RootElement.ValueKind == JsonValueKind.Object ? $"input {Text(position.RootElement, "partition")}@{Text(position.RootElement, "offset")}" : null;
            }
            else if (reader.ValueTextEquals("input_partition"u8) || reader.ValueTextEquals("input_offset"u8))
            {
                // An Avro decision read as JSON keeps them as two fields.
                var isPartition = reader.ValueTextEquals("input_partition"u8);
                reader.Read();
                var text = reader.TokenType == JsonTokenType.Number ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan) : null;
                (partition, offset) = isPartition ? (text, offset) : (partition, text);
            }
        }

        return input ?? (partition is not null && offset is not null ? $"input {partition}@{offset}" : null);
    }

    /// <summary>Who paid whom, as the record names them: customer → terminal, or source → target.</summary>
    public string Parties => (Customer ?? Source, Terminal ?? Target) switch
    {
        (null, null) => "unknown parties",
        (var from, null) => $"customer {from}",
        (null, var to) => $"to {to}",
        var (from, to) => Customer is not null ? $"customer {from} → terminal {to}" : $"{from} → {to}",
    };

    public string AmountText => Amount.ToString("N2", CultureInfo.InvariantCulture) + (Currency is null ? string.Empty : " " + Currency);

    private static string? Text(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) ? null
        : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };

    private static double Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;
}
