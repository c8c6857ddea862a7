using Microsoft.Extensions.Logging;

namespace Vigil.Learning.Retraining;

/// <summary>What the retraining loop logs, each entry declared once (compiled by the logging source generator).</summary>
internal static partial class RetrainingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "model {Version} trained on {Rows} transactions ({Frauds} frauds) in {Seconds:F1} s, threshold {Threshold:G4}; in shadow until judged")]
    public static partial void ModelTrained(this ILogger logger, string version, int rows, int frauds, double seconds, double threshold);

    [LoggerMessage(Level = LogLevel.Information, Message = "model {Version} promoted over {Champion}: {Reason}")]
    public static partial void ModelPromoted(this ILogger logger, string version, string champion, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "model {Version} promoted over {Champion} by hand, by {Actor}")]
    public static partial void ModelPromotedByHand(this ILogger logger, string version, string champion, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "model {Version} not promoted over {Champion}: {Reason}")]
    public static partial void ModelRejected(this ILogger logger, string version, string champion, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the retraining loop read {Read} of the {Released} labels released after waiting {Seconds} s; it goes on without the others")]
    public static partial void LabelsLate(this ILogger logger, long read, long released, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "detection had not decided everything published after {Seconds} s at the retraining loop's stop; a model may take over amid a day's decisions")]
    public static partial void DetectionLate(this ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "training model {Number} failed: {Reason}; the deciding model stays, and the loop tries again the next day")]
    public static partial void TrainingFailed(this ILogger logger, int number, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} could not be written: {Reason}; the loop goes on with it in memory")]
    public static partial void NotKept(this ILogger logger, string what, string reason);
}
