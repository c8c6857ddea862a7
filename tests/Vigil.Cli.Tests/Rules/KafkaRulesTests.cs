using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Cli.Tests.Commands;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Rules;

public sealed class KafkaRulesTests() : TempDirectoryTest("vigil-kafka-rules-")
{
    private const string RulesKey = "rules-key-0123456789abcdef";

    private static readonly System.Collections.Hashtable Signed = new() { ["VIGIL_RULES_KEY"] = RulesKey };

    [Fact]
    public async Task Rule_sets_published_to_the_control_topic_are_swapped_in_by_detect_and_a_bad_one_is_rejected()
    {
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new TopicOptions();

        Write("everyone.txt", string.Join('\n', Enumerable.Range(0, 100_000)) + "\n");
        var all = Write("all.yaml", "version: all\nlists:\n  everyone: { file: everyone.txt }\nrules:\n  - name: everyone\n    expression: customer_id in everyone or source is not null\n");
        var none = Write("none.yaml", "version: none\nrules:\n  - name: huge\n    expression: amount > 1e12\n");
        var broken = Write("broken.yaml", "version: broken\nrules:\n  - name: huge\n    expression: amount > 1e12\n");
        var (published, publishOut, publishError) = await CliRunner.RunAsync(["rules", "publish", all, "--kafka", cluster.BootstrapServers], Signed);
        Assert.True(published == 0, publishError + publishOut);
        Assert.Matches(@"published all\.yaml to vigil\.rules on .*: 1 enabled rules, version all:[0-9a-f]{8}", publishOut);
        var message = Assert.Single(MockClusterReader.Read(cluster, topics.Rules, 1));
        // The list file travels inline: detectors need no files.
        Assert.Equal(100_000, JsonDocument.Parse(message.Message.Value).RootElement.GetProperty("lists").GetProperty("everyone").GetArrayLength());

        Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", "--count", "300", "--seed", "3"])).ExitCode);
        using var stop = new CancellationTokenSource();
        var detect = CliRunner.RunAsync(["detect", "--kafka", cluster.BootstrapServers, "--rules-topic", topics.Rules], Signed, stop.Token);
        Assert.Equal(300, MockClusterReader.Read(cluster, topics.Fraud, 300).Count);

        // A signed document that does not compile is rejected; so are an attacker's allow-everything set (unsigned,
        // signed with another key, or a signed document altered); the next signed one is swapped in.
        File.WriteAllText(broken, "version: broken\nrules:\n  - name: huge\n    expression: amount >\n");
        var allowAll = Encoding.UTF8.GetBytes("version: forged\nrules:\n  - name: everything\n    expression: amount >= 0\n    action: allow\n");
        var brokenBytes = Encoding.UTF8.GetBytes(File.ReadAllText(broken));
        var signature = new Vigil.Runtime.Rules.RuleSignature(RulesKey);
        using (var producer = new Confluent.Kafka.ProducerBuilder<byte[], byte[]>(new Confluent.Kafka.ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            async Task ProduceAsync(byte[] value, string? header)
            {
                var headers = new Confluent.Kafka.Headers();
                if (header is not null)
                {
                    headers.Add(Vigil.Runtime.Rules.RuleSignature.Header, Encoding.UTF8.GetBytes(header));
                }

                await producer.ProduceAsync(topics.Rules, new() { Key = "rules"u8.ToArray(), Value = value, Headers = headers });
            }

            await ProduceAsync(brokenBytes, signature.Sign(brokenBytes));
            await ProduceAsync(allowAll, null);
            await ProduceAsync(allowAll, new Vigil.Runtime.Rules.RuleSignature("another-key-0123456789abcdef").Sign(allowAll));
            await ProduceAsync(allowAll, signature.Sign(brokenBytes));
        }

        Assert.Equal(0, (await CliRunner.RunAsync(["rules", "publish", none, "--kafka", cluster.BootstrapServers], Signed)).ExitCode);
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
        Assert.Contains("rejected: it is not signed (no vigil-signature header)", output, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(output, "rejected: its signature does not verify with the rules key"));
        Assert.DoesNotContain("forged", string.Concat(legit.Concat(fraud).Select(Version)), StringComparison.Ordinal);
        Assert.Matches(@"rules +none:[0-9a-f]{8} · 2 swapped in, 4 updates rejected · 6 read from vigil\.rules, 3 refused as not signed with the rules key", output);
    }

    [Theory]
    [InlineData(new[] { "detect", "--rules-topic", "vigil.rules" }, "", "vigil detect --rules-topic needs the rules key that signs rule sets: set VIGIL_RULES_KEY or --rules-key-file FILE")]
    [InlineData(new[] { "rules", "publish", "r.yaml" }, "", "vigil rules publish needs the rules key")]
    [InlineData(new[] { "rules", "publish", "r.yaml" }, "short", "VIGIL_RULES_KEY: the rules signing key has 5 characters; use at least 16")]
    [InlineData(new[] { "rules", "publish", "r.yaml", "--unsigned-rules" }, RulesKey, "VIGIL_RULES_KEY gives a rules key and --unsigned-rules says to go without: choose one")]
    [InlineData(new[] { "rules", "publish", "r.yaml", "--rules-key-file", "missing.key" }, "", "--rules-key-file: cannot read missing.key")]
    public async Task Without_a_usable_rules_key_publish_and_a_following_detector_stop_with_one_line(string[] args, string key, string message)
    {
        using var cluster = MockClusters.WithVigilTopics();
        var rules = Write("r.yaml", "version: r\nrules:\n  - name: big\n    expression: amount > 100\n");
        var environment = new System.Collections.Hashtable();
        if (key.Length > 0)
        {
            environment["VIGIL_RULES_KEY"] = key;
        }

        var (exitCode, _, error) = await CliRunner.RunAsync([.. args.Select(a => a == "r.yaml" ? rules : a), "--kafka", cluster.BootstrapServers], environment);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("vigil: " + message, error, StringComparison.Ordinal);
    }

    private static string Version(JsonElement record) => record.GetProperty("vigil").GetProperty("versions").GetProperty("rules").GetString()!;
}
