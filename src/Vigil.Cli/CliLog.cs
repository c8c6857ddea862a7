using Microsoft.Extensions.Logging;

namespace Vigil.Cli;

/// <summary>What the commands log, each entry declared once (compiled by the logging source generator).</summary>
internal static partial class CliLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "model update rejected: {Reason}; still deciding with {Version}")]
    public static partial void ModelRejected(this ILogger logger, string reason, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "model swapped: {Before} → {After}{Shadow}")]
    public static partial void ModelSwapped(this ILogger logger, string before, string after, string shadow);
}
