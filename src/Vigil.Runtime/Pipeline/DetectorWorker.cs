using System.Diagnostics;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Pipeline;

/// <summary>Decides every record of one input partition and routes it to the legit, fraud or dead-letter topic.</summary>
/// <remarks>
/// The loop is synchronous per batch and allocates nothing per record: decode from the batch's bytes, decide,
/// encode the enriched record straight into the output batch. Outputs are published before the input batch
/// is completed, so a completed offset always means its decisions are out.
/// </remarks>
public sealed class DetectorWorker(
    Subscription input, DetectionProcessor processor, TopicProducer legit, TopicProducer fraud, TopicProducer deadLetters)
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    public DetectionProcessor Processor { get; } = processor;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = input.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var batch))
            {
                Process(batch);
                await legit.FlushAsync(all: true, cancellationToken);
                await fraud.FlushAsync(all: true, cancellationToken);
                await deadLetters.FlushAsync(all: true, cancellationToken);
                input.Complete(batch);
            }
        }
    }

    internal void Process(RecordBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var key = batch.Key(i);
            var route = Processor.Decide(batch.ValueMemory(i), batch.Topic, batch.Partition, batch.Offset(i), out var deadLetter);
            if (route == Route.DeadLetter)
            {
                deadLetters.Append(RouteTo(deadLetters, key, batch.Partition), key, batch.Value(i), deadLetter);
                continue;
            }

            Processor.RecordLatency((long)((Stopwatch.GetTimestamp() - batch.CreatedTimestamp) * NanosecondsPerTick));
            var output = route == Route.Fraud ? fraud : legit;
            var room = output.BeginAppend(RouteTo(output, key, batch.Partition), key, Processor.MaxOutputLength);
            output.EndAppend(Processor.Encode(room));
        }
    }

    /// <summary>Keyed records go where Kafka would put them; keyless ones stay on their input partition's number.</summary>
    internal static int RouteTo(TopicProducer output, ReadOnlySpan<byte> key, int inputPartition) =>
        key.IsEmpty ? inputPartition % output.Topic.Partitions.Count : output.PartitionFor(key);
}
