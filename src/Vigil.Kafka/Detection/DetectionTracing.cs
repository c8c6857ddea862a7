using System.Diagnostics;
using System.Text;
using Vigil.Kafka.Native;

namespace Vigil.Kafka.Detection;

/// <summary>
/// The spans a detector makes while tracing listens (OpenTelemetry, <c>--otlp-endpoint</c>): one per record decided,
/// the child of the W3C <c>traceparent</c> the record carries, and itself the parent written on the output record.
/// Without a listener it costs one check a record and nothing is allocated.
/// </summary>
public static class DetectionTracing
{
    /// <summary>The activity source's name: what a tracer provider subscribes to.</summary>
    public const string SourceName = "Vigil.Kafka";

    /// <summary>The longest <c>traceparent</c> read: version 00 is 55 characters; a later version may append fields.</summary>
    private const int MaxTraceParent = 256;

    internal static readonly ActivitySource Source = new(SourceName, typeof(DetectionTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the span of one record, or returns null when nothing listens or the sampler drops it.</summary>
    internal static Activity? Start(in ConsumedMessage message, string topic)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var header = message.Header(NativeProducer.TraceParentHeader);
        ActivityContext parent = default;
        if (header.Length is > 0 and <= MaxTraceParent)
        {
            // A malformed header is a record without a parent, not a failure.
            _ = ActivityContext.TryParse(Encoding.ASCII.GetString(header), traceState: null, out parent);
        }

        var activity = Source.StartActivity($"{topic} process", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", topic);
            activity.SetTag("messaging.destination.partition.id", message.Partition);
            activity.SetTag("messaging.kafka.offset", message.Offset);
        }

        return activity;
    }

    /// <summary>
    /// Writes a recorded span's context as a <c>traceparent</c> value into <paramref name="destination"/> (55 bytes
    /// suffice); empty for a span the sampler dropped (the output keeps the input's own header, if any).
    /// </summary>
    internal static ReadOnlySpan<byte> TraceParent(Activity? activity, Span<byte> destination) =>
        activity is { Recorded: true, IdFormat: ActivityIdFormat.W3C, Id: { Length: > 0 } id } && id.Length <= destination.Length
            ? destination[..Encoding.ASCII.GetBytes(id, destination)]
            : default;
}
