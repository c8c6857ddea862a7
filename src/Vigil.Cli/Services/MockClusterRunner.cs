using Spectre.Console;
using Vigil.Avro.Registry;
using Vigil.Cli.Configuration;
using Vigil.Kafka.Mock;
using Vigil.Kafka.Native;

namespace Vigil.Cli.Services;

/// <summary>
/// <c>vigil kafka mock</c>: librdkafka's mock cluster with Vigil's topics and an in-memory schema registry, for trying
/// Kafka mode with any client.
/// </summary>
public sealed class MockClusterRunner(VigilSettings settings, int brokers, IAnsiConsole console)
{
    /// <summary>The schema registry's port on 127.0.0.1; 0 picks a free one.</summary>
    public int RegistryPort { get; init; }

    public async Task<int> RunAsync(CancellationToken stop)
    {
        using var cluster = new MockCluster(brokers);
        InMemorySchemaRegistry registry;
        try
        {
            registry = await InMemorySchemaRegistry.StartAsync(RegistryPort, stop);
        }
        catch (IOException e)
        {
            throw new UsageException($"the schema registry cannot listen on 127.0.0.1:{RegistryPort}: {e.Message}");
        }

        await using var registered = registry;
        var topics = settings.Topics.All;
        foreach (var topic in topics)
        {
            cluster.CreateTopic(topic, settings.Pipeline.Partitions, replicationFactor: brokers);
        }

        var address = cluster.BootstrapServers;
        console.MarkupLine($"[bold]Kafka mock cluster[/]: {brokers} broker{(brokers == 1 ? "" : "s")} at [bold]{Markup.Escape(address)}[/] · {Markup.Escape(LibrdkafkaLoader.Description)}");
        console.MarkupLine($"[bold]Schema registry[/] (in memory): [bold]{Markup.Escape(registry.Url)}[/]");
        console.MarkupLine($"topics, {settings.Pipeline.Partitions} partitions each: {Markup.Escape(string.Join(", ", topics))}");
        console.MarkupLine("try, in other terminals:");
        console.MarkupLine($"  KAFKA_BROKER_URL={Markup.Escape(address)} ./vigil detect");
        console.MarkupLine($"  KAFKA_BROKER_URL={Markup.Escape(address)} ./vigil generate --rate 1000");
        console.MarkupLine($"  kcat -b {Markup.Escape(address)} -C -t {Markup.Escape(settings.Topics.Fraud)}");
        console.MarkupLine($"  KAFKA_BROKER_URL={Markup.Escape(address)} SCHEMA_REGISTRY_URL={Markup.Escape(registry.Url)} ./vigil generate --value-format avro   (and detect --value-format avro)");
        console.MarkupLine("[yellow]in memory only, old messages are trimmed (about 5 MB per partition kept): for trying out and tests, not production[/]");
        console.MarkupLine("[grey]Ctrl+C to stop[/]");
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
        }

        console.MarkupLine("mock cluster and schema registry stopped; their messages and schemas are gone");
        return 0;
    }
}
