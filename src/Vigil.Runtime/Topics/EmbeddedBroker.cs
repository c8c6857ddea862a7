namespace Vigil.Runtime.Topics;

/// <summary>The embedded runtime's registry of named topics, all sharing one pool of batches.</summary>
public sealed class EmbeddedBroker
{
    private readonly Dictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public EmbeddedBroker(BatchPool? pool = null) => Pool = pool ?? new BatchPool();

    public BatchPool Pool { get; }

    public IReadOnlyCollection<Topic> Topics
    {
        get
        {
            lock (_lock)
            {
                return [.. _topics.Values];
            }
        }
    }

    /// <summary>Creates a topic, or returns the existing one when its partition count matches.</summary>
    public Topic CreateTopic(string name, int partitions)
    {
        lock (_lock)
        {
            if (_topics.TryGetValue(name, out var existing))
            {
                if (existing.Partitions.Count != partitions)
                {
                    throw new InvalidOperationException(
                        $"Topic {name} exists with {existing.Partitions.Count} partitions, not {partitions}.");
                }

                return existing;
            }

            var topic = new Topic(name, partitions, Pool);
            _topics.Add(name, topic);
            return topic;
        }
    }
}
