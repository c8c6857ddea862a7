using System.Globalization;
using Vigil.Avro.Wire;
using Vigil.Detection;

namespace Vigil.Avro.Records;

/// <summary>
/// Writes a decided record: the Confluent header with the output schema's id, the input record's Avro bytes as they
/// came, and the decision (schemas/decision.avsc) as its last field. Avro records are their fields one after another,
/// so appending a field is appending its bytes.
/// </summary>
internal static class AvroDecisionWriter
{
    /// <summary>Decision bytes besides the reasons and versions: flags, numbers, union indexes, counts.</summary>
    private const int FixedOverhead = 128;

    /// <summary>
    /// An upper bound from the JSON encoder's own bounds (a JSON reason spells out its keys and quotes, so it is longer
    /// than the Avro one's length prefixes), plus room for the unions Avro adds to each rule's reason.
    /// </summary>
    public static int MaxLength(int recordLength, Decision decision) =>
        recordLength + FixedOverhead + decision.RuleSet.MaxReasonsLength + (8 * decision.RuleSet.RuleSpan.Length) + decision.RuleSet.VersionPlainUtf8.Length
        + (decision.Model?.MaxLength ?? 0) + (decision.Shadow?.MaxLength ?? 0);

    public static int Write(int schemaId, ReadOnlySpan<byte> body, Decision decision, int inputPartition, long inputOffset, Span<byte> destination)
    {
        var at = WriteRecord(schemaId, body, destination);
        return at + WriteDecision(decision, inputPartition, inputOffset, destination[at..]);
    }

    /// <summary>The Confluent header and the input record's fields.</summary>
    public static int WriteRecord(int schemaId, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        ConfluentFrame.WriteHeader(schemaId, destination);
        body.CopyTo(destination[ConfluentFrame.HeaderLength..]);
        return ConfluentFrame.HeaderLength + body.Length;
    }

    /// <summary>The <c>vigil</c> field.</summary>
    public static int WriteDecision(Decision decision, int inputPartition, long inputOffset, Span<byte> destination)
    {
        var at = AvroWriter.Boolean(decision.IsFraud, destination);
        at += AvroWriter.Boolean(decision.Review, destination[at..]);
        at += AvroWriter.Boolean(decision.Allowed, destination[at..]);
        at += AvroWriter.Double(decision.Score, destination[at..]);
        at += Reasons(decision, destination[at..]);
        at += AvroWriter.String(decision.RuleSet.VersionPlainUtf8, destination[at..]);
        at += Scored(decision.Model, decision.ModelScore, decision.ModelFlagged, destination[at..]);
        at += Scored(decision.Shadow, decision.ShadowScore, decision.ShadowFlagged, destination[at..]);
        at += AvroWriter.Double(Math.Max(0, decision.LatencyNanoseconds) / 1000.0, destination[at..]);
        at += AvroWriter.Long(inputPartition, destination[at..]);
        at += AvroWriter.Long(inputOffset, destination[at..]);
        return at;
    }

    /// <summary>A model's version, score and verdict, as three <c>["null", T]</c> unions.</summary>
    private static int Scored(ModelRunner? model, double score, bool flagged, Span<byte> destination)
    {
        if (model is null)
        {
            destination[..3].Clear();
            return 3;
        }

        var at = AvroWriter.Long(1, destination);
        at += AvroWriter.String(model.VersionPlainUtf8, destination[at..]);
        at += AvroWriter.Long(1, destination[at..]);
        at += AvroWriter.Double(score, destination[at..]);
        at += AvroWriter.Long(1, destination[at..]);
        return at + AvroWriter.Boolean(flagged, destination[at..]);
    }

    /// <summary>The reasons array: the fired rules', then the model's (code <c>model:NAME</c>, text <c>NAME = value</c>).</summary>
    private static int Reasons(Decision decision, Span<byte> destination)
    {
        var fired = decision.FiredRules;
        var count = fired.Length + decision.ModelReasonCount;
        if (count == 0)
        {
            return AvroWriter.Long(0, destination);
        }

        var at = AvroWriter.Long(count, destination);
        var rules = decision.RuleSet.RuleSpan;
        foreach (var index in fired)
        {
            var rule = rules[index];
            at += AvroWriter.String(rule.CodeUtf8, destination[at..]);
            at += AvroWriter.String(rule.TextUtf8, destination[at..]);
            if (rule.ActionUtf8 is { } action)
            {
                at += AvroWriter.Long(1, destination[at..]);
                at += AvroWriter.String(action, destination[at..]);
            }
            else
            {
                at += AvroWriter.Null(destination[at..]);
            }

            at += AvroWriter.Null(destination[at..]);
        }

        Span<byte> text = stackalloc byte[512];
        for (var k = 0; k < decision.ModelReasonCount; k++)
        {
            var name = decision.Model!.InputNamesUtf8[decision.ReasonInputs[k]];
            var length = Concat(text, "model:"u8, name);
            at += AvroWriter.String(text[..length], destination[at..]);
            length = Concat(text, name, " = "u8);
            decision.ReasonValues[k].TryFormat(text[length..], out var written, "G6", CultureInfo.InvariantCulture);
            at += AvroWriter.String(text[..(length + written)], destination[at..]);
            at += AvroWriter.Null(destination[at..]);
            at += AvroWriter.Long(1, destination[at..]);
            at += AvroWriter.Double(decision.ReasonContributions[k], destination[at..]);
        }

        return at + AvroWriter.Long(0, destination[at..]);
    }

    private static int Concat(Span<byte> destination, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var length = Math.Min(first.Length, destination.Length);
        first[..length].CopyTo(destination);
        var more = Math.Min(second.Length, destination.Length - 32 - length);
        second[..Math.Max(0, more)].CopyTo(destination[length..]);
        return length + Math.Max(0, more);
    }
}
