using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Vigil.Features;
using Vigil.Kafka.Bridge;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.State;
using Vigil.Runtime.Features;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Topics;
using TopicPartition = Confluent.Kafka.TopicPartition;

namespace Vigil.Kafka.Features;

/// <summary>
/// One task of the feature service in a consumer group, named by a partition number p: the customer task of partition p
/// of the transactions topic and the terminal task of partition p of the repartition topic, each with its own state in
/// the state topic (<c>GROUP/customers-p</c>, <c>GROUP/terminals-p</c>: groups sharing a state topic never restore each other's).
/// </summary>
/// <remarks>
/// <para>The customer task reads transactions partition p and the labels partitions q with q mod n = p (n transactions
/// partitions); it computes the customer's features and sends each transaction, its values in binary, to the
/// repartition partition that owns its terminal, fraud reports to their terminal's partition, and its watermark to every
/// partition. The terminal task reads repartition partition p, waits for every customer task's watermark, computes the
/// terminal's features and writes the transaction with all its features to the featured topic, on partition p' of the
/// transactions partition it came from, for the detectors. docs/FEATURES.md, "Scale-out on Kafka".</para>
/// <para>Restored from a snapshot, a customer task first reads what its predecessor wrote to the repartition topic after
/// that snapshot and does not send it again; a terminal task marks the featured records written again
/// (<see cref="ReplayedOutputs"/>).</para>
/// </remarks>
internal sealed class FeatureTask : IDisposable
{
    private const string Group = "vigil-feature-task";

    /// <summary>
    /// The least wall time between two watermarks a customer task sends to every repartition partition: a task catching
    /// up on a backlog would otherwise send one per batch, several records for each transaction (the 183 days at 10,000
    /// a second made the repartition topic nine times the transactions). It delays a terminal's release by as much.
    /// </summary>
    internal static readonly TimeSpan WatermarkInterval = TimeSpan.FromMilliseconds(50);

    private readonly MemberOutputs _outputs;
    private readonly TopicOptions _topics;
    private readonly FeatureTaskLayout _layout;
    private readonly FeatureStageOptions _options;
    private readonly ILogger _log;
    private readonly KafkaCheckpointStore _customerState;
    private readonly KafkaCheckpointStore _terminalState;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly IValueTranscoder? _transcoder;
    private readonly int[] _labelPartitions;
    private FeatureStage? _customers;
    private TerminalTask? _terminals;
    private readonly RepartitionScan _scan;
    private readonly int _rebalance;
    private SentBefore? _sent;
    private volatile string _phase = "restoring";

    /// <param name="outputs">Writes the task's repartition and featured records, with every other task's of the member.</param>
    /// <param name="scan">Reads what restored tasks' predecessors sent, for every task <paramref name="rebalance"/> gave.</param>
    public FeatureTask(
        KafkaClients clients, MemberOutputs outputs, TopicOptions topics, FeatureTaskLayout layout, FeatureStageOptions options, TaskSnapshots snapshots, string group, int index,
        RepartitionScan scan, int rebalance, ILogger log)
    {
        _scan = scan;
        _rebalance = rebalance;
        _outputs = outputs;
        _topics = topics;
        _layout = layout;
        _options = options;
        _log = log;
        Index = index;
        _labelPartitions = [.. Enumerable.Range(0, layout.LabelPartitions).Where(q => q % layout.Tasks == index)];
        _customerState = new KafkaCheckpointStore(snapshots, $"{group}/customers-{index}", checkpoint =>
        {
            var (transactions, labels, _) = FeatureCheckpoint.ReadPositions(checkpoint, $"task {group}/customers-{index}");
            return
            [
                new InputPosition(topics.Transactions, index, transactions.Single()),
                .. labels.Select((offset, i) => new InputPosition(topics.Labels, _labelPartitions[i], offset)),
            ];
        }, [topics.Repartition], null, log);
        _terminalState = new KafkaCheckpointStore(
            snapshots, $"{group}/terminals-{index}", checkpoint => [new InputPosition(topics.Repartition, index, TerminalTask.ReadPosition(checkpoint, $"task {group}/terminals-{index}"))],
            [topics.Featured], topics.Featured, log);
        // Records deleted before the task read them (the topic's retention overtook it) are an error, not a silent jump
        // to what is left: windows computed without them would be wrong.
        _consumer = clients.Consumer($"features-task-{index}", Group, reset: AutoOffsetReset.Error);
        _transcoder = clients.Transcoders?.Invoke();
    }

    /// <summary>The partition number the task is named by.</summary>
    public int Index { get; }

    /// <summary>restoring, running, stopped or failed.</summary>
    public string Phase => _phase;

    /// <summary>Transactions whose features were written to the featured topic.</summary>
    public long Released => _terminals?.Released ?? 0;

    /// <summary>Transactions and labels later than the allowed lateness (or the idle timeout), computed as of the newest time.</summary>
    public long Late => (_customers?.Engine.Late ?? 0) + (_terminals?.Engine.Late ?? 0);

    /// <summary>Featured records written again after a takeover, marked.</summary>
    public long Replayed => _terminalState.Replays.Replayed;

    /// <summary>Repartition records no customer task could have written (damaged, or written by another program), passed over.</summary>
    public long Refused => _terminals?.Refused ?? 0;

    /// <summary>Repartition records the predecessor had written after its snapshot, not sent again.</summary>
    public long Skipped => _sent?.Skipped ?? 0;

    /// <summary>How the two restores went, once done.</summary>
    public (TimeSpan Took, long Bytes, bool Restored)? Restore =>
        _customerState.Restored is { } customers && _terminalState.Restored is { } terminals
            ? (customers.Took + terminals.Took, customers.Bytes + terminals.Bytes, customers.Sequence > 0 || terminals.Sequence > 0)
            : null;

    /// <summary>While the task restores, the share of its two snapshots' records read so far; null otherwise.</summary>
    public double? RestoreShare
    {
        get
        {
            if (_phase != "restoring")
            {
                return null;
            }

            var (read, total) = (0L, 0L);
            foreach (var store in (ReadOnlySpan<KafkaCheckpointStore>)[_customerState, _terminalState])
            {
                var (records, of) = store.Restored is { } done ? (done.Records, done.Records) : store.Restoring ?? default;
                (read, total) = (read + records, total + of);
            }

            return total == 0 ? 0 : (double)read / total;
        }
    }

    /// <summary>Records not yet computed: transactions after the customer task's position, repartition records after the terminal task's.</summary>
    public (long Transactions, long Repartitioned) Lag
    {
        get
        {
            if (_customers is not { } customers || _terminals is not { } terminals)
            {
                return default;
            }

            var transactions = _consumer.GetWatermarkOffsets(new TopicPartition(_topics.Transactions, Index)).High;
            var repartitioned = _consumer.GetWatermarkOffsets(new TopicPartition(_topics.Repartition, Index)).High;
            return (
                transactions == Offset.Unset ? 0 : Math.Max(0, transactions.Value - customers.TransactionInputs[0].Position),
                repartitioned == Offset.Unset ? 0 : Math.Max(0, repartitioned.Value - terminals.Position));
        }
    }

    /// <summary>The terminal task's watermark: every transaction before it has its features written.</summary>
    public long WatermarkMs => _terminals?.WatermarkMs ?? long.MinValue;

    /// <summary>
    /// Restores the task's state and runs it until <paramref name="halt"/>, when it checkpoints where it is (for the next
    /// owner) and returns; <paramref name="abort"/> stops it without a checkpoint (the task was lost to another member).
    /// </summary>
    public async Task RunAsync(CancellationToken halt, CancellationToken abort)
    {
        var start = await Task.Run(RestorePositions, abort);
        if (halt.IsCancellationRequested)
        {
            _phase = "stopped";
            return;
        }

        var broker = new EmbeddedBroker();
        var transactions = broker.CreateTopic(_topics.Transactions, _layout.Tasks);
        var labels = broker.CreateTopic(_topics.Labels, _layout.LabelPartitions);
        var repartitionIn = broker.CreateTopic("repartition-in", _layout.Tasks);
        var repartitionOut = broker.CreateTopic("repartition-out", _layout.Tasks);
        var featured = broker.CreateTopic(_topics.Featured, _layout.Tasks);
        var targets = new Dictionary<string, (Topic Topic, TopicProducer Producer)>(StringComparer.Ordinal)
        {
            [_topics.Transactions] = (transactions, transactions.CreateProducer()),
            [_topics.Labels] = (labels, labels.CreateProducer()),
            [_topics.Repartition] = (repartitionIn, repartitionIn.CreateProducer()),
        };
        foreach (var position in start)
        {
            targets[position.Topic].Topic.Partitions[position.Partition].StartAt(position.Offset);
        }

        var labelInputs = labels.Subscribe(FeatureStage.Group);
        var repartitioned = repartitionOut.CreateProducer();
        _customers = new FeatureStage(
            new FeatureEngine(_layout.Customers.Set, _layout.Limits),
            [transactions.Subscribe(FeatureStage.Group)[Index]],
            [.. _labelPartitions.Select(q => labelInputs[q])],
            repartitioned,
            _options with { CheckpointStore = _customerState })
        {
            Repartition = new RepartitionWriter(repartitioned, Index) { SentBefore = _sent, WatermarkInterval = WatermarkInterval },
            Halt = halt,
            Pending = Pending,
        };
        _terminals = new TerminalTask(
            repartitionIn.Subscribe(Group)[Index], _layout.Tasks, _layout.Customers, _layout.Terminals, _layout.Set, _layout.Limits, featured.CreateProducer())
        {
            Checkpoint = _terminalState,
            CheckpointInterval = _options.CheckpointInterval,
            Halt = halt,
        };

        await SnapshotFreshAsync(start, abort);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(abort);
        var writing = Task.WhenAll(
            _outputs.Repartition.WriteAsync(repartitionOut.Subscribe("kafka-out"), null, failed.Token),
            _outputs.Featured.WriteAsync(featured.Subscribe("kafka-out"), _terminalState.Replays, failed.Token));
        using var stopReading = new CancellationTokenSource();
        var reading = Task.Factory.StartNew(
            () => KafkaCopy.Run(
                _consumer, start.Select(p => new TopicPartitionOffset(p.Topic, p.Partition, p.Offset)), targets, samePartition: true, copied: null, failing: failed.Cancel,
                _transcoder, stopReading.Token, abandon: stopReading.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _phase = "running";
        try
        {
            await Runtime.Pipeline.EmbeddedPipeline.WhenAllOrFirstFailure([RunPart(_customers.RunAsync, failed), RunPart(_terminals.RunAsync, failed)]);
            _phase = "stopped";
        }
        catch
        {
            _phase = "failed";
            throw;
        }
        finally
        {
            await stopReading.CancelAsync();
            await reading;
            repartitionOut.Complete();
            featured.Complete();
            await writing;
        }
    }

    public void Dispose() => _consumer.Dispose();

    /// <summary>Whether the transactions partition ends past <paramref name="position"/>, as the task's consumer last heard (unknown counts as yes).</summary>
    private bool Pending(int partition, long position)
    {
        var end = _consumer.GetWatermarkOffsets(new TopicPartition(_topics.Transactions, partition)).High;
        return end == Offset.Unset || end.Value > position;
    }

    /// <summary>Runs one part; if it fails, the other is aborted too (it would wait for ever for what the failed one sends).</summary>
    private static async Task RunPart(Func<CancellationToken, Task> run, CancellationTokenSource failed)
    {
        try
        {
            await run(failed.Token);
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }

    /// <summary>
    /// A task without a snapshot takes one before it writes anything: where its outputs end then is where what it writes
    /// begins, so that whoever takes it over after a kill, however soon, finds what it wrote (and sends none of it twice).
    /// </summary>
    private async Task SnapshotFreshAsync(List<InputPosition> start, CancellationToken abort)
    {
        if (_customerState.Snapshot is null)
        {
            var inputs = _customers!.TransactionInputs.Concat(_customers.LabelInputs);
            foreach (var input in inputs)
            {
                var partition = input.Subscription.Partition;
                input.Position = start.Single(p => p.Topic == partition.Topic.Name && p.Partition == partition.Index).Offset; // the copies bear the topics' names
            }

            await _customerState.SaveAsync(FeatureCheckpoint.Write(_customers), abort);
        }

        if (_terminalState.Snapshot is null)
        {
            _terminals!.StartAt(start.Single(p => p.Topic == _topics.Repartition).Offset);
            await _terminalState.SaveAsync(_terminals.WriteCheckpoint(), abort);
        }
    }

    /// <summary>Loads both snapshots; returns where to read each input from (the topics' beginnings without a snapshot).</summary>
    private List<InputPosition> RestorePositions()
    {
        _customerState.Load();
        _terminalState.Load();
        var positions = new Dictionary<(string Topic, int Partition), long>();
        foreach (var position in (_customerState.Snapshot?.Positions ?? []).Concat(_terminalState.Snapshot?.Positions ?? []))
        {
            positions[(position.Topic, position.Partition)] = position.Offset;
        }

        if (_customerState.Snapshot is { } snapshot)
        {
            _sent = _scan.SentAfter(_rebalance, Index, snapshot.Positions);
        }

        List<(string Topic, int Partition)> inputs =
        [
            (_topics.Transactions, Index),
            .. _labelPartitions.Select(q => (_topics.Labels, q)),
            (_topics.Repartition, Index),
        ];
        return [.. inputs.Select(input => new InputPosition(input.Topic, input.Partition, positions.TryGetValue(input, out var offset)
            ? offset
            : _consumer.QueryWatermarkOffsets(new TopicPartition(input.Topic, input.Partition), TimeSpan.FromSeconds(30)).Low.Value))];
    }
}

/// <summary>What every task of a feature service shares: the partition counts, the feature set split by entity, and the bounds on state.</summary>
internal sealed record FeatureTaskLayout(int Tasks, int LabelPartitions, FeatureSet Set, FeaturePart Customers, FeaturePart Terminals, FeatureStateLimits Limits)
{
    public static FeatureTaskLayout Of(FeatureSet set, int tasks, int labelPartitions, FeatureStateLimits limits)
    {
        var parts = FeaturePart.Split(set);
        return new FeatureTaskLayout(
            tasks,
            labelPartitions,
            set,
            parts.FirstOrDefault(p => p.Entity != FeatureEntity.Terminal) ?? new FeaturePart(FeatureEntity.Customer, new FeatureSet(set.Name, []), []),
            parts.FirstOrDefault(p => p.Entity == FeatureEntity.Terminal) ?? new FeaturePart(FeatureEntity.Terminal, new FeatureSet(set.Name, []), []),
            limits with { MaxEntities = Math.Max(10, limits.MaxEntities / tasks) });
    }
}
