namespace Vigil.Kafka.State;

/// <summary>A task's state as it stood after the input positions it covers: restoring it and reading on from them continues exactly.</summary>
/// <param name="Task">The task's name, for example <c>features-3</c>.</param>
/// <param name="Sequence">Counts the task's snapshots: the latest wins.</param>
/// <param name="Positions">For each input partition, the offset of the next record the state has not seen.</param>
/// <param name="State">The state's bytes, whole (checked against the SHA-256 written with them).</param>
/// <param name="WrittenAt">When the snapshot was written.</param>
public sealed record TaskSnapshot(string Task, long Sequence, IReadOnlyList<InputPosition> Positions, byte[] State, DateTimeOffset WrittenAt);

/// <summary>An input partition and the offset of the next record to read from it.</summary>
public readonly record struct InputPosition(string Topic, int Partition, long Offset);

/// <summary>How far a restore has read the snapshot topic's partition.</summary>
/// <param name="Records">Records read so far.</param>
/// <param name="Total">Records in the partition when the restore began.</param>
public readonly record struct RestoreProgress(string Task, long Records, long Total);
