using System.Diagnostics;
using Vigil.Detection;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Runtime.Pipeline;

/// <summary>Decides every record of one input partition and routes it to the legit, fraud or dead-letter topic.</summary>
/// <remarks>
/// The loop is synchronous per batch and allocates nothing per record: decode from the batch's bytes, decide,
/// encode the enriched record straight into the output batch. Outputs are published before the input batch
/// is completed, so a completed offset always means its decisions are out.
/// </remarks>
public sealed class DetectorWorker
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly Subscription _input;
    private readonly TransactionDecoder _decoder;
    private readonly TopicProducer _legit;
    private readonly TopicProducer _fraud;
    private readonly TopicProducer _deadLetters;
    private readonly Transaction _transaction = new();
    private readonly Decision _decision = new();

    public DetectorWorker(
        Subscription input, Detector detector, TransactionDecoder decoder, TopicProducer legit, TopicProducer fraud, TopicProducer deadLetters)
    {
        _input = input;
        Detector = detector;
        _decoder = decoder;
        _legit = legit;
        _fraud = fraud;
        _deadLetters = deadLetters;
    }

    public Detector Detector { get; }

    /// <summary>Time from a record's batch entering the input topic to its decision.</summary>
    public LatencyHistogram Latency { get; } = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _input.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var batch))
            {
                Process(batch);
                await _legit.FlushAsync(all: true, cancellationToken);
                await _fraud.FlushAsync(all: true, cancellationToken);
                await _deadLetters.FlushAsync(all: true, cancellationToken);
                _input.Complete(batch);
            }
        }
    }

    internal void Process(RecordBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var key = batch.Key(i);
            if (!_decoder.TryDecode(batch.ValueMemory(i), _transaction, out var failure))
            {
                DeadLetter(batch, i, DeadLetterHeaders.For(failure, batch.Topic, batch.Partition, batch.Offset(i)));
                continue;
            }

            try
            {
                Detector.Decide(_transaction, _decision);
                var latency = (long)((Stopwatch.GetTimestamp() - batch.CreatedTimestamp) * NanosecondsPerTick);
                _decision.LatencyNanoseconds = latency;
                Latency.Record(latency);

                var output = _decision.IsFraud ? _fraud : _legit;
                var room = output.BeginAppend(Route(output, key, batch.Partition), key, DecisionEncoder.MaxLength(_transaction, _decision));
                DecisionEncoder.TryWrite(_transaction, _decision, batch.Partition, batch.Offset(i), room, out var written);
                output.EndAppend(written);
            }
#pragma warning disable CA1031 // One record that breaks the detector must not stop the stream: it becomes a dead letter.
            catch (Exception e)
#pragma warning restore CA1031
            {
                DeadLetter(batch, i, DeadLetterHeaders.For(
                    "detector_failed", $"the detector failed: {e.GetType().Name}: {e.Message}", batch.Topic, batch.Partition, batch.Offset(i)));
            }
        }
    }

    private void DeadLetter(RecordBatch batch, int index, IReadOnlyList<RecordHeader> headers)
    {
        var key = batch.Key(index);
        _deadLetters.Append(Route(_deadLetters, key, batch.Partition), key, batch.Value(index), headers);
    }

    /// <summary>Keyed records go where Kafka would put them; keyless ones stay on their input partition's number.</summary>
    private static int Route(TopicProducer output, ReadOnlySpan<byte> key, int inputPartition) =>
        key.IsEmpty ? inputPartition % output.Topic.Partitions.Count : output.PartitionFor(key);
}
