namespace Vigil.Hosting.Services;

/// <summary>How long a pipeline run lasts (configuration: <c>--duration</c>, <c>--count</c> is the publisher's).</summary>
public sealed class PipelineRunOptions
{
    /// <summary>Wall time after the transport has started when the source stops publishing; null: until it ends or the host stops.</summary>
    public TimeSpan? Duration { get; set; }
}
