using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Vigil.Features;
using Vigil.Kafka.Bridge;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.State;
using Vigil.Runtime.Features;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using TopicPartition = Confluent.Kafka.TopicPartition;

namespace Vigil.Kafka.Features;

/// <summary>
/// The feature service as one member of a consumer group (<c>vigil features --kafka --group</c>): the group's members
/// share the tasks, one per partition of the transactions topic (<see cref="FeatureTask"/>), and a task moves with its
/// state when members come and go.
/// </summary>
/// <remarks>
/// <para>Kafka's group protocol assigns the tasks: the member subscribes to the transactions topic with the
/// cooperative-sticky assignor, so a rebalance moves only the tasks that must move, and it pauses every partition it is
/// given: the group says which tasks it owns, the tasks read their inputs themselves from the offsets their snapshots
/// hold. A task handed over (revoked) stops where it is and snapshots before the member rejoins, so its next owner goes
/// on from exactly there; a member that dies is noticed after the session timeout (<see cref="SessionTimeout"/>), and
/// its tasks' next owner restores their last periodic snapshots and computes again what came after them (marked, never
/// counted twice).</para>
/// <para>No offsets are committed to the group: a task's positions are in its snapshots, with its state.</para>
/// </remarks>
public sealed class KafkaFeatureGroup
{
    /// <summary>
    /// The most a task is waited for to snapshot when handed over (a rebalance, a stop); past it, it is aborted without
    /// one (an unreachable cluster), and its next owner goes on from its previous snapshot, computing again what followed.
    /// </summary>
    public static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a member that died (kill -9, a lost machine) keeps its tasks: the least brokers allow by default
    /// (group.min.session.timeout.ms), shorter than the detectors' 10 s because a task restores from its snapshot in a
    /// moment. Members' own settings (--kafka-config session.timeout.ms=…) win.
    /// </summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(6);

    private readonly KafkaClients _clients;
    private readonly TopicOptions _topics;
    private readonly FeatureStageOptions _options;
    private readonly TaskSnapshots _snapshots;
    private readonly string _groupId;
    private readonly ILogger _log;
    private readonly FeatureTaskLayout _layout;
    private readonly Dictionary<int, Running> _running = [];
    private readonly Lock _lock = new();
    private readonly HashSet<TopicPartition> _paused = [];
    private readonly RepartitionScan _scan;
    private MemberOutputs? _outputs;
    private long _releasedBefore;
    private long _lateBefore;
    private long _replayedBefore;
    private long _skippedBefore;
    private long _refusedBefore;
    private int _handedOver;
    private int _rebalances;

    public KafkaFeatureGroup(KafkaClients clients, TopicOptions topics, FeatureSet features, FeatureStageOptions options, TaskSnapshots snapshots, string groupId, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(snapshots);
        if (options.JoinIdentities)
        {
            throw new KafkaSetupException("the identities join runs in the single feature service only, not yet in a group: drop --group or --join-identities");
        }

        (_clients, _topics, _options, _snapshots, _groupId, _log) = (clients, topics, options, snapshots, groupId, log);
        using var consumer = clients.Consumer("features-metadata", groupId + "-metadata");
        var tasks = KafkaCopy.Partitions(consumer, topics.Transactions).Count;
        foreach (var (topic, role) in new[] { (topics.Repartition, "the repartition topic"), (topics.Featured, "the featured topic") })
        {
            var partitions = KafkaCopy.Partitions(consumer, topic).Count;
            if (partitions != tasks)
            {
                throw new KafkaSetupException(
                    $"{role} {topic} has {partitions} partitions and {topics.Transactions} has {tasks}: they must be equal (one task per partition); create it with {tasks}");
            }
        }

        _layout = FeatureTaskLayout.Of(features, tasks, KafkaCopy.Partitions(consumer, topics.Labels).Count, options.Limits);
        _scan = new RepartitionScan(clients, topics.Repartition, tasks, log);
    }

    /// <summary>The tasks there are: one per partition of the transactions topic.</summary>
    public int TaskCount => _layout.Tasks;

    public string GroupId => _groupId;

    /// <summary>Transactions whose features this member wrote, in every task it ran.</summary>
    public long Released => Sum(t => t.Released) + Interlocked.Read(ref _releasedBefore);

    /// <summary>Records computed late (past the allowed lateness or the idle timeout), by this member's tasks, past and present.</summary>
    public long Late => Sum(t => t.Late) + Interlocked.Read(ref _lateBefore);

    /// <summary>Featured records written again after a takeover, marked.</summary>
    public long Replayed => Sum(t => t.Replayed) + Interlocked.Read(ref _replayedBefore);

    /// <summary>Repartition records a dead predecessor had written after its snapshot, found and not sent again.</summary>
    public long Skipped => Sum(t => t.Skipped) + Interlocked.Read(ref _skippedBefore);

    /// <summary>Repartition records no customer task could have written (damaged, or written by another program), passed over.</summary>
    public long Refused => Sum(t => t.Refused) + Interlocked.Read(ref _refusedBefore);

    /// <summary>Tasks handed over to other members so far.</summary>
    public int HandedOver => Volatile.Read(ref _handedOver);

    /// <summary>The tasks this member owns now, by number.</summary>
    public IReadOnlyList<FeatureTaskStatus> Tasks
    {
        get
        {
            lock (_lock)
            {
                return [.. _running.Values.OrderBy(r => r.Task.Index).Select(r => new FeatureTaskStatus(r.Task.Index, r.Task.Phase, r.Task.Lag, r.Task.Restore, r.Task.WatermarkMs, r.Task.RestoreShare))];
            }
        }
    }

    /// <summary>This member's report for the status topic: its tasks, each one's lag (both parts together) and restore.</summary>
    /// <param name="instance">The member's name in the group.</param>
    public InstanceStatus Report(string instance) => new(
        "features",
        _groupId,
        instance,
        DateTimeOffset.UtcNow,
        Released,
        [.. Tasks.Select(t => new TaskState(t.Index.ToString(CultureInfo.InvariantCulture), t.Phase, t.Lag.Transactions + t.Lag.Repartitioned, t.RestoreShare, t.Restore?.Took.TotalSeconds))]);

    /// <summary>Takes part in the group until <paramref name="stop"/>; then stops every task it owns where it is, with a snapshot, and leaves.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.Factory.StartNew(() => Run(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stop)
    {
        _outputs = MemberOutputs.Open(_clients, _topics);
        try
        {
            Member(stop);
        }
        finally
        {
            _outputs.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private void Member(CancellationToken stop)
    {
        using var consumer = _clients.Consumer(
            "features-group",
            _groupId,
            builder => builder
                .SetPartitionsAssignedHandler((_, partitions) => Start(partitions))
                .SetPartitionsRevokedHandler((_, partitions) => Stop(partitions.Select(p => p.TopicPartition), handOver: true))
                .SetPartitionsLostHandler((_, partitions) => Stop(partitions.Select(p => p.TopicPartition), handOver: false)),
            settings: config =>
            {
                config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
                config.SessionTimeoutMs = (int)SessionTimeout.TotalMilliseconds;
            });
        consumer.Subscribe(_topics.Transactions);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                consumer.Consume(TimeSpan.FromMilliseconds(100)); // the tasks read the records; the member only keeps its place
                PauseNew(consumer);
                ThrowIfFailed();
            }
        }
        finally
        {
            Stop([.. _paused], handOver: true);
            consumer.Close();
        }
    }

    /// <summary>Pauses what the group just assigned: the member fetches nothing itself.</summary>
    private void PauseNew(IConsumer<byte[], byte[]> consumer)
    {
        var fresh = consumer.Assignment.Where(p => !_paused.Contains(p)).ToList();
        if (fresh.Count > 0)
        {
            consumer.Pause(fresh);
            _paused.UnionWith(fresh);
        }
    }

    private void Start(List<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        var rebalance = ++_rebalances;
        lock (_lock)
        {
            foreach (var partition in partitions)
            {
                var index = partition.Partition.Value;
                if (_running.ContainsKey(index))
                {
                    continue;
                }

                var task = new FeatureTask(_clients, _outputs!, _topics, _layout, _options, _snapshots, _groupId, index, _scan, rebalance, _log);
                var halt = new CancellationTokenSource();
                var abort = new CancellationTokenSource();
                _running[index] = new Running(task, halt, abort, Task.Run(() => task.RunAsync(halt.Token, abort.Token)));
            }
        }

        if (_log.IsEnabled(LogLevel.Information))
        {
            _log.TasksAssigned(Describe(partitions));
        }
    }

    /// <summary>
    /// Stops tasks: handed over, each snapshots where it is before this returns (the group waits for it); lost (another
    /// member may own them already), each is aborted without a snapshot.
    /// </summary>
    private void Stop(IEnumerable<TopicPartition> partitions, bool handOver)
    {
        var stopping = new List<Running>();
        lock (_lock)
        {
            foreach (var partition in partitions)
            {
                _paused.Remove(partition);
                if (_running.Remove(partition.Partition.Value, out var running))
                {
                    stopping.Add(running);
                }
            }
        }

        if (stopping.Count == 0)
        {
            return;
        }

        foreach (var running in stopping)
        {
            (handOver ? running.Halt : running.Abort).Cancel();
        }

        var snapshotted = 0;
        foreach (var running in stopping)
        {
            try
            {
                if (!running.Run.Wait(HandOverTimeout))
                {
                    _log.HandOverTimedOut(running.Task.Index, HandOverTimeout.TotalSeconds);
                    running.Abort.Cancel();
                    running.Run.Wait(HandOverTimeout);
                }
                else
                {
                    snapshotted += handOver ? 1 : 0;
                }
            }
            catch (AggregateException e) when (e.InnerException is OperationCanceledException && running.Abort.IsCancellationRequested)
            {
                // aborted, as asked
            }
            catch (AggregateException e) when (e.InnerException is KafkaException or KafkaDeliveryException or InvalidDataException or OperationCanceledException)
            {
                _log.TaskFailed(running.Task.Index, e.InnerException.Message);
            }
            finally
            {
                Interlocked.Add(ref _releasedBefore, running.Task.Released);
                Interlocked.Add(ref _lateBefore, running.Task.Late);
                Interlocked.Add(ref _replayedBefore, running.Task.Replayed);
                Interlocked.Add(ref _skippedBefore, running.Task.Skipped);
                Interlocked.Add(ref _refusedBefore, running.Task.Refused);
                running.Dispose();
            }
        }

        Interlocked.Add(ref _handedOver, snapshotted);
        var names = Describe(stopping.Select(r => r.Task.Index));
        if (handOver)
        {
            _log.TasksRevoked(names);
        }
        else
        {
            _log.TasksLost(names);
        }
    }

    /// <summary>A task that failed stops the member: running without it would hold every terminal task back.</summary>
    private void ThrowIfFailed()
    {
        Running? failed;
        lock (_lock)
        {
            failed = _running.Values.FirstOrDefault(r => r.Run.IsFaulted);
        }

        if (failed is not null)
        {
            failed.Run.GetAwaiter().GetResult();
        }
    }

    private long Sum(Func<FeatureTask, long> value)
    {
        lock (_lock)
        {
            return _running.Values.Sum(r => value(r.Task));
        }
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) => Describe(partitions.Select(p => p.Partition.Value));

    private static string Describe(IEnumerable<int> tasks) => string.Join(", ", tasks.Order());

    private sealed record Running(FeatureTask Task, CancellationTokenSource Halt, CancellationTokenSource Abort, Task Run) : IDisposable
    {
        public void Dispose()
        {
            Task.Dispose();
            Halt.Dispose();
            Abort.Dispose();
        }
    }
}

/// <summary>Where one task of a feature service stands.</summary>
/// <param name="Lag">Transactions not yet computed by its customer task, and repartition records not yet by its terminal task.</param>
/// <param name="Restore">How its restore went, once done.</param>
/// <param name="WatermarkMs">Every transaction before it has its features written.</param>
/// <param name="RestoreShare">While it restores, the share of its snapshots read so far.</param>
public readonly record struct FeatureTaskStatus(
    int Index, string Phase, (long Transactions, long Repartitioned) Lag, (TimeSpan Took, long Bytes, bool Restored)? Restore, long WatermarkMs, double? RestoreShare);
