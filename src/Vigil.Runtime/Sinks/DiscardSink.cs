using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Sinks;

/// <summary>Reads a topic and discards its records: for warm-up and benchmarks, where only the pipeline's work counts.</summary>
public static class DiscardSink
{
    /// <summary>Subscribes now (before anything is published) and discards until the topic completes.</summary>
    public static Task Attach(Topic topic, string group)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Task.WhenAll(topic.Subscribe(group).Select(subscription => Task.Run(async () =>
        {
            await foreach (var batch in subscription.Reader.ReadAllAsync())
            {
                subscription.Complete(batch);
            }
        })));
    }
}
