namespace Vigil.Runtime.Topics;

/// <summary>What a topic does when a subscriber's queue is full.</summary>
public enum SubscriptionMode
{
    /// <summary>The publisher waits: backpressure. Nothing is lost; a slow subscriber slows the pipeline.</summary>
    Blocking,

    /// <summary>The batch is skipped for this subscriber and counted: for views (a dashboard) that must never slow detection.</summary>
    Sampling,
}
