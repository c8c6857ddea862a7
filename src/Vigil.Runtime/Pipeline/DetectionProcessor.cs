using Vigil.Detection;
using Vigil.Features;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Runtime.Pipeline;

/// <summary>Where a record goes once decided.</summary>
public enum Route
{
    Legit,
    Fraud,
    DeadLetter,
}

/// <summary>
/// The per-record step every runtime shares: decode the record's bytes, decide, and then either encode the enriched
/// record or explain, in dead-letter headers, why it could not be decided. One instance per worker thread.
/// </summary>
/// <remarks>
/// Allocation-free for good records. A record that breaks the detector (a rule that throws) becomes a dead letter
/// like a record that cannot be decoded: one bad record never stops a stream.
/// </remarks>
public sealed class DetectionProcessor(Detector detector, IRecordCodec codec)
{
    public DetectionProcessor(Detector detector, TransactionDecoder decoder)
        : this(detector, new JsonRecordCodec(decoder))
    {
    }

    private readonly Transaction _transaction = new();
    private readonly Decision _decision = new();
    private int _partition;
    private long _offset;

    public Detector Detector { get; } = detector;

    /// <summary>Time from a record entering Vigil to its decision, as the host measured it.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>The decisions' scores and the dead letters' codes.</summary>
    public DecisionTally Tally { get; } = new();

    /// <summary>Sees every decided transaction, on this processor's thread, before the next one is decoded; null for none.</summary>
    public IDecisionTap? Tap { get; set; }

    /// <summary>Bytes <see cref="Encode"/> may need for the record just decided.</summary>
    public int MaxOutputLength => codec.MaxLength(_transaction, _decision);

    /// <summary>Decides one record; for a dead letter, <paramref name="deadLetter"/> holds the headers to send it with.</summary>
    public Route Decide(ReadOnlyMemory<byte> value, string topic, int partition, long offset, out IReadOnlyList<RecordHeader>? deadLetter) =>
        Decide(value, null, default, topic, partition, offset, out deadLetter);

    /// <summary>
    /// Decides one record with features computed beside it (in binary, not in the record); the output record carries
    /// them. For a dead letter, <paramref name="deadLetter"/> holds the headers to send it with.
    /// </summary>
    public Route Decide(
        ReadOnlyMemory<byte> value, FeatureJson? features, ReadOnlySpan<double> values, string topic, int partition, long offset, out IReadOnlyList<RecordHeader>? deadLetter)
    {
        _partition = partition;
        _offset = offset;
        if (!codec.TryDecode(value, _transaction, out var failure))
        {
            deadLetter = DeadLetterHeaders.For(failure, topic, partition, offset);
            Tally.DeadLetter(failure.CodeName);
            return Route.DeadLetter;
        }

        if (features is not null)
        {
            _transaction.UseFeatures(features, values);
        }

        try
        {
            Detector.Decide(_transaction, _decision);
        }
#pragma warning disable CA1031 // One record that breaks the detector must not stop the stream: it becomes a dead letter.
        catch (Exception e)
#pragma warning restore CA1031
        {
            deadLetter = DeadLetterHeaders.For("detector_failed", $"the detector failed: {e.GetType().Name}: {e.Message}", topic, partition, offset);
            Tally.DeadLetter("detector_failed");
            return Route.DeadLetter;
        }

        Tally.Score(_decision.Score);
        Tap?.Decided(_transaction, _decision);
        deadLetter = null;
        return _decision.IsFraud ? Route.Fraud : Route.Legit;
    }

    /// <summary>Records the latency of the decision just made; it is written into the output record.</summary>
    public void RecordLatency(long nanoseconds)
    {
        _decision.LatencyNanoseconds = nanoseconds;
        Latency.Record(nanoseconds);
    }

    /// <summary>
    /// Decides and encodes a few thousand generated records on a scratch processor, so that the first real records
    /// are not decided by code still being compiled (which makes them take milliseconds instead of microseconds).
    /// </summary>
    public static void WarmUp(Detector detector, int records = 50_000)
    {
        ArgumentNullException.ThrowIfNull(detector);
        var scratch = new DetectionProcessor(new Detector(detector.Rules) { Models = detector.Models }, new TransactionDecoder());
        var generator = new WarmUpRecords();
        var input = new byte[WarmUpRecords.MaxLength];
        var key = new byte[WarmUpRecords.MaxKeyLength];
        var output = new byte[4096];
        for (var i = 0; i < records; i++)
        {
            var length = generator.Next(input, key, out _);
            if (scratch.Decide(input.AsMemory(0, length), "warm-up", 0, i, out _) != Route.DeadLetter)
            {
                scratch.Encode(output);
            }
        }

        scratch.Decide("not json"u8.ToArray(), "warm-up", 0, records, out _);
    }

    /// <summary>Writes the enriched record into <paramref name="destination"/> (at least <see cref="MaxOutputLength"/> bytes).</summary>
    public int Encode(Span<byte> destination)
    {
        if (!codec.TryWrite(_transaction, _decision, _partition, _offset, destination, out var written))
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the record needs up to {MaxOutputLength}.", nameof(destination));
        }

        return written;
    }
}
