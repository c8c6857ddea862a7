using System.Text.Json;
using Vigil.Cli.Tests.Commands;
using Vigil.Features;
using Vigil.Models;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Models;

public sealed class KafkaModelTests() : TempDirectoryTest("vigil-kafka-model-")
{
    [Fact]
    public async Task Detect_on_kafka_scores_every_record_with_the_model_and_names_its_version()
    {
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new TopicOptions();

        var model = Path.Combine(Directory, "alarmist.json");
        File.WriteAllText(model, ModelJson.Serialize(new LogisticModel(["amount"], [0], [1], [0], intercept: 10, threshold: 0.5) { Version = "lr-alarmist" }));
        var (generated, _, generateError) = await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", "--count", "500", "--seed", "3"]);
        Assert.True(generated == 0, generateError);

        using var stop = new CancellationTokenSource();
        var detect = CliRunner.RunAsync(["detect", "--kafka", cluster.BootstrapServers, "--model", model], stop: stop.Token);
        var fraud = MockClusterReader.Read(cluster, topics.Fraud, 500);
        await stop.CancelAsync();
        var (exitCode, output, error) = await detect;

        Assert.True(exitCode == 0, error + output);
        Assert.Contains("model lr-alarmist", output, StringComparison.Ordinal);
        Assert.Equal(500, fraud.Count);
        Assert.All(fraud, record =>
        {
            var vigil = JsonDocument.Parse(record.Message.Value).RootElement.GetProperty("vigil");
            Assert.Equal("lr-alarmist", vigil.GetProperty("versions").GetProperty("model").GetString());
            Assert.True(vigil.GetProperty("model").GetProperty("fraud").GetBoolean());
        });
    }

    [Fact]
    public async Task A_model_that_reads_features_needs_the_featured_topic()
    {
        var model = Path.Combine(Directory, "velocity.json");
        var features = new FeatureSet("model", [FeatureDefinition.Parse("customer_nb_tx_1d = count(customer, 1d)")]);
        File.WriteAllText(model, ModelJson.Serialize(new LogisticModel(["customer_nb_tx_1d"], [0], [1], [1], -2, 0.5) { Features = features }));

        var (exitCode, _, error) = await CliRunner.RunAsync(["detect", "--kafka", "127.0.0.1:1", "--model", model]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--input vigil.transactions.featured", error, StringComparison.Ordinal);
    }
}
