using System.Globalization;
using System.Text;
using Avro.Generic;
using Avro.IO;
using Confluent.Kafka;
using Vigil.Avro.Registry;
using Vigil.Avro.Wire;
using Vigil.Cli.Tests.Commands;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Services;

/// <summary><c>--value-format avro</c> through the commands: generate into the mock cluster, detect, read the outputs with Apache.Avro.</summary>
public sealed class AvroCommandTests
{
    private static readonly TopicOptions Topics = new();

    [Fact]
    public async Task Generated_avro_transactions_are_decided_into_avro_records_and_json_ones_go_to_the_dead_letters()
    {
        const int count = 3000;
        using var cluster = MockClusters.WithVigilTopics(partitions: 2);
        await using var registry = await InMemorySchemaRegistry.StartAsync();
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            for (var i = 0; i < 3; i++)
            {
                await producer.ProduceAsync(Topics.Transactions, new() { Key = "j"u8.ToArray(), Value = Encoding.UTF8.GetBytes($$"""{"amount":{{i}}}""") });
            }
        }

        string[] avro = ["--kafka", cluster.BootstrapServers, "--value-format", "avro", "--schema-registry", registry.Url];
        var (generated, generateOutput, generateError) = await CliRunner.RunAsync(["generate", .. avro, "--count", count.ToString(CultureInfo.InvariantCulture), "--rate", "max", "--seed", "2"]);
        Assert.True(generated == 0, generateError + generateOutput);
        Assert.Contains($"(Avro, schemas at {registry.Url})", generateOutput, StringComparison.Ordinal);

        using var stop = new CancellationTokenSource();
        var detect = CliRunner.RunAsync(["detect", .. avro, "--threshold", "220"], stop: stop.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (MockClusterReader.Count(cluster, Topics.Legit) + MockClusterReader.Count(cluster, Topics.Fraud) < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await stop.CancelAsync();
        var (exitCode, output, error) = await detect;
        Assert.True(exitCode == 0, error + output);
        Assert.Contains("Avro, schemas at", output, StringComparison.Ordinal);
        Assert.Contains("dead letters  3", output, StringComparison.Ordinal);

        using var source = new RegistrySchemaSource(new Dictionary<string, string> { ["schema.registry.url"] = registry.Url });
        var decided = new[] { Topics.Legit, Topics.Fraud }.SelectMany(topic => MockClusterReader.ReadAll(cluster, topic).Select(r => (Topic: topic, Record: Read(source, r.Message.Value)))).ToList();
        Assert.Equal(count, decided.Count);
        Assert.Equal(count, decided.Select(d => (long)d.Record["transaction_id"]).Distinct().Count());
        Assert.All(decided, d =>
        {
            var fraud = (bool)((GenericRecord)d.Record["vigil"])["fraud"];
            Assert.Equal((double)d.Record["amount"] >= 220, fraud);
            Assert.Equal(fraud ? Topics.Fraud : Topics.Legit, d.Topic);
        });
        Assert.Contains(decided, d => d.Topic == Topics.Fraud);
        var deadLetters = MockClusterReader.ReadAll(cluster, Topics.DeadLetter);
        Assert.Equal(3, deadLetters.Count);
        Assert.All(deadLetters, d => Assert.Equal("not_avro", Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes("vigil.error.code"))));
        Assert.All(deadLetters, d => Assert.StartsWith("{\"amount\":", Encoding.UTF8.GetString(d.Message.Value), StringComparison.Ordinal)); // the original bytes
    }

    [Theory]
    [InlineData(new[] { "detect", "--kafka", "127.0.0.1:1", "--value-format", "avro" }, "--value-format avro needs a schema registry: --schema-registry URL or SCHEMA_REGISTRY_URL (vigil kafka mock starts one and prints its URL)")]
    [InlineData(new[] { "detect", "--kafka", "127.0.0.1:1", "--value-format", "avro", "--schema-registry", "ftp://x" }, "invalid --schema-registry 'ftp://x': expected an http:// or https:// URL such as http://127.0.0.1:8081")]
    [InlineData(new[] { "detect", "--kafka", "127.0.0.1:1", "--schema-registry", "http://127.0.0.1:1" }, "--schema-registry and --schema-registry-config-file are for --value-format avro")]
    [InlineData(new[] { "detect", "--kafka", "127.0.0.1:1", "--value-format", "xml" }, "invalid --value-format 'xml': expected json or avro")]
    [InlineData(new[] { "generate", "--out", "x.csv", "--value-format", "avro", "--schema-registry", "http://127.0.0.1:1" }, "--value-format avro is for Kafka topics (--kafka BROKERS); a dataset file is CSV")]
    [InlineData(new[] { "detect", "--kafka", "127.0.0.1:1", "--value-format", "avro", "--schema-registry", "http://127.0.0.1:1", "--schema-registry-config-file", "/no/such/file" }, "--schema-registry-config-file: cannot read /no/such/file: Could not find a part of the path '/no/such/file'.")]
    public async Task Avro_flag_mistakes_are_one_line_and_exit_2(string[] args, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal($"vigil: {message}", error.TrimEnd());
    }

    [Fact]
    public async Task Generating_avro_with_a_registry_that_does_not_answer_is_one_line_and_exit_1()
    {
        using var cluster = MockClusters.WithVigilTopics(partitions: 1);

        var (exitCode, output, _) = await CliRunner.RunAsync(
            ["generate", "--kafka", cluster.BootstrapServers, "--value-format", "avro", "--schema-registry", $"http://127.0.0.1:{Vigil.Testing.LoopbackPorts.Free()}", "--count", "10"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("Vigil generate: the schema registry at http://127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Equal(0, MockClusterReader.Count(cluster, Topics.Transactions));
    }

    [Fact]
    public async Task The_mock_cluster_starts_a_schema_registry_and_prints_its_url()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));

        var (exitCode, output, error) = await CliRunner.RunAsync(["kafka", "mock", "--partitions", "1"], stop: stop.Token);

        Assert.True(exitCode == 0, error + output);
        Assert.Matches(@"Schema registry \(in memory\): http://127\.0\.0\.1:\d+", output);
        Assert.Contains("--value-format avro", output, StringComparison.Ordinal);
    }

    /// <summary>A framed record read by Apache.Avro with its writer schema from the registry.</summary>
    internal static GenericRecord Read(ISchemaSource source, byte[] framed)
    {
        Assert.True(ConfluentFrame.TryReadSchemaId(framed, out var id));
        var schema = global::Avro.Schema.Parse(source.GetSchema(id));
        using var stream = new MemoryStream(framed, ConfluentFrame.HeaderLength, framed.Length - ConfluentFrame.HeaderLength);
        return new GenericDatumReader<GenericRecord>(schema, schema).Read(null!, new BinaryDecoder(stream));
    }
}
