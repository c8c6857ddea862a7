using Vigil.Kafka.Mock;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Commands;

/// <summary>Mock Kafka clusters for command tests, with Vigil's topics created (the mock cannot create them on request).</summary>
internal static class MockClusters
{
    public static MockCluster WithVigilTopics(int partitions = 2, int brokers = 1)
    {
        var cluster = new MockCluster(brokers);
        var topics = new TopicOptions();
        foreach (var topic in topics.All)
        {
            cluster.CreateTopic(topic, partitions, replicationFactor: brokers);
        }

        return cluster;
    }
}
