using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Vigil.Transactions;

namespace Vigil.Detection;

/// <summary>Writes the output record: the input's bytes, unchanged, enriched with a <c>vigil</c> object.</summary>
/// <remarks>
/// <code>{...input...,"vigil":{"fraud":true,"score":1,"reasons":[{"code":"amount_threshold","text":"amount >= 900"}],
/// "versions":{"rules":"builtin:amount>=900"},"latency_us":12.5,"input":{"partition":0,"offset":42}}}</code>
/// With a model, its reasons follow the rules' (<c>{"code":"model:tx_amount","text":"tx_amount = 412.5","contribution":2.1}</c>,
/// only when it flags), its version joins the rules' in <c>versions</c>, and <c>"model":{"score":0.93,"fraud":true}</c>
/// (and <c>"shadow":{…}</c> for a shadow model) follow.
/// Features computed beside the record (<see cref="Transaction.UseFeatures"/>) follow the input's fields as
/// <c>"features":{…}</c>, as if the record had carried them. Every input field is kept byte for byte (a <c>vigil</c> member already present is replaced); line breaks
/// between tokens become spaces so that each record stays on one line of a JSON Lines file.
/// </remarks>
public static class DecisionEncoder
{
    // Everything but the input, the reasons and the version: names, punctuation, numbers at their longest.
    private const int FixedOverhead = 384;

    /// <summary>An upper bound of the bytes <see cref="TryWrite"/> needs for this record and decision.</summary>
    public static int MaxLength(Transaction transaction, Decision decision) =>
        transaction.Utf8.Length + FixedOverhead + (transaction.ComputedFeatures?.MaxAddedLength ?? 0) + decision.RuleSet.MaxReasonsLength + decision.RuleSet.VersionUtf8.Length
        + (decision.Model?.MaxLength ?? 0) + (decision.Shadow?.MaxLength ?? 0);

    /// <summary>
    /// Writes a decision as the members of an answer to one scoring request (<c>/v1/score</c>): <c>fraud</c>,
    /// <c>review</c> and <c>allowed</c> when set, <c>score</c>, the model's <c>threshold</c> and <c>model_version</c>,
    /// <c>rules_version</c>, and <c>reasons</c> in the shape the stream's output records carry them.
    /// </summary>
    /// <remarks>The caller opens and closes the object, so that it may add members of its own (the features).</remarks>
    public static void WriteAnswer(Utf8JsonWriter writer, Decision decision)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(decision);
        writer.WriteBoolean("fraud"u8, decision.IsFraud);
        if (decision.Review)
        {
            writer.WriteBoolean("review"u8, true);
        }

        if (decision.Allowed)
        {
            writer.WriteBoolean("allowed"u8, true);
        }

        writer.WriteNumber("score"u8, decision.Score);
        if (decision.Model is { } model)
        {
            writer.WriteNumber("threshold"u8, model.Model.Threshold);
            writer.WriteString("model_version"u8, model.Model.Version);
        }

        writer.WriteString("rules_version"u8, decision.RuleSet.Version);
        writer.WritePropertyName("reasons"u8);
        var buffer = ArrayPool<byte>.Shared.Rent(2 + decision.RuleSet.MaxReasonsLength + (decision.Model?.MaxLength ?? 0));
        try
        {
            writer.WriteRawValue(buffer.AsSpan(0, WriteReasons(decision, buffer)), skipInputValidation: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static bool TryWrite(
        Transaction transaction, Decision decision, int inputPartition, long inputOffset, Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < MaxLength(transaction, decision))
        {
            return false;
        }

        var input = transaction.Utf8.Span[..transaction.ObjectEnd];
        var at = 0;
        if (transaction.HasPreviousDecision)
        {
            var (offset, length) = transaction.PreviousDecision.GetOffsetAndLength(input.Length);
            at = CopyOnOneLine(input[..offset], destination);
            at += CopyOnOneLine(input[(offset + length)..], destination[at..]);
        }
        else
        {
            at = CopyOnOneLine(input, destination);
        }

        if (transaction.ComputedFeatures is { } features)
        {
            destination[at++] = (byte)',';
            at += features.WriteMember(transaction.Features.Values, destination[at..]);
        }

        at += Put(",\"vigil\":{\"fraud\":"u8, destination[at..]);
        at += Put(decision.IsFraud ? "true"u8 : "false"u8, destination[at..]);
        if (decision.Review)
        {
            at += Put(",\"review\":true"u8, destination[at..]);
        }

        if (decision.Allowed)
        {
            at += Put(",\"allowed\":true"u8, destination[at..]);
        }

        at += Put(",\"score\":"u8, destination[at..]);
        at += PutScore(decision.Score, destination[at..]);
        at += Put(",\"reasons\":"u8, destination[at..]);
        at += WriteReasons(decision, destination[at..]);
        at += Put(",\"versions\":{\"rules\":"u8, destination[at..]);
        at += Put(decision.RuleSet.VersionUtf8, destination[at..]);
        if (decision.Model is { } model)
        {
            at += Put(",\"model\":"u8, destination[at..]);
            at += Put(model.VersionUtf8, destination[at..]);
        }

        if (decision.Shadow is { } shadow)
        {
            at += Put(",\"shadow\":"u8, destination[at..]);
            at += Put(shadow.VersionUtf8, destination[at..]);
        }

        destination[at++] = (byte)'}';
        if (decision.Model is not null)
        {
            at += PutModelScore(",\"model\":{\"score\":"u8, decision.ModelScore, decision.ModelFlagged, destination[at..]);
        }

        if (decision.Shadow is not null)
        {
            at += PutModelScore(",\"shadow\":{\"score\":"u8, decision.ShadowScore, decision.ShadowFlagged, destination[at..]);
        }

        at += Put(",\"latency_us\":"u8, destination[at..]);
        at += PutTenths(Math.Max(0, decision.LatencyNanoseconds) / 100, destination[at..]);
        at += Put(",\"input\":{\"partition\":"u8, destination[at..]);
        at += PutInteger(inputPartition, destination[at..]);
        at += Put(",\"offset\":"u8, destination[at..]);
        at += PutInteger(inputOffset, destination[at..]);
        at += Put("}}}"u8, destination[at..]);
        written = at;
        return true;
    }

    /// <summary>Writes <c>,"model":{"score":0.93,"fraud":true}</c> after the given opening.</summary>
    private static int PutModelScore(ReadOnlySpan<byte> opening, double score, bool flagged, Span<byte> destination)
    {
        var at = Put(opening, destination);
        at += ModelRunner.WriteNumber(score, destination[at..], "G6");
        at += Put(",\"fraud\":"u8, destination[at..]);
        at += ModelRunner.PutBoolean(flagged, destination[at..]);
        destination[at++] = (byte)'}';
        return at;
    }

    private static int CopyOnOneLine(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        var copy = destination[..source.Length];

        // Inside valid JSON strings raw line breaks are illegal, so any here lie between tokens.
        if (copy.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            copy.Replace((byte)'\r', (byte)' ');
            copy.Replace((byte)'\n', (byte)' ');
        }

        return source.Length;
    }

    private static int WriteReasons(Decision decision, Span<byte> destination)
    {
        var at = 0;
        destination[at++] = (byte)'[';
        var rules = decision.RuleSet.RuleSpan;
        var fired = decision.FiredRules;
        for (var i = 0; i < fired.Length; i++)
        {
            if (i > 0)
            {
                destination[at++] = (byte)',';
            }

            at += Put(rules[fired[i]].ReasonUtf8, destination[at..]);
        }

        for (var k = 0; k < decision.ModelReasonCount; k++)
        {
            if (k > 0 || fired.Length > 0)
            {
                destination[at++] = (byte)',';
            }

            at += decision.Model!.WriteReason(decision.ReasonInputs[k], decision.ReasonValues[k], decision.ReasonContributions[k], destination[at..]);
        }

        destination[at++] = (byte)']';
        return at;
    }

    private static int Put(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    private static int PutScore(double score, Span<byte> destination)
    {
        if (score == 0)
        {
            destination[0] = (byte)'0';
            return 1;
        }

        if (score == 1)
        {
            destination[0] = (byte)'1';
            return 1;
        }

        score.TryFormat(destination, out var written, "R", CultureInfo.InvariantCulture);
        return written;
    }

    private static int PutInteger(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }

    private static int PutTenths(long tenths, Span<byte> destination)
    {
        var at = PutInteger(tenths / 10, destination);
        destination[at] = (byte)'.';
        destination[at + 1] = (byte)('0' + (tenths % 10));
        return at + 2;
    }
}
