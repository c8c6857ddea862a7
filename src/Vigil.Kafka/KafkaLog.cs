using Microsoft.Extensions.Logging;

namespace Vigil.Kafka;

/// <summary>What Vigil's Kafka clients log, each entry declared once (compiled by the logging source generator).</summary>
internal static partial class KafkaLog
{
    /// <summary>librdkafka's own warnings and errors; its chatter below warnings is not logged.</summary>
    [LoggerMessage(Message = "kafka {Severity}: {Text}")]
    public static partial void Client(this ILogger logger, LogLevel level, string severity, string? text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: a client's threads did not end within {Seconds} s of closing it; left to end with the process")]
    public static partial void DestroyTimedOut(this ILogger logger, double seconds);

    /// <summary>An error the consumer reported in place of a record (a broker hiccup); librdkafka recovers on its own.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: {Text}")]
    public static partial void ConsumerEvent(this ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "kafka: {Pending} windows of outputs were not acknowledged in time; their inputs stay uncommitted and will be read again")]
    public static partial void Unacknowledged(this ILogger logger, long pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: commit failed ({Error}); uncommitted records may be decided twice")]
    public static partial void CommitFailed(this ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "kafka: assigned {Partitions}")]
    public static partial void Assigned(this ILogger logger, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "kafka: revoked {Partitions} after committing what was done")]
    public static partial void Revoked(this ILogger logger, string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: lost {Partitions}; their uncommitted records will be read again by their new owner")]
    public static partial void Lost(this ILogger logger, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "state: no snapshot of {Task} in {Topic} ({Records} records read in {Seconds:0.0} s): starting afresh")]
    public static partial void StateFresh(this ILogger logger, string task, string topic, long records, double seconds);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "state: restored {Task} from {Topic}: snapshot {Sequence} written {WrittenAt:u}, {Bytes} bytes, {Records} records read in {Seconds:0.0} s")]
    public static partial void StateRestored(this ILogger logger, string task, string topic, long sequence, DateTimeOffset writtenAt, long bytes, long records, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "state: restoring {Task}: {Records} of {Total} records read")]
    public static partial void StateRestoring(this ILogger logger, string task, long records, long total);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "state: task {Task} had sent {Records} records to the repartition topic after its snapshot: they are computed again and not sent twice ({Read} records read in {Seconds:0.0} s)")]
    public static partial void SentBeforeFound(this ILogger logger, int task, int records, long read, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "group: took tasks {Tasks}")]
    public static partial void TasksAssigned(this ILogger logger, string tasks);

    [LoggerMessage(Level = LogLevel.Information, Message = "group: handed tasks {Tasks} over, their state snapshotted for the next owner")]
    public static partial void TasksRevoked(this ILogger logger, string tasks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "group: lost tasks {Tasks}; their next owner restores them from their last snapshots")]
    public static partial void TasksLost(this ILogger logger, string tasks);

    [LoggerMessage(Level = LogLevel.Error, Message = "group: task {Task} failed: {Reason}")]
    public static partial void TaskFailed(this ILogger logger, int task, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "group: task {Task} did not snapshot within {Seconds} s of being handed over (is the cluster reachable?): stopped without; its next owner computes again what followed its previous snapshot")]
    public static partial void HandOverTimedOut(this ILogger logger, int task, double seconds);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "status: cannot report to {Topic} ({Reason}); the service goes on, unseen by the dashboard (create the topic: vigil kafka mock makes it)")]
    public static partial void StatusRefused(this ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "status: {Origin} is not an instance's report ({Reason}); passed over")]
    public static partial void StatusUnreadable(this ILogger logger, string origin, string reason);
}
