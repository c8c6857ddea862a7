using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Vigil.Runtime.Features;
using Vigil.Runtime.Pipeline;

namespace Vigil.Kafka.State;

/// <summary>
/// A feature stage's checkpoint kept as one task's snapshots in a Kafka topic (<see cref="TaskSnapshots"/>): when the
/// machine running the stage dies, the stage started on another one restores the state and the input offsets from Kafka
/// and computes exactly what an uninterrupted run would have.
/// </summary>
/// <remarks>
/// The first <see cref="Load"/> reads the topic and remembers what it found: the stage and its input positions ask for it
/// in turn. Each snapshot also records where the output topics ended, so that a restore finds what the dead instance wrote
/// after it (<see cref="Replays"/>, <see cref="Snapshot"/>).
/// </remarks>
/// <param name="positionsOf">The input positions a checkpoint of this task holds.</param>
/// <param name="outputs">The topics the task writes to, whose ends each snapshot records.</param>
/// <param name="replaysOf">The output whose records written after the restored snapshot are marked when written again; none when null.</param>
public sealed class KafkaCheckpointStore(
    TaskSnapshots snapshots, string task, Func<byte[], IEnumerable<InputPosition>> positionsOf, IReadOnlyList<string> outputs, string? replaysOf, ILogger log)
    : ICheckpointStore
{
    /// <summary>Progress lines while restoring, at most one per this many records read.</summary>
    private const long ProgressEvery = 10_000;

    private bool _loaded;
    private byte[]? _latest;
    private long _sequence;

    public string Description => $"task {task} in topic {snapshots.Topic}";

    public string Task => task;

    /// <summary>The snapshot restored; null before <see cref="Load"/>, or when there was none.</summary>
    public TaskSnapshot? Snapshot { get; private set; }

    /// <summary>The whole feature stage's store (<c>vigil features --kafka --state-topic</c>): transactions, labels and identities in, the featured topic out.</summary>
    public static KafkaCheckpointStore ForStage(TaskSnapshots snapshots, string task, TopicOptions topics, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(topics);
        return new KafkaCheckpointStore(snapshots, task, checkpoint =>
        {
            var (transactions, labels, identities) = FeatureCheckpoint.ReadPositions(checkpoint, $"task {task}");
            return
            [
                .. transactions.Select((offset, partition) => new InputPosition(topics.Transactions, partition, offset)),
                .. labels.Select((offset, partition) => new InputPosition(topics.Labels, partition, offset)),
                .. identities.Select((offset, partition) => new InputPosition(topics.Identities, partition, offset)),
            ];
        }, [topics.Featured], topics.Featured, log);
    }

    /// <summary>What the instance before wrote after the restored snapshot, to be marked when written again.</summary>
    public ReplayedOutputs Replays { get; private set; } = ReplayedOutputs.None;

    /// <summary>The latest snapshot, restored or written, and when it was written; null while there is none.</summary>
    public (long Sequence, DateTimeOffset WrittenAt)? Latest { get; private set; }

    /// <summary>Records of the task's partition read so far, of those there are, while a restore runs; null otherwise.</summary>
    public (long Records, long Total)? Restoring => _restoring is { Value: var progress } ? (progress.Records, progress.Total) : null;

    /// <summary>Swapped whole, so that a reader on another thread never sees half of an update.</summary>
    private volatile StrongBox<RestoreProgress>? _restoring;

    /// <summary>How the last restore went; null before one.</summary>
    public (long Sequence, long Bytes, long Records, TimeSpan Took)? Restored { get; private set; }

    public byte[]? Load()
    {
        if (_loaded)
        {
            return _latest;
        }

        var clock = Stopwatch.StartNew();
        long records = 0;
        var snapshot = snapshots.ReadLatest(task, new Inline(p =>
        {
            if (p.Records / ProgressEvery != records / ProgressEvery)
            {
                log.StateRestoring(task, p.Records, p.Total);
            }

            records = p.Records;
            _restoring = new StrongBox<RestoreProgress>(p);
        }), CancellationToken.None);
        (_latest, _sequence, _loaded, Snapshot) = (snapshot?.State, snapshot?.Sequence ?? 0, true, snapshot);
        if (snapshot is not null)
        {
            Latest = (snapshot.Sequence, snapshot.WrittenAt);
            if (replaysOf is not null)
            {
                Replays = ReplayedOutputs.Read(snapshots.Clients, snapshot.Positions.Where(p => p.Topic == replaysOf), CancellationToken.None);
            }
        }

        Restored = (_sequence, _latest?.LongLength ?? 0, records, clock.Elapsed);
        _restoring = null;
        if (snapshot is null)
        {
            log.StateFresh(task, snapshots.Topic, records, clock.Elapsed.TotalSeconds);
        }
        else
        {
            log.StateRestored(task, snapshots.Topic, snapshot.Sequence, snapshot.WrittenAt, snapshot.State.LongLength, records, clock.Elapsed.TotalSeconds);
        }

        return _latest;
    }

    public async Task SaveAsync(byte[] checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        Load(); // numbering goes on from what the topic holds
        InputPosition[] positions =
        [
            .. positionsOf(checkpoint),

            // The checkpoint waited until every output before it was acknowledged, and the task writes none while this
            // runs: past these ends, the task wrote nothing the checkpoint covers.
            .. outputs.SelectMany(snapshots.EndOffsets),
        ];
        var written = DateTimeOffset.UtcNow;
        await snapshots.WriteAsync(new TaskSnapshot(task, _sequence + 1, positions, checkpoint, written), cancellationToken);
        _sequence++;
        _latest = checkpoint;
        Latest = (_sequence, written);
    }

    /// <summary>Reports on the reporting thread, at once.</summary>
    private sealed class Inline(Action<RestoreProgress> report) : IProgress<RestoreProgress>
    {
        public void Report(RestoreProgress value) => report(value);
    }
}
