using Microsoft.Extensions.Logging;

namespace Vigil.Hosting;

/// <summary>What the hosting layer logs, each entry declared once (compiled by the logging source generator).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "kafka: waiting for the consumer group to assign partitions to the detector")]
    public static partial void WaitingForAssignment(this ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "kafka: gave up waiting after {Seconds} s; what was not decided stays in the transactions topic for the next detector")]
    public static partial void GaveUpWaiting(this ILogger logger, double seconds);
}
