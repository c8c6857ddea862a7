using System.Globalization;
using Vigil.Kafka.Native;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Refusals;

/// <summary>
/// Records the brokers refused for something about the record itself (its size, its form), not the cluster: each is
/// kept, cut to a size any cluster takes, to go to the dead letters with the reason, so that one record never stops a
/// stream. Refusals come in delivery reports, on the thread that polls; the owner takes them on that thread.
/// </summary>
internal sealed class RefusedRecords(string deadLetterTopic)
{
    /// <summary>The bytes of a refused record's value its dead letter keeps.</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>The bytes of a refused record's key its dead letter keeps.</summary>
    public const int MaxKeyBytes = 1024;

    private readonly Queue<RefusedRecord> _waiting = new();

    /// <summary>Records refused so far.</summary>
    public long Count { get; private set; }

    /// <summary>Refused records kept and not yet taken.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Keeps the record of a refused delivery when the refusal is about it; false for a cluster failure, or for a dead letter already cut.</summary>
    public bool TryKeep(in DeliveryReport report)
    {
        if (!NativeProducer.IsAboutOneRecord(report.Error) || report.Topic is null || (report.Topic == deadLetterTopic && report.Value.Length <= MaxValueBytes))
        {
            return false;
        }

        _waiting.Enqueue(Keep(report.Number, report.Topic, report.Key, report.Value, report.Error, headers: null));
        return true;
    }

    /// <summary>A record refused when produced: its dead letter, with <paramref name="headers"/> (the original ones) kept.</summary>
    public RefusedRecord Keep(long number, string topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int error, IReadOnlyList<RecordHeader>? headers)
    {
        Count++;
        var reason = $"the brokers refused the record for {topic}: {NativeProducer.Describe(error)} ({value.Length:N0} bytes)"
                     + (headers is null && topic == deadLetterTopic ? "; it was a dead letter, and its own reason is lost" : string.Empty);
        // A dead letter keeps its own code and says why it was cut; any other record becomes one with the refusal as its reason.
        var original = headers ?? [];
        var code = original.LastOrDefault(h => h.Key == DeadLetterHeaders.ErrorCode)?.ValueText ?? "refused_by_brokers";
        var first = original.LastOrDefault(h => h.Key == DeadLetterHeaders.ErrorReason)?.ValueText;
        return new RefusedRecord(
            number,
            key[..Math.Min(key.Length, MaxKeyBytes)].ToArray(),
            value[..Math.Min(value.Length, MaxValueBytes)].ToArray(),
            [
                .. original.Where(h => h.Key != DeadLetterHeaders.ErrorCode && h.Key != DeadLetterHeaders.ErrorReason),
                new(DeadLetterHeaders.ErrorCode, code),
                new(DeadLetterHeaders.ErrorReason, first is null ? reason : $"{first}; then {reason}"),
                new(DeadLetterHeaders.OriginalLength, value.Length.ToString(CultureInfo.InvariantCulture)),
            ]);
    }

    public bool TryTake(out RefusedRecord record) => _waiting.TryDequeue(out record!);
}

/// <summary>A refused record's dead letter: the number it was produced with, and the start of its key and value.</summary>
internal sealed record RefusedRecord(long Number, byte[] Key, byte[] Value, IReadOnlyList<RecordHeader> Headers);
