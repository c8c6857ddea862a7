using Confluent.Kafka;
using Vigil.Kafka.State;

namespace Vigil.Kafka.Tests;

/// <summary>Task state in Kafka, written and restored through the real client over TCP on a 3-broker mock cluster.</summary>
public sealed class TaskSnapshotsTests : IDisposable
{
    private const string StateTopic = "vigil.features.state";
    private readonly MockKafka _kafka = new(brokers: 3, partitions: 4); // Vigil's topics, the state topic among them

    [Fact]
    public async Task A_snapshot_larger_than_a_record_comes_back_whole_with_its_positions()
    {
        using var snapshots = new TaskSnapshots(_kafka.Clients(), StateTopic, 4, chunkBytes: 64 * 1024);
        var state = new byte[200_000];
        new Random(3).NextBytes(state);
        InputPosition[] positions = [new("queueing.transactions", 3, 1_234), new("queueing.labels", 3, 77)];
        var written = new TaskSnapshot("features-3", 1, positions, state, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

        await snapshots.WriteAsync(written, CancellationToken.None);
        var progress = new List<RestoreProgress>();
        var restored = snapshots.ReadLatest("features-3", new Collect<RestoreProgress>(progress), CancellationToken.None);

        Assert.NotNull(restored);
        Assert.Equal(state, restored.State);
        Assert.Equal(positions, restored.Positions);
        Assert.Equal((1L, written.WrittenAt), (restored.Sequence, restored.WrittenAt));
        Assert.Equal(5, progress[^1].Total); // four chunks of 64 KiB and the manifest
        Assert.Equal(progress[^1].Total, progress[^1].Records);
    }

    [Fact]
    public async Task The_latest_snapshot_of_each_task_wins_and_a_task_without_one_restores_nothing()
    {
        using var snapshots = new TaskSnapshots(_kafka.Clients(), StateTopic, 4);
        await snapshots.WriteAsync(Snapshot("features-0", 1, "first"), CancellationToken.None);
        await snapshots.WriteAsync(Snapshot("features-1", 1, "other task"), CancellationToken.None);
        await snapshots.WriteAsync(Snapshot("features-0", 2, "second"), CancellationToken.None);

        Assert.Equal("second", Text(snapshots.ReadLatest("features-0", null, CancellationToken.None)));
        Assert.Equal("other task", Text(snapshots.ReadLatest("features-1", null, CancellationToken.None)));
        Assert.Null(snapshots.ReadLatest("features-7", null, CancellationToken.None));
    }

    [Fact]
    public async Task A_snapshot_whose_writer_died_before_its_manifest_is_ignored_for_the_one_before()
    {
        using var snapshots = new TaskSnapshots(_kafka.Clients(), StateTopic, 4, chunkBytes: 1024);
        await snapshots.WriteAsync(Snapshot("features-2", 1, new string('a', 3000)), CancellationToken.None);
        await snapshots.WriteAsync(Snapshot("features-2", 2, new string('b', 3000)), CancellationToken.None);

        // Killed after writing the chunks of snapshot 3 (into the slot of snapshot 1) and before its manifest.
        await snapshots.WriteChunksAsync(Snapshot("features-2", 3, new string('c', 3000)), CancellationToken.None);

        var restored = snapshots.ReadLatest("features-2", null, CancellationToken.None);
        Assert.Equal((2L, new string('b', 3000)), (restored!.Sequence, Text(restored)));
    }

    [Fact]
    public async Task A_damaged_latest_snapshot_falls_back_on_the_one_before_and_two_damaged_ones_refuse_to_restore()
    {
        using var snapshots = new TaskSnapshots(_kafka.Clients(), StateTopic, 4);
        await snapshots.WriteAsync(Snapshot("features-5", 1, "one"), CancellationToken.None);
        await snapshots.WriteAsync(Snapshot("features-5", 2, "two"), CancellationToken.None);

        // A stray record over the only chunk of snapshot 2 (slot 0).
        await snapshots.ProduceAsync("features-5/0/0", MockKafka.Utf8("not a chunk"), "features-5", CancellationToken.None);
        Assert.Equal("one", Text(snapshots.ReadLatest("features-5", null, CancellationToken.None)));

        await snapshots.ProduceAsync("features-5/1/0", MockKafka.Utf8("not a chunk either"), "features-5", CancellationToken.None);
        var refused = Assert.Throws<InvalidDataException>(() => snapshots.ReadLatest("features-5", null, CancellationToken.None));
        Assert.Contains("the snapshots of features-5 in vigil.features.state", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hostile_records_in_the_state_topic_are_passed_over_and_a_forged_manifest_allocates_nothing()
    {
        using var snapshots = new TaskSnapshots(_kafka.Clients(), StateTopic, 4);
        await snapshots.WriteAsync(Snapshot("features-8", 1, "whole"), CancellationToken.None);

        // A manifest that claims 2 GB in one chunk, garbage and an empty value under the task's key, a stray chunk key.
        var forged = new TaskSnapshots.Manifest(2, 1, 2_000_000_000, new byte[32], DateTimeOffset.UnixEpoch, []);
        await snapshots.ProduceAsync("features-8", forged.Encode(), "features-8", CancellationToken.None);
        await snapshots.ProduceAsync("features-8", MockKafka.Utf8("vigil-task-snapshot-1 but not really"), "features-8", CancellationToken.None);
        await snapshots.ProduceAsync("features-8", [], "features-8", CancellationToken.None);
        await snapshots.ProduceAsync("features-8/0/999999", MockKafka.Utf8("VSC1"), "features-8", CancellationToken.None);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var restored = snapshots.ReadLatest("features-8", null, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((1L, "whole"), (restored!.Sequence, Text(restored)));
        Assert.InRange(allocated, 0, 50_000_000); // not the 2 GB the forged manifest asks for
    }

    [Fact]
    public async Task Every_record_of_a_task_lands_on_the_partition_its_name_picks()
    {
        using var snapshots = new TaskSnapshots(_kafka.Clients(), StateTopic, 4, chunkBytes: 1024);
        await snapshots.WriteAsync(Snapshot("terminals-6", 1, new string('x', 5000)), CancellationToken.None);

        var records = _kafka.ReadTopic(StateTopic, 4, count: 6);
        Assert.Equal(6, records.Count); // five chunks and the manifest
        Assert.All(records, r => Assert.Equal(snapshots.PartitionOf("terminals-6"), r.Partition.Value));
    }

    public void Dispose() => _kafka.Dispose();

    private static TaskSnapshot Snapshot(string task, long sequence, string state) =>
        new(task, sequence, [new InputPosition("queueing.transactions", 0, sequence * 100)], MockKafka.Utf8(state), DateTimeOffset.UnixEpoch);

    private static string? Text(TaskSnapshot? snapshot) => snapshot is null ? null : System.Text.Encoding.UTF8.GetString(snapshot.State);

    /// <summary>Reports straight into a list, on the reporting thread (Progress would post them later).</summary>
    private sealed class Collect<T>(List<T> into) : IProgress<T>
    {
        public void Report(T value) => into.Add(value);
    }
}
