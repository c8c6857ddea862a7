using Confluent.Kafka;
using Vigil.Features;
using Vigil.Kafka.Bridge;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Sources;
using Vigil.Kafka.State;
using Vigil.Runtime.Features;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Topics;
using TopicPartition = Confluent.Kafka.TopicPartition;

namespace Vigil.Kafka.Features;

/// <summary>
/// The feature stage on Kafka, a second stage in front of the detectors: it reads every partition of the transactions
/// topic (keyed by customer), of the labels topic and, when joining, of the identities topic, computes the features with
/// one <see cref="FeatureStage"/>, and writes each transaction with its features to the featured topic, keyed as it came.
/// </summary>
/// <remarks>
/// <para>Terminal windows need every transaction of a terminal, which a customer-keyed topic spreads over all its
/// partitions. One stage that reads them all (merged in event time behind its watermark) holds every terminal whole, and
/// the detectors, sharing the featured topic's partitions in their group, stay partitioned by customer. The price is that
/// features are computed on one core: about two million transactions a second for the handbook's set.</para>
/// <para>Positions are the stage's own: it reads outside any consumer group and keeps its offsets in its checkpoint
/// (<see cref="FeatureStageOptions.Checkpoint"/>: a file, or a Kafka topic that another machine can restore from), from
/// which it resumes; without one it starts at the topics' beginnings so that its windows fill from the history Kafka
/// keeps. A checkpoint is taken only once the brokers acknowledged every featured record before it. Kafka does not order
/// records across topics, so a label counts from when the stage reads it.</para>
/// </remarks>
public sealed class KafkaFeatureStage : IDisposable
{
    private static readonly RecordHeader[] ReplayHeaders = [new(ReplayedOutputs.Header, "true")];

    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly IValueTranscoder? _transcoder;
    private readonly KafkaRecordWriter _writer;
    private readonly EmbeddedBroker _broker = new();
    private readonly Dictionary<string, (Topic Topic, TopicProducer Producer)> _inputs = new(StringComparer.Ordinal);
    private readonly List<TopicPartitionOffset> _start = [];
    private readonly Topic _featured;
    private readonly IReadOnlyList<Subscription> _out;
    private readonly ReplayedOutputs _replays;

    public KafkaFeatureStage(KafkaClients clients, TopicOptions topics, FeatureSet features, FeatureStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(options);
        // Records deleted before they were read (retention, a topic made again) stop the stage rather than let it jump
        // to what is left and compute windows without them.
        _consumer = clients.Consumer("features", $"vigil-features-{Guid.NewGuid():N}", reset: AutoOffsetReset.Error);
        _transcoder = clients.Transcoders?.Invoke();
        try
        {
            var positions = options.Checkpoint is { } store && store.Load() is { } saved ? FeatureCheckpoint.ReadPositions(saved, store.Description) : default;
            _replays = (options.CheckpointStore as KafkaCheckpointStore)?.Replays ?? ReplayedOutputs.None;
            var transactions = Input(topics.Transactions, positions.Transactions);
            var labels = Input(topics.Labels, positions.Labels);
            var identities = options.JoinIdentities ? Input(topics.Identities, positions.Identities) : null;
            _featured = _broker.CreateTopic(topics.Featured, transactions.Partitions.Count);
            Stage = new FeatureStage(
                new FeatureEngine(features, options.Limits),
                transactions.Subscribe(FeatureStage.Group),
                labels.Subscribe(FeatureStage.Group),
                _featured.CreateProducer(),
                options,
                identities: identities?.Subscribe(FeatureStage.Group));
            _out = _featured.Subscribe("kafka-out");
            _writer = new KafkaRecordWriter(clients, topics.Featured, topics.DeadLetter);
        }
        catch
        {
            _consumer.Dispose();
            throw;
        }
    }

    public FeatureStage Stage { get; }

    /// <summary>Featured records written again after a takeover (the instance before wrote them after its last snapshot), marked.</summary>
    public long Replayed => _replays.Replayed;

    /// <summary>Featured records the brokers acknowledged.</summary>
    public long Delivered => _writer.Delivered;

    /// <summary>Reads, computes and writes until <paramref name="stop"/>; then computes what it holds, writes it and checkpoints.</summary>
    /// <exception cref="KafkaDeliveryException">Records were gone before they were read: the stage stopped without computing what it held or checkpointing.</exception>
    public async Task RunAsync(CancellationToken stop)
    {
        using var failed = new CancellationTokenSource();
        var reading = Task.Factory.StartNew(() => Read(failed, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var computing = Task.Run(async () =>
        {
            try
            {
                await Stage.RunAsync(failed.Token);
            }
            finally
            {
                _featured.Complete();
            }
        }, CancellationToken.None);
        var writing = Task.WhenAll(_out.Select(WriteAsync));
        await Task.WhenAll(reading, computing, writing);
    }

    public void Dispose()
    {
        _consumer.Dispose();
        _writer.Dispose();
    }

    /// <summary>An embedded copy of a Kafka topic, partition for partition, numbered from where reading starts.</summary>
    private Topic Input(string name, long[]? positions)
    {
        var metadata = KafkaCopy.Partitions(_consumer, name);
        var topic = _broker.CreateTopic(name, metadata.Count);
        if (positions is not null && positions.Length != metadata.Count)
        {
            throw new KafkaSetupException($"the feature checkpoint was taken with {positions.Length} partitions of {name}, which now has {metadata.Count}: delete it to start afresh");
        }

        foreach (var partition in metadata)
        {
            var offset = positions?[partition] ?? _consumer.QueryWatermarkOffsets(new TopicPartition(name, partition), TimeSpan.FromSeconds(30)).Low.Value;
            topic.Partitions[partition].StartAt(offset);
            _start.Add(new TopicPartitionOffset(name, partition, offset));
        }

        _inputs[name] = (topic, topic.CreateProducer());
        return topic;
    }

    /// <summary>Copies the inputs until <paramref name="stop"/>; a failed read aborts the stage (<paramref name="failed"/>) before its inputs complete.</summary>
    private void Read(CancellationTokenSource failed, CancellationToken stop) =>
        KafkaCopy.Run(_consumer, _start, _inputs, samePartition: true, copied: null, failing: failed.Cancel, _transcoder, stop);

    /// <summary>Writes one featured partition to Kafka; a batch is completed (and can be checkpointed past) once acknowledged.</summary>
    private async Task WriteAsync(Subscription subscription)
    {
        await foreach (var batch in subscription.Reader.ReadAllAsync())
        {
            for (var i = 0; i < batch.Count; i++)
            {
                _writer.Write(batch.Key(i), batch.Value(i), _replays.IsReplay(batch.Value(i)) ? ReplayHeaders : null);
            }

            await _writer.FlushAsync(CancellationToken.None);
            subscription.Complete(batch);
        }
    }
}
