using Microsoft.Extensions.Logging;

namespace Vigil.Runtime;

/// <summary>What the runtime logs, each entry declared once (compiled by the logging source generator).</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "rules update from {Origin} rejected: {Reason}; still deciding with {Version}")]
    public static partial void RulesRejected(this ILogger logger, string origin, string reason, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "rules swapped from {Origin}: {Before} → {After} ({Count} rules)")]
    public static partial void RulesSwapped(this ILogger logger, string origin, string before, string after, int count);
}
