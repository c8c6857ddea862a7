using Vigil.Features;

namespace Vigil.Runtime.Features;

/// <summary>How the feature stage orders its inputs, and where it keeps checkpoints.</summary>
public sealed record FeatureStageOptions
{
    /// <summary>
    /// The most an input is waited for when its records come out of order: a transaction up to this much older than the
    /// newest of its input is computed in its place once its input has shown such disorder; inputs in order wait for none.
    /// </summary>
    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Wall time after which an input that came out of order and has since come in order is waited for no more.</summary>
    public TimeSpan DisorderMemory { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// An input that delivers nothing for this long (wall time) stops holding the watermark back; <see cref="Timeout.InfiniteTimeSpan"/>
    /// waits for every input however long it is silent (exact order whatever the machine's hiccups, for inputs that all carry data).
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bounds on the feature state: entities kept, and transactions per entity.</summary>
    public FeatureStateLimits Limits { get; init; } = FeatureStateLimits.Default;

    /// <summary>Transactions held per input, waiting for the watermark, before the stage stops reading that input.</summary>
    public int MaxBufferedPerInput { get; init; } = 200_000;

    /// <summary>Join each transaction with its record on the identities topic (an interval join by transaction id).</summary>
    public bool JoinIdentities { get; init; }

    /// <summary>
    /// Whether the embedded pipeline splits feature state over one task per partition (the default); with a checkpoint
    /// or a join, or when off, one stage computes every transaction's features.
    /// </summary>
    public bool Partitioned { get; init; } = true;

    /// <summary>How far apart in event time a transaction and its identity may be and still join.</summary>
    public TimeSpan JoinWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>File the stage's state is checkpointed to and restored from; null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Where the stage's state is checkpointed to and restored from, when not a file (a Kafka topic); wins over <see cref="CheckpointPath"/>.</summary>
    public ICheckpointStore? CheckpointStore { get; init; }

    /// <summary>The store in use: <see cref="CheckpointStore"/>, else a file at <see cref="CheckpointPath"/>, else none.</summary>
    public ICheckpointStore? Checkpoint => CheckpointStore ?? (CheckpointPath is { } path ? new FileCheckpointStore(path) : null);

    /// <summary>Wall time between checkpoints (one is always written when the stage ends).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);
}
