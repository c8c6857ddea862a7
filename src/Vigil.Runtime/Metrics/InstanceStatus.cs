namespace Vigil.Runtime.Metrics;

/// <summary>
/// One running instance of a Kafka service as it reports itself on the status topic, for the dashboard and operators:
/// the tasks it owns now, each one's phase, lag and restore.
/// </summary>
/// <param name="Service">What it runs: <c>features</c> or <c>detect</c>.</param>
/// <param name="Instance">Its name in its group: the <c>--instance-id</c>, or the host and process id.</param>
/// <param name="At">When it reported, by its own clock.</param>
/// <param name="Processed">Records it has processed since it started.</param>
public sealed record InstanceStatus(string Service, string Group, string Instance, DateTimeOffset At, long Processed, IReadOnlyList<TaskState> Tasks)
{
    /// <summary>It stopped (this is its last report): its tasks have moved to other instances.</summary>
    public bool Stopped { get; init; }

    /// <summary>The key it reports under: one per instance of a service in a group, so a compacted topic keeps the latest.</summary>
    public string Key => $"{Service}/{Group}/{Instance}";

    /// <summary>The name an instance goes by when it was given none: the host and the process.</summary>
    public static string DefaultName => $"{Environment.MachineName}-{Environment.ProcessId}";
}

/// <summary>One task an instance owns (a partition of its input), and where it stands.</summary>
/// <param name="Name">The task's name: its partition number.</param>
/// <param name="Phase">restoring, running, stopped or failed.</param>
/// <param name="Lag">Records waiting for it: written to its inputs and not yet processed.</param>
/// <param name="RestoreShare">While it restores, the share of its state read so far, in [0, 1].</param>
/// <param name="RestoreSeconds">Once restored, how long the restore took.</param>
public readonly record struct TaskState(string Name, string Phase, long Lag, double? RestoreShare = null, double? RestoreSeconds = null);

/// <summary>An instance as last heard from: its report and how long it has been silent since.</summary>
public sealed record InstanceSighting(InstanceStatus Status, TimeSpan Silence);
