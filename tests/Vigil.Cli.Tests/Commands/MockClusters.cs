using Vigil.Kafka.Mock;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Commands;

/// <summary>Mock Kafka clusters for command tests, with Vigil's topics created (the mock cannot create them on request).</summary>
internal static class MockClusters
{
    /// <param name="featured">Create the feature stage's output topic too.</param>
    public static MockCluster WithVigilTopics(bool featured = false, int partitions = 2)
    {
        var cluster = new MockCluster();
        var topics = new TopicOptions();
        foreach (var topic in featured ? topics.All.Append(topics.Featured) : topics.All)
        {
            cluster.CreateTopic(topic, partitions);
        }

        return cluster;
    }
}
