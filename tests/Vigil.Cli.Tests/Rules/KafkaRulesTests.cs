using System.Text;
using System.Text.Json;
using Vigil.Cli.Tests.Commands;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Rules;

public sealed class KafkaRulesTests() : TempDirectoryTest("vigil-kafka-rules-")
{
    [Fact]
    public async Task Rule_sets_published_to_the_control_topic_are_swapped_in_by_detect_and_a_bad_one_is_rejected()
    {
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new TopicOptions();

        Write("everyone.txt", string.Join('\n', Enumerable.Range(0, 100_000)) + "\n");
        var all = Write("all.yaml", "version: all\nlists:\n  everyone: { file: everyone.txt }\nrules:\n  - name: everyone\n    expression: customer_id in everyone or source is not null\n");
        var none = Write("none.yaml", "version: none\nrules:\n  - name: huge\n    expression: amount > 1e12\n");
        var broken = Write("broken.yaml", "version: broken\nrules:\n  - name: huge\n    expression: amount > 1e12\n");
        var (published, publishOut, publishError) = await CliRunner.RunAsync(["rules", "publish", all, "--kafka", cluster.BootstrapServers]);
        Assert.True(published == 0, publishError + publishOut);
        Assert.Matches(@"published all\.yaml to vigil\.rules on .*: 1 enabled rules, version all:[0-9a-f]{8}", publishOut);
        var message = Assert.Single(MockClusterReader.Read(cluster, topics.Rules, 1));
        // The list file travels inline: detectors need no files.
        Assert.Equal(100_000, JsonDocument.Parse(message.Message.Value).RootElement.GetProperty("lists").GetProperty("everyone").GetArrayLength());

        Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", "--count", "300", "--seed", "3"])).ExitCode);
        using var stop = new CancellationTokenSource();
        var detect = CliRunner.RunAsync(["detect", "--kafka", cluster.BootstrapServers, "--rules-topic", topics.Rules], stop: stop.Token);
        Assert.Equal(300, MockClusterReader.Read(cluster, topics.Fraud, 300).Count);

        // A document that does not compile is rejected; the next one is swapped in.
        File.WriteAllText(broken, "version: broken\nrules:\n  - name: huge\n    expression: amount >\n");
        using (var producer = new Confluent.Kafka.ProducerBuilder<byte[], byte[]>(new Confluent.Kafka.ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(topics.Rules, new() { Key = "rules"u8.ToArray(), Value = Encoding.UTF8.GetBytes(File.ReadAllText(broken)) });
        }

        Assert.Equal(0, (await CliRunner.RunAsync(["rules", "publish", none, "--kafka", cluster.BootstrapServers])).ExitCode);
        var legit = new List<JsonElement>();
        for (var round = 0; round < 30 && legit.Count == 0; round++)
        {
            Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", "--count", "100", "--seed", $"{round + 10}"])).ExitCode);
            legit = [.. MockClusterReader.Read(cluster, topics.Legit, 1).Select(r => JsonDocument.Parse(r.Message.Value).RootElement)];
        }

        await stop.CancelAsync();
        var (exitCode, stdout, error) = await detect;
        Assert.True(exitCode == 0, error + stdout);
        var output = stdout + error;
        Assert.NotEmpty(legit);
        var fraud = MockClusterReader.ReadAll(cluster, topics.Fraud).Select(r => JsonDocument.Parse(r.Message.Value).RootElement).ToList();
        legit = [.. MockClusterReader.ReadAll(cluster, topics.Legit).Select(r => JsonDocument.Parse(r.Message.Value).RootElement)];
        Assert.True(fraud.Count + legit.Count >= 400, $"{fraud.Count} + {legit.Count} decided");
        Assert.All(fraud, r => Assert.StartsWith("all:", Version(r), StringComparison.Ordinal));
        Assert.All(legit, r => Assert.StartsWith("none:", Version(r), StringComparison.Ordinal));
        Assert.Contains("rules update from vigil.rules[", output, StringComparison.Ordinal);
        Assert.Contains("rule 'huge': expected a value, found the end of the expression; still deciding with all:", output, StringComparison.Ordinal);
        Assert.Matches(@"rules swapped from vigil\.rules\[\d\]@\d: all:[0-9a-f]{8} → none:[0-9a-f]{8}", output);
        Assert.Matches(@"rules +none:[0-9a-f]{8} · 2 swapped in, 1 updates rejected · 3 read from vigil\.rules", output);
    }

    private static string Version(JsonElement record) => record.GetProperty("vigil").GetProperty("versions").GetProperty("rules").GetString()!;
}
