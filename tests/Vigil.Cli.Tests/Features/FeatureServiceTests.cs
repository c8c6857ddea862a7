using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Vigil.Cli.Tests.Commands;
using Vigil.Testing;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Features;

public sealed class FeatureServiceTests() : TempDirectoryTest("vigil-feature-service-")
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static readonly string[] Simulation = ["--customers", "150", "--terminals", "300", "--days", "12", "--seed", "4"];

    [Fact]
    public async Task On_kafka_the_feature_stage_reads_every_partition_and_computes_what_the_batch_computation_does()
    {
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new TopicOptions();
        var (generated, _, generateError) = await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", .. Simulation]);
        Assert.True(generated == 0, generateError);
        var batch = await BatchAsync();

        var checkpoint = Path.Combine(Directory, "features.checkpoint");
        using var stop = new CancellationTokenSource();
        var port = LoopbackPorts.Free();
        var service = CliRunner.RunAsync(
            ["features", "--kafka", cluster.BootstrapServers, "--feature-set", "handbook", "--checkpoint", checkpoint, "--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            stop: stop.Token);
        var featured = MockClusterReader.Read(cluster, topics.Featured, batch.Rows.Count);
        var metrics = await Services.MetricsTests.ScrapeUntilAsync(port, m => m.Find("vigil_records_out_total", $"topic={topics.Featured}") == batch.Rows.Count);
        using (var client = new HttpClient())
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).StatusCode);
        }

        await stop.CancelAsync();
        var (exitCode, output, error) = await service;

        Assert.True(exitCode == 0, error);
        Assert.Contains($"{batch.Rows.Count:N0} featured transactions acknowledged by the brokers", output, StringComparison.Ordinal);
        Assert.True(File.Exists(checkpoint));
        Assert.Equal(batch.Rows.Count, featured.Count);
        batch.AssertSame(featured);
        Assert.Equal(batch.Rows.Count, metrics.Value("vigil_features_computed_total"));
        Assert.True(metrics.Value("vigil_feature_state_entities") > 0);
        Assert.Equal(1, metrics.Value("vigil_build_info", "service=features"));
    }

    [Fact]
    public async Task A_feature_service_killed_with_sigkill_is_taken_over_by_another_that_restores_its_state_from_kafka()
    {
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new TopicOptions();
        var batch = await BatchAsync();
        string[] service = ["features", "--kafka", cluster.BootstrapServers, "--feature-set", "handbook", "--state-topic", topics.FeatureState];

        // Transactions arrive for about 15 s; the first service snapshots its state after 10 s, and is killed 2 s later.
        var generating = CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "200", .. Simulation]);
        using var first = CliProcesses.Start(service);
        var snapshotted = false;
        for (var i = 0; i < 400 && !snapshotted; i++)
        {
            await Task.Delay(100);
            snapshotted = MockClusterReader.Count(cluster, topics.FeatureState) > 0;
        }

        Assert.True(snapshotted, "the first service wrote no snapshot within 40 s");
        await Task.Delay(2000);
        first.Kill(); // SIGKILL: no last snapshot, no flush
        var (generated, _, generateError) = await generating;
        Assert.True(generated == 0, generateError);

        using var second = CliProcesses.Start(service);
        var log = second.StandardError.ReadToEndAsync();
        var featured = new List<ConsumeResult<byte[], byte[]>>();
        for (var i = 0; i < 60 && featured.Select(Id).Distinct().Count() < batch.Rows.Count; i++)
        {
            featured = MockClusterReader.ReadAll(cluster, topics.Featured);
        }

        var rest = second.StandardOutput.ReadToEndAsync();
        Assert.Equal(0, await CliProcesses.SigtermAsync(second, Timeout));
        var (output, errors) = (await rest, await log);

        Assert.Contains("state: restored features from vigil.features.state: snapshot", errors, StringComparison.Ordinal);
        Assert.Contains("state         task features in topic vigil.features.state: restored snapshot", output, StringComparison.Ordinal);
        Assert.Matches(@"computed .* · state: snapshot \d+, \d+ s ago · [\d,]+ replayed", output); // the last, written on SIGTERM

        // Nothing lost; what the first wrote after its snapshot is written again, the same, marked and counted.
        Assert.Equal(batch.Rows.Count, featured.Select(Id).Distinct().Count());
        var duplicated = FeaturedRecords.AssertReplaysMarked(featured);
        Assert.True(duplicated > 0); // two seconds of transactions came after the snapshot
        Assert.Contains($"{duplicated:N0} of them written again after the takeover", output, StringComparison.Ordinal);

        batch.AssertSame(featured);
    }

    private static long Id(ConsumeResult<byte[], byte[]> record) => FeaturedRecords.Id(record);

    [Fact]
    public async Task With_avro_transactions_and_labels_the_feature_service_computes_what_the_batch_does_and_the_detector_writes_avro_with_the_features()
    {
        using var cluster = MockClusters.WithVigilTopics();
        await using var registry = await Vigil.Avro.Registry.InMemorySchemaRegistry.StartAsync();
        var topics = new TopicOptions();
        string[] avro = ["--kafka", cluster.BootstrapServers, "--value-format", "avro", "--schema-registry", registry.Url];
        var (generated, _, generateError) = await CliRunner.RunAsync(["generate", .. avro, "--rate", "max", .. Simulation]);
        Assert.True(generated == 0, generateError);
        Assert.All(MockClusterReader.Read(cluster, topics.Labels, 5).Take(5), l => Assert.Equal(0, l.Message.Value[0])); // Confluent's magic byte: Avro
        var batch = await BatchAsync();

        using var stop = new CancellationTokenSource();
        var service = CliRunner.RunAsync(["features", .. avro, "--feature-set", "handbook"], stop: stop.Token);
        var featured = MockClusterReader.Read(cluster, topics.Featured, batch.Rows.Count);
        await stop.CancelAsync();
        var (exitCode, output, error) = await service;

        Assert.True(exitCode == 0, error);
        Assert.Contains("Avro in (schemas at", output, StringComparison.Ordinal);
        Assert.All(featured, r => Assert.StartsWith("{\"vigil_avro\":\"AAAAA", System.Text.Encoding.UTF8.GetString(r.Message.Value), StringComparison.Ordinal));
        Assert.Equal(batch.Rows.Count, featured.Count);
        batch.AssertSame(featured);
        Assert.Contains(featured, r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("features").EnumerateObject()
            .Any(f => f.Name.Contains("_RISK_", StringComparison.Ordinal) && f.Value.GetDouble() > 0)); // the labels were read from Avro

        // The detector behind it writes the decided records in the producer's schema, with the features and the decision.
        using var stopDetect = new CancellationTokenSource();
        var detect = CliRunner.RunAsync(["detect", .. avro, "--input", topics.Featured, "--threshold", "220"], stop: stopDetect.Token);
        var deadline = DateTime.UtcNow + Timeout;
        while (MockClusterReader.Count(cluster, topics.Legit) + MockClusterReader.Count(cluster, topics.Fraud) < batch.Rows.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await stopDetect.CancelAsync();
        var (detected, detectOutput, detectError) = await detect;
        Assert.True(detected == 0, detectError + detectOutput);
        using var source = new Vigil.Avro.Registry.RegistrySchemaSource(new Dictionary<string, string> { ["schema.registry.url"] = registry.Url });
        var featuresById = featured.ToDictionary(FeaturedRecords.Id, r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("features"));
        var decided = new[] { topics.Legit, topics.Fraud }.SelectMany(t => MockClusterReader.ReadAll(cluster, t)).Select(r => Services.AvroCommandTests.Read(source, r.Message.Value)).ToList();
        Assert.Equal(batch.Rows.Count, decided.Count);
        foreach (var record in decided)
        {
            var expected = featuresById[(long)record["transaction_id"]];
            var features = (IDictionary<string, object?>)record["features"];
            Assert.Equal(expected.EnumerateObject().Count(), features.Count);
            Assert.All(expected.EnumerateObject(), f => Assert.Equal(f.Value.ValueKind == JsonValueKind.Null ? null : f.Value.GetDouble(), (double?)features[f.Name]));
            Assert.Equal((double)record["amount"] >= 220, (bool)((global::Avro.Generic.GenericRecord)record["vigil"])["fraud"]);
        }
    }

    private Task<FeaturedRecords.Batch> BatchAsync() => FeaturedRecords.BatchAsync(Directory, Simulation);
}
