using Vigil.Streams;
using System.Globalization;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Runtime.Pipeline;

/// <summary>The headers a dead letter carries beside the original bytes: why it failed and where it came from.</summary>
public static class DeadLetterHeaders
{
    public const string ErrorCode = "vigil.error.code";
    public const string ErrorReason = "vigil.error.reason";
    public const string SourceTopic = "vigil.source.topic";
    public const string SourcePartition = "vigil.source.partition";
    public const string SourceOffset = "vigil.source.offset";
    public const string SourceFile = "vigil.source.file";
    public const string SourceLine = "vigil.source.line";

    /// <summary>On a dead letter that holds only the start of the original bytes: how long they were.</summary>
    public const string OriginalLength = "vigil.original.length";

    public static IReadOnlyList<RecordHeader> For(string code, string reason, string topic, int partition, long offset) =>
    [
        new(ErrorCode, code),
        new(ErrorReason, reason),
        new(SourceTopic, topic),
        new(SourcePartition, partition.ToString(CultureInfo.InvariantCulture)),
        new(SourceOffset, offset.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>For a dataset row that could not be replayed: why, and the file and line it is on.</summary>
    public static IReadOnlyList<RecordHeader> ForRow(InvalidRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return
        [
            new(ErrorCode, row.Code),
            new(ErrorReason, row.Reason),
            new(SourceFile, row.File),
            new(SourceLine, row.Line.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    public static IReadOnlyList<RecordHeader> For(DecodeFailure failure, string topic, int partition, long offset) =>
        For(failure.CodeName, failure.Reason, topic, partition, offset);
}
